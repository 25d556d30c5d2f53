// Who may do what, per principal: the roles a principal holds on each bucket
// today, computed from the grant rows the merger keeps (server_store.h), and
// a cache of them that notices grant changes made by any process writing the
// store. The matrix itself lives in records.proto (core/permissions.h).
#ifndef PLANSYNC_SERVER_ACCESS_H_
#define PLANSYNC_SERVER_ACCESS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "core/clock.h"
#include "core/permissions.h"
#include "core/schema.h"
#include "plansync/v1/change.pb.h"
#include "server/auth.h"
#include "server/district_clock.h"
#include "server/server_store.h"

namespace plansync::server {

// The rights of one principal on one day. Immutable; thread-safe.
class Access {
 public:
  // Every role on every bucket (tests and the server's own tools).
  static Access Unrestricted(std::string principal_id);
  // From `grants`, the principal's grant rows, on `today` (ISO 8601 day): an
  // Assignment confers its role from its start date to its end date
  // inclusive unless archived; the User row confers ADMIN when that is the
  // district role. A principal without a live User row holds nothing.
  static Access FromGrants(std::string principal_id,
                           const std::vector<Grant>& grants,
                           absl::string_view today);

  const std::string& principal_id() const { return principal_id_; }
  bool unrestricted() const { return unrestricted_; }
  // The user exists and is not archived.
  bool active() const { return active_; }
  bool admin() const { return admin_; }

  // The roles held on `bucket`. The directory: ADMIN for administrators and
  // every role held on any student, so that everyone with a role reads the
  // directory and only administrators write it.
  RoleSet RolesOn(absl::string_view bucket) const;
  // True if Assignment `id` assigns this principal (own_readers).
  bool OwnsAssignment(absl::string_view id) const;
  // The student buckets where the principal holds a role, sorted.
  std::vector<std::string> StudentBuckets() const;

 private:
  std::string principal_id_;
  bool unrestricted_ = false;
  bool active_ = false;
  bool admin_ = false;
  RoleSet any_role_ = 0;
  absl::flat_hash_map<std::string, RoleSet> roles_by_bucket_;
  absl::flat_hash_set<std::string> own_assignments_;
};

// Resolves and caches Access per principal. The cache is dropped when the
// store's grants version or the district's day changes. Thread-safe.
class AccessResolver {
 public:
  // Neither owned; both must outlive the resolver.
  AccessResolver(ServerStore* store, DistrictClock* days)
      : store_(store), days_(days) {}

  // PERMISSION_DENIED if the principal's user is archived or unknown.
  absl::StatusOr<std::shared_ptr<const Access>> Resolve(
      const AuthContext& auth);

 private:
  ServerStore* const store_;
  DistrictClock* const days_;
  absl::Mutex mu_;
  int64_t version_ ABSL_GUARDED_BY(mu_) = -1;
  std::string day_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::shared_ptr<const Access>> cache_
      ABSL_GUARDED_BY(mu_);
};

// True if writes to `type` change grant rows (Assignment and User).
bool ConfersRights(const RecordType& type);

// Brings `grant` (the row of the record being written, of a type for which
// ConfersRights holds) in step with the winning write `value` of `field`.
void ApplyToGrant(const RecordType& type, const FieldInfo& field,
                  const v1::Value& value, Grant* grant);

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_ACCESS_H_
