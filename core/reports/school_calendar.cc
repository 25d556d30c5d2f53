#include "core/reports/school_calendar.h"

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "core/validate.h"

namespace plansync::reports {

std::optional<Day> ParseDay(absl::string_view text) {
  Day day;
  if (!IsIsoDay(text) || !absl::ParseCivilTime(text, &day)) {
    return std::nullopt;
  }
  return day;
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

bool HolidayAppliesTo(const v1::SchoolHoliday& holiday,
                      absl::string_view school) {
  return !holiday.deleted() &&
         (holiday.school().empty() ||
          absl::EqualsIgnoreCase(holiday.school(), school));
}

SchoolCalendar::SchoolCalendar(absl::string_view school,
                               const std::vector<v1::SchoolHoliday>& holidays) {
  for (const v1::SchoolHoliday& holiday : holidays) {
    if (!HolidayAppliesTo(holiday, school)) continue;
    if (auto day = ParseDay(holiday.day())) closed_.insert(*day);
  }
}

bool SchoolCalendar::IsSchoolDay(Day day) const {
  return IsWeekday(day) && !closed_.contains(day);
}

std::vector<Day> SchoolCalendar::SchoolDays(Day from, Day to) const {
  std::vector<Day> days;
  for (Day day = from; day <= to; ++day) {
    if (IsSchoolDay(day)) days.push_back(day);
  }
  return days;
}

Day SchoolCalendar::AddSchoolDays(Day from, int n) const {
  Day day = from;
  // A calendar with every weekday closed would never end; a year of closures
  // bounds the search.
  for (int counted = 0, steps = 0; counted < n && steps < n + 366; ++steps) {
    ++day;
    if (IsSchoolDay(day)) ++counted;
  }
  return day;
}

Day SchoolCalendar::AddWeekdays(Day from, int n) {
  Day day = from;
  for (int counted = 0; counted < n;) {
    ++day;
    if (IsWeekday(day)) ++counted;
  }
  return day;
}

Day SchoolCalendar::AddCalendarDaysSkippingBreaks(Day from, int n,
                                                  int longest_counted) const {
  if (longest_counted <= 0) return from + n;
  Day day = from;
  int counted = 0;
  while (counted < n) {
    ++day;
    if (IsSchoolDay(day)) {
      ++counted;
      continue;
    }
    // A run of days without school: a weekend, or a closure around one.
    Day end = day;
    int closed_weekdays = IsWeekday(day) ? 1 : 0;
    while (!IsSchoolDay(end + 1) && end - day < 366) {
      ++end;
      if (IsWeekday(end)) ++closed_weekdays;
    }
    if (closed_weekdays > longest_counted) {
      day = end;  // the break does not count
      continue;
    }
    const int run = static_cast<int>(end - day) + 1;
    if (counted + run >= n) return day + (n - counted - 1);
    counted += run;
    day = end;
  }
  return day;
}

}  // namespace plansync::reports
