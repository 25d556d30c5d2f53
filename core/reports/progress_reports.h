// Progress reports to the parent (34 CFR 300.320(a)(3)): the days each goal's
// structured schedule (Goal.report_cadence) makes reporting days, and
// whether a report was sent for each. Pure: computed from a student's
// records.
//
// The rule, for the plan in effect on each day (core/plan_timeline.h):
// each goal of that plan with a cadence has reporting days within the days
// the plan is in effect:
//   - with report cards: the district's report-card days;
//   - quarterly: every 3 months after the first day of the plan's first
//     version (an amendment does not restart the count; a plan that follows
//     an ended one does);
//   - every N weeks: every N x 7 days after that same first day;
//   - on days: the goal's own list.
// A ProgressReport answers a reporting day when it names the day and the goal
// or any goal of its lineage (core/item_lineage.h): sent on or before the
// day, it is SENT; after it, SENT_LATE. A day with no report is MISSING once
// it has passed, UPCOMING until then.
#ifndef PLANSYNC_CORE_REPORTS_PROGRESS_REPORTS_H_
#define PLANSYNC_CORE_REPORTS_PROGRESS_REPORTS_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "core/reports/caseload.h"
#include "core/reports/school_calendar.h"
#include "plansync/v1/report.pb.h"

namespace plansync::reports {

// The reporting days from `from` to `to` (both included) of the goals of
// `records`, by day then goal area, as of `today`. `report_card_days` is
// District.report_card_days (a malformed list counts as none).
std::vector<v1::ProgressReportDue> ProgressReportSchedule(
    const StudentRecords& records, absl::string_view report_card_days, Day from,
    Day to, Day today);

}  // namespace plansync::reports

#endif  // PLANSYNC_CORE_REPORTS_PROGRESS_REPORTS_H_
