// For case managers: `plansync report`, the consolidated review computed
// from this device's records (core/reports) and rendered by clients/report.
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "clients/cli/days.h"
#include "clients/cli/lookup.h"
#include "clients/report/render.h"
#include "core/file.h"
#include "core/reports/report.h"
#include "core/reports/rule_book.h"
#include "core/status_macros.h"

namespace plansync::cli {
namespace {

absl::Status Report(Context& context) {
  const Flags& flags = context.flags();
  const std::string section_name =
      flags.args().empty() ? "all" : flags.args().front();
  ASSIGN_OR_RETURN(report::Section section, report::ParseSection(section_name));
  const std::string format_name = flags.Has("--json") ? "json"
                                  : flags.Has("--format")
                                      ? flags.Get("--format")
                                      : "text";
  ASSIGN_OR_RETURN(report::Format format, report::ParseFormat(format_name));
  ReportRequest request;
  ASSIGN_OR_RETURN(request.today, context.Today());
  for (const auto& [flag, day] :
       {std::pair{"--from", &request.from}, std::pair{"--to", &request.to}}) {
    if (flags.Has(flag)) {
      ASSIGN_OR_RETURN(*day, ParseDay(flag, flags.Get(flag), request.today));
    }
  }
  if (flags.Has("--student")) {
    ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
    ASSIGN_OR_RETURN(
        const v1::Student student,
        ResolveStudent(*store, flags.Get("--student"),
                       kAllRoles & ~RoleBit(v1::ADMIN), request.today));
    request.student_id = student.id();
  }
  v1::RuleBook rules;
  if (flags.Has("--rules")) {
    const std::string file = flags.Get("--rules");
    ASSIGN_OR_RETURN(std::string text, ReadFileToString(file));
    auto parsed = reports::ParseRuleBook(text);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": ", parsed.status().message()));
    }
    rules = std::move(*parsed);
    request.rules = &rules;
  }
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());

  // Progress on stderr, so stdout holds only the report.
  std::fprintf(stderr,
               "plansync: building the report from this device's records...\n");
  ASSIGN_OR_RETURN(v1::Report built, BuildReport(*store, request));
  std::fprintf(stderr,
               "plansync: %d students, %d school days (%s to %s); "
               "rendering %s...\n",
               built.students_size(), built.school_days(),
               built.from_day().c_str(), built.to_day().c_str(),
               format_name.c_str());
  const std::string rendered = report::Render(built, format, section);
  const std::string out = flags.Get("--out");
  if (out.empty()) {
    std::fwrite(rendered.data(), 1, rendered.size(), stdout);
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(WriteOwnerOnlyFile(out, rendered));
  std::fprintf(stderr, "plansync: wrote the %s report to %s (%zu bytes)\n",
               format_name.c_str(), out.c_str(), rendered.size());
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> ReportCommands() {
  return {
      {.name = "report",
       .synopsis = "[SECTION] [--format text|json|csv|html] [--out FILE] "
                   "[options]",
       .summary = "the consolidated review of the students on this device",
       .description =
           "Computed from this device's records (no network needed). "
           "SECTION is one of:\n"
           "  compliance      deadlines from the plan's jurisdiction rules: "
           "due, days left,\n"
           "                  overdue, met\n"
           "  services        minutes mandated against delivered, by week "
           "and month; missed\n"
           "                  sessions by reason; make-ups owed and done\n"
           "  accommodations  accommodation x school day x teacher; "
           "implementation rate;\n"
           "                  days with nothing logged\n"
           "  concerns        parents' lapse reports, their age and "
           "response; disputes\n"
           "  conflicts       concurrent edits waiting for review\n"
           "  meetings        meetings, attendees, decisions without prior "
           "written notice\n"
           "  sync            this device's pending and rejected changes; "
           "users not seen\n"
           "  all             every section (the default)\n"
           "--format html writes one self-contained page with charts (use "
           "--out). --out writes\nthe file owner-only (it holds student "
           "data). The window is --from .. --to\n(default: 1 August of this "
           "school year to today).",
       .flags = {{"--format", "F", "text (default), json, csv or html"},
                 {"--json", "", "the same as --format json"},
                 {"--out", "FILE", "write the report to FILE (owner-only)"},
                 {"--student", "S", "one student (name or id) instead of all"},
                 {"--from", "DAY", "first day of the window"},
                 {"--to", "DAY", "last day of the window"},
                 {"--rules", "FILE",
                  "a compliance rule book (plansync.v1.RuleBook, text "
                  "format) instead of the built-in one"}},
       .min_args = 0,
       .max_args = 1,
       .examples = {"plansync report",
                    "plansync report services --from 2026-09-01 --format csv",
                    "plansync report --format html --out caseload.html",
                    "plansync report concerns --json"},
       .audience = Audience::kCaseManager,
       .run = Report},
  };
}

}  // namespace plansync::cli
