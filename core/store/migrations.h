// Schema versions of the device store. The version is kept in SQLite's
// `PRAGMA user_version`; each step moves a store one version forward inside
// one transaction. Record tables follow records.proto on every open
// (core/store/record_table.h) and need no numbered step.
#ifndef PLANSYNC_CORE_STORE_MIGRATIONS_H_
#define PLANSYNC_CORE_STORE_MIGRATIONS_H_

#include "absl/status/status.h"
#include "core/internal/sqlite.h"

namespace plansync::internal {

// The version this build writes.
inline constexpr int kDeviceSchemaVersion = 5;

// Brings the store's own tables (meta, replicas, outbox, cursors, held,
// feed_receipts) to
// kDeviceSchemaVersion. FAILED_PRECONDITION if the file was written by a
// newer plansync (a higher version), leaving it untouched.
absl::Status MigrateDeviceStore(Database& db);

}  // namespace plansync::internal

#endif  // PLANSYNC_CORE_STORE_MIGRATIONS_H_
