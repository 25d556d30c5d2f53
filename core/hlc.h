// Hybrid logical clock: 48 bits of milliseconds since the
// Unix epoch and 16 bits of counter in one uint64. Two stamps compare as plain
// integers; ties between replicas are broken by replica id (core/merge.h).
#ifndef PLANSYNC_CORE_HLC_H_
#define PLANSYNC_CORE_HLC_H_

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "core/clock.h"

namespace plansync {

using Hlc = uint64_t;

constexpr Hlc HlcPack(int64_t millis, uint16_t counter) {
  return (static_cast<uint64_t>(millis) << 16) | counter;
}
constexpr int64_t HlcMillis(Hlc hlc) { return static_cast<int64_t>(hlc >> 16); }
constexpr uint16_t HlcCounter(Hlc hlc) {
  return static_cast<uint16_t>(hlc & 0xFFFF);
}

// Default bound on how far ahead of the local physical clock a remote stamp
// may be: 5 minutes.
constexpr int64_t kDefaultMaxDriftMillis = 5 * 60 * 1000;

// Issues strictly increasing stamps that stay close to physical time and move
// past every stamp observed from elsewhere. Thread-safe.
class HybridClock {
 public:
  // `source` is not owned and must outlive the clock.
  explicit HybridClock(ClockSource* source,
                       int64_t max_drift_millis = kDefaultMaxDriftMillis)
      : source_(source), max_drift_millis_(max_drift_millis) {}

  // A stamp greater than every stamp this clock issued or observed before.
  Hlc Now();

  // Moves the clock past `remote`, so that the next Now() is greater. Returns
  // FAILED_PRECONDITION (reason CLOCK_DRIFT) and leaves the clock unchanged if
  // `remote` is more than the drift bound ahead of the physical clock.
  absl::Status Observe(Hlc remote);

  // Moves the clock past `stamp` with no drift check, for stamps already
  // accepted (e.g. the stamp of a stored value a new write overwrites).
  void Witness(Hlc stamp);

  // The last stamp issued or observed (0 before any).
  Hlc Last() const;

  int64_t max_drift_millis() const { return max_drift_millis_; }
  // The physical clock the stamps follow.
  ClockSource* source() const { return source_; }

 private:
  ClockSource* const source_;
  const int64_t max_drift_millis_;
  mutable absl::Mutex mu_;
  Hlc last_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace plansync

#endif  // PLANSYNC_CORE_HLC_H_
