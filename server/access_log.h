// The access log: each pull of a student's records by someone other than the
// student's guardians is recorded in that student's bucket as an
// AccessLogEntry, one record per accessor, student and day (the district's
// day, DistrictClock): which types of records were read, how many pulls, and
// when the last was. The entries are ordinary feed items written by the
// server, so guardians, case managers and administrators receive them by
// pulling.
//
// What is durable at once and what is refreshed later: the first pull of a
// day by an accessor of a student, and any pull that returns a type of
// record not yet in that day's entry, are written before the pull's last
// page. Further pulls of types already logged only count, in memory, and the
// count and last-pull time are written at most once per `refresh` (by
// FlushDue, or with the next pull that must be written). A device pulls each
// time one of its buckets changes, so writing every pull would write the log
// (and poke the bucket's devices again) for every change anyone makes. A
// process that dies without Flush loses at most `refresh` of counts, never
// who read which types on which day.
#ifndef PLANSYNC_SERVER_ACCESS_LOG_H_
#define PLANSYNC_SERVER_ACCESS_LOG_H_

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "core/hlc.h"
#include "plansync/v1/records.pb.h"
#include "server/access.h"
#include "server/server_store.h"

namespace plansync::server {

// What one pull returned to one principal: per student bucket, the short
// names of the record types sent.
using PullTally = std::map<std::string, std::set<std::string>>;

// Buckets written, with their new heads (for Watch).
using BucketHeads = absl::flat_hash_map<std::string, int64_t>;

// True if `roles` on a bucket make a pull of it an access to be logged:
// anyone but the student's guardians.
bool IsLoggedAccess(RoleSet roles);

// The id of the access record of (accessor, student, day): a UUID (version
// 8) derived from the three, so every server writes the same record.
std::string AccessEntryId(absl::string_view accessor,
                          absl::string_view student_id, absl::string_view day);

// Thread-safe. Each server process keeps its own counts; processes sharing a
// store add theirs to the stored entry, so the counts sum.
class AccessLog {
 public:
  // None owned; all must outlive the log. `replica_id` is the server's.
  AccessLog(ServerStore* store, HybridClock* hlc, DistrictClock* days,
            std::string replica_id, absl::Duration refresh)
      : store_(store),
        hlc_(hlc),
        days_(days),
        replica_id_(std::move(replica_id)),
        refresh_(refresh) {}

  // Records the pull `tally` of `access`'s principal: what must be durable
  // now (see above) in one transaction, the rest counted. Returns the
  // buckets written. Record types named AccessLogEntry alone do not count as
  // an access, so reading the log does not itself write to it.
  absl::StatusOr<BucketHeads> Record(const Access& access,
                                     const PullTally& tally);

  // Writes the counts held longer than `refresh`, and those of past days.
  // `pulls`, if given, is set to the number of pulls written.
  absl::StatusOr<BucketHeads> FlushDue(int64_t* pulls = nullptr);
  // Writes every count held (at shutdown).
  absl::StatusOr<BucketHeads> Flush(int64_t* pulls = nullptr);

 private:
  // An entry of the log: (accessor, student bucket, day).
  struct Key {
    std::string principal;
    std::string bucket;
    std::string day;
    friend bool operator<(const Key& a, const Key& b) {
      return std::tie(a.bucket, a.principal, a.day) <
             std::tie(b.bucket, b.principal, b.day);
    }
  };
  // What this process knows of one entry: the types it has logged, and
  // the pulls it counted since it last wrote the entry.
  struct Known {
    std::set<std::string> types;
    v1::Role role = v1::ROLE_UNSPECIFIED;
    int64_t written_ms = 0;  // 0: never written by this process
    int64_t pending = 0;
    int64_t last_pull_ms = 0;
  };
  // Add `pulls` to an entry's count and `types` to its types.
  struct Write {
    Key key;
    v1::Role role;
    std::set<std::string> types;
    int64_t pulls;
    int64_t last_pull_ms;
  };

  static int64_t PullsOf(const std::vector<Write>& writes);
  // Takes out of known_ the counts `due` selects, as writes.
  std::vector<Write> TakeHeld(
      absl::FunctionRef<bool(const Key&, const Known&)> due)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes `writes` in one transaction (retried when ABORTED), setting
  // `written` to the buckets written. Then notes them in known_, or on
  // failure counts their pulls again.
  absl::Status WriteAll(std::vector<Write> writes, BucketHeads* written);
  // One attempt (`writes` sorted by bucket).
  absl::Status WriteOnce(const std::vector<Write>& writes,
                         BucketHeads* written);

  ServerStore* const store_;
  HybridClock* const hlc_;
  DistrictClock* const days_;
  const std::string replica_id_;
  const absl::Duration refresh_;
  mutable absl::Mutex mu_;
  std::map<Key, Known> known_ ABSL_GUARDED_BY(mu_);
};

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_ACCESS_LOG_H_
