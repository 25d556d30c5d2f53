// A thin RAII layer over the SQLite C API, for the store implementations only
// (no other code runs SQL). Not thread-safe: a Database and its statements are
// used by one thread at a time.
#ifndef PLANSYNC_CORE_INTERNAL_SQLITE_H_
#define PLANSYNC_CORE_INTERNAL_SQLITE_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace plansync::internal {

// A prepared statement, prepared once and reset after each use.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite. Text and blobs are copied.
  void BindText(int index, absl::string_view text);
  void BindBlob(int index, absl::string_view bytes);
  // Binds without copying: the bytes must stay valid until the next Reset
  // (for hot paths whose values outlive the statement's step).
  void BindTextNoCopy(int index, absl::string_view text);
  void BindBlobNoCopy(int index, absl::string_view bytes);
  void BindInt(int index, int64_t value);
  void BindDouble(int index, double value);
  void BindNull(int index);

  // Runs one step: true if a row is ready, false when done.
  absl::StatusOr<bool> Step();
  // Runs to completion, ignoring any rows, then resets.
  absl::Status Run();
  // Resets the statement and clears its bindings.
  void Reset();

  // Columns are 0-based. Views stay valid until the next Step or Reset.
  int ColumnType(int index) const { return sqlite3_column_type(stmt_, index); }
  bool IsNull(int index) const { return ColumnType(index) == SQLITE_NULL; }
  int64_t ColumnInt(int index) const {
    return sqlite3_column_int64(stmt_, index);
  }
  double ColumnDouble(int index) const {
    return sqlite3_column_double(stmt_, index);
  }
  absl::string_view ColumnText(int index) const;
  absl::string_view ColumnBlob(int index) const;

 private:
  sqlite3* const db_;
  sqlite3_stmt* const stmt_;
};

// Resets a statement when it goes out of scope.
class ScopedReset {
 public:
  explicit ScopedReset(Statement* statement) : statement_(statement) {}
  ~ScopedReset() { statement_->Reset(); }
  ScopedReset(const ScopedReset&) = delete;
  ScopedReset& operator=(const ScopedReset&) = delete;

 private:
  Statement* const statement_;
};

// An open SQLite connection.
class Database {
 public:
  // Opens (creating if missing) the database at `path`. A new file is created
  // with owner-only permissions (0600); SQLite gives its -wal and -shm files
  // the same. ":memory:" opens a private in-memory database.
  static absl::StatusOr<std::unique_ptr<Database>> Open(
      const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements that take no parameters.
  absl::Status Exec(absl::string_view sql);
  // Prepares a statement to be kept and reused by the caller.
  absl::StatusOr<std::unique_ptr<Statement>> Prepare(absl::string_view sql);
  // Runs a statement returning one integer (e.g. "PRAGMA user_version").
  absl::StatusOr<int64_t> QueryInt(absl::string_view sql);
  // Rows inserted, updated or deleted through this connection since it was
  // opened (a statement that fails counts none).
  int64_t TotalChanges() { return sqlite3_total_changes64(db_); }
  // Whether table `table` (and, if `column` is not empty, its column
  // `column`) exists in the main database, read from the loaded schema.
  bool HasColumn(const std::string& table, const std::string& column = "");

  sqlite3* handle() { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* const db_;
};

// A statement prepared on its first use and kept for the connection's life:
// opening a store then costs only the statements a session actually runs.
// The SQL's errors surface at that first use.
class LazyStatement {
 public:
  LazyStatement() = default;
  LazyStatement(Database* db, std::string sql)
      : db_(db), sql_(std::move(sql)) {}
  LazyStatement(LazyStatement&&) = default;
  LazyStatement& operator=(LazyStatement&&) = default;

  absl::StatusOr<Statement*> Get();

 private:
  Database* db_ = nullptr;
  std::string sql_;
  std::unique_ptr<Statement> statement_;
};

// An absl::Status for SQLite result `rc` on `db`, with `what` as context:
// UNAVAILABLE for a busy database or a failed disk operation (retry later),
// RESOURCE_EXHAUSTED for a full disk, DATA_LOSS for a damaged file,
// ALREADY_EXISTS for a constraint, PERMISSION_DENIED for a file that cannot be
// opened or written; INTERNAL otherwise. The message has SQLite's words,
// after a sentence saying what to do for a failed or full disk.
absl::Status SqliteError(sqlite3* db, int rc, absl::string_view what);

// `name` quoted as an SQL identifier.
std::string QuoteIdentifier(absl::string_view name);

}  // namespace plansync::internal

#endif  // PLANSYNC_CORE_INTERNAL_SQLITE_H_
