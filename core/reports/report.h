// The case manager's consolidated review, computed
// offline from a device store: compliance calendar, service fidelity,
// accommodation matrix, parent concerns, conflict queue, meetings and
// notices, sync health. The result is a v1::Report (proto/plansync/v1/
// report.proto); clients/report renders it.
#ifndef PLANSYNC_CORE_REPORTS_REPORT_H_
#define PLANSYNC_CORE_REPORTS_REPORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "core/device_store.h"
#include "plansync/v1/report.pb.h"
#include "plansync/v1/rules.pb.h"

namespace plansync {

struct ReportRequest {
  // The day to report for, "YYYY-MM-DD" (callers pass their clock's day).
  std::string today;
  // The window, both ends included; empty `from` means the school year that
  // holds `today` (from August 1), empty `to` means `today`.
  std::string from;
  std::string to;
  // One student, or empty for every student on the device (the caseload).
  std::string student_id;
  // Deadline rules; null means the built-in rule book (DefaultRuleBook()).
  const v1::RuleBook* rules = nullptr;
};

// Builds the report. INVALID_ARGUMENT for a malformed day or a window that
// ends before it starts; NOT_FOUND for an unknown student; the store's errors.
absl::StatusOr<v1::Report> BuildReport(DeviceStore& store,
                                       const ReportRequest& request);

}  // namespace plansync

#endif  // PLANSYNC_CORE_REPORTS_REPORT_H_
