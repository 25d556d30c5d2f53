// The device store: one SQLite file per device holding the records its user
// may see, the outbox of local changes not yet acknowledged by the server, and
// the pull cursors. Works with no network at all.
//
// Every local write runs in a WriteTransaction and records, in the same SQLite
// transaction, the record's row, its field clocks and one outbox change per
// changed field (or one per log entry): a change cannot escape the
// transaction that records it. Remote changes are merged by ApplyRemote with
// the rules of core/merge.h and never enter the outbox.
//
// Thread-safety: thread-safe. A write transaction holds the store for the
// thread that began it until it commits or rolls back; other threads' calls
// wait. A transaction must end on the thread that began it.
#ifndef PLANSYNC_CORE_DEVICE_STORE_H_
#define PLANSYNC_CORE_DEVICE_STORE_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/clock.h"
#include "core/hlc.h"
#include "core/schema.h"
#include "core/uuid.h"
#include "google/protobuf/message.h"
#include "plansync/v1/change.pb.h"
#include "plansync/v1/errors.pb.h"
#include "plansync/v1/records.pb.h"

namespace plansync {

namespace internal {
class Database;
class RecordTable;
class Statement;
}  // namespace internal

struct DeviceStoreOptions {
  // The SQLite file; created with owner-only permissions if missing.
  // ":memory:" keeps the store in memory (tests).
  std::string path;
  // The user id of the device's user: the author of its writes. Kept in the
  // file on first open; a later open may leave it empty (the file's is used)
  // but fails if it names a different principal.
  std::string principal_id;
  // Physical clock; not owned. Tests pass a FakeClock.
  ClockSource* clock = SystemClock::Get();
  // Seed for id generation; 0 draws one from the operating system.
  uint64_t seed = 0;
  // True: every commit is on disk before it returns (synchronous=FULL).
  // False: a crash of the process loses nothing, a power cut may lose the
  // last commits (synchronous=NORMAL).
  bool durable = true;
  // True: a local write the server would refuse for its author's roles is
  // refused here, with the server's reason and message (ROLE_NOT_PERMITTED,
  // NOT_ASSIGNED), and nothing is stored or queued. The roles are those the
  // store's own records give its user on the district's today (its User
  // record and Assignments, core/permissions.h RolesOnDay). Until the store
  // holds its user's User record (before the first sync) it cannot know
  // them, and leaves the decision to the server. The CLI and the C API set
  // it; tests that play a hostile device leave it off.
  bool check_roles = false;
};

// A local change in the outbox: pending until the server acknowledges it, or
// rejected (kept, with the server's reason, for its user to see).
struct OutboxEntry {
  uint64_t seq = 0;  // = change.replica_seq()
  v1::Change change;
  v1::Reason reject_reason = v1::REASON_UNSPECIFIED;  // rejected entries only
  std::string reject_message;                         // rejected entries only
};

// What ApplyRemote did with one remote change.
enum class RemoteOutcome {
  kApplied,     // merged: a register value won, or a log entry was inserted
  kDuplicate,   // already here (same write, identical log entry)
  kSuperseded,  // a register write older than the stored value: ignored
  kRejected,    // refused; see RemoteResult::error
};

// The stamp of a register's current value: the HLC of the write that set it
// and the replica that made that write.
// Where a log entry stands on the server: its place in its bucket's feed
// and the server's HLC when it accepted it (0: a server that did not say).
struct FeedReceipt {
  int64_t feed_seq = 0;
  uint64_t accepted_hlc = 0;
};

struct FieldStamp {
  Hlc hlc = 0;
  std::string replica_id;
};

struct RemoteResult {
  RemoteOutcome outcome = RemoteOutcome::kApplied;
  absl::Status error;  // set for kRejected, with a reason (core/errors.h)
};

// A record that a committed transaction changed.
struct ChangedRecord {
  std::string type;  // full name, "plansync.v1.Plan"
  std::string id;
  // True when a sync made the change (a pulled change; a local write the
  // server refused, removed; a log entry re-stamped for the server); false
  // for a local write.
  bool remote = false;
};

// What one committed transaction changed, for observers: each record once,
// in the order first changed, and the buckets dropped whole (their user lost
// access; their records are gone without being listed one by one).
struct ChangeNotice {
  std::vector<ChangedRecord> records;
  std::vector<std::string> evicted_buckets;
  bool empty() const { return records.empty() && evicted_buckets.empty(); }
};
using ChangeObserver = std::function<void(const ChangeNotice&)>;

class DeviceStore;
struct CheckedChange;

// A write transaction on a DeviceStore (BEGIN IMMEDIATE). Rolled back on
// destruction unless committed. Movable, not copyable; at most one is open
// per store.
class [[nodiscard]] WriteTransaction {
 public:
  WriteTransaction(WriteTransaction&& other) noexcept;
  WriteTransaction& operator=(WriteTransaction&&) = delete;
  ~WriteTransaction();

  // Commits; after it (even on error) the transaction is closed.
  absl::Status Commit();

 private:
  friend class DeviceStore;
  explicit WriteTransaction(DeviceStore* store) : store_(store) {}
  DeviceStore* store_;
};

class DeviceStore {
 public:
  // Opens or creates the store at options.path, migrating an older schema.
  // FAILED_PRECONDITION if the file belongs to another principal or was
  // written by a newer plansync; DATA_LOSS if it is not a SQLite file.
  static absl::StatusOr<std::unique_ptr<DeviceStore>> Open(
      const DeviceStoreOptions& options);
  ~DeviceStore();

  // This device's replica id (a UUIDv7 made on first open) and principal.
  const std::string& replica_id() const { return replica_id_; }
  const std::string& principal_id() const { return principal_id_; }
  // The sequence number of the last change this device wrote (0: none): it
  // holds every change of its replica id numbered up to it.
  uint64_t LastChangeSeq();
  HybridClock& clock() { return *hlc_; }

  // Starts a write transaction. FAILED_PRECONDITION if one is already open.
  absl::StatusOr<WriteTransaction> BeginWrite();
  // Runs `body` in a new transaction: commits if it returns OK, else rolls
  // back and returns its error.
  absl::Status Write(absl::FunctionRef<absl::Status(WriteTransaction&)> body);
  // Runs `op`, a call of this store's writes, inside the open transaction
  // `txn` as one unit: if it fails it has changed nothing and `txn` stays
  // open for more writes. Returns `op`'s status. The store's writes check
  // everything before they write anything; if one fails halfway all the
  // same (the disk failed under it), the whole transaction is rolled back,
  // the message says so, and its Commit fails.
  absl::Status Atomically(WriteTransaction& txn,
                          absl::FunctionRef<absl::Status()> op);

  // --- Observers ------------------------------------------------------------

  // Calls `observer` after each committed transaction, begun after this
  // call, that changed records: local writes, applied pull pages, evictions. It
  // runs on the thread that committed, after the commit, holding no lock of the
  // store: it may read and write the store (its own writes notify again).
  // Returns a handle for RemoveObserver.
  uint64_t AddObserver(ChangeObserver observer);
  // Stops notifications to `handle`. When it returns the observer is not
  // running on any other thread and is never called again; it may be called
  // from inside that observer. It must not be called by a thread inside a
  // write transaction (an observer running elsewhere may be waiting for that
  // transaction). Unknown handles are ignored.
  void RemoveObserver(uint64_t handle);

  // --- Mutable records -------------------------------------------------

  // Creates `record` (a mutable record message), assigning its id if empty,
  // and returns the id. Errors: FAILED_PRECONDITION for a log entry type (use
  // Append); the validation errors of core/validate.h; UNKNOWN_REFERENCE /
  // CROSS_STUDENT_REFERENCE for references; DUPLICATE_ID if the id is taken.
  absl::StatusOr<std::string> Create(WriteTransaction& txn,
                                     google::protobuf::Message& record);

  // Sets the fields named in `fields` of the record `values.id()` to their
  // values in `values`; unchanged values record nothing. Errors, with nothing
  // changed: UNKNOWN_RECORD; UNKNOWN_FIELD; IMMUTABLE_FIELD for `id` or a
  // field fixed at creation; LOG_ENTRY_IMMUTABLE for a log entry; validation
  // and reference errors as for Create.
  absl::Status Update(WriteTransaction& txn,
                      const google::protobuf::Message& values,
                      absl::Span<const absl::string_view> fields);

  // Sets one field of record `id` of `type` from a v1::Value (the generic
  // path, e.g. for the CLI and the C API). Errors as for Update, plus
  // WRONG_VALUE_TYPE when the value's kind does not match the field.
  absl::Status UpdateField(WriteTransaction& txn, const RecordType& type,
                           absl::string_view id, absl::string_view field,
                           const v1::Value& value);

  // Writes one field as UpdateField does, but records the write even when the
  // field already holds `value`: a new register write, stamped now, over the
  // current value. Settling a conflict by keeping the value that won is such
  // a write (a review ends with an ordinary write of the chosen value). Errors
  // as for UpdateField.
  absl::Status RewriteField(WriteTransaction& txn, const RecordType& type,
                            absl::string_view id, absl::string_view field,
                            const v1::Value& value);

  // Archives record `id` of `type` (writes deleted = true). Errors as for
  // Update.
  absl::Status Archive(WriteTransaction& txn, const RecordType& type,
                       absl::string_view id);

  // --- Log entries ----------------------------------------------------------

  // Appends `entry` (a log entry message), assigning its id if empty and
  // setting author_id (to the principal) and recorded_hlc; returns the id.
  // Errors: FAILED_PRECONDITION for a mutable type (use Create); validation,
  // reference and DUPLICATE_ID errors as for Create.
  absl::StatusOr<std::string> Append(WriteTransaction& txn,
                                     google::protobuf::Message& entry);

  // --- Reads ----------------------------------------------------------------

  // Reads record `id` into `out`, whose type says the table. NOT_FOUND
  // (reason UNKNOWN_RECORD) if absent. Archived records are returned.
  absl::Status Get(absl::string_view id, google::protobuf::Message* out);

  // The id `text` stands for among the records of `type`: `text` itself if
  // it is a whole id; the one id that starts with it if it is a prefix of 8
  // or more characters of an id; else `text` unchanged (reading it then says
  // there is no such record). INVALID_ARGUMENT naming the candidates if
  // several ids start with it.
  absl::StatusOr<std::string> ResolveId(const RecordType& type,
                                        absl::string_view text);

  // Calls `visit` for each record of `type` whose field `field` equals
  // `value` (every record if `field` is empty), in id order, skipping
  // archived records unless `include_archived`. UNKNOWN_FIELD for a field
  // that is not a text field of `type`.
  absl::Status Scan(
      const RecordType& type, absl::string_view field, absl::string_view value,
      bool include_archived,
      absl::FunctionRef<absl::Status(const google::protobuf::Message&)> visit);
  // One page of Scan: the records whose id sorts after `after` (from the
  // first if empty), at most `limit` of them (0: no limit). A page's last id
  // is the `after` of the next.
  absl::Status ScanPage(
      const RecordType& type, absl::string_view field, absl::string_view value,
      bool include_archived, absl::string_view after, size_t limit,
      absl::FunctionRef<absl::Status(const google::protobuf::Message&)> visit);
  // The number of records Scan would visit.
  absl::StatusOr<int64_t> CountWhere(const RecordType& type,
                                     absl::string_view field,
                                     absl::string_view value,
                                     bool include_archived);

  // The stamp of the current value of field `field` of the mutable record
  // `id` of `type`, or nullopt if the field was never written. Errors:
  // UNKNOWN_RECORD if there is no such record; UNKNOWN_FIELD;
  // FAILED_PRECONDITION for a log entry type (its fields are not registers).
  absl::StatusOr<std::optional<FieldStamp>> CurrentStamp(
      const RecordType& type, absl::string_view id, absl::string_view field);

  // Typed forms of the above, for any record message type T.
  template <typename T>
  absl::StatusOr<T> Get(absl::string_view id) {
    T record;
    absl::Status status = Get(id, &record);
    if (!status.ok()) return status;
    return record;
  }
  template <typename T>
  absl::StatusOr<std::vector<T>> List(absl::string_view field,
                                      absl::string_view value,
                                      bool include_archived = false) {
    std::vector<T> out;
    absl::Status status =
        Scan(*Schema::Get().For(T::descriptor()), field, value,
             include_archived, [&](const google::protobuf::Message& m) {
               out.push_back(static_cast<const T&>(m));
               return absl::OkStatus();
             });
    if (!status.ok()) return status;
    return out;
  }
  // The records of T for one student (T must be student-scoped).
  template <typename T>
  absl::StatusOr<std::vector<T>> ListByStudent(absl::string_view student_id,
                                               bool include_archived = false) {
    const RecordType& type = *Schema::Get().For(T::descriptor());
    return List<T>(type.bucket_key->name, student_id, include_archived);
  }

  // --- Sync side ------------------------------------------------------------

  // Merges remote changes (from the server) in one transaction, with the
  // rules of core/merge.h; they never enter the outbox. A change that breaks
  // the schema or whose bucket does not match its record is rejected alone
  // (its RemoteResult says why); the others still apply. The clock moves
  // past every applied stamp; the drift bound is the server's to enforce
  // (a device whose clock is behind must still take the server's changes).
  // Returns an error, with nothing applied, only if the store itself fails. One
  // result per change, in order.
  absl::StatusOr<std::vector<RemoteResult>> ApplyRemote(
      absl::Span<const v1::Change> changes);
  // The same, inside `txn` (a pulled page and its cursors commit together).
  absl::StatusOr<std::vector<RemoteResult>> ApplyRemote(
      WriteTransaction& txn, absl::Span<const v1::Change> changes);
  absl::StatusOr<std::vector<RemoteResult>> ApplyRemote(
      WriteTransaction& txn,
      const google::protobuf::RepeatedPtrField<v1::Change>& changes);

  // A bulk load (a device's first pull) between BeginBulkLoad and
  // EndBulkLoad, each its own transaction: the tables' secondary indexes are
  // dropped, and built in EndBulkLoad by one sort each instead of row by
  // row, and the page cache is 96 MiB instead of 32 (the rows' id index
  // stays in it). Reads stay correct in between, only slower, and commits
  // as durable. If the process dies in between, the next Open builds the
  // indexes.
  absl::Status BeginBulkLoad();
  absl::Status EndBulkLoad();

  // Gives the pending changes `seqs` new HLC stamps (after the server refused
  // them as stamped too far ahead), keeping the local record in step: a
  // register's clock that still holds the change's write, and a log entry's
  // recorded_hlc, take the new stamp (a register whose row was rebuilt
  // without the write, after an eviction or a refusal, takes it back too). A
  // register write whose register a newer write holds (it lost here) is
  // retired from the outbox instead: re-stamped, it would beat the newer
  // write on the server and nowhere else. Acknowledged changes are never
  // re-stamped; unknown seqs are ignored. Returns how many were re-stamped.
  absl::StatusOr<int64_t> Restamp(WriteTransaction& txn,
                                  absl::Span<const uint64_t> seqs);

  // Keeps a remote change this store refused (ApplyRemote's kRejected), with
  // the reason, instead of losing it: the cursor moves past it, and
  // RetryHeld tries it again (after an upgrade that understands it).
  absl::Status Hold(WriteTransaction& txn, const v1::Change& change,
                    const absl::Status& error);
  // Applies the held changes again; those no longer refused leave the held
  // list. Returns how many did.
  absl::StatusOr<int64_t> RetryHeld(WriteTransaction& txn);
  // The held changes, oldest first (reject_* say why).
  absl::StatusOr<std::vector<OutboxEntry>> HeldChanges();

  // Deletes every record of `bucket`, its cursor and its pending changes
  // (the principal lost access to it).
  absl::Status EvictBucket(WriteTransaction& txn, absl::string_view bucket);

  // Device settings (e.g. the server address), text by key; empty if unset.
  absl::StatusOr<std::string> Setting(absl::string_view key);
  absl::Status SetSetting(WriteTransaction& txn, absl::string_view key,
                          absl::string_view value);

  // Up to `limit` pending (not rejected) outbox entries, oldest first.
  absl::StatusOr<std::vector<OutboxEntry>> PendingChanges(size_t limit);
  // Number of pending changes in the outbox.
  absl::StatusOr<int64_t> PendingCount();
  // Keeps the server's receipt of log entry `record_id` of `bucket` (from a
  // push's result; a pulled entry's is kept as it is applied). A later
  // receipt replaces an earlier one.
  absl::Status RecordFeedReceipt(WriteTransaction& txn,
                                 absl::string_view record_id,
                                 absl::string_view bucket,
                                 const FeedReceipt& receipt);
  // The receipts of the log entries of `bucket`, by record id.
  absl::StatusOr<absl::flat_hash_map<std::string, FeedReceipt>> FeedReceipts(
      absl::string_view bucket);
  // Removes acknowledged changes from the outbox (unknown seqs are ignored).
  absl::Status Acknowledge(WriteTransaction& txn,
                           absl::Span<const uint64_t> seqs);
  // Marks outbox entry `seq` as rejected by the server, with its reason; it
  // is no longer pending but stays listed by RejectedChanges. The record
  // stops showing the refused write: if the write is still the record's
  // current value (a field no later write replaced, or the log entry itself),
  // the record's row is deleted here and, for a register write, the bucket's
  // cursor is cleared, so the next pull sends the bucket whole and the row
  // comes back as the server holds it (or not at all, if the server never
  // accepted it).
  // NOT_FOUND if there is no such pending entry.
  absl::Status MarkRejected(WriteTransaction& txn, uint64_t seq,
                            v1::Reason reason, absl::string_view message);
  // Every rejected outbox entry, oldest first.
  absl::StatusOr<std::vector<OutboxEntry>> RejectedChanges();

  // The pull cursor of `bucket`, or nullopt if the bucket was never pulled.
  absl::StatusOr<std::optional<int64_t>> Cursor(absl::string_view bucket);
  // Every pulled bucket with its cursor, by bucket.
  absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> Cursors();
  // Sets the pull cursor of `bucket`, in the transaction that applies the
  // page it came with.
  absl::Status SetCursor(WriteTransaction& txn, absl::string_view bucket,
                         int64_t cursor);

  // A 64-bit hash (core/hash64.h) of every record's current content (not of
  // clocks or the outbox): two stores holding the same records have the same
  // hash, whatever order the records arrived in and whichever machine
  // computes it.
  // A field never set and one set to its default count as the same.
  absl::StatusOr<uint64_t> ContentHash();

  // Number of records of `type` (archived included).
  absl::StatusOr<int64_t> Count(const RecordType& type);

  // "ok" or the problems PRAGMA integrity_check finds.
  absl::StatusOr<std::string> IntegrityCheck();

 private:
  friend class WriteTransaction;
  DeviceStore() = default;

  // The page cache: 32 MiB keeps the indexes a pull writes into warm; a
  // bulk load's larger transactions (sync/replicator.h) want 96.
  static constexpr const char* kCacheSize = "PRAGMA cache_size = -32768";
  static constexpr const char* kBulkLoadCacheSize =
      "PRAGMA cache_size = -98304";

  absl::Status Initialize(const DeviceStoreOptions& options);
  absl::Status LoadReplicas();
  // The text field `field` of `type` for Scan and CountWhere: null if
  // `field` is empty, UNKNOWN_FIELD if `type` has no such text field.
  absl::StatusOr<const FieldInfo*> TextFieldOf(const RecordType& type,
                                               absl::string_view field) const;
  absl::StatusOr<internal::RecordTable*> TableFor(const RecordType& type);
  absl::StatusOr<internal::RecordTable*> TableFor(
      const google::protobuf::Descriptor* descriptor);
  absl::Status CheckTransaction(const WriteTransaction& txn) const;
  absl::Status Rollback();
  absl::StatusOr<uint32_t> ReplicaIndex(absl::string_view replica_id);
  absl::string_view ReplicaIdAt(uint32_t index) const;
  // Update and RewriteField: `rewrite_unchanged` records a write for a field
  // whose value does not change.
  absl::Status UpdateFields(WriteTransaction& txn,
                            const google::protobuf::Message& values,
                            absl::Span<const absl::string_view> fields,
                            bool rewrite_unchanged);
  absl::Status WriteOneField(WriteTransaction& txn, const RecordType& type,
                             absl::string_view id, absl::string_view field,
                             const v1::Value& value, bool rewrite_unchanged);
  absl::Status ValidateRefs(const RecordType& type,
                            const google::protobuf::Message& record,
                            const FieldInfo* only, absl::string_view bucket);
  absl::Status RecordChange(v1::Change& change);
  // Notes, for the observers of the open transaction, that record `id` of
  // `type` changed.
  void NoteChanged(absl::string_view type, absl::string_view id, bool remote);
  // Forgets the notes of the open transaction from `records` and
  // `evicted` on (a rollback).
  void DropNotes(size_t records, size_t evicted);
  // Delivers `notice` to every observer; called after a commit, without mu_.
  void Notify(const ChangeNotice& notice);
  // With check_roles: the role check of a local write of `type` in `bucket`
  // (AuthorizeWrite), against the roles cached for the directory generation
  // and day.
  absl::Status CheckLocalWrite(const RecordType& type,
                               absl::string_view bucket);
  // Drops the cached roles when a change touches a record that gives or
  // takes them (User, Assignment, District).
  void NoteRoleSource(absl::string_view record_type);
  // The pending outbox change `seq`, or nullopt if there is none.
  absl::StatusOr<std::optional<v1::Change>> PendingChange(uint64_t seq);
  // Undoes a refused local `change` as MarkRejected describes.
  absl::Status RevertRefused(const v1::Change& change);
  absl::Status ApplyOne(const v1::Change& change, RemoteResult* result);
  absl::Status ApplyFieldWrite(const CheckedChange& checked,
                               const v1::Change& change, RemoteResult* result);
  absl::Status ApplyLogEntry(const CheckedChange& checked,
                             const v1::Change& change, RemoteResult* result);

  std::unique_ptr<internal::Database> db_;
  std::string path_;
  std::string replica_id_;
  std::string principal_id_;
  std::unique_ptr<IdGenerator> ids_;
  std::unique_ptr<HybridClock> hlc_;
  bool in_transaction_ = false;
  uint64_t next_seq_ = 1;
  uint32_t local_replica_index_ = 0;
  // Replica ids by index (index 0 unused) and indexes by id.
  std::vector<std::string> replica_ids_;
  absl::flat_hash_map<std::string, uint32_t> replica_indexes_;
  // Buckets of records already seen as reference targets, keyed by table and
  // id. A record's bucket never changes, so entries stay valid until a
  // rollback (which may remove the row).
  absl::flat_hash_map<std::string, std::string> reference_buckets_;
  absl::flat_hash_map<const google::protobuf::Descriptor*,
                      std::unique_ptr<internal::RecordTable>>
      tables_;
  std::unique_ptr<internal::Statement> begin_, commit_, rollback_;
  std::unique_ptr<internal::Statement> select_replicas_, select_last_seq_,
      insert_replica_;
  std::unique_ptr<internal::Statement> insert_outbox_, select_outbox_,
      delete_outbox_, count_outbox_, reject_outbox_, select_rejected_;
  std::unique_ptr<internal::Statement> upsert_receipt_, select_receipts_,
      delete_bucket_receipts_;
  std::unique_ptr<internal::Statement> select_cursor_, select_cursors_,
      upsert_cursor_, delete_cursor_, select_outbox_seq_, update_outbox_,
      delete_bucket_outbox_, select_setting_, upsert_setting_, insert_held_,
      select_held_, delete_held_;
  // check_roles: the store's user and assignments and the district's zone,
  // read once per change of them (roles_valid_ false: read again).
  bool check_roles_ = false;
  bool roles_valid_ = false;
  std::optional<v1::User> role_user_;
  std::vector<v1::Assignment> role_assignments_;
  absl::TimeZone role_zone_;
  // What the open transaction changed (under mu_), with the keys of the
  // records already noted.
  ChangeNotice notice_;
  absl::flat_hash_set<std::string> noted_;
  // Held by the thread in a write transaction, and by every call.
  mutable std::recursive_mutex mu_;
  // Observers by handle. A delivery marks its observer active (with its
  // thread) so that RemoveObserver can wait for it to finish.
  struct ObserverSlot {
    ChangeObserver observer;
    std::vector<std::thread::id> active;
  };
  std::mutex observers_mu_;
  std::condition_variable observers_idle_;
  std::map<uint64_t, std::shared_ptr<ObserverSlot>> observers_;
  // observers_.size(), read without observers_mu_: with no observer, writes
  // note nothing.
  std::atomic<size_t> observer_count_{0};
  uint64_t next_observer_ = 1;
};

}  // namespace plansync

#endif  // PLANSYNC_CORE_DEVICE_STORE_H_
