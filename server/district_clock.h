// The district's day on the server: the clock's day in the time zone of the
// directory's District record (core/district.h). The access log's days and
// the assignment days that decide who may read what are taken from it.
#ifndef PLANSYNC_SERVER_DISTRICT_CLOCK_H_
#define PLANSYNC_SERVER_DISTRICT_CLOCK_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "plansync/v1/records.pb.h"
#include "server/server_store.h"

namespace plansync::server {

// Follows the directory's feed for District records. A setting written
// through this process or another one on the same store (`plansync-server
// admin`) takes effect within `refresh` of the clock. Thread-safe.
class DistrictClock {
 public:
  // Neither owned; both must outlive the clock.
  DistrictClock(ServerStore* store, ClockSource* clock,
                absl::Duration refresh = absl::Seconds(1))
      : store_(store),
        clock_(clock),
        refresh_ms_(refresh / absl::Milliseconds(1)) {}

  // The day, "YYYY-MM-DD", at `unix_ms` in the district's time zone. A zone
  // this machine does not know counts as UTC, and is reported once on stderr
  // (its name only) so that the operator installs tzdata.
  absl::StatusOr<std::string> DayAt(int64_t unix_ms);
  // DayAt the clock's now.
  absl::StatusOr<std::string> Today() { return DayAt(clock_->NowMillis()); }
  // The clock read by Today().
  ClockSource* clock() const { return clock_; }

 private:
  // Reads the directory's feed past what was read; recomputes the zone.
  absl::Status CatchUp() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ServerStore* const store_;
  ClockSource* const clock_;
  const int64_t refresh_ms_;
  absl::Mutex mu_;
  bool loaded_ ABSL_GUARDED_BY(mu_) = false;
  int64_t checked_ms_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t after_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, v1::District> districts_ ABSL_GUARDED_BY(mu_);
  std::string zone_name_ ABSL_GUARDED_BY(mu_);
  absl::TimeZone zone_ ABSL_GUARDED_BY(mu_) = absl::UTCTimeZone();
};

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_DISTRICT_CLOCK_H_
