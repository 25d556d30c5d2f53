// Calendar days as the records write them: ISO 8601 "YYYY-MM-DD" text, and
// RFC 3339 UTC instants whose day is the text's first ten characters.
#ifndef PLANSYNC_CORE_DAY_H_
#define PLANSYNC_CORE_DAY_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace plansync {

using Day = absl::CivilDay;

// "YYYY-MM-DD" -> Day; nullopt for anything else (including "" and days
// that do not exist, such as 2026-02-30).
std::optional<Day> ParseDay(absl::string_view text);
// ParseDay for a day a caller gave: INVALID_ARGUMENT (reason MALFORMED_DATE)
// naming `text` if it is not one.
absl::StatusOr<Day> RequireDay(absl::string_view text);
// The day of an RFC 3339 UTC instant ("2026-09-17T14:00:00Z"), or nullopt.
std::optional<Day> DayOfInstant(absl::string_view text);
std::string FormatDay(Day day);
// The Monday on or before `day`.
Day MondayOf(Day day);
bool IsWeekday(Day day);
// `day` moved by `months` calendar months (negative: back), to the same day
// of the month or the month's last day (29 February + 12 months -> 28
// February).
Day AddMonths(Day day, int months);
// August 1 of the school year that holds `day`.
Day SchoolYearStart(Day day);

}  // namespace plansync

#endif  // PLANSYNC_CORE_DAY_H_
