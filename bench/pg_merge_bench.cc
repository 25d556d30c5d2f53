// Server merge throughput on the PostgreSQL store (targets in
// BENCHMARKS.md), against a plain prepared loop writing the same rows in the
// same run, and with three server processes over one database.
//
//   pg_merge_bench [--quick]
//
// PostgreSQL: a throwaway cluster started by scripts/pg-cluster --durable
// (every commit flushed: fsync on, synchronous_commit on), or the server
// PLANSYNC_BENCH_PG_URI names (its `postgres` database; the benchmark makes
// and drops databases of its own).
//
// Setup (not timed): the workload of server_merge_bench
// (bench/merge_workload.h): a seed SQLite server store with a district, and N
// changes of the user's device cut into pushes of 1000 (N = 200,000; 50,000
// with --quick). The seed store is copied into a PostgreSQL database, `seed`,
// through the ServerStore interface (items in feed order, the user's grants,
// the tokens); each merge part starts from a copy of it (CREATE DATABASE ...
// TEMPLATE).
//
// The parts, in this order in each of three rounds (one with --quick):
// - raw_pg: the rows the PostgreSQL store writes for the changes, by a plain
//   loop of prepared statements (binary parameters) in transactions of 1000:
//   per change one statement (an upsert into `items` and an insert into
//   `history`); per transaction the `applied` rows in one statement and the
//   bucket's head. (The store itself writes a push's items in one statement:
//   ServerTransaction::Prefetch.)
//   Metric raw_pg_insert_per_s.
// - merge_pg: one real plansync-server process (--db=postgresql://…, a pool
//   of 8) on loopback; the device's token, so every change is authorized;
//   plaintext. One client pushes the requests one after the other, as a
//   replicator does. Metric server_merge_pg_per_s: N / wall seconds from the
//   first push to the last answer; every change must be ACCEPTED and the
//   database must then hold the expected new items.
// - merge_pg_3proc: three plansync-server processes over one database; the
//   requests are spread round robin over three clients, one per process,
//   pushing at once. Metric server_merge_pg_3proc_per_s.
// Ratios, each the median of the rounds' ratios: server_merge_pg_vs_raw_ratio
// (merge_pg over raw_pg) and server_merge_pg_3proc_ratio (merge_pg_3proc
// over merge_pg).
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "bench/harness.h"
#include "bench/loopback_server.h"
#include "bench/merge_workload.h"
#include "bench/pg_cluster.h"
#include "bench/server_process.h"
#include "core/status_macros.h"
#include "server/merger.h"
#include "server/pg/connection.h"
#include "server/postgres_server_store.h"
#include "server/sqlite_server_store.h"
#include "sync/grpc_transport.h"

namespace plansync::bench {
namespace {

using server::pg::Connection;
using server::pg::Params;

constexpr int kRounds = 3;

// Copies the seed SQLite store into the PostgreSQL database at `uri`
// through the ServerStore interface: every bucket's items in feed order,
// the district user's grants, every token.
absl::Status CopySeed(const std::string& seed_path, const std::string& uri,
                      const District& district) {
  server::SqliteServerStoreOptions sqlite_options;
  sqlite_options.path = seed_path;
  ASSIGN_OR_RETURN(std::unique_ptr<server::ServerStore> from,
                   server::OpenSqliteServerStore(sqlite_options));
  server::PostgresServerStoreOptions pg_options;
  pg_options.conninfo = uri;
  pg_options.pool_size = 2;
  ASSIGN_OR_RETURN(std::unique_ptr<server::ServerStore> to,
                   server::OpenPostgresServerStore(pg_options));
  ASSIGN_OR_RETURN(std::vector<std::string> buckets, from->Buckets());
  ASSIGN_OR_RETURN(std::unique_ptr<server::ServerTransaction> txn, to->Begin());
  RETURN_IF_ERROR(txn->LockBuckets(buckets));
  for (const std::string& bucket : buckets) {
    std::vector<server::FeedItem> items;
    RETURN_IF_ERROR(from->ReadFeed(bucket, 0, 1'000'000, &items));
    for (const server::FeedItem& item : items) {
      const int field =
          item.change.has_field_write()
              ? static_cast<int>(item.change.field_write().field_number())
              : 0;
      RETURN_IF_ERROR(
          txn->PutItem(item.change, field, item.change.SerializeAsString())
              .status());
    }
  }
  ASSIGN_OR_RETURN(std::vector<server::Grant> grants,
                   from->GrantsOf(district.user_id));
  for (const server::Grant& grant : grants) {
    RETURN_IF_ERROR(txn->PutGrant(grant));
  }
  RETURN_IF_ERROR(txn->Commit());
  ASSIGN_OR_RETURN(std::vector<server::TokenRecord> tokens,
                   from->ListTokens(""));
  for (const server::TokenRecord& token : tokens) {
    RETURN_IF_ERROR(to->AddToken(token));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ItemCount(const std::string& uri) {
  ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(uri));
  ASSIGN_OR_RETURN(server::pg::Result r,
                   conn->Query("SELECT count(*) FROM items", Params()));
  return r.Int(0, 0);
}

// --- raw_pg --------------------------------------------------------------

absl::StatusOr<double> RawInsert(const std::string& uri,
                                 const std::vector<v1::PushRequest>& requests,
                                 int total) {
  const std::vector<std::vector<RawRow>> batches = RawRows(requests);
  ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(uri));
  RETURN_IF_ERROR(conn->Exec(R"sql(
    CREATE TABLE buckets (bucket TEXT PRIMARY KEY, head BIGINT NOT NULL,
      digest BYTEA);
    CREATE TABLE items (record_type TEXT NOT NULL, record_id TEXT NOT NULL,
      field INTEGER NOT NULL, bucket TEXT NOT NULL, seq BIGINT NOT NULL,
      hlc BIGINT NOT NULL, replica_id TEXT NOT NULL, change BYTEA NOT NULL,
      PRIMARY KEY (record_type, record_id, field));
    CREATE UNIQUE INDEX items_feed ON items (bucket, seq);
    CREATE TABLE history (bucket TEXT NOT NULL, seq BIGINT NOT NULL,
      accepted_ms BIGINT NOT NULL, change BYTEA NOT NULL,
      PRIMARY KEY (bucket, seq));
    CREATE TABLE applied (replica_id TEXT NOT NULL, replica_seq BIGINT NOT NULL,
      digest BIGINT NOT NULL, PRIMARY KEY (replica_id, replica_seq));
  )sql"));
  // Per change one statement (the item and its history row); per
  // transaction the applied ids in one statement and the bucket's head: the
  // round trips of the store at its best.
  RETURN_IF_ERROR(conn->Prepare(
      "item",
      "WITH item AS (INSERT INTO items (record_type, record_id, field, "
      "bucket, seq, hlc, replica_id, change) VALUES ($1, $2, $3::int8, $4, "
      "$5::int8, $6::int8, $7, $8::bytea) ON CONFLICT (record_type, "
      "record_id, field) DO UPDATE SET bucket = excluded.bucket, seq = "
      "excluded.seq, hlc = excluded.hlc, replica_id = excluded.replica_id, "
      "change = excluded.change RETURNING 1) INSERT INTO history (bucket, "
      "seq, accepted_ms, change) VALUES ($4, $5::int8, 0, $8::bytea)"));
  RETURN_IF_ERROR(conn->Prepare(
      "applied",
      "INSERT INTO applied (replica_id, replica_seq, digest) SELECT * FROM "
      "unnest($1::text[], $2::int8[], $3::int8[])"));
  RETURN_IF_ERROR(conn->Prepare(
      "head",
      "INSERT INTO buckets (bucket, head) VALUES ($1, $2::int8) ON CONFLICT "
      "(bucket) DO UPDATE SET head = excluded.head"));
  int64_t seq = 0;
  Timer timer;
  for (const std::vector<RawRow>& rows : batches) {
    RETURN_IF_ERROR(conn->Exec("BEGIN"));
    std::vector<std::string> replicas;
    std::vector<int64_t> replica_seqs, digests;
    for (const RawRow& row : rows) {
      const v1::Change& change = *row.change;
      ++seq;
      RETURN_IF_ERROR(
          conn->Run("item", Params()
                                .Text(change.record_type())
                                .Text(change.record_id())
                                .Int(row.field)
                                .Text(change.bucket())
                                .Int(seq)
                                .Int(static_cast<int64_t>(change.hlc()))
                                .Text(change.replica_id())
                                .Blob(row.bytes))
              .status());
      replicas.push_back(change.replica_id());
      replica_seqs.push_back(static_cast<int64_t>(change.replica_seq()));
      digests.push_back(static_cast<int64_t>(row.digest));
    }
    RETURN_IF_ERROR(conn->Run("applied", Params()
                                             .TextArray(replicas)
                                             .IntArray(replica_seqs)
                                             .IntArray(digests))
                        .status());
    RETURN_IF_ERROR(
        conn->Run("head", Params().Text(rows.front().change->bucket()).Int(seq))
            .status());
    RETURN_IF_ERROR(conn->Exec("COMMIT"));
  }
  const double seconds = timer.Seconds();
  std::printf("[raw_pg] %d changes in %zu transactions: %.3f s\n", total,
              batches.size(), seconds);
  std::fflush(stdout);
  return total / seconds;
}

// --- merge_pg, merge_pg_3proc ------------------------------------------------

// Pushes `requests` through `processes` plansync-server processes over the
// database at `uri` (a copy of the seed), spread round robin, one client
// per process, all at once; changes per second.
absl::StatusOr<double> Merge(const std::string& uri, int processes,
                             const District& district,
                             const std::vector<v1::PushRequest>& requests,
                             int total) {
  ASSIGN_OR_RETURN(const int64_t items_before, ItemCount(uri));
  std::vector<std::unique_ptr<ServerProcess>> servers;
  std::vector<std::unique_ptr<sync::GrpcTransport>> clients;
  for (int i = 0; i < processes; ++i) {
    ASSIGN_OR_RETURN(servers.emplace_back(),
                     ServerProcess::Start(PLANSYNC_SERVER_BINARY, uri));
    sync::TransportOptions options;
    options.token = district.token;
    clients.push_back(std::make_unique<sync::GrpcTransport>(
        ClientChannel(servers.back()->address(), /*own_connection=*/true),
        options));
    RETURN_IF_ERROR(clients.back()->Hello(v1::HelloRequest()).status());
  }
  std::atomic<int64_t> accepted{0};
  std::vector<absl::Status> errors(static_cast<size_t>(processes));
  Timer timer;
  std::vector<std::thread> threads;
  for (int p = 0; p < processes; ++p) {
    threads.emplace_back([&, p] {
      for (size_t i = static_cast<size_t>(p); i < requests.size();
           i += static_cast<size_t>(processes)) {
        absl::StatusOr<v1::PushResponse> response =
            clients[static_cast<size_t>(p)]->Push(requests[i]);
        if (!response.ok()) {
          errors[static_cast<size_t>(p)] = response.status();
          return;
        }
        for (const v1::ChangeResult& result : response->results()) {
          if (result.status() != v1::ChangeResult::ACCEPTED) {
            errors[static_cast<size_t>(p)] = absl::InternalError(absl::StrCat(
                "a change was not accepted: ", result.ShortDebugString()));
            return;
          }
        }
        accepted += response->results_size();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double seconds = timer.Seconds();
  for (const absl::Status& error : errors) RETURN_IF_ERROR(error);
  double server_cpu = 0;
  for (auto& server : servers) {
    double cpu = 0;
    RETURN_IF_ERROR(server->Stop(nullptr, &cpu));
    server_cpu += cpu;
  }
  ASSIGN_OR_RETURN(int64_t items, ItemCount(uri));
  items -= items_before;
  const int64_t expected = ExpectedItems(requests);
  // Spread over processes, a register write can arrive before an older one
  // and leave a Conflict entry besides: at least the expected items.
  if (accepted.load() != total || items < expected ||
      (processes == 1 && items != expected)) {
    return absl::InternalError(
        absl::StrCat("expected ", total, " accepted changes and ", expected,
                     " new items; got ", accepted.load(), " and ", items));
  }
  std::printf(
      "[merge_pg%s] %d changes in %zu pushes through %d process%s: %.3f s "
      "(%lld new items); server CPU %.2f s\n",
      processes == 1 ? "" : "_3proc", total, requests.size(), processes,
      processes == 1 ? "" : "es", seconds, static_cast<long long>(items),
      server_cpu);
  std::fflush(stdout);
  return total / seconds;
}

absl::Status Run(const Flags& flags) {
  const int total = flags.quick ? 50'000 : 200'000;
  ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Make("plansync-pg-bench"));
  ASSIGN_OR_RETURN(std::unique_ptr<Cluster> cluster,
                   Cluster::Start(dir.File("cluster")));
  std::printf(
      "pg_merge_bench%s: PostgreSQL with every commit flushed; files in %s\n"
      "  %d changes pushed in batches of %d\n",
      flags.quick ? " --quick" : "", dir.path().c_str(), total, kBatchSize);
  std::fflush(stdout);
  Timer setup;
  const std::string seed_path = dir.File("seed.sqlite");
  ASSIGN_OR_RETURN(const District district, SeedServerStore(seed_path));
  ASSIGN_OR_RETURN(
      std::vector<v1::PushRequest> requests,
      MakeChanges(dir.File("device.sqlite"), seed_path, district, total));
  RETURN_IF_ERROR(cluster->Create("seed"));
  RETURN_IF_ERROR(CopySeed(seed_path, cluster->Uri("seed"), district));
  std::printf("  setup %.1f s\n", setup.Seconds());

  const int rounds = flags.quick ? 1 : kRounds;
  std::map<std::string, std::vector<double>> per_s;
  for (int round = 1; round <= rounds; ++round) {
    if (rounds > 1) std::printf("round %d of %d\n", round, rounds);
    RETURN_IF_ERROR(cluster->Create("raw"));
    ASSIGN_OR_RETURN(double raw,
                     RawInsert(cluster->Uri("raw"), requests, total));
    per_s["raw_pg"].push_back(raw);
    RETURN_IF_ERROR(cluster->Drop("raw"));
    for (int processes : {1, 3}) {
      const std::string name = processes == 1 ? "merge1" : "merge3";
      RETURN_IF_ERROR(cluster->Create(name, "seed"));
      ASSIGN_OR_RETURN(double rate, Merge(cluster->Uri(name), processes,
                                          district, requests, total));
      per_s[processes == 1 ? "merge_pg" : "merge_pg_3proc"].push_back(rate);
      RETURN_IF_ERROR(cluster->Drop(name));
    }
  }
  auto ratio = [&](const std::string& a, const std::string& b) {
    std::vector<double> each;
    for (size_t i = 0; i < per_s[a].size(); ++i) {
      each.push_back(per_s[a][i] / per_s[b][i]);
    }
    return Percentile(each, 50);
  };
  std::printf("results:\n");
  PrintMetric("server_merge_pg_per_s", Percentile(per_s["merge_pg"], 50),
              "changes/s", 0);
  PrintMetric("raw_pg_insert_per_s", Percentile(per_s["raw_pg"], 50),
              "changes/s", 0);
  PrintMetric("server_merge_pg_vs_raw_ratio", ratio("merge_pg", "raw_pg"), "",
              3);
  PrintMetric("server_merge_pg_3proc_per_s",
              Percentile(per_s["merge_pg_3proc"], 50), "changes/s", 0);
  PrintMetric("server_merge_pg_3proc_ratio",
              ratio("merge_pg_3proc", "merge_pg"), "", 3);
  return absl::OkStatus();
}

}  // namespace
}  // namespace plansync::bench

int main(int argc, char** argv) {
  return plansync::bench::BenchMain(argc, argv, "pg_merge_bench",
                                    plansync::bench::Run);
}
