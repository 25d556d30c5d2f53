#include "core/reports/report.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/errors.h"
#include "core/plan_timeline.h"
#include "core/reports/accommodation_matrix.h"
#include "core/reports/caseload.h"
#include "core/reports/compliance.h"
#include "core/reports/concerns.h"
#include "core/reports/queues.h"
#include "core/reports/rule_book.h"
#include "core/reports/school_calendar.h"
#include "core/reports/service_fidelity.h"
#include "core/schema.h"
#include "core/status_macros.h"

namespace plansync {
namespace {

using reports::Day;

absl::StatusOr<Day> DayArgument(absl::string_view name,
                                absl::string_view text) {
  auto day = reports::ParseDay(text);
  if (!day.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, " must be a day written YYYY-MM-DD, not \"", text, "\""));
  }
  return *day;
}

absl::StatusOr<reports::DeviceSyncState> SyncState(DeviceStore& store) {
  reports::DeviceSyncState state;
  ASSIGN_OR_RETURN(state.last_sync, store.Setting("last_sync"));
  ASSIGN_OR_RETURN(state.pending, store.PendingCount());
  ASSIGN_OR_RETURN(std::vector<OutboxEntry> held, store.HeldChanges());
  state.held = static_cast<int64_t>(held.size());
  ASSIGN_OR_RETURN(std::vector<OutboxEntry> rejected, store.RejectedChanges());
  for (const OutboxEntry& entry : rejected) {
    v1::RejectedItem item;
    const RecordType* type = Schema::Get().Find(entry.change.record_type());
    item.set_record_type(type != nullptr ? type->short_name
                                         : entry.change.record_type());
    item.set_record_id(entry.change.record_id());
    item.set_reason(v1::Reason_Name(entry.reject_reason));
    item.set_message(entry.reject_message);
    state.rejected.push_back(std::move(item));
  }
  return state;
}

void AddStudents(const reports::Caseload& caseload, Day from, Day to,
                 v1::Report* report) {
  for (const reports::StudentRecords& records : caseload.students) {
    v1::ReportStudent* student = report->add_students();
    student->set_student_id(records.student.id());
    student->set_name(reports::StudentName(records.student));
    student->set_school(records.student.school());
    student->set_grade(records.student.grade());
    const PlanTimeline timeline(records.plans);
    if (const v1::Plan* plan = timeline.InEffectOn(to)) {
      student->set_plan_kind(plan->kind());
      student->set_plan_id(plan->id());
      student->set_jurisdiction(plan->jurisdiction());
    }
    for (const PlanSpan& span : timeline.SpansWithin(from, to)) {
      v1::PlanPeriod* period = student->add_plans();
      period->set_plan_id(span.plan->id());
      period->set_kind(span.plan->kind());
      period->set_version(span.plan->version());
      period->set_first_day(reports::FormatDay(span.first));
      period->set_last_day(reports::FormatDay(*span.last));
      period->set_jurisdiction(span.plan->jurisdiction());
    }
  }
}

}  // namespace

absl::StatusOr<v1::Report> BuildReport(DeviceStore& store,
                                       const ReportRequest& request) {
  ASSIGN_OR_RETURN(const Day today, DayArgument("today", request.today));
  Day from = SchoolYearStart(today), to = today;
  if (!request.from.empty()) {
    ASSIGN_OR_RETURN(from, DayArgument("from", request.from));
  }
  if (!request.to.empty()) {
    ASSIGN_OR_RETURN(to, DayArgument("to", request.to));
  }
  if (to < from) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the window ends (", request.to.empty() ? "today" : request.to,
        ") before it starts (", reports::FormatDay(from), ")"));
  }
  // Nothing is owed or logged after today.
  const Day last = std::min(to, today);
  ASSIGN_OR_RETURN(reports::Caseload caseload,
                   reports::LoadCaseload(store, request.student_id));
  const v1::RuleBook& book =
      request.rules != nullptr ? *request.rules : reports::DefaultRuleBook();

  v1::Report report;
  report.set_as_of(reports::FormatDay(today));
  report.set_from_day(reports::FormatDay(from));
  report.set_to_day(reports::FormatDay(to));
  AddStudents(caseload, from, last, &report);
  *report.mutable_compliance() =
      reports::BuildComplianceCalendar(caseload, book, today);
  *report.mutable_service_fidelity() =
      reports::BuildServiceFidelity(caseload, from, last);
  *report.mutable_accommodation_matrix() =
      reports::BuildAccommodationMatrix(caseload, from, last);
  report.set_school_days(report.accommodation_matrix().school_days_size());
  *report.mutable_concerns() = reports::BuildParentConcerns(caseload, today);

  absl::Status field_error;
  *report.mutable_conflicts() = reports::BuildConflictQueue(
      caseload, [&](const v1::Conflict& conflict) -> std::optional<int64_t> {
        const RecordType* type = Schema::Get().Find(conflict.record_type());
        if (type == nullptr) return std::nullopt;
        auto stamp = store.CurrentStamp(*type, conflict.record_id(),
                                        conflict.field_name());
        if (!stamp.ok()) {
          // A record not (or no longer) here, or a field this version does
          // not know: the conflict waits.
          const v1::Reason reason = ReasonOf(stamp.status());
          if (reason != v1::UNKNOWN_FIELD && reason != v1::UNKNOWN_RECORD) {
            field_error.Update(stamp.status());
          }
          return std::nullopt;
        }
        if (!stamp->has_value()) return std::nullopt;
        return static_cast<int64_t>((*stamp)->hlc);
      });
  RETURN_IF_ERROR(field_error);
  *report.mutable_meetings() = reports::BuildMeetings(caseload);
  ASSIGN_OR_RETURN(reports::DeviceSyncState state, SyncState(store));
  *report.mutable_sync_health() =
      reports::BuildSyncHealth(caseload, state, today);
  return report;
}

}  // namespace plansync
