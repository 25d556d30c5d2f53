#include "clients/cli/report_command.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/report/render.h"
#include "core/file.h"
#include "core/reports/report.h"
#include "core/reports/rule_book.h"
#include "core/reports/school_calendar.h"
#include "core/status_macros.h"

namespace plansync::cli {

absl::StatusOr<std::string> Today() {
  if (const char* fixed = std::getenv("PLANSYNC_TODAY")) {
    if (!reports::ParseDay(fixed).has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "PLANSYNC_TODAY must be a day written YYYY-MM-DD, not \"", fixed,
          "\""));
    }
    return std::string(fixed);
  }
  return absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone());
}

absl::Status RunReport(DeviceStore& store,
                       const std::vector<std::string>& args) {
  std::string section_name = "all", format_name = "text", out, rules_file;
  ReportRequest request;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](std::string* target) -> absl::Status {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat(arg, " needs a value"));
      }
      *target = args[++i];
      return absl::OkStatus();
    };
    if (arg == "--format") {
      RETURN_IF_ERROR(value(&format_name));
    } else if (arg == "--json") {
      format_name = "json";
    } else if (arg == "--out") {
      RETURN_IF_ERROR(value(&out));
    } else if (arg == "--student") {
      RETURN_IF_ERROR(value(&request.student_id));
    } else if (arg == "--from") {
      RETURN_IF_ERROR(value(&request.from));
    } else if (arg == "--to") {
      RETURN_IF_ERROR(value(&request.to));
    } else if (arg == "--rules") {
      RETURN_IF_ERROR(value(&rules_file));
    } else if (arg.rfind("--", 0) == 0 || section_name != "all") {
      return absl::InvalidArgumentError(absl::StrCat(
          "report does not take \"", arg, "\" (see plansync report --help)"));
    } else {
      section_name = arg;
    }
  }
  ASSIGN_OR_RETURN(report::Section section, report::ParseSection(section_name));
  ASSIGN_OR_RETURN(report::Format format, report::ParseFormat(format_name));
  ASSIGN_OR_RETURN(request.today, Today());
  v1::RuleBook rules;
  if (!rules_file.empty()) {
    ASSIGN_OR_RETURN(std::string text, ReadFileToString(rules_file));
    auto parsed = reports::ParseRuleBook(text);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(rules_file, ": ", parsed.status().message()));
    }
    rules = std::move(*parsed);
    request.rules = &rules;
  }

  std::fprintf(stderr,
               "plansync: building the report from this device's "
               "records...\n");
  ASSIGN_OR_RETURN(v1::Report built, BuildReport(store, request));
  std::fprintf(stderr,
               "plansync: %d students, %d school days (%s to %s); "
               "rendering %s...\n",
               built.students_size(), built.school_days(),
               built.from_day().c_str(), built.to_day().c_str(),
               format_name.c_str());
  const std::string rendered = report::Render(built, format, section);
  if (out.empty()) {
    std::fwrite(rendered.data(), 1, rendered.size(), stdout);
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(WriteOwnerOnlyFile(out, rendered));
  std::fprintf(stderr, "plansync: wrote the %s report to %s (%zu bytes)\n",
               format_name.c_str(), out.c_str(), rendered.size());
  return absl::OkStatus();
}

}  // namespace plansync::cli
