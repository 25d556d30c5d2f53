// For case managers, meetings and notices: `meeting schedule`, `meeting
// attend` (who took part, and how), `meeting decide` (decisions proposed,
// agreed or refused, and why), `meeting held`, and `notice send`.
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

// "the annual review of 2026-10-01 15:30 UTC".
std::string MeetingName(const v1::Meeting& meeting) {
  return absl::StrCat(
      "the ", EnumWords(*v1::MeetingType_descriptor(), meeting.meeting_type()),
      " meeting",
      meeting.scheduled_at().empty()
          ? ""
          : absl::StrCat(" of ", InstantText(meeting.scheduled_at())));
}

// The meeting `id` and its student, which must be on my caseload.
absl::StatusOr<std::pair<v1::Meeting, v1::Student>> MyMeeting(
    DeviceStore& store, absl::string_view id, absl::string_view today) {
  ASSIGN_OR_RETURN(v1::Meeting meeting,
                   GetRecord<v1::Meeting>(store, id, "meeting"));
  ASSIGN_OR_RETURN(
      v1::Student student,
      GetRecord<v1::Student>(store, meeting.student_id(), "student"));
  RETURN_IF_ERROR(RequireRole(store, student, kCaseManager, today));
  return std::make_pair(std::move(meeting), std::move(student));
}

// The parent's request `id` of `student`, for a notice or a meeting that
// answers it.
absl::StatusOr<v1::ParentRequest> RequestOf(DeviceStore& store,
                                            const v1::Student& student,
                                            absl::string_view id) {
  ASSIGN_OR_RETURN(v1::ParentRequest request,
                   GetRecord<v1::ParentRequest>(store, id, "request"));
  if (request.student_id() != student.id()) {
    return absl::InvalidArgumentError(
        absl::StrCat("request ", request.id(), " is not about ",
                     StudentName(student), "; nothing recorded"));
  }
  return request;
}

absl::Status Schedule(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(
      std::optional<int> type,
      flags.Enum(
          "--type", *v1::MeetingType_descriptor(),
          {{"504-review", v1::MEETING_TYPE_SECTION_504_REVIEW},
           {"manifestation", v1::MEETING_TYPE_MANIFESTATION_DETERMINATION}}));
  if (!type.has_value()) {
    return absl::InvalidArgumentError(
        "plansync meeting schedule needs --type, e.g. annual-review; see "
        "plansync meeting schedule --help");
  }
  ASSIGN_OR_RETURN(const std::string at_text, flags.Require("--at"));
  ASSIGN_OR_RETURN(const absl::TimeZone zone, context.Zone());
  ASSIGN_OR_RETURN(const std::string at, ParseInstant("--at", at_text, zone));
  ASSIGN_OR_RETURN(std::optional<int> mode,
                   flags.Enum("--mode", *v1::MeetingMode_descriptor()));
  ASSIGN_OR_RETURN(const std::string trigger,
                   DayFlag(flags, "--trigger-date", today, ""));
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(
      const v1::Student student,
      ResolveStudent(*store, flags.Get("--student"), kCaseManager, today));
  v1::Meeting meeting;
  meeting.set_student_id(student.id());
  meeting.set_meeting_type(static_cast<v1::MeetingType>(*type));
  meeting.set_scheduled_at(at);
  meeting.set_place(flags.Get("--place"));
  meeting.set_mode(static_cast<v1::MeetingMode>(mode.value_or(0)));
  meeting.set_purpose(flags.Get("--purpose"));
  meeting.set_trigger_date(trigger);
  if (flags.Has("--request")) {
    ASSIGN_OR_RETURN(const v1::ParentRequest request,
                     RequestOf(*store, student, flags.Get("--request")));
    meeting.set_parent_request_id(request.id());
  }
  if (flags.Has("--plan")) {
    ASSIGN_OR_RETURN(v1::Plan plan,
                     GetRecord<v1::Plan>(*store, flags.Get("--plan"), "plan"));
    if (plan.student_id() != student.id()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "plan ", plan.id(), " is not ", StudentName(student), "'s"));
    }
    meeting.set_plan_id(plan.id());
  } else {
    ASSIGN_OR_RETURN(std::optional<v1::Plan> plan,
                     PlanOn(*store, student.id(), today));
    if (plan.has_value()) meeting.set_plan_id(plan->id());
  }
  std::string id;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(id, store->Create(txn, meeting));
    return absl::OkStatus();
  }));
  std::printf("Scheduled meeting %s: %s for %s", id.c_str(),
              MeetingName(meeting).substr(4).c_str(),
              StudentName(student).c_str());
  if (!meeting.place().empty()) {
    std::printf(", at %s", meeting.place().c_str());
  }
  if (meeting.mode() != v1::MEETING_MODE_UNSPECIFIED) {
    std::printf(
        " (%s)",
        EnumWords(*v1::MeetingMode_descriptor(), meeting.mode()).c_str());
  }
  std::printf(
      ".\n  Next: plansync meeting attend %s --name NAME --role ROLE "
      "--participation in-person\n",
      id.c_str());
  return absl::OkStatus();
}

absl::Status Attend(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(
      std::optional<int> participation,
      flags.Enum("--participation", *v1::Participation_descriptor(),
                 {{"excused", v1::PARTICIPATION_EXCUSED_WITH_CONSENT}}));
  if (!flags.Has("--name") && !flags.Has("--user")) {
    return absl::InvalidArgumentError(
        "plansync meeting attend needs --name NAME (or --user USER_ID)");
  }
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(auto found, MyMeeting(*store, flags.args()[0], today));
  const auto& [meeting, student] = found;
  v1::MeetingAttendee attendee;
  attendee.set_student_id(student.id());
  attendee.set_meeting_id(meeting.id());
  if (flags.Has("--user")) {
    ASSIGN_OR_RETURN(
        *attendee.mutable_user_id(),
        store->ResolveId(*Schema::Get().For(v1::User::descriptor()),
                         flags.Get("--user")));
  }
  attendee.set_name_or_role(flags.Has("--name")
                                ? flags.Get("--name")
                                : UserName(*store, attendee.user_id()));
  attendee.set_role(flags.Get("--role"));
  attendee.set_participation(
      static_cast<v1::Participation>(participation.value_or(0)));
  std::string id;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(id, store->Create(txn, attendee));
    return absl::OkStatus();
  }));
  std::printf("Recorded attendee %s of %s (%s): %s", id.c_str(),
              MeetingName(meeting).c_str(), StudentName(student).c_str(),
              attendee.name_or_role().c_str());
  if (!attendee.role().empty()) std::printf(", %s", attendee.role().c_str());
  if (attendee.participation() != v1::PARTICIPATION_UNSPECIFIED) {
    std::printf(", %s", EnumWords(*v1::Participation_descriptor(),
                                  attendee.participation())
                            .c_str());
  }
  std::printf(".\n");
  return absl::OkStatus();
}

// Settles a proposed decision: its outcome and reason.
absl::Status SettleDecision(Context& context, DeviceStore& store,
                            v1::MeetingDecision decision,
                            v1::DecisionOutcome outcome,
                            absl::string_view today) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(
      const v1::Student student,
      GetRecord<v1::Student>(store, decision.student_id(), "student"));
  RETURN_IF_ERROR(RequireRole(store, student, kCaseManager, today));
  if (flags.Has("--decision")) {
    return absl::InvalidArgumentError(
        "a decision's text is fixed once recorded; to change its outcome, "
        "give only --outcome and --reason");
  }
  const v1::DecisionOutcome was = decision.outcome();
  decision.set_outcome(outcome);
  if (flags.Has("--reason")) decision.set_reason(flags.Get("--reason"));
  if (outcome == v1::DECISION_OUTCOME_REFUSED && decision.reason().empty()) {
    return absl::InvalidArgumentError(
        "a refused decision needs --reason, saying why");
  }
  const absl::string_view fields[] = {"outcome", "reason"};
  RETURN_IF_ERROR(store.Write([&](WriteTransaction& txn) {
    return store.Update(txn, decision, fields);
  }));
  std::printf("Decision %s %s is now %s (was %s)", decision.id().c_str(),
              Quoted(decision.description()).c_str(),
              EnumWords(*v1::DecisionOutcome_descriptor(), outcome).c_str(),
              was == v1::DECISION_OUTCOME_UNSPECIFIED
                  ? "not settled"
                  : EnumWords(*v1::DecisionOutcome_descriptor(), was).c_str());
  if (!decision.reason().empty()) {
    std::printf("; reason: %s", Quoted(decision.reason()).c_str());
  }
  std::printf(".\n");
  return absl::OkStatus();
}

absl::Status Decide(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(std::optional<int> outcome_number,
                   flags.Enum("--outcome", *v1::DecisionOutcome_descriptor()));
  if (!outcome_number.has_value()) {
    return absl::InvalidArgumentError(
        "plansync meeting decide needs --outcome proposed, agreed or refused");
  }
  const auto outcome = static_cast<v1::DecisionOutcome>(*outcome_number);
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  const std::string& id = flags.args()[0];
  // A decision id settles that decision; a meeting id records a new one.
  ASSIGN_OR_RETURN(
      const std::string decision_id,
      store->ResolveId(*Schema::Get().For(v1::MeetingDecision::descriptor()),
                       id));
  absl::StatusOr<v1::MeetingDecision> existing =
      store->Get<v1::MeetingDecision>(decision_id);
  if (existing.ok()) {
    return SettleDecision(context, *store, *std::move(existing), outcome,
                          today);
  }
  ASSIGN_OR_RETURN(auto found, MyMeeting(*store, id, today));
  const auto& [meeting, student] = found;
  ASSIGN_OR_RETURN(const std::string description, flags.Require("--decision"));
  if (outcome == v1::DECISION_OUTCOME_REFUSED && !flags.Has("--reason")) {
    return absl::InvalidArgumentError(
        "a refused decision needs --reason, saying why");
  }
  v1::MeetingDecision decision;
  decision.set_student_id(student.id());
  decision.set_meeting_id(meeting.id());
  decision.set_description(description);
  decision.set_outcome(outcome);
  decision.set_reason(flags.Get("--reason"));
  std::string new_id;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(new_id, store->Create(txn, decision));
    return absl::OkStatus();
  }));
  std::printf("Recorded decision %s at %s (%s): %s, %s", new_id.c_str(),
              MeetingName(meeting).c_str(), StudentName(student).c_str(),
              Quoted(description).c_str(),
              EnumWords(*v1::DecisionOutcome_descriptor(), outcome).c_str());
  if (!decision.reason().empty()) {
    std::printf("; reason: %s", Quoted(decision.reason()).c_str());
  }
  std::printf(".\n");
  if (outcome != v1::DECISION_OUTCOME_PROPOSED) {
    std::printf(
        "  Prior written notice: plansync notice send --type "
        "prior-written-notice --decision %s\n",
        new_id.c_str());
  }
  return absl::OkStatus();
}

absl::Status Held(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  std::string held_at = NowInstant();
  if (flags.Has("--at")) {
    ASSIGN_OR_RETURN(const absl::TimeZone zone, context.Zone());
    ASSIGN_OR_RETURN(held_at, ParseInstant("--at", flags.Get("--at"), zone));
    RETURN_IF_ERROR(NotAfterToday("--at", InstantDay(held_at, zone), today));
  }
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(auto found, MyMeeting(*store, flags.args()[0], today));
  // Named references, not a structured binding: the lambda below captures
  // `meeting`.
  v1::Meeting& meeting = found.first;
  const v1::Student& student = found.second;
  const std::string was = meeting.held_at();
  meeting.set_held_at(held_at);
  std::vector<absl::string_view> fields = {"held_at"};
  if (flags.Has("--notes")) {
    meeting.set_notes(flags.Get("--notes"));
    fields.push_back("notes");
  }
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) {
    return store->Update(txn, meeting, fields);
  }));
  std::printf(
      "Meeting %s, %s (%s), was held at %s%s.\n", meeting.id().c_str(),
      MeetingName(meeting).c_str(), StudentName(student).c_str(),
      InstantText(held_at).c_str(),
      was.empty() || was == held_at
          ? ""
          : absl::StrCat(" (corrected from ", InstantText(was), ")").c_str());
  return absl::OkStatus();
}

// What the student's jurisdiction calls `notice`'s type: a prior written
// notice is a "Notice of Action" in Missouri. The jurisdiction is that of
// the notice's plan, else of the plan in effect on the day it was sent.
std::string NoticeName(DeviceStore& store, const v1::Student& student,
                       const v1::Notice& notice) {
  if (notice.notice_type() != v1::NOTICE_TYPE_PRIOR_WRITTEN_NOTICE) {
    return EnumWords(*v1::NoticeType_descriptor(), notice.notice_type());
  }
  std::string jurisdiction;
  if (absl::StatusOr<v1::Plan> plan = store.Get<v1::Plan>(notice.plan_id());
      plan.ok()) {
    jurisdiction = plan->jurisdiction();
  } else if (absl::StatusOr<std::optional<v1::Plan>> current =
                 PlanOn(store, student.id(), notice.sent_date());
             current.ok() && current->has_value()) {
    jurisdiction = (*current)->jurisdiction();
  }
  return PriorNoticeName(jurisdiction);
}

absl::Status SendNotice(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(
      std::optional<int> type_number,
      flags.Enum("--type", *v1::NoticeType_descriptor(),
                 {{"pwn", v1::NOTICE_TYPE_PRIOR_WRITTEN_NOTICE},
                  {"notice-of-action", v1::NOTICE_TYPE_PRIOR_WRITTEN_NOTICE}}));
  if (!type_number.has_value()) {
    return absl::InvalidArgumentError(
        "plansync notice send needs --type meeting-notice, "
        "prior-written-notice, procedural-safeguards or consent-request");
  }
  const auto type = static_cast<v1::NoticeType>(*type_number);
  ASSIGN_OR_RETURN(std::optional<int> action,
                   flags.Enum("--action", *v1::NoticeAction_descriptor()));
  ASSIGN_OR_RETURN(const std::string sent,
                   DayFlag(flags, "--sent", today, today));
  RETURN_IF_ERROR(NotAfterToday("--sent", sent, today));
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());

  v1::Notice notice;
  notice.set_notice_type(type);
  notice.set_sent_date(sent);
  notice.set_action_description(flags.Get("--description"));
  notice.set_reason(flags.Get("--reason"));
  notice.set_waiting_period_waived(flags.Has("--waived"));
  if (type == v1::NOTICE_TYPE_CONSENT_REQUEST) {
    notice.set_consent(v1::CONSENT_STATUS_PENDING);
  }
  // The student: from the decision, meeting or plan named, else --student.
  std::string student_id;
  auto same_student = [&](const std::string& id,
                          absl::string_view what) -> absl::Status {
    if (!student_id.empty() && id != student_id) {
      return absl::InvalidArgumentError(
          absl::StrCat("the ", what, " is about another student"));
    }
    student_id = id;
    return absl::OkStatus();
  };
  std::optional<v1::MeetingDecision> decision;
  if (flags.Has("--decision")) {
    ASSIGN_OR_RETURN(decision,
                     GetRecord<v1::MeetingDecision>(
                         *store, flags.Get("--decision"), "meeting decision"));
    RETURN_IF_ERROR(same_student(decision->student_id(), "decision"));
    notice.set_meeting_decision_id(decision->id());
    notice.set_meeting_id(decision->meeting_id());
    // A notice of a decision proposes what was proposed or agreed, or
    // refuses what was refused, and says so in the decision's words unless
    // told otherwise.
    if (!action.has_value()) {
      if (decision->outcome() == v1::DECISION_OUTCOME_PROPOSED ||
          decision->outcome() == v1::DECISION_OUTCOME_AGREED) {
        action = v1::NOTICE_ACTION_PROPOSED;
      } else if (decision->outcome() == v1::DECISION_OUTCOME_REFUSED) {
        action = v1::NOTICE_ACTION_REFUSED;
      }
    }
    if (notice.action_description().empty()) {
      notice.set_action_description(decision->description());
    }
    if (notice.reason().empty()) notice.set_reason(decision->reason());
  }
  if (flags.Has("--meeting")) {
    ASSIGN_OR_RETURN(
        v1::Meeting meeting,
        GetRecord<v1::Meeting>(*store, flags.Get("--meeting"), "meeting"));
    RETURN_IF_ERROR(same_student(meeting.student_id(), "meeting"));
    notice.set_meeting_id(meeting.id());
  }
  if (flags.Has("--plan")) {
    ASSIGN_OR_RETURN(v1::Plan plan,
                     GetRecord<v1::Plan>(*store, flags.Get("--plan"), "plan"));
    RETURN_IF_ERROR(same_student(plan.student_id(), "plan"));
    notice.set_plan_id(plan.id());
  }
  v1::Student student;
  if (student_id.empty()) {
    ASSIGN_OR_RETURN(student, ResolveStudent(*store, flags.Get("--student"),
                                             kCaseManager, today));
  } else {
    ASSIGN_OR_RETURN(student,
                     GetRecord<v1::Student>(*store, student_id, "student"));
    RETURN_IF_ERROR(RequireRole(*store, student, kCaseManager, today));
  }
  notice.set_student_id(student.id());
  if (flags.Has("--request")) {
    ASSIGN_OR_RETURN(const v1::ParentRequest request,
                     RequestOf(*store, student, flags.Get("--request")));
    notice.set_parent_request_id(request.id());
  }
  notice.set_proposed_or_refused(
      static_cast<v1::NoticeAction>(action.value_or(0)));
  if (type == v1::NOTICE_TYPE_PRIOR_WRITTEN_NOTICE &&
      (notice.proposed_or_refused() == v1::NOTICE_ACTION_UNSPECIFIED ||
       notice.action_description().empty() || notice.reason().empty())) {
    return absl::InvalidArgumentError(
        "a prior written notice says what the school proposes or refuses and "
        "why: give --action proposed|refused, --description and --reason "
        "(or --decision, whose outcome, text and reason they default to)");
  }
  ASSIGN_OR_RETURN(const std::vector<v1::Notice> earlier,
                   store->ListByStudent<v1::Notice>(student.id()));
  if (decision.has_value() && !flags.Has("--again")) {
    for (const v1::Notice& other : earlier) {
      if (other.notice_type() == type &&
          other.meeting_decision_id() == decision->id()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "a ", NoticeName(*store, student, other),
            " for this decision "
            "was already sent on ",
            other.sent_date(), " (notice ", other.id(),
            "); to record a second one, add --again; nothing recorded"));
      }
    }
  }
  std::string id;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(id, store->Create(txn, notice));
    return absl::OkStatus();
  }));
  std::printf("Recorded %s %s for %s's parents, sent %s",
              NoticeName(*store, student, notice).c_str(), id.c_str(),
              StudentName(student).c_str(), DayText(sent).c_str());
  if (notice.proposed_or_refused() != v1::NOTICE_ACTION_UNSPECIFIED) {
    std::printf(": the school %s %s",
                notice.proposed_or_refused() == v1::NOTICE_ACTION_PROPOSED
                    ? "proposes"
                    : "refuses",
                Quoted(notice.action_description()).c_str());
  }
  if (!notice.reason().empty()) {
    std::printf(" because %s", Quoted(notice.reason()).c_str());
  }
  std::printf(".\n");
  if (decision.has_value()) {
    std::printf("  It answers the decision %s.\n",
                Quoted(decision->description()).c_str());
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> MeetingCommands() {
  std::vector<Command> commands;
  commands.push_back(
      {.name = "meeting",
       .sub = "schedule",
       .synopsis = "[--student S] --type TYPE --at WHEN [options]",
       .summary = "schedule a team meeting",
       .description =
           "TYPE is eligibility, initial-iep, annual-review, reevaluation, "
           "amendment,\n504-review, manifestation-determination or "
           "parent-requested. WHEN is the district's time\n\"YYYY-MM-DD "
           "HH:MM\" or UTC YYYY-MM-DDTHH:MM:SSZ.",
       .flags = {{"--student", "S", "the student, by name or id"},
                 {"--type", "TYPE", "what the meeting is for"},
                 {"--at", "WHEN", "when it starts"},
                 {"--place", "TEXT",
                  "where, e.g. Lincoln Elementary, room 114"},
                 {"--mode", "MODE", "in-person, phone, video or hybrid"},
                 {"--purpose", "TEXT", "purpose, as in the meeting notice"},
                 {"--plan", "PLAN_ID", "the plan (default: the one in effect)"},
                 {"--trigger-date", "D",
                  "day of the request or placement decision that starts its "
                  "deadline"},
                 {"--request", "REQUEST_ID",
                  "the parent's written request it answers (its clock stops "
                  "when the meeting is held)"}},
       .examples = {"plansync meeting schedule --student Maya --type "
                    "annual-review --at \"2026-10-01 15:30\" --place \"Room "
                    "114\" --mode in-person"},
       .audience = Audience::kCaseManager,
       .run = Schedule});
  commands.push_back(
      {.name = "meeting",
       .sub = "attend",
       .synopsis = "MEETING_ID (--name NAME | --user USER_ID) [--role ROLE] "
                   "[--participation HOW]",
       .summary = "record who took part in a meeting, and how",
       .flags = {{"--name", "NAME", "the attendee's name (or a role)"},
                 {"--user", "USER_ID", "the attendee's directory user"},
                 {"--role", "ROLE", "role on the team, e.g. parent"},
                 {"--participation", "HOW",
                  "in-person, phone, video, excused (with consent) or "
                  "in-writing"}},
       .min_args = 1,
       .max_args = 1,
       .examples = {"plansync meeting attend $M --name \"Ms. Diaz\" --role "
                    "parent --participation in-person"},
       .audience = Audience::kCaseManager,
       .run = Attend});
  commands.push_back(
      {.name = "meeting",
       .sub = "decide",
       .synopsis = "(MEETING_ID --decision TEXT | DECISION_ID) --outcome "
                   "OUTCOME [--reason T]",
       .summary = "record a decision (proposed, agreed, refused) and why",
       .description =
           "With a meeting id, records a new decision taken up at the "
           "meeting; with a\ndecision id, settles it (e.g. a proposed "
           "decision now agreed). A refused\ndecision needs --reason.",
       .flags = {{"--decision", "TEXT", "what was proposed"},
                 {"--outcome", "OUTCOME", "proposed, agreed or refused"},
                 {"--reason", "T", "why it was agreed or refused"}},
       .min_args = 1,
       .max_args = 1,
       .examples = {"plansync meeting decide $M --decision \"Add 30 minutes "
                    "of OT per week\" --outcome refused --reason \"Data do "
                    "not show a need\"",
                    "plansync meeting decide $DECISION --outcome agreed"},
       .audience = Audience::kCaseManager,
       .run = Decide});
  commands.push_back(
      {.name = "meeting",
       .sub = "held",
       .synopsis = "MEETING_ID [--at WHEN] [--notes T]",
       .summary = "record that a meeting was held",
       .flags = {{"--at", "WHEN", "when it started (default: now)"},
                 {"--notes", "T", "notes of the meeting"}},
       .min_args = 1,
       .max_args = 1,
       .examples = {"plansync meeting held $M --at \"2026-10-01 15:35\""},
       .audience = Audience::kCaseManager,
       .run = Held});
  commands.push_back(
      {.name = "notice",
       .sub = "send",
       .synopsis = "--type TYPE [--decision DECISION_ID] [--action "
                   "proposed|refused] [options]",
       .summary = "record a written notice sent to the parents",
       .description =
           "TYPE is meeting-notice, prior-written-notice (Missouri: Notice "
           "of Action),\nprocedural-safeguards or consent-request. A prior "
           "written notice says what the\nschool proposes or refuses, and "
           "why; with --decision, these default to the\ndecision's outcome, "
           "text and reason.",
       .flags = {{"--student", "S",
                  "the student (default: the decision's, "
                  "meeting's or plan's)"},
                 {"--type", "TYPE", "the kind of notice"},
                 {"--decision", "DECISION_ID",
                  "the meeting decision it "
                  "answers"},
                 {"--meeting", "MEETING_ID",
                  "the meeting it announces or "
                  "follows"},
                 {"--plan", "PLAN_ID", "the plan it concerns"},
                 {"--action", "proposed|refused", "what the school does"},
                 {"--description", "T", "the action, as written"},
                 {"--reason", "T", "why, as written"},
                 {"--sent", "D", "day sent (default: today)"},
                 {"--waived", "", "the parent waived the waiting period"},
                 {"--request", "REQUEST_ID",
                  "the parent's written request it answers"},
                 {"--again", "",
                  "record a second notice of the same type for the same "
                  "decision"}},
       .examples = {"plansync notice send --type prior-written-notice "
                    "--decision $DECISION",
                    "plansync notice send --student Maya --type "
                    "meeting-notice --meeting $M"},
       .audience = Audience::kCaseManager,
       .run = SendNotice});
  return commands;
}

}  // namespace plansync::cli
