#include "clients/report/render_compare.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "clients/report/html.h"
#include "core/enum_words.h"
#include "google/protobuf/util/json_util.h"

namespace plansync::report {
namespace {

std::string Escape(const std::string& text) { return HtmlEscape(text); }

const char* SectionTitle(v1::ItemChange::Change change) {
  switch (change) {
    case v1::ItemChange::REMOVED:
      return "Removed";
    case v1::ItemChange::CHANGED:
      return "Changed";
    default:
      return "Added";
  }
}

// "reduction; Notice of Action 0193... sent 2026-12-15" and the like; "" for
// a change that is not a reduction.
std::string NoticeWords(const v1::ItemChange& change,
                        const CompareNames& names) {
  if (!change.reduction()) return "";
  if (change.notice_id().empty()) {
    return absl::StrCat("reduction; no ", names.notice,
                        " proposed the new plan");
  }
  return absl::StrCat(
      "reduction; ", names.notice, " ", change.notice_id(), " sent ",
      change.notice_sent_date(),
      change.notice_late() ? ", AFTER the new plan took effect" : "");
}

std::string Summary(const v1::PlanComparison& c, const CompareNames& names) {
  return absl::StrCat(c.unchanged(), " items carried over unchanged; ",
                      c.reductions(), " reductions, ",
                      c.reductions_without_notice(), " without a ",
                      names.notice, " before the new plan took effect.");
}

std::string KindWords(const v1::PlanComparison& c) {
  if (!c.kind_changed()) return "";
  return absl::StrCat(
      "The kind of plan changed: ", PlanKindText(c.old_plan().kind()), " -> ",
      PlanKindText(c.new_plan().kind()),
      ". What the old plan gave and the new one does not is "
      "listed under Removed.");
}

}  // namespace

std::string PlanTitle(const v1::Plan& plan) {
  return absl::StrCat(PlanKindText(plan.kind()), " version ", plan.version(),
                      plan.start_date().empty()
                          ? ""
                          : absl::StrCat(" (from ", plan.start_date(), ")"));
}

std::string RenderComparisonText(const v1::PlanComparison& c,
                                 const CompareNames& names) {
  std::string out = absl::StrCat(names.student, ": ", PlanTitle(c.old_plan()),
                                 " -> ", PlanTitle(c.new_plan()), "\n");
  if (c.kind_changed()) absl::StrAppend(&out, KindWords(c), "\n");
  int section = -1;
  for (const v1::ItemChange& change : c.changes()) {
    if (change.change() != section) {
      section = change.change();
      int count = 0;
      for (const v1::ItemChange& other : c.changes()) {
        if (other.change() == change.change()) ++count;
      }
      absl::StrAppend(&out, "\n", SectionTitle(change.change()), " (", count,
                      ")\n");
    }
    absl::StrAppend(&out, "  - ", change.what_it_is(), ": ", change.label(),
                    "\n");
    for (const std::string& line : change.details()) {
      absl::StrAppend(&out, "      ", line, "\n");
    }
    const std::string notice = NoticeWords(change, names);
    if (!notice.empty()) absl::StrAppend(&out, "      ", notice, "\n");
  }
  if (c.changes().empty()) absl::StrAppend(&out, "\nNo differences.\n");
  absl::StrAppend(&out, "\n", Summary(c, names), "\n");
  return out;
}

std::string RenderComparisonJson(const v1::PlanComparison& comparison) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(comparison, &json, options);
  return json;
}

std::string RenderComparisonHtml(const v1::PlanComparison& c,
                                 const CompareNames& names) {
  std::string out = absl::StrCat(
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<title>",
      Escape(names.student), ": plan comparison</title><style>",
      "*{box-sizing:border-box}body{font:15px/1.45 system-ui,sans-serif;"
      "margin:0 auto;padding:1em;max-width:60em;color:#222;"
      "overflow-wrap:anywhere}h1{font-size:1.4em}h2{font-size:1.15em;"
      "margin-top:1.5em}ul{padding-left:1.2em}li{margin:.4em 0}"
      ".what{color:#555}.reduction{color:#a4161a;font-weight:bold}"
      ".details{margin:.2em 0 0 0;padding-left:1em;color:#333}"
      "</style></head><body>");
  absl::StrAppend(&out, "<h1>", Escape(names.student), "</h1><p>",
                  Escape(PlanTitle(c.old_plan())), " &rarr; ",
                  Escape(PlanTitle(c.new_plan())), "</p>");
  if (c.kind_changed())
    absl::StrAppend(&out, "<p>", Escape(KindWords(c)), "</p>");
  int section = -1;
  for (const v1::ItemChange& change : c.changes()) {
    if (change.change() != section) {
      if (section != -1) absl::StrAppend(&out, "</ul>");
      section = change.change();
      absl::StrAppend(&out, "<h2>", SectionTitle(change.change()), "</h2><ul>");
    }
    absl::StrAppend(&out, "<li data-change=\"",
                    v1::ItemChange::Change_Name(change.change()),
                    "\"><span class=\"what\">", Escape(change.what_it_is()),
                    ":</span> <b>", Escape(change.label()), "</b>");
    absl::StrAppend(&out, "<ul class=\"details\">");
    for (const std::string& line : change.details()) {
      absl::StrAppend(&out, "<li>", Escape(line), "</li>");
    }
    const std::string notice = NoticeWords(change, names);
    if (!notice.empty()) {
      absl::StrAppend(&out, "<li class=\"reduction\">", Escape(notice),
                      "</li>");
    }
    absl::StrAppend(&out, "</ul></li>");
  }
  if (section != -1) absl::StrAppend(&out, "</ul>");
  if (c.changes().empty()) absl::StrAppend(&out, "<p>No differences.</p>");
  absl::StrAppend(&out, "<p>", Escape(Summary(c, names)), "</p>");
  std::string json = RenderComparisonJson(c);
  json = JsonForScript(json);
  absl::StrAppend(&out, "<script type=\"application/json\" id=\"comparison\">",
                  json, "</script></body></html>\n");
  return out;
}

}  // namespace plansync::report
