#include "core/day.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/errors.h"
#include "core/validate.h"

namespace plansync {

std::optional<Day> ParseDay(absl::string_view text) {
  Day day;
  if (!IsIsoDay(text) || !absl::ParseCivilTime(text, &day)) {
    return std::nullopt;
  }
  return day;
}

absl::StatusOr<Day> RequireDay(absl::string_view text) {
  std::optional<Day> day = ParseDay(text);
  if (!day.has_value()) {
    return ReasonError(
        v1::MALFORMED_DATE,
        absl::StrCat("\"", text, "\" is not a day (YYYY-MM-DD)"));
  }
  return *day;
}

std::optional<Day> DayOfInstant(absl::string_view text) {
  if (text.size() < 10 || (text.size() > 10 && text[10] != 'T')) {
    return std::nullopt;
  }
  return ParseDay(text.substr(0, 10));
}

std::string FormatDay(Day day) { return absl::FormatCivilTime(day); }

Day MondayOf(Day day) {
  return day - ((static_cast<int>(absl::GetWeekday(day)) -
                 static_cast<int>(absl::Weekday::monday) + 7) %
                7);
}

bool IsWeekday(Day day) {
  const absl::Weekday weekday = absl::GetWeekday(day);
  return weekday != absl::Weekday::saturday && weekday != absl::Weekday::sunday;
}

Day AddMonths(Day day, int months) {
  const absl::CivilMonth month = absl::CivilMonth(day) + months;
  return std::min(Day(month.year(), month.month(), day.day()),
                  Day(month + 1) - 1);
}

Day SchoolYearStart(Day day) {
  return Day(day.month() >= 8 ? day.year() : day.year() - 1, 8, 1);
}

}  // namespace plansync
