// The gRPC face of the sync service: authenticates each call and hands it to
// SyncHandlers. Watch streams are callback reactors (no thread per idle
// stream) and may carry the changes they announce (WatchRequest); the other
// methods use the synchronous API.
#ifndef PLANSYNC_SERVER_GRPC_SERVICE_H_
#define PLANSYNC_SERVER_GRPC_SERVICE_H_

#include "plansync/v1/sync.grpc.pb.h"
#include "server/auth.h"
#include "server/sync_handlers.h"
#include "server/token_slots.h"
#include "server/work_queue.h"

namespace plansync::server {

struct GrpcServiceOptions {
  // One request log line per call on stderr (server/request_log.h).
  bool request_log = false;
};

// Thread-safe. Each token may hold at most ServerLimits'
// max_watch_streams_per_token open Watch streams and
// max_pulls_per_token running Pulls; a call beyond either is refused with
// RESOURCE_EXHAUSTED (reason TOO_MANY_STREAMS), and the slot is given back
// when the stream or pull ends, however it ends. Calls authenticated without
// a token (the development authenticator) are not limited.
class GrpcSyncService final : public v1::SyncService::WithCallbackMethod_Watch<
                                  v1::SyncService::Service> {
 public:
  // Neither owned; both must outlive the service.
  GrpcSyncService(SyncHandlers* handlers, const Authenticator* authenticator,
                  GrpcServiceOptions options = {});

  grpc::Status Hello(grpc::ServerContext* context,
                     const v1::HelloRequest* request,
                     v1::HelloResponse* response) override;
  grpc::Status Push(grpc::ServerContext* context,
                    const v1::PushRequest* request,
                    v1::PushResponse* response) override;
  grpc::Status Pull(grpc::ServerContext* context,
                    const v1::PullRequest* request,
                    grpc::ServerWriter<v1::PullPage>* writer) override;
  grpc::ServerWriteReactor<v1::WatchEvent>* Watch(
      grpc::CallbackServerContext* context,
      const v1::WatchRequest* request) override;

 private:
  SyncHandlers* const handlers_;
  const Authenticator* const authenticator_;
  const GrpcServiceOptions options_;
  TokenSlots watch_slots_;
  TokenSlots pull_slots_;
  // Reads the changes Watch events carry, off gRPC's threads and the
  // pushing thread that published them.
  WorkQueue delta_work_{2};
};

// An absl::Status as a grpc::Status (same code and message). An error with
// an empty message gets one naming its code, so that no answer of ours reads
// like gRPC's own INTERNAL for a request it could not parse
// (server/malformed_request.h).
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_GRPC_SERVICE_H_
