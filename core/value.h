// Reading and writing one field of a record message as a v1::Value, through
// protobuf reflection.
#ifndef PLANSYNC_CORE_VALUE_H_
#define PLANSYNC_CORE_VALUE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/schema.h"
#include "google/protobuf/message.h"
#include "plansync/v1/change.pb.h"

namespace plansync {

// The value of `field` in `record`.
v1::Value GetFieldValue(const google::protobuf::Message& record,
                        const FieldInfo& field);

// Sets `field` of `record` to `value`. Errors, leaving `record` unchanged:
// WRONG_VALUE_TYPE if the value's kind does not match the field's type;
// VALUE_OUT_OF_RANGE for an int that does not fit the field or names no
// value of its enum.
absl::Status SetFieldValue(const RecordType& type, const FieldInfo& field,
                           const v1::Value& value,
                           google::protobuf::Message* record);

// True if `field` of `record` holds its type's default ("", 0, false).
bool IsDefaultValue(const google::protobuf::Message& record,
                    const FieldInfo& field);

// Equality of two values (same kind and same content).
bool SameValue(const v1::Value& a, const v1::Value& b);

// A short human-readable rendering of `value` (for messages and reports).
std::string ValueToText(const v1::Value& value);

// The value of `field` that ValueToText rendered as `text` (e.g. a
// Conflict's winning_value): a string without its surrounding quotes, an
// integer, true or false, a number; "(none)" is the field's default value.
// WRONG_VALUE_TYPE if `text` is not such a rendering for the field's type.
// Numbers round-trip to the six significant digits ValueToText keeps.
absl::StatusOr<v1::Value> ValueFromText(const FieldInfo& field,
                                        absl::string_view text);

// The name of the value kind a field takes ("a string", "an integer", ...).
std::string ExpectedKindName(const FieldInfo& field);

}  // namespace plansync

#endif  // PLANSYNC_CORE_VALUE_H_
