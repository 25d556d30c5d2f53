// The permission matrix, read from the record options
// of records.proto (readers, own_readers, writers, own_writers,
// server_written). Pure functions: the caller supplies the roles a principal
// holds on a bucket; the server derives those from Assignment and User
// records (server/access.h).
#ifndef PLANSYNC_CORE_PERMISSIONS_H_
#define PLANSYNC_CORE_PERMISSIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/change_check.h"
#include "core/schema.h"
#include "plansync/v1/change.pb.h"
#include "plansync/v1/options.pb.h"
#include "plansync/v1/records.pb.h"

namespace plansync {

// A set of roles, one bit per v1::Role value.
using RoleSet = uint32_t;

constexpr RoleSet RoleBit(v1::Role role) { return RoleSet{1} << role; }
// Every role: what an unrestricted caller holds.
constexpr RoleSet kAllRoles = RoleBit(v1::GUARDIAN) | RoleBit(v1::TEACHER) |
                              RoleBit(v1::PROVIDER) |
                              RoleBit(v1::CASE_MANAGER) | RoleBit(v1::ADMIN);

// How much of a record type a role set may read or write in a bucket.
enum class Scope {
  kNone,
  // Reading: only records that concern the caller (an Assignment whose
  // user_id is the caller). Writing: only records the caller authors.
  kOwn,
  kAll,
};

// The widest read scope any of `roles` has on `type`.
Scope ReadScope(const RecordType& type, RoleSet roles);

// The widest write scope any of `roles` has on `type`. kNone for
// server-written types.
Scope WriteScope(const RecordType& type, RoleSet roles);

// Decides whether `caller`, holding `roles` on the change's bucket, may push
// `change` (already through CheckChange as `checked`). Errors, with reasons:
// AUTHOR_MISMATCH if the change or a log entry names another author;
// ROLE_NOT_PERMITTED for a server-written type or a role set without write
// access to the type; NOT_ASSIGNED when `roles` is empty. References and
// the immutability of log entries need stored state and are checked by the
// merger.
absl::Status AuthorizeChange(const CheckedChange& checked,
                             const v1::Change& change, absl::string_view caller,
                             RoleSet roles);

// The role part of AuthorizeChange, for a write by its own author (a
// device's own writes): ROLE_NOT_PERMITTED for a server-written type or a
// role set without write access to `type`; NOT_ASSIGNED when `roles` is
// empty. The same reasons and messages as the server's.
absl::Status AuthorizeWrite(const RecordType& type, RoleSet roles);

// Whether an assignment of `role` from `start` to `end` (ISO 8601 days, both
// included; empty: open) confers its role on `day`: not archived, a role of
// a student (not ADMIN, not unset), started and not ended.
bool AssignmentInForce(v1::Role role, absl::string_view start,
                       absl::string_view end, bool deleted,
                       absl::string_view day);

// The roles the user of `user` holds on `bucket` on `day`, from `user`
// (archived: none; district role ADMIN: admin on every bucket) and the
// user's `assignments` (anyone else's are ignored), by the rule the server
// applies to its grants (server/access.h). On the directory bucket: every
// role the user holds on any student, and admin.
RoleSet RolesOnDay(const v1::User& user,
                   const std::vector<v1::Assignment>& assignments,
                   absl::string_view bucket, absl::string_view day);

// "guardian", "case manager", ...: a role as a person names it.
std::string RoleName(v1::Role role);

// The roles of `roles`, as a person reads them: "teacher and provider".
std::string RoleSetName(RoleSet roles);

}  // namespace plansync

#endif  // PLANSYNC_CORE_PERMISSIONS_H_
