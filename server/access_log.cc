#include "server/access_log.h"

#include <algorithm>
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

int64_t AccessLog::PullsOf(const std::vector<Write>& writes) {
  int64_t pulls = 0;
  for (const Write& write : writes) pulls += write.pulls;
  return pulls;
}

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

absl::StatusOr<BucketHeads> AccessLog::Record(const Access& access,
                                              const PullTally& tally) {
  const int64_t now_ms = days_->clock()->NowMillis();
  ASSIGN_OR_RETURN(const std::string day, days_->DayAt(now_ms));
  std::vector<Write> writes;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [bucket, types] : tally) {
      const RoleSet roles = access.RolesOn(bucket);
      if (StudentOfBucket(bucket).empty() || !IsLoggedAccess(roles)) continue;
      std::set<std::string> read;
      for (const std::string& name : types) {
        if (name != kEntryTypeName) read.insert(name);
      }
      if (read.empty()) continue;
      Known& known = known_[Key{access.principal_id(), bucket, day}];
      const v1::Role role = LoggedRole(roles);
      known.pending += 1;
      known.last_pull_ms = now_ms;
      const bool new_types = !std::includes(
          known.types.begin(), known.types.end(), read.begin(), read.end());
      if (known.written_ms == 0 || new_types || role != known.role ||
          absl::Milliseconds(now_ms - known.written_ms) >= refresh_) {
        read.insert(known.types.begin(), known.types.end());
        writes.push_back(Write{Key{access.principal_id(), bucket, day}, role,
                               std::move(read), known.pending, now_ms});
        known.pending = 0;
      }
    }
  }
  BucketHeads written;
  RETURN_IF_ERROR(WriteAll(std::move(writes), &written));
  return written;
}

absl::StatusOr<BucketHeads> AccessLog::FlushDue(int64_t* pulls) {
  const int64_t now_ms = days_->clock()->NowMillis();
  ASSIGN_OR_RETURN(const std::string today, days_->DayAt(now_ms));
  std::vector<Write> writes;
  {
    absl::MutexLock lock(&mu_);
    writes = TakeHeld([&](const Key& key, const Known& known) {
      return key.day != today ||
             absl::Milliseconds(now_ms - known.written_ms) >= refresh_;
    });
    // What this process knows of past days is needed no more.
    for (auto it = known_.begin(); it != known_.end();) {
      if (it->first.day != today && it->second.pending == 0) {
        it = known_.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (pulls != nullptr) *pulls = PullsOf(writes);
  BucketHeads written;
  RETURN_IF_ERROR(WriteAll(std::move(writes), &written));
  return written;
}

absl::StatusOr<BucketHeads> AccessLog::Flush(int64_t* pulls) {
  std::vector<Write> writes;
  {
    absl::MutexLock lock(&mu_);
    writes = TakeHeld([](const Key&, const Known&) { return true; });
  }
  if (pulls != nullptr) *pulls = PullsOf(writes);
  BucketHeads written;
  RETURN_IF_ERROR(WriteAll(std::move(writes), &written));
  return written;
}

std::vector<AccessLog::Write> AccessLog::TakeHeld(
    absl::FunctionRef<bool(const Key&, const Known&)> due) {
  std::vector<Write> writes;
  for (auto& [key, known] : known_) {
    if (known.pending == 0 || !due(key, known)) continue;
    writes.push_back(
        Write{key, known.role, known.types, known.pending, known.last_pull_ms});
    known.pending = 0;
  }
  return writes;
}

absl::Status AccessLog::WriteAll(std::vector<Write> writes,
                                 BucketHeads* written) {
  if (writes.empty()) return absl::OkStatus();
  // Buckets are locked in order, so concurrent writers cannot deadlock.
  std::sort(writes.begin(), writes.end(),
            [](const Write& a, const Write& b) { return a.key < b.key; });
  const absl::Status status =
      RetryAborted([&] { return WriteOnce(writes, written); });
  const int64_t now_ms = days_->clock()->NowMillis();
  absl::MutexLock lock(&mu_);
  for (Write& write : writes) {
    Known& known = known_[write.key];
    if (!status.ok()) {
      // Counted again, and written with a later pull or flush.
      known.pending += write.pulls;
      known.last_pull_ms = std::max(known.last_pull_ms, write.last_pull_ms);
      continue;
    }
    known.types.merge(write.types);
    known.role = write.role;
    known.written_ms = now_ms;
  }
  return status;
}

absl::Status AccessLog::WriteOnce(const std::vector<Write>& writes,
                                  BucketHeads* written) {
  written->clear();
  const RecordType& type = EntryType();
  const FieldInfo& count_field = *type.FieldByName("pull_count");
  const FieldInfo& types_field = *type.FieldByName("record_types");
  const FieldInfo& role_field = *type.FieldByName("accessor_role");
  const FieldInfo& last_field = *type.FieldByName("last_pull_at");
  ASSIGN_OR_RETURN(std::unique_ptr<ServerTransaction> txn, store_->Begin());
  std::vector<std::string> buckets;
  for (const Write& write : writes) {
    if (buckets.empty() || buckets.back() != write.key.bucket) {
      buckets.push_back(write.key.bucket);
    }
  }
  // Locked before the counts are read.
  RETURN_IF_ERROR(txn->LockBuckets(buckets));
  for (const Write& write : writes) {
    const absl::string_view student = StudentOfBucket(write.key.bucket);
    const std::string id =
        AccessEntryId(write.key.principal, student, write.key.day);
    auto stored_value = [&](const FieldInfo& field)
        -> absl::StatusOr<std::optional<v1::Value>> {
      ASSIGN_OR_RETURN(std::optional<StoredItem> item,
                       txn->GetItem(type.full_name, id, field.number));
      if (!item.has_value()) return std::nullopt;
      return item->change.field_write().value();
    };
    ASSIGN_OR_RETURN(std::optional<v1::Value> count, stored_value(count_field));
    std::vector<std::pair<const FieldInfo*, v1::Value>> fields;
    std::set<std::string> types = write.types;
    std::string last_pull_at = absl::FormatTime(
        "%Y-%m-%dT%H:%M:%SZ", absl::FromUnixMillis(write.last_pull_ms),
        absl::UTCTimeZone());
    if (count.has_value()) {
      ASSIGN_OR_RETURN(std::optional<v1::Value> stored_types,
                       stored_value(types_field));
      std::set<std::string> before;
      if (stored_types.has_value()) {
        for (absl::string_view name : absl::StrSplit(
                 stored_types->string_value(), ',', absl::SkipEmpty())) {
          before.emplace(name);
        }
      }
      types.insert(before.begin(), before.end());
      ASSIGN_OR_RETURN(std::optional<v1::Value> stored_role,
                       stored_value(role_field));
      ASSIGN_OR_RETURN(std::optional<v1::Value> stored_last,
                       stored_value(last_field));
      // Another process may have written a later pull.
      if (stored_last.has_value()) {
        last_pull_at = std::max(last_pull_at, stored_last->string_value());
      }
      fields.emplace_back(&count_field,
                          IntValue(count->int_value() + write.pulls));
      if (!stored_role.has_value() || stored_role->int_value() != write.role) {
        fields.emplace_back(&role_field, IntValue(write.role));
      }
      if (types != before) {
        fields.emplace_back(&types_field,
                            StringValue(absl::StrJoin(types, ",")));
      }
    } else {
      fields.emplace_back(type.FieldByName("student_id"), StringValue(student));
      fields.emplace_back(type.FieldByName("accessor_user_id"),
                          StringValue(write.key.principal));
      fields.emplace_back(type.FieldByName("day"), StringValue(write.key.day));
      fields.emplace_back(&count_field, IntValue(write.pulls));
      fields.emplace_back(&role_field, IntValue(write.role));
      fields.emplace_back(&types_field, StringValue(absl::StrJoin(types, ",")));
    }
    fields.emplace_back(&last_field, StringValue(last_pull_at));
    for (const auto& [field, value] : fields) {
      const Hlc hlc = hlc_->Now();
      v1::Change change;
      change.set_replica_id(replica_id_);
      change.set_replica_seq(hlc);  // unique and increasing for the server
      change.set_record_type(type.full_name);
      change.set_record_id(id);
      change.set_bucket(write.key.bucket);
      change.set_author_id(std::string(kServerPrincipal));
      change.set_hlc(hlc);
      v1::FieldWrite* field_write = change.mutable_field_write();
      field_write->set_field_number(static_cast<uint32_t>(field->number));
      *field_write->mutable_value() = value;
      ASSIGN_OR_RETURN(int64_t seq, txn->PutItem(change, field->number,
                                                 change.SerializeAsString()));
      (*written)[write.key.bucket] = seq;
    }
  }
  return txn->Commit();
}

}  // namespace plansync::server
