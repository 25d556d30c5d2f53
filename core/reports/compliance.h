// The compliance calendar: each deadline rule of the student's jurisdiction
// applied to the plan in effect today (core/plan_timeline.h; before any plan
// is in effect, the latest draft, whose evaluation clocks run), its meetings
// and its notices; due day, days left, and whether and when it was met.
#ifndef PLANSYNC_CORE_REPORTS_COMPLIANCE_H_
#define PLANSYNC_CORE_REPORTS_COMPLIANCE_H_

#include <vector>

#include "core/reports/caseload.h"
#include "core/reports/rule_book.h"
#include "core/reports/school_calendar.h"
#include "plansync/v1/report.pb.h"
#include "plansync/v1/rules.pb.h"

namespace plansync::reports {

// The deadlines of one student under `rules` (RulesFor the plan's
// jurisdiction), counted on `calendar`, as of `today`. None without a plan.
std::vector<v1::Deadline> StudentDeadlines(
    const StudentRecords& records, const std::vector<ResolvedRule>& rules,
    const SchoolCalendar& calendar, Day today);

// Every student's deadlines, by due day, with the overdue and due-soon
// counts.
v1::ComplianceCalendar BuildComplianceCalendar(const Caseload& caseload,
                                               const v1::RuleBook& book,
                                               Day today);

}  // namespace plansync::reports

#endif  // PLANSYNC_CORE_REPORTS_COMPLIANCE_H_
