// For parents: `lapse` (an accommodation or a service that was not
// provided), `plan` (the plan in effect, in plain words) and `history` (what
// the school confirmed and delivered, the lapses reported, and the case
// manager's responses).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "clients/cli/days.h"
#include "clients/cli/describe.h"
#include "clients/cli/lookup.h"
#include "clients/cli/output.h"
#include "core/corrections.h"
#include "core/enum_words.h"
#include "core/status_macros.h"
#include "core/student_history.h"

namespace plansync::cli {
namespace {

const FlagSpec kStudent{"--student", "S",
                        "the student, by name or id (needed only if you have "
                        "several)"};
const FlagSpec kJson{"--json", "", "print JSON"};
// For views: without it, each of the user's students in turn.
const FlagSpec kEachStudent{
    "--student", "S", "one student, by name or id (default: each of yours)"};

// The roles that may read a student's plan and history.
constexpr RoleSet kAnyRole = RoleBit(v1::GUARDIAN) | RoleBit(v1::TEACHER) |
                             RoleBit(v1::PROVIDER) | RoleBit(v1::CASE_MANAGER);

absl::Status Lapse(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(const std::string day,
                   DayFlag(flags, "--day", today, today));
  RETURN_IF_ERROR(NotAfterToday("--day", day, today));
  if (flags.Has("--accommodation") == flags.Has("--service")) {
    return absl::InvalidArgumentError(
        "say what was not provided: --accommodation A or --service S (one of "
        "them); see plansync lapse --help");
  }
  ASSIGN_OR_RETURN(const std::string what, flags.Require("--what"));
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(const v1::Student student,
                   ResolveStudent(*store, flags.Get("--student"),
                                  RoleBit(v1::GUARDIAN), today));
  ASSIGN_OR_RETURN(const v1::Plan plan, RequirePlanOn(*store, student, day));
  v1::LapseReport report;
  report.set_student_id(student.id());
  report.set_day(day);
  report.set_class_or_period(flags.Get("--class"));
  report.set_what_happened(what);
  std::string subject;
  if (flags.Has("--accommodation")) {
    ASSIGN_OR_RETURN(v1::Accommodation accommodation,
                     FindAccommodation(*store, student, plan,
                                       flags.Get("--accommodation"), day));
    report.set_accommodation_id(accommodation.id());
    subject = accommodation.title();
  } else {
    ASSIGN_OR_RETURN(
        v1::Service service,
        FindService(*store, student, plan, flags.Get("--service"), day));
    report.set_service_id(service.id());
    subject = service.service_type();
  }
  ASSIGN_OR_RETURN(std::optional<std::string> no_school,
                   NoSchoolReason(*store, student.school(), day));
  std::string id;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(id, store->Append(txn, report));
    return absl::OkStatus();
  }));
  std::printf("Recorded lapse report %s: %s was not provided to %s on %s%s.\n",
              id.c_str(), Quoted(subject).c_str(), StudentName(student).c_str(),
              DayText(day).c_str(),
              report.class_or_period().empty()
                  ? ""
                  : absl::StrCat(" in ", report.class_or_period()).c_str());
  std::printf("  What happened: %s\n", Quoted(what).c_str());
  if (no_school.has_value()) {
    std::printf("  Note: that day is not a school day (%s).\n",
                no_school->c_str());
  }
  std::printf(
      "  The case manager sees it once this device syncs (plansync sync).\n");
  return absl::OkStatus();
}

void PrintPlan(DeviceStore& store, const v1::Student& student,
               const v1::Plan& plan,
               const std::vector<v1::Accommodation>& accommodations,
               const std::vector<v1::Service>& services,
               const std::vector<v1::Goal>& goals) {
  std::printf("%s: %s, version %d (%s), %s; plan %s\n",
              StudentName(student).c_str(), PlanKindText(plan.kind()).c_str(),
              plan.version(),
              EnumWords(*v1::PlanStatus_descriptor(), plan.status()).c_str(),
              plan.jurisdiction().c_str(), plan.id().c_str());
  absl::StatusOr<std::string> days = PlanDaysText(store, plan);
  std::printf("  in effect %s\n",
              days.ok() ? days->c_str() : "(unknown: the store failed)");
  const std::pair<const char*, const std::string*> dates[] = {
      {"eligibility", &plan.eligibility_category()},
      {"consent", &plan.consent_date()},
      {"annual review due", &plan.annual_review_due()},
      {"last evaluation", &plan.last_evaluation_date()},
      {"reevaluation due", &plan.reevaluation_due()},
  };
  for (const auto& [label, value] : dates) {
    if (!value->empty()) std::printf("  %s: %s\n", label, value->c_str());
  }
  if (!plan.case_manager_user_id().empty()) {
    std::printf("  case manager: %s\n",
                UserName(store, plan.case_manager_user_id()).c_str());
  }
  std::printf("\nAccommodations (%zu)\n", accommodations.size());
  for (const v1::Accommodation& a : accommodations) {
    std::printf("  - %s\n", AccommodationText(a).c_str());
    if (!a.description().empty()) {
      std::printf("      %s\n", a.description().c_str());
    }
    if (!a.responsible_role().empty()) {
      std::printf("      responsible: %s\n", a.responsible_role().c_str());
    }
  }
  std::printf("\nServices (%zu)\n", services.size());
  for (const v1::Service& s : services) {
    std::printf("  - %s\n", ServiceText(s).c_str());
    if (!s.provider_role().empty()) {
      std::printf("      provided by: %s\n", s.provider_role().c_str());
    }
  }
  std::printf("\nGoals (%zu)\n", goals.size());
  for (const v1::Goal& g : goals) {
    std::printf("  - %s: %s\n", g.area().c_str(), g.description().c_str());
    const std::pair<const char*, const std::string*> parts[] = {
        {"baseline", &g.baseline()},
        {"target", &g.target()},
        {"criterion", &g.criterion()},
        {"measured by", &g.measurement_method()},
        {"progress reported", &g.reporting_schedule()},
    };
    for (const auto& [label, value] : parts) {
      if (!value->empty()) std::printf("      %s: %s\n", label, value->c_str());
    }
  }
}

// The plan of `student` in effect on `day`: as a JSON object into `json` if
// it is not null, else printed.
absl::Status ShowPlanOf(DeviceStore* store, const v1::Student& student,
                        const std::string& day, JsonObject* json);

absl::Status ShowPlan(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(const std::string day,
                   DayFlag(flags, "--day", today, today));
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  // Every student of the user unless one is named.
  ASSIGN_OR_RETURN(
      const std::vector<v1::Student> students,
      ResolveStudents(*store, flags.Get("--student"), kAnyRole, today));
  return ForEachStudent(students, flags.Has("--json"),
                        [&](const v1::Student& student, JsonObject* json) {
                          return ShowPlanOf(store, student, day, json);
                        });
}

absl::Status ShowPlanOf(DeviceStore* store, const v1::Student& student,
                        const std::string& day, JsonObject* json) {
  ASSIGN_OR_RETURN(std::optional<v1::Plan> plan,
                   PlanOn(*store, student.id(), day));
  std::vector<v1::Accommodation> accommodations;
  std::vector<v1::Service> services;
  std::vector<v1::Goal> goals;
  if (plan.has_value()) {
    ASSIGN_OR_RETURN(accommodations, AccommodationsOf(*store, plan->id(), ""));
    ASSIGN_OR_RETURN(services, ServicesOf(*store, plan->id(), ""));
    ASSIGN_OR_RETURN(goals, GoalsOf(*store, plan->id()));
  }
  if (json != nullptr) {
    JsonObject& out = *json;
    PutText(out, "day", day);
    JsonObject* who = PutObject(out, "student");
    PutText(*who, "id", student.id());
    PutText(*who, "name", StudentName(student));
    PutText(*who, "school", student.school());
    PutText(*who, "grade", student.grade());
    if (plan.has_value()) {
      *PutObject(out, "plan") = RecordObject(*plan);
      PutText(out, "case_manager_name",
              UserName(*store, plan->case_manager_user_id()));
    }
    JsonList* list = PutList(out, "accommodations");
    for (const auto& a : accommodations) {
      JsonObject* item = AddObject(*list);
      *item = RecordObject(a);
      PutText(*item, "where", WhereApplies(a));
    }
    list = PutList(out, "services");
    for (const auto& s : services) {
      JsonObject* item = AddObject(*list);
      *item = RecordObject(s);
      PutText(*item, "minutes", MinutesText(s));
    }
    list = PutList(out, "goals");
    for (const auto& g : goals) *AddObject(*list) = RecordObject(g);
    return absl::OkStatus();
  }
  if (!plan.has_value()) {
    std::printf("%s has no plan in effect on %s.\n",
                StudentName(student).c_str(), DayText(day).c_str());
    return absl::OkStatus();
  }
  PrintPlan(*store, student, *plan, accommodations, services, goals);
  return absl::OkStatus();
}

// One line of a student's history.
struct HistoryEntry {
  std::string day;
  std::string kind;  // "confirmation", "session", "lapse"
  std::string author_id;
  std::string text;               // the line, after the kind
  std::vector<std::string> more;  // further lines
  JsonObject json;
};

// The history of `student` from `from` to `to`: as a JSON object into
// `json` if it is not null, else printed.
absl::Status HistoryOf(DeviceStore* store, const v1::Student& student,
                       const std::string& from, const std::string& to,
                       JsonObject* json);

absl::Status History(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(const std::string to, DayFlag(flags, "--to", today, today));
  // By default the school year that holds `to`, from August 1.
  const std::string year_start = SchoolYearStartOf(to);
  ASSIGN_OR_RETURN(const std::string from,
                   DayFlag(flags, "--from", today, year_start));
  RETURN_IF_ERROR(CheckWindow(from, to));
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  // Every student of the user unless one is named.
  ASSIGN_OR_RETURN(
      const std::vector<v1::Student> students,
      ResolveStudents(*store, flags.Get("--student"), kAnyRole, today));
  return ForEachStudent(students, flags.Has("--json"),
                        [&](const v1::Student& student, JsonObject* json) {
                          return HistoryOf(store, student, from, to, json);
                        });
}

absl::Status HistoryOf(DeviceStore* store, const v1::Student& student,
                       const std::string& from, const std::string& to,
                       JsonObject* json) {
  ASSIGN_OR_RETURN(const v1::StudentHistory history,
                   StudentHistoryOf(*store, student.id(), from, to));
  std::vector<HistoryEntry> entries;
  const RecordType& accommodation_type =
      *Schema::Get().For(v1::Accommodation::descriptor());
  const RecordType& service_type =
      *Schema::Get().For(v1::Service::descriptor());
  // An accommodation's title or a service's type, shortened for a line; the
  // id if unknown here.
  auto label = [&](const RecordType& type, const std::string& id) {
    const std::string text = RecordLabel(*store, type, id);
    return text.empty() ? id : text;
  };
  // Adds "corrected FIELD to VALUE on TIME by NAME: why" lines (and the
  // corrections, in JSON) to `entry`.
  auto add_trail = [&](const v1::HistoryEntry& item, HistoryEntry& entry) {
    if (item.corrections().empty()) return;
    JsonList* list = PutList(entry.json, "corrections");
    for (const v1::Correction& c : item.corrections()) {
      const std::string when =
          HlcTimeText(static_cast<uint64_t>(c.recorded_hlc()));
      entry.more.push_back(
          absl::StrCat(c.field_name().empty()
                           ? "withdrawn"
                           : absl::StrCat("corrected ", c.field_name(), " to ",
                                          Quoted(c.corrected_value())),
                       " on ", when, " by ", UserName(*store, c.author_id()),
                       ": ", Quoted(c.reason())));
      *AddObject(*list) = RecordObject(c);
    }
  };

  for (const v1::HistoryEntry& item : history.entries()) {
    HistoryEntry& entry = entries.emplace_back();
    entry.day = item.day();
    switch (item.entry_case()) {
      case v1::HistoryEntry::kConfirmation: {
        const v1::ImplementationConfirmation& c = item.confirmation();
        entry.kind = "confirmation";
        entry.author_id = c.author_id();
        entry.text = absl::StrCat(
            Quoted(label(accommodation_type, c.accommodation_id())), ": ",
            ConfirmationText(c.status()),
            c.class_or_period().empty() ? "" : ", " + c.class_or_period(),
            ", by ", UserName(*store, c.author_id()));
        if (!c.note().empty()) {
          entry.more.push_back("note: " + Quoted(c.note()));
        }
        entry.json = RecordObject(c);
        PutText(entry.json, "accommodation_title",
                label(accommodation_type, c.accommodation_id()));
        break;
      }
      case v1::HistoryEntry::kSession: {
        const v1::ServiceSession& s = item.session();
        entry.kind = "session";
        entry.author_id = s.author_id();
        entry.text =
            absl::StrCat(Quoted(label(service_type, s.service_id())), ": ",
                         OutcomeText(s.outcome()), ", ", s.minutes_delivered(),
                         " minutes, by ", UserName(*store, s.author_id()));
        if (!s.makeup_of_session_id().empty()) {
          absl::StatusOr<v1::ServiceSession> missed =
              store->Get<v1::ServiceSession>(s.makeup_of_session_id());
          entry.more.push_back(absl::StrCat(
              "makes up the session of ",
              missed.ok() ? missed->day() : s.makeup_of_session_id()));
        }
        if (!s.note().empty()) {
          entry.more.push_back("note: " + Quoted(s.note()));
        }
        entry.json = RecordObject(s);
        PutText(entry.json, "service_type",
                label(service_type, s.service_id()));
        break;
      }
      case v1::HistoryEntry::kLapse: {
        const v1::LapseReport& l = item.lapse();
        entry.kind = "lapse";
        entry.author_id = l.author_id();
        const std::string subject =
            l.accommodation_id().empty()
                ? label(service_type, l.service_id())
                : label(accommodation_type, l.accommodation_id());
        entry.text = absl::StrCat(
            Quoted(subject),
            l.class_or_period().empty() ? "" : ", " + l.class_or_period(), ": ",
            Quoted(l.what_happened()), " (reported by ",
            UserName(*store, l.author_id()), "; lapse report ", l.id(), ")");
        entry.json = RecordObject(l);
        PutText(entry.json, "subject", subject);
        break;
      }
      default:
        continue;
    }
    PutBool(entry.json, "withdrawn", item.withdrawn());
    add_trail(item, entry);
    if (item.entry_case() != v1::HistoryEntry::kLapse) continue;
    JsonList* json_responses = PutList(entry.json, "responses");
    if (item.responses().empty()) entry.more.push_back("no response yet");
    for (const v1::LapseResponse& r : item.responses()) {
      entry.more.push_back(
          absl::StrCat("response: ", ResponseText(r), " by ",
                       UserName(*store, r.author_id()), ", ",
                       HlcTimeText(static_cast<uint64_t>(r.recorded_hlc())),
                       r.note().empty() ? "" : ": " + Quoted(r.note())));
      JsonObject* response = AddObject(*json_responses);
      *response = RecordObject(r);
      PutText(*response, "author_name", UserName(*store, r.author_id()));
    }
  }

  if (json != nullptr) {
    JsonObject& out = *json;
    PutText(out, "student_id", student.id());
    PutText(out, "student_name", StudentName(student));
    PutText(out, "from", from);
    PutText(out, "to", to);
    JsonList* list = PutList(out, "entries");
    for (HistoryEntry& entry : entries) {
      JsonObject* item = AddObject(*list);
      PutText(*item, "kind", entry.kind);
      PutText(*item, "day", entry.day);
      PutText(*item, "author_name", UserName(*store, entry.author_id));
      *PutObject(*item, "record") = std::move(entry.json);
    }
    return absl::OkStatus();
  }
  std::printf("History of %s from %s to %s: %zu entries\n",
              StudentName(student).c_str(), from.c_str(), to.c_str(),
              entries.size());
  std::string day;
  for (const HistoryEntry& entry : entries) {
    if (entry.day != day) {
      day = entry.day;
      std::printf("\n%s\n", DayText(day).c_str());
    }
    std::printf("  %-13s %s\n", entry.kind.c_str(), entry.text.c_str());
    for (const std::string& line : entry.more) {
      std::printf("  %-13s %s\n", "", line.c_str());
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> ParentCommands() {
  std::vector<Command> commands;
  commands.push_back(
      {.name = "lapse",
       .synopsis = "(--accommodation A | --service S) --what TEXT [--day D] "
                   "[--class P] [--student S]",
       .summary = "report an accommodation or a service that was not provided",
       .description =
           "Records, in your own words, that your child did not get an "
           "accommodation or a\nservice on a school day. A and S are the "
           "accommodation's title (or a part of it)\nor the service's type, "
           "as `plansync plan` shows them, or their ids. You are the\n"
           "author. The report is never changed; the case manager answers "
           "it.",
       .flags = {{"--accommodation", "A", "the accommodation not provided"},
                 {"--service", "S", "the service not provided"},
                 {"--what", "TEXT", "what happened, in your words"},
                 {"--day", "D", "the day it happened (default: today)"},
                 {"--class", "P", "the class or period, if you know it"},
                 kStudent},
       .examples = {"plansync lapse --accommodation \"Extended time\" --what "
                    "\"The quiz was collected at the bell\"",
                    "plansync lapse --service Speech --day 2026-09-14 --what "
                    "\"No speech session this week\""},
       .audience = Audience::kParent,
       .run = Lapse});
  commands.push_back(
      {.name = "plan",
       .synopsis = "[--student S] [--day D] [--json]",
       .summary = "the plan in effect, in plain words",
       .description =
           "Shows the plan in effect (today, or on --day D): its kind, "
           "version and dates,\neach accommodation with where it applies, "
           "each service with its minutes per\nperiod, and the goals. With "
           "several students and no --student, each in turn\n(--json: "
           "{\"students\": [...]}).",
       .flags = {kEachStudent,
                 {"--day", "D",
                  "the plan in effect on this day (default: "
                  "today)"},
                 kJson},
       .examples = {"plansync plan", "plansync plan --student Maya --json"},
       .audience = Audience::kParent,
       .run = ShowPlan});
  commands.push_back(
      {.name = "history",
       .synopsis = "[--student S] [--from D] [--to D] [--json]",
       .summary = "confirmations, sessions and lapse reports, with responses",
       .description =
           "Lists, day by day, what teachers confirmed, the service "
           "sessions, and the lapse\nreports with the case manager's "
           "responses. The default window is the school\nyear (from August "
           "1) up to today. With several students and no --student, each in "
           "turn\n(--json: {\"students\": [...]}).",
       .flags = {kEachStudent,
                 {"--from", "D", "first day (default: August 1)"},
                 {"--to", "D", "last day (default: today)"},
                 kJson},
       .examples = {"plansync history --from 2026-09-01",
                    "plansync history --json"},
       .audience = Audience::kParent,
       .run = History});
  return commands;
}

}  // namespace plansync::cli
