// For case managers, the plan over time: `plan create` (version 1, or a plan
// that follows an ended one), `plan amend` (a new version from its effective
// day, carrying the plan's accommodations, services and goals forward),
// `plan end` and `plan versions`. Which plan is in effect on a day is the one
// rule of core/plan_timeline.h.
#include <algorithm>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/commands.h"
#include "clients/cli/days.h"
#include "clients/cli/lookup.h"
#include "clients/cli/output.h"
#include "core/enum_words.h"
#include "core/plan_timeline.h"
#include "core/reports/rule_book.h"
#include "core/status_macros.h"
#include "core/validate.h"

namespace plansync::cli {
namespace {

constexpr RoleSet kCaseManager = RoleBit(v1::CASE_MANAGER);

// A Plan field set from an option, by field name.
struct PlanField {
  const char* flag;
  const char* field;
  const char* label;  // for "changed: LABEL A -> B"
  bool day;
};
constexpr PlanField kPlanFields[] = {
    {"--jurisdiction", "jurisdiction", "jurisdiction", false},
    {"--eligibility", "eligibility_category", "eligibility", false},
    {"--case-manager", "case_manager_user_id", "case manager", false},
    {"--start", "start_date", "start", true},
    {"--end", "end_date", "end", true},
    {"--consent", "consent_date", "consent", true},
    {"--annual-review-due", "annual_review_due", "annual review due", true},
    {"--last-evaluation", "last_evaluation_date", "last evaluation", true},
    {"--reevaluation-due", "reevaluation_due", "reevaluation due", true},
    {"--referral", "referral_date", "referral", true},
    {"--evaluation-consent", "evaluation_consent_date", "evaluation consent",
     true},
    {"--eligibility-date", "eligibility_date", "eligibility found", true},
};

std::vector<FlagSpec> PlanFieldFlags() {
  return {
      {"--jurisdiction", "J", "ISO 3166-2 code whose rules apply, e.g. US-MO"},
      {"--eligibility", "TEXT", "eligibility category (504: the impairment)"},
      {"--case-manager", "USER_ID", "the case manager (default: you)"},
      {"--start", "D", "first day in effect"},
      {"--end", "D", "last day in effect"},
      {"--consent", "D", "day the parent consented to the services"},
      {"--annual-review-due", "D", "day the next annual review is due"},
      {"--last-evaluation", "D", "day of the last (re)evaluation"},
      {"--reevaluation-due", "D", "day the next reevaluation is due"},
      {"--referral", "D", "day the referral was received"},
      {"--evaluation-consent", "D",
       "day the parent consented to the evaluation"},
      {"--eligibility-date", "D", "day the student was found eligible"},
  };
}

// True for an ISO 3166-2 code as plansync uses it: "US" or "US-MO".
bool IsJurisdiction(absl::string_view code) {
  if (code.size() != 2 && (code.size() < 4 || code.size() > 6)) return false;
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    const bool ok = i < 2    ? absl::ascii_isupper(c)
                    : i == 2 ? c == '-'
                             : absl::ascii_isupper(c) || absl::ascii_isdigit(c);
    if (!ok) return false;
  }
  return true;
}

// Sets the fields of `plan` given as options; returns "label: old -> new"
// for each one that changed.
absl::StatusOr<std::vector<std::string>> ApplyPlanFields(
    const Flags& flags, absl::string_view today, v1::Plan* plan) {
  std::vector<std::string> changes;
  const auto* reflection = plan->GetReflection();
  for (const PlanField& field : kPlanFields) {
    if (!flags.Has(field.flag)) continue;
    std::string value = flags.Get(field.flag);
    if (field.day) {
      ASSIGN_OR_RETURN(value, ParseDay(field.flag, value, today));
    }
    if (std::string(field.flag) == "--jurisdiction") {
      value = absl::AsciiStrToUpper(value);
      if (!IsJurisdiction(value)) {
        return absl::InvalidArgumentError(
            absl::StrCat("--jurisdiction: \"", flags.Get(field.flag),
                         "\" is not an ISO 3166-2 code such as US or US-MO"));
      }
    }
    const auto* fd = plan->GetDescriptor()->FindFieldByName(field.field);
    const std::string old = reflection->GetString(*plan, fd);
    if (old == value) continue;
    reflection->SetString(plan, fd, value);
    changes.push_back(absl::StrCat(field.label, ": ",
                                   old.empty() ? "(none)" : old, " -> ",
                                   value.empty() ? "(none)" : value));
  }
  if (!plan->start_date().empty() && !plan->end_date().empty() &&
      plan->end_date() < plan->start_date()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the plan would end (", plan->end_date(),
                     ") before it starts (", plan->start_date(), ")"));
  }
  return changes;
}

// The accommodations, services and (optionally) goals of a plan that a new
// version or a following plan carries forward: those not archived and not
// ended before the day the new plan starts.
struct ItemsToCarry {
  std::vector<v1::Accommodation> accommodations;
  std::vector<v1::Service> services;
  std::vector<v1::Goal> goals;

  // Writes each as a new record of `plan_id` continuing the original.
  absl::Status CarryTo(DeviceStore& store, WriteTransaction& txn,
                       const std::string& plan_id) const {
    RETURN_IF_ERROR(Carry(store, txn, accommodations, plan_id));
    RETURN_IF_ERROR(Carry(store, txn, services, plan_id));
    return Carry(store, txn, goals, plan_id);
  }
  // "2 accommodations, 1 service, 0 goals".
  std::string Summary() const {
    auto count = [](size_t n, absl::string_view what) {
      return absl::StrCat(n, " ", what, n == 1 ? "" : "s");
    };
    return absl::StrCat(count(accommodations.size(), "accommodation"), ", ",
                        count(services.size(), "service"), ", ",
                        count(goals.size(), "goal"));
  }

 private:
  template <typename T>
  static absl::Status Carry(DeviceStore& store, WriteTransaction& txn,
                            const std::vector<T>& items,
                            const std::string& plan_id) {
    for (const T& item : items) {
      T copy = item;
      copy.clear_id();
      copy.set_plan_id(plan_id);
      copy.set_continues_id(item.id());
      RETURN_IF_ERROR(store.Create(txn, copy).status());
    }
    return absl::OkStatus();
  }
};

absl::StatusOr<ItemsToCarry> ItemsOf(DeviceStore& store, const v1::Plan& plan,
                                     absl::string_view from, bool goals) {
  auto still_applies = [&](const auto& item) {
    return item.end_date().empty() || item.end_date() >= from;
  };
  ItemsToCarry items;
  ASSIGN_OR_RETURN(const auto accommodations,
                   AccommodationsOf(store, plan.id(), ""));
  for (const auto& a : accommodations) {
    if (still_applies(a)) items.accommodations.push_back(a);
  }
  ASSIGN_OR_RETURN(const auto services, ServicesOf(store, plan.id(), ""));
  for (const auto& service : services) {
    if (still_applies(service)) items.services.push_back(service);
  }
  if (goals) {
    ASSIGN_OR_RETURN(items.goals, GoalsOf(store, plan.id()));
  }
  return items;
}

// FAILED_PRECONDITION unless no plan of `plans` is in effect on `start`
// (a new active plan would take over from an unended one).
absl::Status NoneInEffectFrom(const std::vector<v1::Plan>& plans,
                              const v1::Student& student,
                              absl::string_view start) {
  const PlanTimeline timeline(plans);
  const v1::Plan* current = timeline.InEffectOn(start);
  if (current == nullptr) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      StudentName(student), "'s ", PlanKindText(current->kind()), " version ",
      current->version(), " (", current->id(), ") is in effect on ", start,
      current->end_date().empty() ? " and has no last day" : "",
      ": end it first (plansync plan end ", current->id(), " --day ",
      AddDays(start, -1),
      "), change it with plansync plan amend, or make "
      "this plan a draft with --status draft; nothing recorded"));
}

// The plan named by --follows: one of the student's, ended before the new
// plan's first day.
absl::StatusOr<v1::Plan> FollowedPlan(const std::vector<v1::Plan>& plans,
                                      const v1::Student& student,
                                      absl::string_view id,
                                      const v1::Plan& next) {
  auto found = std::find_if(plans.begin(), plans.end(),
                            [&](const v1::Plan& p) { return p.id() == id; });
  if (found == plans.end()) {
    return absl::NotFoundError(absl::StrCat("--follows: ", StudentName(student),
                                            " has no plan ", id,
                                            " on this device; see plansync "
                                            "plan versions"));
  }
  if (found->status() != v1::PLAN_STATUS_ENDED || found->end_date().empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("--follows: ", PlanKindText(found->kind()), " version ",
                     found->version(), " (", id,
                     ") has not ended; end it first with "
                     "plansync plan end ",
                     id, " --day LAST_DAY; nothing recorded"));
  }
  if (found->end_date() >= next.start_date()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--follows: ", PlanKindText(found->kind()), " version ",
        found->version(), " is in effect to ", found->end_date(),
        "; the plan that follows it starts after that (--start ",
        AddDays(found->end_date(), 1), " or later); nothing recorded"));
  }
  return *found;
}

// Warns on stdout when an IEP change has no prior written notice (US-MO:
// Notice of Action) recorded for any of `plan_ids`: 34 CFR 300.503 requires
// one before the school changes the plan.
void WarnWithoutNotice(const v1::Plan& plan,
                       const std::vector<std::string>& plan_ids,
                       const std::vector<v1::Notice>& notices) {
  if (plan.kind() != v1::PLAN_KIND_IEP) return;
  for (const v1::Notice& notice : notices) {
    if (notice.notice_type() == v1::NOTICE_TYPE_PRIOR_WRITTEN_NOTICE &&
        std::find(plan_ids.begin(), plan_ids.end(), notice.plan_id()) !=
            plan_ids.end()) {
      return;
    }
  }
  std::printf(
      "  warning: no %s is recorded for this change; the school owes the "
      "parent one before it takes effect (plansync notice send --type "
      "prior-written-notice --plan ...)\n",
      PriorNoticeName(plan.jurisdiction()).c_str());
}

// Warns on stdout when a change of `plan` (notices about any of `plan_ids`)
// takes effect on `effective` while the waiting period after its notice
// runs: the jurisdiction's rule "notice_of_action_waiting_period" in the rule
// book (US-MO: 10 calendar days after a Notice of Action, unless the parent
// waived the wait). Rules counted in other units than calendar days are not
// checked here; the compliance calendar shows them.
void WarnWithinWaitingPeriod(const v1::Plan& plan,
                             const std::vector<std::string>& plan_ids,
                             const std::vector<v1::Notice>& notices,
                             const std::string& effective) {
  for (const reports::ResolvedRule& resolved :
       reports::RulesFor(reports::DefaultRuleBook(), plan.jurisdiction())) {
    const v1::ComplianceRule& rule = resolved.rule;
    if (rule.id() != "notice_of_action_waiting_period" ||
        rule.unit() != v1::RULE_UNIT_CALENDAR_DAYS) {
      continue;
    }
    for (const v1::Notice& notice : notices) {
      if (notice.notice_type() != rule.notice_type() ||
          notice.waiting_period_waived() || !IsIsoDay(notice.sent_date()) ||
          std::find(plan_ids.begin(), plan_ids.end(), notice.plan_id()) ==
              plan_ids.end()) {
        continue;
      }
      const std::string earliest = AddDays(notice.sent_date(), rule.amount());
      if (effective >= earliest) continue;
      std::printf(
          "  warning: this change takes effect on %s, sooner than %d days "
          "after its %s (sent %s); unless the parent agreed to it or waived "
          "the wait, a change such as a reduction of services may start on "
          "%s at the earliest (%s: %s)\n",
          effective.c_str(), rule.amount(),
          PriorNoticeName(plan.jurisdiction()).c_str(),
          notice.sent_date().c_str(), earliest.c_str(),
          resolved.jurisdiction.c_str(), rule.source().c_str());
    }
  }
}

absl::Status CreatePlan(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(std::optional<int> kind,
                   flags.Enum("--kind", *v1::PlanKind_descriptor(),
                              {{"504", v1::PLAN_KIND_SECTION_504}}));
  if (!kind.has_value()) {
    return absl::InvalidArgumentError(
        "plansync plan create needs --kind iep or --kind 504");
  }
  RETURN_IF_ERROR(flags.Require("--jurisdiction").status());
  ASSIGN_OR_RETURN(std::optional<int> status,
                   flags.Enum("--status", *v1::PlanStatus_descriptor()));
  if (status.has_value() && *status != v1::PLAN_STATUS_ACTIVE &&
      *status != v1::PLAN_STATUS_DRAFT) {
    return absl::InvalidArgumentError(
        "a new plan is active or a draft (--status active|draft)");
  }
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(
      const v1::Student student,
      ResolveStudent(*store, flags.Get("--student"), kCaseManager, today));
  v1::Plan plan;
  plan.set_student_id(student.id());
  plan.set_kind(static_cast<v1::PlanKind>(*kind));
  plan.set_status(
      static_cast<v1::PlanStatus>(status.value_or(v1::PLAN_STATUS_ACTIVE)));
  plan.set_version(1);
  plan.set_case_manager_user_id(store->principal_id());
  RETURN_IF_ERROR(ApplyPlanFields(flags, today, &plan).status());
  if (plan.status() == v1::PLAN_STATUS_ACTIVE && plan.start_date().empty()) {
    plan.set_start_date(today);
  }
  ASSIGN_OR_RETURN(std::vector<v1::Plan> plans,
                   store->ListByStudent<v1::Plan>(student.id()));
  std::optional<v1::Plan> follows;
  if (flags.Has("--follows")) {
    ASSIGN_OR_RETURN(
        const std::string followed,
        store->ResolveId(*Schema::Get().For(v1::Plan::descriptor()),
                         flags.Get("--follows")));
    ASSIGN_OR_RETURN(follows, FollowedPlan(plans, student, followed, plan));
    plan.set_follows_plan_id(follows->id());
  }
  if (plan.status() == v1::PLAN_STATUS_ACTIVE) {
    RETURN_IF_ERROR(NoneInEffectFrom(plans, student, plan.start_date()));
  }
  ItemsToCarry carried;
  if (follows.has_value()) {
    ASSIGN_OR_RETURN(carried,
                     ItemsOf(*store, *follows, plan.start_date(),
                             /*goals=*/follows->kind() == plan.kind()));
  }
  std::string id;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(id, store->Create(txn, plan));
    return carried.CarryTo(*store, txn, id);
  }));
  std::printf("Created plan %s: %s for %s, version 1, %s, %s.\n", id.c_str(),
              PlanKindText(plan.kind()).c_str(), StudentName(student).c_str(),
              EnumWords(*v1::PlanStatus_descriptor(), plan.status()).c_str(),
              plan.jurisdiction().c_str());
  if (plan.status() == v1::PLAN_STATUS_ACTIVE) {
    std::printf("  in effect from %s %s\n", plan.start_date().c_str(),
                plan.end_date().empty()
                    ? "until replaced or ended"
                    : absl::StrCat("to ", plan.end_date()).c_str());
  }
  if (follows.has_value()) {
    std::printf("  follows %s version %d (%s), which ended %s\n",
                PlanKindText(follows->kind()).c_str(), follows->version(),
                follows->id().c_str(), follows->end_date().c_str());
    std::printf("  carried forward: %s\n", carried.Summary().c_str());
  }
  std::printf(
      "  Add to it: plansync accommodation add, plansync service add, "
      "plansync goal add (--plan %s)\n",
      id.c_str());
  return absl::OkStatus();
}

absl::Status AmendPlan(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  const std::string& old_id = flags.args()[0];
  ASSIGN_OR_RETURN(const v1::Plan old,
                   GetRecord<v1::Plan>(*store, old_id, "plan"));
  ASSIGN_OR_RETURN(const v1::Student student,
                   GetRecord<v1::Student>(*store, old.student_id(), "student"));
  RETURN_IF_ERROR(RequireRole(*store, student, kCaseManager, today));
  ASSIGN_OR_RETURN(const std::string effective,
                   DayFlag(flags, "--effective", today, today));
  ASSIGN_OR_RETURN(std::vector<v1::Plan> plans,
                   store->ListByStudent<v1::Plan>(student.id()));
  if (old.status() != v1::PLAN_STATUS_ACTIVE) {
    std::string successor;
    for (const v1::Plan& p : plans) {
      if (p.supersedes_plan_id() == old.id()) {
        successor = absl::StrCat("; version ", p.version(), " (", p.id(),
                                 ") replaced it: amend that one");
      }
    }
    return absl::FailedPreconditionError(
        absl::StrCat("plan ", old.id(), " is ",
                     EnumWords(*v1::PlanStatus_descriptor(), old.status()),
                     ", not active", successor, "; nothing recorded"));
  }
  if (!old.start_date().empty() && effective <= old.start_date()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--effective ", effective, " is not after version ", old.version(),
        "'s first day (", old.start_date(),
        "): an amendment takes effect while the version it amends is in "
        "effect; nothing recorded"));
  }
  if (!old.end_date().empty() && effective > old.end_date()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--effective ", effective, " is after version ",
                     old.version(), "'s last day (", old.end_date(),
                     "); start a new plan with plansync plan create --follows ",
                     old.id(), "; nothing recorded"));
  }
  v1::Plan amended = old;
  amended.clear_id();
  amended.set_version(old.version() + 1);
  amended.set_supersedes_plan_id(old.id());
  amended.set_status(v1::PLAN_STATUS_ACTIVE);
  ASSIGN_OR_RETURN(const std::vector<std::string> changes,
                   ApplyPlanFields(flags, today, &amended));
  amended.set_start_date(effective);
  ASSIGN_OR_RETURN(ItemsToCarry carried,
                   ItemsOf(*store, old, effective, /*goals=*/true));
  std::string id;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(id, store->Create(txn, amended));
    v1::Plan superseded = old;
    superseded.set_status(v1::PLAN_STATUS_SUPERSEDED);
    const absl::string_view status_field[] = {"status"};
    RETURN_IF_ERROR(store->Update(txn, superseded, status_field));
    return carried.CarryTo(*store, txn, id);
  }));
  std::printf(
      "Amended %s's %s: version %d is plan %s, in effect from %s; version %d "
      "(plan %s) is in effect to %s.\n",
      StudentName(student).c_str(), PlanKindText(old.kind()).c_str(),
      amended.version(), id.c_str(), effective.c_str(), old.version(),
      old.id().c_str(), AddDays(effective, -1).c_str());
  for (const std::string& change : changes) {
    std::printf("  changed %s\n", change.c_str());
  }
  std::printf("  carried forward to version %d: %s\n", amended.version(),
              carried.Summary().c_str());
  std::printf(
      "  Change what the amendment changes with plansync accommodation add / "
      "service add (--plan %s) and plansync set.\n",
      id.c_str());
  ASSIGN_OR_RETURN(std::vector<v1::Notice> notices,
                   store->ListByStudent<v1::Notice>(student.id()));
  WarnWithoutNotice(old, {old.id(), id}, notices);
  WarnWithinWaitingPeriod(old, {old.id(), id}, notices, effective);
  return absl::OkStatus();
}

absl::Status EndPlan(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(const v1::Plan plan,
                   GetRecord<v1::Plan>(*store, flags.args()[0], "plan"));
  ASSIGN_OR_RETURN(
      const v1::Student student,
      GetRecord<v1::Student>(*store, plan.student_id(), "student"));
  RETURN_IF_ERROR(RequireRole(*store, student, kCaseManager, today));
  ASSIGN_OR_RETURN(const std::string day, flags.Require("--day"));
  ASSIGN_OR_RETURN(const std::string last, ParseDay("--day", day, today));
  if (plan.status() != v1::PLAN_STATUS_ACTIVE) {
    return absl::FailedPreconditionError(absl::StrCat(
        "plan ", plan.id(), " is ",
        EnumWords(*v1::PlanStatus_descriptor(), plan.status()),
        ", not active: only the version in effect can be ended; see plansync "
        "plan versions; nothing recorded"));
  }
  if (!plan.start_date().empty() && last < plan.start_date()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--day ", last, " is before the plan's first day (", plan.start_date(),
        "); --day is the last day the plan is in effect; nothing recorded"));
  }
  v1::Plan ended = plan;
  ended.set_status(v1::PLAN_STATUS_ENDED);
  ended.set_end_date(last);
  v1::Comment why;
  if (flags.Has("--reason")) {
    why.set_student_id(student.id());
    why.set_about_record_id(plan.id());
    why.set_about_record_type(v1::Plan::descriptor()->full_name());
    why.set_text(
        absl::StrCat("Plan ended on ", last, ": ", flags.Get("--reason")));
  }
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    const absl::string_view fields[] = {"status", "end_date"};
    RETURN_IF_ERROR(store->Update(txn, ended, fields));
    if (why.student_id().empty()) return absl::OkStatus();
    return store->Append(txn, why).status();
  }));
  std::printf(
      "Ended %s's %s version %d (plan %s): its last day in effect is "
      "%s.\n",
      StudentName(student).c_str(), PlanKindText(plan.kind()).c_str(),
      plan.version(), plan.id().c_str(), last.c_str());
  if (!why.student_id().empty())
    std::printf("  reason recorded as a comment\n");
  std::printf(
      "  A plan that follows it: plansync plan create --kind iep|504 --start "
      "%s --follows %s\n",
      AddDays(last, 1).c_str(), plan.id().c_str());
  ASSIGN_OR_RETURN(std::vector<v1::Notice> notices,
                   store->ListByStudent<v1::Notice>(student.id()));
  WarnWithoutNotice(plan, {plan.id()}, notices);
  // The ending takes effect the day after the last day.
  WarnWithinWaitingPeriod(plan, {plan.id()}, notices, AddDays(last, 1));
  return absl::OkStatus();
}

absl::Status ListVersions(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(
      const v1::Student student,
      ResolveStudent(*store, flags.Get("--student"), kAllRoles, today));
  ASSIGN_OR_RETURN(std::vector<v1::Plan> plans,
                   store->ListByStudent<v1::Plan>(student.id()));
  std::sort(plans.begin(), plans.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(a.start_date(), a.version(), a.id()) <
           std::make_tuple(b.start_date(), b.version(), b.id());
  });
  const PlanTimeline timeline(plans);
  const v1::Plan* now = timeline.InEffectOn(today);
  std::printf("Plans of %s (today %s):\n", StudentName(student).c_str(),
              today.c_str());
  if (plans.empty()) std::printf("  none\n");
  for (const v1::Plan& plan : plans) {
    std::vector<std::string> spans;
    for (const PlanSpan& span : timeline.spans()) {
      if (span.plan != &plan) continue;
      spans.push_back(absl::StrCat(
          span.first == kBeforeAnyDay ? std::string("(no first day)")
                                      : FormatDay(span.first),
          " to ", span.last ? FormatDay(*span.last) : std::string("(open)")));
    }
    std::printf(
        "  %s version %d  %s  %s%s\n    %s\n",
        PlanKindText(plan.kind()).c_str(), plan.version(), plan.id().c_str(),
        EnumWords(*v1::PlanStatus_descriptor(), plan.status()).c_str(),
        &plan == now ? ", in effect today" : "",
        spans.empty()
            ? "never in effect"
            : absl::StrCat("in effect ", absl::StrJoin(spans, ", ")).c_str());
  }
  for (const CompetingAmendments& competing : timeline.competing()) {
    std::printf(
        "  warning: plan %s has competing amendments (%s), made apart; each "
        "is in effect only until the next one starts. End or archive the one "
        "that should not stand.\n",
        competing.superseded_plan_id.c_str(),
        absl::StrJoin(competing.amendment_ids, ", ").c_str());
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> PlanCommands() {
  std::vector<Command> commands;
  std::vector<FlagSpec> create_flags = {
      {"--student", "S",
       "the student, by name or id (needed only if you manage several)"},
      {"--kind", "iep|504", "the kind of plan"},
      {"--status", "active|draft", "default: active"},
      {"--follows", "PLAN_ID",
       "the ended plan this one follows; its accommodations and services "
       "(and goals, for the same kind) are carried forward"}};
  for (FlagSpec& flag : PlanFieldFlags()) create_flags.push_back(flag);
  commands.push_back(
      {.name = "plan",
       .sub = "create",
       .synopsis = "[--student S] --kind iep|504 --jurisdiction J [--start D] "
                   "[--follows PLAN] [dates...]",
       .summary = "create a student's plan (version 1)",
       .description =
           "An active plan is in effect from --start (default: today) until "
           "it is amended, ended\n(plansync plan end) or followed by another "
           "plan; a passed annual review does\nnot end it. It is refused "
           "while another plan is in effect on its first day.\nAfter an "
           "ended plan (an IEP ended, a 504 plan next), give --follows.",
       .flags = create_flags,
       .examples = {"plansync plan create --student Maya --kind iep "
                    "--jurisdiction US-MO --start 2026-08-24 "
                    "--annual-review-due 2027-08-23",
                    "plansync plan create --student Maya --kind 504 "
                    "--jurisdiction US-MO --start 2026-10-19 --follows $IEP"},
       .audience = Audience::kCaseManager,
       .run = CreatePlan});
  std::vector<FlagSpec> amend_flags = {
      {"--effective", "D",
       "first day the new version is in effect (default: today; a past day "
       "is allowed)"}};
  for (FlagSpec& flag : PlanFieldFlags()) {
    if (flag.name != "--start") amend_flags.push_back(flag);
  }
  commands.push_back(
      {.name = "plan",
       .sub = "amend",
       .synopsis = "PLAN_ID [--effective D] [field changes...]",
       .summary = "amend a plan: a new version from its effective day",
       .description =
           "Makes version N+1 of the active plan PLAN_ID, in effect from "
           "--effective; PLAN_ID\nstays in effect to the day before. Its "
           "accommodations, services and goals are\ncarried forward as new "
           "records that continue the old ones, so what was recorded\n"
           "against either version counts toward the same item. All of it in "
           "one transaction.",
       .flags = amend_flags,
       .min_args = 1,
       .max_args = 1,
       .examples = {"plansync plan amend $PLAN --effective 2026-10-14"},
       .audience = Audience::kCaseManager,
       .run = AmendPlan});
  commands.push_back(
      {.name = "plan",
       .sub = "end",
       .synopsis = "PLAN_ID --day D [--reason TEXT]",
       .summary = "end a plan: D is its last day in effect",
       .description =
           "Ends the active plan PLAN_ID: it stays in effect through --day, "
           "and no longer after.\nThe reason is kept as a comment on the "
           "plan.",
       .flags = {{"--day", "D", "the plan's last day in effect"},
                 {"--reason", "TEXT",
                  "why it ends (exit, move, a 504 plan "
                  "next)"}},
       .min_args = 1,
       .max_args = 1,
       .examples = {"plansync plan end $IEP --day 2026-10-16 --reason "
                    "\"no longer eligible under IDEA; 504 plan next\""},
       .audience = Audience::kCaseManager,
       .run = EndPlan});
  commands.push_back(
      {.name = "plan",
       .sub = "versions",
       .synopsis = "[--student S]",
       .summary = "every plan of a student, with the days each was in effect",
       .flags = {{"--student", "S", "the student, by name or id"}},
       .examples = {"plansync plan versions --student Maya"},
       .audience = Audience::kCaseManager,
       .run = ListVersions});
  commands.push_back(PlanCompareCommand());
  return commands;
}

}  // namespace plansync::cli
