// A parent's written requests and the school's answers: `request` (a parent
// records hers; a case manager records one received), `requests` (each with
// its legal clocks), `request received` and `records release`. Notices and
// meetings answer a request through `--request` (commands_meetings.cc).
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "clients/cli/days.h"
#include "clients/cli/lookup.h"
#include "clients/cli/output.h"
#include "clients/cli/requests_text.h"
#include "core/enum_words.h"
#include "core/reports/caseload.h"
#include "core/reports/requests.h"
#include "core/reports/rule_book.h"
#include "core/status_macros.h"

namespace plansync::cli {
namespace {

constexpr RoleSet kGuardian = RoleBit(v1::GUARDIAN);
constexpr RoleSet kCaseManager = RoleBit(v1::CASE_MANAGER);
constexpr RoleSet kRequestRoles = kGuardian | kCaseManager;

const std::map<std::string, int>& KindAliases() {
  static const auto* const aliases = new std::map<std::string, int>{
      {"evaluation", v1::REQUEST_KIND_INITIAL_EVALUATION},
      {"504-evaluation", v1::REQUEST_KIND_SECTION_504_EVALUATION},
      {"meeting", v1::REQUEST_KIND_PLAN_MEETING},
      {"records", v1::REQUEST_KIND_RECORDS_ACCESS},
      {"iee", v1::REQUEST_KIND_INDEPENDENT_EVALUATION},
  };
  return *aliases;
}

// The requests of `student` as the device holds them, as of `today`.
absl::StatusOr<std::vector<v1::RequestStatus>> RequestsOf(
    DeviceStore& store, const v1::Student& student, const Day today) {
  ASSIGN_OR_RETURN(const reports::Caseload caseload,
                   reports::LoadCaseload(store, student.id()));
  return reports::StudentRequests(caseload, caseload.students.front(),
                                  reports::DefaultRuleBook(), today);
}

absl::Status RecordRequest(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(
      const std::optional<int> kind,
      flags.Enum("--kind", *v1::RequestKind_descriptor(), KindAliases()));
  ASSIGN_OR_RETURN(const std::optional<int> via,
                   flags.Enum("--via", *v1::RequestChannel_descriptor(),
                              {{"mail", v1::REQUEST_CHANNEL_LETTER},
                               {"hand", v1::REQUEST_CHANNEL_HAND_DELIVERED}}));
  if (!kind.has_value() || !via.has_value()) {
    return absl::InvalidArgumentError(
        "say what was asked for and how it was sent: --kind (e.g. evaluation, "
        "meeting, records, iee) and --via (email, letter, hand-delivered or "
        "portal); see plansync request --help");
  }
  ASSIGN_OR_RETURN(const std::string text, flags.Require("--text"));
  ASSIGN_OR_RETURN(const std::string sent,
                   DayFlag(flags, "--sent", today, today));
  RETURN_IF_ERROR(NotAfterToday("--sent", sent, today));
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(
      const v1::Student student,
      ResolveStudent(*store, flags.Get("--student"), kRequestRoles, today));
  ASSIGN_OR_RETURN(const RoleSet roles, MyRolesOn(*store, student.id(), today));
  const bool by_school = (roles & kGuardian) == 0;
  std::string received;
  if (flags.Has("--received") && !by_school) {
    return absl::InvalidArgumentError(
        "--received is the school's to record (plansync request received); "
        "nothing recorded");
  }
  if (by_school) {
    // A case manager records a request the school received, and when.
    ASSIGN_OR_RETURN(received, DayFlag(flags, "--received", today, today));
    RETURN_IF_ERROR(NotAfterToday("--received", received, today));
    if (received < sent) {
      return absl::InvalidArgumentError(absl::StrCat("--received ", received,
                                                     " is before --sent ", sent,
                                                     "; nothing recorded"));
    }
  }
  v1::ParentRequest request;
  request.set_student_id(student.id());
  request.set_request_kind(static_cast<v1::RequestKind>(*kind));
  request.set_sent_via(static_cast<v1::RequestChannel>(*via));
  request.set_sent_date(sent);
  request.set_text(text);
  std::string id;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(id, store->Append(txn, request));
    if (!by_school) return absl::OkStatus();
    v1::RequestReceipt receipt;
    receipt.set_student_id(student.id());
    receipt.set_parent_request_id(id);
    receipt.set_received_date(received);
    return store->Append(txn, receipt).status();
  }));
  std::printf(
      "Recorded request %s: %s for %s, sent %s by %s.\n", id.c_str(),
      RequestKindText(request.request_kind()).c_str(),
      StudentName(student).c_str(), DayText(sent).c_str(),
      EnumWords(*v1::RequestChannel_descriptor(), request.sent_via()).c_str());
  if (by_school) {
    std::printf("  Received by the school %s.\n", DayText(received).c_str());
  }
  ASSIGN_OR_RETURN(const std::vector<v1::RequestStatus> all,
                   RequestsOf(*store, student, *reports::ParseDay(today)));
  for (const v1::RequestStatus& status : all) {
    if (status.request().id() == id) PrintClocks(status, "  ");
  }
  if (!by_school) {
    std::printf(
        "  The case manager sees it once this device syncs (plansync "
        "sync).\n");
  }
  return absl::OkStatus();
}

absl::Status ListRequests(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(
      const std::vector<v1::Student> students,
      ResolveStudents(*store, flags.Get("--student"), kRequestRoles, today));
  return ForEachStudent(
      students, flags.Has("--json"),
      [&](const v1::Student& student, JsonObject* json) -> absl::Status {
        ASSIGN_OR_RETURN(
            const std::vector<v1::RequestStatus> requests,
            RequestsOf(*store, student, *reports::ParseDay(today)));
        if (json != nullptr) {
          PutText(*json, "student_id", student.id());
          PutText(*json, "student_name", StudentName(student));
          PutText(*json, "as_of", today);
          JsonList* items = PutList(*json, "requests");
          for (const v1::RequestStatus& status : requests) {
            *AddObject(*items) = RequestObject(status);
          }
          return absl::OkStatus();
        }
        std::printf("Requests of %s as of %s: %zu\n",
                    StudentName(student).c_str(), DayText(today).c_str(),
                    requests.size());
        for (const v1::RequestStatus& status : requests) {
          std::printf("\n");
          PrintRequest(*store, status);
        }
        return absl::OkStatus();
      });
}

// The request `id` and its student, who must be on my caseload.
absl::StatusOr<std::pair<v1::ParentRequest, v1::Student>> MyRequest(
    DeviceStore& store, absl::string_view id, absl::string_view today) {
  ASSIGN_OR_RETURN(v1::ParentRequest request,
                   GetRecord<v1::ParentRequest>(store, id, "request"));
  ASSIGN_OR_RETURN(
      v1::Student student,
      GetRecord<v1::Student>(store, request.student_id(), "student"));
  RETURN_IF_ERROR(RequireRole(store, student, kCaseManager, today));
  return std::make_pair(std::move(request), std::move(student));
}

absl::Status Received(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(const std::string day,
                   DayFlag(flags, "--day", today, today));
  RETURN_IF_ERROR(NotAfterToday("--day", day, today));
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(auto found, MyRequest(*store, flags.args()[0], today));
  const auto& [request, student] = found;
  if (day < request.sent_date()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--day ", day, " is before the request was sent (",
                     request.sent_date(), "); nothing recorded"));
  }
  v1::RequestReceipt receipt;
  receipt.set_student_id(student.id());
  receipt.set_parent_request_id(request.id());
  receipt.set_received_date(day);
  receipt.set_note(flags.Get("--note"));
  std::string id;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(id, store->Append(txn, receipt));
    return absl::OkStatus();
  }));
  std::printf(
      "Recorded receipt %s: the %s request of %s, sent %s, reached "
      "the school %s.\n",
      id.c_str(), RequestKindText(request.request_kind()).c_str(),
      StudentName(student).c_str(), request.sent_date().c_str(),
      DayText(day).c_str());
  ASSIGN_OR_RETURN(const std::vector<v1::RequestStatus> all,
                   RequestsOf(*store, student, *reports::ParseDay(today)));
  for (const v1::RequestStatus& status : all) {
    if (status.request().id() == request.id()) PrintClocks(status, "  ");
  }
  return absl::OkStatus();
}

absl::Status Release(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(const std::string day,
                   DayFlag(flags, "--day", today, today));
  RETURN_IF_ERROR(NotAfterToday("--day", day, today));
  ASSIGN_OR_RETURN(const std::string what, flags.Require("--what"));
  ASSIGN_OR_RETURN(const std::optional<int> via,
                   flags.Enum("--via", *v1::RequestChannel_descriptor(),
                              {{"mail", v1::REQUEST_CHANNEL_LETTER},
                               {"hand", v1::REQUEST_CHANNEL_HAND_DELIVERED}}));
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  v1::RecordsRelease release;
  v1::Student student;
  if (flags.Has("--request")) {
    ASSIGN_OR_RETURN(auto found,
                     MyRequest(*store, flags.Get("--request"), today));
    if (flags.Has("--student")) {
      return absl::InvalidArgumentError(
          "give --request or --student, not both: the request names its "
          "student");
    }
    release.set_parent_request_id(found.first.id());
    student = std::move(found.second);
  } else {
    ASSIGN_OR_RETURN(student, ResolveStudent(*store, flags.Get("--student"),
                                             kCaseManager, today));
  }
  release.set_student_id(student.id());
  release.set_released_date(day);
  release.set_released_via(static_cast<v1::RequestChannel>(via.value_or(0)));
  release.set_description(what);
  std::string id;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(id, store->Append(txn, release));
    return absl::OkStatus();
  }));
  std::printf("Recorded records release %s: %s's records, %s, released %s.\n",
              id.c_str(), StudentName(student).c_str(), Quoted(what).c_str(),
              DayText(day).c_str());
  if (!release.parent_request_id().empty()) {
    std::printf("  It answers request %s.\n",
                release.parent_request_id().c_str());
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> RequestCommands() {
  std::vector<Command> commands;
  commands.push_back(
      {.name = "request",
       .synopsis = "--kind KIND --via HOW --text TEXT [--sent D] [--student "
                   "S]",
       .summary = "record a written request to the school, and see its clock",
       .description =
           "KIND is initial-evaluation (or evaluation), section-504-evaluation "
           "(or\n504-evaluation), reevaluation, plan-meeting (or meeting: an "
           "IEP or 504 meeting),\nrecords-access (or records) or "
           "independent-evaluation (or iee). HOW is email,\nletter, "
           "hand-delivered or portal. The request is never changed: keep "
           "the text\nas you sent it. The legal clocks it starts (your "
           "state's, or the federal ones)\nrun from the day the school "
           "received it, or the day you sent it until the\nschool records "
           "its receipt. A case manager records a request the school\n"
           "received with --received D (default: today).",
       .flags = {{"--kind", "KIND", "what you ask for"},
                 {"--via", "HOW", "how you sent it"},
                 {"--text", "TEXT", "the request as written"},
                 {"--sent", "D", "the day it was sent (default: today)"},
                 {"--received", "D",
                  "case managers: the day the school received it (default: "
                  "today)"},
                 {"--student", "S",
                  "the student, by name or id (needed only if you have "
                  "several)"}},
       .examples = {"plansync request --kind records --via email --text "
                    "\"Please send me a copy of Maya's full file\"",
                    "plansync request --kind evaluation --via letter --sent "
                    "2026-09-08 --text \"I request a full evaluation\""},
       .audience = Audience::kParent,
       .run = RecordRequest});
  commands.push_back(
      {.name = "requests",
       .synopsis = "[--student S] [--json]",
       .summary = "your written requests, each with its clock and answers",
       .description =
           "Lists each written request: what was asked, when it was sent and "
           "received, the\nlegal clock it started (due day, days left, "
           "overdue, or met on DAY), and what\nanswered it (a notice, a "
           "meeting held, records released). Parents and case\nmanagers "
           "both see it. With several students and no --student, each in "
           "turn\n(--json: {\"students\": [...]}).",
       .flags = {{"--student", "S",
                  "one student, by name or id (default: each of yours)"},
                 {"--json", "", "print JSON"}},
       .examples = {"plansync requests", "plansync requests --json"},
       .audience = Audience::kParent,
       .run = ListRequests});
  commands.push_back(
      {.name = "request",
       .sub = "received",
       .synopsis = "REQUEST_ID [--day D] [--note T]",
       .summary = "record the day the school received a parent's request",
       .description =
           "The request's clocks run from this day (the earliest receipt "
           "counts; a day\nbefore the request was sent is refused).",
       .flags = {{"--day", "D", "the day it was received (default: today)"},
                 {"--note", "T", "e.g. who took it"}},
       .min_args = 1,
       .max_args = 1,
       .examples = {"plansync request received $R --day 2026-09-10"},
       .audience = Audience::kCaseManager,
       .run = Received});
  commands.push_back(
      {.name = "records",
       .sub = "release",
       .synopsis = "(--request REQUEST_ID | --student S) --what TEXT [--via "
                   "HOW] [--day D]",
       .summary = "record that a student's records were released to the "
                  "parent",
       .description =
           "With --request, the release answers a parent's records request "
           "and stops its\nclock.",
       .flags = {{"--request", "REQUEST_ID", "the request it answers"},
                 {"--student", "S", "the student, when no request is named"},
                 {"--what", "TEXT", "what was released"},
                 {"--via", "HOW", "email, letter, hand-delivered or portal"},
                 {"--day", "D", "the day released (default: today)"}},
       .examples = {"plansync records release --request $R --what \"full "
                    "file\" --via email"},
       .audience = Audience::kCaseManager,
       .run = Release});
  return commands;
}

}  // namespace plansync::cli
