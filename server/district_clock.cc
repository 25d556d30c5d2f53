#include "server/district_clock.h"

#include <cstdio>
#include <vector>

#include "core/district.h"
#include "core/schema.h"
#include "core/status_macros.h"
#include "core/value.h"

namespace plansync::server {

absl::StatusOr<std::string> DistrictClock::DayAt(int64_t unix_ms) {
  absl::MutexLock lock(&mu_);
  const int64_t now = clock_->NowMillis();
  if (!loaded_ || now - checked_ms_ >= refresh_ms_ || now < checked_ms_) {
    RETURN_IF_ERROR(CatchUp());
    loaded_ = true;
    checked_ms_ = now;
  }
  return plansync::DayAt(unix_ms, zone_);
}

absl::Status DistrictClock::CatchUp() {
  const RecordType& type = *Schema::Get().For(v1::District::descriptor());
  bool changed = false;
  while (true) {
    std::vector<FeedItem> items;
    RETURN_IF_ERROR(
        store_->ReadFeed(kDirectoryBucket, after_, /*limit=*/1000, &items));
    if (items.empty()) break;
    for (const FeedItem& item : items) {
      after_ = item.seq;
      const v1::Change& change = item.change;
      if (change.record_type() != type.full_name || !change.has_field_write()) {
        continue;
      }
      const FieldInfo* field =
          type.FieldByNumber(change.field_write().field_number());
      if (field == nullptr) continue;
      v1::District& district = districts_[change.record_id()];
      district.set_id(change.record_id());
      // The feed holds the latest write of each field last; a stored value
      // is valid.
      SetFieldValue(type, *field, change.field_write().value(), &district)
          .IgnoreError();
      changed = true;
    }
  }
  if (!changed) return absl::OkStatus();
  std::vector<v1::District> all;
  for (const auto& [id, district] : districts_) all.push_back(district);
  const std::string name = DistrictZoneName(all);
  if (name == zone_name_) return absl::OkStatus();
  zone_name_ = name;
  absl::StatusOr<absl::TimeZone> zone = LoadDistrictZone(name);
  if (zone.ok()) {
    zone_ = *zone;
  } else {
    zone_ = absl::UTCTimeZone();
    std::fprintf(stderr,
                 "plansync-server: the district's time zone %s is not in "
                 "this machine's time zone database (install tzdata); "
                 "counting days in UTC\n",
                 name.c_str());
  }
  return absl::OkStatus();
}

}  // namespace plansync::server
