#include "core/store/record_table.h"

#include "absl/base/casts.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/status_macros.h"

namespace plansync::internal {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

std::string SqlType(ColumnType type) {
  switch (type) {
    case ColumnType::kText:
      return "TEXT";
    case ColumnType::kInteger:
      return "INTEGER";
    case ColumnType::kReal:
      return "REAL";
  }
  return "BLOB";
}

constexpr absl::string_view kClocksColumn = "_clocks";

}  // namespace

absl::StatusOr<std::unique_ptr<RecordTable>> RecordTable::Open(
    Database* db, const RecordType& type) {
  std::unique_ptr<RecordTable> table(new RecordTable(db, type));
  RETURN_IF_ERROR(table->EnsureSchema());
  table->DefineStatements();
  return table;
}

std::vector<std::string> RecordTable::IndexedColumns() const {
  // Indexes for listing by student and following references.
  std::vector<std::string> columns;
  for (const FieldInfo& field : type_.fields) {
    if (field.is_id || (!field.is_bucket_key && field.ref == nullptr)) continue;
    columns.push_back(field.name);
  }
  return columns;
}

std::string RecordTable::IndexName(absl::string_view column) const {
  return QuoteIdentifier(absl::StrCat(type_.table, "_by_", column));
}

absl::Status RecordTable::CreateIndexes() {
  std::string sql;
  for (const std::string& column : IndexedColumns()) {
    absl::StrAppend(&sql, "CREATE INDEX IF NOT EXISTS ", IndexName(column),
                    " ON ", QuoteIdentifier(type_.table), " (",
                    QuoteIdentifier(column), ");");
  }
  return sql.empty() ? absl::OkStatus() : db_->Exec(sql);
}

absl::Status RecordTable::DropIndexes() {
  std::string sql;
  for (const std::string& column : IndexedColumns()) {
    absl::StrAppend(&sql, "DROP INDEX IF EXISTS ", IndexName(column), ";");
  }
  return sql.empty() ? absl::OkStatus() : db_->Exec(sql);
}

absl::Status RecordTable::EnsureSchema() {
  const std::string table = QuoteIdentifier(type_.table);
  if (!db_->HasColumn(type_.table)) {
    std::vector<std::string> definitions;
    for (const FieldInfo& field : type_.fields) {
      definitions.push_back(absl::StrCat(
          QuoteIdentifier(field.name), " ", SqlType(field.column_type),
          field.is_id ? " PRIMARY KEY NOT NULL" : ""));
    }
    if (type_.is_mutable()) {
      definitions.push_back(absl::StrCat(kClocksColumn, " BLOB"));
    }
    RETURN_IF_ERROR(db_->Exec(absl::StrCat(
        "CREATE TABLE ", table, " (", absl::StrJoin(definitions, ", "), ")")));
    return CreateIndexes();
  }
  // Columns added to records.proto since the table was made.
  for (const FieldInfo& field : type_.fields) {
    if (db_->HasColumn(type_.table, field.name)) continue;
    RETURN_IF_ERROR(db_->Exec(absl::StrCat(
        "ALTER TABLE ", table, " ADD COLUMN ", QuoteIdentifier(field.name), " ",
        SqlType(field.column_type))));
  }
  if (type_.is_mutable() &&
      !db_->HasColumn(type_.table, std::string(kClocksColumn))) {
    RETURN_IF_ERROR(db_->Exec(absl::StrCat(
        "ALTER TABLE ", table, " ADD COLUMN ", kClocksColumn, " BLOB")));
  }
  // Also rebuilds indexes dropped by DropIndexes in a process that died
  // before it created them again.
  return CreateIndexes();
}

void RecordTable::DefineStatements() {
  const std::string table = QuoteIdentifier(type_.table);
  std::vector<std::string> names;
  for (const FieldInfo& field : type_.fields) {
    names.push_back(QuoteIdentifier(field.name));
  }
  columns_ = absl::StrJoin(names, ", ");
  const size_t n = type_.fields.size();
  std::string placeholders;
  for (size_t i = 1; i <= n; ++i) {
    absl::StrAppend(&placeholders, i == 1 ? "" : ", ", "?", i);
  }
  const std::string select_columns =
      type_.is_mutable() ? absl::StrCat(columns_, ", ", kClocksColumn)
                         : columns_;
  insert_ = LazyStatement(
      db_, type_.is_mutable()
               ? absl::StrCat("INSERT INTO ", table, " (", columns_, ", ",
                              kClocksColumn, ") VALUES (", placeholders, ", ?",
                              n + 1, ")")
               : absl::StrCat("INSERT INTO ", table, " (", columns_,
                              ") VALUES (", placeholders, ")"));
  select_all_ =
      LazyStatement(db_, absl::StrCat("SELECT ", columns_, " FROM ", table));
  select_ = LazyStatement(db_, absl::StrCat("SELECT ", select_columns, " FROM ",
                                            table, " WHERE \"id\" = ?1"));
  if (type_.bucket_key != nullptr) {
    bucket_ = LazyStatement(
        db_, absl::StrCat("SELECT ", QuoteIdentifier(type_.bucket_key->name),
                          " FROM ", table, " WHERE \"id\" = ?1"));
  } else {
    bucket_ = LazyStatement(db_, absl::StrCat("SELECT 'directory' FROM ", table,
                                              " WHERE \"id\" = ?1"));
  }
  insert_skeleton_ = LazyStatement(
      db_, type_.bucket_key != nullptr && !type_.bucket_key->is_id
               ? absl::StrCat("INSERT INTO ", table, " (\"id\", ",
                              QuoteIdentifier(type_.bucket_key->name),
                              ") VALUES (?1, ?2)")
               : absl::StrCat("INSERT INTO ", table, " (\"id\") VALUES (?1)"));
  // A range on the primary key: ids are ASCII, and '~' sorts after every
  // character of one.
  ids_with_prefix_ = LazyStatement(
      db_, absl::StrCat("SELECT \"id\" FROM ", table,
                        " WHERE \"id\" >= ?1 AND \"id\" < ?1 || '~' ORDER BY "
                        "\"id\" LIMIT ?2"));
  delete_ = LazyStatement(
      db_, absl::StrCat("DELETE FROM ", table, " WHERE \"id\" = ?1"));
  delete_bucket_ = LazyStatement(
      db_,
      type_.bucket_key == nullptr
          ? absl::StrCat("DELETE FROM ", table, " WHERE ?1 = ?1")
          : absl::StrCat("DELETE FROM ", table, " WHERE ",
                         QuoteIdentifier(type_.bucket_key->name), " = ?1"));
  update_.resize(n);
  for (auto& by_archived : scans_) {
    for (auto& by_field : by_archived) by_field.resize(n + 1);
  }
}

void RecordTable::BindField(Statement* statement, int index,
                            const FieldInfo& field,
                            const Message& record) const {
  const auto* reflection = record.GetReflection();
  const FieldDescriptor* fd = field.descriptor;
  switch (fd->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      // Record strings outlive the statement's use (callers reset it before
      // returning), so they are bound without a copy. An empty string is
      // stored as NULL, so that reports can ask `annual_review_due IS NULL`.
      const std::string& text =
          reflection->GetStringReference(record, fd, nullptr);
      if (text.empty()) {
        statement->BindNull(index);
      } else {
        statement->BindTextNoCopy(index, text);
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_INT32:
      statement->BindInt(index, reflection->GetInt32(record, fd));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      statement->BindInt(index, reflection->GetInt64(record, fd));
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      statement->BindInt(index, reflection->GetEnumValue(record, fd));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      statement->BindInt(index, reflection->GetBool(record, fd) ? 1 : 0);
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      statement->BindDouble(index, reflection->GetDouble(record, fd));
      break;
    default:
      statement->BindNull(index);
  }
}

void RecordTable::ReadRow(const Statement& statement, Message* out) const {
  out->Clear();
  const auto* reflection = out->GetReflection();
  for (size_t i = 0; i < type_.fields.size(); ++i) {
    const int column = static_cast<int>(i);
    if (statement.IsNull(column)) continue;
    const FieldDescriptor* fd = type_.fields[i].descriptor;
    switch (fd->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        reflection->SetString(out, fd,
                              std::string(statement.ColumnText(column)));
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        reflection->SetInt32(out, fd,
                             static_cast<int32_t>(statement.ColumnInt(column)));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        reflection->SetInt64(out, fd, statement.ColumnInt(column));
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        reflection->SetEnumValue(out, fd,
                                 static_cast<int>(statement.ColumnInt(column)));
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        reflection->SetBool(out, fd, statement.ColumnInt(column) != 0);
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        reflection->SetDouble(out, fd, statement.ColumnDouble(column));
        break;
      default:
        break;
    }
  }
}

absl::Status RecordTable::Insert(const Message& record,
                                 absl::string_view clocks) {
  ASSIGN_OR_RETURN(Statement * insert, insert_.Get());
  ScopedReset reset(insert);
  const int n = static_cast<int>(type_.fields.size());
  for (int i = 0; i < n; ++i) {
    BindField(insert, i + 1, type_.fields[i], record);
  }
  if (type_.is_mutable()) insert->BindBlob(n + 1, clocks);
  return insert->Step().status();
}

absl::Status RecordTable::InsertSkeleton(absl::string_view id,
                                         absl::string_view student_id) {
  ASSIGN_OR_RETURN(Statement * insert, insert_skeleton_.Get());
  ScopedReset reset(insert);
  insert->BindText(1, id);
  if (type_.bucket_key != nullptr && !type_.bucket_key->is_id) {
    insert->BindText(2, student_id);
  }
  return insert->Step().status();
}

absl::StatusOr<bool> RecordTable::Read(absl::string_view id, Message* out,
                                       std::string* clocks) {
  ASSIGN_OR_RETURN(Statement * select, select_.Get());
  ScopedReset reset(select);
  select->BindText(1, id);
  ASSIGN_OR_RETURN(bool row, select->Step());
  if (!row) return false;
  ReadRow(*select, out);
  if (clocks != nullptr) {
    *clocks = type_.is_mutable() ? std::string(select->ColumnBlob(
                                       static_cast<int>(type_.fields.size())))
                                 : std::string();
  }
  return true;
}

absl::StatusOr<std::optional<std::string>> RecordTable::BucketOf(
    absl::string_view id) {
  ASSIGN_OR_RETURN(Statement * bucket, bucket_.Get());
  ScopedReset reset(bucket);
  bucket->BindText(1, id);
  ASSIGN_OR_RETURN(bool row, bucket->Step());
  if (!row) return std::nullopt;
  if (type_.bucket_key == nullptr) return std::string(kDirectoryBucket);
  return StudentBucket(bucket->ColumnText(0));
}

absl::Status RecordTable::WriteField(absl::string_view id,
                                     const FieldInfo& field,
                                     const Message& source,
                                     absl::string_view clocks) {
  const size_t index = &field - type_.fields.data();
  std::unique_ptr<Statement>& update = update_[index];
  if (update == nullptr) {
    ASSIGN_OR_RETURN(
        update,
        db_->Prepare(absl::StrCat(
            "UPDATE ", QuoteIdentifier(type_.table), " SET ",
            QuoteIdentifier(field.name), " = ?1",
            type_.is_mutable() ? absl::StrCat(", ", kClocksColumn, " = ?2")
                               : "",
            " WHERE \"id\" = ?3")));
  }
  ScopedReset reset(update.get());
  BindField(update.get(), 1, field, source);
  if (type_.is_mutable()) update->BindBlob(2, clocks);
  update->BindText(3, id);
  return update->Step().status();
}

absl::StatusOr<Statement*> RecordTable::ScanStatement(const FieldInfo* where,
                                                      bool include_archived,
                                                      bool count) {
  const size_t field = where == nullptr ? 0 : where - type_.fields.data() + 1;
  std::unique_ptr<Statement>& scan = scans_[count][include_archived][field];
  if (scan == nullptr) {
    // ?1 the value of `where`, ?2 the id to start after, ?3 the limit (-1:
    // none); binding an index the SQL does not use is harmless. Skeleton
    // rows may hold NULL for `deleted`.
    std::vector<std::string> conditions;
    if (where != nullptr) {
      conditions.push_back(absl::StrCat(QuoteIdentifier(where->name), " = ?1"));
    }
    if (!count) conditions.push_back("\"id\" > ?2");
    if (!include_archived && type_.is_mutable()) {
      conditions.push_back("COALESCE(\"deleted\", 0) = 0");
    }
    std::string sql = absl::StrCat("SELECT ", count ? "COUNT(*)" : columns_,
                                   " FROM ", QuoteIdentifier(type_.table));
    if (!conditions.empty()) {
      absl::StrAppend(&sql, " WHERE ", absl::StrJoin(conditions, " AND "));
    }
    if (!count) absl::StrAppend(&sql, " ORDER BY \"id\" LIMIT ?3");
    ASSIGN_OR_RETURN(scan, db_->Prepare(sql));
  }
  return scan.get();
}

absl::Status RecordTable::Scan(
    const FieldInfo* where, absl::string_view value, bool include_archived,
    absl::FunctionRef<absl::Status(const Message&)> visit) {
  return Scan(where, value, include_archived, /*after=*/"", /*limit=*/0, visit);
}

absl::Status RecordTable::Scan(
    const FieldInfo* where, absl::string_view value, bool include_archived,
    absl::string_view after, size_t limit,
    absl::FunctionRef<absl::Status(const Message&)> visit) {
  ASSIGN_OR_RETURN(Statement * scan,
                   ScanStatement(where, include_archived, /*count=*/false));
  ScopedReset reset(scan);
  scan->BindText(1, value);
  // A null pointer would bind SQL NULL, which no id sorts after.
  scan->BindText(2, after.empty() ? absl::string_view("") : after);
  scan->BindInt(3, limit == 0 ? -1 : static_cast<int64_t>(limit));
  std::unique_ptr<Message> record(
      type_.descriptor == nullptr
          ? nullptr
          : google::protobuf::MessageFactory::generated_factory()
                ->GetPrototype(type_.descriptor)
                ->New());
  while (true) {
    ASSIGN_OR_RETURN(bool row, scan->Step());
    if (!row) break;
    ReadRow(*scan, record.get());
    RETURN_IF_ERROR(visit(*record));
  }
  return absl::OkStatus();
}

absl::Status RecordTable::HashRows(Hash64& hash) {
  ASSIGN_OR_RETURN(Statement * scan, select_all_.Get());
  ScopedReset reset(scan);
  uint64_t rows = 0;
  uint64_t sum = 0;
  while (true) {
    ASSIGN_OR_RETURN(bool row, scan->Step());
    if (!row) break;
    Hash64 row_hash;
    // SQLite reads NULL as "", 0 and 0.0, which is what an unset field holds.
    for (size_t i = 0; i < type_.fields.size(); ++i) {
      const int column = static_cast<int>(i);
      switch (type_.fields[i].descriptor->cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING:
          row_hash.AddBytes(scan->ColumnText(column));
          break;
        case FieldDescriptor::CPPTYPE_DOUBLE:
          row_hash.AddInt(absl::bit_cast<uint64_t>(scan->ColumnDouble(column)));
          break;
        case FieldDescriptor::CPPTYPE_BOOL:
          row_hash.AddInt(scan->ColumnInt(column) != 0);
          break;
        default:  // the integers and enums
          row_hash.AddInt(static_cast<uint64_t>(scan->ColumnInt(column)));
          break;
      }
    }
    ++rows;
    sum += row_hash.Finish();
  }
  hash.AddInt(rows).AddInt(sum);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> RecordTable::Count(const FieldInfo* where,
                                           absl::string_view value,
                                           bool include_archived) {
  ASSIGN_OR_RETURN(Statement * count,
                   ScanStatement(where, include_archived, /*count=*/true));
  ScopedReset reset(count);
  count->BindText(1, value);
  ASSIGN_OR_RETURN(bool row, count->Step());
  return row ? count->ColumnInt(0) : 0;
}

absl::Status RecordTable::Delete(absl::string_view id) {
  ASSIGN_OR_RETURN(Statement * remove, delete_.Get());
  remove->BindText(1, id);
  return remove->Run();
}

absl::Status RecordTable::DeleteBucket(absl::string_view student_id) {
  ASSIGN_OR_RETURN(Statement * remove, delete_bucket_.Get());
  remove->BindText(1, student_id);
  return remove->Run();
}

absl::StatusOr<std::vector<std::string>> RecordTable::IdsWithPrefix(
    absl::string_view prefix, int limit) {
  ASSIGN_OR_RETURN(Statement * select, ids_with_prefix_.Get());
  ScopedReset reset(select);
  select->BindText(1, prefix);
  select->BindInt(2, limit);
  std::vector<std::string> ids;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) break;
    ids.emplace_back(select->ColumnText(0));
  }
  return ids;
}

}  // namespace plansync::internal
