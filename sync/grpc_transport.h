// SyncTransport over a gRPC channel, with a deadline on every call.
#ifndef PLANSYNC_SYNC_GRPC_TRANSPORT_H_
#define PLANSYNC_SYNC_GRPC_TRANSPORT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "plansync/v1/sync.grpc.pb.h"
#include "sync/transport.h"

namespace plansync::sync {

// Transport policy: configuration, not literals scattered through the code.
struct TransportOptions {
  // The device token, sent as "authorization: Bearer <token>" on every call.
  std::string token;
  // Without a token: the principal named to a server running the
  // development authenticator (in-process tests and benchmarks only;
  // plansync-server accepts tokens alone).
  std::string principal_id;
  absl::Duration hello_deadline = absl::Seconds(10);
  absl::Duration push_deadline = absl::Seconds(30);
  // A pull streams a whole bootstrap; its deadline covers the stream.
  absl::Duration pull_deadline = absl::Minutes(5);
};

// Channel arguments for plansync clients: keepalive pings on idle
// connections and message sizes matching the server's limits.
grpc::ChannelArguments DefaultChannelArguments();

class GrpcTransport final : public SyncTransport {
 public:
  GrpcTransport(std::shared_ptr<grpc::Channel> channel,
                TransportOptions options);

  absl::StatusOr<v1::HelloResponse> Hello(
      const v1::HelloRequest& request) override;
  absl::StatusOr<v1::PushResponse> Push(
      const v1::PushRequest& request) override;
  absl::Status Pull(
      const v1::PullRequest& request,
      absl::FunctionRef<absl::Status(const v1::PullPage&)> on_page) override;

  // Opens a Watch stream on `context` (which the caller may TryCancel) with
  // `request`, calls `on_open` (if set) once the server has answered the
  // call, and `on_event` for each event until the stream ends; returns how
  // it ended.
  absl::Status Watch(grpc::ClientContext* context,
                     const v1::WatchRequest& request,
                     const std::function<void(const v1::WatchEvent&)>& on_event,
                     const std::function<void()>& on_open = {});

  // Sets the deadline and the credentials every call carries.
  void Prepare(grpc::ClientContext* context, absl::Duration deadline) const;
  // Sets the credentials alone (Watch streams have no deadline).
  void AddCredentials(grpc::ClientContext* context) const;

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SyncService::Stub> stub_;
  const TransportOptions options_;
};

// A grpc::Status as an absl::Status (same code and message).
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace plansync::sync

#endif  // PLANSYNC_SYNC_GRPC_TRANSPORT_H_
