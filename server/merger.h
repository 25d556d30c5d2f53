// Merges pushed batches into a ServerStore with the rules of core/merge.h:
// checks every change (core/change_check.h, the permission matrix of
// core/permissions.h for the caller's roles, references that stay in the
// bucket, the clock-drift bound), applies the batch in one transaction, keeps
// the grant rows of Assignment and User records in step, acknowledges
// duplicates idempotently, and writes a Conflict log entry when a register
// write was made without seeing the current winner (README, "Sync").
#ifndef PLANSYNC_SERVER_MERGER_H_
#define PLANSYNC_SERVER_MERGER_H_

#include <atomic>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/hlc.h"
#include "core/uuid.h"
#include "plansync/v1/sync.pb.h"
#include "server/access.h"
#include "server/server_store.h"

namespace plansync::server {

// The principal that authors server-written log entries.
inline constexpr absl::string_view kServerPrincipal = "plansync-server";

struct BatchOutcome {
  std::vector<v1::ChangeResult> results;  // one per change, in order
  // Buckets that gained items, with their new head sequence.
  absl::flat_hash_map<std::string, int64_t> changed_buckets;
};

// Thread-safe (the store serializes batches).
class Merger {
 public:
  // None owned; all must outlive the merger. `replica_id` is the server's
  // replica id, stamped on the entries it writes. Changes larger than
  // `max_change_bytes` (serialized) are refused.
  Merger(ServerStore* store, HybridClock* clock, IdGenerator* ids,
         std::string replica_id, size_t max_change_bytes = 64 * 1024)
      : store_(store),
        clock_(clock),
        ids_(ids),
        replica_id_(std::move(replica_id)),
        max_change_bytes_(max_change_bytes) {}

  // Applies `changes`, pushed by the principal of `access`, in one
  // transaction. A refused change gets REJECTED with its reason and does not
  // stop the others, and leaves nothing stored: REPLICA_NOT_OWNED (a replica
  // id bound to another principal), BATCH_TOO_LARGE (a change over the size
  // bound), WRONG_BUCKET or DUPLICATE_ID (a record id that lives elsewhere),
  // IMMUTABLE_FIELD, and every reason of CheckChange and AuthorizeChange. An
  // accepted change binds an unbound replica id to the caller. An error
  // return means the store failed and nothing was applied.
  absl::StatusOr<BatchOutcome> Apply(
      const Access& access,
      const google::protobuf::RepeatedPtrField<v1::Change>& changes);

  // Binds the server's own replica id to kServerPrincipal in `txn` unless
  // that is known done; true if it wrote the binding, in which case the
  // caller calls ServerReplicaCommitted once `txn` commits.
  absl::StatusOr<bool> BindServerReplica(ServerTransaction& txn);
  void ServerReplicaCommitted();

 private:
  // One attempt of Apply: ABORTED if a concurrent transaction got in the
  // way (nothing stored).
  absl::StatusOr<BatchOutcome> ApplyOnce(
      const Access& access,
      const google::protobuf::RepeatedPtrField<v1::Change>& changes);

  ServerStore* const store_;
  HybridClock* const clock_;
  IdGenerator* const ids_;
  const std::string replica_id_;
  const size_t max_change_bytes_;
  std::atomic<bool> server_replica_bound_{false};
};

// The content digest the server keeps of each applied change (of `bytes`,
// its serialization: what its change id must keep): Hash64::Of (core/hash64.h),
// the same on every machine, so that a store file gives the same answers
// wherever it is opened. A forged collision only makes the forger's own
// change id look repeated.
uint64_t ChangeDigest(absl::string_view bytes);

// FNV-1a 64 of `bytes`: the digest earlier servers kept. Their stored
// digests still match a repeated change (see Merger::Apply).
uint64_t Fnv1a(absl::string_view bytes);

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_MERGER_H_
