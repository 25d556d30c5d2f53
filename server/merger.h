// Merges pushed batches into a ServerStore with the rules of core/merge.h:
// checks every change (core/change_check.h, the permission matrix of
// core/permissions.h for the caller's roles, references that stay in the
// bucket, the clock-drift bound), applies the batch in one transaction, keeps
// the grant rows of Assignment and User records in step, acknowledges
// duplicates idempotently, and writes a Conflict log entry when a register
// write was made without seeing the current winner (DESIGN.md section 4).
#ifndef PLANSYNC_SERVER_MERGER_H_
#define PLANSYNC_SERVER_MERGER_H_

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
  // replica id, stamped on the entries it writes.
  Merger(ServerStore* store, HybridClock* clock, IdGenerator* ids,
         std::string replica_id)
      : store_(store),
        clock_(clock),
        ids_(ids),
        replica_id_(std::move(replica_id)) {}

  // Applies `changes`, pushed by the principal of `access`, in one
  // transaction. A refused change gets REJECTED with its reason and does not
  // stop the others; an error return means the store failed and nothing was
  // applied.
  absl::StatusOr<BatchOutcome> Apply(
      const Access& access,
      const google::protobuf::RepeatedPtrField<v1::Change>& changes);

 private:
  ServerStore* const store_;
  HybridClock* const clock_;
  IdGenerator* const ids_;
  const std::string replica_id_;
};

// FNV-1a 64 of `bytes` (a change's serialization: what its id must keep).
uint64_t Fnv1a(absl::string_view bytes);

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_MERGER_H_
