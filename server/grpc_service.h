// The gRPC face of the sync service: authenticates each call and hands it to
// SyncHandlers. Watch streams are callback reactors (no thread per idle
// stream); the other methods use the synchronous API.
#ifndef PLANSYNC_SERVER_GRPC_SERVICE_H_
#define PLANSYNC_SERVER_GRPC_SERVICE_H_

#include "plansync/v1/sync.grpc.pb.h"
#include "server/auth.h"
#include "server/sync_handlers.h"

namespace plansync::server {

class GrpcSyncService final : public v1::SyncService::WithCallbackMethod_Watch<
                                  v1::SyncService::Service> {
 public:
  // Neither owned; both must outlive the service.
  GrpcSyncService(SyncHandlers* handlers, const Authenticator* authenticator)
      : handlers_(handlers), authenticator_(authenticator) {}

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
};

// An absl::Status as a grpc::Status (same code and message).
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_GRPC_SERVICE_H_
