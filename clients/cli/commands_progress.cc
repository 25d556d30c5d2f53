// Progress reports to the parent: `progress` (each goal's reporting days in
// the school year and whether a report went out for each,
// core/reports/progress_reports.h) and `progress report` (record one sent).
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/commands.h"
#include "clients/cli/days.h"
#include "clients/cli/lookup.h"
#include "clients/cli/output.h"
#include "core/item_lineage.h"
#include "core/reports/caseload.h"
#include "core/reports/progress_reports.h"
#include "core/status_macros.h"
#include "core/student_history.h"

namespace plansync::cli {
namespace {

constexpr RoleSet kReaders = RoleBit(v1::GUARDIAN) | RoleBit(v1::TEACHER) |
                             RoleBit(v1::PROVIDER) | RoleBit(v1::CASE_MANAGER);
constexpr RoleSet kSenders = RoleBit(v1::CASE_MANAGER) | RoleBit(v1::PROVIDER);

// The reporting days of `student` from `from` to `to`, as of `today`.
absl::StatusOr<std::vector<v1::ProgressReportDue>> ScheduleOf(
    DeviceStore& store, const v1::Student& student, const std::string& from,
    const std::string& to, const std::string& today) {
  ASSIGN_OR_RETURN(const reports::Caseload caseload,
                   reports::LoadCaseload(store, student.id()));
  return reports::ProgressReportSchedule(
      caseload.students.front(), caseload.district.report_card_days(),
      *reports::ParseDay(from), *reports::ParseDay(to),
      *reports::ParseDay(today));
}

std::string StateText(const v1::ProgressReportDue& due) {
  switch (due.state()) {
    case v1::ProgressReportDue::SENT:
      return absl::StrCat("sent ", due.sent_date());
    case v1::ProgressReportDue::SENT_LATE:
      return absl::StrCat("sent LATE, ", due.sent_date());
    case v1::ProgressReportDue::MISSING:
      return "MISSING: no report recorded";
    default:
      return due.days_left() == 0
                 ? "due today"
                 : absl::StrCat("due in ", due.days_left(),
                                due.days_left() == 1 ? " day" : " days");
  }
}

// The schedule of `student`'s goals from `from` to `to`, in words.
void PrintSchedule(const v1::Student& student, const std::string& from,
                   const std::string& to,
                   const std::vector<v1::ProgressReportDue>& schedule) {
  int missing = 0;
  for (const v1::ProgressReportDue& due : schedule) {
    if (due.state() == v1::ProgressReportDue::MISSING) ++missing;
  }
  std::printf(
      "Progress reports of %s, %s to %s: %zu reporting days, %d missing\n",
      StudentName(student).c_str(), from.c_str(), to.c_str(), schedule.size(),
      missing);
  if (schedule.empty()) {
    std::printf(
        "  No goal states when its progress is reported (plansync goal add "
        "--reports).\n");
  }
  for (const v1::ProgressReportDue& due : schedule) {
    std::printf("  %s  %-24s %s\n", due.due_day().c_str(),
                due.goal_area().c_str(), StateText(due).c_str());
    if (!due.summary().empty()) {
      std::printf("  %10s  %-24s %s\n", "", "", Quoted(due.summary()).c_str());
    }
  }
}

absl::Status Progress(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  // By default the school year that holds today: August 1 to July 31.
  const std::string year_start = SchoolYearStartOf(today);
  ASSIGN_OR_RETURN(const std::string from,
                   DayFlag(flags, "--from", today, year_start));
  const std::string year_end =
      AddDays(SchoolYearStartOf(AddDays(year_start, 366)), -1);
  ASSIGN_OR_RETURN(const std::string to,
                   DayFlag(flags, "--to", today, year_end));
  RETURN_IF_ERROR(CheckWindow(from, to));
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(
      const std::vector<v1::Student> students,
      ResolveStudents(*store, flags.Get("--student"), kReaders, today));
  return ForEachStudent(
      students, flags.Has("--json"),
      [&](const v1::Student& student, JsonObject* json) -> absl::Status {
        ASSIGN_OR_RETURN(const std::vector<v1::ProgressReportDue> schedule,
                         ScheduleOf(*store, student, from, to, today));
        if (json != nullptr) {
          PutText(*json, "student_id", student.id());
          PutText(*json, "student_name", StudentName(student));
          PutText(*json, "from", from);
          PutText(*json, "to", to);
          JsonList* items = PutList(*json, "reporting_days");
          for (const v1::ProgressReportDue& due : schedule) {
            *AddObject(*items) = RecordObject(due);
          }
          return absl::OkStatus();
        }
        PrintSchedule(student, from, to, schedule);
        return absl::OkStatus();
      });
}

absl::Status RecordReport(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(const std::string summary, flags.Require("--summary"));
  ASSIGN_OR_RETURN(const std::string sent,
                   DayFlag(flags, "--sent", today, today));
  RETURN_IF_ERROR(NotAfterToday("--sent", sent, today));
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(const v1::Goal goal,
                   GetRecord<v1::Goal>(*store, flags.args()[0], "goal"));
  ASSIGN_OR_RETURN(
      const v1::Student student,
      GetRecord<v1::Student>(*store, goal.student_id(), "student"));
  RETURN_IF_ERROR(RequireRole(*store, student, kSenders, today));
  // The goal's reporting days (any version of it) from the last school
  // year's start to a year ahead.
  ASSIGN_OR_RETURN(const reports::Caseload caseload,
                   reports::LoadCaseload(*store, student.id()));
  const reports::StudentRecords& records = caseload.students.front();
  const std::vector<v1::ProgressReportDue> schedule =
      reports::ProgressReportSchedule(
          records, caseload.district.report_card_days(),
          *reports::ParseDay(SchoolYearStartOf(AddDays(today, -366))),
          *reports::ParseDay(AddDays(today, 366)), *reports::ParseDay(today));
  const ItemLineage lineage(records.goals);
  std::vector<const v1::ProgressReportDue*> days;
  for (const v1::ProgressReportDue& due : schedule) {
    if (lineage.RootOf(due.goal_id()) == lineage.RootOf(goal.id())) {
      days.push_back(&due);
    }
  }
  std::string due_day;
  if (flags.Has("--due")) {
    ASSIGN_OR_RETURN(due_day, ParseDay("--due", flags.Get("--due"), today));
  } else {
    // The earliest reporting day with no report.
    for (const v1::ProgressReportDue* due : days) {
      if (due->report_id().empty()) {
        due_day = due->due_day();
        break;
      }
    }
  }
  std::vector<std::string> listed;
  bool known = false;
  for (const v1::ProgressReportDue* due : days) {
    listed.push_back(due->due_day());
    known = known || due->due_day() == due_day;
  }
  if (!known) {
    return absl::InvalidArgumentError(absl::StrCat(
        due_day.empty() ? "the goal has no reporting day without a report"
                        : absl::StrCat(due_day,
                                       " is not a reporting day of "
                                       "this goal"),
        listed.empty() ? "; it states no schedule (plansync goal add --reports)"
                       : absl::StrCat("; its reporting days are ",
                                      absl::StrJoin(listed, ", ")),
        "; nothing recorded"));
  }
  v1::ProgressReport report;
  report.set_student_id(student.id());
  report.set_goal_id(goal.id());
  report.set_due_day(due_day);
  report.set_sent_date(sent);
  report.set_summary(summary);
  std::string id;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(id, store->Append(txn, report));
    return absl::OkStatus();
  }));
  std::printf(
      "Recorded progress report %s on %s's goal %s for the reporting day "
      "%s, sent %s%s.\n",
      id.c_str(), StudentName(student).c_str(), Quoted(goal.area()).c_str(),
      due_day.c_str(), sent.c_str(), sent > due_day ? " (late)" : "");
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> ProgressCommands() {
  std::vector<Command> commands;
  commands.push_back(
      {.name = "progress",
       .synopsis = "[--student S] [--from D] [--to D] [--json]",
       .summary = "progress reports due on each goal, sent or missing",
       .description =
           "Lists each reporting day of the goals (as each goal's schedule "
           "gives it: with\nreport cards, quarterly, every N weeks or on "
           "listed days) with the report sent\nfor it, or MISSING once the "
           "day has passed without one. The default window is\nthe school "
           "year that holds today (August 1 to July 31).",
       .flags = {{"--student", "S",
                  "one student, by name or id (default: each of yours)"},
                 {"--from", "D", "first day (default: August 1)"},
                 {"--to", "D", "last day (default: July 31)"},
                 {"--json", "", "print JSON"}},
       .examples = {"plansync progress", "plansync progress --json"},
       .audience = Audience::kParent,
       .run = Progress});
  commands.push_back(
      {.name = "progress",
       .sub = "report",
       .synopsis = "GOAL_ID --summary TEXT [--due D] [--sent D]",
       .summary = "record a progress report sent to the parent",
       .description =
           "D is the reporting day the report answers (default: the goal's "
           "earliest\nreporting day without a report); it must be one of the "
           "goal's reporting days.",
       .flags = {{"--summary", "TEXT",
                  "what the report said: the progress, and whether it is "
                  "enough"},
                 {"--due", "D", "the reporting day it answers"},
                 {"--sent", "D", "the day it was sent (default: today)"}},
       .min_args = 1,
       .max_args = 1,
       .examples = {"plansync progress report $GOAL --summary \"88 wcpm, on "
                    "track for 110\""},
       .audience = Audience::kCaseManager,
       .run = RecordReport});
  return commands;
}

}  // namespace plansync::cli
