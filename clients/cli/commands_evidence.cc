// `plansync evidence`: a student's record over a window as one page (and a
// PDF when Chromium is installed), for a parent to take to a dispute
// (core/reports/evidence.h).
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/cli/chromium_pdf.h"
#include "clients/cli/commands.h"
#include "clients/cli/days.h"
#include "clients/cli/lookup.h"
#include "clients/report/render_evidence.h"
#include "core/file.h"
#include "core/reports/evidence.h"
#include "core/status_macros.h"
#include "core/student_history.h"

namespace plansync::cli {
namespace {

constexpr RoleSet kReaders = RoleBit(v1::GUARDIAN) | RoleBit(v1::TEACHER) |
                             RoleBit(v1::PROVIDER) | RoleBit(v1::CASE_MANAGER);

absl::Status Evidence(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(const std::string to, DayFlag(flags, "--to", today, today));
  ASSIGN_OR_RETURN(const std::string from,
                   DayFlag(flags, "--from", today, SchoolYearStartOf(to)));
  RETURN_IF_ERROR(CheckWindow(from, to));
  const bool json = flags.Has("--json");
  const std::string out = flags.Get("--out");
  if (!json && out.empty()) {
    return absl::InvalidArgumentError(
        "say where to write the page: --out FILE.html (or --json to print "
        "the packet)");
  }
  if (json && flags.Has("--pdf")) {
    return absl::InvalidArgumentError(
        "--pdf prints the page: leave out --json");
  }
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(
      const v1::Student student,
      ResolveStudent(*store, flags.Get("--student"), kReaders, today));
  // Progress on stderr, so stdout holds only what was asked for.
  const absl::Time started = absl::Now();
  std::fprintf(stderr,
               "plansync: gathering %s's record from %s to %s on this "
               "device...\n",
               StudentName(student).c_str(), from.c_str(), to.c_str());
  EvidenceRequest request;
  request.student_id = student.id();
  request.from = from;
  request.to = to;
  request.today = today;
  ASSIGN_OR_RETURN(const v1::EvidencePacket packet,
                   BuildEvidencePacket(*store, request));
  std::fprintf(stderr,
               "plansync: %d entries, %d plan periods, %d requests; "
               "rendering...\n",
               packet.entries_size(), packet.plans_size(),
               packet.requests_size());
  if (json) {
    const std::string text = report::RenderEvidenceJson(packet) + "\n";
    if (out.empty()) {
      std::fwrite(text.data(), 1, text.size(), stdout);
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(WriteOwnerOnlyFile(out, text));
  } else {
    RETURN_IF_ERROR(
        WriteOwnerOnlyFile(out, report::RenderEvidenceHtml(packet)));
  }
  std::printf(
      "Wrote %s's record from %s to %s to %s (owner-only): %d "
      "entries, %d lapse reports (%d disputed), %d requests.\n",
      StudentName(student).c_str(), from.c_str(), to.c_str(), out.c_str(),
      packet.entries_size(), packet.lapses(), packet.disputes(),
      packet.requests_size());
  if (flags.Has("--pdf")) {
    std::fprintf(stderr, "plansync: printing the PDF with Chromium...\n");
    RETURN_IF_ERROR(PrintToPdf(out, flags.Get("--pdf")));
    std::printf("Printed it to %s (owner-only).\n", flags.Get("--pdf").c_str());
  }
  std::fprintf(stderr, "plansync: done in %.2f s\n",
               absl::ToDoubleSeconds(absl::Now() - started));
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> EvidenceCommands() {
  std::vector<Command> commands;
  commands.push_back(
      {.name = "evidence",
       .synopsis = "[--student S] [--from D] [--to D] --out FILE.html [--pdf "
                   "FILE.pdf] [--json]",
       .summary = "the record of a window as one page, to take to a dispute",
       .description =
           "Writes one self-contained page (readable on a phone, printable) "
           "with the plans in\neffect and what changed between them, every "
           "lapse report with its responses,\nthe confirmations of the same "
           "days (disputes marked), service sessions against\nmandated "
           "minutes, corrections with their trail, requests and their "
           "clocks,\nnotices, meetings and decisions, progress reports, "
           "missed deadlines and who read\nthe records. Each entry shows its "
           "id, its author, when it was recorded and when\nthe server "
           "accepted it, and its place in the student's feed. The page "
           "draws\nitself from the JSON embedded in it (--json prints that "
           "JSON). It holds only\nwhat this device holds: sync first. The "
           "default window is the school year up\nto today.",
       .flags = {{"--student", "S",
                  "the student, by name or id (needed only if you have "
                  "several)"},
                 {"--from", "D", "first day (default: August 1)"},
                 {"--to", "D", "last day (default: today)"},
                 {"--out", "FILE", "write the page (or the JSON) to FILE"},
                 {"--pdf", "FILE",
                  "also print the page to a PDF (needs Chromium)"},
                 {"--json", "", "the packet as JSON"}},
       .examples = {"plansync evidence --out record.html",
                    "plansync evidence --from 2026-09-01 --to 2026-12-18 "
                    "--out fall.html --pdf fall.pdf"},
       .audience = Audience::kParent,
       .run = Evidence});
  return commands;
}

}  // namespace plansync::cli
