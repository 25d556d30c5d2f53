#include "server/access_log.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "core/change_check.h"
#include "core/sha256.h"
#include "core/status_macros.h"
#include "plansync/v1/records.pb.h"
#include "server/merger.h"

namespace plansync::server {
namespace {

const RecordType& EntryType() {
  static const RecordType* const type =
      Schema::Get().For(v1::AccessLogEntry::descriptor());
  return *type;
}

constexpr absl::string_view kEntryTypeName = "AccessLogEntry";

// The role an access is logged under: the widest the accessor holds.
v1::Role LoggedRole(RoleSet roles) {
  for (v1::Role role :
       {v1::CASE_MANAGER, v1::PROVIDER, v1::TEACHER, v1::ADMIN}) {
    if ((roles & RoleBit(role)) != 0) return role;
  }
  return v1::ROLE_UNSPECIFIED;
}

v1::Value StringValue(absl::string_view text) {
  v1::Value value;
  value.set_string_value(std::string(text));
  return value;
}

v1::Value IntValue(int64_t number) {
  v1::Value value;
  value.set_int_value(number);
  return value;
}

}  // namespace

bool IsLoggedAccess(RoleSet roles) {
  return (roles & RoleBit(v1::GUARDIAN)) == 0;
}

std::string AccessEntryId(absl::string_view accessor,
                          absl::string_view student_id, absl::string_view day) {
  std::string hex = Sha256Hex(absl::StrCat("plansync access log\n", accessor,
                                           "\n", student_id, "\n", day));
  hex[12] = '8';  // version 8: a custom UUID
  // RFC 9562 variant: the top two bits of the 17th digit are 10, keeping
  // the digest's low two bits.
  const int digit =
      absl::ascii_isdigit(hex[16]) ? hex[16] - '0' : hex[16] - 'a' + 10;
  hex[16] = "89ab"[digit & 3];
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-",
                      hex.substr(12, 4), "-", hex.substr(16, 4), "-",
                      hex.substr(20, 12));
}

absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> AccessLog::Record(
    const Access& access, const PullTally& tally) {
  return RetryAborted([&] { return RecordOnce(access, tally); });
}

absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> AccessLog::RecordOnce(
    const Access& access, const PullTally& tally) {
  absl::flat_hash_map<std::string, int64_t> written;
  const int64_t now_ms = days_->clock()->NowMillis();
  ASSIGN_OR_RETURN(const std::string day, days_->DayAt(now_ms));
  const std::string now_text = absl::FormatTime(
      "%Y-%m-%dT%H:%M:%SZ", absl::FromUnixMillis(now_ms), absl::UTCTimeZone());
  const RecordType& type = EntryType();
  std::unique_ptr<ServerTransaction> txn;
  for (const auto& [bucket, types] : tally) {
    const RoleSet roles = access.RolesOn(bucket);
    const absl::string_view student = StudentOfBucket(bucket);
    if (student.empty() || !IsLoggedAccess(roles)) continue;
    if (types.empty() ||
        (types.size() == 1 && *types.begin() == kEntryTypeName))
      continue;
    if (txn == nullptr) {
      ASSIGN_OR_RETURN(txn, store_->Begin());
    }
    // Locked before the count is read (the tally is in bucket order, so
    // concurrent loggers lock in one order).
    RETURN_IF_ERROR(txn->LockBuckets({bucket}));
    const std::string id = AccessEntryId(access.principal_id(), student, day);
    const FieldInfo& count_field = *type.FieldByName("pull_count");
    const FieldInfo& types_field = *type.FieldByName("record_types");
    ASSIGN_OR_RETURN(std::optional<StoredItem> count,
                     txn->GetItem(type.full_name, id, count_field.number));
    std::set<std::string> all_types;
    for (const std::string& name : types) {
      if (name != kEntryTypeName) all_types.insert(name);
    }
    std::vector<std::pair<const FieldInfo*, v1::Value>> writes;
    if (count.has_value()) {
      ASSIGN_OR_RETURN(std::optional<StoredItem> stored_types,
                       txn->GetItem(type.full_name, id, types_field.number));
      if (stored_types.has_value()) {
        for (absl::string_view name : absl::StrSplit(
                 stored_types->change.field_write().value().string_value(), ',',
                 absl::SkipEmpty())) {
          all_types.emplace(name);
        }
      }
      writes.emplace_back(
          &count_field,
          IntValue(count->change.field_write().value().int_value() + 1));
    } else {
      writes.emplace_back(type.FieldByName("student_id"), StringValue(student));
      writes.emplace_back(type.FieldByName("accessor_user_id"),
                          StringValue(access.principal_id()));
      writes.emplace_back(type.FieldByName("day"), StringValue(day));
      writes.emplace_back(&count_field, IntValue(1));
    }
    writes.emplace_back(type.FieldByName("accessor_role"),
                        IntValue(LoggedRole(roles)));
    writes.emplace_back(&types_field,
                        StringValue(absl::StrJoin(all_types, ",")));
    writes.emplace_back(type.FieldByName("last_pull_at"),
                        StringValue(now_text));
    for (const auto& [field, value] : writes) {
      const Hlc hlc = hlc_->Now();
      v1::Change change;
      change.set_replica_id(replica_id_);
      change.set_replica_seq(hlc);  // unique and increasing for the server
      change.set_record_type(type.full_name);
      change.set_record_id(id);
      change.set_bucket(bucket);
      change.set_author_id(std::string(kServerPrincipal));
      change.set_hlc(hlc);
      v1::FieldWrite* write = change.mutable_field_write();
      write->set_field_number(static_cast<uint32_t>(field->number));
      *write->mutable_value() = value;
      ASSIGN_OR_RETURN(int64_t seq, txn->PutItem(change, field->number,
                                                 change.SerializeAsString()));
      written[bucket] = seq;
    }
  }
  if (txn != nullptr) RETURN_IF_ERROR(txn->Commit());
  return written;
}

}  // namespace plansync::server
