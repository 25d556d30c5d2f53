// The compliance calendar: each deadline rule of the student's jurisdiction
// applied to the plan in effect today (core/plan_timeline.h; before any plan
// is in effect, the latest draft, whose evaluation clocks run), its meetings
// and its notices; due day, days left, and whether and when it was met.
#ifndef PLANSYNC_CORE_REPORTS_COMPLIANCE_H_
#define PLANSYNC_CORE_REPORTS_COMPLIANCE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/reports/caseload.h"
#include "core/reports/rule_book.h"
#include "core/reports/school_calendar.h"
#include "plansync/v1/report.pb.h"
#include "plansync/v1/rules.pb.h"

namespace plansync::reports {

// The deadlines of one student's plan under `rules` (RulesFor the plan's
// jurisdiction), counted on `calendar`, as of `today`; a meeting's day is
// its day in `zone`, the district's. None without a plan.
// Rules anchored on a parent's request are RequestDeadlines'.
std::vector<v1::Deadline> StudentDeadlines(
    const StudentRecords& records, const std::vector<ResolvedRule>& rules,
    const SchoolCalendar& calendar, const absl::TimeZone& zone, Day today);

// ---- A parent's written requests (RULE_ANCHOR_PARENT_REQUEST) ----

// The earliest day a receipt of `request` records, on or after the day it
// was sent (a receipt dated earlier is ignored); nullopt if none.
std::optional<Day> RequestReceivedDay(const StudentRecords& records,
                                      const v1::ParentRequest& request);
// The day the request's clocks run from: its received day, else the day it
// was sent; nullopt if the request's sent_date is malformed.
std::optional<Day> RequestClockStart(const StudentRecords& records,
                                     const v1::ParentRequest& request);
// The clocks a parent's request started.
struct RequestClocks {
  // The rule set they come from ("US", "US-MO"): the jurisdiction of the
  // plan in effect on the clock's first day, else of the plan whose clocks
  // run today (StudentDeadlines), else the district's; federal when the
  // book has no set for it.
  std::string jurisdiction;
  // Each rule of that jurisdiction anchored on this kind of request (and,
  // when the student has a plan, for its kind of plan; with none, only rules
  // for every kind), counted on the student's school calendar. Met only by
  // answers naming the request. Empty when the request's sent_date is
  // malformed.
  std::vector<v1::Deadline> deadlines;
};
RequestClocks ClocksOfRequest(const Caseload& caseload,
                              const StudentRecords& records,
                              const v1::ParentRequest& request,
                              const v1::RuleBook& book, Day today);

// Every student's deadlines (their plans' and their requests'), by due day,
// with the overdue and due-soon counts.
v1::ComplianceCalendar BuildComplianceCalendar(const Caseload& caseload,
                                               const v1::RuleBook& book,
                                               Day today);

}  // namespace plansync::reports

#endif  // PLANSYNC_CORE_REPORTS_COMPLIANCE_H_
