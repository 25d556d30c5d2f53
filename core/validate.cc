#include "core/validate.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/corrections.h"
#include "core/district.h"
#include "core/errors.h"
#include "core/status_macros.h"
#include "core/utf8.h"
#include "core/uuid.h"
#include "core/value.h"
#include "google/protobuf/unknown_field_set.h"

namespace plansync {
namespace {

using google::protobuf::FieldDescriptor;

bool Digits(absl::string_view text, size_t pos, size_t count, int* out) {
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (i >= text.size() || !absl::ascii_isdigit(text[i])) return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

std::string FieldLabel(const RecordType& type, const FieldInfo& field) {
  return absl::StrCat(type.short_name, ".", field.name);
}

// A bound as people write it: 480, not 480.000000 or 4.8e+02.
std::string BoundText(double bound) {
  if (bound == static_cast<double>(static_cast<int64_t>(bound)) &&
      std::fabs(bound) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(bound));
  }
  return absl::StrCat(bound);
}

// VALUE_OUT_OF_RANGE unless min <= value <= max (the field's options). The
// value is shown as written (an integer as an integer) only when refused.
template <typename Number>
absl::Status CheckRange(const RecordType& type, const FieldInfo& field,
                        Number value) {
  if (!field.min.has_value() || !field.max.has_value()) return absl::OkStatus();
  const auto compared = static_cast<double>(value);
  if (compared >= *field.min && compared <= *field.max) {
    return absl::OkStatus();
  }
  return ReasonError(
      v1::VALUE_OUT_OF_RANGE,
      absl::StrCat(FieldLabel(type, field), " is ", value, "; it must be from ",
                   BoundText(*field.min), " to ", BoundText(*field.max)));
}

// The record type named by `field` of `record` (a record_type_name field),
// or null.
const RecordType* NamedType(const google::protobuf::Message& record,
                            const FieldInfo& field) {
  return Schema::Get().FindCanonical(record.GetReflection()->GetStringReference(
      record, field.descriptor, nullptr));
}

// Rules about a record as a whole that field options cannot state.
absl::Status CheckRecordRules(const RecordType& type,
                              const google::protobuf::Message& record) {
  if (type.full_name == "plansync.v1.LapseReport") {
    // A lapse is about exactly one accommodation or one service.
    const FieldInfo* accommodation = type.FieldByName("accommodation_id");
    const FieldInfo* service = type.FieldByName("service_id");
    const auto* reflection = record.GetReflection();
    const bool has_accommodation =
        reflection->HasField(record, accommodation->descriptor);
    const bool has_service = reflection->HasField(record, service->descriptor);
    if (has_accommodation == has_service) {
      return ReasonError(v1::MISSING_REQUIRED_FIELD,
                         "LapseReport names exactly one of accommodation_id "
                         "and service_id");
    }
  }
  if (const auto* correction = dynamic_cast<const v1::Correction*>(&record)) {
    return CheckCorrection(*correction);
  }
  return absl::OkStatus();
}

}  // namespace

bool IsIsoDay(absl::string_view text) {
  int year = 0, month = 0, day = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  if (!Digits(text, 0, 4, &year) || !Digits(text, 5, 2, &month) ||
      !Digits(text, 8, 2, &day)) {
    return false;
  }
  if (year < 1900 || year > 2199 || month < 1 || month > 12) return false;
  return day >= 1 && day <= DaysInMonth(year, month);
}

bool IsDayList(absl::string_view text) {
  absl::string_view previous;
  for (absl::string_view day : absl::StrSplit(text, ',')) {
    if (!IsIsoDay(day) || (!previous.empty() && day <= previous)) return false;
    previous = day;
  }
  return true;
}

bool IsUtcInstant(absl::string_view text) {
  if (text.size() < 20 || !IsIsoDay(text.substr(0, 10)) || text[10] != 'T' ||
      text[13] != ':' || text[16] != ':' || text.back() != 'Z') {
    return false;
  }
  int hour = 0, minute = 0, second = 0;
  if (!Digits(text, 11, 2, &hour) || !Digits(text, 14, 2, &minute) ||
      !Digits(text, 17, 2, &second) || hour > 23 || minute > 59 ||
      second > 60) {
    return false;
  }
  absl::string_view rest = text.substr(19, text.size() - 20);
  if (rest.empty()) return true;
  if (rest[0] != '.' || rest.size() < 2 || rest.size() > 10) return false;
  for (char c : rest.substr(1)) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

absl::Status ValidateField(const RecordType& type, const FieldInfo& field,
                           const google::protobuf::Message& record) {
  const auto* reflection = record.GetReflection();
  const FieldDescriptor* fd = field.descriptor;
  switch (fd->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      const std::string& text =
          reflection->GetStringReference(record, fd, nullptr);
      if (!IsValidUtf8(text)) {
        return ReasonError(
            v1::INVALID_UTF8,
            absl::StrCat(FieldLabel(type, field), " is not valid UTF-8 text"));
      }
      if (text.size() > field.max_len) {
        return ReasonError(
            v1::VALUE_TOO_LONG,
            absl::StrCat(FieldLabel(type, field), " is ", text.size(),
                         " bytes long; the limit is ", field.max_len,
                         " bytes"));
      }
      if (text.empty()) break;
      if (field.date && !IsIsoDay(text)) {
        return ReasonError(
            v1::MALFORMED_DATE,
            absl::StrCat(FieldLabel(type, field),
                         " must be an ISO 8601 day (YYYY-MM-DD, a real date "
                         "between 1900 and 2199); got \"",
                         text, "\""));
      }
      if (field.date_list && !IsDayList(text)) {
        return ReasonError(
            v1::MALFORMED_DATE,
            absl::StrCat(FieldLabel(type, field),
                         " must be ISO 8601 days (YYYY-MM-DD) joined by "
                         "commas, each later than the one before; got \"",
                         text, "\""));
      }
      if (field.instant && !IsUtcInstant(text)) {
        return ReasonError(
            v1::MALFORMED_DATE,
            absl::StrCat(
                FieldLabel(type, field),
                " must be a UTC instant (YYYY-MM-DDTHH:MM:SSZ); got \"", text,
                "\""));
      }
      if (field.time_zone && !IsTimeZoneName(text)) {
        return ReasonError(
            v1::UNKNOWN_TIME_ZONE,
            absl::StrCat(FieldLabel(type, field),
                         " must be an IANA time zone name such as "
                         "America/Chicago or UTC; got \"",
                         text, "\""));
      }
      if ((field.is_id || field.ref != nullptr ||
           field.ref_type_field != nullptr) &&
          !IsUuid(text)) {
        return ReasonError(
            v1::MALFORMED_ID,
            absl::StrCat(FieldLabel(type, field),
                         " must be a UUID (8-4-4-4-12 hex digits); got \"",
                         text, "\""));
      }
      if (field.record_type_name) {
        const RecordType* named = Schema::Get().FindCanonical(text);
        if (named == nullptr || (field.log_only && !named->is_log())) {
          return ReasonError(
              v1::UNKNOWN_RECORD_TYPE,
              absl::StrCat(FieldLabel(type, field),
                           " must be the full name of a ",
                           field.log_only ? "log entry type" : "record type",
                           " (e.g. \"plansync.v1.",
                           field.log_only ? "ServiceSession" : "LapseReport",
                           "\"); got \"", text, "\""));
        }
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      const int32_t value = reflection->GetInt32(record, fd);
      return CheckRange(type, field, value);
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      const int64_t value = reflection->GetInt64(record, fd);
      return CheckRange(type, field, value);
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      const double value = reflection->GetDouble(record, fd);
      if (!std::isfinite(value)) {
        return ReasonError(
            v1::VALUE_OUT_OF_RANGE,
            absl::StrCat(FieldLabel(type, field), " must be a finite number"));
      }
      return CheckRange(type, field, value);
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number = reflection->GetEnumValue(record, fd);
      if (fd->enum_type()->FindValueByNumber(number) == nullptr) {
        return ReasonError(
            v1::VALUE_OUT_OF_RANGE,
            absl::StrCat(FieldLabel(type, field), ": ", number,
                         " is not a value of ", fd->enum_type()->name()));
      }
      break;
    }
    default:
      break;
  }
  return absl::OkStatus();
}

absl::Status CheckNoUnknownFields(const RecordType& type,
                                  const google::protobuf::Message& record) {
  const google::protobuf::UnknownFieldSet& unknown =
      record.GetReflection()->GetUnknownFields(record);
  if (unknown.empty()) return absl::OkStatus();
  return ReasonError(v1::UNKNOWN_FIELD,
                     absl::StrCat(type.short_name, " has no field number ",
                                  unknown.field(0).number(),
                                  " (written by a newer schema, or forged)"));
}

absl::Status CheckFieldChange(const RecordType& type, const FieldInfo& field) {
  if (!(field.is_id || field.immutable || field.is_bucket_key)) {
    return absl::OkStatus();
  }
  return ReasonError(v1::IMMUTABLE_FIELD,
                     absl::StrCat(FieldLabel(type, field),
                                  " is fixed when the record is created"));
}

absl::Status ValidateNewRecord(const RecordType& type,
                               const google::protobuf::Message& record) {
  RETURN_IF_ERROR(CheckNoUnknownFields(type, record));
  RETURN_IF_ERROR(CheckRecordRules(type, record));
  for (const FieldInfo& field : type.fields) {
    RETURN_IF_ERROR(ValidateField(type, field, record));
    if (field.required &&
        !record.GetReflection()->HasField(record, field.descriptor)) {
      return ReasonError(v1::MISSING_REQUIRED_FIELD,
                         absl::StrCat(FieldLabel(type, field), " is required"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateReferences(const RecordType& type,
                                const google::protobuf::Message& record,
                                const FieldInfo* only, absl::string_view bucket,
                                BucketLookup lookup) {
  for (const FieldInfo& field : type.fields) {
    if (only != nullptr && &field != only) continue;
    const RecordType* target_type =
        field.ref_type_field != nullptr
            ? NamedType(record, *field.ref_type_field)
            : field.ref;
    if (target_type == nullptr) continue;
    const std::string& target =
        record.GetReflection()->GetString(record, field.descriptor);
    if (target.empty()) continue;
    ASSIGN_OR_RETURN(std::optional<std::string> target_bucket,
                     lookup(*target_type, target));
    if (!target_bucket.has_value()) {
      return ReasonError(v1::UNKNOWN_REFERENCE,
                         absl::StrCat(FieldLabel(type, field), " names ",
                                      target_type->short_name, " ", target,
                                      ", which does not exist on this device"));
    }
    if (*target_bucket != bucket) {
      return ReasonError(v1::CROSS_STUDENT_REFERENCE,
                         absl::StrCat(FieldLabel(type, field), " names ",
                                      target_type->short_name, " ", target,
                                      ", which belongs to another student"));
    }
  }
  return absl::OkStatus();
}

}  // namespace plansync
