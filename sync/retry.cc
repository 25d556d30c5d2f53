#include "sync/retry.h"

#include <algorithm>

#include "core/errors.h"

namespace plansync::sync {

bool IsRetryable(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kDeadlineExceeded;
}

bool IsBusy(const absl::Status& status) {
  return status.code() == absl::StatusCode::kResourceExhausted &&
         RetryAfterOf(status).has_value();
}

absl::Duration Backoff::AfterHint(absl::Duration after) {
  std::uniform_real_distribution<double> spread(1.0, 1.0 + 2 * policy_.jitter);
  return after * spread(rng_);
}

absl::Duration Backoff::Next() {
  absl::Duration base = policy_.initial_backoff;
  for (int i = 0; i < attempt_ && base < policy_.max_backoff; ++i) {
    base = base * policy_.multiplier;
  }
  base = std::min(base, policy_.max_backoff);
  ++attempt_;
  std::uniform_real_distribution<double> spread(1.0 - policy_.jitter,
                                                1.0 + policy_.jitter);
  return base * spread(rng_);
}

absl::Status RetryCall(const RetryPolicy& policy, Backoff& backoff,
                       const Sleeper& sleep,
                       const std::function<absl::Status()>& call) {
  backoff.Reset();
  absl::Status status;
  absl::Duration busy_waited;
  for (int attempt = 1;;) {
    status = call();
    if (IsBusy(status)) {
      const absl::Duration wait = backoff.AfterHint(*RetryAfterOf(status));
      if (busy_waited + wait <= policy.max_busy_wait) {
        busy_waited += wait;
        sleep(wait);
        continue;
      }
    }
    if (status.ok() || !IsRetryable(status) || attempt >= policy.max_attempts) {
      return status;
    }
    ++attempt;
    sleep(backoff.Next());
  }
}

}  // namespace plansync::sync
