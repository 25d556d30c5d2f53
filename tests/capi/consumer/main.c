/* An app on the installed plansync C API: creates a student in a new device
 * store, reads it back and checks an error's code and reason.
 *
 * usage: app DB_FILE    prints "consumer ok" and exits 0 on success. */
#include <plansync/plansync.h>
#include <stdio.h>
#include <string.h>

/* plansync.v1.Student, serialized: given_name (field 6) "Maya", family_name
 * (field 7) "Diaz". */
static const uint8_t kStudent[] = {0x32, 4, 'M', 'a', 'y', 'a',
                                   0x3a, 4, 'D', 'i', 'a', 'z'};

static int contains(const uint8_t* data, size_t size, const uint8_t* part,
                    size_t part_size) {
  size_t i;
  for (i = 0; i + part_size <= size; ++i) {
    if (memcmp(data + i, part, part_size) == 0) return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  plansync_store* store = NULL;
  plansync_error err;
  char* id = NULL;
  uint8_t* record = NULL;
  size_t size = 0;
  int ok = 1;

  if (argc != 2) {
    fprintf(stderr, "usage: %s DB_FILE\n", argv[0]);
    return 2;
  }
  printf("plansync %s\n", plansync_version());
  if (plansync_store_open(argv[1], "01900000-0000-7000-8000-000000000001",
                          &store, &err) != PLANSYNC_CODE_OK) {
    fprintf(stderr, "open: %s\n", err.message);
    return 1;
  }
  if (plansync_create(store, "plansync.v1.Student", kStudent, sizeof(kStudent),
                      &id, &err) != PLANSYNC_CODE_OK ||
      plansync_get(store, "Student", id, &record, &size, &err) !=
          PLANSYNC_CODE_OK) {
    fprintf(stderr, "create and get: %s\n", err.message);
    ok = 0;
  } else {
    printf("student %s, %u bytes\n", id, (unsigned)size);
    ok = contains(record, size, kStudent, sizeof(kStudent));
  }
  plansync_free(record);
  plansync_free(id);

  if (plansync_create(store, "NoSuchRecord", kStudent, sizeof(kStudent), NULL,
                      &err) != PLANSYNC_CODE_INVALID_ARGUMENT ||
      err.reason != PLANSYNC_REASON_UNKNOWN_RECORD_TYPE ||
      strcmp(plansync_reason_name(err.reason), "UNKNOWN_RECORD_TYPE") != 0) {
    fprintf(stderr, "an unknown type gave %s/%s: %s\n",
            plansync_code_name(err.code), plansync_reason_name(err.reason),
            err.message);
    ok = 0;
  }
  plansync_store_close(store);
  if (!ok) return 1;
  printf("consumer ok\n");
  return 0;
}
