/* A parent's phone app, in C, through the plansync C API alone: opens its
 * device store, syncs with a real plansync-server, reads the plan and the
 * accommodation the case manager made, logs a lapse, tries changes a
 * guardian may not make (one before the store knows her roles, refused by the
 * server; one after, refused at once), and gives the API bad input. Records are
 * written and read as protobuf bytes with the tiny codec of wire.h, from the
 * field numbers of records.proto. Ends with the report of the student's record.
 *
 * usage: c_parent_flow DB PARENT_USER_ID SERVER TOKEN_FILE STUDENT_ID PLAN_ID
 *            ACCOMMODATION_ID
 *
 * Prints a line per step; on success the last lines are "lapse <id>" and
 * "parent flow ok" and the exit status is 0; a failed check prints "FAIL"
 * with the line and exits 1; if the first sync fails, prints "sync failed:
 * CODE: message" and exits 3. Driven by parent_flow_test.cc. */
#include <plansync/plansync.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

/* Field numbers and enum values of records.proto. */
enum {
  PLAN_ID = 1,
  PLAN_STUDENT_ID = 2,
  PLAN_STATUS = 5,
  PLAN_VERSION = 6,
  PLAN_JURISDICTION = 8,
  PLAN_STATUS_DRAFT = 1,
  PLAN_STATUS_ACTIVE = 2,
  ACCOMMODATION_ID = 1,
  ACCOMMODATION_PLAN_ID = 4,
  ACCOMMODATION_TITLE = 7,
  LAPSE_STUDENT_ID = 2,
  LAPSE_AUTHOR_ID = 3,
  LAPSE_ACCOMMODATION_ID = 5,
  LAPSE_DAY = 7,
  LAPSE_WHAT_HAPPENED = 9,
  HOLIDAY_DAY = 5
};

static int failures = 0;

#define CHECK(cond)                                  \
  do {                                               \
    if (!(cond)) {                                   \
      printf("FAIL line %d: %s\n", __LINE__, #cond); \
      ++failures;                                    \
    }                                                \
  } while (0)

/* Checks that a call succeeded, printing its error if not. */
#define CHECK_OK(call, err)                                             \
  do {                                                                  \
    int code_ = (call);                                                 \
    if (code_ != PLANSYNC_CODE_OK) {                                    \
      printf("FAIL line %d: %s: %s (%s, reason %s)\n", __LINE__, #call, \
             (err).message, plansync_code_name(code_),                  \
             plansync_reason_name((err).reason));                       \
      ++failures;                                                       \
    }                                                                   \
  } while (0)

/* Checks that a call failed with `code` and `reason`, with a message. */
#define CHECK_ERROR(call, err, want_code, want_reason)                      \
  do {                                                                      \
    int code_ = (call);                                                     \
    printf("  refused: %s (%s, %s)\n", (err).message,                       \
           plansync_code_name((err).code),                                  \
           plansync_reason_name((err).reason));                             \
    if (code_ != (want_code) || (err).code != (want_code) ||                \
        (err).reason != (want_reason) || (err).message[0] == '\0') {        \
      printf("FAIL line %d: %s gave %s/%s, want %s/%s\n", __LINE__, #call,  \
             plansync_code_name(code_), plansync_reason_name((err).reason), \
             plansync_code_name(want_code),                                 \
             plansync_reason_name(want_reason));                            \
      ++failures;                                                           \
    }                                                                       \
  } while (0)

/* --- Progress --------------------------------------------------------- */

typedef struct progress_log {
  int calls;
  int first_phase;
  int last_phase;
  int last_done;
  int out_of_order; /* a phase went backwards */
  int bad_total;    /* a pull with a total other than -1, or done > total */
} progress_log;

static void on_progress(void* context, int phase, int64_t done, int64_t total) {
  progress_log* log = (progress_log*)context;
  if (log->calls == 0) log->first_phase = phase;
  if (log->calls > 0 && phase < log->last_phase) log->out_of_order = 1;
  if (phase == PLANSYNC_SYNC_PULL && total != -1) log->bad_total = 1;
  if (phase != PLANSYNC_SYNC_PULL && done > total) log->bad_total = 1;
  log->last_phase = phase;
  log->last_done = (int)done;
  ++log->calls;
}

static void check_progress(const progress_log* log) {
  CHECK(log->calls >= 2);
  CHECK(log->first_phase == PLANSYNC_SYNC_CONNECT);
  CHECK(log->last_phase == PLANSYNC_SYNC_DONE);
  CHECK(!log->out_of_order);
  CHECK(!log->bad_total);
}

/* --- Observing --------------------------------------------------------- */

typedef struct heard_log {
  const char* plan; /* ids to listen for */
  const char* accommodation;
  int calls;
  int remote_records;
  int local_records;
  int heard_plan;          /* the plan arrived, from the server */
  int heard_accommodation; /* the accommodation arrived, from the server */
} heard_log;

static void on_change(void* context, const plansync_change_event* event) {
  heard_log* log = (heard_log*)context;
  size_t i;
  ++log->calls;
  for (i = 0; i < event->record_count; ++i) {
    const plansync_changed_record* record = &event->records[i];
    if (!record->remote) {
      ++log->local_records;
      continue;
    }
    ++log->remote_records;
    if (strcmp(record->type, "plansync.v1.Plan") == 0 &&
        strcmp(record->id, log->plan) == 0) {
      log->heard_plan = 1;
    }
    if (strcmp(record->type, "plansync.v1.Accommodation") == 0 &&
        strcmp(record->id, log->accommodation) == 0) {
      log->heard_accommodation = 1;
    }
  }
}

/* --- Listing ---------------------------------------------------------- */

typedef struct record_count {
  int count;
  char last_id[64];
} record_count;

static int count_record(void* context, const uint8_t* record, size_t size) {
  record_count* count = (record_count*)context;
  ++count->count;
  if (!wire_get_string(record, size, 1, count->last_id,
                       sizeof(count->last_id))) {
    count->last_id[0] = '\0';
  }
  return 0;
}

static int count_of(plansync_store* store, const char* type, const char* field,
                    const char* value) {
  plansync_error err;
  record_count count = {0, ""};
  CHECK_OK(
      plansync_list(store, type, field, value, 0, count_record, &count, &err),
      err);
  return count.count;
}

static int64_t pending(plansync_store* store) {
  plansync_error err;
  int64_t count = -1;
  CHECK_OK(plansync_pending_count(store, &count, &err), err);
  return count;
}

typedef struct rejected_log {
  int count;
  char type[64];
  char record_id[64];
  char field[64];
  int reason;
  char message[512];
} rejected_log;

static int on_rejected(void* context, const plansync_rejected_change* change) {
  rejected_log* log = (rejected_log*)context;
  ++log->count;
  snprintf(log->type, sizeof(log->type), "%s", change->type);
  snprintf(log->record_id, sizeof(log->record_id), "%s", change->record_id);
  snprintf(log->field, sizeof(log->field), "%s", change->field);
  log->reason = change->reason;
  snprintf(log->message, sizeof(log->message), "%s", change->message);
  return 0;
}

/* The Plan `plan_id` as stored; its status, or -1 if it cannot be read. */
static int plan_status(plansync_store* store, const char* plan_id) {
  plansync_error err;
  uint8_t* bytes = NULL;
  size_t size = 0;
  char id[64];
  int status;
  CHECK_OK(plansync_get(store, "Plan", plan_id, &bytes, &size, &err), err);
  if (bytes == NULL) return -1;
  CHECK(wire_get_string(bytes, size, PLAN_ID, id, sizeof(id)));
  CHECK(strcmp(id, plan_id) == 0);
  status = (int)wire_get_int(bytes, size, PLAN_STATUS);
  plansync_free(bytes);
  return status;
}

/* The token in `path`, first line, for the sync that passes it in memory. */
static int read_token(const char* path, char* out, size_t out_size) {
  FILE* file = fopen(path, "r");
  size_t n;
  if (file == NULL) return 0;
  if (fgets(out, (int)out_size, file) == NULL) {
    fclose(file);
    return 0;
  }
  fclose(file);
  n = strlen(out);
  while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r')) out[--n] = '\0';
  return n > 0;
}

int main(int argc, char** argv) {
  const char *db, *parent, *server, *token_file, *student, *plan,
      *accommodation;
  plansync_store* store = NULL;
  plansync_error err;
  plansync_sync_options options;
  plansync_sync_counts counts;
  progress_log progress;
  rejected_log rejected;
  heard_log heard;
  plansync_observer* observer = NULL;
  uint8_t* bytes = NULL;
  size_t size = 0;
  char text[256];
  char token[512];
  char* lapse_id = NULL;
  char* id = NULL;
  wire_message msg;

  if (argc != 8) {
    fprintf(stderr,
            "usage: %s DB PARENT_USER_ID SERVER TOKEN_FILE STUDENT_ID "
            "PLAN_ID ACCOMMODATION_ID\n",
            argv[0]);
    return 2;
  }
  db = argv[1];
  parent = argv[2];
  server = argv[3];
  token_file = argv[4];
  student = argv[5];
  plan = argv[6];
  accommodation = argv[7];
  printf("plansync %s\n", plansync_version());

  /* Open the phone's store. */
  CHECK_ERROR(plansync_store_open(NULL, parent, &store, &err), err,
              PLANSYNC_CODE_INVALID_ARGUMENT, PLANSYNC_REASON_UNSPECIFIED);
  CHECK(store == NULL);
  CHECK_OK(plansync_store_open(db, parent, &store, &err), err);
  if (store == NULL) return 1;
  CHECK(strcmp(plansync_store_principal_id(store), parent) == 0);
  CHECK(strlen(plansync_store_replica_id(store)) == 36);
  printf("opened %s for %s\n", db, parent);

  /* Before the first sync the store does not know its user's roles: a
   * change a guardian may not make (a school holiday, the administrator's)
   * is kept, and the server refuses it. */
  {
    char* holiday = NULL;
    memset(&msg, 0, sizeof(msg));
    wire_string(&msg, HOLIDAY_DAY, "2026-11-26");
    CHECK_OK(plansync_create(store, "SchoolHoliday", msg.data, msg.size,
                             &holiday, &err),
             err);
    CHECK(holiday != NULL);
    plansync_free(holiday);
  }
  CHECK(pending(store) == 1);

  /* First sync: receives the student, the plan and the accommodation, which
   * an observer hears as they are applied. */
  memset(&heard, 0, sizeof(heard));
  heard.plan = plan;
  heard.accommodation = accommodation;
  CHECK_OK(plansync_observe(store, on_change, &heard, &observer, &err), err);
  memset(&options, 0, sizeof(options));
  options.struct_size = sizeof(options);
  memset(&progress, 0, sizeof(progress));
  options.server = server;
  options.token_file = token_file;
  options.progress = on_progress;
  options.progress_context = &progress;
  if (plansync_sync(store, &options, &counts, &err) != PLANSYNC_CODE_OK) {
    printf("sync failed: %s: %s\n", plansync_code_name(err.code), err.message);
    CHECK(counts.pushed == 0 && counts.pulled == 0);
    plansync_unobserve(observer);
    plansync_store_close(store);
    return failures > 0 ? 1 : 3;
  }
  printf("synced: pushed %lld, refused %lld, pulled %lld; %d progress calls\n",
         (long long)counts.pushed, (long long)counts.rejected,
         (long long)counts.pulled, progress.calls);
  check_progress(&progress);
  CHECK(counts.pushed == 0);
  CHECK(counts.rejected == 1);
  CHECK(counts.pulled > 0);
  CHECK(pending(store) == 0);
  memset(&rejected, 0, sizeof(rejected));
  CHECK_OK(plansync_rejected_changes(store, on_rejected, &rejected, &err), err);
  CHECK(rejected.count == 1);
  CHECK(strcmp(rejected.type, "plansync.v1.SchoolHoliday") == 0);
  CHECK(strcmp(rejected.field, "day") == 0);
  CHECK(rejected.reason == PLANSYNC_REASON_ROLE_NOT_PERMITTED);
  CHECK(strcmp(plansync_reason_name(rejected.reason), "ROLE_NOT_PERMITTED") ==
        0);
  CHECK(rejected.message[0] != '\0');
  printf("refused by the server: %s %s %s: %s (%s)\n", rejected.type,
         rejected.record_id, rejected.field, rejected.message,
         plansync_reason_name(rejected.reason));
  CHECK(progress.last_done == (int)(counts.pushed + counts.pulled));
  printf("heard %d commits: %d records from the server, %d local\n",
         heard.calls, heard.remote_records, heard.local_records);
  CHECK(heard.calls >= 1);
  CHECK(heard.heard_plan && heard.heard_accommodation);
  CHECK(heard.local_records == 0);
  plansync_unobserve(observer);
  observer = NULL;

  /* The plan and the accommodation, decoded. */
  CHECK_OK(plansync_get(store, "plansync.v1.Plan", plan, &bytes, &size, &err),
           err);
  if (bytes != NULL) {
    CHECK(wire_get_string(bytes, size, PLAN_STUDENT_ID, text, sizeof(text)));
    CHECK(strcmp(text, student) == 0);
    CHECK(wire_get_int(bytes, size, PLAN_STATUS) == PLAN_STATUS_ACTIVE);
    CHECK(wire_get_int(bytes, size, PLAN_VERSION) == 1);
    CHECK(wire_get_string(bytes, size, PLAN_JURISDICTION, text, sizeof(text)));
    CHECK(strcmp(text, "US-MO") == 0);
    printf("plan %s: active, version 1, %s\n", plan, text);
    plansync_free(bytes);
    bytes = NULL;
  }
  CHECK_OK(
      plansync_get(store, "Accommodation", accommodation, &bytes, &size, &err),
      err);
  if (bytes != NULL) {
    CHECK(wire_get_string(bytes, size, ACCOMMODATION_PLAN_ID, text,
                          sizeof(text)));
    CHECK(strcmp(text, plan) == 0);
    CHECK(
        wire_get_string(bytes, size, ACCOMMODATION_TITLE, text, sizeof(text)));
    CHECK(strcmp(text, "Extended time") == 0);
    printf("accommodation %s: %s\n", accommodation, text);
    plansync_free(bytes);
    bytes = NULL;
  }
  CHECK(count_of(store, "Accommodation", "plan_id", plan) == 1);
  CHECK(count_of(store, "Accommodation", "plan_id", "no-such-plan") == 0);
  CHECK(count_of(store, "Plan", NULL, NULL) == 1);

  /* A lapse report, encoded by hand, in a write transaction with a second
   * one whose day is malformed: that one is refused alone, and the commit
   * stores the first. */
  memset(&msg, 0, sizeof(msg));
  wire_string(&msg, LAPSE_STUDENT_ID, student);
  wire_string(&msg, LAPSE_ACCOMMODATION_ID, accommodation);
  wire_string(&msg, LAPSE_DAY, "2026-09-17");
  wire_string(&msg, LAPSE_WHAT_HAPPENED, "No extended time on the quiz");
  CHECK(!msg.overflow);
  CHECK_OK(plansync_begin_write(store, &err), err);
  CHECK_OK(plansync_append(store, "LapseReport", msg.data, msg.size, &lapse_id,
                           &err),
           err);
  {
    wire_message late;
    memset(&late, 0, sizeof(late));
    wire_string(&late, LAPSE_STUDENT_ID, student);
    wire_string(&late, LAPSE_ACCOMMODATION_ID, accommodation);
    wire_string(&late, LAPSE_DAY, "last Tuesday");
    wire_string(&late, LAPSE_WHAT_HAPPENED, "No breaks either");
    CHECK_ERROR(
        plansync_append(store, "LapseReport", late.data, late.size, NULL, &err),
        err, PLANSYNC_CODE_INVALID_ARGUMENT, PLANSYNC_REASON_MALFORMED_DATE);
  }
  CHECK_OK(plansync_commit(store, &err), err);
  CHECK(lapse_id != NULL && strlen(lapse_id) == 36);
  if (lapse_id != NULL) {
    CHECK_OK(plansync_get(store, "LapseReport", lapse_id, &bytes, &size, &err),
             err);
    if (bytes != NULL) {
      CHECK(wire_get_string(bytes, size, LAPSE_AUTHOR_ID, text, sizeof(text)));
      CHECK(strcmp(text, parent) == 0);
      plansync_free(bytes);
      bytes = NULL;
    }
  }
  CHECK(pending(store) == 1);

  /* Now the store knows she is the student's guardian: a change a guardian
   * may not make is refused at once, with the server's reason, and nothing
   * is stored or queued. */
  {
    const char* fields[] = {"status"};
    memset(&msg, 0, sizeof(msg));
    wire_string(&msg, PLAN_ID, plan);
    wire_int(&msg, PLAN_STATUS, PLAN_STATUS_DRAFT);
    CHECK_ERROR(
        plansync_update(store, "Plan", msg.data, msg.size, fields, 1, &err),
        err, PLANSYNC_CODE_PERMISSION_DENIED,
        PLANSYNC_REASON_ROLE_NOT_PERMITTED);
    CHECK(strstr(err.message, "guardian may not change Plan") != NULL);
    CHECK(plan_status(store, plan) == PLAN_STATUS_ACTIVE);
  }
  CHECK(pending(store) == 1);

  /* Bad input: clear errors, nothing stored. */
  printf("bad input:\n");
  memset(&msg, 0, sizeof(msg));
  wire_string(&msg, LAPSE_STUDENT_ID, student);
  wire_string(&msg, LAPSE_ACCOMMODATION_ID, accommodation);
  wire_string(&msg, LAPSE_DAY, "2026-09-18");
  wire_string(&msg, LAPSE_WHAT_HAPPENED, "Again");
  id = NULL;
  CHECK_ERROR(
      plansync_append(store, "NoSuchRecord", msg.data, msg.size, &id, &err),
      err, PLANSYNC_CODE_INVALID_ARGUMENT, PLANSYNC_REASON_UNKNOWN_RECORD_TYPE);
  CHECK(id == NULL);
  CHECK(strstr(err.message, "NoSuchRecord") != NULL);
  CHECK_ERROR(
      plansync_append(NULL, "LapseReport", msg.data, msg.size, &id, &err), err,
      PLANSYNC_CODE_INVALID_ARGUMENT, PLANSYNC_REASON_UNSPECIFIED);
  CHECK(strstr(err.message, "store") != NULL);
  CHECK_ERROR(
      plansync_append(store, "LapseReport", msg.data, msg.size - 3, &id, &err),
      err, PLANSYNC_CODE_INVALID_ARGUMENT, PLANSYNC_REASON_UNSPECIFIED);
  CHECK(id == NULL);
  {
    static const uint8_t garbage[] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0xff};
    CHECK_ERROR(plansync_append(store, "LapseReport", garbage, sizeof(garbage),
                                &id, &err),
                err, PLANSYNC_CODE_INVALID_ARGUMENT,
                PLANSYNC_REASON_UNSPECIFIED);
    CHECK_ERROR(
        plansync_create(store, "Plan", garbage, sizeof(garbage), &id, &err),
        err, PLANSYNC_CODE_INVALID_ARGUMENT, PLANSYNC_REASON_UNSPECIFIED);
  }
  {
    /* Well-formed bytes with a field LapseReport does not have. */
    wire_message extra = msg;
    wire_string(&extra, 99, "from a newer app");
    CHECK_ERROR(plansync_append(store, "LapseReport", extra.data, extra.size,
                                &id, &err),
                err, PLANSYNC_CODE_INVALID_ARGUMENT,
                PLANSYNC_REASON_UNKNOWN_FIELD);
  }
  {
    wire_message bad_day;
    memset(&bad_day, 0, sizeof(bad_day));
    wire_string(&bad_day, LAPSE_STUDENT_ID, student);
    wire_string(&bad_day, LAPSE_ACCOMMODATION_ID, accommodation);
    wire_string(&bad_day, LAPSE_DAY, "yesterday");
    wire_string(&bad_day, LAPSE_WHAT_HAPPENED, "Again");
    CHECK_ERROR(plansync_append(store, "LapseReport", bad_day.data,
                                bad_day.size, &id, &err),
                err, PLANSYNC_CODE_INVALID_ARGUMENT,
                PLANSYNC_REASON_MALFORMED_DATE);
  }
  CHECK_ERROR(
      plansync_create(store, "LapseReport", msg.data, msg.size, &id, &err), err,
      PLANSYNC_CODE_FAILED_PRECONDITION, PLANSYNC_REASON_UNSPECIFIED);
  CHECK_ERROR(
      plansync_get(store, "Plan", "0190a5b0-0000-7000-8000-000000000000",
                   &bytes, &size, &err),
      err, PLANSYNC_CODE_NOT_FOUND, PLANSYNC_REASON_UNKNOWN_RECORD);
  CHECK(bytes == NULL && size == 0);
  {
    const char* fields[] = {"no_such_field"};
    memset(&msg, 0, sizeof(msg));
    wire_string(&msg, PLAN_ID, plan);
    CHECK_ERROR(
        plansync_update(store, "Plan", msg.data, msg.size, fields, 1, &err),
        err, PLANSYNC_CODE_INVALID_ARGUMENT, PLANSYNC_REASON_UNKNOWN_FIELD);
  }
  /* Without an error struct the code still says it. */
  CHECK(plansync_append(store, "NoSuchRecord", NULL, 0, NULL, NULL) ==
        PLANSYNC_CODE_INVALID_ARGUMENT);
  CHECK(count_of(store, "LapseReport", NULL, NULL) == 1);
  CHECK(pending(store) == 1);
  CHECK(plan_status(store, plan) == PLAN_STATUS_ACTIVE);

  /* A pull-only sync, the token given in memory: the lapse stays pending. */
  CHECK(read_token(token_file, token, sizeof(token)));
  memset(&options, 0, sizeof(options));
  options.struct_size = sizeof(options);
  options.server = server;
  options.token = token;
  options.direction = PLANSYNC_SYNC_PULL_ONLY;
  CHECK_OK(plansync_sync(store, &options, &counts, &err), err);
  CHECK(counts.pushed == 0);
  CHECK(pending(store) == 1);

  /* A push-only sync: the lapse is accepted, nothing is pulled. */
  memset(&progress, 0, sizeof(progress));
  options.direction = PLANSYNC_SYNC_PUSH_ONLY;
  options.progress = on_progress;
  options.progress_context = &progress;
  CHECK_OK(plansync_sync(store, &options, &counts, &err), err);
  printf("synced: pushed %lld, refused %lld, pulled %lld; %d progress calls\n",
         (long long)counts.pushed, (long long)counts.rejected,
         (long long)counts.pulled, progress.calls);
  check_progress(&progress);
  CHECK(counts.pulled == 0);
  CHECK(counts.pushed == 1);
  CHECK(counts.rejected == 0);
  CHECK(counts.clock_ahead == 0);
  CHECK(pending(store) == 0);
  /* The refusal of the first sync stays listed. */
  memset(&rejected, 0, sizeof(rejected));
  CHECK_OK(plansync_rejected_changes(store, on_rejected, &rejected, &err), err);
  CHECK(rejected.count == 1);
  CHECK(plan_status(store, plan) == PLAN_STATUS_ACTIVE);
  CHECK(count_of(store, "LapseReport", NULL, NULL) == 1);

  /* The parent's view of the consolidated record: the lapse is an open
   * concern in the report, as JSON and as protobuf (as_of is field 1). */
  {
    plansync_report_request request = PLANSYNC_REPORT_REQUEST_INIT;
    request.today = "2026-09-18";
    request.student_id = student;
    CHECK_OK(plansync_report(store, &request, PLANSYNC_REPORT_JSON, &bytes,
                             &size, &err),
             err);
    if (bytes != NULL) {
      const char* json = (const char*)bytes;
      CHECK(strlen(json) == size);
      CHECK(lapse_id != NULL && strstr(json, lapse_id) != NULL);
      CHECK(strstr(json, "No extended time on the quiz") != NULL);
      printf("report: %u bytes of JSON\n", (unsigned)size);
      plansync_free(bytes);
      bytes = NULL;
    }
    CHECK_OK(plansync_report(store, &request, PLANSYNC_REPORT_PROTO, &bytes,
                             &size, &err),
             err);
    if (bytes != NULL) {
      CHECK(wire_get_string(bytes, size, 1, text, sizeof(text)));
      CHECK(strcmp(text, "2026-09-18") == 0);
      plansync_free(bytes);
      bytes = NULL;
    }
  }

  plansync_store_close(store);
  if (lapse_id != NULL) printf("lapse %s\n", lapse_id);
  plansync_free(lapse_id);
  if (failures > 0) {
    printf("%d checks failed\n", failures);
    return 1;
  }
  printf("parent flow ok\n");
  return 0;
}
