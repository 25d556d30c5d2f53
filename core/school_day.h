// Whether a day is a school day at a school, by the store's SchoolHoliday
// records: for the teacher's day and the CLI.
#ifndef PLANSYNC_CORE_SCHOOL_DAY_H_
#define PLANSYNC_CORE_SCHOOL_DAY_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/device_store.h"

namespace plansync {

// Why `day` (a valid YYYY-MM-DD day) is not a school day at `school` ("a
// Saturday", a holiday's name, or "a school holiday" for one without a
// name), or nullopt if it is one. A SchoolHoliday closes `school` when it
// names no school (every school) or names `school`, in any case.
absl::StatusOr<std::optional<std::string>> NoSchoolReason(
    DeviceStore& store, absl::string_view school, absl::string_view day);

}  // namespace plansync

#endif  // PLANSYNC_CORE_SCHOOL_DAY_H_
