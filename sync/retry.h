// Retrying calls that failed for want of a network: exponential backoff with
// jitter, on UNAVAILABLE and DEADLINE_EXCEEDED; and calls a busy server
// refused (RESOURCE_EXHAUSTED with a retry hint, core/errors.h), after the
// hint. Any other refusal is never retried.
#ifndef PLANSYNC_SYNC_RETRY_H_
#define PLANSYNC_SYNC_RETRY_H_

#include <functional>
#include <random>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace plansync::sync {

struct RetryPolicy {
  // Attempts in all, the first included.
  int max_attempts = 6;
  absl::Duration initial_backoff = absl::Milliseconds(100);
  double multiplier = 2.0;
  absl::Duration max_backoff = absl::Seconds(10);
  // Each wait is drawn uniformly from [1 - jitter, 1 + jitter] times the
  // backoff.
  double jitter = 0.2;
  // How long in all a call waits out a busy server's refusals (each for
  // its hint, spread over [1, 1 + 2 jitter] times it), besides the attempts
  // above: an overloaded server says so at once and its devices come back
  // later, for as long as this allows.
  absl::Duration max_busy_wait = absl::Minutes(2);
};

// True for the codes a retry may cure.
bool IsRetryable(const absl::Status& status);
// A busy server's refusal: RESOURCE_EXHAUSTED with a retry hint.
bool IsBusy(const absl::Status& status);

// The waits between attempts. Not thread-safe.
class Backoff {
 public:
  Backoff(const RetryPolicy& policy, uint64_t seed)
      : policy_(policy), rng_(seed) {}
  // The next wait; grows by the multiplier up to max_backoff.
  absl::Duration Next();
  // The wait after a busy refusal with hint `after`: [1, 1 + 2 jitter] times
  // it (never sooner than the server asked).
  absl::Duration AfterHint(absl::Duration after);
  void Reset() { attempt_ = 0; }

 private:
  const RetryPolicy policy_;
  std::mt19937_64 rng_;
  int attempt_ = 0;
};

// How the replicator waits; tests inject one that does not sleep.
using Sleeper = std::function<void(absl::Duration)>;

// Runs `call` until it succeeds, fails with a non-retryable status, or the
// policy's attempts (or its busy wait) are spent; waits between attempts with
// `backoff`, and after a busy refusal as its hint says.
absl::Status RetryCall(const RetryPolicy& policy, Backoff& backoff,
                       const Sleeper& sleep,
                       const std::function<absl::Status()>& call);

}  // namespace plansync::sync

#endif  // PLANSYNC_SYNC_RETRY_H_
