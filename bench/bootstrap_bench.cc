// Bootstrap of a fresh device from a big server (a target in BENCHMARKS.md):
// wall time and the client's peak memory.
//
//   bootstrap_bench [--quick]
//
// 1. Setup, in a forked child process that then exits (so that none of its
//    memory counts against the client): a SQLite server store (server/
//    sqlite_server_store.h) holding R records in 40 student buckets, written
//    directly through the ServerStore transaction API (Begin, PutItem,
//    RecordApplied, Commit; 100,000 changes per transaction, durable = false).
//    90% of them are ImplementationConfirmation log entries; 10% are register
//    field writes of mutable records (each bucket's Student and Plan, then
//    Accommodations, six fields each). The changes are made by hand but are
//    valid: every field write and the first log entries pass CheckChange
//    (core/change_check.h). Seqs of the buckets interleave, as they would on
//    a server fed by many devices. Then, in the same child, a district
//    administrator: server::Admin (as `plansync-server admin` does) adds a
//    user with the district role ADMIN (who reads every bucket) and issues
//    a device token for that user; the user id, the token and the store's
//    item count come back to this process through a pipe.
// 2. The real server binary, build-*/server/plansync-server (its path is
//    compiled in), started on that file with --listen=127.0.0.1:0 in its own
//    process (plaintext on loopback; device tokens, as it always requires);
//    the port is read from its "listening on" line.
// 3. Measured in this process: a fresh DeviceStore of the administrator (a
//    new file, durable as by default: synchronous=FULL) and a Replicator
//    doing one SyncOnce through a GrpcTransport carrying the token, to
//    completion (Hello, an empty push, a pull of every bucket from no
//    cursor, each page applied and committed with its cursors). The pull
//    ends with the server writing the administrator's access-log entries
//    (server/access_log.h: one per student) before it answers: part of the
//    measured time, as is pulling them if the server sends them in the same
//    pull.
//
// 4. The same records written into a PostgreSQL store (a durable cluster
//    from scripts/pg-cluster, or PLANSYNC_BENCH_PG_URI's server), served by
//    the server binary over it, bootstrapped by a second fresh device the
//    same way.
//
// Metrics, full run (R = 1,000,000):
//   bootstrap_1m_s            wall seconds of that SyncOnce
//   bootstrap_1m_peak_rss_mb  this process's peak resident set
//                             (getrusage ru_maxrss) at the end, in MiB
//   raw_bootstrap_insert_1m_s the physical limit: the device's rows and
//                             indexes written again into a new SQLite file
//                             (WAL, synchronous=FULL, the same page cache) by
//                             a plain prepared loop reading the device file,
//                             table by table, 10,000 rows a transaction;
//                             wall seconds
//   bootstrap_vs_raw_ratio    raw_bootstrap_insert_1m_s ÷ bootstrap_1m_s
//   bootstrap_1m_pg_s         wall seconds of the SyncOnce from PostgreSQL
//   bootstrap_pg_vs_sqlite_ratio  bootstrap_1m_pg_s ÷ bootstrap_1m_s
// With --quick (R = 100,000) the same figures are named bootstrap_100k_s,
// bootstrap_100k_peak_rss_mb, raw_bootstrap_insert_100k_s and
// bootstrap_100k_pg_s, so a smoke run never passes for the target.
//
// The device must end with every record (the counts of each record type are
// checked) or the benchmark fails. A second SyncOnce, not measured, brings
// the access-log entries if the first did not, and then the device must hold
// one per student; later syncs must pull nothing. Files
// live in a scratch directory under $TMPDIR, removed at the end; the server
// process is stopped (SIGTERM).
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "bench/caseload.h"
#include "bench/harness.h"
#include "bench/loopback_server.h"
#include "bench/pg_cluster.h"
#include "bench/raw_sqlite.h"
#include "bench/server_process.h"
#include "core/change_check.h"
#include "core/clock.h"
#include "core/device_store.h"
#include "core/hlc.h"
#include "core/schema.h"
#include "core/status_macros.h"
#include "core/uuid.h"
#include "core/value.h"
#include "plansync/v1/records.pb.h"
#include "server/admin.h"
#include "server/merger.h"
#include "server/open_store.h"
#include "server/sqlite_server_store.h"
#include "sync/grpc_transport.h"
#include "sync/replicator.h"

#ifndef PLANSYNC_SERVER_BINARY
#error "PLANSYNC_SERVER_BINARY must name the plansync-server binary"
#endif

namespace plansync::bench {
namespace {

constexpr int kBuckets = 40;
constexpr int kReplicas = 8;  // teachers' devices writing the log entries
constexpr int64_t kSetupTransaction = 100'000;

// --- The server's records ----------------------------------------------------

// What the server store holds: per bucket, `per_bucket` items, of which
// every tenth is a field write (the bucket's Student, then its Plan, then
// Accommodations) and the others ImplementationConfirmation entries.
struct Layout {
  int64_t total = 0;
  int64_t per_bucket = 0;
  int64_t field_writes_per_bucket = 0;
  int64_t log_per_bucket = 0;
  int student_fields = 0, plan_fields = 0, accommodation_fields = 0;
  int64_t accommodations_per_bucket = 0;

  explicit Layout(int64_t records) {
    per_bucket = records / kBuckets;
    total = per_bucket * kBuckets;
    field_writes_per_bucket = (per_bucket + 9) / 10;
    log_per_bucket = per_bucket - field_writes_per_bucket;
  }
};

// The register fields a field write may carry: writable, non-id fields that
// hold a value in `record`.
std::vector<const FieldInfo*> WrittenFields(
    const RecordType& type, const google::protobuf::Message& record) {
  std::vector<const FieldInfo*> out;
  for (const FieldInfo& field : type.fields) {
    if (field.is_id || field.store_assigned) continue;
    if (IsDefaultValue(record, field)) continue;
    out.push_back(&field);
  }
  return out;
}

// Makes the changes of the layout in server order and hands each to `put`
// with its field number (0 for a log entry).
class Generator {
 public:
  explicit Generator(const Layout& layout)
      : layout_(layout),
        ids_(SystemClock::Get(), 20261124),
        student_type_(*Schema::Get().For(v1::Student::descriptor())),
        plan_type_(*Schema::Get().For(v1::Plan::descriptor())),
        accommodation_type_(
            *Schema::Get().For(v1::Accommodation::descriptor())),
        confirmation_type_(
            *Schema::Get().For(v1::ImplementationConfirmation::descriptor())) {
    for (int r = 0; r < kReplicas + 1; ++r) {
      replicas_.push_back(ids_.Next());
      authors_.push_back(ids_.Next());
    }
    next_seq_.assign(replicas_.size(), 1);
    // Ten days ago, so that no stamp is ahead of any clock.
    base_millis_ = SystemClock::Get()->NowMillis() - 10LL * 86'400'000;
  }

  // Field counts per record, to lay out the buckets' field writes.
  void Measure(Layout* layout) {
    BucketRecords sample = MakeBucket();
    layout->student_fields = static_cast<int>(sample.student_fields.size());
    layout->plan_fields = static_cast<int>(sample.plan_fields.size());
    layout->accommodation_fields =
        static_cast<int>(sample.accommodation_fields.size());
    const int64_t rest = layout->field_writes_per_bucket -
                         layout->student_fields - layout->plan_fields;
    layout->accommodations_per_bucket =
        rest <= 0 ? 0
                  : (rest + layout->accommodation_fields - 1) /
                        layout->accommodation_fields;
  }

  template <typename Put>
  absl::Status Run(Put put) {
    buckets_.clear();
    for (int b = 0; b < kBuckets; ++b) buckets_.push_back(MakeBucket());
    int64_t index = 0;
    for (int64_t j = 0; j < layout_.per_bucket; ++j) {
      for (int b = 0; b < kBuckets; ++b, ++index) {
        v1::Change change;
        int field = 0;
        if (j % 10 == 0) {
          field = FieldWrite(buckets_[b], j / 10, index, &change);
          RETURN_IF_ERROR(CheckChange(change).status());
        } else {
          LogEntry(buckets_[b], j, index, &change);
          if (index < 2000) RETURN_IF_ERROR(CheckChange(change).status());
        }
        RETURN_IF_ERROR(put(change, field));
      }
    }
    return absl::OkStatus();
  }

 private:
  struct BucketRecords {
    std::string bucket;
    v1::Student student;
    v1::Plan plan;
    std::vector<v1::Accommodation> accommodations;
    std::vector<const FieldInfo*> student_fields, plan_fields,
        accommodation_fields;
  };

  BucketRecords MakeBucket() {
    BucketRecords records;
    const std::string student_id = ids_.Next();
    records.bucket = StudentBucket(student_id);
    records.student.set_id(student_id);
    records.student.set_given_name("Bench");
    records.student.set_family_name(absl::StrCat("Student ", buckets_.size()));
    records.student.set_grade("4");
    records.plan.set_id(ids_.Next());
    records.plan.set_student_id(student_id);
    records.plan.set_kind(v1::PLAN_KIND_IEP);
    records.plan.set_status(v1::PLAN_STATUS_ACTIVE);
    records.plan.set_version(1);
    records.plan.set_jurisdiction("US-MO");
    records.plan.set_start_date("2026-08-20");
    records.plan.set_annual_review_due("2027-08-19");
    const int64_t accommodations =
        std::max<int64_t>(1, layout_.accommodations_per_bucket);
    for (int64_t a = 0; a < accommodations; ++a) {
      v1::Accommodation& accommodation = records.accommodations.emplace_back();
      accommodation.set_id(ids_.Next());
      accommodation.set_student_id(student_id);
      accommodation.set_plan_id(records.plan.id());
      accommodation.set_kind(v1::ACCOMMODATION_KIND_ACCOMMODATION);
      accommodation.set_category(
          v1::ACCOMMODATION_CATEGORY_TIMING_AND_SCHEDULING);
      accommodation.set_title(absl::StrCat("Extended time ", a + 1));
      accommodation.set_description("1.5x time on tests and quizzes");
    }
    records.student_fields = WrittenFields(student_type_, records.student);
    records.plan_fields = WrittenFields(plan_type_, records.plan);
    records.accommodation_fields =
        WrittenFields(accommodation_type_, records.accommodations[0]);
    return records;
  }

  // The common part of a change by replica `r`.
  void Stamp(int r, int64_t index, absl::string_view record_type,
             absl::string_view record_id, absl::string_view bucket,
             v1::Change* change) {
    change->set_replica_id(replicas_[static_cast<size_t>(r)]);
    change->set_replica_seq(next_seq_[static_cast<size_t>(r)]++);
    change->set_record_type(std::string(record_type));
    change->set_record_id(std::string(record_id));
    change->set_bucket(std::string(bucket));
    change->set_author_id(authors_[static_cast<size_t>(r)]);
    change->set_hlc(HlcPack(base_millis_ + index / 100,
                            static_cast<uint16_t>(index % 100)));
  }

  // Field write `n` of the bucket; returns its field number.
  int FieldWrite(const BucketRecords& records, int64_t n, int64_t index,
                 v1::Change* change) {
    const RecordType* type;
    const google::protobuf::Message* record;
    const FieldInfo* field;
    const int64_t students =
        static_cast<int64_t>(records.student_fields.size());
    const int64_t plans = static_cast<int64_t>(records.plan_fields.size());
    const int64_t per_accommodation =
        static_cast<int64_t>(records.accommodation_fields.size());
    if (n < students) {
      type = &student_type_;
      record = &records.student;
      field = records.student_fields[static_cast<size_t>(n)];
    } else if (n < students + plans) {
      type = &plan_type_;
      record = &records.plan;
      field = records.plan_fields[static_cast<size_t>(n - students)];
    } else {
      const int64_t k = n - students - plans;
      type = &accommodation_type_;
      record =
          &records.accommodations[static_cast<size_t>(k / per_accommodation)];
      field =
          records
              .accommodation_fields[static_cast<size_t>(k % per_accommodation)];
    }
    const std::string& id = record->GetReflection()->GetString(
        *record, record->GetDescriptor()->FindFieldByNumber(1));
    // The case manager's device (the last replica) writes the records.
    Stamp(kReplicas, index, type->full_name, id, records.bucket, change);
    v1::FieldWrite* write = change->mutable_field_write();
    write->set_field_number(static_cast<uint32_t>(field->number));
    *write->mutable_value() = GetFieldValue(*record, *field);
    return field->number;
  }

  void LogEntry(const BucketRecords& records, int64_t j, int64_t index,
                v1::Change* change) {
    const int r = static_cast<int>(index % kReplicas);
    v1::ImplementationConfirmation entry;
    entry.set_id(ids_.Next());
    entry.set_student_id(records.student.id());
    entry.set_author_id(authors_[static_cast<size_t>(r)]);
    entry.set_accommodation_id(
        records
            .accommodations[static_cast<size_t>(j) %
                            records.accommodations.size()]
            .id());
    entry.set_day(SchoolDay(j));
    entry.set_class_or_period("Period 3 Algebra I");
    entry.set_status(v1::CONFIRMATION_STATUS_PROVIDED);
    entry.set_note(
        "Extended time on the unit 4 quiz; finished in the resource room.");
    Stamp(r, index, confirmation_type_.full_name, entry.id(), records.bucket,
          change);
    entry.set_recorded_hlc(static_cast<int64_t>(change->hlc()));
    entry.SerializeToString(change->mutable_log_entry());
  }

  const Layout& layout_;
  IdGenerator ids_;
  const RecordType& student_type_;
  const RecordType& plan_type_;
  const RecordType& accommodation_type_;
  const RecordType& confirmation_type_;
  std::vector<std::string> replicas_, authors_;
  std::vector<uint64_t> next_seq_;
  int64_t base_millis_ = 0;
  std::vector<BucketRecords> buckets_;
};

// The district administrator the device acts for.
struct Administrator {
  std::string user_id;
  std::string token;  // the secret, "pst_..."
  int64_t items = 0;  // in the server store, the administrator's own too
};

// Writes the layout's records into a new server store at `path`, then adds
// the administrator.
absl::StatusOr<Administrator> BuildServerStore(const std::string& path,
                                               const Layout& layout) {
  server::StoreChoice choice;
  choice.db = path;  // a SQLite file or a PostgreSQL URI
  choice.durable = false;
  choice.pool_size = 2;
  ASSIGN_OR_RETURN(std::unique_ptr<server::ServerStore> store,
                   server::OpenServerStore(choice));
  Generator generator(layout);
  std::unique_ptr<server::ServerTransaction> txn;
  int64_t in_txn = 0;
  RETURN_IF_ERROR(
      generator.Run([&](const v1::Change& change, int field) -> absl::Status {
        if (txn == nullptr) {
          ASSIGN_OR_RETURN(txn, store->Begin());
        }
        const std::string bytes = change.SerializeAsString();
        RETURN_IF_ERROR(txn->PutItem(change, field, bytes).status());
        RETURN_IF_ERROR(txn->RecordApplied(change.replica_id(),
                                           change.replica_seq(),
                                           server::ChangeDigest(bytes)));
        if (++in_txn == kSetupTransaction) {
          RETURN_IF_ERROR(txn->Commit());
          txn.reset();
          in_txn = 0;
        }
        return absl::OkStatus();
      }));
  if (txn != nullptr) RETURN_IF_ERROR(txn->Commit());
  ASSIGN_OR_RETURN(int64_t items, store->ItemCount());
  if (items != layout.total) {
    return absl::InternalError(absl::StrCat("the server store holds ", items,
                                            " items, not ", layout.total));
  }
  server::Admin admin(store.get(), SystemClock::Get(), /*seed=*/20261124);
  Administrator administrator;
  ASSIGN_OR_RETURN(administrator.user_id,
                   admin.AddUser("Bench district admin", v1::ADMIN));
  ASSIGN_OR_RETURN(server::IssuedToken issued,
                   admin.IssueToken(administrator.user_id, "bench device"));
  administrator.token = std::move(issued.token);
  ASSIGN_OR_RETURN(administrator.items, store->ItemCount());
  return administrator;
}

// Runs BuildServerStore in a child process (no gRPC object exists yet in
// this one), so that this process's peak memory is the client's alone. The
// administrator comes back as one line, "USER TOKEN ITEMS", on a pipe.
absl::StatusOr<Administrator> BuildInChild(const std::string& path,
                                           const Layout& layout) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return absl::InternalError("pipe failed");
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    close(pipe_fds[0]);
    const absl::StatusOr<Administrator> built = BuildServerStore(path, layout);
    bool sent = false;
    if (built.ok()) {
      const std::string line = absl::StrCat(built->user_id, " ", built->token,
                                            " ", built->items, "\n");
      sent = write(pipe_fds[1], line.data(), line.size()) ==
             static_cast<ssize_t>(line.size());
    } else {
      std::fprintf(stderr, "bootstrap_bench: setup: %s\n",
                   built.status().ToString().c_str());
    }
    std::fflush(stderr);
    _exit(sent ? 0 : 1);
  }
  close(pipe_fds[1]);
  std::string line;
  char buffer[256];
  ssize_t got;
  while ((got = read(pipe_fds[0], buffer, sizeof(buffer))) > 0) {
    line.append(buffer, static_cast<size_t>(got));
  }
  close(pipe_fds[0]);
  int wstatus = 0;
  if (waitpid(pid, &wstatus, 0) != pid || !WIFEXITED(wstatus) ||
      WEXITSTATUS(wstatus) != 0) {
    return absl::InternalError("building the server store failed");
  }
  const std::vector<std::string> words =
      absl::StrSplit(absl::StripTrailingAsciiWhitespace(line), ' ');
  Administrator administrator;
  if (words.size() != 3 || !absl::SimpleAtoi(words[2], &administrator.items)) {
    return absl::InternalError(
        absl::StrCat("the setup process answered \"", line, "\""));
  }
  administrator.user_id = words[0];
  administrator.token = words[1];
  return administrator;
}

// --- Resource usage ----------------------------------------------------------

double PeakRssMb() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // ru_maxrss is in KiB on Linux
}

// User and system CPU seconds of this process so far.
double CpuSeconds() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return Seconds(usage.ru_utime) + Seconds(usage.ru_stime);
}

// This process's I/O counters from /proc/self/io: bytes through read and
// write calls (page cache included), and the number of those calls.
struct IoCounters {
  int64_t rchar = 0, wchar = 0, syscr = 0, syscw = 0;
};

IoCounters ReadIoCounters() {
  IoCounters io;
  std::FILE* file = std::fopen("/proc/self/io", "r");
  if (file == nullptr) return io;
  char key[64];
  long long value;
  while (std::fscanf(file, "%63[^:]: %lld\n", key, &value) == 2) {
    const absl::string_view name = key;
    if (name == "rchar") io.rchar = value;
    if (name == "wchar") io.wchar = value;
    if (name == "syscr") io.syscr = value;
    if (name == "syscw") io.syscw = value;
  }
  std::fclose(file);
  return io;
}

// The size of a SQLite database with its -wal file, in MiB.
double DatabaseMb(const std::string& path) {
  std::error_code error;
  double bytes = 0;
  for (const std::string& file : {path, path + "-wal"}) {
    const auto size = std::filesystem::file_size(file, error);
    if (!error) bytes += static_cast<double>(size);
  }
  return bytes / (1024 * 1024);
}

// --- The raw baseline --------------------------------------------------------

// Writes every row of the SQLite file `from` (its tables and indexes made
// first) into a new file `to` with one prepared INSERT a table, 10,000 rows a
// transaction; wall seconds of the copy, the number of rows to *rows.
absl::StatusOr<double> RawReinsert(const std::string& from,
                                   const std::string& to, int64_t* rows) {
  ASSIGN_OR_RETURN(raw::DbPtr db, raw::Open(to));
  sqlite3* out = db.get();
  RETURN_IF_ERROR(raw::Exec(out, "PRAGMA journal_mode = WAL"));
  RETURN_IF_ERROR(raw::Exec(out, "PRAGMA synchronous = FULL"));
  RETURN_IF_ERROR(raw::Exec(out, "PRAGMA cache_size = -32768"));
  const std::string attach = absl::StrCat("ATTACH '", from, "' AS source");
  RETURN_IF_ERROR(raw::Exec(out, attach.c_str()));
  // The schema: tables first, then indexes (SQLite's own tables excluded).
  std::vector<std::string> tables, statements;
  {
    ASSIGN_OR_RETURN(
        raw::StmtPtr schema,
        raw::Prepare(out,
                     "SELECT type, name, sql FROM source.sqlite_master WHERE "
                     "sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY "
                     "type = 'index', rowid"));
    while (sqlite3_step(schema.get()) == SQLITE_ROW) {
      const auto text = [&](int i) {
        return std::string(reinterpret_cast<const char*>(
            sqlite3_column_text(schema.get(), i)));
      };
      if (text(0) == "table") tables.push_back(text(1));
      statements.push_back(text(2));
    }
  }
  for (const std::string& sql : statements) {
    RETURN_IF_ERROR(raw::Exec(out, sql.c_str()));
  }
  *rows = 0;
  Timer timer;
  RETURN_IF_ERROR(raw::Exec(out, "BEGIN"));
  for (const std::string& table : tables) {
    ASSIGN_OR_RETURN(
        raw::StmtPtr select,
        raw::Prepare(
            out, absl::StrCat("SELECT * FROM source.\"", table, "\"").c_str()));
    const int columns = sqlite3_column_count(select.get());
    std::string placeholders;
    for (int i = 1; i <= columns; ++i) {
      absl::StrAppend(&placeholders, i == 1 ? "?" : ", ?");
    }
    ASSIGN_OR_RETURN(
        raw::StmtPtr insert,
        raw::Prepare(out, absl::StrCat("INSERT INTO main.\"", table,
                                       "\" VALUES (", placeholders, ")")
                              .c_str()));
    while (sqlite3_step(select.get()) == SQLITE_ROW) {
      for (int i = 0; i < columns; ++i) {
        sqlite3_bind_value(insert.get(), i + 1,
                           sqlite3_column_value(select.get(), i));
      }
      RETURN_IF_ERROR(raw::Run(out, insert.get(), "insert"));
      if (++*rows % 10'000 == 0) {
        RETURN_IF_ERROR(raw::Exec(out, "COMMIT"));
        RETURN_IF_ERROR(raw::Exec(out, "BEGIN"));
      }
    }
  }
  RETURN_IF_ERROR(raw::Exec(out, "COMMIT"));
  return timer.Seconds();
}

// --- The bootstrap -----------------------------------------------------------

// Bootstraps a fresh device at `device_path` from the store `server_db` (a
// SQLite file or a PostgreSQL URI) that a real plansync-server process
// serves, with one SyncOnce of the administrator's token; checks that every
// record arrived; the wall seconds of that SyncOnce. `name` labels its
// lines.
absl::StatusOr<double> MeasureBootstrap(const std::string& server_db,
                                        const Administrator& administrator,
                                        const Layout& layout,
                                        const std::string& device_path,
                                        absl::string_view name) {
  ASSIGN_OR_RETURN(std::unique_ptr<ServerProcess> server,
                   ServerProcess::Start(PLANSYNC_SERVER_BINARY, server_db));
  std::printf("  %s serving on %s\n", PLANSYNC_SERVER_BINARY,
              server->address().c_str());
  std::printf("  client peak RSS before the bootstrap: %.1f MiB\n",
              PeakRssMb());
  std::fflush(stdout);

  // The fresh device. The channel is closed before the server stops.
  DeviceStoreOptions options;
  options.path = device_path;
  options.principal_id = administrator.user_id;
  ASSIGN_OR_RETURN(std::unique_ptr<DeviceStore> store,
                   DeviceStore::Open(options));
  sync::SyncReport report, follow_up;
  double seconds = 0, cpu_seconds = 0, follow_up_ms = 0;
  IoCounters io;
  std::vector<double> noop_ms, hello_ms;
  {
    sync::TransportOptions transport_options;
    transport_options.token = administrator.token;
    sync::GrpcTransport transport(
        ClientChannel(server->address(), /*own_connection=*/true),
        transport_options);
    sync::Replicator replicator(store.get(), &transport);
    const double cpu_before = CpuSeconds();
    io = ReadIoCounters();
    Timer timer;
    ASSIGN_OR_RETURN(report, replicator.SyncOnce());
    seconds = timer.Seconds();
    cpu_seconds = CpuSeconds() - cpu_before;
    const IoCounters after = ReadIoCounters();
    io = {after.rchar - io.rchar, after.wchar - io.wchar,
          after.syscr - io.syscr, after.syscw - io.syscw};

    // Not part of the metrics: the next sync, which brings the access-log
    // entries the bootstrap's pull wrote unless that pull sent them too (a
    // pull of the log alone writes none); then what every later sync of
    // this device costs when
    // there is nothing new (a Hello and a pull of every bucket from its
    // cursor), and a Hello alone, on a server this size.
    Timer follow_up_timer;
    ASSIGN_OR_RETURN(follow_up, replicator.SyncOnce());
    follow_up_ms = follow_up_timer.Millis();
    for (int i = 0; i < 5; ++i) {
      Timer noop;
      ASSIGN_OR_RETURN(sync::SyncReport again, replicator.SyncOnce());
      noop_ms.push_back(noop.Millis());
      if (again.pulled != 0) {
        return absl::InternalError("a sync after the bootstrap pulled again");
      }
      Timer hello;
      RETURN_IF_ERROR(transport.Hello(v1::HelloRequest()).status());
      hello_ms.push_back(hello.Millis());
    }
  }
  std::printf(
      "[%s] %lld changes in %lld pages: %.3f s (%.0f changes/s); "
      "client CPU %.2f s\n",
      std::string(name).c_str(), static_cast<long long>(report.pulled),
      static_cast<long long>(report.pages), seconds, report.pulled / seconds,
      cpu_seconds);
  // What the pulls brought beyond the store as written: the access log.
  const int64_t access_items =
      report.pulled + follow_up.pulled - administrator.items;
  std::printf(
      "  access-log items pulled: %lld by the bootstrap, %lld by the next "
      "sync (%.1f ms)\n",
      static_cast<long long>(report.pulled - administrator.items),
      static_cast<long long>(follow_up.pulled), follow_up_ms);
  std::printf(
      "  client I/O calls: %.0f MiB read in %lld calls, %.0f MiB written in "
      "%lld calls; device file %.0f MiB\n",
      io.rchar / 1048576.0, static_cast<long long>(io.syscr),
      io.wchar / 1048576.0, static_cast<long long>(io.syscw),
      DatabaseMb(options.path));
  std::printf(
      "  afterwards, with nothing new: a SyncOnce takes %.1f ms, a Hello "
      "alone %.1f ms (medians of 5)\n",
      Percentile(noop_ms, 50), Percentile(hello_ms, 50));
  std::fflush(stdout);
  double server_rss_mb = 0, server_cpu_seconds = 0;
  RETURN_IF_ERROR(server->Stop(&server_rss_mb, &server_cpu_seconds));
  std::printf("  server process: peak RSS %.1f MiB, CPU %.2f s in all\n",
              server_rss_mb, server_cpu_seconds);

  // Every record arrived.
  auto count = [&](const google::protobuf::Descriptor* descriptor) {
    return store->Count(*Schema::Get().For(descriptor));
  };
  ASSIGN_OR_RETURN(int64_t students, count(v1::Student::descriptor()));
  ASSIGN_OR_RETURN(int64_t plans, count(v1::Plan::descriptor()));
  ASSIGN_OR_RETURN(int64_t accommodations,
                   count(v1::Accommodation::descriptor()));
  ASSIGN_OR_RETURN(int64_t confirmations,
                   count(v1::ImplementationConfirmation::descriptor()));
  ASSIGN_OR_RETURN(int64_t users, count(v1::User::descriptor()));
  ASSIGN_OR_RETURN(int64_t access_entries,
                   count(v1::AccessLogEntry::descriptor()));
  const int64_t want_accommodations =
      kBuckets * layout.accommodations_per_bucket;
  const int64_t want_confirmations = kBuckets * layout.log_per_bucket;
  std::printf(
      "  device rows: %lld students, %lld plans, %lld accommodations, %lld "
      "confirmations, %lld users, %lld access-log entries\n",
      static_cast<long long>(students), static_cast<long long>(plans),
      static_cast<long long>(accommodations),
      static_cast<long long>(confirmations), static_cast<long long>(users),
      static_cast<long long>(access_entries));
  if (report.pulled < administrator.items || access_items <= 0 ||
      students != kBuckets || plans != kBuckets ||
      accommodations != want_accommodations ||
      confirmations != want_confirmations || users != 1 ||
      access_entries != kBuckets) {
    return absl::InternalError(absl::StrCat(
        "the device is incomplete: pulled ", report.pulled, " + ",
        follow_up.pulled, " for ", administrator.items,
        " items and the access log; want ", kBuckets, " students and plans, ",
        want_accommodations, " accommodations, ", want_confirmations,
        " confirmations, 1 user and ", kBuckets, " access-log entries"));
  }

  return seconds;
}

absl::Status Run(const Flags& flags) {
  if (!flags.only.empty()) {
    return absl::InvalidArgumentError("bootstrap_bench has no parts (--only)");
  }
  Layout layout(flags.quick ? 100'000 : 1'000'000);
  {
    Generator generator(layout);
    generator.Measure(&layout);
  }
  const std::string label = flags.quick ? "100k" : "1m";
  ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Make("plansync-bench"));
  std::printf(
      "bootstrap_bench%s: files in %s\n"
      "  server: %lld records in %d buckets; per bucket %lld confirmations "
      "and %lld field writes (Student %d, Plan %d, %lld Accommodations of "
      "%d)\n",
      flags.quick ? " --quick" : "", dir.path().c_str(),
      static_cast<long long>(layout.total), kBuckets,
      static_cast<long long>(layout.log_per_bucket),
      static_cast<long long>(layout.field_writes_per_bucket),
      layout.student_fields, layout.plan_fields,
      static_cast<long long>(layout.accommodations_per_bucket),
      layout.accommodation_fields);
  const std::string server_db = dir.File("server.sqlite");
  Timer setup;
  ASSIGN_OR_RETURN(const Administrator administrator,
                   BuildInChild(server_db, layout));
  std::printf(
      "  server store written in %.1f s (child process); %lld items with the "
      "administrator's own\n",
      setup.Seconds(), static_cast<long long>(administrator.items));

  const std::string device_path = dir.File("device.sqlite");
  ASSIGN_OR_RETURN(const double seconds,
                   MeasureBootstrap(server_db, administrator, layout,
                                    device_path, "bootstrap"));
  const double peak_rss_mb = PeakRssMb();

  int64_t raw_rows = 0;
  ASSIGN_OR_RETURN(const double raw_seconds,
                   RawReinsert(device_path, dir.File("raw.sqlite"), &raw_rows));
  std::printf("[raw] %lld rows of the device file written again: %.3f s\n",
              static_cast<long long>(raw_rows), raw_seconds);

  // The same records from the PostgreSQL store, served by a server process
  // over a durable cluster.
  ASSIGN_OR_RETURN(std::unique_ptr<Cluster> cluster,
                   Cluster::Start(dir.File("cluster")));
  RETURN_IF_ERROR(cluster->Create("bootstrap"));
  Timer pg_setup;
  ASSIGN_OR_RETURN(const Administrator pg_administrator,
                   BuildInChild(cluster->Uri("bootstrap"), layout));
  std::printf("  PostgreSQL store written in %.1f s (child process)\n",
              pg_setup.Seconds());
  ASSIGN_OR_RETURN(
      const double pg_seconds,
      MeasureBootstrap(cluster->Uri("bootstrap"), pg_administrator, layout,
                       dir.File("device_pg.sqlite"), "bootstrap_pg"));

  std::printf("results:\n");
  PrintMetric(absl::StrCat("bootstrap_", label, "_s"), seconds, "s", 3);
  PrintMetric(absl::StrCat("bootstrap_", label, "_peak_rss_mb"), peak_rss_mb,
              "MiB", 1);
  PrintMetric(absl::StrCat("raw_bootstrap_insert_", label, "_s"), raw_seconds,
              "s", 3);
  PrintMetric("bootstrap_vs_raw_ratio", raw_seconds / seconds, "", 3);
  PrintMetric(absl::StrCat("bootstrap_", label, "_pg_s"), pg_seconds, "s", 3);
  PrintMetric("bootstrap_pg_vs_sqlite_ratio", pg_seconds / seconds, "", 3);
  return absl::OkStatus();
}

}  // namespace
}  // namespace plansync::bench

int main(int argc, char** argv) {
  return plansync::bench::BenchMain(argc, argv, "bootstrap_bench",
                                    plansync::bench::Run);
}
