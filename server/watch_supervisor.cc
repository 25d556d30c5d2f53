#include "server/watch_supervisor.h"

#include <cstdio>

#include "absl/container/flat_hash_set.h"
#include "core/status_macros.h"

namespace plansync::server {

WatchSupervisor::WatchSupervisor(SyncHandlers* handlers, ServerStore* store,
                                 absl::Duration interval)
    : handlers_(handlers),
      store_(store),
      interval_(interval),
      thread_([this] { Loop(); }) {}

WatchSupervisor::~WatchSupervisor() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void WatchSupervisor::Loop() {
  absl::MutexLock lock(&mu_);
  while (!stop_) {
    mu_.AwaitWithTimeout(absl::Condition(&stop_), interval_);
    if (stop_) break;
    mu_.Unlock();
    absl::Status status = CheckOnce();
    if (!status.ok()) {
      // The code only: messages may name records.
      std::fprintf(stderr,
                   "plansync-server: watch check failed (%s); retrying\n",
                   absl::StatusCodeToString(status.code()).c_str());
    }
    mu_.Lock();
  }
}

absl::Status WatchSupervisor::CheckOnce() {
  absl::MutexLock lock(&check_mu_);
  WatchHub& hub = handlers_->watch_hub();
  if (hub.size() == 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::vector<TokenRecord> tokens, store_->ListTokens(""));
  absl::flat_hash_set<std::string> revoked;
  for (const TokenRecord& token : tokens) {
    if (token.revoked_ms != 0) revoked.insert(token.token_id);
  }
  hub.Revoke(revoked);

  ASSIGN_OR_RETURN(int64_t version, store_->GrantsVersion());
  ASSIGN_OR_RETURN(const std::string day, handlers_->district_clock().Today());
  if (version == grants_version_ && day == day_) return absl::OkStatus();
  for (const std::string& principal : hub.Principals()) {
    AuthContext auth;
    auth.principal_id = principal;
    absl::StatusOr<std::vector<std::string>> buckets =
        handlers_->BucketsOf(auth);
    if (!buckets.ok() &&
        buckets.status().code() != absl::StatusCode::kPermissionDenied) {
      return buckets.status();
    }
    // An archived user keeps no bucket.
    hub.SetBuckets(principal, buckets.ok()
                                  ? absl::flat_hash_set<std::string>(
                                        buckets->begin(), buckets->end())
                                  : absl::flat_hash_set<std::string>());
  }
  grants_version_ = version;
  day_ = day;
  return absl::OkStatus();
}

}  // namespace plansync::server
