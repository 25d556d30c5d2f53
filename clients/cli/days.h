// Days for the CLI: today (the clock's day in the district's time zone, or
// $PLANSYNC_TODAY), days given on the command line, and whether a day is a
// school day. School days are
// weekdays minus the SchoolHoliday records of the student's school (or of
// every school).
#ifndef PLANSYNC_CLIENTS_CLI_DAYS_H_
#define PLANSYNC_CLIENTS_CLI_DAYS_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clients/cli/flags.h"
#include "core/device_store.h"
#include "core/school_day.h"  // NoSchoolReason

namespace plansync::cli {

// The environment variable that sets today's day ("YYYY-MM-DD"); tests and
// the demo use it. Unset: the system clock's day in the district's time zone.
inline constexpr char kTodayVariable[] = "PLANSYNC_TODAY";

// $PLANSYNC_TODAY, or nullopt when it is unset. INVALID_ARGUMENT if it is set
// to something that is not a day.
absl::StatusOr<std::optional<std::string>> TodayFromEnvironment();

// Today in `zone`, "YYYY-MM-DD": $PLANSYNC_TODAY when it is set.
absl::StatusOr<std::string> Today(const absl::TimeZone& zone);

// `text` as a day: "YYYY-MM-DD", "today" or "yesterday" (relative to
// `today`). INVALID_ARGUMENT naming `what` (e.g. "--day") otherwise.
absl::StatusOr<std::string> ParseDay(absl::string_view what,
                                     absl::string_view text,
                                     absl::string_view today);

// The day given as option `name`, or `fallback` if it was not given.
absl::StatusOr<std::string> DayFlag(const Flags& flags, absl::string_view name,
                                    absl::string_view today,
                                    absl::string_view fallback);

// INVALID_ARGUMENT ("--from 2026-09-10 is after --to 2026-09-01; nothing to
// show") if the window `from` to `to` ends before it starts.
absl::Status CheckWindow(absl::string_view from, absl::string_view to);

// INVALID_ARGUMENT ("--day 2026-09-20 is after today, 2026-09-18") if
// `day` is after `today`.
absl::Status NotAfterToday(absl::string_view what, absl::string_view day,
                           absl::string_view today);

// `text` as an RFC 3339 UTC instant ("2026-10-01T15:30:00Z"): given so, or
// as a time of day in `zone` (the district's) "YYYY-MM-DD HH:MM" (or with a
// 'T'), converted to UTC. INVALID_ARGUMENT naming `what` otherwise.
absl::StatusOr<std::string> ParseInstant(absl::string_view what,
                                         absl::string_view text,
                                         const absl::TimeZone& zone);
// The day in `zone` of an RFC 3339 UTC instant.
std::string InstantDay(absl::string_view instant, const absl::TimeZone& zone);
// The instant now, RFC 3339 UTC.
std::string NowInstant();
// "2026-10-01 15:30 UTC" for an RFC 3339 UTC instant.
std::string InstantText(absl::string_view instant);

// `day` moved by `days` calendar days. `day` must be a valid day.
std::string AddDays(absl::string_view day, int days);
// "Thursday 2026-09-17".
std::string DayText(absl::string_view day);
// True on Saturdays and Sundays.
bool IsWeekend(absl::string_view day);
// The time of an HLC stamp, "2026-09-17 14:03 UTC".
std::string HlcTimeText(uint64_t hlc);

}  // namespace plansync::cli

#endif  // PLANSYNC_CLIENTS_CLI_DAYS_H_
