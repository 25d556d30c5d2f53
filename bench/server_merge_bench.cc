// Server merge throughput over gRPC on loopback (a target in
// BENCHMARKS.md), with and without authentication, TLS and authorization, and a
// raw SQLite upsert baseline measured in the same run on the same disk.
//
//   server_merge_bench [--quick] [--only=PART[,PART...]]
//
// Setup (not timed):
// - A seed server store, written as a district administrator would (with
//   server::Admin, as `plansync-server admin` does): a user, a student, two
//   assignments of the user to the student (CASE_MANAGER and TEACHER), and a
//   device token for the user.
// - The user's device (a real DeviceStore file) pulls the seed over gRPC
//   with that token, receiving the student, then writes N changes: a Plan
//   and 50 Accommodations of the student, then 90%
//   ImplementationConfirmation log entries (DeviceStore::Append, authored by
//   the user: a teacher's) and 10% register writes (DeviceStore::Update of an
//   Accommodation's title or description: a case manager's), 1000 per
//   transaction. They are read back from its outbox with PendingChanges and
//   cut into PushRequests of 1000 (the server's default
//   max_changes_per_push). N is 200,000 (50,000 with --quick).
// - First, for the TLS parts, a self-signed certificate for 127.0.0.1 made by
//   the openssl command (ECDSA P-256).
// Every file lives in a scratch directory under $TMPDIR, removed at the end.
//
// The parts (--only runs those named; by default merge, merge_auth and raw):
//
// - merge: a copy of the seed store, served by a gRPC server in this process
//   on 127.0.0.1 (GrpcSyncService over SyncHandlers over a SQLite server
//   store with durable = true, i.e. synchronous=FULL), plaintext, with
//   DevAuthenticator (the user named in metadata, unrestricted: changes are
//   checked but not authorized). A GrpcTransport pushes the requests one
//   after the other, as a replicator does. Metric server_merge_per_s: N /
//   wall seconds from the first Push to the last answer. Every change must
//   come back ACCEPTED and the store must then hold the expected number of
//   new items. The process's CPU time over the pushes (client and server
//   together) is printed too.
// - merge_tokens (diagnostic, not run by default): as merge, with the
//   device token (TokenAuthenticator, as plansync-server) and so every
//   change authorized against the user's roles on the student; plaintext.
// - merge_tls (diagnostic, not run by default): as merge, over TLS.
// - merge_auth: as merge, with the token, per-change authorization and TLS
//   together, as plansync-server serves a network address. Metrics
//   server_merge_with_auth_per_s, and server_merge_auth_ratio (its rate over
//   merge's) when both ran.
// - raw: the same rows written with the sqlite3 C API (WAL,
//   synchronous=FULL, prepared statements, 1000 changes per transaction) into
//   tables shaped like server/sqlite_server_store.cc's: per change an upsert
//   into `items` (WITHOUT ROWID, primary key (record_type, record_id, field),
//   unique index (bucket, seq)) with the change's serialized bytes, an insert
//   into `history` and one into `applied`; per transaction the bucket's head.
//   Metric raw_sqlite_upsert_per_s; and server_merge_vs_raw_ratio, merge's
//   rate over raw's.
//
// The parts run in three rounds (one with --quick): each round runs every
// selected part once on fresh files, raw first and then the others in the
// order above, so that merge runs next to raw and to merge_auth. Each rate
// metric is the median of its three rounds, and each ratio the median of the
// three rounds' ratios (a part against the part run just before or after it),
// so that a slow spell of a shared machine weighs on both sides of a ratio.
//
// Dirty pages are flushed (sync()) before each part, so that the setup's
// writes are not written back during one part and not another.
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "bench/caseload.h"
#include "bench/harness.h"
#include "bench/loopback_server.h"
#include "bench/merge_workload.h"
#include "bench/raw_sqlite.h"
#include "bench/tls.h"
#include "core/clock.h"
#include "core/device_store.h"
#include "core/status_macros.h"
#include "plansync/v1/records.pb.h"
#include "plansync/v1/sync.pb.h"
#include "server/admin.h"
#include "server/merger.h"
#include "server/sqlite_server_store.h"
#include "sync/grpc_transport.h"
#include "sync/replicator.h"

namespace plansync::bench {
namespace {

constexpr int kRounds = 3;  // rounds of the parts (1 with --quick)

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

// User and system CPU seconds of this process (client and server) so far.
double CpuSeconds() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) /
             1e6;
}

// How a merge part serves and authenticates.
struct MergePart {
  absl::string_view name;
  // Device token and per-change authorization (else DevAuthenticator).
  bool tokens;
  bool tls;
  absl::string_view description;
};

constexpr MergePart kMergeParts[] = {
    {"merge", false, false, "plaintext, DevAuthenticator"},
    {"merge_tokens", true, false, "plaintext, token, authorization"},
    {"merge_tls", false, true, "TLS, DevAuthenticator"},
    {"merge_auth", true, true, "TLS, token, authorization"},
};

// Pushes `requests` to a copy of the seed store at `db_path`, served as
// `part` says; changes per second.
absl::StatusOr<double> Merge(const MergePart& part,
                             const std::string& seed_path,
                             const std::string& db_path,
                             const District& district, const TlsIdentity& tls,
                             const std::vector<v1::PushRequest>& requests,
                             int total) {
  RETURN_IF_ERROR(CopyStore(seed_path, db_path));
  LoopbackOptions loopback;
  loopback.durable = true;
  loopback.tokens = part.tokens;
  if (part.tls) {
    loopback.tls_cert_pem = tls.cert_pem;
    loopback.tls_key_pem = tls.key_pem;
  }
  ASSIGN_OR_RETURN(std::unique_ptr<LoopbackServer> server,
                   LoopbackServer::Start(db_path, loopback));
  sync::TransportOptions transport_options;
  if (part.tokens) {
    transport_options.token = district.token;
  } else {
    transport_options.principal_id = district.user_id;
  }
  sync::GrpcTransport transport(
      part.tls ? TlsClientChannel(server->address(), tls.cert_pem,
                                  /*own_connection=*/true)
               : ClientChannel(server->address(), /*own_connection=*/true),
      transport_options);
  // Connect (and for TLS, shake hands) before the clock starts.
  RETURN_IF_ERROR(transport.Hello(v1::HelloRequest()).status());
  ASSIGN_OR_RETURN(const int64_t items_before, server->store().ItemCount());
  ::sync();

  int64_t accepted = 0;
  const double cpu_before = CpuSeconds();
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
  const double cpu_seconds = CpuSeconds() - cpu_before;

  ASSIGN_OR_RETURN(int64_t items, server->store().ItemCount());
  items -= items_before;
  const int64_t expected = ExpectedItems(requests);
  if (accepted != total || items != expected) {
    return absl::InternalError(
        absl::StrCat("expected ", total, " accepted changes and ", expected,
                     " new items; got ", accepted, " and ", items));
  }
  std::printf(
      "[%s] %d changes in %zu pushes over gRPC (%s): %.3f s (%lld new "
      "items); CPU %.2f s (client and server)\n",
      std::string(part.name).c_str(), total, requests.size(),
      std::string(part.description).c_str(), seconds,
      static_cast<long long>(items), cpu_seconds);
  std::fflush(stdout);
  return total / seconds;
}

// Removes a SQLite file and its WAL and shared-memory files, if present.
void RemoveStore(const std::string& path) {
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix, ignored);
  }
}

// --- Raw SQLite upserts ------------------------------------------------------

// Upserts the rows of `requests` as server/sqlite_server_store.cc would
// store them, with nothing else; changes per second.
absl::StatusOr<double> RawUpsert(const std::string& path,
                                 const std::vector<v1::PushRequest>& requests,
                                 int total) {
  const std::vector<std::vector<RawRow>> batches = RawRows(requests);

  ASSIGN_OR_RETURN(raw::DbPtr db, raw::Open(path));
  sqlite3* d = db.get();
  RETURN_IF_ERROR(raw::Exec(d, "PRAGMA journal_mode = WAL"));
  RETURN_IF_ERROR(raw::Exec(d, "PRAGMA synchronous = FULL"));
  RETURN_IF_ERROR(raw::Exec(d, R"sql(
    CREATE TABLE buckets (bucket TEXT PRIMARY KEY NOT NULL,
      head INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE history (bucket TEXT NOT NULL, seq INTEGER NOT NULL,
      accepted_ms INTEGER NOT NULL, change BLOB NOT NULL,
      PRIMARY KEY (bucket, seq)) WITHOUT ROWID;
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
  ASSIGN_OR_RETURN(raw::StmtPtr history,
                   raw::Prepare(d,
                                "INSERT INTO history (bucket, seq, "
                                "accepted_ms, change) VALUES (?1, ?2, 0, ?3)"));
  ASSIGN_OR_RETURN(raw::StmtPtr save_head,
                   raw::Prepare(d,
                                "INSERT INTO buckets (bucket, head) VALUES "
                                "(?1, ?2) ON CONFLICT (bucket) DO UPDATE SET "
                                "head = excluded.head"));

  int64_t seq = 1;
  Timer timer;
  for (const std::vector<RawRow>& rows : batches) {
    RETURN_IF_ERROR(raw::Run(d, begin.get(), "begin"));
    for (const RawRow& row : rows) {
      const v1::Change& change = *row.change;
      sqlite3_stmt* s = upsert.get();
      raw::BindText(s, 1, change.record_type());
      raw::BindText(s, 2, change.record_id());
      sqlite3_bind_int(s, 3, row.field);
      raw::BindText(s, 4, change.bucket());
      sqlite3_bind_int64(s, 5, seq);
      sqlite3_bind_int64(s, 6, static_cast<int64_t>(change.hlc()));
      raw::BindText(s, 7, change.replica_id());
      raw::BindBlob(s, 8, row.bytes);
      RETURN_IF_ERROR(raw::Run(d, s, "upsert item"));
      s = history.get();
      raw::BindText(s, 1, change.bucket());
      sqlite3_bind_int64(s, 2, seq++);
      raw::BindBlob(s, 3, row.bytes);
      RETURN_IF_ERROR(raw::Run(d, s, "insert history"));
      s = applied.get();
      raw::BindText(s, 1, change.replica_id());
      sqlite3_bind_int64(s, 2, static_cast<int64_t>(change.replica_seq()));
      sqlite3_bind_int64(s, 3, static_cast<int64_t>(row.digest));
      RETURN_IF_ERROR(raw::Run(d, s, "insert applied"));
    }
    raw::BindText(save_head.get(), 1, rows.front().change->bucket());
    sqlite3_bind_int64(save_head.get(), 2, seq - 1);
    RETURN_IF_ERROR(raw::Run(d, save_head.get(), "save head"));
    RETURN_IF_ERROR(raw::Run(d, commit.get(), "commit"));
  }
  const double seconds = timer.Seconds();
  std::printf("[raw] %d upserts in %zu transactions: %.3f s\n", total,
              batches.size(), seconds);
  return total / seconds;
}

absl::Status Run(const Flags& flags) {
  const int total = flags.quick ? 50'000 : 200'000;
  std::vector<std::string> all_parts, parts;
  for (const MergePart& part : kMergeParts) {
    all_parts.emplace_back(part.name);
  }
  all_parts.emplace_back("raw");
  if (flags.only.empty()) {
    parts = {"merge", "merge_auth", "raw"};
  } else {
    parts = absl::StrSplit(flags.only, ',');
    for (const std::string& part : parts) {
      if (std::find(all_parts.begin(), all_parts.end(), part) ==
          all_parts.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--only: no part \"", part, "\"; the parts are ",
                         absl::StrJoin(all_parts, ", ")));
      }
    }
  }
  auto runs = [&](absl::string_view part) {
    return std::find(parts.begin(), parts.end(), part) != parts.end();
  };
  ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Make("plansync-bench"));
  std::printf(
      "server_merge_bench%s: SQLite %s, WAL, synchronous=FULL, files in %s\n"
      "  %d changes pushed in batches of %d; parts: %s\n",
      flags.quick ? " --quick" : "", sqlite3_libversion(), dir.path().c_str(),
      total, kBatchSize, absl::StrJoin(parts, ", ").c_str());
  std::fflush(stdout);
  Timer setup;
  // First, while no gRPC object exists (bench/tls.h).
  TlsIdentity tls;
  if (runs("merge_tls") || runs("merge_auth")) {
    ASSIGN_OR_RETURN(tls, MakeSelfSignedCert(dir.path()));
  }
  const std::string seed_path = dir.File("seed.sqlite");
  ASSIGN_OR_RETURN(const District district, SeedServerStore(seed_path));
  ASSIGN_OR_RETURN(
      std::vector<v1::PushRequest> requests,
      MakeChanges(dir.File("device.sqlite"), seed_path, district, total));
  std::printf("  mean serialized change: %.0f bytes; setup %.1f s\n",
              MeanChangeBytes(requests), setup.Seconds());
  std::fflush(stdout);

  // Changes per second, by part, one per round (rounds: see the top).
  const int rounds = flags.quick ? 1 : kRounds;
  std::map<std::string, std::vector<double>> per_s;
  for (int round = 1; round <= rounds; ++round) {
    if (rounds > 1) std::printf("round %d of %d\n", round, rounds);
    if (runs("raw")) {
      ::sync();
      const std::string path = dir.File("raw.sqlite");
      ASSIGN_OR_RETURN(double rate, RawUpsert(path, requests, total));
      per_s["raw"].push_back(rate);
      RemoveStore(path);
    }
    for (const MergePart& part : kMergeParts) {
      if (!runs(part.name)) continue;
      const std::string path = dir.File(absl::StrCat(part.name, ".sqlite"));
      ASSIGN_OR_RETURN(double rate, Merge(part, seed_path, path, district, tls,
                                          requests, total));
      per_s[std::string(part.name)].push_back(rate);
      RemoveStore(path);
    }
  }
  auto rates = [&](absl::string_view part) -> const std::vector<double>* {
    auto found = per_s.find(std::string(part));
    return found == per_s.end() ? nullptr : &found->second;
  };
  auto rate = [&](absl::string_view part) -> std::optional<double> {
    const std::vector<double>* values = rates(part);
    if (values == nullptr) return std::nullopt;
    return Percentile(*values, 50);
  };
  // The median over the rounds of part `a`'s rate over part `b`'s.
  auto ratio = [&](absl::string_view a,
                   absl::string_view b) -> std::optional<double> {
    const std::vector<double>* as = rates(a);
    const std::vector<double>* bs = rates(b);
    if (as == nullptr || bs == nullptr) return std::nullopt;
    std::vector<double> each;
    for (size_t i = 0; i < as->size(); ++i) each.push_back((*as)[i] / (*bs)[i]);
    return Percentile(each, 50);
  };
  const std::optional<double> merge = rate("merge");
  const std::optional<double> merge_auth = rate("merge_auth");
  const std::optional<double> raw = rate("raw");
  std::printf("results:\n");
  // The diagnostic parts, for people only.
  for (absl::string_view part : {"merge_tokens", "merge_tls"}) {
    const std::optional<double> value = rate(part);
    if (!value) continue;
    std::printf("  %-32s %14.0f changes/s", std::string(part).c_str(), *value);
    if (merge) std::printf(" (%.3f of merge)", *value / *merge);
    std::printf("\n");
  }
  if (merge) PrintMetric("server_merge_per_s", *merge, "changes/s", 0);
  if (merge_auth) {
    PrintMetric("server_merge_with_auth_per_s", *merge_auth, "changes/s", 0);
  }
  if (auto auth_ratio = ratio("merge_auth", "merge")) {
    PrintMetric("server_merge_auth_ratio", *auth_ratio, "", 3);
  }
  if (raw) PrintMetric("raw_sqlite_upsert_per_s", *raw, "changes/s", 0);
  if (auto raw_ratio = ratio("merge", "raw")) {
    PrintMetric("server_merge_vs_raw_ratio", *raw_ratio, "", 3);
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace plansync::bench

int main(int argc, char** argv) {
  return plansync::bench::BenchMain(argc, argv, "server_merge_bench",
                                    plansync::bench::Run);
}
