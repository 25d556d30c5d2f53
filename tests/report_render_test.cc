// The report's renderings (clients/report): text, CSV and JSON carry the
// report's figures, and the HTML page, opened in headless Chromium with no
// network, draws charts whose figures match the JSON.
#include <cstdio>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "clients/report/render.h"
#include "clients/report/tables.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/chromium_util.h"
#include "tests/process_util.h"
#include "tests/report_scenario.h"

namespace plansync {
namespace {

using report::Format;
using report::Section;

class ReportRenderTest : public testing::ReportScenario {};

TEST_F(ReportRenderTest, TextShowsEachSectionsFigures) {
  const std::string text = report::RenderText(Build(), Section::kAll);
  for (const char* expected :
       {"1 overdue, 1 due soon", "60 of 72 mandated minutes delivered",
        "PPNA.-D", "1 open, 1 disputed", "1 waiting, 0 reviewed",
        "Ms. Rivera confirmed it provided that day", "provider absent 1 (1)",
        "1 decisions without prior written notice",
        "1 users not seen for over a week"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n"
                                                      << text;
  }
  // One section alone.
  const std::string concerns = report::RenderText(Build(), Section::kConcerns);
  EXPECT_NE(concerns.find("Parent concerns"), std::string::npos);
  EXPECT_EQ(concerns.find("Compliance calendar"), std::string::npos);
}

TEST_F(ReportRenderTest, CsvQuotesFieldsAndNamesEachRowsTable) {
  const std::string csv = report::RenderCsv(Build(), Section::kConcerns);
  // A value with a comma and quotes, quoted as RFC 4180 says.
  EXPECT_NE(csv.find("\"No \"\"extra time\"\" on the quiz, <again>\""),
            std::string::npos)
      << csv;
  std::vector<std::string> lines = absl::StrSplit(csv, "\r\n");
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0].substr(0, 10), "table,day,");
  EXPECT_EQ(lines[1].substr(0, 9), "concerns,");
  EXPECT_EQ(lines[2].substr(0, 9), "concerns,");
  // The whole report: one table per section part, rows tagged by table.
  const std::string all = report::RenderCsv(Build(), Section::kAll);
  int matrix_rows = 0;
  for (absl::string_view line : absl::StrSplit(all, "\r\n")) {
    if (absl::StartsWith(line, "accommodations,")) ++matrix_rows;
  }
  EXPECT_EQ(matrix_rows, 1);
}

TEST_F(ReportRenderTest, JsonIsTheReportMessage) {
  const v1::Report built = Build();
  v1::Report parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  report::RenderJson(built, Section::kAll), &parsed)
                  .ok());
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(parsed, built));
  v1::ServiceFidelity services;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  report::RenderJson(built, Section::kServices), &services)
                  .ok());
  EXPECT_EQ(services.mandated_minutes(), 72);
}

TEST_F(ReportRenderTest, BadFormatAndSectionNamesAreRefused) {
  auto format = report::ParseFormat("pdf");
  EXPECT_EQ(format.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(format.status().message().find("text, json, csv or html"),
            std::string::npos);
  auto section = report::ParseSection("grades");
  EXPECT_EQ(section.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(section.status().message().find("compliance"), std::string::npos);
  EXPECT_EQ(*report::ParseSection("services"), Section::kServices);
}

// Every value of `attribute` on elements of `css_class`, in document order.
std::vector<std::string> Attributes(const std::string& dom,
                                    const std::string& css_class,
                                    const std::string& attribute) {
  std::vector<std::string> values;
  const std::regex element("<rect class=\"" + css_class + "\"[^>]*>");
  const std::regex value(attribute + "=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), element);
       it != std::sregex_iterator(); ++it) {
    std::smatch found;
    const std::string tag = it->str();
    if (std::regex_search(tag, found, value)) values.push_back(found[1]);
  }
  return values;
}

TEST_F(ReportRenderTest, OnlyOpenDeadlinesCountDaysLeft) {
  const v1::Report built = Build();
  const std::vector<report::Table> tables =
      report::Tables(built, Section::kCompliance);
  ASSERT_EQ(tables.size(), 1u);
  const auto& deadlines = built.compliance().deadlines();
  ASSERT_EQ(tables[0].rows.size(), static_cast<size_t>(deadlines.size()));
  int closed = 0;
  for (int i = 0; i < deadlines.size(); ++i) {
    const v1::Deadline& d = deadlines[i];
    const bool open = d.state() == v1::Deadline::UPCOMING ||
                      d.state() == v1::Deadline::DUE_SOON ||
                      d.state() == v1::Deadline::OVERDUE;
    closed += open ? 0 : 1;
    // A deadline met, or a date to know, has no days left to count down.
    EXPECT_EQ(tables[0].rows[i][1],
              open ? std::to_string(d.days_left()) : std::string("-"))
        << d.title();
  }
  EXPECT_GT(closed, 0);  // the scenario has one to check
}

TEST_F(ReportRenderTest, HtmlChartsInHeadlessChromiumMatchTheJson) {
  const v1::Report built = Build();
  const std::string html = report::RenderHtml(built);
  // Self-contained: nothing fetched (the SVG namespace is a name, not a
  // fetch), and record text is escaped.
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  EXPECT_EQ(html.find("<again>"), std::string::npos);
  EXPECT_NE(html.find("&lt;again&gt;"), std::string::npos);
  // Days as people read them, the exact day kept: "Mon 30 Nov 2026".
  ASSERT_GT(built.compliance().deadlines_size(), 0);
  const std::string due = built.compliance().deadlines(0).due_day();
  const size_t time = html.find("<time datetime=\"" + due + "\">");
  ASSERT_NE(time, std::string::npos) << due;
  EXPECT_NE(html.substr(time, 60).find(due.substr(0, 4) + "</time>"),
            std::string::npos)
      << html.substr(time, 60);
  // A section per student holding that student's deadlines, one row each.
  for (const v1::ReportStudent& student : built.students()) {
    EXPECT_NE(html.find("<details class=\"student\" open data-student-id=\"" +
                        student.student_id() + "\">"),
              std::string::npos)
        << student.name();
    int deadlines = 0;
    for (const v1::Deadline& d : built.compliance().deadlines()) {
      deadlines += d.student_id() == student.student_id() ? 1 : 0;
    }
    const size_t table =
        html.find("data-table=\"compliance\" data-student-id=\"" +
                  student.student_id() + "\"");
    if (deadlines == 0) {
      EXPECT_EQ(table, std::string::npos) << student.name();
      continue;
    }
    ASSERT_NE(table, std::string::npos) << student.name();
    const std::string rows =
        html.substr(table, html.find("</table>", table) - table);
    int count = 0;
    for (size_t at = rows.find("<tr"); at != std::string::npos;
         at = rows.find("<tr", at + 1)) {
      ++count;
    }
    EXPECT_EQ(count, deadlines + 1) << student.name();  // and the header
  }
  const std::string page = dir_.File("report.html");
  std::ofstream(page) << html;

  // Chromium with its network features off; the page must not need them.
  const auto chromium = [&](const std::string& file, const std::string& log) {
    return testing::RunChromium(file, dir_.File("chromium-profile"),
                                dir_.File(log));
  };
  const testing::CliResult run = chromium(page, "chromium");
  ASSERT_EQ(run.exit_code, 0) << "is Debian's chromium installed? " << run.err;
  const std::string& dom = run.out;
  ASSERT_NE(dom.find("data-charts=\"drawn\""), std::string::npos)
      << "the chart script did not run:\n"
      << run.err;

  // At a phone's width (390 px: a frame of that width, since a headless
  // window is at least 500 px wide) the page does not scroll sideways.
  const std::string phone = dir_.File("phone.html");
  std::ofstream(phone) << testing::PhoneFrame(html);
  const testing::CliResult narrow = chromium(phone, "chromium-phone");
  ASSERT_EQ(narrow.exit_code, 0) << narrow.err;
  EXPECT_NE(narrow.out.find("data-width=\"390\""), std::string::npos)
      << narrow.out.substr(narrow.out.rfind("<body"));
  EXPECT_NE(narrow.out.find("data-fits=\"yes\""), std::string::npos)
      << narrow.out.substr(narrow.out.rfind("<body"));

  // Implementation rate by week: one bar per week with anything logged,
  // the JSON's rate each; "no data" (no bar) for a week with nothing.
  const auto weeks = Attributes(dom, "bar", "data-week");
  const auto rates = Attributes(dom, "bar", "data-rate");
  const auto empty_weeks = Attributes(dom, "nodata", "data-week");
  const auto& points = built.accommodation_matrix().rate_by_week();
  ASSERT_EQ(weeks.size(), rates.size());
  ASSERT_EQ(weeks.size() + empty_weeks.size(),
            static_cast<size_t>(points.size()));
  size_t bar = 0, none = 0;
  for (int i = 0; i < points.size(); ++i) {
    const v1::RatePoint& p = points[i];
    if (p.provided() + p.declined() + p.not_provided() == 0) {
      ASSERT_LT(none, empty_weeks.size());
      EXPECT_EQ(empty_weeks[none++], p.week_start());
      continue;
    }
    ASSERT_LT(bar, rates.size());
    double rate = -1;
    ASSERT_TRUE(absl::SimpleAtod(rates[bar], &rate)) << rates[bar];
    EXPECT_NEAR(rate, p.implementation_rate(), 1e-9);
    EXPECT_EQ(weeks[bar++], p.week_start());
  }
  // Minutes mandated and delivered, per service.
  const auto mandated = Attributes(dom, "mandated", "data-minutes");
  const auto delivered = Attributes(dom, "delivered", "data-minutes");
  const auto& services = built.service_fidelity().services();
  ASSERT_EQ(mandated.size(), static_cast<size_t>(services.size()));
  ASSERT_EQ(delivered.size(), mandated.size());
  for (int i = 0; i < services.size(); ++i) {
    EXPECT_EQ(mandated[i], std::to_string(services[i].mandated_minutes()));
    EXPECT_EQ(delivered[i], std::to_string(services[i].delivered_minutes()));
  }
  // The summary cards and a table row, as the browser shows them.
  EXPECT_NE(dom.find("id=\"card-overdue\"><b>" +
                     std::to_string(built.compliance().overdue()) + "</b>"),
            std::string::npos);
  // The day grid: a column per school day, the first row's letters as the
  // matrix's day string, and an overdue deadline's row marked.
  const size_t grid = dom.find("data-table=\"accommodation-days\"");
  ASSERT_NE(grid, std::string::npos);
  const std::string grid_html =
      dom.substr(grid, dom.find("</table>", grid) - grid);
  const auto& matrix = built.accommodation_matrix();
  size_t headers = 0;
  for (size_t at = grid_html.find("<th class=\"day\""); at != std::string::npos;
       at = grid_html.find("<th class=\"day\"", at + 1)) {
    ++headers;
  }
  EXPECT_EQ(headers, static_cast<size_t>(matrix.school_days_size()));
  const std::vector<std::string> grid_rows = absl::StrSplit(grid_html, "<tr>");
  ASSERT_GE(grid_rows.size(), 3u);
  std::string letters;
  const std::regex cell("<td class=\"g-[^\"]*\" title=\"[^\"]*\">(.)</td>");
  for (auto it =
           std::sregex_iterator(grid_rows[2].begin(), grid_rows[2].end(), cell);
       it != std::sregex_iterator(); ++it) {
    letters += (*it)[1].str();
  }
  EXPECT_EQ(letters, matrix.rows(0).days());
  if (built.compliance().overdue() > 0) {
    EXPECT_NE(dom.find("<tr class=\"overdue\">"), std::string::npos);
  }
}

}  // namespace
}  // namespace plansync
