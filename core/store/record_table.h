// One record type's SQLite table on the device: one typed column per field
// (named as the field), plus `_clocks` (core/store/field_clocks.h) for mutable
// records. Holds the table's prepared statements. Internal to the store.
#ifndef PLANSYNC_CORE_STORE_RECORD_TABLE_H_
#define PLANSYNC_CORE_STORE_RECORD_TABLE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/hash64.h"
#include "core/internal/sqlite.h"
#include "core/schema.h"
#include "google/protobuf/message.h"

namespace plansync::internal {

class RecordTable {
 public:
  // Creates the table, its missing columns and its indexes if needed; its
  // statements are prepared on first use. `db` must outlive the table.
  static absl::StatusOr<std::unique_ptr<RecordTable>> Open(
      Database* db, const RecordType& type);

  // The secondary indexes (by student and by each reference; the primary key
  // is not one of them). Rows written while they are dropped are indexed,
  // by one sort, when CreateIndexes builds them: far cheaper for a bulk
  // load than updating each index row by row. Reads stay correct, only
  // slower, while they are gone. Both run in the caller's transaction.
  absl::Status DropIndexes();
  // Creates the secondary indexes that are missing (a no-op when none are).
  absl::Status CreateIndexes();

  const RecordType& type() const { return type_; }

  // Inserts `record` as a new row (ALREADY_EXISTS if its id is taken).
  // `clocks` is stored for mutable records and ignored for log entries.
  absl::Status Insert(const google::protobuf::Message& record,
                      absl::string_view clocks);
  // Inserts a row holding only `id` and the bucket key, for a remote write to
  // a record this device has not seen yet.
  absl::Status InsertSkeleton(absl::string_view id,
                              absl::string_view student_id);
  // Reads the row `id` into `out` (cleared first), and its clocks into
  // `clocks` if not null. False if there is no such row.
  absl::StatusOr<bool> Read(absl::string_view id,
                            google::protobuf::Message* out,
                            std::string* clocks);
  // The bucket of row `id`, or nullopt if there is no such row.
  absl::StatusOr<std::optional<std::string>> BucketOf(absl::string_view id);
  // Sets the column of `field` of row `id` to its value in `source`, and
  // (mutable records only) the row's clocks to `clocks`.
  absl::Status WriteField(absl::string_view id, const FieldInfo& field,
                          const google::protobuf::Message& source,
                          absl::string_view clocks);
  // Calls `visit` for each row, in id order: every row if `where` is null,
  // else the rows whose `where` column equals `value`. Archived rows
  // (deleted = true) are skipped unless `include_archived`.
  absl::Status Scan(
      const FieldInfo* where, absl::string_view value, bool include_archived,
      absl::FunctionRef<absl::Status(const google::protobuf::Message&)> visit);
  // The same over one page: the rows whose id sorts after `after` (from the
  // first if empty), at most `limit` of them (0: no limit).
  absl::Status Scan(
      const FieldInfo* where, absl::string_view value, bool include_archived,
      absl::string_view after, size_t limit,
      absl::FunctionRef<absl::Status(const google::protobuf::Message&)> visit);
  // Adds the table's rows (archived ones too) to `hash`: their number and the
  // sum of each row's own Hash64 of its fields' columns, a NULL column as
  // the field's default (so a field never set and one set to its default
  // hash alike). A sum does not depend on the order rows are read in, so
  // the table is read in its storage order, without a sort.
  absl::Status HashRows(Hash64& hash);
  // The number of rows Scan would visit.
  absl::StatusOr<int64_t> Count(const FieldInfo* where, absl::string_view value,
                                bool include_archived);
  // Deletes row `id` (no-op if absent).
  absl::Status Delete(absl::string_view id);
  // Deletes every row of the student `student_id` (every row of a directory
  // table).
  absl::Status DeleteBucket(absl::string_view student_id);
  // The ids that start with `prefix`, in order, at most `limit` of them.
  absl::StatusOr<std::vector<std::string>> IdsWithPrefix(
      absl::string_view prefix, int limit);

 private:
  RecordTable(Database* db, const RecordType& type) : db_(db), type_(type) {}
  absl::Status EnsureSchema();
  void DefineStatements();
  // The columns with a secondary index, and an index's quoted name.
  std::vector<std::string> IndexedColumns() const;
  std::string IndexName(absl::string_view column) const;
  void BindField(Statement* statement, int index, const FieldInfo& field,
                 const google::protobuf::Message& record) const;
  void ReadRow(const Statement& statement,
               google::protobuf::Message* out) const;
  // The SELECT (or SELECT COUNT(*)) of Scan for `where` and
  // `include_archived`, prepared on first use.
  absl::StatusOr<Statement*> ScanStatement(const FieldInfo* where,
                                           bool include_archived, bool count);

  Database* const db_;
  const RecordType& type_;
  std::string columns_;  // quoted, comma-separated, in field order
  LazyStatement insert_;
  LazyStatement insert_skeleton_;
  LazyStatement select_;
  LazyStatement select_all_;
  LazyStatement bucket_;
  LazyStatement ids_with_prefix_;
  LazyStatement delete_;
  LazyStatement delete_bucket_;
  // Per field index: UPDATE of that column, prepared on first use.
  std::vector<std::unique_ptr<Statement>> update_;
  // Scan's statements by [count][include_archived][field index + 1, or 0
  // for every row], prepared on first use.
  std::vector<std::unique_ptr<Statement>> scans_[2][2];
};

}  // namespace plansync::internal

#endif  // PLANSYNC_CORE_STORE_RECORD_TABLE_H_
