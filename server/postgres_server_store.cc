#include "server/postgres_server_store.h"

#include <algorithm>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/schema.h"
#include "core/status_macros.h"
#include "core/uuid.h"
#include "server/pg/connection.h"
#include "server/postgres_fanout.h"

namespace plansync::server {
namespace {

using pg::Connection;
using pg::Params;
using pg::Result;

constexpr int kPgSchemaVersion = 1;
// The advisory lock held while one process creates or migrates the schema.
constexpr int64_t kMigrationLock = 0x706c616e73796e63;  // "plansync"

// kSteps[v - 1] moves a database from version v - 1 to version v.
constexpr absl::string_view kSteps[] = {
    // 1: every table of the SQLite store's version 5, with a head row per
    // bucket that numbers the bucket's own feed and has room for a running
    // digest, and the append-only history of every accepted item.
    R"sql(
  CREATE TABLE buckets (
    bucket TEXT PRIMARY KEY,
    head BIGINT NOT NULL,
    digest BYTEA);
  CREATE TABLE items (
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    field INTEGER NOT NULL,
    bucket TEXT NOT NULL,
    seq BIGINT NOT NULL,
    hlc BIGINT NOT NULL,
    replica_id TEXT NOT NULL,
    change BYTEA NOT NULL,
    PRIMARY KEY (record_type, record_id, field));
  CREATE UNIQUE INDEX items_feed ON items (bucket, seq);
  CREATE TABLE history (
    bucket TEXT NOT NULL,
    seq BIGINT NOT NULL,
    accepted_ms BIGINT NOT NULL,
    change BYTEA NOT NULL,
    PRIMARY KEY (bucket, seq));
  CREATE TABLE applied (
    replica_id TEXT NOT NULL,
    replica_seq BIGINT NOT NULL,
    digest BIGINT NOT NULL,
    PRIMARY KEY (replica_id, replica_seq));
  CREATE TABLE records (
    record_id TEXT PRIMARY KEY,
    record_type TEXT NOT NULL,
    bucket TEXT NOT NULL);
  CREATE TABLE replicas (
    replica_id TEXT PRIMARY KEY,
    principal_id TEXT NOT NULL);
  CREATE TABLE tokens (
    token_id TEXT PRIMARY KEY,
    digest TEXT NOT NULL UNIQUE,
    principal_id TEXT NOT NULL,
    label TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    revoked_ms BIGINT NOT NULL DEFAULT 0);
  CREATE INDEX tokens_by_principal ON tokens (principal_id);
  CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    student_id TEXT NOT NULL,
    role INTEGER NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    deleted BOOLEAN NOT NULL);
  CREATE INDEX grants_by_user ON grants (user_id);
  INSERT INTO plansync_meta (key, value) VALUES ('grants_version', 0);
)sql",
};
static_assert(std::size(kSteps) == kPgSchemaVersion);

// Every statement, prepared on each connection when it opens.
constexpr std::pair<absl::string_view, absl::string_view> kStatements[] = {
    {"lock_bucket",
     "INSERT INTO buckets (bucket, head) VALUES ($1, 0) ON CONFLICT (bucket) "
     "DO UPDATE SET head = buckets.head RETURNING head"},
    {"set_head", "UPDATE buckets SET head = $2::int8 WHERE bucket = $1"},
    {"drop_empty_head", "DELETE FROM buckets WHERE bucket = $1 AND head = 0"},
    {"get_applied",
     "SELECT digest FROM applied WHERE replica_id = $1 AND replica_seq = "
     "$2::int8"},
    {"last_applied",
     "SELECT max(replica_seq) FROM applied WHERE replica_id = $1"},
    // The applied change ids a transaction gathered, in one statement.
    {"put_applied",
     "INSERT INTO applied (replica_id, replica_seq, digest) SELECT * FROM "
     "unnest($1::text[], $2::int8[], $3::int8[]) ON CONFLICT DO NOTHING"},
    {"get_item",
     "SELECT seq, hlc, replica_id, bucket, change FROM items WHERE "
     "record_type = $1 AND record_id = $2 AND field = $3::int8"},
    {"get_home",
     "SELECT record_type, bucket FROM records WHERE record_id = $1"},
    // One round trip per item: claims the record's home (or finds it the
    // change's), then writes the item and its history row. $9 is 1 for a
    // new record, whose existing home means "write nothing". Returns
    // whether the home was claimed and whether an existing one matches.
    {"write_item",
     "WITH home AS (INSERT INTO records (record_id, record_type, bucket) "
     "VALUES ($2, $1, $4) ON CONFLICT (record_id) DO NOTHING RETURNING 1), "
     "ok AS (SELECT EXISTS (SELECT 1 FROM home) AS claimed, EXISTS (SELECT 1 "
     "FROM records WHERE record_id = $2 AND record_type = $1 AND bucket = $4) "
     "AS matches), go AS (SELECT 1 FROM ok WHERE claimed OR ($9::int8 = 0 "
     "AND matches)), item AS (INSERT INTO items (record_type, record_id, "
     "field, bucket, seq, hlc, replica_id, change) SELECT $1, $2, $3::int8, "
     "$4, $5::int8, $6::int8, $7, $8::bytea FROM go ON CONFLICT "
     "(record_type, record_id, field) DO UPDATE SET bucket = "
     "excluded.bucket, seq = excluded.seq, hlc = excluded.hlc, replica_id = "
     "excluded.replica_id, change = excluded.change RETURNING 1), history AS "
     "(INSERT INTO history (bucket, seq, accepted_ms, change) SELECT $4, "
     "$5::int8, (extract(epoch FROM clock_timestamp()) * 1000)::int8, "
     "$8::bytea FROM go RETURNING 1) SELECT claimed, matches FROM ok"},
    // Prefetch: the items of a batch's (type, id, field) keys, and the homes
    // of its record ids.
    {"prefetch_items",
     "SELECT i.record_type, i.record_id, i.field, i.seq, i.hlc, i.replica_id, "
     "i.bucket, i.change FROM unnest($1::text[], $2::text[], $3::int8[]) AS "
     "k(record_type, record_id, field) JOIN items i ON i.record_type = "
     "k.record_type AND i.record_id = k.record_id AND i.field = k.field"},
    {"prefetch_applied",
     "SELECT a.replica_id, a.replica_seq, a.digest FROM unnest($1::text[], "
     "$2::int8[]) AS k(replica_id, replica_seq) JOIN applied a ON "
     "a.replica_id = k.replica_id AND a.replica_seq = k.replica_seq"},
    {"prefetch_homes",
     "SELECT record_id, record_type, bucket FROM records WHERE record_id = "
     "ANY($1::text[])"},
    // The writes a transaction held, in one statement: the homes it claims
    // ($9 - $11), its items ($1 - $8, one per key) and a history row for
    // every write ($12 - $14). Returns how many homes were claimed.
    {"write_items",
     "WITH home AS (INSERT INTO records (record_id, record_type, bucket) "
     "SELECT * FROM unnest($9::text[], $10::text[], $11::text[]) ON CONFLICT "
     "(record_id) DO NOTHING RETURNING 1), item AS (INSERT INTO items "
     "(record_type, record_id, field, bucket, seq, hlc, replica_id, change) "
     "SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::text[], "
     "$5::int8[], $6::int8[], $7::text[], $8::bytea[]) ON CONFLICT "
     "(record_type, record_id, field) DO UPDATE SET bucket = "
     "excluded.bucket, seq = excluded.seq, hlc = excluded.hlc, replica_id = "
     "excluded.replica_id, change = excluded.change RETURNING 1), history AS "
     "(INSERT INTO history (bucket, seq, accepted_ms, change) SELECT b, s, "
     "(extract(epoch FROM clock_timestamp()) * 1000)::int8, c FROM "
     "unnest($12::text[], $13::int8[], $14::bytea[]) AS h(b, s, c) RETURNING "
     "1) SELECT (SELECT count(*) FROM home), (SELECT count(*) FROM item), "
     "(SELECT count(*) FROM history)"},
    {"get_replica", "SELECT principal_id FROM replicas WHERE replica_id = $1"},
    {"bind_replica",
     "INSERT INTO replicas (replica_id, principal_id) VALUES ($1, $2) ON "
     "CONFLICT DO NOTHING"},
    {"get_grant",
     "SELECT id, user_id, student_id, role, start_date, end_date, deleted "
     "FROM grants WHERE id = $1"},
    {"put_grant",
     "INSERT INTO grants (id, user_id, student_id, role, start_date, "
     "end_date, deleted) VALUES ($1, $2, $3, $4::int8, $5, $6, $7::int8 <> "
     "0) ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, "
     "student_id = excluded.student_id, role = excluded.role, start_date = "
     "excluded.start_date, end_date = excluded.end_date, deleted = "
     "excluded.deleted"},
    {"bump_grants",
     "UPDATE plansync_meta SET value = value + 1 WHERE key = "
     "'grants_version'"},
    {"feed",
     "SELECT seq, change FROM items WHERE bucket = $1 AND seq > $2::int8 "
     "ORDER BY seq LIMIT $3::int8"},
    {"head", "SELECT head FROM buckets WHERE bucket = $1"},
    {"buckets", "SELECT bucket FROM buckets WHERE head > 0 ORDER BY bucket"},
    {"item_count", "SELECT count(*) FROM items"},
    {"grants_of",
     "SELECT id, user_id, student_id, role, start_date, end_date, deleted "
     "FROM grants WHERE user_id = $1"},
    {"grants_version",
     "SELECT value FROM plansync_meta WHERE key = 'grants_version'"},
    {"add_token",
     "INSERT INTO tokens (token_id, digest, principal_id, label, created_ms) "
     "VALUES ($1, $2, $3, $4, $5::int8)"},
    {"find_token",
     "SELECT token_id, principal_id, label, created_ms, revoked_ms, digest "
     "FROM tokens WHERE digest = $1"},
    {"list_tokens",
     "SELECT token_id, principal_id, label, created_ms, revoked_ms, digest "
     "FROM tokens WHERE $1 = '' OR principal_id = $1 ORDER BY created_ms, "
     "token_id"},
    {"revoke_token",
     "UPDATE tokens SET revoked_ms = $2::int8 WHERE token_id = $1 AND "
     "revoked_ms = 0"},
};

Grant ReadGrant(const Result& r, int row) {
  Grant grant;
  grant.id = r.Text(row, 0);
  grant.user_id = r.Text(row, 1);
  grant.student_id = r.Text(row, 2);
  grant.role = static_cast<v1::Role>(r.Int(row, 3));
  grant.start_date = r.Text(row, 4);
  grant.end_date = r.Text(row, 5);
  grant.deleted = r.Int(row, 6) != 0;
  return grant;
}

TokenRecord ReadToken(const Result& r, int row) {
  TokenRecord token;
  token.token_id = r.Text(row, 0);
  token.principal_id = r.Text(row, 1);
  token.label = r.Text(row, 2);
  token.created_ms = r.Int(row, 3);
  token.revoked_ms = r.Int(row, 4);
  token.digest = r.Text(row, 5);
  return token;
}

absl::Status Migrate(Connection& conn) {
  RETURN_IF_ERROR(conn.Exec("BEGIN"));
  absl::Status status = [&]() -> absl::Status {
    RETURN_IF_ERROR(conn.Query("SELECT pg_advisory_xact_lock($1::int8)",
                               Params().Int(kMigrationLock))
                        .status());
    RETURN_IF_ERROR(
        conn.Exec("CREATE TABLE IF NOT EXISTS plansync_meta (key TEXT PRIMARY "
                  "KEY, value BIGINT NOT NULL)"));
    ASSIGN_OR_RETURN(Result version,
                     conn.Query("SELECT value FROM plansync_meta WHERE key = "
                                "'schema_version'",
                                Params()));
    const int64_t current = version.rows() == 0 ? 0 : version.Int(0, 0);
    if (current > kPgSchemaVersion) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the PostgreSQL server store has schema version ", current,
          ", written by a newer plansync server; this build reads up to ",
          kPgSchemaVersion));
    }
    for (int64_t next = current + 1; next <= kPgSchemaVersion; ++next) {
      absl::Status step = conn.Exec(kSteps[next - 1]);
      if (!step.ok()) {
        return absl::Status(step.code(),
                            absl::StrCat("migrating the server store to "
                                         "version ",
                                         next, " failed: ", step.message()));
      }
    }
    if (current < kPgSchemaVersion) {
      RETURN_IF_ERROR(conn.Query("INSERT INTO plansync_meta (key, value) "
                                 "VALUES ('schema_version', $1::int8) ON "
                                 "CONFLICT (key) DO UPDATE SET value = "
                                 "excluded.value",
                                 Params().Int(kPgSchemaVersion))
                          .status());
    }
    return absl::OkStatus();
  }();
  if (!status.ok()) {
    conn.Exec("ROLLBACK").IgnoreError();
    return status;
  }
  return conn.Exec("COMMIT");
}

class PostgresServerStore;

// A connection leased from the pool; returned when destroyed (dropped if it
// broke).
class Lease {
 public:
  Lease(PostgresServerStore* store, std::unique_ptr<Connection> conn)
      : store_(store), conn_(std::move(conn)) {}
  ~Lease();
  Lease(Lease&&) = default;
  Connection& operator*() { return *conn_; }
  Connection* operator->() { return conn_.get(); }

 private:
  PostgresServerStore* store_;
  std::unique_ptr<Connection> conn_;
};

// The item writes a transaction holds for one statement, as the arrays of
// "write_items": one item row per (type, id, field) key, the last write of a
// key winning, as in the table; one history row per write; the homes
// claimed.
class HeldWrites {
 public:
  bool empty() const { return history_seqs_.empty(); }
  int64_t claims() const { return static_cast<int64_t>(claim_ids_.size()); }

  void Hold(const v1::Change& change, int field_number, int64_t seq,
            absl::string_view bytes, const std::string& key, bool claim) {
    auto [slot, added] = by_key_.try_emplace(key, types_.size());
    if (added) {
      types_.push_back(change.record_type());
      ids_.push_back(change.record_id());
      fields_.push_back(field_number);
      buckets_.emplace_back();
      seqs_.emplace_back();
      hlcs_.emplace_back();
      replicas_.emplace_back();
      changes_.emplace_back();
    }
    const size_t i = slot->second;
    buckets_[i] = change.bucket();
    seqs_[i] = seq;
    hlcs_[i] = static_cast<int64_t>(change.hlc());
    replicas_[i] = change.replica_id();
    changes_[i] = std::string(bytes);
    history_buckets_.push_back(change.bucket());
    history_seqs_.push_back(seq);
    history_changes_.emplace_back(bytes);
    if (claim) {
      claim_ids_.push_back(change.record_id());
      claim_types_.push_back(change.record_type());
      claim_buckets_.push_back(change.bucket());
    }
  }

  pg::Params Arrays() const {
    pg::Params params;
    params.TextArray(types_)
        .TextArray(ids_)
        .IntArray(fields_)
        .TextArray(buckets_)
        .IntArray(seqs_)
        .IntArray(hlcs_)
        .TextArray(replicas_)
        .BlobArray(changes_)
        .TextArray(claim_ids_)
        .TextArray(claim_types_)
        .TextArray(claim_buckets_)
        .TextArray(history_buckets_)
        .IntArray(history_seqs_)
        .BlobArray(history_changes_);
    return params;
  }

  void Clear() { *this = HeldWrites(); }

 private:
  absl::flat_hash_map<std::string, size_t> by_key_;
  std::vector<std::string> types_, ids_, buckets_, replicas_, changes_;
  std::vector<int64_t> fields_, seqs_, hlcs_;
  std::vector<std::string> claim_ids_, claim_types_, claim_buckets_;
  std::vector<std::string> history_buckets_, history_changes_;
  std::vector<int64_t> history_seqs_;
};

class PostgresTransaction final : public ServerTransaction {
 public:
  explicit PostgresTransaction(Lease lease) : conn_(std::move(lease)) {}
  ~PostgresTransaction() override {
    if (open_) conn_->Exec("ROLLBACK").IgnoreError();
  }

  absl::Status LockBuckets(const std::vector<std::string>& buckets) override {
    for (const std::string& bucket : buckets) {
      RETURN_IF_ERROR(Lock(bucket).status());
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<int64_t>> LastApplied(
      absl::string_view replica_id) override {
    RETURN_IF_ERROR(FlushApplied());
    ASSIGN_OR_RETURN(Result r,
                     conn_->Run("last_applied", Params().Text(replica_id)));
    if (r.rows() == 0 || r.IsNull(0, 0)) return std::nullopt;
    return r.Int(0, 0);
  }

  absl::StatusOr<std::optional<uint64_t>> AppliedDigest(
      absl::string_view replica_id, uint64_t replica_seq) override {
    const std::string key =
        AppliedKey(replica_id, static_cast<int64_t>(replica_seq));
    if (!batch_applied_.empty()) {
      // The first lookup reads those of the whole prefetched batch (a
      // device's pushes that arrive out of order, or again, all need them).
      RETURN_IF_ERROR(FlushApplied());
      std::vector<std::string> replicas;
      std::vector<int64_t> seqs;
      for (auto& [batch_key, change] : batch_applied_) {
        replicas.push_back(change.first);
        seqs.push_back(change.second);
        applied_.try_emplace(batch_key);
      }
      batch_applied_.clear();
      ASSIGN_OR_RETURN(Result r,
                       conn_->Run("prefetch_applied",
                                  Params().TextArray(replicas).IntArray(seqs)));
      for (int row = 0; row < r.rows(); ++row) {
        applied_[AppliedKey(r.Bytes(row, 0), r.Int(row, 1))] =
            static_cast<uint64_t>(r.Int(row, 2));
      }
    }
    if (auto it = applied_.find(key); it != applied_.end()) return it->second;
    RETURN_IF_ERROR(FlushApplied());
    ASSIGN_OR_RETURN(
        Result r,
        conn_->Run(
            "get_applied",
            Params().Text(replica_id).Int(static_cast<int64_t>(replica_seq))));
    if (r.rows() == 0) return std::nullopt;
    return static_cast<uint64_t>(r.Int(0, 0));
  }

  // Gathered, and written with the next read of the applied ids or at the
  // commit, in one statement.
  absl::Status RecordApplied(absl::string_view replica_id, uint64_t replica_seq,
                             uint64_t digest) override {
    if (auto it = applied_.find(
            AppliedKey(replica_id, static_cast<int64_t>(replica_seq)));
        it != applied_.end()) {
      it->second = digest;
    }
    applied_replicas_.emplace_back(replica_id);
    applied_seqs_.push_back(static_cast<int64_t>(replica_seq));
    applied_digests_.push_back(static_cast<int64_t>(digest));
    return absl::OkStatus();
  }

  absl::Status Prefetch(
      const google::protobuf::RepeatedPtrField<v1::Change>& changes) override {
    std::vector<std::string> types, ids, home_ids;
    std::vector<int64_t> fields;
    for (const v1::Change& change : changes) {
      // Only what the merger can get to: CheckChange refuses the rest before
      // any read (and the database would refuse some of their bytes).
      if (Schema::Get().FindCanonical(change.record_type()) == nullptr ||
          !IsUuid(change.record_id()) || !IsUuid(change.replica_id())) {
        continue;
      }
      const int64_t field =
          change.has_field_write() ? change.field_write().field_number() : 0;
      if (items_
              .try_emplace(
                  ItemKey(change.record_type(), change.record_id(), field))
              .second) {
        types.push_back(change.record_type());
        ids.push_back(change.record_id());
        fields.push_back(field);
      }
      if (homes_.try_emplace(change.record_id()).second) {
        home_ids.push_back(change.record_id());
      }
      const auto seq = static_cast<int64_t>(change.replica_seq());
      batch_applied_.try_emplace(AppliedKey(change.replica_id(), seq),
                                 change.replica_id(), seq);
    }
    if (!types.empty()) {
      ASSIGN_OR_RETURN(
          Result r,
          conn_->Run(
              "prefetch_items",
              Params().TextArray(types).TextArray(ids).IntArray(fields)));
      for (int row = 0; row < r.rows(); ++row) {
        StoredItem item;
        item.seq = r.Int(row, 3);
        item.hlc = static_cast<Hlc>(r.Int(row, 4));
        item.replica_id = r.Text(row, 5);
        item.bucket = r.Text(row, 6);
        RETURN_IF_ERROR(ParseStored(r.Bytes(row, 7), &item.change));
        items_[ItemKey(r.Bytes(row, 0), r.Bytes(row, 1), r.Int(row, 2))] =
            std::move(item);
      }
    }
    if (!home_ids.empty()) {
      ASSIGN_OR_RETURN(
          Result r, conn_->Run("prefetch_homes", Params().TextArray(home_ids)));
      for (int row = 0; row < r.rows(); ++row) {
        homes_[r.Bytes(row, 0)] = RecordHome{r.Text(row, 1), r.Text(row, 2)};
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<StoredItem>> GetItem(
      absl::string_view record_type, absl::string_view record_id,
      int field_number) override {
    if (auto it = items_.find(ItemKey(record_type, record_id, field_number));
        it != items_.end()) {
      return it->second;
    }
    ASSIGN_OR_RETURN(
        Result r,
        conn_->Run(
            "get_item",
            Params().Text(record_type).Text(record_id).Int(field_number)));
    if (r.rows() == 0) return std::nullopt;
    StoredItem item;
    item.seq = r.Int(0, 0);
    item.hlc = static_cast<Hlc>(r.Int(0, 1));
    item.replica_id = r.Text(0, 2);
    item.bucket = r.Text(0, 3);
    RETURN_IF_ERROR(ParseStored(r.Bytes(0, 4), &item.change));
    return item;
  }

  absl::StatusOr<std::optional<RecordHome>> GetRecordHome(
      absl::string_view record_id) override {
    if (auto it = homes_.find(record_id); it != homes_.end()) {
      return it->second;
    }
    ASSIGN_OR_RETURN(Result r,
                     conn_->Run("get_home", Params().Text(record_id)));
    if (r.rows() == 0) return std::nullopt;
    return RecordHome{r.Text(0, 0), r.Text(0, 1)};
  }

  absl::StatusOr<int64_t> PutItem(const v1::Change& change, int field_number,
                                  absl::string_view bytes) override {
    ASSIGN_OR_RETURN(std::optional<int64_t> seq,
                     Write(change, field_number, bytes, /*new_record=*/false));
    return *seq;
  }

  absl::StatusOr<std::optional<int64_t>> InsertItem(
      const v1::Change& change, int field_number,
      absl::string_view bytes) override {
    return Write(change, field_number, bytes, /*new_record=*/true);
  }

  absl::StatusOr<std::optional<std::string>> ReplicaOwner(
      absl::string_view replica_id) override {
    ASSIGN_OR_RETURN(Result r,
                     conn_->Run("get_replica", Params().Text(replica_id)));
    if (r.rows() == 0) return std::nullopt;
    return r.Text(0, 0);
  }

  absl::Status BindReplica(absl::string_view replica_id,
                           absl::string_view principal_id) override {
    ASSIGN_OR_RETURN(Result r,
                     conn_->Run("bind_replica",
                                Params().Text(replica_id).Text(principal_id)));
    if (r.Affected() == 0) {
      return absl::AlreadyExistsError("the replica id is bound already");
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<Grant>> GetGrant(absl::string_view id) override {
    ASSIGN_OR_RETURN(Result r, conn_->Run("get_grant", Params().Text(id)));
    if (r.rows() == 0) return std::nullopt;
    return ReadGrant(r, 0);
  }

  absl::Status PutGrant(const Grant& grant) override {
    RETURN_IF_ERROR(conn_
                        ->Run("put_grant", Params()
                                               .Text(grant.id)
                                               .Text(grant.user_id)
                                               .Text(grant.student_id)
                                               .Int(grant.role)
                                               .Text(grant.start_date)
                                               .Text(grant.end_date)
                                               .Int(grant.deleted ? 1 : 0))
                        .status());
    grants_changed_ = true;
    return absl::OkStatus();
  }

  absl::Status Commit() override {
    if (!open_) return absl::FailedPreconditionError("transaction is closed");
    open_ = false;
    absl::Status status = FlushApplied();
    if (status.ok()) status = FlushItems();
    for (const auto& [bucket, head] : heads_) {
      if (!status.ok()) break;
      if (head.next != head.locked) {
        status = conn_->Run("set_head", Params().Text(bucket).Int(head.next))
                     .status();
      } else if (head.locked == 0) {
        // Locked for nothing: the row made by the lock goes.
        status = conn_->Run("drop_empty_head", Params().Text(bucket)).status();
      }
      if (!status.ok()) break;
    }
    if (status.ok() && grants_changed_) {
      status = conn_->Run("bump_grants", Params()).status();
    }
    if (status.ok()) status = conn_->Exec("COMMIT");
    if (!status.ok()) conn_->Exec("ROLLBACK").IgnoreError();
    return status;
  }

 private:
  struct Head {
    int64_t locked = 0;  // the head when locked
    int64_t next = 0;    // the last sequence number given out
  };

  // Locks `bucket`'s head row (creating it at 0) unless held already.
  absl::StatusOr<Head*> Lock(const std::string& bucket) {
    auto it = heads_.find(bucket);
    if (it != heads_.end()) return &it->second;
    ASSIGN_OR_RETURN(Result r,
                     conn_->Run("lock_bucket", Params().Text(bucket)));
    const int64_t head = r.Int(0, 0);
    return &heads_.emplace(bucket, Head{head, head}).first->second;
  }

  static std::string AppliedKey(absl::string_view replica_id, int64_t seq) {
    return absl::StrCat(seq, ":", replica_id);
  }

  // The key of an item in items_: unambiguous whatever bytes the parts hold.
  static std::string ItemKey(absl::string_view record_type,
                             absl::string_view record_id, int64_t field) {
    return absl::StrCat(field, ":", record_type.size(), ":", record_type,
                        record_id);
  }

  static absl::Status OutsideItsHome() {
    return absl::FailedPreconditionError(
        "the store refused an item outside its record's type or bucket");
  }

  static absl::Status ParseStored(absl::string_view blob, v1::Change* out) {
    if (!out->ParseFromArray(blob.data(), static_cast<int>(blob.size()))) {
      return absl::DataLossError("a stored change is corrupt");
    }
    return absl::OkStatus();
  }

  // Writes the item under its bucket's next sequence number, once the
  // record's home is claimed (a new record) or found to be the change's.
  // nullopt, with nothing written, if `new_record` and the id has a home;
  // FAILED_PRECONDITION if the home is another type's or bucket's. Where
  // Prefetch read the item and the home, the write is held for FlushItems
  // and the cache answers for it.
  absl::StatusOr<std::optional<int64_t>> Write(const v1::Change& change,
                                               int field_number,
                                               absl::string_view bytes,
                                               bool new_record) {
    ASSIGN_OR_RETURN(Head * head, Lock(change.bucket()));
    const std::string key =
        ItemKey(change.record_type(), change.record_id(), field_number);
    auto item = items_.find(key);
    auto home = homes_.find(change.record_id());
    if (item == items_.end() || home == homes_.end()) {
      // Not prefetched: written at once, after what is held; the cache
      // forgets the record, so later reads of it go to the database.
      RETURN_IF_ERROR(FlushItems());
      if (item != items_.end()) items_.erase(item);
      if (home != homes_.end()) homes_.erase(home);
      return WriteNow(change, field_number, bytes, new_record, head);
    }
    bool claim = false;
    if (home->second.has_value()) {
      if (new_record) return std::nullopt;
      if (home->second->record_type != change.record_type() ||
          home->second->bucket != change.bucket()) {
        return OutsideItsHome();
      }
    } else {
      claim = true;
      home->second = RecordHome{change.record_type(), change.bucket()};
    }
    const int64_t seq = head->next + 1;
    head->next = seq;
    held_.Hold(change, field_number, seq, bytes, key, claim);
    item->second = StoredItem{seq, static_cast<Hlc>(change.hlc()),
                              change.replica_id(), change.bucket(), change};
    return seq;
  }

  absl::StatusOr<std::optional<int64_t>> WriteNow(const v1::Change& change,
                                                  int field_number,
                                                  absl::string_view bytes,
                                                  bool new_record, Head* head) {
    const int64_t seq = head->next + 1;
    ASSIGN_OR_RETURN(
        Result r,
        conn_->Run("write_item", Params()
                                     .Text(change.record_type())
                                     .Text(change.record_id())
                                     .Int(field_number)
                                     .Text(change.bucket())
                                     .Int(seq)
                                     .Int(static_cast<int64_t>(change.hlc()))
                                     .Text(change.replica_id())
                                     .Blob(bytes)
                                     .Int(new_record ? 1 : 0)));
    const bool claimed = r.Int(0, 0) != 0;
    const bool matches = r.Int(0, 1) != 0;
    if (!claimed) {
      if (new_record) return std::nullopt;
      if (!matches) {
        return OutsideItsHome();
      }
    }
    head->next = seq;
    return seq;
  }

  // Writes the held items in one statement. ABORTED if a transaction of
  // another bucket claimed one of their record ids meanwhile.
  absl::Status FlushItems() {
    if (held_.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(Result r, conn_->Run("write_items", held_.Arrays()));
    const int64_t claimed = r.Int(0, 0);
    const int64_t expected = held_.claims();
    held_.Clear();
    if (claimed != expected) {
      return absl::AbortedError(
          "a record id was claimed by another transaction meanwhile; retry");
    }
    return absl::OkStatus();
  }

  // Writes the gathered applied ids. ABORTED if another transaction
  // applied one of them meanwhile (nothing of this one is stored).
  absl::Status FlushApplied() {
    if (applied_seqs_.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(
        Result r, conn_->Run("put_applied", Params()
                                                .TextArray(applied_replicas_)
                                                .IntArray(applied_seqs_)
                                                .IntArray(applied_digests_)));
    const auto expected = static_cast<int64_t>(applied_seqs_.size());
    applied_replicas_.clear();
    applied_seqs_.clear();
    applied_digests_.clear();
    if (r.Affected() != expected) {
      return absl::AbortedError(
          "a change was applied by another transaction meanwhile; retry");
    }
    return absl::OkStatus();
  }

  Lease conn_;
  bool open_ = true;
  std::vector<std::string> applied_replicas_;
  std::vector<int64_t> applied_seqs_, applied_digests_;
  bool grants_changed_ = false;
  absl::flat_hash_map<std::string, Head> heads_;
  // What Prefetch read, kept current with the held writes: the item of each
  // ItemKey (nullopt: none) and the home of each record id.
  absl::flat_hash_map<std::string, std::optional<StoredItem>> items_;
  absl::flat_hash_map<std::string, std::optional<RecordHome>> homes_;
  HeldWrites held_;
  // The change ids of the prefetched batch, by AppliedKey, until the first
  // AppliedDigest reads them all; then what was read, kept current by
  // RecordApplied (nullopt: not applied).
  absl::flat_hash_map<std::string, std::pair<std::string, int64_t>>
      batch_applied_;
  absl::flat_hash_map<std::string, std::optional<uint64_t>> applied_;
};

class PostgresServerStore final : public ServerStore {
 public:
  absl::Status Initialize(const PostgresServerStoreOptions& options) {
    options_ = options;
    RETURN_IF_ERROR(pg::CheckConninfo(options_.conninfo));
    if (options_.pool_size < 1) {
      return absl::InvalidArgumentError(
          "the PostgreSQL pool needs at least one connection");
    }
    ASSIGN_OR_RETURN(std::unique_ptr<Connection> first,
                     Connection::Open(options_.conninfo));
    RETURN_IF_ERROR(Migrate(*first));
    RETURN_IF_ERROR(PrepareAll(*first));
    absl::MutexLock lock(&mu_);
    idle_.push_back(std::move(first));
    opened_ = 1;
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<ServerTransaction>> Begin() override {
    ASSIGN_OR_RETURN(Lease lease, Take());
    RETURN_IF_ERROR(lease->Exec("BEGIN"));
    return std::unique_ptr<ServerTransaction>(
        new PostgresTransaction(std::move(lease)));
  }

  absl::Status ReadFeed(absl::string_view bucket, int64_t after, size_t limit,
                        std::vector<FeedItem>* out) override {
    ASSIGN_OR_RETURN(Lease lease, Take());
    ASSIGN_OR_RETURN(Result r,
                     lease->Run("feed", Params().Text(bucket).Int(after).Int(
                                            static_cast<int64_t>(limit))));
    for (int row = 0; row < r.rows(); ++row) {
      FeedItem& item = out->emplace_back();
      item.seq = r.Int(row, 0);
      const absl::string_view blob = r.Bytes(row, 1);
      if (!item.change.ParseFromArray(blob.data(),
                                      static_cast<int>(blob.size()))) {
        return absl::DataLossError("a stored change is corrupt");
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<std::string>> Buckets() override {
    ASSIGN_OR_RETURN(Lease lease, Take());
    ASSIGN_OR_RETURN(Result r, lease->Run("buckets", Params()));
    std::vector<std::string> out;
    for (int row = 0; row < r.rows(); ++row) out.push_back(r.Text(row, 0));
    return out;
  }

  absl::StatusOr<int64_t> Head(absl::string_view bucket) override {
    ASSIGN_OR_RETURN(Lease lease, Take());
    ASSIGN_OR_RETURN(Result r, lease->Run("head", Params().Text(bucket)));
    return r.rows() == 0 ? 0 : r.Int(0, 0);
  }

  absl::StatusOr<int64_t> ItemCount() override {
    ASSIGN_OR_RETURN(Lease lease, Take());
    ASSIGN_OR_RETURN(Result r, lease->Run("item_count", Params()));
    return r.Int(0, 0);
  }

  absl::StatusOr<std::optional<std::string>> ReplicaOwner(
      absl::string_view replica_id) override {
    ASSIGN_OR_RETURN(Lease lease, Take());
    ASSIGN_OR_RETURN(Result r,
                     lease->Run("get_replica", Params().Text(replica_id)));
    if (r.rows() == 0) return std::nullopt;
    return r.Text(0, 0);
  }

  // PostgreSQL checks its own pages; this checks what the schema cannot
  // say: every item is in its record's bucket and under its bucket's head,
  // and no bucket has two items at one sequence number.
  absl::StatusOr<std::string> IntegrityCheck() override {
    ASSIGN_OR_RETURN(Lease lease, Take());
    ASSIGN_OR_RETURN(
        Result r,
        lease->Query("SELECT (SELECT count(*) FROM items i JOIN records r "
                     "USING (record_id) WHERE i.bucket <> r.bucket OR "
                     "i.record_type <> r.record_type), (SELECT count(*) FROM "
                     "items i JOIN buckets b USING (bucket) WHERE i.seq > "
                     "b.head), (SELECT count(*) FROM items i WHERE NOT EXISTS "
                     "(SELECT 1 FROM records r WHERE r.record_id = "
                     "i.record_id))",
                     Params()));
    std::string out;
    if (r.Int(0, 0) > 0) {
      absl::StrAppend(&out, r.Int(0, 0), " items outside their record's home");
    }
    if (r.Int(0, 1) > 0) {
      absl::StrAppend(&out, out.empty() ? "" : "\n", r.Int(0, 1),
                      " items above their bucket's head");
    }
    if (r.Int(0, 2) > 0) {
      absl::StrAppend(&out, out.empty() ? "" : "\n", r.Int(0, 2),
                      " items without a record home");
    }
    return out.empty() ? "ok" : out;
  }

  absl::Status AddToken(const TokenRecord& token) override {
    ASSIGN_OR_RETURN(Lease lease, Take());
    return lease
        ->Run("add_token", Params()
                               .Text(token.token_id)
                               .Text(token.digest)
                               .Text(token.principal_id)
                               .Text(token.label)
                               .Int(token.created_ms))
        .status();
  }

  absl::StatusOr<std::optional<TokenRecord>> FindToken(
      absl::string_view digest) override {
    ASSIGN_OR_RETURN(Lease lease, Take());
    ASSIGN_OR_RETURN(Result r, lease->Run("find_token", Params().Text(digest)));
    if (r.rows() == 0) return std::nullopt;
    return ReadToken(r, 0);
  }

  absl::StatusOr<std::vector<TokenRecord>> ListTokens(
      absl::string_view principal_id) override {
    ASSIGN_OR_RETURN(Lease lease, Take());
    ASSIGN_OR_RETURN(Result r,
                     lease->Run("list_tokens", Params().Text(principal_id)));
    std::vector<TokenRecord> out;
    for (int row = 0; row < r.rows(); ++row) out.push_back(ReadToken(r, row));
    return out;
  }

  absl::Status RevokeToken(absl::string_view token_id,
                           int64_t now_ms) override {
    ASSIGN_OR_RETURN(Lease lease, Take());
    ASSIGN_OR_RETURN(Result r, lease->Run("revoke_token",
                                          Params().Text(token_id).Int(now_ms)));
    if (r.Affected() == 0) {
      return absl::NotFoundError(
          absl::StrCat("there is no live token ", token_id));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<Grant>> GrantsOf(
      absl::string_view user_id) override {
    ASSIGN_OR_RETURN(Lease lease, Take());
    ASSIGN_OR_RETURN(Result r, lease->Run("grants_of", Params().Text(user_id)));
    std::vector<Grant> out;
    for (int row = 0; row < r.rows(); ++row) out.push_back(ReadGrant(r, row));
    return out;
  }

  absl::StatusOr<int64_t> GrantsVersion() override {
    ASSIGN_OR_RETURN(Lease lease, Take());
    ASSIGN_OR_RETURN(Result r, lease->Run("grants_version", Params()));
    return r.rows() == 0 ? 0 : r.Int(0, 0);
  }

  void Announce(
      const absl::flat_hash_map<std::string, int64_t>& heads) override {
    absl::MutexLock lock(&fanout_mu_);
    if (fanout_ != nullptr) fanout_->Announce(heads);
  }

  absl::Status ListenForOtherProcesses(HeadsCallback on_heads,
                                       WatchedBuckets watched) override {
    absl::MutexLock lock(&fanout_mu_);
    if (fanout_ != nullptr) {
      return absl::FailedPreconditionError("already listening");
    }
    PostgresFanout::Options options;
    options.conninfo = options_.conninfo;
    fanout_ = std::make_unique<PostgresFanout>(options, std::move(on_heads),
                                               std::move(watched));
    return absl::OkStatus();
  }

  void StopListeningForOtherProcesses() override {
    std::unique_ptr<PostgresFanout> fanout;
    {
      absl::MutexLock lock(&fanout_mu_);
      fanout = std::move(fanout_);
    }
    // Destroyed outside the lock: its threads may be announcing.
  }

  // Puts a leased connection back, or drops it if it broke.
  void Return(std::unique_ptr<Connection> conn) {
    absl::MutexLock lock(&mu_);
    if (conn->ok()) {
      idle_.push_back(std::move(conn));
    } else {
      --opened_;
    }
  }

 private:
  static absl::Status PrepareAll(Connection& conn) {
    for (const auto& [name, sql] : kStatements) {
      RETURN_IF_ERROR(conn.Prepare(std::string(name), sql));
    }
    return absl::OkStatus();
  }

  // An idle connection, a new one while the pool has room, or the next one
  // returned.
  absl::StatusOr<Lease> Take() {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](PostgresServerStore* s) {
            return !s->idle_.empty() || s->opened_ < s->options_.pool_size;
          },
          this));
      if (!idle_.empty()) {
        std::unique_ptr<Connection> conn = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(conn));
      }
      ++opened_;  // a slot for the connection opened below
    }
    absl::StatusOr<std::unique_ptr<Connection>> conn =
        Connection::Open(options_.conninfo);
    absl::Status prepared = conn.ok() ? PrepareAll(**conn) : conn.status();
    if (!prepared.ok()) {
      absl::MutexLock lock(&mu_);
      --opened_;
      return prepared;
    }
    return Lease(this, std::move(*conn));
  }

  PostgresServerStoreOptions options_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int opened_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Mutex fanout_mu_;
  std::unique_ptr<PostgresFanout> fanout_ ABSL_GUARDED_BY(fanout_mu_);
};

Lease::~Lease() {
  if (conn_ != nullptr) store_->Return(std::move(conn_));
}

}  // namespace

bool IsPostgresUri(const std::string& db) {
  return absl::StartsWith(db, "postgresql://") ||
         absl::StartsWith(db, "postgres://");
}

absl::StatusOr<std::unique_ptr<ServerStore>> OpenPostgresServerStore(
    const PostgresServerStoreOptions& options) {
  auto store = std::make_unique<PostgresServerStore>();
  RETURN_IF_ERROR(store->Initialize(options));
  return std::unique_ptr<ServerStore>(std::move(store));
}

}  // namespace plansync::server
