// For service providers: `session`, one session of a service as delivered
// (or not), including make-ups of missed sessions.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "clients/cli/days.h"
#include "clients/cli/describe.h"
#include "clients/cli/lookup.h"
#include "clients/cli/output.h"
#include "core/status_macros.h"

namespace plansync::cli {
namespace {

// Providers log their own sessions; case managers may log any.
constexpr RoleSet kSessionWriters =
    RoleBit(v1::PROVIDER) | RoleBit(v1::CASE_MANAGER);

// The longest session that can be logged, in minutes (a whole school day).
constexpr int64_t kMaxSessionMinutes = 600;

// Checks that `missed_id` names a session a make-up of `service` on `day`
// may make up: a missed session of the same service, before `day`, not
// already made up. Returns it.
absl::StatusOr<v1::ServiceSession> MissedSession(DeviceStore& store,
                                                 const v1::Service& service,
                                                 absl::string_view missed_id,
                                                 absl::string_view day) {
  ASSIGN_OR_RETURN(v1::ServiceSession missed,
                   GetRecord<v1::ServiceSession>(store, missed_id, "session"));
  if (missed.service_id() != service.id()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "session ", missed_id, " was a session of another service (",
        Quoted(RecordLabel(store, *Schema::Get().Find("Service"),
                           missed.service_id())),
        "); a make-up names a missed session of ",
        Quoted(service.service_type())));
  }
  if (!IsMissed(missed.outcome())) {
    return absl::InvalidArgumentError(
        absl::StrCat("session ", missed_id, " on ", missed.day(), " was ",
                     OutcomeText(missed.outcome()),
                     ", not missed; a make-up names a session that did not "
                     "happen (student absent, provider absent, cancelled)"));
  }
  if (missed.day() > day) {
    return absl::InvalidArgumentError(
        absl::StrCat("a make-up comes after the session it makes up; session ",
                     missed_id, " is on ", missed.day()));
  }
  ASSIGN_OR_RETURN(
      std::vector<v1::ServiceSession> sessions,
      store.ListByStudent<v1::ServiceSession>(service.student_id()));
  for (const v1::ServiceSession& s : sessions) {
    if (s.makeup_of_session_id() == missed.id()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the session of ", missed.day(), " was already made up by session ",
          s.id(), " on ", s.day(), "; nothing recorded"));
    }
  }
  return missed;
}

absl::Status Session(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(const std::string day,
                   DayFlag(flags, "--day", today, today));
  RETURN_IF_ERROR(NotAfterToday("--day", day, today));
  ASSIGN_OR_RETURN(const std::string service_text, flags.Require("--service"));
  if (!flags.Has("--outcome")) {
    return absl::InvalidArgumentError(
        "plansync session needs --outcome delivered, student-absent, "
        "provider-absent, cancelled or make-up");
  }
  ASSIGN_OR_RETURN(
      std::optional<int> outcome_number,
      flags.Enum("--outcome", *v1::SessionOutcome_descriptor(),
                 {{"cancelled", v1::SESSION_OUTCOME_CANCELLED_SCHOOL_EVENT},
                  {"makeup", v1::SESSION_OUTCOME_MAKE_UP}}));
  const auto outcome = static_cast<v1::SessionOutcome>(*outcome_number);
  ASSIGN_OR_RETURN(std::optional<int64_t> minutes,
                   flags.Int("--minutes", 0, kMaxSessionMinutes));
  const bool happened = !IsMissed(outcome);
  if (happened && minutes.value_or(0) == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("a ", OutcomeText(outcome),
                     " session needs --minutes N, the minutes delivered"));
  }
  if (!happened && minutes.value_or(0) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("a session with outcome ", OutcomeText(outcome),
                     " delivered no minutes; leave --minutes out"));
  }
  const bool make_up = outcome == v1::SESSION_OUTCOME_MAKE_UP;
  if (make_up != flags.Has("--makeup-of")) {
    return absl::InvalidArgumentError(
        make_up ? "a make-up needs --makeup-of SESSION_ID, the missed session "
                  "it makes up"
                : "--makeup-of goes with --outcome make-up");
  }
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(
      const v1::Student student,
      ResolveStudent(*store, flags.Get("--student"), kSessionWriters, today));
  ASSIGN_OR_RETURN(const v1::Plan plan, RequirePlanOn(*store, student, day));
  ASSIGN_OR_RETURN(const v1::Service service,
                   FindService(*store, student, plan, service_text, day));
  std::optional<v1::ServiceSession> missed;
  if (make_up) {
    ASSIGN_OR_RETURN(
        missed, MissedSession(*store, service, flags.Get("--makeup-of"), day));
  }
  v1::ServiceSession session;
  session.set_student_id(student.id());
  session.set_service_id(service.id());
  session.set_day(day);
  session.set_minutes_delivered(static_cast<int32_t>(minutes.value_or(0)));
  session.set_outcome(outcome);
  if (missed.has_value()) session.set_makeup_of_session_id(missed->id());
  session.set_note(flags.Get("--note"));
  std::string id;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(id, store->Append(txn, session));
    return absl::OkStatus();
  }));
  std::printf("Recorded session %s: %s for %s on %s: %s", id.c_str(),
              Quoted(service.service_type()).c_str(),
              StudentName(student).c_str(), DayText(day).c_str(),
              OutcomeText(outcome).c_str());
  if (happened) {
    std::printf(", %d minutes", session.minutes_delivered());
  }
  if (missed.has_value()) {
    std::printf(" (making up the session of %s, %s)",
                DayText(missed->day()).c_str(),
                OutcomeText(missed->outcome()).c_str());
  }
  std::printf(".\n  The plan mandates %s.\n", MinutesText(service).c_str());
  if (!happened) {
    std::printf(
        "  When it is made up: plansync session --service %s --outcome "
        "make-up --makeup-of %s --minutes N\n",
        Quoted(service.service_type()).c_str(), id.c_str());
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> ProviderCommands() {
  std::vector<Command> commands;
  commands.push_back(
      {.name = "session",
       .synopsis = "--service S --outcome OUTCOME [--minutes N] [--makeup-of "
                   "SESSION_ID] [--day D] [--note T] [--student S]",
       .summary = "log a session of a service, delivered or missed",
       .description =
           "OUTCOME is delivered, student-absent, provider-absent, cancelled "
           "(for a school\nevent) or make-up. Delivered sessions and make-ups "
           "need --minutes; missed ones\ndeliver none. A make-up names the "
           "missed session of the same service that it\nmakes up, with "
           "--makeup-of (each missed session is made up once). S is the\n"
           "service's type (or a part of it) or its id.",
       .flags = {{"--service", "S", "the service"},
                 {"--outcome", "OUTCOME",
                  "delivered, student-absent, provider-absent, cancelled or "
                  "make-up"},
                 {"--minutes", "N", "minutes delivered"},
                 {"--makeup-of", "SESSION_ID",
                  "the missed session a make-up "
                  "makes up"},
                 {"--day", "D", "the day of the session (default: today)"},
                 {"--note", "T", "a note"},
                 {"--student", "S",
                  "the student (needed only if you have "
                  "several)"}},
       .examples = {"plansync session --service Speech --minutes 30 --outcome "
                    "delivered",
                    "plansync session --service Speech --outcome "
                    "student-absent --day 2026-09-14",
                    "plansync session --service Speech --minutes 30 --outcome "
                    "make-up --makeup-of $MISSED"},
       .audience = Audience::kProvider,
       .run = Session});
  return commands;
}

}  // namespace plansync::cli
