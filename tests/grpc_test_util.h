// Raw gRPC calls for tests that must send bytes no generated stub would.
#ifndef PLANSYNC_TESTS_GRPC_TEST_UTIL_H_
#define PLANSYNC_TESTS_GRPC_TEST_UTIL_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"

namespace plansync::testing {

// Calls unary `method` ("/package.Service/Method") with `request` bytes;
// returns the status and stores the reply bytes in `reply`.
inline grpc::Status GenericUnaryCall(std::shared_ptr<grpc::Channel> channel,
                                     const std::string& method,
                                     const std::string& request,
                                     std::string* reply) {
  grpc::GenericStub stub(std::move(channel));
  grpc::ClientContext context;
  grpc::Slice slice(request);
  grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer reply_buffer;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request_buffer,
                 &reply_buffer, [&](grpc::Status s) {
                   std::lock_guard<std::mutex> lock(mu);
                   status = std::move(s);
                   done = true;
                   cv.notify_one();
                 });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });
  reply->clear();
  std::vector<grpc::Slice> slices;
  if (status.ok() && reply_buffer.Dump(&slices).ok()) {
    for (const grpc::Slice& part : slices) {
      reply->append(reinterpret_cast<const char*>(part.begin()), part.size());
    }
  }
  return status;
}

}  // namespace plansync::testing

#endif  // PLANSYNC_TESTS_GRPC_TEST_UTIL_H_
