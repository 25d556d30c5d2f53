#include "core/school_day.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "core/reports/school_calendar.h"
#include "core/status_macros.h"

namespace plansync {
namespace {

const char* WeekendDayName(absl::CivilDay day) {
  return absl::GetWeekday(day) == absl::Weekday::saturday ? "Saturday"
                                                          : "Sunday";
}

}  // namespace

absl::StatusOr<std::optional<std::string>> NoSchoolReason(
    DeviceStore& store, absl::string_view school, absl::string_view day) {
  absl::CivilDay civil;
  if (absl::ParseCivilTime(day, &civil) && !IsWeekday(civil)) {
    return absl::StrCat("a ", WeekendDayName(civil));
  }
  ASSIGN_OR_RETURN(std::vector<v1::SchoolHoliday> holidays,
                   store.List<v1::SchoolHoliday>("day", day));
  for (const v1::SchoolHoliday& holiday : holidays) {
    if (reports::HolidayAppliesTo(holiday, school)) {
      return holiday.name().empty() ? std::string("a school holiday")
                                    : holiday.name();
    }
  }
  return std::nullopt;
}

}  // namespace plansync
