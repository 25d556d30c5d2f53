// District administration against a server store: users, students,
// assignments (the source of every role) and device tokens. Used by
// `plansync-server admin`, which works on the store file directly, whether or
// not a server is running on it. Records are written as changes through the
// Merger, so they reach devices like any other change; the author is the
// server itself.
#ifndef PLANSYNC_SERVER_ADMIN_H_
#define PLANSYNC_SERVER_ADMIN_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/clock.h"
#include "core/hlc.h"
#include "core/uuid.h"
#include "plansync/v1/records.pb.h"
#include "server/district_clock.h"
#include "server/merger.h"
#include "server/server_store.h"
#include "server/token_auth.h"

namespace plansync::server {

// Not thread-safe.
class Admin {
 public:
  // Neither owned; both must outlive the admin.
  Admin(ServerStore* store, ClockSource* clock, uint64_t seed);

  // Adds a user to the directory; returns the id. `district_role` is ADMIN
  // for district administrators, ROLE_UNSPECIFIED otherwise.
  absl::StatusOr<std::string> AddUser(absl::string_view display_name,
                                      v1::Role district_role);
  // Archives a user: every role ends, and every live token of theirs is
  // revoked, so that their calls fail with UNAUTHENTICATED and a running
  // server's WatchSupervisor closes their open Watch streams. The tokens are
  // revoked first: if archiving then fails, the user can no longer sync and
  // running it again finishes the job. Returns how many tokens were revoked.
  // NOT_FOUND for an unknown user.
  absl::StatusOr<int> ArchiveUser(absl::string_view user_id);
  // Adds a student (so that a case manager can be assigned); returns the id.
  absl::StatusOr<std::string> AddStudent(v1::Student student);
  // Closes `holiday.school()` (every school if empty) on `holiday.day()`;
  // returns the id. INVALID_ARGUMENT (MALFORMED_DATE) for a bad day.
  absl::StatusOr<std::string> AddHoliday(v1::SchoolHoliday holiday);
  // What set-district changes; a field left unset keeps its value.
  struct DistrictSettings {
    // An IANA name this machine knows; "" for UTC.
    std::optional<std::string> time_zone = std::nullopt;
    std::optional<std::string> name = std::nullopt;
    // "US" (federal rules) or "US-" and a state's two capital letters
    // ("US-MO"); "" for federal.
    std::optional<std::string> jurisdiction = std::nullopt;
    // Report-card days, "2026-11-06,2027-01-22" (increasing); "" for none.
    std::optional<std::string> report_card_days = std::nullopt;
  };
  // Sets the district's settings on the directory's District record (made
  // if there is none). Returns the record as now stored. INVALID_ARGUMENT
  // for a zone this machine does not know, a malformed jurisdiction or list
  // of days, or no setting at all.
  absl::StatusOr<v1::District> SetDistrict(const DistrictSettings& settings);
  // Today in the district's time zone.
  absl::StatusOr<std::string> Today() { return days_.Today(); }
  // Assigns a user to a student; returns the assignment id. NOT_FOUND for an
  // unknown user or student; INVALID_ARGUMENT for the ADMIN role (district
  // wide, set on the user) or no role.
  // The same user, student, role and class (any case) already assigned and
  // not ended before the new one would start is not assigned twice: its id
  // is returned and `*existing` set (if not null); nothing is written.
  absl::StatusOr<std::string> Assign(v1::Assignment assignment,
                                     bool* existing = nullptr);
  // Ends an assignment on `end_date` (inclusive; ISO 8601 day).
  absl::Status EndAssignment(absl::string_view assignment_id,
                             absl::string_view end_date);
  // Issues a device token for a live user (the token is shown once).
  absl::StatusOr<IssuedToken> IssueToken(absl::string_view user_id,
                                         absl::string_view label);
  // Every User of the directory (archived ones included), by display name.
  absl::StatusOr<std::vector<v1::User>> ListUsers();
  // Every Student (archived ones included), by family then given name.
  absl::StatusOr<std::vector<v1::Student>> ListStudents();
  absl::StatusOr<std::vector<TokenRecord>> ListTokens(
      absl::string_view user_id);
  absl::Status RevokeToken(absl::string_view token_id);

 private:
  // Writes the set fields of `record` (all of them for a new record, else
  // only `fields`) as changes, in one batch; the first refusal is the error.
  absl::Status Write(const google::protobuf::Message& record, bool create,
                     const std::vector<std::string>& fields);
  absl::StatusOr<bool> RecordExists(const RecordType& type,
                                    absl::string_view id);
  // The records of type T in `buckets`, assembled from their stored fields.
  template <typename T>
  absl::StatusOr<std::vector<T>> ReadAll(
      const std::vector<std::string>& buckets);
  // The id of an assignment of the same user, student, role and class (any
  // case), not archived and not ended before `assignment` would start.
  absl::StatusOr<std::optional<std::string>> SameAssignment(
      const v1::Assignment& assignment);

  ServerStore* const store_;
  ClockSource* const clock_;
  DistrictClock days_;
  HybridClock hlc_;
  IdGenerator ids_;
  const std::string replica_id_;
  Merger merger_;
};

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_ADMIN_H_
