// The accommodation matrix: each accommodation of the plans in effect over
// the window (one row per chain of versions, core/reports/plan_items.h), for
// each teacher of the student, day by school day: provided, offered and
// declined, not applicable, not provided, or nothing logged; not due ('-')
// on days no plan in effect carries it. A teacher's latest confirmation of a
// day counts, whichever version of the accommodation it names.
// Implementation rate = (provided + declined) / (provided + declined + not
// provided).
#ifndef PLANSYNC_CORE_REPORTS_ACCOMMODATION_MATRIX_H_
#define PLANSYNC_CORE_REPORTS_ACCOMMODATION_MATRIX_H_

#include "core/reports/caseload.h"
#include "core/reports/school_calendar.h"
#include "plansync/v1/report.pb.h"

namespace plansync::reports {

// Characters of AccommodationRow.days.
inline constexpr char kProvided = 'P';
inline constexpr char kDeclined = 'D';
inline constexpr char kNotApplicable = 'A';
inline constexpr char kNotProvided = 'N';
inline constexpr char kNothingLogged = '.';
// Not a day of this row: no school for the student, no plan in effect
// carrying the accommodation, or outside the accommodation's or the
// teacher's dates.
inline constexpr char kNotDue = '-';

// The matrix over the school days of [from, to].
v1::AccommodationMatrix BuildAccommodationMatrix(const Caseload& caseload,
                                                 Day from, Day to);

}  // namespace plansync::reports

#endif  // PLANSYNC_CORE_REPORTS_ACCOMMODATION_MATRIX_H_
