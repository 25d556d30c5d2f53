// For case managers, the plan itself: `plan create` (version 1) and `plan
// amend` (a new version, active, that carries the plan's accommodations,
// services and goals over; the old one superseded).
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "clients/cli/days.h"
#include "clients/cli/lookup.h"
#include "clients/cli/output.h"
#include "core/enum_words.h"
#include "core/status_macros.h"

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

absl::Status CreatePlan(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, Today());
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
  if (plan.status() == v1::PLAN_STATUS_ACTIVE) {
    ASSIGN_OR_RETURN(std::vector<v1::Plan> plans,
                     store->ListByStudent<v1::Plan>(student.id()));
    for (const v1::Plan& other : plans) {
      if (other.status() == v1::PLAN_STATUS_ACTIVE) {
        return absl::FailedPreconditionError(absl::StrCat(
            StudentName(student), " already has an active plan (",
            PlanKindText(other.kind()), " version ", other.version(), ", ",
            other.id(), "); change it with plansync plan amend ", other.id(),
            ", or make this one a draft with --status draft"));
      }
    }
  }
  std::string id;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(id, store->Create(txn, plan));
    return absl::OkStatus();
  }));
  std::printf("Created plan %s: %s for %s, version 1, %s, %s.\n", id.c_str(),
              PlanKindText(plan.kind()).c_str(), StudentName(student).c_str(),
              EnumWords(*v1::PlanStatus_descriptor(), plan.status()).c_str(),
              plan.jurisdiction().c_str());
  if (!plan.start_date().empty() || !plan.end_date().empty()) {
    std::printf(
        "  in effect from %s to %s\n",
        plan.start_date().empty() ? "(not stated)" : plan.start_date().c_str(),
        plan.end_date().empty() ? "(not stated)" : plan.end_date().c_str());
  }
  std::printf(
      "  Add to it: plansync accommodation add, plansync service add, "
      "plansync goal add (--plan %s)\n",
      id.c_str());
  return absl::OkStatus();
}

// Copies `records` (of the old plan) to `plan_id` as new records.
template <typename T>
absl::Status CarryOver(DeviceStore& store, WriteTransaction& txn,
                       const std::vector<T>& records,
                       const std::string& plan_id) {
  for (T copy : records) {
    copy.clear_id();
    copy.set_plan_id(plan_id);
    RETURN_IF_ERROR(store.Create(txn, copy).status());
  }
  return absl::OkStatus();
}

absl::Status AmendPlan(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, Today());
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  const std::string& old_id = flags.args()[0];
  ASSIGN_OR_RETURN(const v1::Plan old,
                   GetRecord<v1::Plan>(*store, old_id, "plan"));
  ASSIGN_OR_RETURN(const v1::Student student,
                   GetRecord<v1::Student>(*store, old.student_id(), "student"));
  RETURN_IF_ERROR(RequireRole(*store, student, kCaseManager, today));
  if (old.status() != v1::PLAN_STATUS_ACTIVE) {
    ASSIGN_OR_RETURN(std::vector<v1::Plan> plans,
                     store->ListByStudent<v1::Plan>(student.id()));
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
  v1::Plan amended = old;
  amended.clear_id();
  amended.set_version(old.version() + 1);
  amended.set_supersedes_plan_id(old.id());
  amended.set_status(v1::PLAN_STATUS_ACTIVE);
  ASSIGN_OR_RETURN(const std::vector<std::string> changes,
                   ApplyPlanFields(flags, today, &amended));
  ASSIGN_OR_RETURN(const auto accommodations,
                   AccommodationsOf(*store, old.id(), ""));
  ASSIGN_OR_RETURN(const auto services, ServicesOf(*store, old.id(), ""));
  ASSIGN_OR_RETURN(const auto goals, GoalsOf(*store, old.id()));
  std::string id;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(id, store->Create(txn, amended));
    v1::Plan superseded = old;
    superseded.set_status(v1::PLAN_STATUS_SUPERSEDED);
    const absl::string_view status_field[] = {"status"};
    RETURN_IF_ERROR(store->Update(txn, superseded, status_field));
    RETURN_IF_ERROR(CarryOver(*store, txn, accommodations, id));
    RETURN_IF_ERROR(CarryOver(*store, txn, services, id));
    return CarryOver(*store, txn, goals, id);
  }));
  std::printf(
      "Amended %s's %s: version %d is plan %s, now active; version %d (plan "
      "%s) is superseded.\n",
      StudentName(student).c_str(), PlanKindText(old.kind()).c_str(),
      amended.version(), id.c_str(), old.version(), old.id().c_str());
  for (const std::string& change : changes) {
    std::printf("  changed %s\n", change.c_str());
  }
  std::printf(
      "  carried over to version %d as new records: %zu accommodation%s, %zu "
      "service%s, %zu goal%s\n",
      amended.version(), accommodations.size(),
      accommodations.size() == 1 ? "" : "s", services.size(),
      services.size() == 1 ? "" : "s", goals.size(),
      goals.size() == 1 ? "" : "s");
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> PlanCommands() {
  std::vector<Command> commands;
  std::vector<FlagSpec> create_flags = {
      {"--student", "S",
       "the student, by name or id (needed only if you manage several)"},
      {"--kind", "iep|504", "the kind of plan"},
      {"--status", "active|draft", "default: active"}};
  for (FlagSpec& flag : PlanFieldFlags()) create_flags.push_back(flag);
  commands.push_back(
      {.name = "plan",
       .sub = "create",
       .synopsis = "[--student S] --kind iep|504 --jurisdiction J [dates...]",
       .summary = "create a student's plan (version 1)",
       .description =
           "A student has one active plan; change it with plansync plan "
           "amend.",
       .flags = create_flags,
       .examples = {"plansync plan create --student Maya --kind iep "
                    "--jurisdiction US-MO --start 2026-08-24 --end "
                    "2027-08-23 --annual-review-due 2027-08-23"},
       .audience = Audience::kCaseManager,
       .run = CreatePlan});
  commands.push_back(
      {.name = "plan",
       .sub = "amend",
       .synopsis = "PLAN_ID [field changes...]",
       .summary = "amend a plan: a new version, the old one superseded",
       .description =
           "Makes version N+1 of the active plan PLAN_ID with the changes "
           "given, active, and\nmarks PLAN_ID superseded. Its accommodations, "
           "services and goals are carried\nover as new records of the new "
           "version (the old ones stay with the old\nversion, as the "
           "record of what it said). All of it in one transaction.",
       .flags = PlanFieldFlags(),
       .min_args = 1,
       .max_args = 1,
       .examples = {"plansync plan amend $PLAN --annual-review-due 2027-09-15"},
       .audience = Audience::kCaseManager,
       .run = AmendPlan});
  return commands;
}

}  // namespace plansync::cli
