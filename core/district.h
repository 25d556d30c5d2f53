// The district's time zone decides which day it is: "today" on every device,
// the days of the server's access log, and so every legal clock. A day is
// never taken from the machine's own zone.
#ifndef PLANSYNC_CORE_DISTRICT_H_
#define PLANSYNC_CORE_DISTRICT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "plansync/v1/records.pb.h"

namespace plansync {

class DeviceStore;

// True if `name` has the form of an IANA time zone name: "UTC", or parts of
// ASCII letters, digits, '_', '-' and '+' joined by '/', each starting with a
// letter or digit, 64 bytes at most ("America/Chicago", "Etc/GMT+6").
// Whether this machine's time zone database holds it is LoadDistrictZone's
// question.
bool IsTimeZoneName(absl::string_view name);

// The time zone setting of a directory: the time_zone of the non-archived
// District with the smallest id, or "" (UTC) when there is none. Pure; every
// device and the server settle two concurrent District records the same way.
std::string DistrictZoneName(const std::vector<v1::District>& districts);

// True if `text` names a jurisdiction as plans and the rule book do: "US"
// (federal) or "US-" and two capital letters ("US-MO").
bool IsJurisdiction(absl::string_view text);

// The District that counts: not archived, the smallest id; null if none.
// Points into `districts`.
const v1::District* CountingDistrict(
    const std::vector<v1::District>& districts);

// The zone named `name`; "" is UTC. INVALID_ARGUMENT (saying to install the
// time zone database, Debian's tzdata) if this machine does not know it.
absl::StatusOr<absl::TimeZone> LoadDistrictZone(absl::string_view name);

// The calendar day in `zone` of an RFC 3339 instant ("2026-10-01T00:30:00Z"
// is 30 September in America/Chicago); nullopt if `instant` is not one.
std::optional<absl::CivilDay> DayOfInstantIn(absl::string_view instant,
                                             const absl::TimeZone& zone);
// The zone named `name` (LoadDistrictZone), or UTC when this machine does
// not know it: for views that need a day and never fail on the zone.
absl::TimeZone ZoneOrUtc(absl::string_view name);

// The calendar day, "YYYY-MM-DD", at `unix_ms` in `zone`.
std::string DayAt(int64_t unix_ms, const absl::TimeZone& zone);

// The district's time zone as `store` holds it (its District records).
absl::StatusOr<absl::TimeZone> DistrictZoneOf(DeviceStore& store);
// Today in that zone, by the store's physical clock.
absl::StatusOr<std::string> DistrictToday(DeviceStore& store);

}  // namespace plansync

#endif  // PLANSYNC_CORE_DISTRICT_H_
