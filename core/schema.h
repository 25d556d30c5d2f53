// The record schema, read once from the descriptors and options of
// proto/plansync/v1/records.proto. Store tables, validation and permissions are
// derived from it; nothing here restates the .proto by hand.
#ifndef PLANSYNC_CORE_SCHEMA_H_
#define PLANSYNC_CORE_SCHEMA_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "plansync/v1/options.pb.h"

namespace plansync {

struct RecordType;

// How a field's values are kept in a SQLite column.
enum class ColumnType { kText, kInteger, kReal };

// One field of a record type, with its options resolved.
struct FieldInfo {
  const google::protobuf::FieldDescriptor* descriptor = nullptr;
  std::string name;  // field name; also the column name
  int number = 0;
  ColumnType column_type = ColumnType::kText;
  uint32_t max_len = 0;    // strings: bound in UTF-8 bytes
  bool date = false;       // ISO 8601 day
  bool instant = false;    // RFC 3339 UTC instant
  bool time_zone = false;  // IANA time zone name (its form)
  bool date_list = false;  // ISO 8601 days joined by commas, increasing
  bool required = false;   // must be set at creation
  bool immutable = false;  // fixed at creation
  bool store_assigned = false;
  const RecordType* ref = nullptr;  // the referenced record type, if any
  bool is_id = false;               // the `id` field
  bool is_bucket_key = false;       // the field naming the student
  uint32_t since = 1;               // schema version that added the field
  // Numbers: the allowed range, inclusive (every numeric field that is not
  // store-assigned has both).
  std::optional<double> min, max;
  // The string names a record type (full name); with log_only, a log type.
  bool record_type_name = false;
  bool log_only = false;
  // A reference whose type is named by this other field of the record.
  const FieldInfo* ref_type_field = nullptr;
};

// One record message type.
struct RecordType {
  const google::protobuf::Descriptor* descriptor = nullptr;
  std::string full_name;   // "plansync.v1.Plan"
  std::string short_name;  // "Plan"
  std::string table;       // "plans"
  v1::RecordOptions options;
  std::vector<FieldInfo> fields;          // in declaration order
  const FieldInfo* bucket_key = nullptr;  // null for directory records
  uint32_t since = 1;                     // schema version that added the type

  bool is_log() const { return options.kind() == v1::LOG; }
  bool is_mutable() const { return options.kind() == v1::MUTABLE; }
  // The field with this number or name, or null.
  const FieldInfo* FieldByNumber(int number) const;
  const FieldInfo* FieldByName(absl::string_view name) const;
};

// The record schema version this build understands: the highest `since` of
// any type or field in records.proto. Devices state it in Hello and Pull; the
// server holds back what is newer than a device's version.
//   1: the records of the first release;
//   2: SchoolHoliday;
//   3: plans over time: Plan.follows_plan_id, and continues_id on
//      Accommodation, Service and Goal (the lineage of a plan's items);
//      Correction.field_name and corrected_value; Assignment.subject and
//      ClassTest (where and when accommodations apply);
//   4: District (the district's time zone);
//   5: a parent's written requests and their answers: ParentRequest,
//      RequestReceipt, RecordsRelease, parent_request_id on Notice and
//      Meeting, District.jurisdiction; progress reports: the Goal's
//      structured schedule, District.report_card_days and ProgressReport.
constexpr uint32_t kSchemaVersion = 5;

// Default bound on string fields without a max_len option, in bytes.
constexpr uint32_t kDefaultMaxStringBytes = 256;

// Bucket names: "student/<id>" for student-scoped records, "directory" for the
// user directory.
constexpr absl::string_view kDirectoryBucket = "directory";
std::string StudentBucket(absl::string_view student_id);

class Schema {
 public:
  // The schema of records.proto, built on first use. Thread-safe; never
  // destroyed. Aborts the process if records.proto breaks a convention that
  // the store relies on (a unit test keeps that from shipping).
  static const Schema& Get();

  // Builds a schema from the record messages of `file`, or says which message
  // or field breaks a convention.
  static absl::StatusOr<std::unique_ptr<Schema>> Build(
      const google::protobuf::FileDescriptor* file);

  // By full name ("plansync.v1.Plan") or short name ("Plan"); null if none.
  // For names people and programs type; what arrives in a change goes
  // through FindCanonical.
  const RecordType* Find(absl::string_view name) const;
  // By full name only: the one name a type has in changes, stores and
  // references. Null for anything else, a short name included.
  const RecordType* FindCanonical(absl::string_view full_name) const;
  const RecordType* For(const google::protobuf::Descriptor* descriptor) const;
  const std::vector<std::unique_ptr<RecordType>>& types() const {
    return types_;
  }

 private:
  std::vector<std::unique_ptr<RecordType>> types_;
  absl::flat_hash_map<std::string, const RecordType*> by_name_;
  absl::flat_hash_map<std::string, const RecordType*> by_full_name_;
};

// A new, empty message of `type`'s message type; owned by the caller.
std::unique_ptr<google::protobuf::Message> NewRecordMessage(
    const RecordType& type);

// The bucket of `record`, of type `type`. Empty if the record names no student.
std::string BucketOf(const RecordType& type,
                     const google::protobuf::Message& record);

}  // namespace plansync

#endif  // PLANSYNC_CORE_SCHEMA_H_
