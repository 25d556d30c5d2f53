// Service fidelity: for each service of the plans in effect over the window
// (one row per chain of versions, core/reports/plan_items.h), minutes
// mandated day by day against minutes delivered in logged sessions, per week
// and month, with missed sessions by reason and make-ups owed and done.
//
// Mandated minutes accrue per school day, from the version of the service in
// the plan in effect that day: a DAY service its minutes; a WEEK service a
// fifth of them (a full week owes the weekly minutes, a short week its
// share, and a week split by an amendment owes each day the fifth of the
// version in effect that day); a MONTH service its minutes spread over the
// month's school days; QUARTER and YEAR services their minutes over 45 and
// 180 school days. No day accrues outside a plan, or after today. Sessions
// logged against any version of the service count as delivered.
#ifndef PLANSYNC_CORE_REPORTS_SERVICE_FIDELITY_H_
#define PLANSYNC_CORE_REPORTS_SERVICE_FIDELITY_H_

#include "core/reports/caseload.h"
#include "core/reports/plan_items.h"
#include "core/reports/school_calendar.h"
#include "plansync/v1/report.pb.h"

namespace plansync::reports {

// True for the outcomes of a session that did not happen (student or
// provider absent, cancelled for a school event).
bool IsMissed(v1::SessionOutcome outcome);

// One service's figures over [from, to] (to no later than today).
v1::ServiceFidelityRow ServiceFidelityOf(
    const StudentRecords& records, const PlanItems<v1::Service>& services,
    const PlanItems<v1::Service>::Chain& chain, const SchoolCalendar& calendar,
    Day from, Day to);

v1::ServiceFidelity BuildServiceFidelity(const Caseload& caseload, Day from,
                                         Day to);

}  // namespace plansync::reports

#endif  // PLANSYNC_CORE_REPORTS_SERVICE_FIDELITY_H_
