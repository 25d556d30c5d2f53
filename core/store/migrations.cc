#include "core/store/migrations.h"

#include "absl/strings/string_view.h"

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"

namespace plansync::internal {
namespace {

// kSteps[v - 1] moves a store from version v - 1 to version v.
constexpr absl::string_view kSteps[] = {
    // 1: identity, replica directory, outbox and pull cursors.
    R"sql(
      CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
      CREATE TABLE replicas (
        idx INTEGER PRIMARY KEY,
        replica_id TEXT NOT NULL UNIQUE);
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        bucket TEXT NOT NULL,
        change BLOB NOT NULL);
      CREATE TABLE cursors (
        bucket TEXT PRIMARY KEY NOT NULL,
        cursor INTEGER NOT NULL);
    )sql",
    // 2: a change the server rejects stays in the outbox, marked, with the
    // reason, for its user to see; sync bookkeeping in sync_state.
    R"sql(
      ALTER TABLE outbox ADD COLUMN state INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE outbox ADD COLUMN reject_reason INTEGER;
      ALTER TABLE outbox ADD COLUMN reject_message TEXT;
      CREATE INDEX outbox_by_state ON outbox (state, seq);
      CREATE TABLE sync_state (key TEXT PRIMARY KEY NOT NULL, value INTEGER);
    )sql",
    // 3: changes from the server this build could not apply (say, a field
    // added by a newer plansync) are held, not dropped, and tried again.
    R"sql(
      CREATE TABLE held (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        change BLOB NOT NULL,
        reason INTEGER NOT NULL,
        message TEXT NOT NULL);
    )sql",
    // 4: the access log became a mutable record kept in `access_log` (one
    // record per accessor, student and day). The old log-entry table never
    // held rows: no server wrote access entries before this version.
    R"sql(
      DROP TABLE IF EXISTS access_log_entries;
    )sql",
    // 5: where each log entry stands in its bucket's feed on the server, and
    // when the server accepted it (the evidence packet shows both). Read by
    // bucket only for a packet or an eviction: no index.
    R"sql(
      CREATE TABLE feed_receipts (
        record_id TEXT PRIMARY KEY NOT NULL,
        bucket TEXT NOT NULL,
        feed_seq INTEGER NOT NULL,
        accepted_hlc INTEGER NOT NULL);
    )sql",
};
static_assert(std::size(kSteps) == kDeviceSchemaVersion);

}  // namespace

absl::Status MigrateDeviceStore(Database& db) {
  ASSIGN_OR_RETURN(int64_t version, db.QueryInt("PRAGMA user_version"));
  if (version > kDeviceSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the store file has schema version ", version,
        ", written by a newer plansync; this build reads up to version ",
        kDeviceSchemaVersion));
  }
  for (int64_t next = version + 1; next <= kDeviceSchemaVersion; ++next) {
    RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    absl::Status status = db.Exec(kSteps[next - 1]);
    if (status.ok()) {
      status = db.Exec(absl::StrCat("PRAGMA user_version = ", next));
    }
    if (!status.ok()) {
      db.Exec("ROLLBACK").IgnoreError();
      return absl::Status(status.code(),
                          absl::StrCat("migration to schema version ", next,
                                       " failed: ", status.message()));
    }
    RETURN_IF_ERROR(db.Exec("COMMIT"));
  }
  return absl::OkStatus();
}

}  // namespace plansync::internal
