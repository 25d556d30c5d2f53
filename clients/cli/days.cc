#include "clients/cli/days.h"

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/hlc.h"
#include "core/reports/school_calendar.h"
#include "core/status_macros.h"
#include "core/validate.h"
#include "plansync/v1/records.pb.h"

namespace plansync::cli {
namespace {

absl::CivilDay ToCivil(absl::string_view day) {
  absl::CivilDay civil;
  absl::ParseCivilTime(day, &civil);
  return civil;
}

std::string FromCivil(absl::CivilDay day) { return absl::FormatCivilTime(day); }

const char* WeekdayName(absl::CivilDay day) {
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::monday:
      return "Monday";
    case absl::Weekday::tuesday:
      return "Tuesday";
    case absl::Weekday::wednesday:
      return "Wednesday";
    case absl::Weekday::thursday:
      return "Thursday";
    case absl::Weekday::friday:
      return "Friday";
    case absl::Weekday::saturday:
      return "Saturday";
    case absl::Weekday::sunday:
      return "Sunday";
  }
  return "";
}

}  // namespace

absl::StatusOr<std::optional<std::string>> TodayFromEnvironment() {
  const char* set = std::getenv(kTodayVariable);
  if (set == nullptr || *set == '\0') return std::nullopt;
  if (!IsIsoDay(set)) {
    return absl::InvalidArgumentError(
        absl::StrCat(kTodayVariable, "=", set,
                     " is not a day; set it as YYYY-MM-DD, e.g. 2026-09-17"));
  }
  return std::string(set);
}

absl::StatusOr<std::string> Today(const absl::TimeZone& zone) {
  ASSIGN_OR_RETURN(std::optional<std::string> set, TodayFromEnvironment());
  if (set.has_value()) return *set;
  return FromCivil(absl::ToCivilDay(absl::Now(), zone));
}

absl::StatusOr<std::string> ParseDay(absl::string_view what,
                                     absl::string_view text,
                                     absl::string_view today) {
  if (text == "today") return std::string(today);
  if (text == "yesterday") return AddDays(today, -1);
  if (!IsIsoDay(text)) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": \"", text,
        "\" is not a day; write it as YYYY-MM-DD (e.g. 2026-09-17), or "
        "today or yesterday"));
  }
  return std::string(text);
}

absl::StatusOr<std::string> DayFlag(const Flags& flags, absl::string_view name,
                                    absl::string_view today,
                                    absl::string_view fallback) {
  if (!flags.Has(name)) return std::string(fallback);
  return ParseDay(name, flags.Get(name), today);
}

absl::Status CheckWindow(absl::string_view from, absl::string_view to) {
  if (from <= to) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "--from ", from, " is after --to ", to, "; nothing to show"));
}

absl::Status NotAfterToday(absl::string_view what, absl::string_view day,
                           absl::string_view today) {
  if (day > today) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", day, " is after today, ", today,
                     "; only what already happened can be recorded"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ParseInstant(absl::string_view what,
                                         absl::string_view text,
                                         const absl::TimeZone& zone) {
  absl::Time time;
  std::string error;
  bool parsed = false;
  if (IsUtcInstant(text)) {
    parsed = absl::ParseTime(absl::RFC3339_full, text, &time, &error);
  } else {
    for (const char* format : {"%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"}) {
      if (absl::ParseTime(format, text, zone, &time, &error)) {
        parsed = true;
        break;
      }
    }
  }
  if (!parsed) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": \"", text,
        "\" is not a time; write it as \"YYYY-MM-DD HH:MM\" (the district's "
        "time) or "
        "YYYY-MM-DDTHH:MM:SSZ (UTC)"));
  }
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone());
}

std::string InstantDay(absl::string_view instant, const absl::TimeZone& zone) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, instant, &time, &error)) {
    return std::string(instant.substr(0, 10));
  }
  return FromCivil(absl::ToCivilDay(time, zone));
}

std::string NowInstant() {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(),
                          absl::UTCTimeZone());
}

std::string InstantText(absl::string_view instant) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, instant, &time, &error)) {
    return std::string(instant);
  }
  return absl::FormatTime("%Y-%m-%d %H:%M UTC", time, absl::UTCTimeZone());
}

std::string AddDays(absl::string_view day, int days) {
  return FromCivil(ToCivil(day) + days);
}

std::string DayText(absl::string_view day) {
  return absl::StrCat(WeekdayName(ToCivil(day)), " ", day);
}

bool IsWeekend(absl::string_view day) {
  const absl::Weekday weekday = absl::GetWeekday(ToCivil(day));
  return weekday == absl::Weekday::saturday || weekday == absl::Weekday::sunday;
}

std::string HlcTimeText(uint64_t hlc) {
  return absl::FormatTime("%Y-%m-%d %H:%M UTC",
                          absl::FromUnixMillis(HlcMillis(hlc)),
                          absl::UTCTimeZone());
}

}  // namespace plansync::cli
