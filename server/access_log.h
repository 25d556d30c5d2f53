// The access log: each pull of a student's records by
// someone other than the student's guardians is recorded in that student's
// bucket as an AccessLogEntry, one record per accessor, student and day
// (the district's day, DistrictClock),
// whose pull count and record types grow with each pull. The entries are
// ordinary feed items written by the server, so guardians, case managers and
// administrators receive them by pulling.
#ifndef PLANSYNC_SERVER_ACCESS_LOG_H_
#define PLANSYNC_SERVER_ACCESS_LOG_H_

#include <map>
#include <set>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/clock.h"
#include "core/hlc.h"
#include "server/access.h"
#include "server/server_store.h"

namespace plansync::server {

// What one pull returned to one principal: per student bucket, the short
// names of the record types sent.
using PullTally = std::map<std::string, std::set<std::string>>;

// True if `roles` on a bucket make a pull of it an access to be logged:
// anyone but the student's guardians.
bool IsLoggedAccess(RoleSet roles);

// The id of the access record of (accessor, student, day): a UUID (version
// 8) derived from the three, so every server writes the same record.
std::string AccessEntryId(absl::string_view accessor,
                          absl::string_view student_id, absl::string_view day);

// Thread-safe (the store serializes transactions).
class AccessLog {
 public:
  // None owned; all must outlive the log. `replica_id` is the server's.
  AccessLog(ServerStore* store, HybridClock* hlc, DistrictClock* days,
            std::string replica_id)
      : store_(store),
        hlc_(hlc),
        days_(days),
        replica_id_(std::move(replica_id)) {}

  // Records the pull `tally` of `access`'s principal, in one transaction.
  // Returns the buckets written, with their new heads (for Watch). Record
  // types named AccessLogEntry alone do not count as an access, so reading
  // the log does not itself write to it.
  absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> Record(
      const Access& access, const PullTally& tally);

 private:
  // One attempt of Record: ABORTED if a concurrent transaction got in the
  // way (nothing stored).
  absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> RecordOnce(
      const Access& access, const PullTally& tally);
  ServerStore* const store_;
  HybridClock* const hlc_;
  DistrictClock* const days_;
  const std::string replica_id_;
};

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_ACCESS_LOG_H_
