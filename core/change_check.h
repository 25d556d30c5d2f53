// Checks of a change (proto/plansync/v1/change.proto) that need no stored
// state: the record type, the ids, the bucket, and the value or entry against
// the schema. The device store and the server both run every incoming change
// through CheckChange, so a change is judged the same way everywhere.
#ifndef PLANSYNC_CORE_CHANGE_CHECK_H_
#define PLANSYNC_CORE_CHANGE_CHECK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/schema.h"
#include "google/protobuf/message.h"
#include "plansync/v1/change.pb.h"

namespace plansync {

// A change that passed CheckChange.
struct CheckedChange {
  const RecordType* type = nullptr;
  // Field writes: the field written; null for log entries.
  const FieldInfo* field = nullptr;
  // Field writes: a record with only that field set to the written value.
  // Log entries: the parsed entry.
  std::unique_ptr<google::protobuf::Message> record;
  // The student of the change's bucket; empty for the directory.
  std::string student_id;
};

// Checks `change`. Errors, each with its reason (core/errors.h):
// INVALID_UTF8 (a text field of the change or entry); UNKNOWN_FIELD (a field
// the change, its write, its value or its entry does not define);
// UNKNOWN_RECORD_TYPE (anything but a type's full name); MALFORMED_ID (record
// id not a UUID); STORE_ASSIGNED_MISMATCH (an entry's recorded_hlc that
// differs from its change's hlc); AUTHOR_MISMATCH (an entry's author_id that
// differs from its change's);
// MALFORMED_CHANGE (no change id, a bucket that is not the record type's, a
// body that does not fit the record kind, an entry that cannot be parsed or
// whose id or student differ from the change's, a bucket key that differs
// from the bucket); LOG_ENTRY_IMMUTABLE (a field write to a log entry);
// UNKNOWN_FIELD; WRONG_VALUE_TYPE; VALUE_OUT_OF_RANGE; VALUE_TOO_LONG;
// MALFORMED_DATE; MISSING_REQUIRED_FIELD (log entries).
absl::StatusOr<CheckedChange> CheckChange(const v1::Change& change);

// The first of CheckChange's checks, on the change's own text fields (ids,
// type, bucket; bytes on the wire, change.proto): INVALID_UTF8 for one that
// is not UTF-8, MALFORMED_CHANGE for one holding a NUL. A server runs it
// before it uses them to look anything up. Pure.
absl::Status CheckChangeText(const v1::Change& change);

// The student id named by a bucket "student/<uuid>", or empty if `bucket` is
// not a student bucket.
absl::string_view StudentOfBucket(absl::string_view bucket);

}  // namespace plansync

#endif  // PLANSYNC_CORE_CHANGE_CHECK_H_
