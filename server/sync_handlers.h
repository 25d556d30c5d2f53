// The sync service's logic, independent of gRPC: Hello, Push and Pull take an
// AuthContext and protobuf messages. server/grpc_service.h serves them over
// gRPC; tests may also call them in-process. Holds no state a second server
// process would need: everything lives in the ServerStore.
#ifndef PLANSYNC_SERVER_SYNC_HANDLERS_H_
#define PLANSYNC_SERVER_SYNC_HANDLERS_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "core/clock.h"
#include "core/hlc.h"
#include "core/uuid.h"
#include "plansync/v1/sync.pb.h"
#include "server/access.h"
#include "server/access_log.h"
#include "server/auth.h"
#include "server/district_clock.h"
#include "server/merger.h"
#include "server/server_store.h"
#include "server/watch_hub.h"

namespace plansync::server {

struct ServerLimits {
  // Most changes in one Push.
  uint32_t max_changes_per_push = 1000;
  // Largest message received or sent, in bytes.
  uint32_t max_message_bytes = 16 * 1024 * 1024;
  // How far ahead of the server's clock a change may be stamped (ms).
  int64_t max_clock_drift_ms = kDefaultMaxDriftMillis;
  // Most changes in one PullPage.
  uint32_t pull_page_changes = 10000;
  // Largest serialized Change in a push.
  uint32_t max_change_bytes = 64 * 1024;
  // Most bucket cursors in one PullRequest.
  uint32_t max_pull_cursors = 1000;
  // Most bytes of changes in one Pull; the pull then ends with `more`.
  uint64_t max_pull_bytes = 64 * 1024 * 1024;
  // Per token: most open Watch streams, most Pulls running at once. Far
  // above what a real device opens.
  uint32_t max_watch_streams_per_token = 16;
  uint32_t max_pulls_per_token = 4;
  // Most pushes being merged or waiting for the store at once; more are
  // refused at once with RESOURCE_EXHAUSTED and a hint to try again after
  // push_retry_after_ms, rather than queued without bound.
  uint32_t max_pushes_in_flight = 64;
  int64_t push_retry_after_ms = 200;
  // How often the access log's counts of repeated pulls are written (see
  // server/access_log.h); a new accessor, day or type of record is written
  // at once.
  int64_t access_log_refresh_ms = 5 * 60 * 1000;
  // Most changes a Watch event carries inline; more and it is a poke.
  uint32_t max_watch_delta_changes = 100;
};

// Thread-safe.
class SyncHandlers {
 public:
  // `store` and `clock` are not owned and must outlive the handlers.
  SyncHandlers(ServerStore* store, ClockSource* clock, ServerLimits limits,
               uint64_t seed);

  // Pull cursors are opaque to devices: the feed position, the caller's role
  // set on the bucket and the device's schema version when the cursor was
  // issued, so that a change of roles or an upgrade is noticed on the next
  // pull (the bucket is then sent afresh).
  static int64_t EncodeCursor(int64_t seq, RoleSet view, uint32_t version = 1);
  static int64_t CursorSeq(int64_t cursor);
  static RoleSet CursorView(int64_t cursor);
  static uint32_t CursorVersion(int64_t cursor);

  // Binds the request's replica id to the caller (the first principal to
  // use a replica id owns it): PERMISSION_DENIED (REPLICA_NOT_OWNED) if it is
  // another's, INVALID_ARGUMENT (MALFORMED_ID) if it is not a UUID.
  absl::StatusOr<v1::HelloResponse> Hello(const AuthContext& auth,
                                          const v1::HelloRequest& request);

  // RESOURCE_EXHAUSTED (reason BATCH_TOO_LARGE) for more changes than the
  // limit, with nothing applied; otherwise one result per change.
  absl::StatusOr<v1::PushResponse> Push(const AuthContext& auth,
                                        const v1::PushRequest& request);

  // Streams pages through `send`, which returns false when the client has
  // gone (the pull then stops with CANCELLED). Only records the caller's
  // roles may read, of types and fields no newer than the request's schema
  // version, are sent; buckets the caller may no longer read, or whose
  // readable types shrank since the cursor was issued, are evicted. A bucket
  // named twice is pulled once, from its lower cursor; more distinct buckets
  // than max_pull_cursors is RESOURCE_EXHAUSTED (TOO_MANY_CURSORS). Past
  // max_pull_bytes the pull ends early with `more` on its last page. The
  // pull is then written to the access log of each student it returned
  // records of.
  absl::Status Pull(const AuthContext& auth, const v1::PullRequest& request,
                    absl::FunctionRef<bool(const v1::PullPage&)> send);

  // The changes of `bucket` after `from_cursor` that `auth` may read, as a
  // Pull from that cursor (skipping none of the device's own) would send
  // them, and logged as such a pull; nullopt when the event must be a
  // poke: a cursor of 0 or issued for other roles or another schema
  // version, a bucket the caller may not read, more than
  // max_watch_delta_changes changes, or more than four times as many items
  // to read through.
  absl::StatusOr<std::optional<v1::WatchDelta>> ReadDelta(
      const AuthContext& auth, const std::string& bucket, int64_t from_cursor,
      uint32_t schema_version);

  // OK if `replica_id` is bound to the caller (by Hello); INVALID_ARGUMENT
  // (MALFORMED_ID) if it is not a UUID, PERMISSION_DENIED
  // (REPLICA_NOT_OWNED) otherwise.
  absl::Status CheckReplicaOwner(const AuthContext& auth,
                                 const std::string& replica_id);

  // The buckets `auth` may read: every bucket for administrators, the
  // students the caller is assigned to otherwise, and the directory for
  // anyone with a role. PERMISSION_DENIED for an archived user.
  absl::StatusOr<std::vector<std::string>> BucketsOf(const AuthContext& auth);

  // Writes the access log's held counts: those due (`all` false, called
  // periodically) or all of them (at shutdown); pokes the buckets written.
  // Returns how many pulls were written.
  absl::StatusOr<int64_t> FlushAccessLog(bool all);

  WatchHub& watch_hub() { return hub_; }
  const ServerLimits& limits() const { return limits_; }
  HybridClock& clock() { return hlc_; }
  AccessResolver& access() { return access_; }
  DistrictClock& district_clock() { return district_clock_; }

 private:
  absl::StatusOr<std::vector<std::string>> BucketsOf(const Access& access);
  absl::Status BindReplica(const AuthContext& auth,
                           const std::string& replica_id);

  ServerStore* const store_;
  const ServerLimits limits_;
  HybridClock hlc_;
  IdGenerator ids_;
  const std::string replica_id_;
  Merger merger_;
  DistrictClock district_clock_;
  AccessResolver access_;
  AccessLog access_log_;
  WatchHub hub_;
  std::atomic<uint32_t> pushes_in_flight_{0};
};

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_SYNC_HANDLERS_H_
