#include "server/sqlite_server_store.h"

#include <filesystem>
#include <functional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/internal/sqlite.h"
#include "core/status_macros.h"

namespace plansync::server {
namespace {

using internal::Database;
using internal::ScopedReset;
using internal::Statement;

constexpr int kServerSchemaVersion = 6;

// kSteps[v - 1] moves a store from version v - 1 to version v.
constexpr absl::string_view kSteps[] = {
    // 1: the feed of items, applied change ids, the global sequence.
    R"sql(
  CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
  INSERT INTO meta (key, value) VALUES ('next_seq', 1);
  -- Current winners of register fields (field > 0) and log entries
  -- (field = 0), each under the sequence number of its last write.
  CREATE TABLE items (
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    field INTEGER NOT NULL,
    bucket TEXT NOT NULL,
    seq INTEGER NOT NULL,
    hlc INTEGER NOT NULL,
    replica_id TEXT NOT NULL,
    change BLOB NOT NULL,
    PRIMARY KEY (record_type, record_id, field)) WITHOUT ROWID;
  CREATE UNIQUE INDEX items_feed ON items (bucket, seq);
  -- Change ids applied, for idempotent pushes.
  CREATE TABLE applied (
    replica_id TEXT NOT NULL,
    replica_seq INTEGER NOT NULL,
    digest INTEGER NOT NULL,
    PRIMARY KEY (replica_id, replica_seq)) WITHOUT ROWID;
)sql",
    // 2: each bucket's head sequence, so listing buckets reads one small
    // table instead of the whole feed index.
    R"sql(
  CREATE TABLE buckets (bucket TEXT PRIMARY KEY NOT NULL, head INTEGER NOT NULL)
    WITHOUT ROWID;
  INSERT INTO buckets (bucket, head)
    SELECT bucket, MAX(seq) FROM items GROUP BY bucket;
)sql",
    // 3: device tokens, kept only as SHA-256 digests.
    R"sql(
  CREATE TABLE tokens (
    token_id TEXT PRIMARY KEY NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    principal_id TEXT NOT NULL,
    label TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    revoked_ms INTEGER NOT NULL DEFAULT 0);
  CREATE INDEX tokens_by_principal ON tokens (principal_id);
)sql",
    // 4: grants (server_store.h), kept by the merger from Assignment and
    // User records. Stores of version 3 were written without authorization
    // and are not backfilled.
    R"sql(
  CREATE TABLE grants (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL,
    student_id TEXT NOT NULL,
    role INTEGER NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    deleted INTEGER NOT NULL);
  CREATE INDEX grants_by_user ON grants (user_id);
  INSERT INTO meta (key, value) VALUES ('grants_version', 0);
)sql",
    // 5: each record's home and each replica's owner, held by constraints.
    // A record id has one type and one bucket for good: `records` holds one
    // row per id (its primary key), written with the record's first item;
    // the store writes no item that does not match its record's row
    // (SqliteTransaction::WriteItem), whatever the code above it checked. A
    // replica id belongs to the principal that first used it (`replicas`,
    // keyed by replica id); existing replicas are bound to the authors of
    // their stored changes (BackfillReplicaOwners).
    R"sql(
  CREATE TABLE records (
    record_id TEXT PRIMARY KEY NOT NULL,
    record_type TEXT NOT NULL,
    bucket TEXT NOT NULL) WITHOUT ROWID;
  INSERT OR IGNORE INTO records (record_id, record_type, bucket)
    SELECT record_id, record_type, bucket FROM items ORDER BY seq;
  CREATE TABLE replicas (
    replica_id TEXT PRIMARY KEY NOT NULL,
    principal_id TEXT NOT NULL) WITHOUT ROWID;
)sql",
    // 6: each bucket numbers its own feed from its head (`buckets.head`), as
    // the PostgreSQL store does; no item is renumbered, so the cursors
    // devices hold stay valid (a bucket's next item comes after its highest
    // sequence number, whatever the global sequence had reached). A server
    // of version 5 would number from the global sequence again, below some
    // heads: it refuses this store. And the append-only history of every
    // accepted item, with the server's acceptance time; the current items
    // (accepted at an unknown time, 0) are its start.
    R"sql(
  CREATE TABLE history (
    bucket TEXT NOT NULL,
    seq INTEGER NOT NULL,
    accepted_ms INTEGER NOT NULL,
    change BLOB NOT NULL,
    PRIMARY KEY (bucket, seq)) WITHOUT ROWID;
  INSERT INTO history (bucket, seq, accepted_ms, change)
    SELECT bucket, seq, 0, change FROM items;
  DELETE FROM meta WHERE key = 'next_seq';
)sql",
};
static_assert(std::size(kSteps) == kServerSchemaVersion);

// Binds every replica id of the stored changes to its changes' author (the
// caller, checked since version 4), for stores migrated to version 5.
absl::Status BackfillReplicaOwners(Database& db) {
  ASSIGN_OR_RETURN(auto select,
                   db.Prepare("SELECT change FROM items ORDER BY seq"));
  ASSIGN_OR_RETURN(auto insert,
                   db.Prepare("INSERT OR IGNORE INTO replicas (replica_id, "
                              "principal_id) VALUES (?1, ?2)"));
  v1::Change change;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) return absl::OkStatus();
    absl::string_view blob = select->ColumnBlob(0);
    if (!change.ParseFromArray(blob.data(), static_cast<int>(blob.size())) ||
        change.replica_id().empty() || change.author_id().empty()) {
      continue;
    }
    insert->BindText(1, change.replica_id());
    insert->BindText(2, change.author_id());
    RETURN_IF_ERROR(insert->Run());
  }
}

absl::Status ConfigureConnection(Database& db, bool durable) {
  RETURN_IF_ERROR(db.Exec("PRAGMA busy_timeout = 10000"));
  absl::Status wal = db.Exec("PRAGMA journal_mode = WAL");
  if (absl::IsDataLoss(wal)) {
    return absl::DataLossError(absl::StrCat(
        "the file is not a plansync server store: ", wal.message()));
  }
  if (!wal.ok()) {
    return absl::Status(wal.code(),
                        absl::StrCat("cannot open the store: ", wal.message()));
  }
  return db.Exec(durable ? "PRAGMA synchronous = FULL"
                         : "PRAGMA synchronous = NORMAL");
}

// A reader connection with its prepared statements.
struct Reader {
  std::unique_ptr<Database> owned;  // null when borrowing the writer
  Database* db = nullptr;
  std::unique_ptr<Statement> feed, head, buckets, replica_owner, find_token,
      list_tokens, grants_of, grants_version;
};

constexpr absl::string_view kGrantColumns =
    "id, user_id, student_id, role, start_date, end_date, deleted";

Grant ReadGrant(const Statement& s) {
  Grant grant;
  grant.id = std::string(s.ColumnText(0));
  grant.user_id = std::string(s.ColumnText(1));
  grant.student_id = std::string(s.ColumnText(2));
  grant.role = static_cast<v1::Role>(s.ColumnInt(3));
  grant.start_date = std::string(s.ColumnText(4));
  grant.end_date = std::string(s.ColumnText(5));
  grant.deleted = s.ColumnInt(6) != 0;
  return grant;
}

constexpr absl::string_view kTokenColumns =
    "token_id, principal_id, label, created_ms, revoked_ms, digest";

TokenRecord ReadToken(const Statement& s) {
  TokenRecord token;
  token.token_id = std::string(s.ColumnText(0));
  token.principal_id = std::string(s.ColumnText(1));
  token.label = std::string(s.ColumnText(2));
  token.created_ms = s.ColumnInt(3);
  token.revoked_ms = s.ColumnInt(4);
  token.digest = std::string(s.ColumnText(5));
  return token;
}

absl::Status PrepareReader(Reader& reader) {
  ASSIGN_OR_RETURN(reader.feed,
                   reader.db->Prepare("SELECT seq, change FROM items WHERE "
                                      "bucket = ?1 AND seq > ?2 ORDER BY seq "
                                      "LIMIT ?3"));
  ASSIGN_OR_RETURN(reader.head,
                   reader.db->Prepare("SELECT head FROM buckets WHERE bucket = "
                                      "?1"));
  ASSIGN_OR_RETURN(reader.replica_owner,
                   reader.db->Prepare("SELECT principal_id FROM replicas "
                                      "WHERE replica_id = ?1"));
  ASSIGN_OR_RETURN(reader.find_token,
                   reader.db->Prepare(absl::StrCat("SELECT ", kTokenColumns,
                                                   " FROM tokens WHERE digest "
                                                   "= ?1")));
  ASSIGN_OR_RETURN(
      reader.list_tokens,
      reader.db->Prepare(absl::StrCat(
          "SELECT ", kTokenColumns,
          " FROM tokens WHERE ?1 = '' OR principal_id = ?1 ORDER BY "
          "created_ms, token_id")));
  ASSIGN_OR_RETURN(reader.grants_of,
                   reader.db->Prepare(absl::StrCat("SELECT ", kGrantColumns,
                                                   " FROM grants WHERE "
                                                   "user_id = ?1")));
  ASSIGN_OR_RETURN(reader.grants_version,
                   reader.db->Prepare("SELECT value FROM meta WHERE key = "
                                      "'grants_version'"));
  ASSIGN_OR_RETURN(reader.buckets,
                   reader.db->Prepare("SELECT bucket FROM buckets ORDER BY "
                                      "bucket"));
  return absl::OkStatus();
}

class SqliteServerStore;

class SqliteTransaction final : public ServerTransaction {
 public:
  explicit SqliteTransaction(SqliteServerStore* store);
  ~SqliteTransaction() override;

  absl::StatusOr<std::optional<int64_t>> LastApplied(
      absl::string_view replica_id) override;
  absl::StatusOr<std::optional<uint64_t>> AppliedDigest(
      absl::string_view replica_id, uint64_t replica_seq) override;
  absl::Status RecordApplied(absl::string_view replica_id, uint64_t replica_seq,
                             uint64_t digest) override;
  absl::StatusOr<std::optional<StoredItem>> GetItem(
      absl::string_view record_type, absl::string_view record_id,
      int field_number) override;
  absl::StatusOr<std::optional<RecordHome>> GetRecordHome(
      absl::string_view record_id) override;
  absl::StatusOr<int64_t> PutItem(const v1::Change& change, int field_number,
                                  absl::string_view bytes) override;
  absl::StatusOr<std::optional<int64_t>> InsertItem(
      const v1::Change& change, int field_number,
      absl::string_view bytes) override;
  absl::StatusOr<std::optional<std::string>> ReplicaOwner(
      absl::string_view replica_id) override;
  absl::Status BindReplica(absl::string_view replica_id,
                           absl::string_view principal_id) override;
  absl::StatusOr<std::optional<Grant>> GetGrant(absl::string_view id) override;
  absl::Status PutGrant(const Grant& grant) override;
  absl::Status Commit() override;

 private:
  // Writes the item (and its history row) under its bucket's next sequence
  // number, which it returns, once the record's home is claimed (a new
  // record) or found to be the change's. ALREADY_EXISTS,
  // with nothing written, if `new_record` and the id has a home;
  // FAILED_PRECONDITION if the home is another type's or bucket's.
  absl::StatusOr<int64_t> WriteItem(const v1::Change& change, int field_number,
                                    absl::string_view bytes, bool new_record);

  SqliteServerStore* store_;
  bool open_ = true;
};

class SqliteServerStore final : public ServerStore {
 public:
  absl::Status Initialize(const SqliteServerStoreOptions& options);

  absl::StatusOr<std::unique_ptr<ServerTransaction>> Begin() override;
  absl::Status ReadFeed(absl::string_view bucket, int64_t after, size_t limit,
                        std::vector<FeedItem>* out) override;
  absl::StatusOr<std::vector<std::string>> Buckets() override;
  absl::StatusOr<int64_t> Head(absl::string_view bucket) override;
  absl::StatusOr<int64_t> ItemCount() override;
  absl::StatusOr<std::optional<std::string>> ReplicaOwner(
      absl::string_view replica_id) override;
  absl::StatusOr<std::string> IntegrityCheck() override;
  absl::Status AddToken(const TokenRecord& token) override;
  absl::StatusOr<std::optional<TokenRecord>> FindToken(
      absl::string_view digest) override;
  absl::StatusOr<std::vector<TokenRecord>> ListTokens(
      absl::string_view principal_id) override;
  absl::Status RevokeToken(absl::string_view token_id, int64_t now_ms) override;
  absl::StatusOr<std::vector<Grant>> GrantsOf(
      absl::string_view user_id) override;
  absl::StatusOr<int64_t> GrantsVersion() override;
  absl::Status Backup(const std::string& path) override;

 private:
  friend class SqliteTransaction;

  // The next sequence number of `bucket`, in the open write transaction.
  absl::StatusOr<int64_t> NextSeq(const std::string& bucket);
  // Runs `read` on a reader connection: one from the pool, or, for an
  // in-memory store (one connection only), the writer's, under write_mu_.
  template <typename T>
  T WithReader(const std::function<T(Reader&)>& read);
  absl::StatusOr<std::unique_ptr<Reader>> TakeReader();
  void ReturnReader(std::unique_ptr<Reader> reader);

  SqliteServerStoreOptions options_;
  // Held by the open write transaction, from Begin until it ends.
  absl::Mutex write_mu_;
  std::unique_ptr<Database> writer_;
  std::unique_ptr<Statement> begin_, commit_, rollback_, get_applied_,
      last_applied_, put_applied_, get_item_, get_home_, put_home_, claim_home_,
      put_item_, put_history_, load_head_;
  std::unique_ptr<Statement> get_replica_, bind_replica_;
  std::unique_ptr<Statement> put_head_, add_token_, revoke_token_;
  std::unique_ptr<Statement> get_grant_, put_grant_, bump_grants_;
  // Buckets written by the open transaction, with their new heads.
  absl::flat_hash_map<std::string, int64_t> heads_;
  bool grants_changed_ = false;  // by the open transaction
  bool in_memory_ = false;
  Reader memory_reader_;  // in-memory stores only
  absl::Mutex readers_mu_;
  std::vector<std::unique_ptr<Reader>> readers_ ABSL_GUARDED_BY(readers_mu_);
};

// --- Transaction ----------------------------------------------------------

SqliteTransaction::SqliteTransaction(SqliteServerStore* store)
    : store_(store) {}

SqliteTransaction::~SqliteTransaction() {
  if (open_) {
    store_->rollback_->Run().IgnoreError();
    store_->write_mu_.Unlock();
  }
}

absl::StatusOr<std::optional<uint64_t>> SqliteTransaction::AppliedDigest(
    absl::string_view replica_id, uint64_t replica_seq) {
  Statement& s = *store_->get_applied_;
  ScopedReset reset(&s);
  s.BindText(1, replica_id);
  s.BindInt(2, static_cast<int64_t>(replica_seq));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::nullopt;
  return static_cast<uint64_t>(s.ColumnInt(0));
}

absl::StatusOr<std::optional<int64_t>> SqliteTransaction::LastApplied(
    absl::string_view replica_id) {
  Statement& s = *store_->last_applied_;
  ScopedReset reset(&s);
  s.BindText(1, replica_id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::nullopt;
  return s.ColumnInt(0);
}

absl::Status SqliteTransaction::RecordApplied(absl::string_view replica_id,
                                              uint64_t replica_seq,
                                              uint64_t digest) {
  Statement& s = *store_->put_applied_;
  s.BindText(1, replica_id);
  s.BindInt(2, static_cast<int64_t>(replica_seq));
  s.BindInt(3, static_cast<int64_t>(digest));
  return s.Run();
}

absl::StatusOr<std::optional<StoredItem>> SqliteTransaction::GetItem(
    absl::string_view record_type, absl::string_view record_id,
    int field_number) {
  Statement& s = *store_->get_item_;
  ScopedReset reset(&s);
  s.BindText(1, record_type);
  s.BindText(2, record_id);
  s.BindInt(3, field_number);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::nullopt;
  StoredItem item;
  item.seq = s.ColumnInt(0);
  item.hlc = static_cast<Hlc>(s.ColumnInt(1));
  item.replica_id = std::string(s.ColumnText(2));
  item.bucket = std::string(s.ColumnText(3));
  absl::string_view blob = s.ColumnBlob(4);
  if (!item.change.ParseFromArray(blob.data(), static_cast<int>(blob.size()))) {
    return absl::DataLossError("a stored change is corrupt");
  }
  return item;
}

absl::StatusOr<std::optional<RecordHome>> SqliteTransaction::GetRecordHome(
    absl::string_view record_id) {
  Statement& s = *store_->get_home_;
  ScopedReset reset(&s);
  s.BindText(1, record_id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::nullopt;
  return RecordHome{std::string(s.ColumnText(0)), std::string(s.ColumnText(1))};
}

absl::StatusOr<std::optional<std::string>> SqliteTransaction::ReplicaOwner(
    absl::string_view replica_id) {
  Statement& s = *store_->get_replica_;
  ScopedReset reset(&s);
  s.BindText(1, replica_id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::nullopt;
  return std::string(s.ColumnText(0));
}

absl::Status SqliteTransaction::BindReplica(absl::string_view replica_id,
                                            absl::string_view principal_id) {
  Statement& s = *store_->bind_replica_;
  s.BindText(1, replica_id);
  s.BindText(2, principal_id);
  absl::Status status = s.Run();
  if (!status.ok()) {
    return absl::AlreadyExistsError(
        absl::StrCat("the replica id is bound already: ", status.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> SqliteTransaction::WriteItem(const v1::Change& change,
                                                     int field_number,
                                                     absl::string_view bytes,
                                                     bool new_record) {
  // The record's home: claimed by its first item, kept by the primary key.
  Statement& home = new_record ? *store_->claim_home_ : *store_->put_home_;
  home.BindTextNoCopy(1, change.record_id());
  home.BindTextNoCopy(2, change.record_type());
  home.BindTextNoCopy(3, change.bucket());
  RETURN_IF_ERROR(home.Run());  // ALREADY_EXISTS: a claim of a taken id
  if (!new_record && sqlite3_changes(store_->writer_->handle()) == 0) {
    ASSIGN_OR_RETURN(std::optional<RecordHome> stored,
                     GetRecordHome(change.record_id()));
    if (!stored.has_value() || stored->record_type != change.record_type() ||
        stored->bucket != change.bucket()) {
      return absl::FailedPreconditionError(
          "the store refused an item outside its record's type or bucket");
    }
  }
  ASSIGN_OR_RETURN(const int64_t seq, store_->NextSeq(change.bucket()));
  Statement& s = *store_->put_item_;
  s.BindTextNoCopy(1, change.record_type());
  s.BindTextNoCopy(2, change.record_id());
  s.BindInt(3, field_number);
  s.BindTextNoCopy(4, change.bucket());
  s.BindInt(5, seq);
  s.BindInt(6, static_cast<int64_t>(change.hlc()));
  s.BindTextNoCopy(7, change.replica_id());
  s.BindBlobNoCopy(8, bytes);
  RETURN_IF_ERROR(s.Run());
  Statement& history = *store_->put_history_;
  history.BindTextNoCopy(1, change.bucket());
  history.BindInt(2, seq);
  history.BindBlobNoCopy(3, bytes);
  RETURN_IF_ERROR(history.Run());
  store_->heads_[change.bucket()] = seq;
  return seq;
}

absl::StatusOr<int64_t> SqliteTransaction::PutItem(const v1::Change& change,
                                                   int field_number,
                                                   absl::string_view bytes) {
  return WriteItem(change, field_number, bytes, /*new_record=*/false);
}

absl::StatusOr<std::optional<int64_t>> SqliteTransaction::InsertItem(
    const v1::Change& change, int field_number, absl::string_view bytes) {
  // The claim of the id's home is the check: it fails, writing nothing, if
  // the id has any item already.
  absl::StatusOr<int64_t> seq =
      WriteItem(change, field_number, bytes, /*new_record=*/true);
  if (absl::IsAlreadyExists(seq.status())) return std::nullopt;
  return seq;
}

absl::StatusOr<std::optional<Grant>> SqliteTransaction::GetGrant(
    absl::string_view id) {
  Statement& s = *store_->get_grant_;
  ScopedReset reset(&s);
  s.BindText(1, id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::nullopt;
  return ReadGrant(s);
}

absl::Status SqliteTransaction::PutGrant(const Grant& grant) {
  Statement& s = *store_->put_grant_;
  s.BindText(1, grant.id);
  s.BindText(2, grant.user_id);
  s.BindText(3, grant.student_id);
  s.BindInt(4, grant.role);
  s.BindText(5, grant.start_date);
  s.BindText(6, grant.end_date);
  s.BindInt(7, grant.deleted ? 1 : 0);
  RETURN_IF_ERROR(s.Run());
  store_->grants_changed_ = true;
  return absl::OkStatus();
}

absl::Status SqliteTransaction::Commit() {
  if (!open_) return absl::FailedPreconditionError("transaction is closed");
  open_ = false;
  absl::Status status;
  if (store_->grants_changed_) {
    status = store_->bump_grants_->Run();
  }
  for (const auto& [bucket, head] : store_->heads_) {
    if (!status.ok()) break;
    Statement& put_head = *store_->put_head_;
    put_head.BindText(1, bucket);
    put_head.BindInt(2, head);
    status = put_head.Run();
  }
  if (status.ok()) status = store_->commit_->Run();
  if (!status.ok()) store_->rollback_->Run().IgnoreError();
  store_->write_mu_.Unlock();
  return status;
}

// --- Store ----------------------------------------------------------------

absl::Status SqliteServerStore::Initialize(
    const SqliteServerStoreOptions& options) {
  options_ = options;
  ASSIGN_OR_RETURN(writer_, Database::Open(options.path));
  RETURN_IF_ERROR(ConfigureConnection(*writer_, options.durable));
  ASSIGN_OR_RETURN(int64_t version, writer_->QueryInt("PRAGMA user_version"));
  if (version > kServerSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the server store has schema version ", version,
        ", written by a newer plansync server; this build reads up to ",
        kServerSchemaVersion));
  }
  for (int64_t next = version + 1; next <= kServerSchemaVersion; ++next) {
    RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
    absl::Status status = writer_->Exec(kSteps[next - 1]);
    if (status.ok() && next == 5 && version > 0) {
      status = BackfillReplicaOwners(*writer_);
    }
    if (status.ok()) {
      status = writer_->Exec(absl::StrCat("PRAGMA user_version = ", next));
    }
    if (!status.ok()) {
      writer_->Exec("ROLLBACK").IgnoreError();
      return absl::Status(status.code(),
                          absl::StrCat("migrating the server store to version ",
                                       next, " failed: ", status.message()));
    }
    RETURN_IF_ERROR(writer_->Exec("COMMIT"));
  }
  ASSIGN_OR_RETURN(begin_, writer_->Prepare("BEGIN IMMEDIATE"));
  ASSIGN_OR_RETURN(commit_, writer_->Prepare("COMMIT"));
  ASSIGN_OR_RETURN(rollback_, writer_->Prepare("ROLLBACK"));
  ASSIGN_OR_RETURN(get_applied_,
                   writer_->Prepare("SELECT digest FROM applied WHERE "
                                    "replica_id = ?1 AND replica_seq = ?2"));
  ASSIGN_OR_RETURN(last_applied_,
                   writer_->Prepare("SELECT replica_seq FROM applied WHERE "
                                    "replica_id = ?1 ORDER BY replica_seq "
                                    "DESC LIMIT 1"));
  ASSIGN_OR_RETURN(
      put_applied_,
      writer_->Prepare("INSERT INTO applied (replica_id, "
                       "replica_seq, digest) VALUES (?1, ?2, ?3)"));
  ASSIGN_OR_RETURN(get_item_,
                   writer_->Prepare("SELECT seq, hlc, replica_id, bucket, "
                                    "change FROM items WHERE record_type = ?1 "
                                    "AND record_id = ?2 AND field = ?3"));
  ASSIGN_OR_RETURN(get_home_,
                   writer_->Prepare("SELECT record_type, bucket FROM records "
                                    "WHERE record_id = ?1"));
  ASSIGN_OR_RETURN(put_home_,
                   writer_->Prepare("INSERT INTO records (record_id, "
                                    "record_type, bucket) VALUES (?1, ?2, ?3) "
                                    "ON CONFLICT (record_id) DO NOTHING"));
  ASSIGN_OR_RETURN(claim_home_,
                   writer_->Prepare("INSERT INTO records (record_id, "
                                    "record_type, bucket) VALUES (?1, ?2, "
                                    "?3)"));
  ASSIGN_OR_RETURN(get_replica_,
                   writer_->Prepare("SELECT principal_id FROM replicas WHERE "
                                    "replica_id = ?1"));
  ASSIGN_OR_RETURN(bind_replica_,
                   writer_->Prepare("INSERT INTO replicas (replica_id, "
                                    "principal_id) VALUES (?1, ?2)"));
  ASSIGN_OR_RETURN(
      put_item_,
      writer_->Prepare("INSERT INTO items (record_type, record_id, field, "
                       "bucket, seq, hlc, replica_id, change) VALUES (?1, ?2, "
                       "?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (record_type, "
                       "record_id, field) DO UPDATE SET bucket = excluded."
                       "bucket, seq = excluded.seq, hlc = excluded.hlc, "
                       "replica_id = excluded.replica_id, change = "
                       "excluded.change"));
  ASSIGN_OR_RETURN(add_token_,
                   writer_->Prepare("INSERT INTO tokens (token_id, digest, "
                                    "principal_id, label, created_ms) VALUES "
                                    "(?1, ?2, ?3, ?4, ?5)"));
  ASSIGN_OR_RETURN(revoke_token_,
                   writer_->Prepare("UPDATE tokens SET revoked_ms = ?2 WHERE "
                                    "token_id = ?1 AND revoked_ms = 0"));
  ASSIGN_OR_RETURN(put_head_,
                   writer_->Prepare("INSERT INTO buckets (bucket, head) VALUES "
                                    "(?1, ?2) ON CONFLICT (bucket) DO UPDATE "
                                    "SET head = excluded.head"));
  ASSIGN_OR_RETURN(get_grant_,
                   writer_->Prepare(absl::StrCat("SELECT ", kGrantColumns,
                                                 " FROM grants WHERE id = "
                                                 "?1")));
  ASSIGN_OR_RETURN(put_grant_,
                   writer_->Prepare(absl::StrCat(
                       "INSERT OR REPLACE INTO grants (", kGrantColumns,
                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")));
  ASSIGN_OR_RETURN(bump_grants_,
                   writer_->Prepare("UPDATE meta SET value = value + 1 WHERE "
                                    "key = 'grants_version'"));
  ASSIGN_OR_RETURN(load_head_, writer_->Prepare("SELECT head FROM buckets "
                                                "WHERE bucket = ?1"));
  ASSIGN_OR_RETURN(
      put_history_,
      writer_->Prepare("INSERT INTO history (bucket, seq, accepted_ms, change) "
                       "VALUES (?1, ?2, CAST((julianday('now') - 2440587.5) * "
                       "86400000 AS INTEGER), ?3)"));
  in_memory_ = options.path == ":memory:";
  if (in_memory_) {
    memory_reader_.db = writer_.get();
    RETURN_IF_ERROR(PrepareReader(memory_reader_));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> SqliteServerStore::NextSeq(const std::string& bucket) {
  auto it = heads_.find(bucket);
  if (it != heads_.end()) return it->second + 1;
  ScopedReset reset(load_head_.get());
  load_head_->BindText(1, bucket);
  ASSIGN_OR_RETURN(bool row, load_head_->Step());
  const int64_t head = row ? load_head_->ColumnInt(0) : 0;
  heads_[bucket] = head;
  return head + 1;
}

absl::StatusOr<std::unique_ptr<ServerTransaction>> SqliteServerStore::Begin() {
  write_mu_.Lock();
  absl::Status status = begin_->Run();
  if (!status.ok()) {
    write_mu_.Unlock();
    return status;
  }
  heads_.clear();
  grants_changed_ = false;
  return std::unique_ptr<ServerTransaction>(new SqliteTransaction(this));
}

absl::StatusOr<std::unique_ptr<Reader>> SqliteServerStore::TakeReader() {
  {
    absl::MutexLock lock(&readers_mu_);
    if (!readers_.empty()) {
      std::unique_ptr<Reader> reader = std::move(readers_.back());
      readers_.pop_back();
      return reader;
    }
  }
  auto reader = std::make_unique<Reader>();
  ASSIGN_OR_RETURN(reader->owned, Database::Open(options_.path));
  reader->db = reader->owned.get();
  RETURN_IF_ERROR(ConfigureConnection(*reader->db, options_.durable));
  RETURN_IF_ERROR(PrepareReader(*reader));
  return reader;
}

template <typename T>
T SqliteServerStore::WithReader(const std::function<T(Reader&)>& read) {
  if (in_memory_) {
    absl::MutexLock lock(&write_mu_);
    return read(memory_reader_);
  }
  absl::StatusOr<std::unique_ptr<Reader>> reader = TakeReader();
  if (!reader.ok()) return reader.status();
  T result = read(**reader);
  ReturnReader(std::move(*reader));
  return result;
}

void SqliteServerStore::ReturnReader(std::unique_ptr<Reader> reader) {
  absl::MutexLock lock(&readers_mu_);
  readers_.push_back(std::move(reader));
}

absl::Status SqliteServerStore::ReadFeed(absl::string_view bucket,
                                         int64_t after, size_t limit,
                                         std::vector<FeedItem>* out) {
  return WithReader<absl::Status>([&](Reader& reader) -> absl::Status {
    Statement& s = *reader.feed;
    ScopedReset reset(&s);
    s.BindText(1, bucket);
    s.BindInt(2, after);
    s.BindInt(3, static_cast<int64_t>(limit));
    while (true) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return absl::OkStatus();
      FeedItem& item = out->emplace_back();
      item.seq = s.ColumnInt(0);
      absl::string_view blob = s.ColumnBlob(1);
      if (!item.change.ParseFromArray(blob.data(),
                                      static_cast<int>(blob.size()))) {
        return absl::DataLossError("a stored change is corrupt");
      }
    }
  });
}

absl::StatusOr<int64_t> SqliteServerStore::Head(absl::string_view bucket) {
  return WithReader<absl::StatusOr<int64_t>>(
      [&](Reader& reader) -> absl::StatusOr<int64_t> {
        Statement& s = *reader.head;
        ScopedReset reset(&s);
        s.BindText(1, bucket);
        ASSIGN_OR_RETURN(bool row, s.Step());
        return row ? s.ColumnInt(0) : 0;
      });
}

absl::StatusOr<std::optional<std::string>> SqliteServerStore::ReplicaOwner(
    absl::string_view replica_id) {
  using Result = absl::StatusOr<std::optional<std::string>>;
  return WithReader<Result>([&](Reader& reader) -> Result {
    Statement& s = *reader.replica_owner;
    ScopedReset reset(&s);
    s.BindText(1, replica_id);
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return std::nullopt;
    return std::string(s.ColumnText(0));
  });
}

absl::StatusOr<std::vector<std::string>> SqliteServerStore::Buckets() {
  using Result = absl::StatusOr<std::vector<std::string>>;
  return WithReader<Result>([&](Reader& reader) -> Result {
    Statement& s = *reader.buckets;
    ScopedReset reset(&s);
    std::vector<std::string> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.emplace_back(s.ColumnText(0));
    }
    return out;
  });
}

absl::StatusOr<int64_t> SqliteServerStore::ItemCount() {
  return WithReader<absl::StatusOr<int64_t>>([&](Reader& reader) {
    return reader.db->QueryInt("SELECT COUNT(*) FROM items");
  });
}

absl::StatusOr<std::string> SqliteServerStore::IntegrityCheck() {
  using Result = absl::StatusOr<std::string>;
  return WithReader<Result>([&](Reader& reader) -> Result {
    ASSIGN_OR_RETURN(auto s, reader.db->Prepare("PRAGMA integrity_check"));
    std::string out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      absl::StrAppend(&out, out.empty() ? "" : "\n", s->ColumnText(0));
    }
    return out;
  });
}

absl::Status SqliteServerStore::AddToken(const TokenRecord& token) {
  absl::MutexLock lock(&write_mu_);
  Statement& insert = *add_token_;
  insert.BindText(1, token.token_id);
  insert.BindText(2, token.digest);
  insert.BindText(3, token.principal_id);
  insert.BindText(4, token.label);
  insert.BindInt(5, token.created_ms);
  return insert.Run();
}

absl::StatusOr<std::optional<TokenRecord>> SqliteServerStore::FindToken(
    absl::string_view digest) {
  using Result = absl::StatusOr<std::optional<TokenRecord>>;
  return WithReader<Result>([&](Reader& reader) -> Result {
    Statement& s = *reader.find_token;
    ScopedReset reset(&s);
    s.BindText(1, digest);
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return std::nullopt;
    return ReadToken(s);
  });
}

absl::StatusOr<std::vector<TokenRecord>> SqliteServerStore::ListTokens(
    absl::string_view principal_id) {
  using Result = absl::StatusOr<std::vector<TokenRecord>>;
  return WithReader<Result>([&](Reader& reader) -> Result {
    Statement& s = *reader.list_tokens;
    ScopedReset reset(&s);
    s.BindText(1, principal_id);
    std::vector<TokenRecord> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back(ReadToken(s));
    }
    return out;
  });
}

absl::Status SqliteServerStore::RevokeToken(absl::string_view token_id,
                                            int64_t now_ms) {
  absl::MutexLock lock(&write_mu_);
  Statement& update = *revoke_token_;
  update.BindText(1, token_id);
  update.BindInt(2, now_ms);
  RETURN_IF_ERROR(update.Run());
  if (sqlite3_changes(writer_->handle()) == 0) {
    return absl::NotFoundError(
        absl::StrCat("there is no live token ", token_id));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Grant>> SqliteServerStore::GrantsOf(
    absl::string_view user_id) {
  using Result = absl::StatusOr<std::vector<Grant>>;
  return WithReader<Result>([&](Reader& reader) -> Result {
    Statement& s = *reader.grants_of;
    ScopedReset reset(&s);
    s.BindText(1, user_id);
    std::vector<Grant> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back(ReadGrant(s));
    }
    return out;
  });
}

absl::StatusOr<int64_t> SqliteServerStore::GrantsVersion() {
  return WithReader<absl::StatusOr<int64_t>>(
      [&](Reader& reader) -> absl::StatusOr<int64_t> {
        Statement& s = *reader.grants_version;
        ScopedReset reset(&s);
        ASSIGN_OR_RETURN(bool row, s.Step());
        return row ? s.ColumnInt(0) : 0;
      });
}

absl::Status SqliteServerStore::Backup(const std::string& path) {
  if (in_memory_) {
    return absl::FailedPreconditionError("an in-memory store has no backup");
  }
  std::error_code error;
  const std::filesystem::path target(path);
  if (std::filesystem::exists(target, error)) {
    return absl::AlreadyExistsError(
        absl::StrCat(path, " exists; a backup goes to a new file"));
  }
  const std::filesystem::path parent =
      target.has_parent_path() ? target.parent_path() : ".";
  if (!std::filesystem::is_directory(parent, error)) {
    return absl::NotFoundError(
        absl::StrCat("no directory ", parent.string(), " for the backup"));
  }
  // Database::Open creates the file owner-only.
  ASSIGN_OR_RETURN(std::unique_ptr<Database> copy, Database::Open(path));
  return WithReader<absl::Status>([&](Reader& reader) -> absl::Status {
    sqlite3_backup* backup = sqlite3_backup_init(copy->handle(), "main",
                                                 reader.db->handle(), "main");
    if (backup == nullptr) {
      return absl::InternalError(absl::StrCat("cannot start the backup: ",
                                              sqlite3_errmsg(copy->handle())));
    }
    // All pages in one step: a consistent copy of one read transaction.
    const int stepped = sqlite3_backup_step(backup, -1);
    const int finished = sqlite3_backup_finish(backup);
    if (stepped != SQLITE_DONE || finished != SQLITE_OK) {
      std::filesystem::remove(path, error);
      return absl::UnavailableError(absl::StrCat(
          "the backup failed: ",
          sqlite3_errstr(stepped == SQLITE_DONE ? finished : stepped)));
    }
    return absl::OkStatus();
  });
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServerStore>> OpenSqliteServerStore(
    const SqliteServerStoreOptions& options) {
  auto store = std::make_unique<SqliteServerStore>();
  RETURN_IF_ERROR(store->Initialize(options));
  return std::unique_ptr<ServerStore>(std::move(store));
}

}  // namespace plansync::server
