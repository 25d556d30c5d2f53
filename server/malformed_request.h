// gRPC answers a request message it cannot parse (malformed protobuf, or a
// proto3 string field that is not UTF-8) with INTERNAL and an empty message
// (UNIMPLEMENTED and an empty message for callback methods such as Watch),
// before any handler of ours runs. This server interceptor turns that answer
// into INVALID_ARGUMENT with a sentence naming the expected message type, so
// that no client input produces a bare INTERNAL. Our own handlers never
// answer with an empty message (ToGrpcStatus in grpc_service.h), so nothing
// else is rewritten.
#ifndef PLANSYNC_SERVER_MALFORMED_REQUEST_H_
#define PLANSYNC_SERVER_MALFORMED_REQUEST_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "grpcpp/support/server_interceptor.h"

namespace plansync::server {

// The message for a request to `method` ("/package.Service/Method") that
// could not be parsed, e.g. "the request is not a valid
// plansync.v1.PushRequest message (malformed protobuf, or a text field that
// is not UTF-8)". The type comes from the generated descriptor pool; an
// unknown method is named by its path.
std::string MalformedRequestMessage(absl::string_view method);

// Register with ServerBuilder::experimental().SetInterceptorCreators.
// `implemented_services` are the full names of the services the server
// implements every method of (e.g. "plansync.v1.SyncService"): only for
// them is a bare UNIMPLEMENTED known to be a request that did not parse.
// With `request_log`, each rewritten call also gets its request log line
// (the service never sees these calls). Thread-safe.
class MalformedRequestInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  MalformedRequestInterceptorFactory(
      std::vector<std::string> implemented_services, bool request_log)
      : implemented_services_(std::move(implemented_services)),
        request_log_(request_log) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  const std::vector<std::string> implemented_services_;
  const bool request_log_;
};

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_MALFORMED_REQUEST_H_
