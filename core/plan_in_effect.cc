#include "core/plan_in_effect.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/day.h"
#include "core/errors.h"
#include "core/plan_timeline.h"
#include "core/reports/plan_items.h"
#include "core/status_macros.h"

namespace plansync {

absl::StatusOr<v1::PlanInEffect> PlanInEffectOn(DeviceStore& store,
                                                absl::string_view student_id,
                                                absl::string_view day) {
  ASSIGN_OR_RETURN(const Day on, RequireDay(day));
  RETURN_IF_ERROR(store.Get<v1::Student>(student_id).status());
  v1::PlanInEffect view;
  view.set_student_id(std::string(student_id));
  view.set_day(std::string(day));
  ASSIGN_OR_RETURN(std::vector<v1::Plan> plans,
                   store.ListByStudent<v1::Plan>(student_id,
                                                 /*include_archived=*/true));
  const PlanTimeline timeline(plans);
  const v1::Plan* plan = timeline.InEffectOn(on);
  if (plan == nullptr) return view;
  *view.mutable_plan() = *plan;
  // Items of the plan in effect whose own days hold the day.
  auto add_items = [&](auto* out, const auto& items) {
    for (const auto& item : items) {
      if (item.plan_id() == plan->id() &&
          reports::ItemHolds(item.start_date(), item.end_date(), on)) {
        *out->Add() = item;
      }
    }
  };
  ASSIGN_OR_RETURN(auto accommodations,
                   store.List<v1::Accommodation>("plan_id", plan->id()));
  add_items(view.mutable_accommodations(), accommodations);
  ASSIGN_OR_RETURN(auto services,
                   store.List<v1::Service>("plan_id", plan->id()));
  add_items(view.mutable_services(), services);
  ASSIGN_OR_RETURN(auto goals, store.List<v1::Goal>("plan_id", plan->id()));
  *view.mutable_goals() = {goals.begin(), goals.end()};
  return view;
}

}  // namespace plansync
