#include "core/change_check.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/errors.h"
#include "core/status_macros.h"
#include "core/utf8.h"
#include "core/uuid.h"
#include "core/validate.h"
#include "core/value.h"
#include "google/protobuf/unknown_field_set.h"

namespace plansync {
namespace {

absl::Status Malformed(absl::string_view message) {
  return ReasonError(v1::MALFORMED_CHANGE, message);
}

const std::string& IdOf(const google::protobuf::Message& record) {
  const auto* id = record.GetDescriptor()->FindFieldByNumber(1);
  return record.GetReflection()->GetStringReference(record, id, nullptr);
}

bool HasUnknownFields(const google::protobuf::Message& message) {
  return !message.GetReflection()->GetUnknownFields(message).empty();
}

}  // namespace

absl::Status CheckChangeText(const v1::Change& change) {
  const std::pair<absl::string_view, const std::string*> texts[] = {
      {"replica_id", &change.replica_id()},
      {"record_type", &change.record_type()},
      {"record_id", &change.record_id()},
      {"bucket", &change.bucket()},
      {"author_id", &change.author_id()}};
  for (const auto& [name, text] : texts) {
    if (!IsValidUtf8(*text)) {
      return ReasonError(
          v1::INVALID_UTF8,
          absl::StrCat("the change's ", name, " is not valid UTF-8 text"));
    }
    if (text->find('\0') != std::string::npos) {
      return ReasonError(
          v1::MALFORMED_CHANGE,
          absl::StrCat("the change's ", name, " holds a NUL character"));
    }
  }
  return absl::OkStatus();
}

namespace {

// CheckChangeText, then UNKNOWN_FIELD for a field the change, its field
// write or its value does not define.
absl::Status CheckTextAndUnknownFields(const v1::Change& change) {
  RETURN_IF_ERROR(CheckChangeText(change));
  if (HasUnknownFields(change) ||
      (change.has_field_write() &&
       (HasUnknownFields(change.field_write()) ||
        HasUnknownFields(change.field_write().value())))) {
    return ReasonError(v1::UNKNOWN_FIELD,
                       "the change carries a field that plansync.v1.Change "
                       "does not define (a sender on a newer protocol, or a "
                       "forged change)");
  }
  return absl::OkStatus();
}

// Says why `bytes` do not parse as a `type` entry: a text field that is not
// UTF-8 (the parser refuses those), or a malformed message.
absl::Status Unparsable(const RecordType& type, const std::string& bytes) {
  google::protobuf::UnknownFieldSet fields;
  if (fields.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    for (int i = 0; i < fields.field_count(); ++i) {
      const google::protobuf::UnknownField& field = fields.field(i);
      const FieldInfo* info = type.FieldByNumber(field.number());
      if (info != nullptr &&
          field.type() ==
              google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED &&
          info->column_type == ColumnType::kText &&
          !IsValidUtf8(field.length_delimited())) {
        return ReasonError(v1::INVALID_UTF8,
                           absl::StrCat(type.short_name, ".", info->name,
                                        " is not valid UTF-8 text"));
      }
    }
  }
  return Malformed(absl::StrCat("the ", type.short_name,
                                " entry is not a valid protobuf message"));
}

// STORE_ASSIGNED_MISMATCH unless the entry's recorded_hlc is the change's
// stamp; AUTHOR_MISMATCH unless its author_id is the change's author. These
// are what the writing store set; receivers check them, never rewrite them.
absl::Status CheckStoreAssigned(const RecordType& type,
                                const google::protobuf::Message& entry,
                                const v1::Change& change) {
  const auto* reflection = entry.GetReflection();
  for (const FieldInfo& field : type.fields) {
    if (!field.store_assigned) continue;
    bool matches = true;
    if (field.name == "recorded_hlc") {
      matches = static_cast<uint64_t>(reflection->GetInt64(
                    entry, field.descriptor)) == change.hlc();
    } else if (field.name == "author_id") {
      matches = reflection->GetStringReference(entry, field.descriptor,
                                               nullptr) == change.author_id();
    }
    if (!matches && field.name == "author_id") {
      return ReasonError(v1::AUTHOR_MISMATCH,
                         absl::StrCat(type.short_name,
                                      ".author_id differs from the change's "
                                      "author; an entry is filed by its "
                                      "writer"));
    }
    if (!matches) {
      return ReasonError(
          v1::STORE_ASSIGNED_MISMATCH,
          absl::StrCat(type.short_name, ".", field.name,
                       " is set by the writing store and must equal the "
                       "change's ",
                       field.name == "recorded_hlc" ? "hlc" : "author_id"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::string_view StudentOfBucket(absl::string_view bucket) {
  constexpr absl::string_view kPrefix = "student/";
  if (!absl::StartsWith(bucket, kPrefix)) return {};
  absl::string_view student = bucket.substr(kPrefix.size());
  return IsUuid(student) ? student : absl::string_view();
}

absl::StatusOr<CheckedChange> CheckChange(const v1::Change& change) {
  RETURN_IF_ERROR(CheckTextAndUnknownFields(change));
  CheckedChange checked;
  checked.type = Schema::Get().FindCanonical(change.record_type());
  if (checked.type == nullptr) {
    const RecordType* by_short_name = Schema::Get().Find(change.record_type());
    return ReasonError(
        v1::UNKNOWN_RECORD_TYPE,
        absl::StrCat(
            "\"", absl::CHexEscape(change.record_type()),
            "\" is not a plansync record type",
            by_short_name != nullptr
                ? absl::StrCat("; a change names its type by its full name, \"",
                               by_short_name->full_name, "\"")
                : std::string()));
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
        return Unparsable(type, bytes);
      }
      if (IdOf(*checked.record) != change.record_id() ||
          BucketOf(type, *checked.record) != change.bucket()) {
        return Malformed(
            absl::StrCat("the ", type.short_name,
                         " entry's id or student does not match its change"));
      }
      RETURN_IF_ERROR(ValidateNewRecord(type, *checked.record));
      RETURN_IF_ERROR(CheckStoreAssigned(type, *checked.record, change));
      return checked;
    }
    default:
      return Malformed(
          "the change carries neither a field write nor a log entry");
  }
}

}  // namespace plansync
