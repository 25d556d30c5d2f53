// What changed from one plan to another: the accommodations, services and
// goals removed, added or changed, which changes reduce support, and
// whether a prior written notice (Missouri: Notice of Action) proposed the
// new plan before it took effect. Pure: computed from a student's records.
//
// Items are matched through their lineage (continues_id, core/
// item_lineage.h); an item of the new plan that continues nothing is
// matched to an unmatched item of the old plan with the same label (title,
// service type or area, in any case), as when a 504 plan is written fresh
// after an IEP.
//
// A service's minutes are compared a week at a time: per day x 5, per week
// x 1, per month x 12 / 52, per quarter / 9 and per school year / 36 (a
// school year of 36 weeks in four quarters). Fewer minutes a week is a
// reduction; a service with no period stated is compared only with the same.
//
// The notice: a prior written notice proposing an action that names the new
// plan or a meeting about it; or names the old plan (or a meeting about it)
// and was sent after the old plan's first day and at most 60 days before the
// new plan's (the notice of ending the old plan, sent before the new one
// existed; never the notice that proposed the old plan). The latest one
// sent on or before the new plan's first day (the one closest to the
// change) covers its reductions, else the earliest sent after it is
// reported as late; with none, the reductions have no notice.
#ifndef PLANSYNC_CORE_REPORTS_PLAN_COMPARE_H_
#define PLANSYNC_CORE_REPORTS_PLAN_COMPARE_H_

#include <optional>

#include "core/reports/caseload.h"
#include "plansync/v1/report.pb.h"

namespace plansync::reports {

// The plan `plan` replaces or follows (supersedes_plan_id, else
// follows_plan_id), if `records` holds it.
const v1::Plan* PreviousPlan(const StudentRecords& records,
                             const v1::Plan& plan);

// The changes from `old_plan` to `new_plan`, two plans of `records`.
v1::PlanComparison ComparePlans(const StudentRecords& records,
                                const v1::Plan& old_plan,
                                const v1::Plan& new_plan);

// A service's minutes a week, by the factors above; nullopt when it states
// no period.
std::optional<double> WeeklyMinutes(const v1::Service& service);

}  // namespace plansync::reports

#endif  // PLANSYNC_CORE_REPORTS_PLAN_COMPARE_H_
