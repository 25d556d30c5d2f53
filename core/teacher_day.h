// The teacher's-day view: for each class a teacher is assigned to on a day,
// each student's accommodations due in it and the teacher's confirmations,
// as the teacher's screen shows them (the CLI's `today`, the C API's
// plansync_teacher_day).
#ifndef PLANSYNC_CORE_TEACHER_DAY_H_
#define PLANSYNC_CORE_TEACHER_DAY_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/device_store.h"
#include "plansync/v1/views.pb.h"

namespace plansync {

// The day `day` (YYYY-MM-DD) of the store's user as a teacher: the classes
// of their teacher assignments in force on the day (not archived; started;
// not ended), each with its students (those the store holds) by name. For
// each student: why their school is closed, if it is (then nothing more);
// else the plan in effect (core/plan_timeline.h) and its accommodations
// whose own days hold the day, split by where and when they apply in the
// class (core/accommodation_scope.h) into those due (by title, each with the
// user's confirmations of it in that class that day, oldest first) and the
// tests-only ones not due; other subjects' are left out. `no_school` is set
// for the whole day on a weekend, or when every student's school is closed.
// With `only_class` set, only the class of that name (any case) is shown
// and counted. Reads `store` alone. INVALID_ARGUMENT (reason MALFORMED_DATE)
// for a malformed day.
// True if a ClassTest of student `student_id` is recorded for the class
// `class_or_period` (any case) on `day`, by anyone: the day the class's
// tests-only accommodations are due.
absl::StatusOr<bool> IsTestDay(DeviceStore& store, absl::string_view student_id,
                               absl::string_view class_or_period,
                               absl::string_view day);

absl::StatusOr<v1::TeacherDay> TeacherDayOn(DeviceStore& store,
                                            absl::string_view day,
                                            absl::string_view only_class = "");

}  // namespace plansync

#endif  // PLANSYNC_CORE_TEACHER_DAY_H_
