// In-process sync for tests: a transport that calls the server's handlers
// directly, and a fault-injecting transport that drops, duplicates, replays
// and cuts off calls, under a seed.
#ifndef PLANSYNC_TESTS_SYNC_TEST_UTIL_H_
#define PLANSYNC_TESTS_SYNC_TEST_UTIL_H_

#include <random>
#include <string>
#include <vector>

#include "server/auth.h"
#include "server/sync_handlers.h"
#include "sync/transport.h"

namespace plansync::testing {

// Calls SyncHandlers in-process as `principal` (unrestricted unless told).
class DirectTransport final : public sync::SyncTransport {
 public:
  DirectTransport(server::SyncHandlers* handlers, std::string principal,
                  bool unrestricted = true)
      : handlers_(handlers) {
    auth_.principal_id = std::move(principal);
    auth_.unrestricted = unrestricted;
  }
  absl::StatusOr<v1::HelloResponse> Hello(
      const v1::HelloRequest& request) override {
    return handlers_->Hello(auth_, request);
  }
  absl::StatusOr<v1::PushResponse> Push(
      const v1::PushRequest& request) override {
    return handlers_->Push(auth_, request);
  }
  absl::Status Pull(
      const v1::PullRequest& request,
      absl::FunctionRef<absl::Status(const v1::PullPage&)> on_page) override {
    absl::Status page_status;
    absl::Status status =
        handlers_->Pull(auth_, request, [&](const v1::PullPage& page) {
          page_status = on_page(page);
          return page_status.ok();
        });
    return page_status.ok() ? status : page_status;
  }

 private:
  server::SyncHandlers* const handlers_;
  server::AuthContext auth_;
};

// Fault rates, each a probability per call.
struct Faults {
  double drop_request = 0;   // fail before the server sees the call
  double drop_response = 0;  // the server acts, the device hears UNAVAILABLE
  double duplicate = 0;      // a push reaches the server twice
  double replay_old = 0;     // an earlier push is delivered again, late
  double cut_pull = 0;       // a pull stream breaks after a page
};

// Wraps another transport and injects faults, deterministically under a
// seed. `partitioned` cuts the device off entirely. Not thread-safe.
class FaultTransport final : public sync::SyncTransport {
 public:
  FaultTransport(sync::SyncTransport* inner, Faults faults, uint64_t seed)
      : inner_(inner), faults_(faults), rng_(seed) {}

  void set_partitioned(bool partitioned) { partitioned_ = partitioned; }
  void set_faults(Faults faults) { faults_ = faults; }

  absl::StatusOr<v1::HelloResponse> Hello(
      const v1::HelloRequest& request) override {
    if (partitioned_ || Chance(faults_.drop_request)) return Unavailable();
    return inner_->Hello(request);
  }

  absl::StatusOr<v1::PushResponse> Push(
      const v1::PushRequest& request) override {
    if (partitioned_ || Chance(faults_.drop_request)) return Unavailable();
    if (!sent_.empty() && Chance(faults_.replay_old)) {
      inner_->Push(sent_[rng_() % sent_.size()]).IgnoreError();
    }
    sent_.push_back(request);
    if (sent_.size() > 16) sent_.erase(sent_.begin());
    absl::StatusOr<v1::PushResponse> response = inner_->Push(request);
    if (response.ok() && Chance(faults_.duplicate)) {
      response = inner_->Push(request);
    }
    if (Chance(faults_.drop_response)) return Unavailable();
    return response;
  }

  absl::Status Pull(
      const v1::PullRequest& request,
      absl::FunctionRef<absl::Status(const v1::PullPage&)> on_page) override {
    if (partitioned_ || Chance(faults_.drop_request)) return Unavailable();
    const bool cut = Chance(faults_.cut_pull);
    int pages = 0;
    absl::Status status =
        inner_->Pull(request, [&](const v1::PullPage& page) -> absl::Status {
          if (cut && pages > 0) return Unavailable();
          ++pages;
          return on_page(page);
        });
    return status;
  }

 private:
  bool Chance(double p) {
    return std::uniform_real_distribution<double>(0, 1)(rng_) < p;
  }
  static absl::Status Unavailable() {
    return absl::UnavailableError("injected network fault");
  }

  sync::SyncTransport* const inner_;
  Faults faults_;
  std::mt19937_64 rng_;
  bool partitioned_ = false;
  std::vector<v1::PushRequest> sent_;
};

}  // namespace plansync::testing

#endif  // PLANSYNC_TESTS_SYNC_TEST_UTIL_H_
