/* plansync.h: the C API of plansync, for apps (Swift, Kotlin through JNI, C).
 *
 * It wraps the C++ device core (core/device_store.h, core/reports/report.h)
 * and the replicator (sync/replicator.h) and nothing more: a device store on
 * a local SQLite file that works offline, a sync with a plansync server, and
 * the case manager's consolidated report computed from the store.
 *
 * Records are the messages of proto/plansync/v1/records.proto, passed in and
 * out as serialized protobuf bytes: an app encodes and decodes them with the
 * protobuf library of its own language from the same .proto files (installed
 * under share/plansync/proto), or, without one, with the record helpers of
 * plansync_record.h. Record types are named by full name
 * ("plansync.v1.LapseReport") or short name ("LapseReport").
 *
 * Errors. Every function that can fail returns a plansync_code (0,
 * PLANSYNC_CODE_OK, on success) and, if `error` is not NULL, fills *error
 * with the same code, the plansync_reason if plansync refused a write (e.g.
 * PLANSYNC_REASON_MALFORMED_DATE), and a message a person can read. Codes and
 * reasons come from plansync_codes.h, generated from their one source each.
 * A write that fails changes nothing in the store (a sync that fails keeps
 * what it applied before; see plansync_sync). No C++ exception leaves these
 * functions.
 *
 * Memory. Buffers and strings the API returns through `uint8_t**` or
 * `char**` out-parameters are the caller's, to be freed with plansync_free
 * (not free). On error they are set to NULL. Pointers the API passes to
 * callbacks are valid only during the callback.
 *
 * Thread-safety. A plansync_store handle may be used from several threads at
 * once: the device store is thread-safe and serializes access to its file
 * (a write waits for any other call in progress on the handle; a call never
 * sees half of another's write). Syncs on one handle run one at a time; other
 * calls may run while a sync is in progress. plansync_store_close must be the
 * last call on a handle: no call may run on it at the same time or after.
 * A store file must be open in one handle at a time, in one process (the
 * handle keeps state of its file, such as the next change number).
 * Callbacks given to a call (listing, progress) run on the thread that made
 * the call, before it returns; observers (plansync_observe) run on the thread
 * that committed. Either way no lock is held: they may call other functions
 * on the same handle (but not close it). Callbacks must not throw C++
 * exceptions or longjmp out.
 *
 * Write transactions (plansync_begin_write) belong to the thread that began
 * them: while one is open, other threads' calls on the handle wait for it to
 * end, and the thread must end it (commit or roll back) itself.
 *
 * ABI: every struct the caller fills in (plansync_store_options,
 * plansync_sync_options, plansync_report_request) begins with `struct_size`,
 * which the caller sets to sizeof the struct as its header declares it; the
 * PLANSYNC_..._INIT macros do, and zero the rest. Fields are only ever added
 * at the end: the library reads the fields the caller's size covers and
 * takes the others as zero, so an app built against an older header keeps
 * working with a newer library of the same soname. A struct_size below the
 * struct's first version is refused with INVALID_ARGUMENT. Other changes
 * come only with a new soname (a new major version; before 1.0, a new minor
 * version).
 *
 * Linking into a C++ program: libplansync holds its own copy of the code
 * generated from the plansync .proto files; a program that also links C++
 * code generated from them into the same process must not use this library.
 */
#ifndef PLANSYNC_PLANSYNC_H_
#define PLANSYNC_PLANSYNC_H_

#include <stddef.h>
#include <stdint.h>

#include "plansync_codes.h"

#if defined(__GNUC__) || defined(__clang__)
#define PLANSYNC_API __attribute__((visibility("default")))
#else
#define PLANSYNC_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Errors, versions and memory
 * ------------------------------------------------------------------------ */

/* Room for an error message, its terminating NUL included. Longer messages
 * are cut at a UTF-8 character boundary. */
#define PLANSYNC_ERROR_MESSAGE_SIZE 1024

/* What went wrong in a call. Filled by every call that takes one (when not
 * NULL): on success code and reason are 0 and message is "". */
typedef struct plansync_error {
  /* A plansync_code: the canonical status code (the numbers of gRPC and
   * Abseil), e.g. PLANSYNC_CODE_INVALID_ARGUMENT. */
  int code;
  /* A plansync_reason: why plansync refused the write (plansync.v1.Reason),
   * or PLANSYNC_REASON_UNSPECIFIED (0) when the error is not such a refusal
   * (a NULL argument, bytes that are not protobuf, the network). */
  int reason;
  /* NUL-terminated UTF-8 text for a person; never contains a token. */
  char message[PLANSYNC_ERROR_MESSAGE_SIZE];
} plansync_error;

/* The library's version, "MAJOR.MINOR.PATCH". Static storage. Thread-safe. */
PLANSYNC_API const char* plansync_version(void);

/* The name of a plansync_code ("INVALID_ARGUMENT"), or "" if `code` is none.
 * Static storage. Thread-safe. */
PLANSYNC_API const char* plansync_code_name(int code);

/* The name of a plansync_reason as errors.proto spells it
 * ("ROLE_NOT_PERMITTED"), or "" if `reason` is none. Static storage.
 * Thread-safe. */
PLANSYNC_API const char* plansync_reason_name(int reason);

/* Frees a buffer or string returned by this API. NULL is ignored.
 * Thread-safe. */
PLANSYNC_API void plansync_free(void* buffer);

/* ------------------------------------------------------------------------
 * Device stores
 * ------------------------------------------------------------------------ */

/* An open device store. Opaque. */
typedef struct plansync_store plansync_store;

/* Opens the device store in the SQLite file `path`, creating it (readable by
 * its owner only) if missing, and sets *store to a new handle, to be closed
 * with plansync_store_close. `principal_id` is the user id of the device's
 * user, the author of its writes: required for a new file; for an existing
 * one it may be NULL or "" (the file's is used) but must otherwise match.
 * Errors: INVALID_ARGUMENT for a NULL or empty `path`, a NULL `store`, or a
 * new file without a principal; FAILED_PRECONDITION if the file belongs to
 * another principal or was written by a newer plansync; DATA_LOSS if it is not
 * a SQLite file. On error *store is NULL. Thread-safe. */
PLANSYNC_API int plansync_store_open(const char* path, const char* principal_id,
                                     plansync_store** store,
                                     plansync_error* error);

/* How plansync_store_open_with_options opens a store. */
typedef enum plansync_durability {
  /* Each commit is on disk before it returns (SQLite synchronous=FULL). */
  PLANSYNC_DURABILITY_FULL = 0,
  /* Commits return sooner: a crash of the app loses nothing, but a power cut
   * or an operating system crash may lose the last commits
   * (synchronous=NORMAL). */
  PLANSYNC_DURABILITY_NORMAL = 1
} plansync_durability;

typedef struct plansync_store_options {
  size_t struct_size; /* sizeof(plansync_store_options) */
  /* As for plansync_store_open; NULL or "" for an existing file. */
  const char* principal_id;
  /* A plansync_durability; PLANSYNC_DURABILITY_FULL (0) by default. */
  int durability;
} plansync_store_options;

#define PLANSYNC_STORE_OPTIONS_INIT \
  { sizeof(plansync_store_options), NULL, PLANSYNC_DURABILITY_FULL }

/* plansync_store_open with options. Errors as for plansync_store_open, plus
 * INVALID_ARGUMENT for NULL options, a struct_size below the first version's
 * or an unknown durability. Thread-safe. */
PLANSYNC_API int plansync_store_open_with_options(
    const char* path, const plansync_store_options* options,
    plansync_store** store, plansync_error* error);

/* Closes `store` and frees the handle. NULL is ignored. Must be the last call
 * on the handle (see Thread-safety above); a write transaction still open is
 * rolled back, and must belong to the calling thread. Remove the handle's
 * observers (plansync_unobserve) first. */
PLANSYNC_API void plansync_store_close(plansync_store* store);

/* The principal (user id) and the replica (device) id of `store`, owned by
 * the handle and valid until it is closed; "" for NULL. Thread-safe. */
PLANSYNC_API const char* plansync_store_principal_id(
    const plansync_store* store);
PLANSYNC_API const char* plansync_store_replica_id(const plansync_store* store);

/* ------------------------------------------------------------------------
 * Write transactions. Without them each write below is a transaction of its
 * own, durable when it returns (one disk sync per write). Between
 * plansync_begin_write and plansync_commit the writes of the calling thread
 * are one transaction: they become durable, visible to the other threads
 * and seen by observers and plansync_sync together at the commit, or not at
 * all. A write in a transaction that fails changes nothing (its error is
 * returned as usual) and the transaction stays open for the others; only if
 * the disk fails in the middle of a write is the whole transaction rolled
 * back (the write's message says so, and plansync_commit then fails with
 * FAILED_PRECONDITION).
 * ------------------------------------------------------------------------ */

/* Begins a write transaction for the calling thread on `store`, waiting
 * while another thread's is open. Errors: INVALID_ARGUMENT for a NULL
 * store; FAILED_PRECONDITION if this thread already has one open on the
 * store; UNAVAILABLE if the file is locked by another process. */
PLANSYNC_API int plansync_begin_write(plansync_store* store,
                                      plansync_error* error);

/* Commits the calling thread's write transaction: its writes are on disk
 * (with PLANSYNC_DURABILITY_FULL) when it returns OK. The transaction is
 * over either way; if the commit fails, nothing of it is stored. Errors:
 * FAILED_PRECONDITION if this thread has no transaction open on the store;
 * the disk's errors (UNAVAILABLE, RESOURCE_EXHAUSTED for a full disk). */
PLANSYNC_API int plansync_commit(plansync_store* store, plansync_error* error);

/* Rolls back the calling thread's write transaction: none of its writes is
 * stored. Does nothing if this thread has none open on the store (or
 * `store` is NULL). */
PLANSYNC_API void plansync_rollback(plansync_store* store);

/* ------------------------------------------------------------------------
 * Writes. Each is one transaction (or one unit of the calling thread's open
 * transaction): the record and its outbox entries are stored together, or
 * nothing is. They work offline; plansync_sync sends them. Errors common to
 * all: INVALID_ARGUMENT for a NULL store or argument; reason
 * UNKNOWN_RECORD_TYPE for a type that is not a plansync record;
 * INVALID_ARGUMENT (reason UNSPECIFIED) for bytes that are not a serialized
 * message of the type, reason UNKNOWN_FIELD for bytes holding a field number
 * the type does not have (a newer .proto: nothing is dropped silently); the
 * store's validation and reference errors with their reasons
 * (MISSING_REQUIRED_FIELD, VALUE_TOO_LONG, MALFORMED_DATE, UNKNOWN_REFERENCE,
 * CROSS_STUDENT_REFERENCE, ...); PERMISSION_DENIED with reason
 * ROLE_NOT_PERMITTED or NOT_ASSIGNED for a write the server would refuse for
 * the user's roles, as the store knows them (its user's User record and
 * assignments, on the district's today; before the first sync the store
 * cannot know them, and the server decides). Thread-safe.
 * ------------------------------------------------------------------------ */

/* Creates a mutable record (Student, Plan, Accommodation, ...) from the
 * serialized message `record` (`size` bytes) of `type`, giving it a new id if
 * its id is empty. If `id` is not NULL, sets *id to the record's id, a
 * NUL-terminated string to free with plansync_free. Errors as above, plus:
 * FAILED_PRECONDITION for a log entry type (use plansync_append); reason
 * DUPLICATE_ID if the id is taken. Thread-safe. */
PLANSYNC_API int plansync_create(plansync_store* store, const char* type,
                                 const void* record, size_t size, char** id,
                                 plansync_error* error);

/* Sets the fields named in `fields` (`field_count` names, e.g. "status") of
 * the mutable record whose id is the id in the serialized message `values`
 * of `type`, to their values in `values`; the message's other fields are
 * ignored. Values equal to the stored ones record nothing. Errors as above,
 * plus reasons: UNKNOWN_RECORD (no such record), UNKNOWN_FIELD (a name
 * `type` does not have), IMMUTABLE_FIELD (`id` or a field fixed at
 * creation), LOG_ENTRY_IMMUTABLE (a log entry type). A write the device's
 * user may not make (a guardian editing a plan) is stored here and refused
 * by the server at the next sync: see plansync_rejected_changes.
 * Thread-safe. */
PLANSYNC_API int plansync_update(plansync_store* store, const char* type,
                                 const void* values, size_t size,
                                 const char* const* fields, size_t field_count,
                                 plansync_error* error);

/* Archives the mutable record `id` of `type` (sets `deleted`; records are
 * never erased). Errors as for plansync_update. Thread-safe. */
PLANSYNC_API int plansync_archive(plansync_store* store, const char* type,
                                  const char* id, plansync_error* error);

/* Appends a log entry (LapseReport, ImplementationConfirmation, Comment, ...)
 * from the serialized message `entry` (`size` bytes) of `type`, giving it a
 * new id if its id is empty; the store sets author_id (the store's principal)
 * and recorded_hlc. If `id` is not NULL, sets *id to the entry's id, to free
 * with plansync_free. Errors as above, plus: FAILED_PRECONDITION for a
 * mutable type (use plansync_create); reason DUPLICATE_ID if the id is
 * taken. Thread-safe. */
PLANSYNC_API int plansync_append(plansync_store* store, const char* type,
                                 const void* entry, size_t size, char** id,
                                 plansync_error* error);

/* ------------------------------------------------------------------------
 * Reads
 * ------------------------------------------------------------------------ */

/* Reads the record `id` of `type` (archived ones too) and sets *record to its
 * serialized message and *size to its length; free *record with
 * plansync_free. Errors: INVALID_ARGUMENT for a NULL argument; reason
 * UNKNOWN_RECORD_TYPE; NOT_FOUND (reason UNKNOWN_RECORD) if there is no such
 * record. Thread-safe. */
PLANSYNC_API int plansync_get(plansync_store* store, const char* type,
                              const char* id, uint8_t** record, size_t* size,
                              plansync_error* error);

/* Called by plansync_list once per record with its serialized message.
 * Return 0 to go on, anything else to stop the listing. */
typedef int (*plansync_record_callback)(void* context, const uint8_t* record,
                                        size_t size);

/* Calls `callback` (with `context`) for each record of `type` whose text
 * field `field` equals `value`, or for every record of `type` if `field` is
 * NULL or "", in id order; archived records only if `include_archived` is
 * not 0. The records are read first, in one consistent read, and the
 * callbacks made after it. Errors: INVALID_ARGUMENT for a NULL store,
 * callback, or `value` with a `field`; reason UNKNOWN_RECORD_TYPE; reason
 * UNKNOWN_FIELD if `field` is not a text field of `type`. Stopping early is
 * not an error. Thread-safe. */
PLANSYNC_API int plansync_list(plansync_store* store, const char* type,
                               const char* field, const char* value,
                               int include_archived,
                               plansync_record_callback callback, void* context,
                               plansync_error* error);

/* Calls `callback` (with `context`) for at most `limit` records (0: no
 * limit) of one page of plansync_list's records: those whose id sorts after
 * `after_id` (NULL or "": from the first), in id order. Sets *next_after_id
 * to the last id passed to the callback, to give as `after_id` for the next
 * page, or to NULL when the listing is over (fewer than `limit` records were
 * left, or the callback stopped it); free it with plansync_free. The page is
 * read in one consistent read; records written between pages appear in a
 * later page if their id sorts after the cursor. Errors as for
 * plansync_list, plus INVALID_ARGUMENT for a NULL `next_after_id`.
 * Thread-safe. */
PLANSYNC_API int plansync_list_page(plansync_store* store, const char* type,
                                    const char* field, const char* value,
                                    int include_archived, const char* after_id,
                                    size_t limit,
                                    plansync_record_callback callback,
                                    void* context, char** next_after_id,
                                    plansync_error* error);

/* Sets *count to the number of records plansync_list would pass to its
 * callback. Errors as for plansync_list, plus INVALID_ARGUMENT for a NULL
 * `count`. Thread-safe. */
PLANSYNC_API int plansync_count(plansync_store* store, const char* type,
                                const char* field, const char* value,
                                int include_archived, int64_t* count,
                                plansync_error* error);

/* Sets *view to the serialized plansync.v1.PlanInEffect (views.proto) of
 * student `student_id` on `day` ("YYYY-MM-DD"; NULL or "": today in the
 * district's time zone) and *size to its length; free *view with
 * plansync_free. It holds the plan in effect on that day by the rule of
 * plans over time (an amendment takes over on its effective day, an ended
 * plan stops after its last day, a 504 that follows an IEP takes over on its
 * first day), with the plan's accommodations and services whose own days
 * hold the day, and its goals; no plan when none is in effect. Errors:
 * INVALID_ARGUMENT for a NULL argument, or reason MALFORMED_DATE for a
 * malformed day; NOT_FOUND (reason UNKNOWN_RECORD) for a student not on the
 * device. Thread-safe. */
PLANSYNC_API int plansync_plan_in_effect(plansync_store* store,
                                         const char* student_id,
                                         const char* day, uint8_t** view,
                                         size_t* size, plansync_error* error);

/* Sets *view to the serialized plansync.v1.TeacherDay (views.proto) of the
 * store's user on `day` ("YYYY-MM-DD"; NULL or "" for today in the district's
 * time zone), free with plansync_free, and *size to its length: each class
 * the user teaches that day (by their teacher assignments in force), each
 * student with the accommodations due in that class (by where and when they
 * apply: every class, the class's subject, test days only) and the user's
 * confirmations of them that day, oldest first; the students whose school
 * is closed, with why; counts of accommodations due and confirmed. With
 * `class_or_period` (any case) not NULL or "", that class alone. Errors:
 * INVALID_ARGUMENT for a NULL store or out-parameter, or reason
 * MALFORMED_DATE for a malformed day. Thread-safe. */
PLANSYNC_API int plansync_teacher_day(plansync_store* store, const char* day,
                                      const char* class_or_period,
                                      uint8_t** view, size_t* size,
                                      plansync_error* error);

/* Sets *view to the serialized plansync.v1.StudentHistory (views.proto) of
 * student `student_id` from `from` to `to` (both included; NULL or "" `to`:
 * today in the district's time zone; NULL or "" `from`: August 1 of the
 * school year holding `to`), free with plansync_free, and *size to its
 * length: the teachers' confirmations, the service sessions and the lapse
 * reports of those days, by day and then as recorded, each as corrected
 * (its corrections listed, withdrawn ones marked), each lapse with the case
 * manager's responses, and what each entry is about (the accommodation's
 * title or the service's type). A parent's history screen, or the evidence
 * of a complaint, is this view. Errors: INVALID_ARGUMENT for a NULL argument,
 * a window that ends before it starts, or reason MALFORMED_DATE for a
 * malformed day; NOT_FOUND (reason UNKNOWN_RECORD) for a student not on the
 * device. Thread-safe. */
PLANSYNC_API int plansync_student_history(plansync_store* store,
                                          const char* student_id,
                                          const char* from, const char* to,
                                          uint8_t** view, size_t* size,
                                          plansync_error* error);

/* Sets *count to the number of local changes not yet acknowledged by the
 * server (refused ones not included). Errors: INVALID_ARGUMENT for a NULL
 * argument. Thread-safe. */
PLANSYNC_API int plansync_pending_count(plansync_store* store, int64_t* count,
                                        plansync_error* error);

/* Writes today, "YYYY-MM-DD" and a NUL, to `day`: the day of the device's
 * clock in the district's time zone (set by the district administrator and
 * synced to every device; UTC until one is set). Apps use it for "today"
 * in their views and entries. Errors: INVALID_ARGUMENT for a NULL argument,
 * or a district time zone this machine's time zone database lacks.
 * Thread-safe. */
PLANSYNC_API int plansync_today(plansync_store* store, char day[11],
                                plansync_error* error);

/* A local change the server refused. It stays on the device, listed here,
 * and after the sync the record shows what the server holds. */
typedef struct plansync_rejected_change {
  uint64_t seq;          /* the change's number on this device */
  const char* type;      /* full type name, "plansync.v1.Plan" */
  const char* record_id; /* the record's id */
  const char* field;     /* the field written, or "" for a log entry */
  int reason;            /* a plansync_reason, e.g. ROLE_NOT_PERMITTED */
  const char* message;   /* the server's message, for a person */
} plansync_rejected_change;

/* Called by plansync_rejected_changes once per refused change. Return 0 to
 * go on, anything else to stop. */
typedef int (*plansync_rejected_callback)(
    void* context, const plansync_rejected_change* change);

/* Calls `callback` (with `context`) for each local change the server refused,
 * oldest first. Errors: INVALID_ARGUMENT for a NULL store or callback.
 * Thread-safe. */
PLANSYNC_API int plansync_rejected_changes(plansync_store* store,
                                           plansync_rejected_callback callback,
                                           void* context,
                                           plansync_error* error);

/* ------------------------------------------------------------------------
 * Observers
 * ------------------------------------------------------------------------ */

/* A record a committed transaction changed. */
typedef struct plansync_changed_record {
  const char* type; /* full type name, "plansync.v1.LapseReport" */
  const char* id;   /* the record's id */
  /* 1 if a sync made the change (a pulled change; a local write the server
   * refused, removed; a log entry re-stamped for the server), 0 for a local
   * write. */
  int remote;
} plansync_changed_record;

/* What one committed transaction changed: each record once, and the buckets
 * ("student/<id>", "directory") dropped whole because the user lost access
 * to them (their records are gone, not listed one by one). */
typedef struct plansync_change_event {
  const plansync_changed_record* records;
  size_t record_count;
  const char* const* evicted_buckets;
  size_t evicted_count;
} plansync_change_event;

/* Called after each committed transaction that changed records. It runs on
 * the thread that committed: the app's thread for its writes, the thread of
 * plansync_sync for pulled pages (one call per page; a store's first pull,
 * a bulk load, commits up to 100,000 changes at a time, one call each). No
 * lock is held: it may read and write the store (its writes are notified in
 * turn), but not close it. The event and its strings are valid only during
 * the call. */
typedef void (*plansync_observer_callback)(void* context,
                                           const plansync_change_event* event);

/* An observer's registration. Opaque. */
typedef struct plansync_observer plansync_observer;

/* Calls `callback` (with `context`) after every committed transaction on
 * `store` that changes records, from now until plansync_unobserve, and sets
 * *observer to the registration. Errors: INVALID_ARGUMENT for a NULL store,
 * callback or observer. Thread-safe. */
PLANSYNC_API int plansync_observe(plansync_store* store,
                                  plansync_observer_callback callback,
                                  void* context, plansync_observer** observer,
                                  plansync_error* error);

/* Ends a registration and frees it. When it returns the callback is not
 * running on any other thread and is never called again, so `context` may be
 * freed; it may be called from inside the callback itself. Not from a
 * thread with a write transaction open. NULL is ignored. Thread-safe. */
PLANSYNC_API void plansync_unobserve(plansync_observer* observer);

/* ------------------------------------------------------------------------
 * Sync
 * ------------------------------------------------------------------------ */

/* The phases of a sync, in order, with what a progress callback's `done`
 * and `total` count in each:
 * - CONNECT: saying hello to the server; done = total = 0.
 * - PUSH: done = local changes the server acknowledged so far, total =
 *   changes pending when the push began (refused changes are not counted in
 *   done, so it may end below total).
 * - PULL: done = remote changes applied so far; total = -1, unknown until
 *   the server has sent everything.
 * - DONE: finished; done = total = changes pushed and pulled. */
typedef enum plansync_sync_phase {
  PLANSYNC_SYNC_CONNECT = 0,
  PLANSYNC_SYNC_PUSH = 1,
  PLANSYNC_SYNC_PULL = 2,
  PLANSYNC_SYNC_DONE = 3
} plansync_sync_phase;

/* Called during plansync_sync with a plansync_sync_phase: once when it
 * starts, after each pushed batch and each pulled page, and once at the end
 * (only if the sync succeeds). */
typedef void (*plansync_progress_callback)(void* context, int phase,
                                           int64_t done, int64_t total);

/* Where and how to sync. Start from PLANSYNC_SYNC_OPTIONS_INIT, then set
 * what is needed. */
typedef struct plansync_sync_options {
  size_t struct_size; /* sizeof(plansync_sync_options) */
  /* The server, "host:port". Required. */
  const char* server;
  /* The device token, exactly one of: `token`, the token itself in memory,
   * or `token_file`, a file whose first line is the token. The token is sent
   * only to `server`, never logged nor put in an error message. */
  const char* token;
  const char* token_file;
  /* PEM file of the certificate authorities to trust: the sync uses TLS.
   * NULL or "": plaintext, which a server accepts on loopback only. */
  const char* ca_file;
  /* Optional progress callback, called with `progress_context`. */
  plansync_progress_callback progress;
  void* progress_context;
  /* A plansync_sync_direction: both ways (the default), push only or pull
   * only. Added after the first version: an app built with a header that
   * lacks it syncs both ways. */
  int direction;
} plansync_sync_options;

/* What plansync_sync does after saying hello. */
typedef enum plansync_sync_direction {
  PLANSYNC_SYNC_BOTH = 0,      /* push the pending changes, then pull */
  PLANSYNC_SYNC_PUSH_ONLY = 1, /* push; pull nothing */
  PLANSYNC_SYNC_PULL_ONLY = 2  /* pull; leave the pending changes */
} plansync_sync_direction;

#define PLANSYNC_SYNC_OPTIONS_INIT                                     \
  {                                                                    \
    sizeof(plansync_sync_options), NULL, NULL, NULL, NULL, NULL, NULL, \
        PLANSYNC_SYNC_BOTH                                             \
  }

/* What a sync did. */
typedef struct plansync_sync_counts {
  int64_t pushed;   /* local changes the server accepted */
  int64_t rejected; /* local changes it refused: plansync_rejected_changes */
  int64_t pulled;   /* other devices' changes applied to the store (this
                       device's own are not counted: the server leaves them
                       out, except when it resends a whole bucket) */
  int64_t held;     /* remote changes this version cannot apply, kept and
                       retried at each sync (update the app) */
  int clock_ahead;  /* 1 if changes wait because this device's clock is
                       ahead of the server's: the user should set it right */
} plansync_sync_counts;

/* Pushes the store's pending changes to the server and pulls everything
 * new for the device's user (or only one of the two: options->direction), as
 * the replicator does (sync/replicator.h): network failures are retried with
 * backoff for a few seconds; a change the server refuses is not an error (it is
 * counted and listed by plansync_rejected_changes). If `counts` is not NULL it
 * is filled on success (zeroed on error). Blocks until done. Errors:
 * INVALID_ARGUMENT for a NULL store or options, no server, none or both of
 * token and token_file, a malformed token, or an unknown direction; NOT_FOUND
 * if the token file or CA file cannot be read; UNAVAILABLE or DEADLINE_EXCEEDED
 * if the server cannot be reached; UNAUTHENTICATED if it does not accept the
 * token; FAILED_PRECONDITION if the token belongs to another user than the
 * store's; FAILED_PRECONDITION too if the calling thread has a write
 * transaction open (commit it first). What was applied before an error stays
 * applied, and the next sync goes on from there. Thread-safe; syncs on one
 * handle run one at a time. */
PLANSYNC_API int plansync_sync(plansync_store* store,
                               const plansync_sync_options* options,
                               plansync_sync_counts* counts,
                               plansync_error* error);

/* ------------------------------------------------------------------------
 * Background replication
 * ------------------------------------------------------------------------ */

/* What a background replicator is doing. */
typedef enum plansync_replicator_state {
  PLANSYNC_REPLICATOR_STOPPED = 0,    /* not running: the last status */
  PLANSYNC_REPLICATOR_CONNECTING = 1, /* a sync began: reaching the server */
  PLANSYNC_REPLICATOR_IDLE = 2,       /* the last sync succeeded; waiting */
  PLANSYNC_REPLICATOR_BUSY = 3,       /* pushing or pulling: see the progress */
  PLANSYNC_REPLICATOR_OFFLINE = 4,    /* the server could not be reached */
  PLANSYNC_REPLICATOR_ERROR = 5       /* the server refused the sync */
} plansync_replicator_state;

/* A background replicator's status, passed to its callback. Valid only
 * during the call. */
typedef struct plansync_replicator_status {
  int state; /* a plansync_replicator_state */
  /* BUSY: a plansync_sync_phase (PUSH or PULL) and its progress, counted as
   * for plansync_progress_callback. */
  int phase;
  int64_t done;
  int64_t total;
  /* IDLE: what the sync that just ended did. */
  plansync_sync_counts counts;
  /* OFFLINE, ERROR: why the last sync failed (code, reason, message), and
   * the milliseconds until the next attempt. NULL and 0 otherwise. */
  const plansync_error* error;
  int64_t retry_in_ms;
  /* Syncs ended (successful or not) since the replicator started. */
  int64_t syncs;
} plansync_replicator_status;

/* Called with each change of a replicator's state and each step of a sync's
 * progress. It runs on the replicator's own thread (the last call, STOPPED,
 * on the thread that stops it), holding no lock: it may call the other
 * functions on the store (not close it), but must not stop its replicator. */
typedef void (*plansync_replicator_callback)(
    void* context, const plansync_replicator_status* status);

/* A background replicator. Opaque. */
typedef struct plansync_replicator plansync_replicator;

/* Starts syncing `store` in the background with the server `options` name
 * (server, token or token_file, ca_file, as for plansync_sync; direction
 * both ways; no progress callback: `callback` hears progress), and sets
 * *replicator to it. It syncs at once, then soon after each local write
 * is committed, when the server says a bucket of the user changed (a Watch
 * stream kept open), and every minute. A sync that cannot reach the server
 * is retried with a growing backoff (from 0.1 s to 10 s, jittered), and one
 * the server refuses (UNAUTHENTICATED, FAILED_PRECONDITION, ...) after a
 * minute; `callback` (may be NULL) hears each state with `context`. Syncs of
 * plansync_sync on the same store run one at a time with the replicator's.
 * Errors: INVALID_ARGUMENT for a NULL store, options or replicator, the
 * option errors of plansync_sync, a direction other than both, or a
 * progress callback; NOT_FOUND for an unreadable token or CA file;
 * FAILED_PRECONDITION if a replicator already runs on the store. Network
 * failures are not errors here: they are reported as OFFLINE. Stop the
 * replicator before closing its store. Thread-safe. */
PLANSYNC_API int plansync_replicator_start(
    plansync_store* store, const plansync_sync_options* options,
    plansync_replicator_callback callback, void* context,
    plansync_replicator** replicator, plansync_error* error);

/* Stops the replicator and frees it: waits for a call to the server in
 * progress to end (a sync stops between its calls), then calls the callback
 * with STOPPED on this thread, its last call. NULL is ignored. Not from the
 * replicator's callback, nor from a thread with a write transaction open. */
PLANSYNC_API void plansync_replicator_stop(plansync_replicator* replicator);

/* ------------------------------------------------------------------------
 * Reports
 * ------------------------------------------------------------------------ */

/* The forms plansync_report returns a report in. */
typedef enum plansync_report_format {
  /* The serialized plansync.v1.Report (proto/plansync/v1/report.proto). */
  PLANSYNC_REPORT_PROTO = 0,
  /* The same message in protobuf's JSON mapping, UTF-8: field names as in
   * the .proto (snake_case), enums by name, fields at their default values
   * included. NUL-terminated; the size does not count the NUL. */
  PLANSYNC_REPORT_JSON = 1
} plansync_report_format;

/* What to report on. Start from PLANSYNC_REPORT_REQUEST_INIT, then set what
 * is needed. */
typedef struct plansync_report_request {
  size_t struct_size; /* sizeof(plansync_report_request) */
  /* The day to report for, "YYYY-MM-DD"; NULL or "": today in the district's
   * time zone (plansync_today). */
  const char* today;
  /* The window, both ends included, "YYYY-MM-DD". NULL or "" `from`: the
   * school year that holds `today` (from August 1); NULL or "" `to`:
   * `today`. */
  const char* from;
  const char* to;
  /* One student's id, or NULL or "" for every student on the device. */
  const char* student_id;
  /* Deadline rules: a serialized plansync.v1.RuleBook (rules.proto) of
   * `rules_size` bytes, or NULL for the built-in federal and state rules. */
  const void* rules;
  size_t rules_size;
} plansync_report_request;

#define PLANSYNC_REPORT_REQUEST_INIT \
  { sizeof(plansync_report_request), NULL, NULL, NULL, NULL, NULL, 0 }

/* Builds the case manager's consolidated review (core/reports/report.h)
 * from the records in `store`, offline: compliance calendar, service
 * fidelity, accommodation matrix, parent concerns, conflict queue, meetings
 * and notices, sync health. Sets *report to it in `format` (a
 * plansync_report_format) and *size to its length in bytes; free *report
 * with plansync_free. What the report holds is what the device's user may
 * read: it is computed from the store alone. Errors: INVALID_ARGUMENT for a
 * NULL argument, an unknown format, a missing or malformed day, a window
 * that ends before it starts, or `rules` that are not a serialized RuleBook;
 * NOT_FOUND for a student not on the device. Thread-safe. */
PLANSYNC_API int plansync_report(plansync_store* store,
                                 const plansync_report_request* request,
                                 int format, uint8_t** report, size_t* size,
                                 plansync_error* error);

/* Builds one student's evidence packet (core/reports/evidence.h): the record
 * of a window as a parent takes it to a dispute — the plans in effect and
 * what changed between them, lapse reports with their responses and the
 * confirmations of the same days (disputes marked), service sessions and
 * minutes, corrections, requests with their clocks, notices, meetings,
 * progress reports, missed deadlines and the access log; each entry with its
 * author, when it was recorded and when the server accepted it, and its
 * place in the student's feed. `request` as for plansync_report, with
 * `student_id` required; NULL or "" `to`: today; NULL or "" `from`: August 1
 * of the school year that holds `to`. Sets *packet to a
 * plansync.v1.EvidencePacket (report.proto) in `format` and *size to its
 * length; free it with plansync_free. What it holds is what the device's
 * user may read. Errors as plansync_report's, and INVALID_ARGUMENT without a
 * student_id. Thread-safe. */
PLANSYNC_API int plansync_evidence_packet(
    plansync_store* store, const plansync_report_request* request, int format,
    uint8_t** packet, size_t* size, plansync_error* error);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PLANSYNC_PLANSYNC_H_ */
