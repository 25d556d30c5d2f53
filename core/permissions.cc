#include "core/permissions.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "core/errors.h"

namespace plansync {
namespace {

bool AnyIn(const google::protobuf::RepeatedField<int>& listed, RoleSet roles) {
  for (int role : listed) {
    if ((roles & RoleBit(static_cast<v1::Role>(role))) != 0) return true;
  }
  return false;
}

// The entry's author_id (log entries carry one, set by the device store).
const std::string* EntryAuthor(const CheckedChange& checked) {
  if (checked.field != nullptr || checked.record == nullptr) return nullptr;
  const FieldInfo* author = checked.type->FieldByName("author_id");
  if (author == nullptr) return nullptr;
  return &checked.record->GetReflection()->GetStringReference(
      *checked.record, author->descriptor, nullptr);
}

}  // namespace

Scope ReadScope(const RecordType& type, RoleSet roles) {
  if (AnyIn(type.options.readers(), roles)) return Scope::kAll;
  if (AnyIn(type.options.own_readers(), roles)) return Scope::kOwn;
  return Scope::kNone;
}

Scope WriteScope(const RecordType& type, RoleSet roles) {
  if (type.options.server_written()) return Scope::kNone;
  if (AnyIn(type.options.writers(), roles)) return Scope::kAll;
  if (AnyIn(type.options.own_writers(), roles)) return Scope::kOwn;
  return Scope::kNone;
}

absl::Status AuthorizeChange(const CheckedChange& checked,
                             const v1::Change& change, absl::string_view caller,
                             RoleSet roles) {
  const RecordType& type = *checked.type;
  if (change.author_id() != caller) {
    return ReasonError(v1::AUTHOR_MISMATCH,
                       "the change's author is not the caller");
  }
  const std::string* entry_author = EntryAuthor(checked);
  if (entry_author != nullptr && *entry_author != caller) {
    return ReasonError(
        v1::AUTHOR_MISMATCH,
        absl::StrCat("the ", type.short_name,
                     " names another author; entries are filed only under "
                     "their author's own name"));
  }
  return AuthorizeWrite(type, roles);
}

absl::Status AuthorizeWrite(const RecordType& type, RoleSet roles) {
  if (type.options.server_written()) {
    return ReasonError(v1::ROLE_NOT_PERMITTED,
                       absl::StrCat(type.short_name,
                                    " records are written only by the server"));
  }
  if (roles == 0) {
    return ReasonError(
        v1::NOT_ASSIGNED,
        type.bucket_key == nullptr
            ? std::string("the caller holds no role in this district")
            : std::string("the caller is not assigned to this student (or "
                          "the assignment has ended)"));
  }
  // Log entries are always their author's own (checked above); a mutable
  // record with only own-writers is not in the schema (schema_test).
  if (WriteScope(type, roles) == Scope::kNone) {
    return ReasonError(
        v1::ROLE_NOT_PERMITTED,
        absl::StrCat(
            absl::StrContains("aeiou", RoleSetName(roles)[0]) ? "an " : "a ",
            RoleSetName(roles), " may not ", type.is_log() ? "add " : "change ",
            type.short_name, " records"));
  }
  return absl::OkStatus();
}

bool AssignmentInForce(v1::Role role, absl::string_view start,
                       absl::string_view end, bool deleted,
                       absl::string_view day) {
  if (deleted || role == v1::ROLE_UNSPECIFIED || role == v1::ADMIN) {
    return false;
  }
  // ISO 8601 days compare as strings.
  return (start.empty() || start <= day) && (end.empty() || end >= day);
}

RoleSet RolesOnDay(const v1::User& user,
                   const std::vector<v1::Assignment>& assignments,
                   absl::string_view bucket, absl::string_view day) {
  if (user.deleted()) return 0;
  RoleSet roles = user.district_role() == v1::ADMIN ? RoleBit(v1::ADMIN) : 0;
  const bool directory = bucket == kDirectoryBucket;
  for (const v1::Assignment& a : assignments) {
    if (a.user_id() != user.id() ||
        !AssignmentInForce(a.role(), a.start_date(), a.end_date(), a.deleted(),
                           day) ||
        (!directory && StudentBucket(a.student_id()) != bucket)) {
      continue;
    }
    roles |= RoleBit(a.role());
  }
  return roles;
}

std::string RoleName(v1::Role role) {
  return absl::StrReplaceAll(absl::AsciiStrToLower(v1::Role_Name(role)),
                             {{"_", " "}});
}

std::string RoleSetName(RoleSet roles) {
  std::vector<std::string> names;
  for (int role = v1::Role_MIN; role <= v1::Role_MAX; ++role) {
    if (role != v1::ROLE_UNSPECIFIED &&
        (roles & RoleBit(static_cast<v1::Role>(role))) != 0) {
      names.push_back(RoleName(static_cast<v1::Role>(role)));
    }
  }
  if (names.empty()) return "principal without a role";
  if (names.size() == 1) return names.front();
  const std::string last = names.back();
  names.pop_back();
  return absl::StrCat(absl::StrJoin(names, ", "), " and ", last);
}

}  // namespace plansync
