// Thin helpers over the sqlite3 C API for the raw baselines of bench/: open,
// exec, prepare, with absl::Status errors. Header-only; for bench/ only.
#ifndef PLANSYNC_BENCH_RAW_SQLITE_H_
#define PLANSYNC_BENCH_RAW_SQLITE_H_

#include <sqlite3.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/status_macros.h"

namespace plansync::bench::raw {

inline absl::Status SqliteStatus(sqlite3* db, int rc, absl::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) {
    return absl::OkStatus();
  }
  return absl::InternalError(absl::StrCat(
      what, ": ", db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct Finalize {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using DbPtr = std::unique_ptr<sqlite3, CloseDb>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, Finalize>;

inline absl::StatusOr<DbPtr> Open(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  DbPtr db(raw);
  RETURN_IF_ERROR(SqliteStatus(db.get(), rc, "open"));
  return db;
}

inline absl::Status Exec(sqlite3* db, const char* sql) {
  return SqliteStatus(db, sqlite3_exec(db, sql, nullptr, nullptr, nullptr),
                      sql);
}

inline absl::StatusOr<StmtPtr> Prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                    &stmt, nullptr);
  StmtPtr out(stmt);
  RETURN_IF_ERROR(SqliteStatus(db, rc, sql));
  return out;
}

// Steps a statement that returns no rows, then resets it.
inline absl::Status Run(sqlite3* db, sqlite3_stmt* stmt,
                        absl::string_view what) {
  const int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  if (rc != SQLITE_DONE) return SqliteStatus(db, rc, what);
  return absl::OkStatus();
}

inline void BindText(sqlite3_stmt* stmt, int index, absl::string_view text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()),
                    SQLITE_STATIC);
}

inline void BindBlob(sqlite3_stmt* stmt, int index, absl::string_view bytes) {
  sqlite3_bind_blob(stmt, index, bytes.data(), static_cast<int>(bytes.size()),
                    SQLITE_STATIC);
}

}  // namespace plansync::bench::raw

#endif  // PLANSYNC_BENCH_RAW_SQLITE_H_
