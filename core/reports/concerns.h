// Parent concerns: every lapse report with its age and the case manager's
// latest response, and the disputes: a lapse and a record that says the
// opposite for the same accommodation or service and day (a "provided"
// confirmation, a delivered session), or a response disputing it. Both
// records stand (log entries never overwrite each other); the report shows the
// disagreement.
#ifndef PLANSYNC_CORE_REPORTS_CONCERNS_H_
#define PLANSYNC_CORE_REPORTS_CONCERNS_H_

#include "core/reports/caseload.h"
#include "core/reports/school_calendar.h"
#include "plansync/v1/report.pb.h"

namespace plansync::reports {

v1::ParentConcerns BuildParentConcerns(const Caseload& caseload, Day today);

}  // namespace plansync::reports

#endif  // PLANSYNC_CORE_REPORTS_CONCERNS_H_
