// Server merge throughput over gRPC on loopback (DESIGN.md section 9, second
// row), with a raw SQLite upsert baseline measured in the same run on the
// same disk.
//
//   server_merge_bench [--quick] [--only=PART]
//
// Setup (not timed): a device store (a real DeviceStore file) writes N
// changes: 90% ImplementationConfirmation log entries (DeviceStore::Append)
// and 10% register writes (DeviceStore::Update of an Accommodation's title or
// description, 50 accommodations), 1000 per transaction; they are read back
// from its outbox with PendingChanges and cut into PushRequests of 1000 (the
// server's default max_changes_per_push). N is 200,000 (50,000 with
// --quick). Every file lives in a scratch directory under $TMPDIR, removed at
// the end. The parts, in the order they run (--only=PART runs one):
//
// - merge: a gRPC server in this process on 127.0.0.1 (GrpcSyncService over
//   SyncHandlers over a SQLite server store with durable = true, i.e.
//   synchronous=FULL; DevAuthenticator), and a GrpcTransport pushing the
//   requests one after the other, as a replicator does. Metric
//   server_merge_per_s: N / wall seconds from the first Push to the last
//   answer. Every change must come back ACCEPTED and the store must then
//   hold the expected number of items.
// - raw: the same rows written with the sqlite3 C API (WAL,
//   synchronous=FULL, prepared statements, 1000 changes per transaction) into
//   tables shaped like server/sqlite_server_store.cc's: per change an upsert
//   into `items` (WITHOUT ROWID, primary key (record_type, record_id, field),
//   unique index (bucket, seq)) with the change's serialized bytes, and an
//   insert into `applied`; per transaction the `meta` next_seq update.
//   Metric raw_sqlite_upsert_per_s; and server_merge_vs_raw_ratio =
//   server_merge_per_s / raw_sqlite_upsert_per_s.
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "bench/caseload.h"
#include "bench/harness.h"
#include "bench/loopback_server.h"
#include "bench/raw_sqlite.h"
#include "core/device_store.h"
#include "core/status_macros.h"
#include "plansync/v1/records.pb.h"
#include "plansync/v1/sync.pb.h"
#include "server/merger.h"
#include "sync/grpc_transport.h"

namespace plansync::bench {
namespace {

constexpr int kBatchSize = 1000;  // = ServerLimits::max_changes_per_push
constexpr int kAccommodations = 50;

// --- The changes -------------------------------------------------------------

// Writes `total` changes on a device store at `path` (after the caseload's
// own creation changes: together exactly `total`) and returns them, cut into
// push requests of kBatchSize, oldest first.
absl::StatusOr<std::vector<v1::PushRequest>> MakeChanges(
    const std::string& path, int total) {
  DeviceStoreOptions options;
  options.path = path;
  options.principal_id = std::string(kBenchPrincipal);
  options.seed = 20261124;
  options.durable = false;  // setup, not measured
  ASSIGN_OR_RETURN(std::unique_ptr<DeviceStore> store,
                   DeviceStore::Open(options));
  ASSIGN_OR_RETURN(Caseload caseload, CreateCaseload(*store, kAccommodations));
  ASSIGN_OR_RETURN(int64_t pending, store->PendingCount());
  int log_entries = 0, field_writes = static_cast<int>(pending);
  for (int64_t i = 0; pending + i < total;) {
    ASSIGN_OR_RETURN(WriteTransaction txn, store->BeginWrite());
    for (const int64_t end = std::min<int64_t>(total - pending, i + kBatchSize);
         i < end; ++i) {
      if (i % 10 == 9) {
        // A register write: the title or the description of an
        // accommodation, to a value it does not hold yet.
        const int64_t n = i / 10;
        v1::Accommodation values;
        values.set_id(caseload.accommodation_ids[static_cast<size_t>(n) %
                                                 kAccommodations]);
        const bool title = (n / kAccommodations) % 2 == 0;
        if (title) {
          values.set_title(absl::StrCat("Extended time, revision ", n));
        } else {
          values.set_description(absl::StrCat(
              "1.5x time on tests and quizzes (revision ", n, ")"));
        }
        const absl::string_view field = title ? "title" : "description";
        RETURN_IF_ERROR(store->Update(txn, values, {&field, 1}));
        ++field_writes;
      } else {
        v1::ImplementationConfirmation entry = Confirmation(caseload, i);
        RETURN_IF_ERROR(store->Append(txn, entry).status());
        ++log_entries;
      }
    }
    RETURN_IF_ERROR(txn.Commit());
  }
  ASSIGN_OR_RETURN(std::vector<OutboxEntry> outbox,
                   store->PendingChanges(static_cast<size_t>(total) + 1));
  if (static_cast<int>(outbox.size()) != total) {
    return absl::InternalError(absl::StrCat(
        "the device's outbox holds ", outbox.size(), " changes, not ", total));
  }
  std::vector<v1::PushRequest> requests;
  for (size_t i = 0; i < outbox.size(); ++i) {
    if (i % kBatchSize == 0) requests.emplace_back();
    *requests.back().add_changes() = std::move(outbox[i].change);
  }
  std::printf("  changes: %d log entries + %d register writes\n", log_entries,
              field_writes);
  return requests;
}

// The number of items the server holds after merging `requests`: one per log
// entry and one per distinct (record, field) written.
int64_t ExpectedItems(const std::vector<v1::PushRequest>& requests) {
  int64_t log_entries = 0;
  std::set<std::pair<std::string, uint32_t>> registers;
  for (const v1::PushRequest& request : requests) {
    for (const v1::Change& change : request.changes()) {
      if (change.has_field_write()) {
        registers.emplace(change.record_id(),
                          change.field_write().field_number());
      } else {
        ++log_entries;
      }
    }
  }
  return log_entries + static_cast<int64_t>(registers.size());
}

// Mean serialized size of a change, in bytes.
double MeanChangeBytes(const std::vector<v1::PushRequest>& requests) {
  double bytes = 0, count = 0;
  for (const v1::PushRequest& request : requests) {
    for (const v1::Change& change : request.changes()) {
      bytes += static_cast<double>(change.ByteSizeLong());
      ++count;
    }
  }
  return count > 0 ? bytes / count : 0;
}

// --- Merge over gRPC ---------------------------------------------------------

absl::StatusOr<double> Merge(const std::string& db_path,
                             const std::vector<v1::PushRequest>& requests,
                             int total) {
  ASSIGN_OR_RETURN(std::unique_ptr<LoopbackServer> server,
                   LoopbackServer::Start(db_path, /*durable=*/true));
  sync::TransportOptions transport_options;
  transport_options.principal_id = std::string(kBenchPrincipal);
  sync::GrpcTransport transport(
      ClientChannel(server->address(), /*own_connection=*/true),
      transport_options);
  // Connect before the clock starts.
  RETURN_IF_ERROR(transport.Hello(v1::HelloRequest()).status());

  int64_t accepted = 0;
  Timer timer;
  for (const v1::PushRequest& request : requests) {
    ASSIGN_OR_RETURN(v1::PushResponse response, transport.Push(request));
    for (const v1::ChangeResult& result : response.results()) {
      if (result.status() != v1::ChangeResult::ACCEPTED) {
        return absl::InternalError(absl::StrCat("a change was not accepted: ",
                                                result.ShortDebugString()));
      }
    }
    accepted += response.results_size();
  }
  const double seconds = timer.Seconds();

  ASSIGN_OR_RETURN(int64_t items, server->store().ItemCount());
  const int64_t expected = ExpectedItems(requests);
  if (accepted != total || items != expected) {
    return absl::InternalError(
        absl::StrCat("expected ", total, " accepted changes and ", expected,
                     " items; got ", accepted, " and ", items));
  }
  std::printf(
      "[merge] %d changes in %zu pushes over gRPC: %.3f s (%lld items)\n",
      total, requests.size(), seconds, static_cast<long long>(items));
  return total / seconds;
}

// --- Raw SQLite upserts ------------------------------------------------------

// Upserts the rows of `requests` as server/sqlite_server_store.cc would
// store them, with nothing else; changes per second.
absl::StatusOr<double> RawUpsert(const std::string& path,
                                 const std::vector<v1::PushRequest>& requests,
                                 int total) {
  // What the store binds, computed before the clock starts: the serialized
  // change, the field number (0 for a log entry) and the content digest.
  struct Row {
    const v1::Change* change;
    int field;
    std::string bytes;
    uint64_t digest;
  };
  std::vector<std::vector<Row>> batches;
  for (const v1::PushRequest& request : requests) {
    std::vector<Row>& rows = batches.emplace_back();
    for (const v1::Change& change : request.changes()) {
      rows.push_back(
          Row{&change,
              change.has_field_write()
                  ? static_cast<int>(change.field_write().field_number())
                  : 0,
              change.SerializeAsString(),
              server::Fnv1a(change.SerializeAsString())});
    }
  }

  ASSIGN_OR_RETURN(raw::DbPtr db, raw::Open(path));
  sqlite3* d = db.get();
  RETURN_IF_ERROR(raw::Exec(d, "PRAGMA journal_mode = WAL"));
  RETURN_IF_ERROR(raw::Exec(d, "PRAGMA synchronous = FULL"));
  RETURN_IF_ERROR(raw::Exec(d, R"sql(
    CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
    INSERT INTO meta (key, value) VALUES ('next_seq', 1);
    CREATE TABLE items (
      record_type TEXT NOT NULL, record_id TEXT NOT NULL,
      field INTEGER NOT NULL, bucket TEXT NOT NULL, seq INTEGER NOT NULL,
      hlc INTEGER NOT NULL, replica_id TEXT NOT NULL, change BLOB NOT NULL,
      PRIMARY KEY (record_type, record_id, field)) WITHOUT ROWID;
    CREATE UNIQUE INDEX items_feed ON items (bucket, seq);
    CREATE TABLE applied (
      replica_id TEXT NOT NULL, replica_seq INTEGER NOT NULL,
      digest INTEGER NOT NULL,
      PRIMARY KEY (replica_id, replica_seq)) WITHOUT ROWID;
  )sql"));
  ASSIGN_OR_RETURN(raw::StmtPtr begin, raw::Prepare(d, "BEGIN IMMEDIATE"));
  ASSIGN_OR_RETURN(raw::StmtPtr commit, raw::Prepare(d, "COMMIT"));
  ASSIGN_OR_RETURN(
      raw::StmtPtr upsert,
      raw::Prepare(d,
                   "INSERT INTO items (record_type, record_id, field, bucket, "
                   "seq, hlc, replica_id, change) VALUES (?1, ?2, ?3, ?4, ?5, "
                   "?6, ?7, ?8) ON CONFLICT (record_type, record_id, field) DO "
                   "UPDATE SET bucket = excluded.bucket, seq = excluded.seq, "
                   "hlc = excluded.hlc, replica_id = excluded.replica_id, "
                   "change = excluded.change"));
  ASSIGN_OR_RETURN(raw::StmtPtr applied,
                   raw::Prepare(d,
                                "INSERT INTO applied (replica_id, replica_seq, "
                                "digest) VALUES (?1, ?2, ?3)"));
  ASSIGN_OR_RETURN(
      raw::StmtPtr save_seq,
      raw::Prepare(d, "UPDATE meta SET value = ?1 WHERE key = 'next_seq'"));

  int64_t seq = 1;
  Timer timer;
  for (const std::vector<Row>& rows : batches) {
    RETURN_IF_ERROR(raw::Run(d, begin.get(), "begin"));
    for (const Row& row : rows) {
      const v1::Change& change = *row.change;
      sqlite3_stmt* s = upsert.get();
      raw::BindText(s, 1, change.record_type());
      raw::BindText(s, 2, change.record_id());
      sqlite3_bind_int(s, 3, row.field);
      raw::BindText(s, 4, change.bucket());
      sqlite3_bind_int64(s, 5, seq++);
      sqlite3_bind_int64(s, 6, static_cast<int64_t>(change.hlc()));
      raw::BindText(s, 7, change.replica_id());
      raw::BindBlob(s, 8, row.bytes);
      RETURN_IF_ERROR(raw::Run(d, s, "upsert item"));
      s = applied.get();
      raw::BindText(s, 1, change.replica_id());
      sqlite3_bind_int64(s, 2, static_cast<int64_t>(change.replica_seq()));
      sqlite3_bind_int64(s, 3, static_cast<int64_t>(row.digest));
      RETURN_IF_ERROR(raw::Run(d, s, "insert applied"));
    }
    sqlite3_bind_int64(save_seq.get(), 1, seq);
    RETURN_IF_ERROR(raw::Run(d, save_seq.get(), "save seq"));
    RETURN_IF_ERROR(raw::Run(d, commit.get(), "commit"));
  }
  const double seconds = timer.Seconds();
  std::printf("[raw] %d upserts in %zu transactions: %.3f s\n", total,
              batches.size(), seconds);
  return total / seconds;
}

constexpr absl::string_view kParts[] = {"merge", "raw"};

absl::Status Run(const Flags& flags) {
  const int total = flags.quick ? 50'000 : 200'000;
  if (!flags.only.empty() && std::find(std::begin(kParts), std::end(kParts),
                                       flags.only) == std::end(kParts)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--only: no part \"", flags.only, "\"; the parts are merge and raw"));
  }
  auto runs = [&](absl::string_view part) {
    return flags.only.empty() || flags.only == part;
  };
  ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Make("plansync-bench"));
  std::printf(
      "server_merge_bench%s: SQLite %s, WAL, synchronous=FULL, files in %s\n"
      "  %d changes pushed in batches of %d\n",
      flags.quick ? " --quick" : "", sqlite3_libversion(), dir.path().c_str(),
      total, kBatchSize);
  std::fflush(stdout);
  Timer setup;
  ASSIGN_OR_RETURN(std::vector<v1::PushRequest> requests,
                   MakeChanges(dir.File("device.sqlite"), total));
  std::printf("  mean serialized change: %.0f bytes; setup %.1f s\n",
              MeanChangeBytes(requests), setup.Seconds());
  std::fflush(stdout);

  std::optional<double> merge_per_s, raw_per_s;
  if (runs("merge")) {
    ASSIGN_OR_RETURN(merge_per_s,
                     Merge(dir.File("server.sqlite"), requests, total));
  }
  if (runs("raw")) {
    ASSIGN_OR_RETURN(raw_per_s,
                     RawUpsert(dir.File("raw.sqlite"), requests, total));
  }
  std::printf("results:\n");
  if (merge_per_s) {
    PrintMetric("server_merge_per_s", *merge_per_s, "changes/s", 0);
  }
  if (raw_per_s) {
    PrintMetric("raw_sqlite_upsert_per_s", *raw_per_s, "changes/s", 0);
  }
  if (merge_per_s && raw_per_s) {
    PrintMetric("server_merge_vs_raw_ratio", *merge_per_s / *raw_per_s, "", 3);
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace plansync::bench

int main(int argc, char** argv) {
  return plansync::bench::BenchMain(argc, argv, "server_merge_bench",
                                    plansync::bench::Run);
}
