// The PostgreSQL server store: for deployments that run several
// plansync-server processes over one database. Same contract as the SQLite
// store (server_store.h), with two differences that follow from many
// writers: write transactions run concurrently, each locking the head rows
// of the buckets it writes (ServerTransaction::LockBuckets) before it reads
// what it merges against; and each bucket numbers its own feed, so a
// bucket's committed feed is always a gapless prefix and a pull by
// (bucket, seq > cursor) cannot skip an item that commits late.
#ifndef PLANSYNC_SERVER_POSTGRES_SERVER_STORE_H_
#define PLANSYNC_SERVER_POSTGRES_SERVER_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/server_store.h"

namespace plansync::server {

struct PostgresServerStoreOptions {
  // A libpq connection URI or string, e.g.
  // "postgresql://plansync@db.internal:5432/plansync". The password comes
  // from PGPASSWORD or the password file (~/.pgpass, PGPASSFILE).
  std::string conninfo;
  // Connections kept open: at most this many transactions and reads run at
  // once; more wait for a free connection.
  int pool_size = 8;
};

// True for a --db value that names a PostgreSQL database rather than a file.
bool IsPostgresUri(const std::string& db);

// Connects, creates or migrates the schema (once, under an advisory lock,
// whichever process gets there first) and prepares the pool.
// UNAVAILABLE if the database cannot be reached; FAILED_PRECONDITION for a
// schema written by a newer plansync server.
absl::StatusOr<std::unique_ptr<ServerStore>> OpenPostgresServerStore(
    const PostgresServerStoreOptions& options);

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_POSTGRES_SERVER_STORE_H_
