// Safe text for the HTML pages the renderers write (the report, the plan
// comparison, the evidence packet).
#ifndef PLANSYNC_CLIENTS_REPORT_HTML_H_
#define PLANSYNC_CLIENTS_REPORT_HTML_H_

#include <string>

#include "absl/strings/string_view.h"

namespace plansync::report {

// `text` with &, <, >, " and ' as character references: safe as element
// content and as a quoted attribute value.
std::string HtmlEscape(absl::string_view text);

// A JSON document made safe to embed in a <script> element: every '<'
// written as \u003c (the same JSON), so no "</script>" or "<!--" in a value
// can end or change the element.
std::string JsonForScript(absl::string_view json);

}  // namespace plansync::report

#endif  // PLANSYNC_CLIENTS_REPORT_HTML_H_
