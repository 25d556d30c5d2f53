#include "core/reports/school_calendar.h"

#include "absl/strings/match.h"

namespace plansync::reports {

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
