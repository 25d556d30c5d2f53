// Validation of records against their schema options (core/schema.h). Each
// failure carries a plansync reason (core/errors.h) and a message that names
// the record type, the field and the bound that was broken.
#ifndef PLANSYNC_CORE_VALIDATE_H_
#define PLANSYNC_CORE_VALIDATE_H_

#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/schema.h"
#include "google/protobuf/message.h"
#include "plansync/v1/change.pb.h"

namespace plansync {

// True for an ISO 8601 calendar day "YYYY-MM-DD" that exists (leap years
// included), with the year in 1900..2199.
bool IsIsoDay(absl::string_view text);

// True for ISO 8601 days (IsIsoDay) joined by commas, each later than the
// one before: "2026-11-06,2027-01-22". The empty list is not one (an empty
// field is never checked).
bool IsDayList(absl::string_view text);

// True for an RFC 3339 UTC instant "YYYY-MM-DDTHH:MM:SSZ", optionally with
// fractional seconds ("...:SS.sssZ").
bool IsUtcInstant(absl::string_view text);

// Checks the value of `field` in `record`: VALUE_TOO_LONG past the field's
// bound; INVALID_UTF8 for text that is not UTF-8; MALFORMED_DATE for a bad
// day or instant; MALFORMED_ID for an id or reference that is not a UUID;
// UNKNOWN_RECORD_TYPE for a type-name field that names no record type;
// VALUE_OUT_OF_RANGE for a number outside its field's range, a non-finite
// number or an enum number its enum does not define.
absl::Status ValidateField(const RecordType& type, const FieldInfo& field,
                           const google::protobuf::Message& record);

// Checks a record about to be created or appended: no field its type does not
// define (UNKNOWN_FIELD), every field valid, every required field set
// (MISSING_REQUIRED_FIELD).
absl::Status ValidateNewRecord(const RecordType& type,
                               const google::protobuf::Message& record);

// UNKNOWN_FIELD if `record` carries fields its type does not define (kept by
// the protobuf parser as unknown fields, which no bound would check).
absl::Status CheckNoUnknownFields(const RecordType& type,
                                  const google::protobuf::Message& record);

// The rule for writing a field that already holds a value: IMMUTABLE_FIELD
// if the field is fixed at creation (the id, the bucket key, an `immutable`
// field), which is written once. Pure; the device store (for a write that
// changes or rewrites the value) and the server (for a write over a stored
// one) both apply it.
absl::Status CheckFieldChange(const RecordType& type, const FieldInfo& field);

// The bucket holding the record of type `type` with id `id`, or nullopt if the
// store has no such record.
using BucketLookup =
    absl::FunctionRef<absl::StatusOr<std::optional<std::string>>(
        const RecordType& type, absl::string_view id)>;

// Checks the references of `record` (only `field` if not null): each non-empty
// reference must name an existing record of its type (UNKNOWN_REFERENCE) in
// the record's own bucket `bucket` (CROSS_STUDENT_REFERENCE).
absl::Status ValidateReferences(const RecordType& type,
                                const google::protobuf::Message& record,
                                const FieldInfo* field,
                                absl::string_view bucket, BucketLookup lookup);

}  // namespace plansync

#endif  // PLANSYNC_CORE_VALIDATE_H_
