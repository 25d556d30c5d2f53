// Opens the server store a --db value names: a PostgreSQL database for a
// libpq URI ("postgresql://USER@HOST:PORT/DB"), a SQLite file otherwise.
#ifndef PLANSYNC_SERVER_OPEN_STORE_H_
#define PLANSYNC_SERVER_OPEN_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/server_store.h"

namespace plansync::server {

struct StoreChoice {
  std::string db;       // the --db value
  bool durable = true;  // SQLite: synchronous=FULL (PostgreSQL: its config)
  int pool_size = 8;    // PostgreSQL: connections kept open
};

absl::StatusOr<std::unique_ptr<ServerStore>> OpenServerStore(
    const StoreChoice& choice);

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_OPEN_STORE_H_
