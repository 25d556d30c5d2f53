// Helpers of the end-to-end tests that work on a device's store file
// directly, as an app (or a look from outside) would, while other processes
// may be using it. Header-only; link SQLite.
#ifndef PLANSYNC_TESTS_DEVICE_FILE_H_
#define PLANSYNC_TESTS_DEVICE_FILE_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/device_store.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/test_util.h"

namespace plansync::testing {

// Appends `count` confirmations of `accommodation` for `student` straight
// into the device store at `path`, a thousand a transaction; notes
// "entry 0", "entry 1", ...
inline void AppendConfirmations(const std::string& path,
                                const std::string& student,
                                const std::string& accommodation, int count) {
  DeviceStoreOptions options;
  options.path = path;
  auto store = DeviceStore::Open(options);
  ASSERT_OK(store);
  for (int done = 0; done < count;) {
    ASSERT_OK((*store)->Write([&](WriteTransaction& txn) -> absl::Status {
      for (int i = 0; i < 1000 && done < count; ++i, ++done) {
        v1::ImplementationConfirmation entry;
        entry.set_student_id(student);
        entry.set_accommodation_id(accommodation);
        entry.set_day("2026-09-17");
        entry.set_status(v1::CONFIRMATION_STATUS_PROVIDED);
        entry.set_note(absl::StrCat("entry ", done));
        absl::Status status = (*store)->Append(txn, entry).status();
        if (!status.ok()) return status;
      }
      return absl::OkStatus();
    }));
  }
}

// The count that `sql` selects from the store file at `path`, read while
// another process may be writing it; -1 if the file or table is not there
// yet.
inline int64_t CountInFile(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  int64_t count = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
      SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      count = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return count;
}

// The secondary indexes of the record tables (by student and by reference)
// in the device store at `path`, as a look from outside counts them.
inline int64_t SecondaryIndexesInFile(const std::string& path) {
  return CountInFile(path,
                     "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' "
                     "AND name LIKE '%\\_by\\_%' ESCAPE '\\' AND tbl_name <> "
                     "'outbox'");
}

// Changes waiting in the outbox of the device store at `path`.
inline int64_t PendingInFile(const std::string& path) {
  return CountInFile(path, "SELECT COUNT(*) FROM outbox WHERE state = 0");
}

}  // namespace plansync::testing

#endif  // PLANSYNC_TESTS_DEVICE_FILE_H_
