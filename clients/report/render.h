// Renders a v1::Report (core/reports/report.h) for people and programs: text
// for a terminal, JSON (the proto's JSON mapping), CSV (one table per
// section) and one self-contained HTML page with charts that opens with no
// network.
#ifndef PLANSYNC_CLIENTS_REPORT_RENDER_H_
#define PLANSYNC_CLIENTS_REPORT_RENDER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "plansync/v1/report.pb.h"

namespace plansync::report {

enum class Format { kText, kJson, kCsv, kHtml };

// The sections of a report, as named on the command line.
enum class Section {
  kAll,
  kCompliance,      // "compliance"
  kServices,        // "services"
  kAccommodations,  // "accommodations"
  kConcerns,        // "concerns"
  kConflicts,       // "conflicts"
  kMeetings,        // "meetings"
  kSync,            // "sync"
};

// "text", "json", "csv", "html"; INVALID_ARGUMENT naming the choices else.
absl::StatusOr<Format> ParseFormat(absl::string_view name);
// "all", "compliance", ...; INVALID_ARGUMENT naming the choices else.
absl::StatusOr<Section> ParseSection(absl::string_view name);

// Renders `section` of `report` (HTML: always the whole page).
std::string Render(const v1::Report& report, Format format, Section section);

// The pieces, for the C API and the tests.
std::string RenderJson(const v1::Report& report, Section section);
std::string RenderText(const v1::Report& report, Section section);
std::string RenderCsv(const v1::Report& report, Section section);
std::string RenderHtml(const v1::Report& report);

}  // namespace plansync::report

#endif  // PLANSYNC_CLIENTS_REPORT_RENDER_H_
