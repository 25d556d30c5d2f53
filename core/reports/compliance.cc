#include "core/reports/compliance.h"

#include <algorithm>
#include <optional>
#include <string>

#include "core/district.h"
#include "core/plan_timeline.h"

namespace plansync::reports {
namespace {

// A day a deadline's clock starts, and the record it comes from.
struct Anchor {
  Day day;
  std::string record_id;
};

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
      return ParseDay(FirstVersionOf(records.plans, plan).start_date());
    case v1::RULE_ANCHOR_PLAN_LAST_EVALUATION:
      return ParseDay(plan.last_evaluation_date());
    default:
      return std::nullopt;
  }
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
      // A meeting that answers a request this device holds runs on that
      // request's clocks (RequestDeadlines).
      if (!meeting.parent_request_id().empty() &&
          std::any_of(records.requests.begin(), records.requests.end(),
                      [&](const v1::ParentRequest& request) {
                        return request.id() == meeting.parent_request_id();
                      })) {
        continue;
      }
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
                          Day anchor, const absl::TimeZone& zone) {
  std::optional<Day> met;
  auto consider = [&](std::optional<Day> day) {
    if (day.has_value() && *day >= anchor && (!met || *day < *met)) met = day;
  };
  switch (rule.completion()) {
    case v1::RULE_COMPLETION_MEETING_HELD:
      for (const v1::Meeting& meeting : records.meetings) {
        if (meeting.meeting_type() == rule.completed_by_meeting()) {
          consider(DayOfInstantIn(meeting.held_at(), zone));
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

// The deadline of `resolved` whose clock started at `anchor`, due on `due`,
// completed on `met` (if ever), as of `today`.
v1::Deadline MakeDeadline(const ResolvedRule& resolved,
                          const std::string& student_id, const Anchor& anchor,
                          Day due, std::optional<Day> met, Day today) {
  const v1::ComplianceRule& rule = resolved.rule;
  v1::Deadline deadline;
  deadline.set_student_id(student_id);
  deadline.set_rule_id(rule.id());
  deadline.set_title(rule.title());
  deadline.set_source(rule.source());
  deadline.set_jurisdiction(resolved.jurisdiction);
  deadline.set_anchor_day(FormatDay(anchor.day));
  deadline.set_due_day(FormatDay(due));
  deadline.set_days_left(static_cast<int32_t>(due - today));
  deadline.set_record_id(anchor.record_id);
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
  return deadline;
}

// The day of a meeting in `zone`: held, else scheduled; nullopt if neither
// is set.
std::optional<Day> MeetingDay(const v1::Meeting& meeting,
                              const absl::TimeZone& zone) {
  if (auto held = DayOfInstantIn(meeting.held_at(), zone)) return held;
  return DayOfInstantIn(meeting.scheduled_at(), zone);
}

// The first day on or after `from` on which an answer that names
// `request_id` completes `rule`, if any.
std::optional<Day> RequestMetDay(const v1::ComplianceRule& rule,
                                 const StudentRecords& records,
                                 const std::string& request_id, Day from,
                                 const absl::TimeZone& zone) {
  std::optional<Day> met;
  auto consider = [&](std::optional<Day> day) {
    if (day.has_value() && *day >= from && (!met || *day < *met)) met = day;
  };
  switch (rule.completion()) {
    case v1::RULE_COMPLETION_MEETING_HELD:
      for (const v1::Meeting& meeting : records.meetings) {
        if (meeting.parent_request_id() != request_id) continue;
        if (rule.completed_by_meeting() != v1::MEETING_TYPE_UNSPECIFIED &&
            meeting.meeting_type() != rule.completed_by_meeting()) {
          continue;
        }
        consider(DayOfInstantIn(meeting.held_at(), zone));
      }
      break;
    case v1::RULE_COMPLETION_NOTICE_SENT:
      for (const v1::Notice& notice : records.notices) {
        if (notice.parent_request_id() == request_id &&
            notice.notice_type() == rule.completed_by_notice()) {
          consider(ParseDay(notice.sent_date()));
        }
      }
      break;
    case v1::RULE_COMPLETION_RECORDS_RELEASED:
      for (const v1::RecordsRelease& release : records.releases) {
        if (release.parent_request_id() == request_id) {
          consider(ParseDay(release.released_date()));
        }
      }
      break;
    default:
      break;
  }
  return met;
}

}  // namespace

std::vector<v1::Deadline> StudentDeadlines(
    const StudentRecords& records, const std::vector<ResolvedRule>& rules,
    const SchoolCalendar& calendar, const absl::TimeZone& zone, Day today) {
  std::vector<v1::Deadline> deadlines;
  const v1::Plan* plan = DeadlinePlan(records, today);
  if (plan == nullptr) return deadlines;
  for (const ResolvedRule& resolved : rules) {
    const v1::ComplianceRule& rule = resolved.rule;
    if (!AppliesTo(rule, plan->kind())) continue;
    if (rule.anchor() == v1::RULE_ANCHOR_PARENT_REQUEST) continue;
    for (const Anchor& anchor : Anchors(rule, records, *plan)) {
      const Day due = DueDay(rule, *plan, anchor.day, calendar);
      deadlines.push_back(
          MakeDeadline(resolved, records.student.id(), anchor, due,
                       MetDay(rule, records, *plan, anchor.day, zone), today));
    }
  }
  return deadlines;
}

std::optional<Day> RequestReceivedDay(const StudentRecords& records,
                                      const v1::ParentRequest& request) {
  const std::optional<Day> sent = ParseDay(request.sent_date());
  if (!sent.has_value()) return std::nullopt;
  std::optional<Day> received;
  for (const v1::RequestReceipt& receipt : records.receipts) {
    if (receipt.parent_request_id() != request.id()) continue;
    const std::optional<Day> day = ParseDay(receipt.received_date());
    if (day.has_value() && *day >= *sent && (!received || *day < *received)) {
      received = day;
    }
  }
  return received;
}

std::optional<Day> RequestClockStart(const StudentRecords& records,
                                     const v1::ParentRequest& request) {
  if (auto received = RequestReceivedDay(records, request)) return received;
  return ParseDay(request.sent_date());
}

namespace {

// The plan a request is held to: the plan in effect on `start` (its clock's
// first day), else the plan whose clocks run on `today`; null without one.
// Points into `records`.
const v1::Plan* RequestPlan(const StudentRecords& records, Day start,
                            Day today) {
  const PlanTimeline timeline(records.plans);
  if (const v1::Plan* plan = timeline.InEffectOn(start)) {
    // `timeline` points into records.plans, which outlives it.
    return plan;
  }
  return DeadlinePlan(records, today);
}

// The deadlines `request` starts under `rules` for a plan of `plan_kind`.
std::vector<v1::Deadline> RequestDeadlines(
    const StudentRecords& records, const v1::ParentRequest& request,
    const std::vector<ResolvedRule>& rules, v1::PlanKind plan_kind,
    const SchoolCalendar& calendar, const absl::TimeZone& zone, Day today) {
  std::vector<v1::Deadline> deadlines;
  const std::optional<Day> start = RequestClockStart(records, request);
  if (!start.has_value()) return deadlines;
  const Day sent = *ParseDay(request.sent_date());
  // The first meeting after the clock starts, for rules due before it.
  std::optional<Day> next_meeting;
  for (const v1::Meeting& meeting : records.meetings) {
    const std::optional<Day> day = MeetingDay(meeting, zone);
    if (day.has_value() && *day > *start &&
        (!next_meeting || *day < *next_meeting)) {
      next_meeting = day;
    }
  }
  for (const ResolvedRule& resolved : rules) {
    const v1::ComplianceRule& rule = resolved.rule;
    if (rule.anchor() != v1::RULE_ANCHOR_PARENT_REQUEST) continue;
    if (std::find(rule.request_kinds().begin(), rule.request_kinds().end(),
                  request.request_kind()) == rule.request_kinds().end()) {
      continue;
    }
    // Without a plan, only rules for every kind of plan apply.
    if (plan_kind == v1::PLAN_KIND_UNSPECIFIED ? !rule.plan_kinds().empty()
                                               : !AppliesTo(rule, plan_kind)) {
      continue;
    }
    Day due = DueDay(rule, v1::Plan(), *start, calendar);
    if (rule.due_before_meeting() && next_meeting.has_value()) {
      due = std::min(due, *next_meeting - 1);
    }
    deadlines.push_back(MakeDeadline(
        resolved, records.student.id(), {*start, request.id()}, due,
        RequestMetDay(rule, records, request.id(), sent, zone), today));
  }
  return deadlines;
}

}  // namespace

RequestClocks ClocksOfRequest(const Caseload& caseload,
                              const StudentRecords& records,
                              const v1::ParentRequest& request,
                              const v1::RuleBook& book, Day today) {
  RequestClocks clocks;
  const std::optional<Day> start = RequestClockStart(records, request);
  const v1::Plan* plan =
      start.has_value() ? RequestPlan(records, *start, today) : nullptr;
  const std::string& jurisdiction =
      plan != nullptr ? plan->jurisdiction() : caseload.district.jurisdiction();
  clocks.jurisdiction = RuleSetFor(book, jurisdiction);
  if (!start.has_value()) return clocks;
  const SchoolCalendar school(records.student.school(), caseload.holidays);
  clocks.deadlines = RequestDeadlines(
      records, request, RulesFor(book, jurisdiction),
      plan != nullptr ? plan->kind() : v1::PLAN_KIND_UNSPECIFIED, school,
      ZoneOrUtc(caseload.district.time_zone()), today);
  return clocks;
}

v1::ComplianceCalendar BuildComplianceCalendar(const Caseload& caseload,
                                               const v1::RuleBook& book,
                                               Day today) {
  v1::ComplianceCalendar calendar;
  std::vector<v1::Deadline> all;
  const absl::TimeZone zone = ZoneOrUtc(caseload.district.time_zone());
  for (const StudentRecords& records : caseload.students) {
    const SchoolCalendar school(records.student.school(), caseload.holidays);
    if (const v1::Plan* plan = DeadlinePlan(records, today)) {
      for (v1::Deadline& deadline :
           StudentDeadlines(records, RulesFor(book, plan->jurisdiction()),
                            school, zone, today)) {
        all.push_back(std::move(deadline));
      }
    }
    for (const v1::ParentRequest& request : records.requests) {
      for (v1::Deadline& deadline :
           ClocksOfRequest(caseload, records, request, book, today).deadlines) {
        all.push_back(std::move(deadline));
      }
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
