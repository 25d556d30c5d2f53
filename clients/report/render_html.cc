// The HTML page: one file, no external resources. Tables are rendered here;
// the two charts are drawn in the browser by the inline script from the
// report's JSON embedded in the page, so they show exactly the JSON's
// figures (tests/report_html_test.cc checks that in headless Chromium).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "clients/report/html.h"
#include "clients/report/render.h"
#include "clients/report/tables.h"
#include "google/protobuf/util/json_util.h"

namespace plansync::report {
namespace {

std::string Escape(const std::string& text) { return HtmlEscape(text); }

// Readable from a 390 px phone to a printed page: the page itself never
// scrolls sideways (wide tables scroll in their own box, charts shrink to
// the width); colours carry a letter or a legend, never meaning alone.
constexpr char kStyle[] = R"css(
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;padding:1em;
  max-width:72em;color:#222;overflow-wrap:anywhere}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}
.scroll{overflow-x:auto;max-width:100%;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;
  vertical-align:top;overflow-wrap:normal}
th{background:#f3f3f3}
td.days{font-family:monospace;letter-spacing:1px}
tr.overdue td{background:#fde2e1}tr.overdue td:nth-child(3){font-weight:bold;
  color:#a4161a}
tr.due-soon td{background:#fff4d6}
.summary{color:#555}
.cards{display:flex;gap:.75em;flex-wrap:wrap}
.card{border:1px solid #ccc;border-radius:6px;padding:.5em 1em;min-width:9em}
.card b{display:block;font-size:1.4em}
.card.alert{border-color:#a4161a}.card.alert b{color:#a4161a}
.chart svg{width:100%;height:auto;max-width:48em;display:block}
svg text{font-size:11px;fill:#333}svg line.axis{stroke:#888}
svg line.grid{stroke:#e3e3e3}svg text.none{fill:#888;font-style:italic}
rect.bar{fill:#3b7dd8}rect.mandated{fill:#bbb}rect.delivered{fill:#2a9d5c}
details.student{border-top:2px solid #ddd;margin-top:1.5em;padding-top:.5em}
details.student summary{font-size:1.1em;cursor:pointer}
h3{font-size:1em;margin:1em 0 .2em}
.legend{display:flex;gap:1em;flex-wrap:wrap;font-size:.9em;margin:.3em 0}
.legend span::before{content:"";display:inline-block;width:.9em;height:.9em;
  margin-right:.3em;vertical-align:-.1em;background:var(--c)}
table.grid td,table.grid th{padding:.1em .15em;text-align:center;
  font:12px monospace;min-width:1.6em}
table.grid th.day{writing-mode:vertical-rl;transform:rotate(180deg);
  font-weight:normal;height:4.5em}
table.grid td.who{text-align:left;font:inherit;white-space:nowrap}
td.g-P{background:#b7e4c7}td.g-D{background:#ffe8a3}td.g-A{background:#e2e2e2}
td.g-N{background:#f4a6a6}td.g-dot{background:#fff;color:#999}
td.g-dash{background:#f7f7f7;color:#bbb}
@media print{body{max-width:none;padding:0;font-size:11px}
  .scroll{overflow:visible}.chart,table{break-inside:avoid}
  h2{break-after:avoid}tr.overdue td{background:#fde2e1 !important;
  -webkit-print-color-adjust:exact;print-color-adjust:exact}}
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
  var H = 160, TOP = 20, LEFT = 48;
  // A y axis from 0 to `most`, with its labels and grid lines.
  function axis(svg, width, most, label) {
    [0, 0.5, 1].forEach(function (f) {
      var y = TOP + H - f * H;
      el('line', {'class': f ? 'grid' : 'axis', x1: LEFT - 4, x2: width - 8,
                  y1: y, y2: y}, svg);
      text(svg, LEFT - 8, y + 4, label(f * most), 'end');
    });
    el('line', {'class': 'axis', x1: LEFT, x2: LEFT, y1: TOP, y2: TOP + H},
       svg);
  }
  // Implementation rate, week by week; a week with nothing logged has no
  // rate, and says so.
  var weeks = (report.accommodation_matrix || {}).rate_by_week || [];
  var box = document.getElementById('chart-implementation');
  var w = Math.max(320, weeks.length * 48 + LEFT + 20);
  var svg = el('svg', {viewBox: '0 0 ' + w + ' ' + (H + 60), role: 'img',
                       'aria-label': 'Implementation rate by week'}, box);
  axis(svg, w, 1, function (v) { return Math.round(v * 100) + '%'; });
  weeks.forEach(function (p, i) {
    var x = LEFT + 8 + i * 48;
    text(svg, x + 18, TOP + H + 16, p.week_start.slice(5));
    if (p.provided + p.declined + p.not_provided === 0) {
      el('rect', {'class': 'nodata', x: x, y: TOP + H, width: 36, height: 0,
                  'data-week': p.week_start}, svg);
      text(svg, x + 18, TOP + H - 4, 'no data').setAttribute('class', 'none');
      return;
    }
    var rate = p.implementation_rate, h = Math.round(rate * H);
    el('rect', {'class': 'bar', x: x, y: TOP + H - h, width: 36, height: h,
                'data-week': p.week_start, 'data-rate': rate}, svg);
    text(svg, x + 18, TOP + H - h - 4, Math.round(rate * 100) + '%');
  });
  text(svg, LEFT + 4, TOP + H + 34, 'week of (Monday)', 'start');
  if (!weeks.length) {
    text(svg, LEFT + 10, 40, 'No confirmations in this window', 'start')
        .setAttribute('class', 'none');
  }
  // Minutes delivered against minutes mandated, per service.
  var services = (report.service_fidelity || {}).services || [];
  var names = {};
  (report.students || []).forEach(function (s) { names[s.student_id] = s.name; });
  var most = 1;
  services.forEach(function (s) {
    most = Math.max(most, s.mandated_minutes, s.delivered_minutes);
  });
  box = document.getElementById('chart-minutes');
  w = Math.max(320, services.length * 170 + LEFT + 20);
  svg = el('svg', {viewBox: '0 0 ' + w + ' ' + (H + 70), role: 'img',
                   'aria-label': 'Minutes delivered against mandated'}, box);
  axis(svg, w, most, function (v) { return Math.round(v) + ' min'; });
  services.forEach(function (s, i) {
    var x = LEFT + 12 + i * 170;
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
  if (!services.length) {
    text(svg, LEFT + 10, 40, 'No services in this window', 'start')
        .setAttribute('class', 'none');
  }
  document.body.setAttribute('data-charts', 'drawn');
  // Whether the page fits the window's width (no sideways scrolling).
  var wide = document.documentElement.scrollWidth;
  document.body.setAttribute('data-width', window.innerWidth);
  document.body.setAttribute('data-fits', wide <= window.innerWidth ? 'yes' :
      'no: ' + wide + ' > ' + window.innerWidth);
})();
)js";

// A cell as people read it: a day "2026-09-17" as "Thu 17 Sep 2026", an
// instant "2026-10-01T15:30:00Z" as "1 Oct 2026 15:30 UTC", each in a <time>
// element that keeps the exact value; anything else escaped as it is.
std::string Cell(const std::string& text) {
  absl::CivilDay day;
  if (text.size() == 10 && absl::ParseCivilTime(text, &day)) {
    return absl::StrCat(
        "<time datetime=\"", text, "\">",
        absl::FormatTime("%a %e %b %Y",
                         absl::FromCivil(day, absl::UTCTimeZone()),
                         absl::UTCTimeZone()),
        "</time>");
  }
  absl::Time instant;
  std::string error;
  if (text.size() >= 20 && text[10] == 'T' && text.back() == 'Z' &&
      absl::ParseTime(absl::RFC3339_full, text, &instant, &error)) {
    return absl::StrCat(
        "<time datetime=\"", Escape(text), "\">",
        absl::FormatTime("%e %b %Y %H:%M UTC", instant, absl::UTCTimeZone()),
        "</time>");
  }
  return Escape(text);
}

// The row's class: deadlines overdue or due soon stand out.
std::string RowClass(const Table& table, const std::vector<std::string>& row) {
  if (table.id != "compliance") return "";
  for (const std::string& cell : row) {
    if (cell == "overdue") return " class=\"overdue\"";
    if (cell == "due soon") return " class=\"due-soon\"";
  }
  return "";
}

// A table in a box of its own that scrolls sideways when it is wider than
// the screen. The matrix's day string is drawn as a grid below it instead.
void AppendTable(const Table& table, std::string* out,
                 const std::string& student_id = "") {
  const bool grid = table.id == "accommodations";
  absl::StrAppend(out, "<div class=\"scroll\"><table data-table=\"", table.id,
                  "\"",
                  student_id.empty()
                      ? ""
                      : absl::StrCat(" data-student-id=\"", student_id, "\""),
                  "><tr>");
  for (const std::string& h : table.header) {
    if (grid && h == "days") continue;
    absl::StrAppend(out, "<th>", Escape(h), "</th>");
  }
  absl::StrAppend(out, "</tr>\n");
  for (const auto& row : table.rows) {
    absl::StrAppend(out, "<tr", RowClass(table, row), ">");
    for (size_t i = 0; i < row.size(); ++i) {
      const bool days = i < table.header.size() && table.header[i] == "days";
      if (grid && days) continue;
      absl::StrAppend(out, days ? "<td class=\"days\">" : "<td>",
                      days ? Escape(row[i]) : Cell(row[i]), "</td>");
    }
    absl::StrAppend(out, "</tr>\n");
  }
  absl::StrAppend(out, "</table></div>\n");
}

// What a letter of the matrix's day string means, and its cell class.
struct DayMark {
  char letter;
  const char* css;
  const char* words;
  const char* colour;
};
constexpr DayMark kDayMarks[] = {
    {'P', "g-P", "provided", "#b7e4c7"},
    {'D', "g-D", "offered and declined", "#ffe8a3"},
    {'A', "g-A", "not applicable", "#e2e2e2"},
    {'N', "g-N", "not provided", "#f4a6a6"},
    {'.', "g-dot", "nothing logged", "#fff"},
    {'-', "g-dash", "not due", "#f7f7f7"},
};

// The accommodation matrix as a grid: a column per school day (its date
// above it), a coloured cell with its letter per accommodation and day, and
// the legend.
void AppendDayGrid(const v1::AccommodationMatrix& matrix, const Table& table,
                   std::string* out, const std::string& student_id = "") {
  absl::StrAppend(out, "<div class=\"legend\">");
  for (const DayMark& mark : kDayMarks) {
    absl::StrAppend(out, "<span style=\"--c:", mark.colour, "\">",
                    std::string(1, mark.letter), " ", mark.words, "</span>");
  }
  absl::StrAppend(out, "</div>\n<div class=\"scroll\"><table class=\"grid\" ",
                  "data-table=\"accommodation-days\"",
                  student_id.empty()
                      ? ""
                      : absl::StrCat(" data-student-id=\"", student_id, "\""),
                  "><tr><th>student</th><th>accommodation</th>");
  for (const std::string& day : matrix.school_days()) {
    absl::StrAppend(out, "<th class=\"day\" data-day=\"", Escape(day), "\">",
                    Escape(day.size() == 10 ? day.substr(5) : day), "</th>");
  }
  absl::StrAppend(out, "</tr>\n");
  // The table's rows are the matrix's rows, in order: student and title.
  for (int r = 0;
       r < matrix.rows_size() && r < static_cast<int>(table.rows.size()); ++r) {
    if (!student_id.empty() && matrix.rows(r).student_id() != student_id) {
      continue;
    }
    const std::string& days = matrix.rows(r).days();
    absl::StrAppend(out, "<tr><td class=\"who\">", Escape(table.rows[r][0]),
                    "</td><td class=\"who\">", Escape(table.rows[r][1]),
                    "</td>");
    for (size_t d = 0; d < days.size(); ++d) {
      const DayMark* mark = nullptr;
      for (const DayMark& m : kDayMarks) {
        if (m.letter == days[d]) mark = &m;
      }
      const std::string day = d < static_cast<size_t>(matrix.school_days_size())
                                  ? matrix.school_days(static_cast<int>(d))
                                  : "";
      absl::StrAppend(out, "<td class=\"", mark ? mark->css : "", "\" title=\"",
                      Escape(day), ": ", mark ? mark->words : "", "\">",
                      Escape(std::string(1, days[d])), "</td>");
    }
    absl::StrAppend(out, "</tr>\n");
  }
  absl::StrAppend(out, "</table></div>\n");
}

// One section per student, open: the rows of every table that are the
// student's (deadlines, services, accommodations with their day grid,
// concerns, conflicts, meetings), so a case manager reads one child at a time.
void AppendStudentSections(const v1::Report& report,
                           const std::vector<Table>& tables, std::string* out) {
  if (report.students().empty()) return;
  absl::StrAppend(out, "<h2 id=\"students-one-by-one\">Each student</h2>\n");
  const Table* caseload = nullptr;
  for (const Table& table : tables) {
    if (table.id == "students") caseload = &table;
  }
  for (int i = 0; i < report.students_size(); ++i) {
    const v1::ReportStudent& student = report.students(i);
    std::string plans;
    if (caseload != nullptr && i < static_cast<int>(caseload->rows.size()) &&
        caseload->rows[i].size() > 3) {
      plans = caseload->rows[i][3];
    }
    absl::StrAppend(out, "<details class=\"student\" open data-student-id=\"",
                    Escape(student.student_id()), "\"><summary><b>",
                    Escape(student.name()), "</b>",
                    plans.empty() ? "" : absl::StrCat(" — ", Escape(plans)),
                    "</summary>\n");
    for (const Table& table : tables) {
      if (table.id == "students") continue;
      Table mine{table.id, table.title, "", table.header, {}, {}};
      for (size_t r = 0; r < table.rows.size(); ++r) {
        if (r < table.row_student_ids.size() &&
            table.row_student_ids[r] == student.student_id()) {
          mine.rows.push_back(table.rows[r]);
          mine.row_student_ids.push_back(student.student_id());
        }
      }
      if (mine.rows.empty()) continue;
      absl::StrAppend(out, "<h3>", Escape(table.title), "</h3>\n");
      AppendTable(mine, out, student.student_id());
      if (table.id == "accommodations") {
        AppendDayGrid(report.accommodation_matrix(), mine, out,
                      student.student_id());
      }
    }
    absl::StrAppend(out, "</details>\n");
  }
}

}  // namespace

std::string RenderHtml(const v1::Report& report) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(report, &json, options);
  json = JsonForScript(json);

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
                  "<div class=\"card",
                  report.compliance().overdue() > 0 ? " alert" : "",
                  "\" id=\"card-overdue\"><b>", report.compliance().overdue(),
                  "</b>deadlines overdue</div>",
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
  absl::StrAppend(
      &out, "<h2>Implementation rate over time</h2>",
      "<div class=\"chart\" id=\"chart-implementation\"></div>\n",
      "<h2>Minutes delivered against minutes mandated</h2>",
      "<div class=\"legend\"><span style=\"--c:#bbb\">mandated</span>"
      "<span style=\"--c:#2a9d5c\">delivered</span></div>",
      "<div class=\"chart\" id=\"chart-minutes\"></div>\n");
  const std::vector<Table> tables = Tables(report, Section::kAll);
  for (const Table& table : tables) {
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
    AppendTable(table, &out);
    if (table.id == "accommodations") {
      AppendDayGrid(report.accommodation_matrix(), table, &out);
    }
  }
  AppendStudentSections(report, tables, &out);
  absl::StrAppend(&out, "<script type=\"application/json\" id=\"report-data\">",
                  json, "</script>\n<script>", kScript,
                  "</script>\n</body></html>\n");
  return out;
}

}  // namespace plansync::report
