#include "core/internal/sqlite.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace plansync::internal {
namespace {

// SQLite counts its heap, under a process-wide mutex taken on every
// allocation, unless told not to before it starts; plansync never reads the
// count, and Debian's SQLite (built without lookaside) allocates on nearly
// every step, so the count cost a tenth of a sync's instructions. Made once,
// before the first store opens; in a process that started SQLite earlier
// SQLite refuses the setting and keeps its own.
void StopCountingSqliteMemory() {
  static const bool once = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);  // SQLITE_MISUSE once started
    return true;
  }();
  (void)once;
}

}  // namespace

absl::Status SqliteError(sqlite3* db, int rc, absl::string_view what) {
  const std::string message = absl::StrCat(
      what, ": ", db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xFF) {
    case SQLITE_FULL:
      return absl::ResourceExhaustedError(
          absl::StrCat("the disk is full, and the operation did not complete; "
                       "free some space and try again (",
                       message, ")"));
    case SQLITE_IOERR:
      // The disk failed the operation, which was not committed; it may
      // succeed once the disk recovers.
      return absl::UnavailableError(absl::StrCat(
          "the disk failed a read or write of the store, and the operation "
          "did not complete; try again, and check the storage if it keeps "
          "failing (",
          message, ")"));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(message);
    case SQLITE_CONSTRAINT:
      return absl::AlreadyExistsError(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(message);
    case SQLITE_NOMEM:
      return absl::ResourceExhaustedError(message);
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return absl::PermissionDeniedError(message);
    default:
      return absl::InternalError(message);
  }
}

std::string QuoteIdentifier(absl::string_view name) {
  return absl::StrCat("\"", absl::StrReplaceAll(name, {{"\"", "\"\""}}), "\"");
}

void Statement::BindText(int index, absl::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                    SQLITE_TRANSIENT);
}

void Statement::BindBlob(int index, absl::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()),
                    SQLITE_TRANSIENT);
}

void Statement::BindTextNoCopy(int index, absl::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                    SQLITE_STATIC);
}

void Statement::BindBlobNoCopy(int index, absl::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()),
                    SQLITE_STATIC);
}

void Statement::BindInt(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
}

void Statement::BindDouble(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
}

void Statement::BindNull(int index) { sqlite3_bind_null(stmt_, index); }

absl::StatusOr<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, rc, "SQLite step failed");
}

absl::Status Statement::Run() {
  absl::Status status;
  while (true) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) {
      status = row.status();
      break;
    }
    if (!*row) break;
  }
  Reset();
  return status;
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

absl::string_view Statement::ColumnText(int index) const {
  const auto* text =
      reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  if (text == nullptr) return {};
  return absl::string_view(text, sqlite3_column_bytes(stmt_, index));
}

absl::string_view Statement::ColumnBlob(int index) const {
  const auto* blob =
      static_cast<const char*>(sqlite3_column_blob(stmt_, index));
  if (blob == nullptr) return {};
  return absl::string_view(blob, sqlite3_column_bytes(stmt_, index));
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(
    const std::string& path) {
  // Create a missing file ourselves so that it is owner-only from the start.
  // Only a missing one: closing a descriptor of a file drops every POSIX
  // lock this process holds on it, including those of SQLite connections
  // already open on it, after which another process (plansync-server admin)
  // may take itself for the last user of the WAL and reset it under them.
  if (path != ":memory:" && ::access(path.c_str(), F_OK) != 0) {
    const int fd =
        ::open(path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) {
      return absl::PermissionDeniedError(absl::StrCat(
          "cannot open or create the store file: ", std::strerror(errno)));
    }
    if (fd >= 0) ::close(fd);
  }
  StopCountingSqliteMemory();
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status = SqliteError(db, rc, "cannot open the store file");
    sqlite3_close(db);
    return status;
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Database>(new Database(db));
}

Database::~Database() { sqlite3_close_v2(db_); }

absl::Status Database::Exec(absl::string_view sql) {
  char* error = nullptr;
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    absl::Status status = SqliteError(db_, rc, "SQLite exec failed");
    sqlite3_free(error);
    return status;
  }
  return absl::OkStatus();
}

bool Database::HasColumn(const std::string& table, const std::string& column) {
  return sqlite3_table_column_metadata(
             db_, "main", table.c_str(),
             column.empty() ? nullptr : column.c_str(), nullptr, nullptr,
             nullptr, nullptr, nullptr) == SQLITE_OK;
}

absl::StatusOr<std::unique_ptr<Statement>> Database::Prepare(
    absl::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc =
      sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return SqliteError(db_, rc, "SQLite prepare failed");
  }
  return std::make_unique<Statement>(db_, stmt);
}

absl::StatusOr<int64_t> Database::QueryInt(absl::string_view sql) {
  auto statement = Prepare(sql);
  if (!statement.ok()) return statement.status();
  auto row = (*statement)->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError("query returned no row");
  return (*statement)->ColumnInt(0);
}

absl::StatusOr<Statement*> LazyStatement::Get() {
  if (statement_ == nullptr) {
    auto statement = db_->Prepare(sql_);
    if (!statement.ok()) return statement.status();
    statement_ = std::move(*statement);
  }
  return statement_.get();
}

}  // namespace plansync::internal
