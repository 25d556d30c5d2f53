#include "core/reports/compliance.h"

#include <algorithm>
#include <optional>
#include <string>

#include "core/plan_timeline.h"

namespace plansync::reports {
namespace {

// A day a deadline's clock starts, and the record it comes from.
struct Anchor {
  Day day;
  std::string record_id;
};

// The first day of `plan`'s first version. An amendment does not restart a
// clock that runs from the plan's start (the annual review runs from the
// plan's first version); a plan that follows an ended one (follows_plan_id)
// is a new plan, whose clocks start with it.
std::optional<Day> FirstVersionStart(const StudentRecords& records,
                                     const v1::Plan& plan) {
  const v1::Plan* version = &plan;
  // Bounded by the number of plans: a forged loop of versions ends.
  for (size_t hops = 0;
       hops < records.plans.size() && !version->supersedes_plan_id().empty();
       ++hops) {
    auto earlier = std::find_if(
        records.plans.begin(), records.plans.end(), [&](const v1::Plan& p) {
          return p.id() == version->supersedes_plan_id();
        });
    if (earlier == records.plans.end()) break;
    version = &*earlier;
  }
  return ParseDay(version->start_date());
}

std::optional<Day> PlanDay(const StudentRecords& records, const v1::Plan& plan,
                           v1::RuleAnchor anchor) {
  switch (anchor) {
    case v1::RULE_ANCHOR_PLAN_REFERRAL:
      return ParseDay(plan.referral_date());
    case v1::RULE_ANCHOR_PLAN_EVALUATION_CONSENT:
      return ParseDay(plan.evaluation_consent_date());
    case v1::RULE_ANCHOR_PLAN_ELIGIBILITY:
      return ParseDay(plan.eligibility_date());
    case v1::RULE_ANCHOR_PLAN_START:
      return FirstVersionStart(records, plan);
    case v1::RULE_ANCHOR_PLAN_LAST_EVALUATION:
      return ParseDay(plan.last_evaluation_date());
    default:
      return std::nullopt;
  }
}

// `day` moved by `months` calendar months, to the same day of the month or
// the month's last day (29 February + 12 months -> 28 February).
Day AddMonths(Day day, int months) {
  const absl::CivilMonth month = absl::CivilMonth(day) + months;
  return std::min(Day(month.year(), month.month(), day.day()),
                  Day(month + 1) - 1);
}

int RuleMonths(const v1::ComplianceRule& rule) {
  return rule.unit() == v1::RULE_UNIT_YEARS ? 12 * rule.amount()
                                            : rule.amount();
}

// The plan's own due day for the rule (its `due_field`), if set.
std::optional<Day> DueField(const v1::ComplianceRule& rule,
                            const v1::Plan& plan) {
  if (rule.due_field().empty()) return std::nullopt;
  const google::protobuf::FieldDescriptor* field =
      plan.GetDescriptor()->FindFieldByName(rule.due_field());
  if (field == nullptr ||
      field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
    return std::nullopt;
  }
  return ParseDay(plan.GetReflection()->GetString(plan, field));
}

// `day` moved back by the rule's period (calendar arithmetic; school and
// business days counted as calendar days).
Day PeriodBefore(const v1::ComplianceRule& rule, Day day) {
  if (rule.unit() == v1::RULE_UNIT_MONTHS ||
      rule.unit() == v1::RULE_UNIT_YEARS) {
    return AddMonths(day, -RuleMonths(rule));
  }
  return day - rule.amount();
}

// Every day the rule's clock starts on for this student.
std::vector<Anchor> Anchors(const v1::ComplianceRule& rule,
                            const StudentRecords& records,
                            const v1::Plan& plan) {
  std::vector<Anchor> anchors;
  if (rule.anchor() == v1::RULE_ANCHOR_MEETING_TRIGGER) {
    for (const v1::Meeting& meeting : records.meetings) {
      if (meeting.meeting_type() != rule.meeting_type()) continue;
      if (auto day = ParseDay(meeting.trigger_date())) {
        anchors.push_back({*day, meeting.id()});
      }
    }
  } else if (rule.anchor() == v1::RULE_ANCHOR_NOTICE_SENT) {
    for (const v1::Notice& notice : records.notices) {
      if (notice.notice_type() != rule.notice_type()) continue;
      if (notice.waiting_period_waived()) continue;
      if (auto day = ParseDay(notice.sent_date())) {
        anchors.push_back({*day, notice.id()});
      }
    }
  } else if (auto day = PlanDay(records, plan, rule.anchor())) {
    anchors.push_back({*day, plan.id()});
  } else if (auto due = DueField(rule, plan)) {
    // The plan states the due day but not the anchor (a 504 plan with a
    // review date and no start): the clock is taken to have started one
    // period before it.
    anchors.push_back({PeriodBefore(rule, *due), plan.id()});
  }
  return anchors;
}

Day DueDay(const v1::ComplianceRule& rule, const v1::Plan& plan, Day anchor,
           const SchoolCalendar& calendar) {
  if (auto due = DueField(rule, plan)) return *due;
  const int n = rule.amount();
  switch (rule.unit()) {
    case v1::RULE_UNIT_SCHOOL_DAYS:
      return calendar.AddSchoolDays(anchor, n);
    case v1::RULE_UNIT_BUSINESS_DAYS:
      return SchoolCalendar::AddWeekdays(anchor, n);
    case v1::RULE_UNIT_MONTHS:
    case v1::RULE_UNIT_YEARS:
      return AddMonths(anchor, RuleMonths(rule));
    default:
      return calendar.AddCalendarDaysSkippingBreaks(
          anchor, n, rule.skip_breaks_longer_than());
  }
}

// The first day on or after `anchor` that completes the rule, if any.
std::optional<Day> MetDay(const v1::ComplianceRule& rule,
                          const StudentRecords& records, const v1::Plan& plan,
                          Day anchor) {
  std::optional<Day> met;
  auto consider = [&](std::optional<Day> day) {
    if (day.has_value() && *day >= anchor && (!met || *day < *met)) met = day;
  };
  switch (rule.completion()) {
    case v1::RULE_COMPLETION_MEETING_HELD:
      for (const v1::Meeting& meeting : records.meetings) {
        if (meeting.meeting_type() == rule.completed_by_meeting()) {
          consider(DayOfInstant(meeting.held_at()));
        }
      }
      break;
    case v1::RULE_COMPLETION_NOTICE_SENT:
      for (const v1::Notice& notice : records.notices) {
        if (notice.notice_type() == rule.completed_by_notice()) {
          consider(ParseDay(notice.sent_date()));
        }
      }
      break;
    case v1::RULE_COMPLETION_ELIGIBILITY_DETERMINED:
      consider(ParseDay(plan.eligibility_date()));
      break;
    default:
      break;
  }
  return met;
}

bool AppliesTo(const v1::ComplianceRule& rule, v1::PlanKind kind) {
  return rule.plan_kinds().empty() ||
         std::find(rule.plan_kinds().begin(), rule.plan_kinds().end(), kind) !=
             rule.plan_kinds().end();
}

// The plan whose clocks run on `today`: the plan in effect then, else the
// draft of highest version (before a plan is in effect, its evaluation and
// eligibility clocks run).
const v1::Plan* DeadlinePlan(const StudentRecords& records, Day today) {
  const PlanTimeline timeline(records.plans);
  if (const v1::Plan* plan = timeline.InEffectOn(today)) return plan;
  const v1::Plan* draft = nullptr;
  for (const v1::Plan& plan : records.plans) {
    if (plan.status() == v1::PLAN_STATUS_DRAFT && !plan.deleted() &&
        (draft == nullptr || plan.version() > draft->version())) {
      draft = &plan;
    }
  }
  return draft;
}

}  // namespace

std::vector<v1::Deadline> StudentDeadlines(
    const StudentRecords& records, const std::vector<ResolvedRule>& rules,
    const SchoolCalendar& calendar, Day today) {
  std::vector<v1::Deadline> deadlines;
  const v1::Plan* plan = DeadlinePlan(records, today);
  if (plan == nullptr) return deadlines;
  for (const ResolvedRule& resolved : rules) {
    const v1::ComplianceRule& rule = resolved.rule;
    if (!AppliesTo(rule, plan->kind())) continue;
    for (const Anchor& anchor : Anchors(rule, records, *plan)) {
      const Day due = DueDay(rule, *plan, anchor.day, calendar);
      v1::Deadline deadline;
      deadline.set_student_id(records.student.id());
      deadline.set_rule_id(rule.id());
      deadline.set_title(rule.title());
      deadline.set_source(rule.source());
      deadline.set_jurisdiction(resolved.jurisdiction);
      deadline.set_anchor_day(FormatDay(anchor.day));
      deadline.set_due_day(FormatDay(due));
      deadline.set_days_left(static_cast<int32_t>(due - today));
      deadline.set_record_id(anchor.record_id);
      const std::optional<Day> met = MetDay(rule, records, *plan, anchor.day);
      if (rule.completion() == v1::RULE_COMPLETION_UNSPECIFIED) {
        deadline.set_state(v1::Deadline::DATE);
      } else if (met.has_value()) {
        deadline.set_met_day(FormatDay(*met));
        deadline.set_state(*met <= due ? v1::Deadline::MET
                                       : v1::Deadline::MET_LATE);
      } else if (today > due) {
        deadline.set_state(v1::Deadline::OVERDUE);
      } else if (due - today <= rule.warn_days()) {
        deadline.set_state(v1::Deadline::DUE_SOON);
      } else {
        deadline.set_state(v1::Deadline::UPCOMING);
      }
      deadlines.push_back(std::move(deadline));
    }
  }
  return deadlines;
}

v1::ComplianceCalendar BuildComplianceCalendar(const Caseload& caseload,
                                               const v1::RuleBook& book,
                                               Day today) {
  v1::ComplianceCalendar calendar;
  std::vector<v1::Deadline> all;
  for (const StudentRecords& records : caseload.students) {
    const v1::Plan* plan = DeadlinePlan(records, today);
    if (plan == nullptr) continue;
    const SchoolCalendar school(records.student.school(), caseload.holidays);
    for (v1::Deadline& deadline : StudentDeadlines(
             records, RulesFor(book, plan->jurisdiction()), school, today)) {
      all.push_back(std::move(deadline));
    }
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const v1::Deadline& a, const v1::Deadline& b) {
                     return a.due_day() < b.due_day();
                   });
  for (v1::Deadline& deadline : all) {
    if (deadline.state() == v1::Deadline::OVERDUE) {
      calendar.set_overdue(calendar.overdue() + 1);
    }
    if (deadline.state() == v1::Deadline::DUE_SOON) {
      calendar.set_due_soon(calendar.due_soon() + 1);
    }
    *calendar.add_deadlines() = std::move(deadline);
  }
  return calendar;
}

}  // namespace plansync::reports
