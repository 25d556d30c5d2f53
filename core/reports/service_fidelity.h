// Service fidelity: minutes mandated by each service of the plan in effect
// against minutes delivered in logged sessions, per week and month, with
// missed sessions by reason and make-ups owed and done.
//
// Mandated minutes accrue per school day the service is in effect: a DAY
// service its minutes; a WEEK service a fifth of them (a full week owes the
// weekly minutes, a short week its share); a MONTH service its minutes
// spread over the month's school days; QUARTER and YEAR services their
// minutes over 45 and 180 school days. Only days up to today accrue.
#ifndef PLANSYNC_CORE_REPORTS_SERVICE_FIDELITY_H_
#define PLANSYNC_CORE_REPORTS_SERVICE_FIDELITY_H_

#include "core/reports/caseload.h"
#include "core/reports/school_calendar.h"
#include "plansync/v1/report.pb.h"

namespace plansync::reports {

// True for the outcomes of a session that did not happen (student or
// provider absent, cancelled for a school event).
bool IsMissed(v1::SessionOutcome outcome);

// One service's figures over [from, to] (to no later than today).
v1::ServiceFidelityRow ServiceFidelityOf(const StudentRecords& records,
                                         const v1::Service& service,
                                         const SchoolCalendar& calendar,
                                         Day from, Day to);

v1::ServiceFidelity BuildServiceFidelity(const Caseload& caseload, Day from,
                                         Day to);

}  // namespace plansync::reports

#endif  // PLANSYNC_CORE_REPORTS_SERVICE_FIDELITY_H_
