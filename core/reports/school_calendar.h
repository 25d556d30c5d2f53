// Days for the reports: ISO 8601 day text, and the school days of a school
// (weekdays minus its closures).
#ifndef PLANSYNC_CORE_REPORTS_SCHOOL_CALENDAR_H_
#define PLANSYNC_CORE_REPORTS_SCHOOL_CALENDAR_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "core/day.h"
#include "plansync/v1/records.pb.h"

namespace plansync::reports {

using plansync::Day;
using plansync::DayOfInstant;
using plansync::FormatDay;
using plansync::IsWeekday;
using plansync::MondayOf;
using plansync::ParseDay;

// True if `holiday` closes `school`: it names no school (every school) or
// names `school`, in any case. Archived holidays close nothing.
bool HolidayAppliesTo(const v1::SchoolHoliday& holiday,
                      absl::string_view school);

// The school days of one school. Immutable after construction; thread-safe.
class SchoolCalendar {
 public:
  // Closures of `school`: the holidays naming it and those naming no school.
  // Archived or malformed holidays are ignored.
  SchoolCalendar(absl::string_view school,
                 const std::vector<v1::SchoolHoliday>& holidays);

  bool IsSchoolDay(Day day) const;
  // The school days from `from` to `to`, both included, in order.
  std::vector<Day> SchoolDays(Day from, Day to) const;
  // The day `n` (>= 0) school days after `from` (not counting `from`).
  Day AddSchoolDays(Day from, int n) const;
  // The day `n` (>= 0) weekdays after `from`.
  static Day AddWeekdays(Day from, int n);
  // The day `n` calendar days after `from`, not counting the days of any
  // closure (a run of days with no school) holding more than
  // `longest_counted` weekdays; 0 counts every day.
  Day AddCalendarDaysSkippingBreaks(Day from, int n, int longest_counted) const;

 private:
  absl::flat_hash_set<Day> closed_;
};

}  // namespace plansync::reports

#endif  // PLANSYNC_CORE_REPORTS_SCHOOL_CALENDAR_H_
