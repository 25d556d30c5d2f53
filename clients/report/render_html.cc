// The HTML page: one file, no external resources. Tables are rendered here;
// the two charts are drawn in the browser by the inline script from the
// report's JSON embedded in the page, so they show exactly the JSON's
// figures (tests/report_html_test.cc checks that in headless Chromium).
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "clients/report/render.h"
#include "clients/report/tables.h"
#include "google/protobuf/util/json_util.h"

namespace plansync::report {
namespace {

std::string Escape(const std::string& text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"},
                                    {"<", "&lt;"},
                                    {">", "&gt;"},
                                    {"\"", "&quot;"},
                                    {"'", "&#39;"}});
}

constexpr char kStyle[] = R"css(
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}
td.days{font-family:monospace;letter-spacing:1px}
.summary{color:#555}
.cards{display:flex;gap:1em;flex-wrap:wrap}
.card{border:1px solid #ccc;border-radius:6px;padding:.5em 1em}
.card b{display:block;font-size:1.4em}
svg text{font-size:11px;fill:#333}
rect.bar{fill:#3b7dd8}rect.mandated{fill:#bbb}rect.delivered{fill:#2a9d5c}
)css";

// Draws the charts from the embedded JSON (field names as protobuf's JSON
// mapping prints them). Every bar carries its figure in a data attribute.
constexpr char kScript[] = R"js(
(function () {
  var report = JSON.parse(document.getElementById('report-data').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function text(parent, x, y, words, anchor) {
    var t = el('text', {x: x, y: y, 'text-anchor': anchor || 'middle'}, parent);
    t.textContent = words;
    return t;
  }
  var H = 160, TOP = 20;
  // Implementation rate, week by week.
  var weeks = (report.accommodation_matrix || {}).rate_by_week || [];
  var box = document.getElementById('chart-implementation');
  var w = Math.max(320, weeks.length * 48 + 40);
  var svg = el('svg', {width: w, height: H + 60, role: 'img',
                       'aria-label': 'Implementation rate by week'}, box);
  weeks.forEach(function (p, i) {
    var rate = p.implementation_rate, h = Math.round(rate * H);
    var x = 30 + i * 48;
    el('rect', {'class': 'bar', x: x, y: TOP + H - h, width: 36, height: h,
                'data-week': p.week_start, 'data-rate': rate}, svg);
    text(svg, x + 18, TOP + H - h - 4, Math.round(rate * 100) + '%');
    text(svg, x + 18, TOP + H + 16, p.week_start.slice(5));
  });
  if (!weeks.length) text(svg, 10, 40, 'No confirmations in this window', 'start');
  // Minutes delivered against minutes mandated, per service.
  var services = (report.service_fidelity || {}).services || [];
  var names = {};
  (report.students || []).forEach(function (s) { names[s.student_id] = s.name; });
  var most = 1;
  services.forEach(function (s) {
    most = Math.max(most, s.mandated_minutes, s.delivered_minutes);
  });
  box = document.getElementById('chart-minutes');
  svg = el('svg', {width: Math.max(320, services.length * 170 + 60),
                   height: H + 70, role: 'img',
                   'aria-label': 'Minutes delivered against mandated'}, box);
  services.forEach(function (s, i) {
    var x = 60 + i * 170;
    [['mandated', s.mandated_minutes, 0], ['delivered', s.delivered_minutes, 40]]
        .forEach(function (bar) {
      var h = Math.round(bar[1] / most * H);
      el('rect', {'class': bar[0], x: x + bar[2], y: TOP + H - h, width: 36,
                  height: h, 'data-service-id': s.service_id,
                  'data-minutes': bar[1]}, svg);
      text(svg, x + bar[2] + 18, TOP + H - h - 4, bar[1]);
    });
    text(svg, x + 38, TOP + H + 16, s.service_type);
    text(svg, x + 38, TOP + H + 30, names[s.student_id] || '');
  });
  if (!services.length) text(svg, 10, 40, 'No services in this window', 'start');
  document.body.setAttribute('data-charts', 'drawn');
})();
)js";

}  // namespace

std::string RenderHtml(const v1::Report& report) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(report, &json, options);
  // Inside <script>, "</script>" in a value would end the element early.
  json = absl::StrReplaceAll(json, {{"<", "\\u003c"}});

  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width\">"
      "<title>plansync report ",
      Escape(report.as_of()), "</title><style>", kStyle,
      "</style></head>\n<body>\n<h1>Case manager's report</h1>\n",
      "<p class=\"summary\">As of ", Escape(report.as_of()), "; ",
      Escape(report.from_day()), " to ", Escape(report.to_day()), ", ",
      report.school_days(), " school days.</p>\n");
  absl::StrAppend(&out, "<div class=\"cards\">",
                  "<div class=\"card\" id=\"card-students\"><b>",
                  report.students_size(), "</b>students</div>",
                  "<div class=\"card\" id=\"card-overdue\"><b>",
                  report.compliance().overdue(), "</b>deadlines overdue</div>",
                  "<div class=\"card\" id=\"card-due-soon\"><b>",
                  report.compliance().due_soon(), "</b>due soon</div>",
                  "<div class=\"card\" id=\"card-minutes\"><b>",
                  report.service_fidelity().delivered_minutes(), " / ",
                  report.service_fidelity().mandated_minutes(),
                  "</b>minutes delivered / mandated</div>",
                  "<div class=\"card\" id=\"card-open-concerns\"><b>",
                  report.concerns().open(), "</b>open parent concerns</div>",
                  "<div class=\"card\" id=\"card-disputed\"><b>",
                  report.concerns().disputed(), "</b>disputed</div>",
                  "<div class=\"card\" id=\"card-conflicts\"><b>",
                  report.conflicts().waiting_size(),
                  "</b>conflicts to review</div>", "</div>\n");
  absl::StrAppend(&out, "<h2>Implementation rate over time</h2>",
                  "<div id=\"chart-implementation\"></div>\n",
                  "<h2>Minutes delivered against minutes mandated</h2>",
                  "<div id=\"chart-minutes\"></div>\n");
  for (const Table& table : Tables(report, Section::kAll)) {
    absl::StrAppend(&out, "<h2 id=\"", table.id, "\">", Escape(table.title),
                    "</h2>\n");
    if (!table.summary.empty()) {
      absl::StrAppend(&out, "<p class=\"summary\">", Escape(table.summary),
                      "</p>\n");
    }
    if (table.rows.empty()) {
      absl::StrAppend(&out, "<p>None.</p>\n");
      continue;
    }
    absl::StrAppend(&out, "<table data-table=\"", table.id, "\"><tr>");
    for (const std::string& h : table.header) {
      absl::StrAppend(&out, "<th>", Escape(h), "</th>");
    }
    absl::StrAppend(&out, "</tr>\n");
    for (const auto& row : table.rows) {
      absl::StrAppend(&out, "<tr>");
      for (size_t i = 0; i < row.size(); ++i) {
        const bool days = i < table.header.size() && table.header[i] == "days";
        absl::StrAppend(&out, days ? "<td class=\"days\">" : "<td>",
                        Escape(row[i]), "</td>");
      }
      absl::StrAppend(&out, "</tr>\n");
    }
    absl::StrAppend(&out, "</table>\n");
  }
  absl::StrAppend(&out, "<script type=\"application/json\" id=\"report-data\">",
                  json, "</script>\n<script>", kScript,
                  "</script>\n</body></html>\n");
  return out;
}

}  // namespace plansync::report
