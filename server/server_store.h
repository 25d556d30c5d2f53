// The server's storage, behind an interface so that the SQLite store (the
// embedded default) and a PostgreSQL store can serve the same handlers.
//
// The store keeps, per bucket, a feed of items numbered by the bucket's own
// sequence (from its head row): the current winner of every register field
// and every log entry. A register write that wins replaces the field's item
// and takes the bucket's next number, so reading a bucket's feed from 0 gives
// its current state; beside it, an append-only history keeps every accepted
// item. A bucket's committed feed is a gapless prefix of its numbers, so a
// pull by (bucket, seq > cursor) never skips an item that committed late.
// (Stores written before schema 6 numbered all buckets from one global
// sequence; each bucket grows from the highest number it held, so no cursor
// a device holds goes stale.) Merging itself is not the store's business:
// server/merger.h decides, through core/merge.h, and tells the store what to
// keep.
#ifndef PLANSYNC_SERVER_SERVER_STORE_H_
#define PLANSYNC_SERVER_SERVER_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/hlc.h"
#include "plansync/v1/change.pb.h"
#include "plansync/v1/options.pb.h"

namespace plansync::server {

// The stored item of a register field or a log entry.
struct StoredItem {
  int64_t seq = 0;
  Hlc hlc = 0;
  std::string replica_id;
  std::string bucket;
  v1::Change change;  // the change that wrote it
};

// Where a record lives: its type (full name) and bucket, fixed by its first
// item. A record id has one home, for good.
struct RecordHome {
  std::string record_type;
  std::string bucket;
};

// What the server keeps of the records that confer rights, so that it can
// authorize a call without reading the feed: one row per Assignment (a
// user's role on a student) and one per User (student_id empty, role the
// district role; archiving the user ends all of their access). The merger
// keeps the rows in step with the winning field values, in the same
// transaction.
struct Grant {
  std::string id;          // the Assignment id, or the User id
  std::string user_id;     // the user holding the role
  std::string student_id;  // empty for a User row
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string start_date;  // ISO 8601 day, inclusive; empty: always
  std::string end_date;    // ISO 8601 day, inclusive; empty: open-ended
  bool deleted = false;    // archived
};

// One write transaction on the store; rolled back if destroyed uncommitted.
// Not thread-safe.
class ServerTransaction {
 public:
  virtual ~ServerTransaction() = default;

  // The content digest of change (replica_id, replica_seq) if the store has
  // applied it, else nullopt.
  virtual absl::StatusOr<std::optional<uint64_t>> AppliedDigest(
      absl::string_view replica_id, uint64_t replica_seq) = 0;
  // The highest replica_seq applied of replica `replica_id`, compared as the
  // signed 64-bit integer the store keys it by, or nullopt if none is. A
  // change whose sequence number (so compared) is above it was not applied,
  // and needs no AppliedDigest lookup.
  virtual absl::StatusOr<std::optional<int64_t>> LastApplied(
      absl::string_view replica_id) = 0;
  // Records that change (replica_id, replica_seq) with `digest` was applied.
  virtual absl::Status RecordApplied(absl::string_view replica_id,
                                     uint64_t replica_seq, uint64_t digest) = 0;

  // The item of field `field_number` of a record (0 for a log entry), or
  // nullopt.
  virtual absl::StatusOr<std::optional<StoredItem>> GetItem(
      absl::string_view record_type, absl::string_view record_id,
      int field_number) = 0;
  // The home of record `record_id` (its type and bucket, fixed by its first
  // item), or nullopt if the store holds no item of it.
  virtual absl::StatusOr<std::optional<RecordHome>> GetRecordHome(
      absl::string_view record_id) = 0;
  // Stores `change`, whose serialization is `bytes`, as the item of
  // `field_number` (0 for a log entry), replacing any item there, under the
  // next sequence number of its bucket, which it returns. The first item of a
  // record fixes its home (one row per record id, its primary key); the store
  // refuses an item whose record lives under another type or in another
  // bucket, with FAILED_PRECONDITION. Callers check first to give the reason.
  virtual absl::StatusOr<int64_t> PutItem(const v1::Change& change,
                                          int field_number,
                                          absl::string_view bytes) = 0;

  // As PutItem, for the first item of a new record: nullopt, with nothing
  // written, if the record id has any item already (the primary key of its
  // home refuses the claim; the caller then reads what is there to say why).
  // For new log entries: no read first.
  virtual absl::StatusOr<std::optional<int64_t>> InsertItem(
      const v1::Change& change, int field_number, absl::string_view bytes) = 0;

  // The principal a replica (device) id is bound to, or nullopt if unbound.
  virtual absl::StatusOr<std::optional<std::string>> ReplicaOwner(
      absl::string_view replica_id) = 0;
  // Binds an unbound replica id to `principal_id`, for good. ALREADY_EXISTS
  // if it is bound (the store's unique constraint).
  virtual absl::Status BindReplica(absl::string_view replica_id,
                                   absl::string_view principal_id) = 0;

  // The grant row `id`, or nullopt.
  virtual absl::StatusOr<std::optional<Grant>> GetGrant(
      absl::string_view id) = 0;
  // Creates or replaces the grant row `grant.id`; the store's grants version
  // moves on when the transaction commits.
  virtual absl::Status PutGrant(const Grant& grant) = 0;

  // Locks the head rows of `buckets` (sorted, distinct) until the
  // transaction ends, before anything merged against is read: a concurrent
  // transaction writing one of them waits. Call it first with every bucket
  // the transaction will write; PutItem locks any other bucket it writes
  // (which can deadlock with another transaction: ABORTED, retry). A no-op
  // where writers are serialized anyway (SQLite).
  virtual absl::Status LockBuckets(const std::vector<std::string>& buckets) {
    return absl::OkStatus();
  }

  // A hint, after LockBuckets: the transaction is about to merge `changes`,
  // so the store may read at once what GetItem and GetRecordHome will ask of
  // their records, and hold the items they write until the next read it
  // cannot answer or the commit (a store across a network: a batch in a few
  // round trips instead of a few per change). Results are the same either
  // way; a conflict found only when the held writes reach the store (a
  // record id claimed meanwhile by a transaction of another bucket) is
  // ABORTED, as a deadlock is. A no-op where reads are local (SQLite).
  virtual absl::Status Prefetch(
      const google::protobuf::RepeatedPtrField<v1::Change>& changes) {
    return absl::OkStatus();
  }

  // ABORTED when a concurrent transaction got in the way (a serialization
  // failure, a deadlock, a change id applied meanwhile): nothing of this one
  // is stored; run it again from Begin.
  virtual absl::Status Commit() = 0;
};

// A change in a bucket's feed, with its sequence number.
struct FeedItem {
  int64_t seq = 0;
  v1::Change change;
};

// A device token as the server keeps it: never the token itself, only its
// SHA-256 digest.
struct TokenRecord {
  std::string token_id;      // public handle for listing and revoking
  std::string digest;        // SHA-256 of the token, 64 hex digits
  std::string principal_id;  // the user the token acts for
  std::string label;         // e.g. "Ms. Diaz's phone"
  int64_t created_ms = 0;    // Unix milliseconds
  int64_t revoked_ms = 0;    // 0 while the token is live
};

// Thread-safe: handlers on many threads share one store.
class ServerStore {
 public:
  virtual ~ServerStore() = default;

  // Starts a write transaction. SQLite serializes writers (a second Begin
  // waits until the first transaction ends); PostgreSQL runs them at once,
  // ordered per bucket by ServerTransaction::LockBuckets.
  virtual absl::StatusOr<std::unique_ptr<ServerTransaction>> Begin() = 0;

  // Up to `limit` items of `bucket` with sequence > `after`, in order,
  // appended to `out`.
  virtual absl::Status ReadFeed(absl::string_view bucket, int64_t after,
                                size_t limit, std::vector<FeedItem>* out) = 0;

  // Every bucket that holds at least one item.
  virtual absl::StatusOr<std::vector<std::string>> Buckets() = 0;

  // The highest sequence number of `bucket` (0 if empty).
  virtual absl::StatusOr<int64_t> Head(absl::string_view bucket) = 0;

  // Number of items (register winners and log entries) in the store.
  virtual absl::StatusOr<int64_t> ItemCount() = 0;

  // The principal replica id `replica_id` is bound to, or nullopt if
  // unbound, as last committed.
  virtual absl::StatusOr<std::optional<std::string>> ReplicaOwner(
      absl::string_view replica_id) = 0;

  // "ok" or what PRAGMA integrity_check (or the backend's check) finds.
  virtual absl::StatusOr<std::string> IntegrityCheck() = 0;

  // --- Grants -------------------------------------------------------------

  // Every grant row of `user_id` (its User row and its Assignments).
  virtual absl::StatusOr<std::vector<Grant>> GrantsOf(
      absl::string_view user_id) = 0;
  // A number that changes whenever a committed transaction changed a grant
  // (in this process or another one writing the same store).
  virtual absl::StatusOr<int64_t> GrantsVersion() = 0;

  // --- Device tokens (server/token_auth.h) ---------------------------------

  // Stores a new token. ALREADY_EXISTS if its id or digest is taken.
  virtual absl::Status AddToken(const TokenRecord& token) = 0;
  // The token whose digest is `digest`, revoked or not; nullopt if none.
  virtual absl::StatusOr<std::optional<TokenRecord>> FindToken(
      absl::string_view digest) = 0;
  // Tokens of `principal_id` (every token if empty), oldest first.
  virtual absl::StatusOr<std::vector<TokenRecord>> ListTokens(
      absl::string_view principal_id) = 0;
  // Marks token `token_id` revoked at `now_ms`. NOT_FOUND if there is no
  // such live token.
  virtual absl::Status RevokeToken(absl::string_view token_id,
                                   int64_t now_ms) = 0;

  // Writes a consistent copy of the whole store to the new file `path`
  // (owner-only) while the store serves; the copy opens as a store. NOT_FOUND
  // if `path`'s directory does not exist, ALREADY_EXISTS if `path` does;
  // UNIMPLEMENTED where the database has its own tools (PostgreSQL:
  // pg_dump).
  virtual absl::Status Backup(const std::string& path) {
    return absl::UnimplementedError(
        "this store has no backup command; use the database's own tools "
        "(PostgreSQL: pg_dump)");
  }

  // --- Other processes writing the same store -----------------------------

  using HeadsCallback = std::function<void(
      const absl::flat_hash_map<std::string, int64_t>& heads)>;
  using WatchedBuckets = std::function<std::vector<std::string>()>;
  // Tells the other processes serving this store that this process's
  // commits changed `heads` (bucket -> head). A no-op for a store one
  // process serves (SQLite).
  virtual void Announce(
      const absl::flat_hash_map<std::string, int64_t>& heads) {}
  // From now until the store is destroyed, calls `on_heads` (on a thread of
  // the store's) with the buckets other processes changed and their heads;
  // `watched` names the buckets worth re-reading when notices may have been
  // lost. A no-op for a store one process serves (SQLite).
  virtual absl::Status ListenForOtherProcesses(HeadsCallback on_heads,
                                               WatchedBuckets watched) {
    return absl::OkStatus();
  }
  // Stops the listening: when it returns, `on_heads` is not running and is
  // never called again.
  virtual void StopListeningForOtherProcesses() {}
};

namespace retry_internal {
inline const absl::Status& StatusOf(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& result) {
  return result.status();
}
}  // namespace retry_internal

// Runs `attempt` (one write transaction, Begin to Commit; returning a Status
// or a StatusOr) and runs it again
// while it returns ABORTED (a concurrent transaction got in the way, where
// writers run at once: PostgreSQL; nothing of it was stored), up to eight
// times in all; its last result.
template <typename Attempt>
auto RetryAborted(Attempt attempt) -> decltype(attempt()) {
  constexpr int kAttempts = 8;
  for (int i = 1;; ++i) {
    auto result = attempt();
    if (!absl::IsAborted(retry_internal::StatusOf(result)) || i == kAttempts) {
      return result;
    }
  }
}

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_SERVER_STORE_H_
