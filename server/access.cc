#include "server/access.h"

#include <algorithm>

#include "absl/time/time.h"
#include "core/change_check.h"
#include "core/status_macros.h"

namespace plansync::server {

Access Access::Unrestricted(std::string principal_id) {
  Access access;
  access.principal_id_ = std::move(principal_id);
  access.unrestricted_ = true;
  access.active_ = true;
  access.admin_ = true;
  access.any_role_ = kAllRoles;
  return access;
}

Access Access::FromGrants(std::string principal_id,
                          const std::vector<Grant>& grants,
                          absl::string_view today) {
  Access access;
  access.principal_id_ = std::move(principal_id);
  for (const Grant& grant : grants) {
    if (grant.student_id.empty() && grant.id == access.principal_id_) {
      access.active_ = !grant.deleted;
      access.admin_ = !grant.deleted && grant.role == v1::ADMIN;
    }
  }
  if (!access.active_) return access;
  for (const Grant& grant : grants) {
    if (grant.student_id.empty() || grant.deleted) continue;
    access.own_assignments_.insert(grant.id);
    if (!AssignmentInForce(grant.role, grant.start_date, grant.end_date,
                           grant.deleted, today)) {
      continue;
    }
    access.roles_by_bucket_[StudentBucket(grant.student_id)] |=
        RoleBit(grant.role);
    access.any_role_ |= RoleBit(grant.role);
  }
  if (access.admin_) access.any_role_ |= RoleBit(v1::ADMIN);
  return access;
}

RoleSet Access::RolesOn(absl::string_view bucket) const {
  if (unrestricted_) return kAllRoles;
  if (!active_) return 0;
  if (bucket == kDirectoryBucket) return any_role_;
  const RoleSet admin = admin_ ? RoleBit(v1::ADMIN) : 0;
  auto it = roles_by_bucket_.find(bucket);
  return (it == roles_by_bucket_.end() ? 0 : it->second) | admin;
}

bool Access::OwnsAssignment(absl::string_view id) const {
  return unrestricted_ || own_assignments_.contains(id);
}

std::vector<std::string> Access::StudentBuckets() const {
  std::vector<std::string> buckets;
  buckets.reserve(roles_by_bucket_.size());
  for (const auto& [bucket, roles] : roles_by_bucket_)
    buckets.push_back(bucket);
  std::sort(buckets.begin(), buckets.end());
  return buckets;
}

absl::StatusOr<std::shared_ptr<const Access>> AccessResolver::Resolve(
    const AuthContext& auth) {
  if (auth.unrestricted) {
    return std::make_shared<const Access>(
        Access::Unrestricted(auth.principal_id));
  }
  ASSIGN_OR_RETURN(int64_t version, store_->GrantsVersion());
  ASSIGN_OR_RETURN(const std::string today, days_->Today());
  {
    absl::MutexLock lock(&mu_);
    if (version != version_ || today != day_) {
      cache_.clear();
      version_ = version;
      day_ = today;
    }
    auto it = cache_.find(auth.principal_id);
    if (it != cache_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(std::vector<Grant> grants,
                   store_->GrantsOf(auth.principal_id));
  auto access = std::make_shared<const Access>(
      Access::FromGrants(auth.principal_id, grants, today));
  if (!access->active()) {
    return absl::PermissionDeniedError(
        "this token's user is archived or not in the directory; ask the "
        "district administrator");
  }
  absl::MutexLock lock(&mu_);
  // A concurrent change of version is caught by the next call.
  if (version == version_) cache_[auth.principal_id] = access;
  return access;
}

bool ConfersRights(const RecordType& type) {
  return type.full_name == "plansync.v1.Assignment" ||
         type.full_name == "plansync.v1.User";
}

void ApplyToGrant(const RecordType& type, const FieldInfo& field,
                  const v1::Value& value, Grant* grant) {
  const bool user = type.bucket_key == nullptr;
  if (user) grant->user_id = grant->id;
  if (field.name == "deleted") {
    grant->deleted = value.bool_value();
  } else if (field.name == (user ? "district_role" : "role")) {
    grant->role = static_cast<v1::Role>(value.int_value());
  } else if (!user && field.name == "user_id") {
    grant->user_id = value.string_value();
  } else if (!user && field.name == "start_date") {
    grant->start_date = value.string_value();
  } else if (!user && field.name == "end_date") {
    grant->end_date = value.string_value();
  }
}

}  // namespace plansync::server
