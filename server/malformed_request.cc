#include "server/malformed_request.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "google/protobuf/descriptor.h"
#include "server/request_log.h"

namespace plansync::server {
namespace {

using grpc::experimental::InterceptionHookPoints;

// The request type of `method` ("/package.Service/Method"), or "" if the
// generated pool does not know it.
std::string RequestTypeOf(absl::string_view method) {
  if (!absl::ConsumePrefix(&method, "/")) return "";
  const google::protobuf::MethodDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
          absl::StrReplaceAll(method, {{"/", "."}}));
  return descriptor == nullptr ? "" : descriptor->input_type()->full_name();
}

class MalformedRequestInterceptor final
    : public grpc::experimental::Interceptor {
 public:
  MalformedRequestInterceptor(std::string method, bool implemented,
                              bool request_log)
      : method_(std::move(method)),
        implemented_(implemented),
        request_log_(request_log) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      const bool unparsed =
          status.error_code() == grpc::StatusCode::INTERNAL ||
          (implemented_ &&
           status.error_code() == grpc::StatusCode::UNIMPLEMENTED);
      if (unparsed && status.error_message().empty()) {
        methods->ModifySendStatus(
            grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                         MalformedRequestMessage(method_)));
        if (request_log_) Log();
      }
    }
    methods->Proceed();
  }

 private:
  void Log() const {
    RequestLogEntry entry;
    entry.method = method_.substr(method_.rfind('/') + 1);
    entry.code = absl::StatusCode::kInvalidArgument;
    entry.counts.emplace_back("malformed", 1);
    entry.duration_ms = absl::ToInt64Milliseconds(absl::Now() - start_);
    WriteRequestLog(entry);
  }

  const std::string method_;
  const bool implemented_;  // a method of an implemented service
  const bool request_log_;
  const absl::Time start_ = absl::Now();
};

}  // namespace

std::string MalformedRequestMessage(absl::string_view method) {
  const std::string type = RequestTypeOf(method);
  return absl::StrCat("the request is not a valid ",
                      type.empty() ? absl::StrCat(method, " request") : type,
                      " message (malformed protobuf, or a text field that is "
                      "not UTF-8)");
}

grpc::experimental::Interceptor*
MalformedRequestInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  const std::string method = info->method() == nullptr ? "" : info->method();
  // "/package.Service/Method": the service is between the slashes.
  const std::string service = method.substr(
      method.empty() ? 0 : 1,
      method.rfind('/') == std::string::npos ? 0 : method.rfind('/') - 1);
  const bool implemented =
      std::find(implemented_services_.begin(), implemented_services_.end(),
                service) != implemented_services_.end();
  return new MalformedRequestInterceptor(method, implemented, request_log_);
}

}  // namespace plansync::server
