#include "core/hlc.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/errors.h"

namespace plansync {

Hlc HybridClock::Now() {
  const Hlc physical = HlcPack(source_->NowMillis(), 0);
  absl::MutexLock lock(&mu_);
  // Physical time ahead of everything seen: take it. Otherwise count up; a
  // counter overflow carries into the milliseconds, which stays monotonic.
  last_ = physical > last_ ? physical : last_ + 1;
  return last_;
}

absl::Status HybridClock::Observe(Hlc remote) {
  const int64_t physical_millis = source_->NowMillis();
  if (HlcMillis(remote) > physical_millis + max_drift_millis_) {
    return ReasonError(
        v1::CLOCK_DRIFT,
        absl::StrCat("a clock stamp is ", HlcMillis(remote) - physical_millis,
                     " ms ahead of this clock; the limit is ",
                     max_drift_millis_, " ms"));
  }
  absl::MutexLock lock(&mu_);
  last_ = std::max(last_, remote);
  return absl::OkStatus();
}

void HybridClock::Witness(Hlc stamp) {
  absl::MutexLock lock(&mu_);
  last_ = std::max(last_, stamp);
}

Hlc HybridClock::Last() const {
  absl::MutexLock lock(&mu_);
  return last_;
}

}  // namespace plansync
