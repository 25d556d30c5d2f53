#include "clients/report/html.h"

#include "absl/strings/str_replace.h"

namespace plansync::report {

std::string HtmlEscape(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"},
                                    {"<", "&lt;"},
                                    {">", "&gt;"},
                                    {"\"", "&quot;"},
                                    {"'", "&#39;"}});
}

std::string JsonForScript(absl::string_view json) {
  return absl::StrReplaceAll(json, {{"<", "\\u003c"}});
}

}  // namespace plansync::report
