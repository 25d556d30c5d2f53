#include "core/reports/progress_reports.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_split.h"
#include "core/item_lineage.h"
#include "core/plan_timeline.h"
#include "core/validate.h"

namespace plansync::reports {
namespace {

// The days of a day list (Goal.report_days, District.report_card_days);
// none if it is malformed.
std::vector<Day> ListedDays(absl::string_view list) {
  std::vector<Day> days;
  if (list.empty() || !IsDayList(list)) return days;
  for (absl::string_view text : absl::StrSplit(list, ',')) {
    days.push_back(*ParseDay(text));
  }
  return days;
}

// The reporting days of `goal` from `first` to `last`, counted from
// `anchor` (the plan's first version's first day) where the cadence counts.
std::vector<Day> ReportingDays(const v1::Goal& goal, Day anchor,
                               const std::vector<Day>& report_cards, Day first,
                               Day last) {
  std::vector<Day> days;
  auto keep = [&](Day day) {
    if (day >= first && day <= last) days.push_back(day);
  };
  switch (goal.report_cadence()) {
    case v1::REPORT_CADENCE_WITH_REPORT_CARDS:
      for (Day day : report_cards) keep(day);
      break;
    case v1::REPORT_CADENCE_ON_DAYS:
      for (Day day : ListedDays(goal.report_days())) keep(day);
      break;
    case v1::REPORT_CADENCE_QUARTERLY:
      for (int k = 1; AddMonths(anchor, 3 * (k - 1)) <= last; ++k) {
        keep(AddMonths(anchor, 3 * k));
      }
      break;
    case v1::REPORT_CADENCE_EVERY_N_WEEKS:
      if (goal.report_every_weeks() <= 0) break;
      for (Day day = anchor + 7 * goal.report_every_weeks(); day <= last;
           day += 7 * goal.report_every_weeks()) {
        keep(day);
      }
      break;
    default:
      break;
  }
  return days;
}

}  // namespace

std::vector<v1::ProgressReportDue> ProgressReportSchedule(
    const StudentRecords& records, absl::string_view report_card_days, Day from,
    Day to, Day today) {
  std::vector<v1::ProgressReportDue> out;
  const std::vector<Day> report_cards = ListedDays(report_card_days);
  const ItemLineage lineage(records.goals);
  const PlanTimeline timeline(records.plans);
  for (const PlanSpan& span : timeline.SpansWithin(from, to)) {
    const v1::Plan& plan = *span.plan;
    const std::optional<Day> anchor =
        ParseDay(FirstVersionOf(records.plans, plan).start_date());
    const Day last = span.last.value_or(to);
    for (const v1::Goal& goal : records.goals) {
      if (goal.plan_id() != plan.id()) continue;
      if (!anchor.has_value() &&
          (goal.report_cadence() == v1::REPORT_CADENCE_QUARTERLY ||
           goal.report_cadence() == v1::REPORT_CADENCE_EVERY_N_WEEKS)) {
        continue;  // nothing to count from
      }
      const std::string root = lineage.RootOf(goal.id());
      for (Day day : ReportingDays(goal, anchor.value_or(span.first),
                                   report_cards, span.first, last)) {
        v1::ProgressReportDue& due = out.emplace_back();
        due.set_goal_id(goal.id());
        due.set_goal_area(goal.area());
        due.set_plan_id(plan.id());
        due.set_due_day(FormatDay(day));
        due.set_days_left(static_cast<int32_t>(day - today));
        const v1::ProgressReport* sent = nullptr;
        for (const v1::ProgressReport& report : records.progress_reports) {
          if (report.due_day() != due.due_day() ||
              lineage.RootOf(report.goal_id()) != root) {
            continue;
          }
          if (sent == nullptr || report.sent_date() < sent->sent_date()) {
            sent = &report;
          }
        }
        if (sent != nullptr) {
          due.set_report_id(sent->id());
          due.set_sent_date(sent->sent_date());
          due.set_summary(sent->summary());
          due.set_state(sent->sent_date() <= due.due_day()
                            ? v1::ProgressReportDue::SENT
                            : v1::ProgressReportDue::SENT_LATE);
        } else {
          due.set_state(day < today ? v1::ProgressReportDue::MISSING
                                    : v1::ProgressReportDue::UPCOMING);
        }
      }
    }
  }
  std::stable_sort(
      out.begin(), out.end(),
      [](const v1::ProgressReportDue& a, const v1::ProgressReportDue& b) {
        return std::make_pair(a.due_day(), a.goal_area()) <
               std::make_pair(b.due_day(), b.goal_area());
      });
  return out;
}

}  // namespace plansync::reports
