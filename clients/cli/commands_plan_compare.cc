// `plansync plan compare`: what changed from one plan to another of a
// student (core/reports/plan_compare.h), as text, JSON or an HTML page.
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "clients/cli/lookup.h"
#include "clients/report/render_compare.h"
#include "core/file.h"
#include "core/reports/caseload.h"
#include "core/reports/plan_compare.h"
#include "core/status_macros.h"

namespace plansync::cli {
namespace {

constexpr RoleSet kReaders = RoleBit(v1::GUARDIAN) | RoleBit(v1::TEACHER) |
                             RoleBit(v1::PROVIDER) | RoleBit(v1::CASE_MANAGER);

// Plan `id` among the student's records, if held.
const v1::Plan* HeldPlan(const reports::StudentRecords& records,
                         const std::string& id) {
  for (const v1::Plan& plan : records.plans) {
    if (plan.id() == id) return &plan;
  }
  return nullptr;
}

absl::Status Compare(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  const std::string format = flags.Has("--json")     ? "json"
                             : flags.Has("--format") ? flags.Get("--format")
                                                     : "text";
  if (format != "text" && format != "json" && format != "html") {
    return absl::InvalidArgumentError(
        absl::StrCat("--format ", format, " is not one of text, json, html"));
  }
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  const std::vector<std::string>& args = flags.args();
  // The plans named, or the one in effect today.
  v1::Student student;
  std::string old_id, new_id;
  if (!args.empty()) {
    ASSIGN_OR_RETURN(const v1::Plan named,
                     GetRecord<v1::Plan>(*store, args[0], "plan"));
    ASSIGN_OR_RETURN(
        student, GetRecord<v1::Student>(*store, named.student_id(), "student"));
    RETURN_IF_ERROR(RequireRole(*store, student, kReaders, today));
    old_id = named.id();
    if (args.size() > 1) {
      ASSIGN_OR_RETURN(const v1::Plan second,
                       GetRecord<v1::Plan>(*store, args[1], "plan"));
      if (second.student_id() != student.id()) {
        return absl::InvalidArgumentError(
            absl::StrCat("plan ", second.id(), " is not ", StudentName(student),
                         "'s; compare two plans of one student"));
      }
      new_id = second.id();
    }
  } else {
    ASSIGN_OR_RETURN(student, ResolveStudent(*store, flags.Get("--student"),
                                             kReaders, today));
  }
  if (new_id.empty()) {
    ASSIGN_OR_RETURN(const v1::Plan current,
                     RequirePlanOn(*store, student, today));
    new_id = current.id();
  }
  ASSIGN_OR_RETURN(const reports::Caseload caseload,
                   reports::LoadCaseload(*store, student.id()));
  const reports::StudentRecords& records = caseload.students.front();
  const v1::Plan* new_plan = HeldPlan(records, new_id);
  const v1::Plan* old_plan =
      old_id.empty()
          ? (new_plan == nullptr ? nullptr
                                 : reports::PreviousPlan(records, *new_plan))
          : HeldPlan(records, old_id);
  if (new_plan == nullptr || (old_plan == nullptr && !old_id.empty())) {
    return absl::NotFoundError(
        "that plan is archived; plansync get Plan ID shows it");
  }
  if (old_plan == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "nothing to compare: ", report::PlanTitle(*new_plan), " of ",
        StudentName(student),
        " neither amends nor follows another plan; name two plans: plansync "
        "plan compare OLD NEW"));
  }
  if (old_plan->id() == new_plan->id()) {
    return absl::InvalidArgumentError(
        "that is the same plan twice; name two plans: plansync plan compare "
        "OLD NEW");
  }
  const v1::PlanComparison comparison =
      reports::ComparePlans(records, *old_plan, *new_plan);
  const report::CompareNames names{
      .student = StudentName(student),
      .notice = PriorNoticeName(new_plan->jurisdiction())};
  const std::string rendered =
      format == "json"   ? report::RenderComparisonJson(comparison)
      : format == "html" ? report::RenderComparisonHtml(comparison, names)
                         : report::RenderComparisonText(comparison, names);
  const std::string out = flags.Get("--out");
  if (out.empty()) {
    std::fwrite(rendered.data(), 1, rendered.size(), stdout);
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(WriteOwnerOnlyFile(out, rendered));
  std::printf("Wrote the comparison (%s) to %s.\n", format.c_str(),
              out.c_str());
  return absl::OkStatus();
}

}  // namespace

Command PlanCompareCommand() {
  return {
      .name = "plan",
      .sub = "compare",
      .synopsis =
          "[OLD [NEW]] [--student S] [--format text|json|html] "
          "[--out FILE]",
      .summary =
          "what changed between two plans, and which changes reduce "
          "support",
      .description =
          "Without plans named: the plan in effect today against the one it "
          "amends or\nfollows (an IEP before a 504 plan); with OLD: OLD "
          "against the plan in effect;\nwith both: OLD against NEW. Lists "
          "services, accommodations and goals removed,\nchanged or added; "
          "marks each reduction (an item removed, fewer minutes a week, an\n"
          "accommodation narrowed) and whether a prior written notice "
          "(Missouri: Notice of\nAction) proposed the new plan before it "
          "took effect. When an IEP is followed by\na 504 plan, the "
          "specially designed instruction and related services it ends\nare "
          "named as such.",
      .flags = {{"--student", "S",
                 "the student, by name or id (needed only if you have "
                 "several)"},
                {"--format", "F", "text (default), json or html"},
                {"--json", "", "the same as --format json"},
                {"--out", "FILE", "write it to FILE (owner-only)"}},
      .min_args = 0,
      .max_args = 2,
      .examples = {"plansync plan compare",
                   "plansync plan compare --format html --out change.html"},
      .audience = Audience::kParent,
      .run = Compare};
}

}  // namespace plansync::cli
