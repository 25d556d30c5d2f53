// For case managers, what a plan holds: `accommodation add`, `service add`
// and `goal add`, to the plan in effect or a draft.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "clients/cli/days.h"
#include "clients/cli/describe.h"
#include "clients/cli/lookup.h"
#include "clients/cli/output.h"
#include "core/enum_words.h"
#include "core/status_macros.h"

namespace plansync::cli {
namespace {

constexpr RoleSet kCaseManager = RoleBit(v1::CASE_MANAGER);

// The plan a new accommodation, service or goal goes to: --plan, else the
// plan in effect today for --student (or my only student). It must be
// active or a draft, and mine to manage.
absl::StatusOr<std::pair<v1::Student, v1::Plan>> TargetPlan(
    DeviceStore& store, const Flags& flags, absl::string_view today) {
  if (flags.Has("--plan")) {
    ASSIGN_OR_RETURN(v1::Plan plan,
                     GetRecord<v1::Plan>(store, flags.Get("--plan"), "plan"));
    ASSIGN_OR_RETURN(
        v1::Student student,
        GetRecord<v1::Student>(store, plan.student_id(), "student"));
    RETURN_IF_ERROR(RequireRole(store, student, kCaseManager, today));
    if (plan.status() != v1::PLAN_STATUS_ACTIVE &&
        plan.status() != v1::PLAN_STATUS_DRAFT) {
      ASSIGN_OR_RETURN(std::optional<v1::Plan> current,
                       PlanOn(store, student.id(), today));
      return absl::FailedPreconditionError(absl::StrCat(
          "plan ", plan.id(), " is ",
          EnumWords(*v1::PlanStatus_descriptor(), plan.status()),
          current.has_value()
              ? absl::StrCat("; the plan in effect is version ",
                             current->version(), ", ", current->id())
              : "",
          "; nothing recorded"));
    }
    return std::make_pair(std::move(student), std::move(plan));
  }
  ASSIGN_OR_RETURN(
      v1::Student student,
      ResolveStudent(store, flags.Get("--student"), kCaseManager, today));
  ASSIGN_OR_RETURN(v1::Plan plan, RequirePlanOn(store, student, today));
  return std::make_pair(std::move(student), std::move(plan));
}

// Sets `start_date` and `end_date` of `record` from --start and --end.
template <typename T>
absl::Status SetDates(const Flags& flags, absl::string_view today, T* record) {
  ASSIGN_OR_RETURN(std::string start, DayFlag(flags, "--start", today, ""));
  ASSIGN_OR_RETURN(std::string end, DayFlag(flags, "--end", today, ""));
  if (!start.empty() && !end.empty() && end < start) {
    return absl::InvalidArgumentError(
        absl::StrCat("--end ", end, " is before --start ", start));
  }
  record->set_start_date(start);
  record->set_end_date(end);
  return absl::OkStatus();
}

std::string PlanName(const v1::Student& student, const v1::Plan& plan) {
  return absl::StrCat(StudentName(student), "'s ", PlanKindText(plan.kind()),
                      " (version ", plan.version(), ")");
}

absl::Status AddAccommodation(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(const std::string title, flags.Require("--title"));
  ASSIGN_OR_RETURN(
      std::optional<int> category,
      flags.Enum("--category", *v1::AccommodationCategory_descriptor(),
                 {{"timing", v1::ACCOMMODATION_CATEGORY_TIMING_AND_SCHEDULING},
                  {"behavioral", v1::ACCOMMODATION_CATEGORY_BEHAVIOURAL}}));
  if (!category.has_value()) {
    return absl::InvalidArgumentError(
        "plansync accommodation add needs --category: presentation, "
        "response, setting, timing, behavioural or health");
  }
  ASSIGN_OR_RETURN(std::optional<int> kind,
                   flags.Enum("--kind", *v1::AccommodationKind_descriptor()));
  ASSIGN_OR_RETURN(std::optional<int> applies,
                   flags.Enum("--applies-to", *v1::AppliesTo_descriptor(),
                              {{"all", v1::APPLIES_TO_ALL_CLASSES},
                               {"tests", v1::APPLIES_TO_TESTS_ONLY}}));
  if (flags.Has("--subject") && !applies.has_value()) {
    applies = v1::APPLIES_TO_SUBJECT;
  }
  if ((applies == v1::APPLIES_TO_SUBJECT) != flags.Has("--subject")) {
    return absl::InvalidArgumentError(
        flags.Has("--subject")
            ? "--subject goes with --applies-to subject"
            : "--applies-to subject needs --subject NAME, e.g. --subject "
              "Mathematics");
  }
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(auto target, TargetPlan(*store, flags, today));
  const auto& [student, plan] = target;
  v1::Accommodation accommodation;
  accommodation.set_student_id(student.id());
  accommodation.set_plan_id(plan.id());
  accommodation.set_kind(static_cast<v1::AccommodationKind>(
      kind.value_or(v1::ACCOMMODATION_KIND_ACCOMMODATION)));
  accommodation.set_category(static_cast<v1::AccommodationCategory>(*category));
  accommodation.set_title(title);
  accommodation.set_description(flags.Get("--description"));
  accommodation.set_applies_to(
      static_cast<v1::AppliesTo>(applies.value_or(v1::APPLIES_TO_UNSPECIFIED)));
  accommodation.set_subject(flags.Get("--subject"));
  accommodation.set_responsible_role(flags.Get("--responsible"));
  RETURN_IF_ERROR(SetDates(flags, today, &accommodation));
  std::string id;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(id, store->Create(txn, accommodation));
    return absl::OkStatus();
  }));
  std::printf("Added accommodation %s to %s: %s.\n", id.c_str(),
              PlanName(student, plan).c_str(),
              AccommodationText(accommodation).c_str());
  return absl::OkStatus();
}

absl::Status AddService(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(const std::string type, flags.Require("--type"));
  ASSIGN_OR_RETURN(
      std::optional<int> category,
      flags.Enum("--category", *v1::ServiceCategory_descriptor(),
                 {{"personnel-support",
                   v1::SERVICE_CATEGORY_SCHOOL_PERSONNEL_SUPPORT}}));
  if (!category.has_value()) {
    return absl::InvalidArgumentError(
        "plansync service add needs --category: special-education, "
        "related-service, supplementary-aid, personnel-support or other");
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> minutes,
                   flags.Int("--minutes", 0, 100000));
  if (!minutes.has_value()) {
    return absl::InvalidArgumentError(
        "plansync service add needs --minutes N (0 if the plan states no "
        "minutes) and --per day|week|month|quarter|year");
  }
  ASSIGN_OR_RETURN(std::optional<int> period,
                   flags.Enum("--per", *v1::ServicePeriod_descriptor()));
  if (*minutes > 0 && !period.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--minutes ", *minutes,
                     " needs --per day, week, month, quarter or year"));
  }
  ASSIGN_OR_RETURN(std::optional<int> delivery,
                   flags.Enum("--delivery", *v1::ServiceDelivery_descriptor()));
  ASSIGN_OR_RETURN(std::optional<int> setting,
                   flags.Enum("--setting", *v1::ServiceSetting_descriptor()));
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(auto target, TargetPlan(*store, flags, today));
  const auto& [student, plan] = target;
  v1::Service service;
  service.set_student_id(student.id());
  service.set_plan_id(plan.id());
  service.set_service_category(static_cast<v1::ServiceCategory>(*category));
  service.set_service_type(type);
  service.set_minutes_per_period(static_cast<int32_t>(*minutes));
  service.set_period(static_cast<v1::ServicePeriod>(period.value_or(0)));
  service.set_delivery(static_cast<v1::ServiceDelivery>(delivery.value_or(0)));
  service.set_setting(static_cast<v1::ServiceSetting>(setting.value_or(0)));
  service.set_location(flags.Get("--location"));
  service.set_provider_role(flags.Get("--provider-role"));
  RETURN_IF_ERROR(SetDates(flags, today, &service));
  std::string id;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(id, store->Create(txn, service));
    return absl::OkStatus();
  }));
  std::printf("Added service %s to %s: %s.\n", id.c_str(),
              PlanName(student, plan).c_str(), ServiceText(service).c_str());
  return absl::OkStatus();
}

absl::Status AddGoal(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(const std::string area, flags.Require("--area"));
  ASSIGN_OR_RETURN(const std::string description,
                   flags.Require("--description"));
  ASSIGN_OR_RETURN(std::optional<double> baseline_value,
                   flags.Number("--baseline-value"));
  ASSIGN_OR_RETURN(std::optional<double> target_value,
                   flags.Number("--target-value"));
  ASSIGN_OR_RETURN(
      const std::optional<int> cadence,
      flags.Enum("--reports", *v1::ReportCadence_descriptor(),
                 {{"report-cards", v1::REPORT_CADENCE_WITH_REPORT_CARDS},
                  {"weekly", v1::REPORT_CADENCE_EVERY_N_WEEKS}}));
  ASSIGN_OR_RETURN(const std::optional<int64_t> weeks,
                   flags.Int("--report-every-weeks", 1, 52));
  if (cadence == v1::REPORT_CADENCE_EVERY_N_WEEKS && !weeks.has_value()) {
    return absl::InvalidArgumentError(
        "--reports every-n-weeks needs --report-every-weeks N (1 to 52)");
  }
  if (cadence == v1::REPORT_CADENCE_ON_DAYS && !flags.Has("--report-days")) {
    return absl::InvalidArgumentError(
        "--reports on-days needs --report-days D,D,... (YYYY-MM-DD)");
  }
  if ((weeks.has_value() && cadence != v1::REPORT_CADENCE_EVERY_N_WEEKS) ||
      (flags.Has("--report-days") && cadence != v1::REPORT_CADENCE_ON_DAYS)) {
    return absl::InvalidArgumentError(
        "--report-every-weeks goes with --reports every-n-weeks, "
        "--report-days with --reports on-days");
  }
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(auto target, TargetPlan(*store, flags, today));
  const auto& [student, plan] = target;
  v1::Goal goal;
  goal.set_report_cadence(static_cast<v1::ReportCadence>(cadence.value_or(0)));
  goal.set_report_every_weeks(static_cast<int32_t>(weeks.value_or(0)));
  goal.set_report_days(flags.Get("--report-days"));
  goal.set_student_id(student.id());
  goal.set_plan_id(plan.id());
  goal.set_area(area);
  goal.set_description(description);
  goal.set_baseline(flags.Get("--baseline"));
  goal.set_target(flags.Get("--target"));
  goal.set_criterion(flags.Get("--criterion"));
  goal.set_measurement_method(flags.Get("--measured-by"));
  goal.set_reporting_schedule(flags.Get("--reporting"));
  goal.set_unit(flags.Get("--unit"));
  goal.set_baseline_value(baseline_value.value_or(0));
  goal.set_target_value(target_value.value_or(0));
  std::string id;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(id, store->Create(txn, goal));
    return absl::OkStatus();
  }));
  std::printf("Added goal %s to %s: %s: %s.\n", id.c_str(),
              PlanName(student, plan).c_str(), area.c_str(),
              description.c_str());
  return absl::OkStatus();
}

const FlagSpec kPlanTarget{"--plan", "PLAN_ID",
                           "the plan (default: the plan in effect for the "
                           "student)"};
const FlagSpec kStudentTarget{"--student", "S",
                              "the student, by name or id (needed only if "
                              "you manage several)"};
const FlagSpec kStart{"--start", "D", "first day it applies"};
const FlagSpec kEnd{"--end", "D", "last day it applies"};

}  // namespace

std::vector<Command> PlanRecordCommands() {
  std::vector<Command> commands;
  commands.push_back(
      {.name = "accommodation",
       .sub = "add",
       .synopsis = "[--plan PLAN_ID | --student S] --title T --category C "
                   "[options]",
       .summary = "add an accommodation or modification to a plan",
       .flags = {kPlanTarget,
                 kStudentTarget,
                 {"--title", "T", "short label, e.g. \"Extended time (1.5x)\""},
                 {"--category", "C",
                  "presentation, response, setting, timing, behavioural or "
                  "health"},
                 {"--kind", "K", "accommodation (default) or modification"},
                 {"--applies-to", "WHERE",
                  "all-classes, tests-only or subject"},
                 {"--subject", "NAME", "the subject it applies to"},
                 {"--description", "T", "as written in the plan"},
                 {"--responsible", "WHO", "who provides it, e.g. all teachers"},
                 kStart,
                 kEnd},
       .examples = {"plansync accommodation add --student Maya --title "
                    "\"Extended time (1.5x)\" --category timing --applies-to "
                    "tests-only"},
       .audience = Audience::kCaseManager,
       .run = AddAccommodation});
  commands.push_back(
      {.name = "service",
       .sub = "add",
       .synopsis = "[--plan PLAN_ID | --student S] --type T --category C "
                   "--minutes N --per PERIOD [options]",
       .summary = "add a service with its minutes to a plan",
       .flags = {kPlanTarget,
                 kStudentTarget,
                 {"--type", "T", "the service, e.g. Speech-language therapy"},
                 {"--category", "C",
                  "special-education, related-service, supplementary-aid, "
                  "personnel-support or other"},
                 {"--minutes", "N",
                  "mandated minutes per period (0: none "
                  "stated)"},
                 {"--per", "PERIOD", "day, week, month, quarter or year"},
                 {"--delivery", "HOW", "individual or group"},
                 {"--setting", "WHERE",
                  "general-education, special-education or other"},
                 {"--location", "TEXT", "e.g. speech room"},
                 {"--provider-role", "TEXT",
                  "e.g. speech-language pathologist"},
                 kStart,
                 kEnd},
       .examples = {"plansync service add --student Maya --type "
                    "\"Speech-language therapy\" --category related-service "
                    "--minutes 60 --per week --delivery group"},
       .audience = Audience::kCaseManager,
       .run = AddService});
  commands.push_back(
      {.name = "goal",
       .sub = "add",
       .synopsis = "[--plan PLAN_ID | --student S] --area A --description T "
                   "[options]",
       .summary = "add a measurable annual goal to a plan",
       .flags = {kPlanTarget,
                 kStudentTarget,
                 {"--area", "A", "area of need, e.g. reading fluency"},
                 {"--description", "T", "the goal as written"},
                 {"--baseline", "T", "present level, as written"},
                 {"--target", "T", "target by the end of the plan"},
                 {"--criterion", "T", "mastery criterion"},
                 {"--measured-by", "T", "how progress is measured"},
                 {"--reporting", "T",
                  "when progress is reported, as the plan words it"},
                 {"--reports", "CADENCE",
                  "when reports are due: with-report-cards, quarterly, "
                  "every-n-weeks or on-days"},
                 {"--report-every-weeks", "N", "for every-n-weeks"},
                 {"--report-days", "D,D", "for on-days: YYYY-MM-DD,..."},
                 {"--unit", "U", "unit of the measurements"},
                 {"--baseline-value", "N", "baseline as a number"},
                 {"--target-value", "N", "target as a number"}},
       .examples = {"plansync goal add --student Maya --area \"Reading "
                    "fluency\" --description \"Reads grade-5 text at 110 "
                    "wcpm\" --unit wcpm --baseline-value 72 --target-value "
                    "110"},
       .audience = Audience::kCaseManager,
       .run = AddGoal});
  return commands;
}

}  // namespace plansync::cli
