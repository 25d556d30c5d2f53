// The student-history view: what happened for a student from one day to
// another (confirmations, service sessions, lapse reports and their
// responses), as a parent's history screen shows it (the CLI's `history`, the
// C API's plansync_student_history).
#ifndef PLANSYNC_CORE_STUDENT_HISTORY_H_
#define PLANSYNC_CORE_STUDENT_HISTORY_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/device_store.h"
#include "plansync/v1/views.pb.h"

namespace plansync {

// The history of student `student_id` from `from` to `to` (YYYY-MM-DD, both
// included): the implementation confirmations, service sessions and lapse
// reports of those days, each with its corrections (core/corrections.h)
// applied and listed, oldest first, and marked if withdrawn; each lapse with
// its responses, oldest first; each entry's subject (the accommodation's
// title or the service's type). Entries by day, then by when they were
// recorded. Reads `store` alone. Errors: INVALID_ARGUMENT (reason
// MALFORMED_DATE) for a malformed day, INVALID_ARGUMENT if `from` is after
// `to`; NOT_FOUND (reason UNKNOWN_RECORD) if the store holds no such
// student.
absl::StatusOr<v1::StudentHistory> StudentHistoryOf(
    DeviceStore& store, absl::string_view student_id, absl::string_view from,
    absl::string_view to);

// The start of a history's default window: August 1 of the school year
// holding `day` (core/day.h's SchoolYearStart), as YYYY-MM-DD; "" if `day`
// is not a day.
std::string SchoolYearStartOf(absl::string_view day);

}  // namespace plansync

#endif  // PLANSYNC_CORE_STUDENT_HISTORY_H_
