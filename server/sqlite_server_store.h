// The SQLite server store: one WAL file, a writer connection shared by the
// write transactions (one at a time) and a pool of reader connections for
// pulls, which run alongside writes.
#ifndef PLANSYNC_SERVER_SQLITE_SERVER_STORE_H_
#define PLANSYNC_SERVER_SQLITE_SERVER_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/server_store.h"

namespace plansync::server {

struct SqliteServerStoreOptions {
  // The database file; created with owner-only permissions if missing.
  // ":memory:" keeps the store in memory (tests): one connection serves
  // reads and writes in turn.
  std::string path;
  // True: each committed batch is on disk before Push answers
  // (synchronous=FULL). False: synchronous=NORMAL (survives a crash of the
  // process, not of the machine).
  bool durable = true;
};

// Opens or creates the store. FAILED_PRECONDITION for a file written by a
// newer plansync server; DATA_LOSS for a file that is not a store.
absl::StatusOr<std::unique_ptr<ServerStore>> OpenSqliteServerStore(
    const SqliteServerStoreOptions& options);

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_SQLITE_SERVER_STORE_H_
