#include "server/open_store.h"

#include "server/postgres_server_store.h"
#include "server/sqlite_server_store.h"

namespace plansync::server {

absl::StatusOr<std::unique_ptr<ServerStore>> OpenServerStore(
    const StoreChoice& choice) {
  if (IsPostgresUri(choice.db)) {
    PostgresServerStoreOptions options;
    options.conninfo = choice.db;
    options.pool_size = choice.pool_size;
    return OpenPostgresServerStore(options);
  }
  SqliteServerStoreOptions options;
  options.path = choice.db;
  options.durable = choice.durable;
  return OpenSqliteServerStore(options);
}

}  // namespace plansync::server
