#include "clients/report/render.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/report/tables.h"
#include "google/protobuf/util/json_util.h"

namespace plansync::report {
namespace {

constexpr std::pair<absl::string_view, Section> kSections[] = {
    {"all", Section::kAll},
    {"compliance", Section::kCompliance},
    {"services", Section::kServices},
    {"accommodations", Section::kAccommodations},
    {"concerns", Section::kConcerns},
    {"conflicts", Section::kConflicts},
    {"meetings", Section::kMeetings},
    {"sync", Section::kSync},
};

const google::protobuf::Message& SectionMessage(const v1::Report& report,
                                                Section section) {
  switch (section) {
    case Section::kCompliance:
      return report.compliance();
    case Section::kServices:
      return report.service_fidelity();
    case Section::kAccommodations:
      return report.accommodation_matrix();
    case Section::kConcerns:
      return report.concerns();
    case Section::kConflicts:
      return report.conflicts();
    case Section::kMeetings:
      return report.meetings();
    case Section::kSync:
      return report.sync_health();
    case Section::kAll:
      break;
  }
  return report;
}

// A CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// Display width of UTF-8 text (code points; good enough for names).
size_t Width(const std::string& text) {
  return static_cast<size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace

absl::StatusOr<Format> ParseFormat(absl::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  if (name == "csv") return Format::kCsv;
  if (name == "html") return Format::kHtml;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown report format \"", name, "\"; use text, json, csv or html"));
}

absl::StatusOr<Section> ParseSection(absl::string_view name) {
  for (const auto& [section_name, section] : kSections) {
    if (name == section_name) return section;
  }
  std::vector<absl::string_view> names;
  for (const auto& [section_name, section] : kSections) {
    names.push_back(section_name);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown report \"", name,
                                                 "\"; use one of ",
                                                 absl::StrJoin(names, ", ")));
}

std::string Render(const v1::Report& report, Format format, Section section) {
  switch (format) {
    case Format::kJson:
      return RenderJson(report, section);
    case Format::kCsv:
      return RenderCsv(report, section);
    case Format::kHtml:
      return RenderHtml(report);
    case Format::kText:
      break;
  }
  return RenderText(report, section);
}

std::string RenderJson(const v1::Report& report, Section section) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;  // README: one JSON convention
  std::string json;
  // Printing a valid message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(
      SectionMessage(report, section), &json, options);
  return json;
}

std::string RenderText(const v1::Report& report, Section section) {
  std::string out;
  if (section == Section::kAll) {
    absl::StrAppend(&out, "plansync report as of ", report.as_of(), "\n");
  }
  for (const Table& table : Tables(report, section)) {
    absl::StrAppend(&out, "\n", table.title, "\n",
                    std::string(Width(table.title), '='), "\n");
    if (!table.summary.empty()) absl::StrAppend(&out, table.summary, "\n");
    if (table.rows.empty()) {
      absl::StrAppend(&out, "(none)\n");
      continue;
    }
    std::vector<size_t> widths(table.header.size(), 0);
    auto measure = [&](const std::vector<std::string>& row) {
      for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
        widths[i] = std::max(widths[i], Width(row[i]));
      }
    };
    measure(table.header);
    for (const auto& row : table.rows) measure(row);
    auto line = [&](const std::vector<std::string>& row) {
      std::string text;
      for (size_t i = 0; i < row.size(); ++i) {
        text += row[i];
        if (i + 1 < row.size()) {
          text += std::string(widths[i] - Width(row[i]) + 2, ' ');
        }
      }
      absl::StrAppend(&out, text, "\n");
    };
    line(table.header);
    for (const auto& row : table.rows) line(row);
  }
  return out;
}

std::string RenderCsv(const v1::Report& report, Section section) {
  std::string out;
  bool first = true;
  for (const Table& table : Tables(report, section)) {
    if (!first) out += "\r\n";
    first = false;
    // Several tables in one file, separated by an empty line; a first
    // column names each row's table, so a spreadsheet can filter on it.
    std::vector<std::string> fields = {"table"};
    for (const std::string& h : table.header) fields.push_back(CsvField(h));
    absl::StrAppend(&out, absl::StrJoin(fields, ","), "\r\n");
    for (const auto& row : table.rows) {
      fields = {CsvField(table.id)};
      for (const std::string& cell : row) fields.push_back(CsvField(cell));
      absl::StrAppend(&out, absl::StrJoin(fields, ","), "\r\n");
    }
  }
  return out;
}

}  // namespace plansync::report
