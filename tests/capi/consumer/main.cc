// A C++ app on the installed plansync: it generates its own record classes
// from the installed .proto files (plansync_PROTO_DIR), links them with the
// shared libprotobuf next to libplansync, and writes and reads a student
// through them.
//
// usage: cpp_app DB_FILE    prints "cpp consumer ok" and exits 0 on success.
#include <plansync/plansync.h>

#include <cstdio>
#include <string>

#include "plansync/v1/records.pb.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: cpp_app DB_FILE\n");
    return 2;
  }
  plansync_store* store = nullptr;
  plansync_error err{};
  if (plansync_store_open(argv[1], "01900000-0000-7000-8000-000000000001",
                          &store, &err) != PLANSYNC_CODE_OK) {
    std::fprintf(stderr, "open: %s\n", err.message);
    return 1;
  }
  plansync::v1::Student student;
  student.set_given_name("Maya");
  student.set_family_name("Diaz");
  const std::string bytes = student.SerializeAsString();
  char* id = nullptr;
  int ok = plansync_create(store, "Student", bytes.data(), bytes.size(), &id,
                           &err) == PLANSYNC_CODE_OK;
  uint8_t* stored = nullptr;
  size_t size = 0;
  plansync::v1::Student back;
  ok = ok &&
       plansync_get(store, "Student", id, &stored, &size, &err) ==
           PLANSYNC_CODE_OK &&
       back.ParseFromArray(stored, static_cast<int>(size)) && back.id() == id &&
       back.given_name() == "Maya" && back.family_name() == "Diaz";
  if (!ok) std::fprintf(stderr, "round trip failed: %s\n", err.message);
  plansync_free(stored);
  plansync_free(id);
  plansync_store_close(store);
  if (ok) std::printf("cpp consumer ok\n");
  return ok ? 0 : 1;
}
