#include "sync/grpc_transport.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/numbers.h"
#include "core/errors.h"

namespace plansync::sync {

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

// The same, with the server's retry hint (trailing metadata) attached.
absl::Status FromGrpcStatus(const grpc::Status& status,
                            const grpc::ClientContext& context) {
  absl::Status result = FromGrpcStatus(status);
  const auto& trailers = context.GetServerTrailingMetadata();
  auto hint = trailers.find(kRetryAfterMetadata);
  int64_t ms = 0;
  if (!result.ok() && hint != trailers.end() &&
      absl::SimpleAtoi(
          absl::string_view(hint->second.data(), hint->second.size()), &ms) &&
      ms >= 0) {
    // At most a minute, whatever a server says.
    result = WithRetryAfter(std::move(result),
                            std::min(absl::Milliseconds(ms), absl::Minutes(1)));
  }
  return result;
}

grpc::ChannelArguments DefaultChannelArguments() {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  args.SetMaxSendMessageSize(64 * 1024 * 1024);
  return args;
}

GrpcTransport::GrpcTransport(std::shared_ptr<grpc::Channel> channel,
                             TransportOptions options)
    : channel_(std::move(channel)),
      stub_(v1::SyncService::NewStub(channel_)),
      options_(std::move(options)) {}

void GrpcTransport::Prepare(grpc::ClientContext* context,
                            absl::Duration deadline) const {
  context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  AddCredentials(context);
}

void GrpcTransport::AddCredentials(grpc::ClientContext* context) const {
  if (!options_.token.empty()) {
    context->AddMetadata("authorization", "Bearer " + options_.token);
  } else {
    context->AddMetadata("x-plansync-principal", options_.principal_id);
  }
}

absl::StatusOr<v1::HelloResponse> GrpcTransport::Hello(
    const v1::HelloRequest& request) {
  grpc::ClientContext context;
  Prepare(&context, options_.hello_deadline);
  v1::HelloResponse response;
  grpc::Status status = stub_->Hello(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::StatusOr<v1::PushResponse> GrpcTransport::Push(
    const v1::PushRequest& request) {
  grpc::ClientContext context;
  Prepare(&context, options_.push_deadline);
  v1::PushResponse response;
  grpc::Status status = stub_->Push(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status, context);
  return response;
}

absl::Status GrpcTransport::Pull(
    const v1::PullRequest& request,
    absl::FunctionRef<absl::Status(const v1::PullPage&)> on_page) {
  grpc::ClientContext context;
  Prepare(&context, options_.pull_deadline);
  std::unique_ptr<grpc::ClientReader<v1::PullPage>> reader =
      stub_->Pull(&context, request);
  v1::PullPage page;
  while (reader->Read(&page)) {
    absl::Status status = on_page(page);
    if (!status.ok()) {
      context.TryCancel();
      reader->Finish().ok();
      return status;
    }
  }
  return FromGrpcStatus(reader->Finish());
}

absl::Status GrpcTransport::Watch(
    grpc::ClientContext* context, const v1::WatchRequest& request,
    const std::function<void(const v1::WatchEvent&)>& on_event,
    const std::function<void()>& on_open) {
  AddCredentials(context);
  std::unique_ptr<grpc::ClientReader<v1::WatchEvent>> reader =
      stub_->Watch(context, request);
  if (on_open) {
    reader->WaitForInitialMetadata();
    on_open();
  }
  v1::WatchEvent event;
  while (reader->Read(&event)) on_event(event);
  return FromGrpcStatus(reader->Finish());
}

}  // namespace plansync::sync
