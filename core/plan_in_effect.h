// The plan-in-effect view: what a student's plan holds on a day, as an app's
// screen shows it (the C API's plansync_plan_in_effect).
#ifndef PLANSYNC_CORE_PLAN_IN_EFFECT_H_
#define PLANSYNC_CORE_PLAN_IN_EFFECT_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/device_store.h"
#include "plansync/v1/views.pb.h"

namespace plansync {

// The plan of student `student_id` in effect on `day` (YYYY-MM-DD) by the
// rule of core/plan_timeline.h, with the plan's accommodations and services
// whose own days hold `day` and its goals, none archived, each list by id;
// no plan (and no items) if none is in effect. Reads `store` alone. Errors:
// INVALID_ARGUMENT (reason MALFORMED_DATE) for a malformed day; NOT_FOUND
// (reason UNKNOWN_RECORD) if the store holds no such student.
absl::StatusOr<v1::PlanInEffect> PlanInEffectOn(DeviceStore& store,
                                                absl::string_view student_id,
                                                absl::string_view day);

}  // namespace plansync

#endif  // PLANSYNC_CORE_PLAN_IN_EFFECT_H_
