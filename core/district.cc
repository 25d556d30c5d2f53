#include "core/district.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "core/device_store.h"
#include "core/status_macros.h"

namespace plansync {

bool IsTimeZoneName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (absl::string_view part : absl::StrSplit(name, '/')) {
    if (part.empty() || !absl::ascii_isalnum(part.front())) return false;
    for (char c : part) {
      if (!absl::ascii_isalnum(c) && c != '_' && c != '-' && c != '+') {
        return false;
      }
    }
  }
  return true;
}

const v1::District* CountingDistrict(
    const std::vector<v1::District>& districts) {
  const v1::District* chosen = nullptr;
  for (const v1::District& district : districts) {
    if (district.deleted()) continue;
    if (chosen == nullptr || district.id() < chosen->id()) chosen = &district;
  }
  return chosen;
}

std::string DistrictZoneName(const std::vector<v1::District>& districts) {
  const v1::District* chosen = CountingDistrict(districts);
  return chosen == nullptr ? "" : chosen->time_zone();
}

bool IsJurisdiction(absl::string_view text) {
  if (text == "US") return true;
  return text.size() == 5 && absl::StartsWith(text, "US-") &&
         absl::ascii_isupper(static_cast<unsigned char>(text[3])) &&
         absl::ascii_isupper(static_cast<unsigned char>(text[4]));
}

absl::StatusOr<absl::TimeZone> LoadDistrictZone(absl::string_view name) {
  if (name.empty()) return absl::UTCTimeZone();
  absl::TimeZone zone;
  if (!IsTimeZoneName(name) || !absl::LoadTimeZone(name, &zone)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the district's time zone \"", name,
        "\" is not in this machine's time zone database; install it (Debian: "
        "apt-get install tzdata) or ask the district administrator to set an "
        "IANA name such as America/Chicago"));
  }
  return zone;
}

std::optional<absl::CivilDay> DayOfInstantIn(absl::string_view instant,
                                             const absl::TimeZone& zone) {
  absl::Time time;
  std::string error;
  if (instant.empty() ||
      !absl::ParseTime(absl::RFC3339_full, instant, &time, &error)) {
    return std::nullopt;
  }
  return absl::ToCivilDay(time, zone);
}

absl::TimeZone ZoneOrUtc(absl::string_view name) {
  absl::StatusOr<absl::TimeZone> zone = LoadDistrictZone(name);
  return zone.ok() ? *zone : absl::UTCTimeZone();
}

std::string DayAt(int64_t unix_ms, const absl::TimeZone& zone) {
  return absl::FormatCivilTime(
      absl::ToCivilDay(absl::FromUnixMillis(unix_ms), zone));
}

absl::StatusOr<absl::TimeZone> DistrictZoneOf(DeviceStore& store) {
  ASSIGN_OR_RETURN(std::vector<v1::District> districts,
                   store.List<v1::District>("", ""));
  return LoadDistrictZone(DistrictZoneName(districts));
}

absl::StatusOr<std::string> DistrictToday(DeviceStore& store) {
  ASSIGN_OR_RETURN(const absl::TimeZone zone, DistrictZoneOf(store));
  return DayAt(store.clock().source()->NowMillis(), zone);
}

}  // namespace plansync
