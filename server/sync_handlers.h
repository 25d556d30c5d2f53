// The sync service's logic, independent of gRPC: Hello, Push and Pull take an
// AuthContext and protobuf messages. server/grpc_service.h serves them over
// gRPC; tests may also call them in-process. Holds no state a second server
// process would need: everything lives in the ServerStore.
#ifndef PLANSYNC_SERVER_SYNC_HANDLERS_H_
#define PLANSYNC_SERVER_SYNC_HANDLERS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "core/clock.h"
#include "core/hlc.h"
#include "core/uuid.h"
#include "plansync/v1/sync.pb.h"
#include "server/auth.h"
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
};

// Thread-safe.
class SyncHandlers {
 public:
  // `store` and `clock` are not owned and must outlive the handlers.
  SyncHandlers(ServerStore* store, ClockSource* clock, ServerLimits limits,
               uint64_t seed);

  absl::StatusOr<v1::HelloResponse> Hello(const AuthContext& auth,
                                          const v1::HelloRequest& request);

  // RESOURCE_EXHAUSTED (reason BATCH_TOO_LARGE) for more changes than the
  // limit, with nothing applied; otherwise one result per change.
  absl::StatusOr<v1::PushResponse> Push(const AuthContext& auth,
                                        const v1::PushRequest& request);

  // Streams pages through `send`, which returns false when the client has
  // gone (the pull then stops with CANCELLED).
  absl::Status Pull(const AuthContext& auth, const v1::PullRequest& request,
                    absl::FunctionRef<bool(const v1::PullPage&)> send);

  // The buckets `auth` may read.
  absl::StatusOr<std::vector<std::string>> BucketsOf(const AuthContext& auth);

  WatchHub& watch_hub() { return hub_; }
  const ServerLimits& limits() const { return limits_; }
  HybridClock& clock() { return hlc_; }

 private:
  ServerStore* const store_;
  const ServerLimits limits_;
  HybridClock hlc_;
  IdGenerator ids_;
  const std::string replica_id_;
  Merger merger_;
  WatchHub hub_;
};

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_SYNC_HANDLERS_H_
