// The replicator's view of the server: the sync protocol's calls, behind an
// interface so that a fault-injecting transport (tests) can stand between the
// replicator and the gRPC one.
#ifndef PLANSYNC_SYNC_TRANSPORT_H_
#define PLANSYNC_SYNC_TRANSPORT_H_

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "plansync/v1/sync.pb.h"

namespace plansync::sync {

// Errors are the server's status (UNAVAILABLE and DEADLINE_EXCEEDED for the
// network). Implementations are thread-safe.
class SyncTransport {
 public:
  virtual ~SyncTransport() = default;
  virtual absl::StatusOr<v1::HelloResponse> Hello(
      const v1::HelloRequest& request) = 0;
  virtual absl::StatusOr<v1::PushResponse> Push(
      const v1::PushRequest& request) = 0;
  // Calls `on_page` for each page as it arrives; stops at the first error
  // `on_page` returns and returns it.
  virtual absl::Status Pull(
      const v1::PullRequest& request,
      absl::FunctionRef<absl::Status(const v1::PullPage&)> on_page) = 0;
};

}  // namespace plansync::sync

#endif  // PLANSYNC_SYNC_TRANSPORT_H_
