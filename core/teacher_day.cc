#include "core/teacher_day.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/accommodation_scope.h"
#include "core/day.h"
#include "core/permissions.h"
#include "core/plan_in_effect.h"
#include "core/reports/caseload.h"
#include "core/school_day.h"
#include "core/status_macros.h"

namespace plansync {
namespace {

// Fills `entry` (whose student and subject are set) for `day`, in the class
// `class_or_period`.
absl::Status FillStudent(DeviceStore& store, absl::string_view day,
                         absl::string_view class_or_period,
                         v1::TeacherDayStudent& entry) {
  const std::string& student_id = entry.student().id();
  ASSIGN_OR_RETURN(std::optional<std::string> closed,
                   NoSchoolReason(store, entry.student().school(), day));
  if (closed.has_value()) {
    entry.set_no_school(*closed);
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(v1::PlanInEffect in_effect,
                   PlanInEffectOn(store, student_id, day));
  if (!in_effect.has_plan()) return absl::OkStatus();
  *entry.mutable_plan() = std::move(*in_effect.mutable_plan());

  ASSIGN_OR_RETURN(const bool test_day,
                   IsTestDay(store, student_id, class_or_period, day));
  entry.set_test_day(test_day);

  // The user's confirmations in this class on the day, oldest first.
  ASSIGN_OR_RETURN(
      std::vector<v1::ImplementationConfirmation> confirmations,
      store.ListByStudent<v1::ImplementationConfirmation>(student_id));
  std::erase_if(confirmations, [&](const v1::ImplementationConfirmation& c) {
    return c.author_id() != store.principal_id() || c.day() != day ||
           c.class_or_period() != class_or_period;
  });
  std::sort(confirmations.begin(), confirmations.end(),
            [](const auto& a, const auto& b) {
              return a.recorded_hlc() < b.recorded_hlc();
            });

  std::vector<v1::Accommodation> accommodations(
      in_effect.accommodations().begin(), in_effect.accommodations().end());
  std::stable_sort(
      accommodations.begin(), accommodations.end(),
      [](const auto& a, const auto& b) { return a.title() < b.title(); });
  for (v1::Accommodation& accommodation : accommodations) {
    switch (ScopeOf(accommodation, entry.subject(), entry.test_day())) {
      case AccommodationScope::kDue: {
        v1::DueAccommodation* due = entry.add_accommodations();
        for (const auto& c : confirmations) {
          if (c.accommodation_id() == accommodation.id()) {
            *due->add_confirmations() = c;
          }
        }
        *due->mutable_accommodation() = std::move(accommodation);
        break;
      }
      case AccommodationScope::kNoTest:
        *entry.add_tests_only_not_due() = std::move(accommodation);
        break;
      case AccommodationScope::kOtherSubject:
        break;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<bool> IsTestDay(DeviceStore& store, absl::string_view student_id,
                               absl::string_view class_or_period,
                               absl::string_view day) {
  ASSIGN_OR_RETURN(std::vector<v1::ClassTest> tests,
                   store.ListByStudent<v1::ClassTest>(student_id));
  return std::any_of(tests.begin(), tests.end(), [&](const v1::ClassTest& t) {
    return t.day() == day &&
           absl::EqualsIgnoreCase(t.class_or_period(), class_or_period);
  });
}

absl::StatusOr<v1::TeacherDay> TeacherDayOn(DeviceStore& store,
                                            absl::string_view day,
                                            absl::string_view only_class) {
  ASSIGN_OR_RETURN(const Day on, RequireDay(day));
  v1::TeacherDay view;
  view.set_day(std::string(day));
  view.set_teacher_user_id(store.principal_id());
  ASSIGN_OR_RETURN(std::vector<v1::Assignment> assignments,
                   store.List<v1::Assignment>("user_id", store.principal_id()));
  std::map<std::string, std::vector<v1::TeacherDayStudent>> classes;
  int open_students = 0;
  for (const v1::Assignment& assignment : assignments) {
    if (assignment.role() != v1::TEACHER ||
        !AssignmentInForce(assignment.role(), assignment.start_date(),
                           assignment.end_date(), assignment.deleted(), day) ||
        (!only_class.empty() &&
         !absl::EqualsIgnoreCase(assignment.class_or_period(), only_class))) {
      continue;
    }
    absl::StatusOr<v1::Student> student =
        store.Get<v1::Student>(assignment.student_id());
    if (!student.ok()) continue;  // not pulled yet
    v1::TeacherDayStudent& entry =
        classes[assignment.class_or_period()].emplace_back();
    *entry.mutable_student() = *std::move(student);
    entry.set_subject(assignment.subject());
    RETURN_IF_ERROR(
        FillStudent(store, day, assignment.class_or_period(), entry));
    if (!entry.no_school().empty()) continue;
    ++open_students;
    view.set_accommodations_needed(view.accommodations_needed() +
                                   entry.accommodations_size());
    for (const v1::DueAccommodation& due : entry.accommodations()) {
      if (due.confirmations_size() > 0) {
        view.set_accommodations_confirmed(view.accommodations_confirmed() + 1);
      }
    }
  }
  for (auto& [name, students] : classes) {
    std::stable_sort(students.begin(), students.end(),
                     [](const auto& a, const auto& b) {
                       return reports::StudentName(a.student()) <
                              reports::StudentName(b.student());
                     });
    v1::TeacherClass* out = view.add_classes();
    out->set_class_or_period(name);
    for (auto& student : students) *out->add_students() = std::move(student);
  }
  // No school for anyone: a weekend, or every student's school closed.
  if (!IsWeekday(on) || (open_students == 0 && !classes.empty())) {
    ASSIGN_OR_RETURN(std::optional<std::string> reason,
                     NoSchoolReason(store, "", day));
    view.set_no_school(
        reason.has_value() ? *reason : view.classes(0).students(0).no_school());
  }
  return view;
}

}  // namespace plansync
