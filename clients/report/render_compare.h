// A plan comparison (core/reports/plan_compare.h) as text, JSON or one
// self-contained HTML page, for `plansync plan compare` and the evidence
// packet.
#ifndef PLANSYNC_CLIENTS_REPORT_RENDER_COMPARE_H_
#define PLANSYNC_CLIENTS_REPORT_RENDER_COMPARE_H_

#include <string>

#include "plansync/v1/report.pb.h"

namespace plansync::report {

// What the comparison's words name: the student, and what the plans'
// jurisdiction calls a prior written notice ("Notice of Action" in US-MO).
struct CompareNames {
  std::string student;
  std::string notice;
};

// "IEP version 2 (from 2026-08-24)".
std::string PlanTitle(const v1::Plan& plan);
std::string RenderComparisonText(const v1::PlanComparison& comparison,
                                 const CompareNames& names);
// The comparison message as JSON (proto field names), with a final newline.
std::string RenderComparisonJson(const v1::PlanComparison& comparison);
// One page, no external resources, readable at 390 px; the comparison's
// JSON is embedded in a <script type="application/json" id="comparison">.
std::string RenderComparisonHtml(const v1::PlanComparison& comparison,
                                 const CompareNames& names);

}  // namespace plansync::report

#endif  // PLANSYNC_CLIENTS_REPORT_RENDER_COMPARE_H_
