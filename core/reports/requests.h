// A parent's written requests as she and the case manager see them: each
// request with the day the school received it, what answered it, and the
// legal clocks it started (the rule book's rules anchored on a parent's
// request, core/reports/compliance.h). Pure: no store, no clock.
#ifndef PLANSYNC_CORE_REPORTS_REQUESTS_H_
#define PLANSYNC_CORE_REPORTS_REQUESTS_H_

#include <vector>

#include "absl/time/time.h"
#include "core/reports/caseload.h"
#include "core/reports/school_calendar.h"
#include "plansync/v1/report.pb.h"
#include "plansync/v1/rules.pb.h"

namespace plansync::reports {

// The requests of `records` (a student of `caseload`), by day sent then id,
// as of `today`. A request with a malformed sent_date (only a forged store
// holds one) is listed with no clock.
std::vector<v1::RequestStatus> StudentRequests(const Caseload& caseload,
                                               const StudentRecords& records,
                                               const v1::RuleBook& book,
                                               Day today);

// What answered the request `request_id`: the notices, the meetings held
// (on their day in `zone`, the district's) and the records releases that
// name it, by day.
std::vector<v1::RequestAnswer> RequestAnswers(const StudentRecords& records,
                                              const std::string& request_id,
                                              const absl::TimeZone& zone);

}  // namespace plansync::reports

#endif  // PLANSYNC_CORE_REPORTS_REQUESTS_H_
