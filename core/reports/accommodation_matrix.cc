#include "core/reports/accommodation_matrix.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "core/accommodation_scope.h"
#include "core/reports/plan_items.h"

namespace plansync::reports {
namespace {

char StatusChar(v1::ConfirmationStatus status) {
  switch (status) {
    case v1::CONFIRMATION_STATUS_PROVIDED:
      return kProvided;
    case v1::CONFIRMATION_STATUS_OFFERED_AND_DECLINED:
      return kDeclined;
    case v1::CONFIRMATION_STATUS_NOT_APPLICABLE:
      return kNotApplicable;
    case v1::CONFIRMATION_STATUS_NOT_PROVIDED:
      return kNotProvided;
    default:
      return kNothingLogged;
  }
}

double Rate(int provided, int declined, int not_provided) {
  const int due = provided + declined + not_provided;
  return due == 0 ? 0 : static_cast<double>(provided + declined) / due;
}

// A teacher of the student and the days they teach them (open ends unset),
// the subjects of their classes ("" for a class with none stated) and the
// days they recorded a test.
struct Teacher {
  std::string user_id;
  std::optional<Day> start, end;
  std::set<std::string> subjects;
  std::set<Day> test_days;
  bool Covers(Day day) const {
    return (!start || day >= *start) && (!end || day <= *end);
  }
  // True if `accommodation` is due in one of the teacher's classes on `day`
  // (core/accommodation_scope.h).
  bool Due(const v1::Accommodation& accommodation, Day day) const {
    const bool test_day = test_days.contains(day);
    if (subjects.empty()) {
      return ScopeOf(accommodation, "", test_day) == AccommodationScope::kDue;
    }
    return std::any_of(subjects.begin(), subjects.end(),
                       [&](const std::string& subject) {
                         return ScopeOf(accommodation, subject, test_day) ==
                                AccommodationScope::kDue;
                       });
  }
};

std::vector<Teacher> TeachersOf(const StudentRecords& records) {
  std::map<std::string, Teacher> teachers;
  for (const v1::Assignment& assignment : records.assignments) {
    if (assignment.role() != v1::TEACHER) continue;
    Teacher& teacher = teachers[assignment.user_id()];
    const bool first = teacher.user_id.empty();
    teacher.user_id = assignment.user_id();
    teacher.subjects.insert(assignment.subject());
    // Several classes: the union of their dates (open ends win).
    auto start = ParseDay(assignment.start_date());
    auto end = ParseDay(assignment.end_date());
    if (first) {
      teacher.start = start;
      teacher.end = end;
    } else {
      teacher.start = start && teacher.start
                          ? std::optional(std::min(*start, *teacher.start))
                          : std::nullopt;
      teacher.end = end && teacher.end
                        ? std::optional(std::max(*end, *teacher.end))
                        : std::nullopt;
    }
  }
  for (const v1::ClassTest& test : records.class_tests) {
    auto found = teachers.find(test.author_id());
    if (found == teachers.end()) continue;
    if (auto day = ParseDay(test.day())) found->second.test_days.insert(*day);
  }
  // Whoever confirmed without an assignment on this device still counts.
  for (const v1::ImplementationConfirmation& confirmation :
       records.confirmations) {
    Teacher& teacher = teachers[confirmation.author_id()];
    if (teacher.user_id.empty()) teacher.user_id = confirmation.author_id();
  }
  std::vector<Teacher> out;
  for (auto& [id, teacher] : teachers) out.push_back(std::move(teacher));
  return out;
}

struct WeekTally {
  int provided = 0, declined = 0, not_provided = 0, nothing_logged = 0;
};

}  // namespace

v1::AccommodationMatrix BuildAccommodationMatrix(const Caseload& caseload,
                                                 Day from, Day to) {
  v1::AccommodationMatrix matrix;
  // The days any student has school.
  std::vector<SchoolCalendar> calendars;
  std::set<Day> union_days;
  for (const StudentRecords& records : caseload.students) {
    calendars.emplace_back(records.student.school(), caseload.holidays);
    for (Day day : calendars.back().SchoolDays(from, to)) {
      union_days.insert(day);
    }
  }
  const std::vector<Day> days(union_days.begin(), union_days.end());
  for (Day day : days) matrix.add_school_days(FormatDay(day));

  std::map<Day, WeekTally> weeks;
  WeekTally total;
  for (size_t s = 0; s < caseload.students.size(); ++s) {
    const StudentRecords& records = caseload.students[s];
    const PlanTimeline timeline(records.plans);
    const PlanItems<v1::Accommodation> items(records.accommodations, timeline,
                                             from, to);
    // Latest status per (accommodation chain, teacher, day).
    absl::flat_hash_map<std::string, std::pair<int64_t, char>> latest;
    for (const v1::ImplementationConfirmation& c : records.confirmations) {
      auto [it, fresh] =
          latest.try_emplace(absl::StrCat(items.RootOf(c.accommodation_id()),
                                          "|", c.author_id(), "|", c.day()),
                             c.recorded_hlc(), StatusChar(c.status()));
      if (!fresh && c.recorded_hlc() > it->second.first) {
        it->second = {c.recorded_hlc(), StatusChar(c.status())};
      }
    }
    const std::vector<Teacher> teachers = TeachersOf(records);
    for (const PlanItems<v1::Accommodation>::Chain& chain : items.chains()) {
      const v1::Accommodation& accommodation = *chain.latest;
      for (const Teacher& teacher : teachers) {
        v1::AccommodationRow row;
        row.set_student_id(records.student.id());
        row.set_accommodation_id(accommodation.id());
        row.set_title(accommodation.title());
        row.set_teacher_user_id(teacher.user_id);
        row.set_teacher_name(UserName(caseload, teacher.user_id));
        std::string cells(days.size(), kNotDue);
        bool in_effect = false;  // on some school day the teacher teaches
        const std::string prefix =
            absl::StrCat(chain.root, "|", teacher.user_id, "|");
        for (size_t d = 0; d < days.size(); ++d) {
          const Day day = days[d];
          if (!calendars[s].IsSchoolDay(day) || !teacher.Covers(day)) {
            continue;
          }
          const v1::Accommodation* item = items.InEffectOn(chain, day);
          if (item == nullptr) continue;
          in_effect = true;
          if (!teacher.Due(*item, day)) continue;
          auto found = latest.find(absl::StrCat(prefix, FormatDay(day)));
          const char cell =
              found == latest.end() ? kNothingLogged : found->second.second;
          cells[d] = cell;
          WeekTally& week = weeks[MondayOf(day)];
          switch (cell) {
            case kProvided:
              row.set_provided(row.provided() + 1);
              ++week.provided;
              break;
            case kDeclined:
              row.set_declined(row.declined() + 1);
              ++week.declined;
              break;
            case kNotApplicable:
              row.set_not_applicable(row.not_applicable() + 1);
              break;
            case kNotProvided:
              row.set_not_provided(row.not_provided() + 1);
              ++week.not_provided;
              break;
            default:
              row.set_nothing_logged(row.nothing_logged() + 1);
              ++week.nothing_logged;
              break;
          }
        }
        // A teacher with no day due for this accommodation has no row,
        // except for a tests-only one in effect: its row says how many test
        // days were recorded (none, perhaps), so silence is visible.
        const bool tests_only =
            accommodation.applies_to() == v1::APPLIES_TO_TESTS_ONLY;
        if (cells.find_first_not_of(kNotDue) == std::string::npos &&
            !(tests_only && in_effect)) {
          continue;
        }
        row.set_days(std::move(cells));
        if (tests_only) {
          row.set_tests_only(true);
          row.set_test_days_recorded(static_cast<int32_t>(std::count_if(
              teacher.test_days.begin(), teacher.test_days.end(),
              [&](Day day) { return day >= from && day <= to; })));
        }
        row.set_implementation_rate(
            Rate(row.provided(), row.declined(), row.not_provided()));
        total.provided += row.provided();
        total.declined += row.declined();
        total.not_provided += row.not_provided();
        total.nothing_logged += row.nothing_logged();
        *matrix.add_rows() = std::move(row);
      }
    }
  }
  for (const auto& [monday, week] : weeks) {
    v1::RatePoint* point = matrix.add_rate_by_week();
    point->set_week_start(FormatDay(monday));
    point->set_provided(week.provided);
    point->set_declined(week.declined);
    point->set_not_provided(week.not_provided);
    point->set_nothing_logged(week.nothing_logged);
    point->set_implementation_rate(
        Rate(week.provided, week.declined, week.not_provided));
  }
  matrix.set_implementation_rate(
      Rate(total.provided, total.declined, total.not_provided));
  matrix.set_nothing_logged(total.nothing_logged);
  return matrix;
}

}  // namespace plansync::reports
