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

namespace plansync {

// True for an ISO 8601 calendar day "YYYY-MM-DD" that exists (leap years
// included), with the year in 1900..2199.
bool IsIsoDay(absl::string_view text);

// True for an RFC 3339 UTC instant "YYYY-MM-DDTHH:MM:SSZ", optionally with
// fractional seconds ("...:SS.sssZ").
bool IsUtcInstant(absl::string_view text);

// Checks the value of `field` in `record`: VALUE_TOO_LONG past the field's
// bound; MALFORMED_DATE for a bad day or instant; MALFORMED_ID for an id or
// reference that is not a UUID; VALUE_OUT_OF_RANGE for a non-finite number or
// an enum number its enum does not define.
absl::Status ValidateField(const RecordType& type, const FieldInfo& field,
                           const google::protobuf::Message& record);

// Checks a record about to be created or appended: every field valid, every
// required field set (MISSING_REQUIRED_FIELD).
absl::Status ValidateNewRecord(const RecordType& type,
                               const google::protobuf::Message& record);

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
