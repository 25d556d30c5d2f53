#include "core/change_check.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/errors.h"
#include "core/status_macros.h"
#include "core/uuid.h"
#include "core/validate.h"
#include "core/value.h"

namespace plansync {
namespace {

absl::Status Malformed(absl::string_view message) {
  return ReasonError(v1::MALFORMED_CHANGE, message);
}

const std::string& IdOf(const google::protobuf::Message& record) {
  const auto* id = record.GetDescriptor()->FindFieldByNumber(1);
  return record.GetReflection()->GetStringReference(record, id, nullptr);
}

}  // namespace

absl::string_view StudentOfBucket(absl::string_view bucket) {
  constexpr absl::string_view kPrefix = "student/";
  if (!absl::StartsWith(bucket, kPrefix)) return {};
  absl::string_view student = bucket.substr(kPrefix.size());
  return IsUuid(student) ? student : absl::string_view();
}

absl::StatusOr<CheckedChange> CheckChange(const v1::Change& change) {
  CheckedChange checked;
  checked.type = Schema::Get().Find(change.record_type());
  if (checked.type == nullptr) {
    return ReasonError(v1::UNKNOWN_RECORD_TYPE,
                       absl::StrCat("\"", change.record_type(),
                                    "\" is not a plansync record type"));
  }
  const RecordType& type = *checked.type;
  if (!IsUuid(change.record_id())) {
    return ReasonError(v1::MALFORMED_ID,
                       "the change's record id is not a UUID");
  }
  if (change.replica_id().empty() || change.replica_seq() == 0) {
    return Malformed("the change has no change id (replica, seq)");
  }
  checked.student_id = std::string(StudentOfBucket(change.bucket()));
  if (type.bucket_key == nullptr ? change.bucket() != kDirectoryBucket
                                 : checked.student_id.empty()) {
    return Malformed(absl::StrCat("the bucket \"", change.bucket(),
                                  "\" is not a bucket of ", type.short_name));
  }
  if (type.bucket_key != nullptr && type.bucket_key->is_id &&
      change.record_id() != checked.student_id) {
    return Malformed(
        absl::StrCat("a ", type.short_name, " lives in its own bucket"));
  }
  checked.record = NewRecordMessage(type);
  switch (change.body_case()) {
    case v1::Change::kFieldWrite: {
      if (type.is_log()) {
        return ReasonError(
            v1::LOG_ENTRY_IMMUTABLE,
            absl::StrCat(type.short_name,
                         " is a log entry; its fields cannot be written"));
      }
      const v1::FieldWrite& write = change.field_write();
      checked.field =
          type.FieldByNumber(static_cast<int>(write.field_number()));
      if (checked.field == nullptr || checked.field->is_id) {
        return ReasonError(
            v1::UNKNOWN_FIELD,
            absl::StrCat(type.short_name, " has no writable field ",
                         write.field_number()));
      }
      RETURN_IF_ERROR(SetFieldValue(type, *checked.field, write.value(),
                                    checked.record.get()));
      RETURN_IF_ERROR(ValidateField(type, *checked.field, *checked.record));
      if (checked.field->is_bucket_key &&
          write.value().string_value() != checked.student_id) {
        return Malformed(absl::StrCat(type.short_name, ".", checked.field->name,
                                      " does not match the bucket"));
      }
      return checked;
    }
    case v1::Change::kLogEntry: {
      if (!type.is_log()) {
        return Malformed(absl::StrCat(type.short_name,
                                      " is a mutable record, not a log entry"));
      }
      const std::string& bytes = change.log_entry();
      if (!checked.record->ParseFromArray(bytes.data(),
                                          static_cast<int>(bytes.size()))) {
        return Malformed(
            absl::StrCat("the ", type.short_name, " entry cannot be parsed"));
      }
      if (IdOf(*checked.record) != change.record_id() ||
          BucketOf(type, *checked.record) != change.bucket()) {
        return Malformed(
            absl::StrCat("the ", type.short_name,
                         " entry's id or student does not match its change"));
      }
      RETURN_IF_ERROR(ValidateNewRecord(type, *checked.record));
      return checked;
    }
    default:
      return Malformed(
          "the change carries neither a field write nor a log entry");
  }
}

}  // namespace plansync
