// Physical clock sources. Everything that reads the time takes a ClockSource so
// that tests can inject a FakeClock.
#ifndef PLANSYNC_CORE_CLOCK_H_
#define PLANSYNC_CORE_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace plansync {

// Milliseconds since the Unix epoch. Implementations are thread-safe.
class ClockSource {
 public:
  virtual ~ClockSource() = default;
  virtual int64_t NowMillis() = 0;
};

// The system's real-time clock.
class SystemClock final : public ClockSource {
 public:
  int64_t NowMillis() override;
  // A process-wide instance; never destroyed.
  static SystemClock* Get();
};

// A clock that moves only when told to. Thread-safe.
class FakeClock final : public ClockSource {
 public:
  explicit FakeClock(int64_t start_millis) : now_(start_millis) {}
  int64_t NowMillis() override { return now_.load(); }
  void Set(int64_t millis) { now_.store(millis); }
  void Advance(int64_t millis) { now_.fetch_add(millis); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace plansync

#endif  // PLANSYNC_CORE_CLOCK_H_
