// Device write throughput and latency (a target in BENCHMARKS.md), with a
// raw SQLite baseline measured in the same run on the same disk.
//
//   device_write_bench [--quick] [--only=PART]
//
// Every figure is measured on real SQLite files (WAL, synchronous=FULL) in a
// scratch directory under $TMPDIR (default /tmp), removed at the end. The
// parts, in the order they run (--only=PART runs one, e.g. for a profiler):
//
// - device_batched: ImplementationConfirmation entries appended through
//   DeviceStore::Append on a durable store, 1000 per WriteTransaction.
//   Metric device_write_batched_per_s: entries (= outbox changes) per wall
//   second, commits included. Each append writes the entry's row and its
//   outbox change.
// - raw_batched: per entry, the same two rows (the typed row with the
//   columns of implementation_confirmations, and an outbox row whose blob has
//   the serialized size of the device's change) inserted with prepared
//   statements through the sqlite3 C API, 1000 entries per transaction.
//   Metrics raw_sqlite_insert_per_s, and device_vs_raw_ratio =
//   device_write_batched_per_s / raw_sqlite_insert_per_s.
// - device_single: latency of one durable write, a WriteTransaction holding
//   one Append, committed; after a warm-up. Metrics
//   device_write_single_p50_ms and device_write_single_p99_ms.
// - raw_single: the raw pair of inserts, one entry per committed transaction:
//   the floor this disk sets for a durable write. Metrics
//   raw_sqlite_single_p50_ms and raw_sqlite_single_p99_ms.
#include <sqlite3.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "bench/caseload.h"
#include "bench/harness.h"
#include "bench/raw_sqlite.h"
#include "core/clock.h"
#include "core/device_store.h"
#include "core/status_macros.h"
#include "plansync/v1/records.pb.h"

namespace plansync::bench {
namespace {

constexpr int kBatchSize = 1000;
constexpr int kWarmup = 100;
constexpr absl::string_view kPrincipal = "0190a5b2-7c3e-7a41-9d2f-5b8e1c4a6f30";
constexpr absl::string_view kClassOrPeriod = "Period 3 Algebra I";
constexpr absl::string_view kNote =
    "Extended time on the unit 4 quiz; finished in the resource room.";

struct Sizes {
  int batched_total;      // entries appended in batches of kBatchSize
  int single_iterations;  // measured single writes (after kWarmup)
};

// School days 2026-09-01 .. 2026-09-28, cycled through by the entries.
const std::vector<std::string>& Days() {
  static const auto* days = [] {
    auto* out = new std::vector<std::string>();
    for (int d = 1; d <= 28; ++d) {
      char day[16];
      std::snprintf(day, sizeof(day), "2026-09-%02d", d);
      out->push_back(day);
    }
    return out;
  }();
  return *days;
}

// --- The device store --------------------------------------------------------

absl::StatusOr<std::unique_ptr<DeviceStore>> OpenDurable(
    const std::string& path) {
  DeviceStoreOptions options;
  options.path = path;
  options.principal_id = std::string(kPrincipal);
  options.seed = 20260908;
  options.durable = true;
  return DeviceStore::Open(options);
}

// The i-th confirmation; the store assigns its id, author and clock.
v1::ImplementationConfirmation Confirmation(const Caseload& caseload, int i) {
  v1::ImplementationConfirmation entry;
  entry.set_student_id(caseload.student_id);
  entry.set_accommodation_id(caseload.accommodation_ids.front());
  entry.set_day(Days()[static_cast<size_t>(i) % Days().size()]);
  entry.set_class_or_period(std::string(kClassOrPeriod));
  entry.set_status(v1::CONFIRMATION_STATUS_PROVIDED);
  entry.set_note(std::string(kNote));
  return entry;
}

// Appends `total` confirmations, kBatchSize per transaction; returns entries
// per second of wall time, commits included.
absl::StatusOr<double> DeviceBatched(const std::string& path, int total) {
  ASSIGN_OR_RETURN(std::unique_ptr<DeviceStore> store, OpenDurable(path));
  ASSIGN_OR_RETURN(Caseload caseload,
                   CreateCaseload(*store, /*accommodations=*/1));
  ASSIGN_OR_RETURN(int64_t pending_before, store->PendingCount());

  Timer timer;
  for (int done = 0; done < total;) {
    ASSIGN_OR_RETURN(WriteTransaction txn, store->BeginWrite());
    for (int end = std::min(total, done + kBatchSize); done < end; ++done) {
      v1::ImplementationConfirmation entry = Confirmation(caseload, done);
      RETURN_IF_ERROR(store->Append(txn, entry).status());
    }
    RETURN_IF_ERROR(txn.Commit());
  }
  const double seconds = timer.Seconds();

  // Everything written is there: one row and one outbox change per entry.
  const RecordType& type =
      *Schema::Get().For(v1::ImplementationConfirmation::descriptor());
  ASSIGN_OR_RETURN(int64_t rows, store->Count(type));
  ASSIGN_OR_RETURN(int64_t pending_after, store->PendingCount());
  if (rows != total || pending_after - pending_before != total) {
    return absl::InternalError(
        absl::StrCat("expected ", total, " entries and outbox changes; found ",
                     rows, " and ", pending_after - pending_before));
  }
  std::printf("[device, batched] %d entries in %d transactions: %.3f s\n",
              total, (total + kBatchSize - 1) / kBatchSize, seconds);
  return total / seconds;
}

// Latency of `iterations` single-append transactions (after kWarmup), in ms.
absl::StatusOr<std::vector<double>> DeviceSingle(const std::string& path,
                                                 int iterations) {
  ASSIGN_OR_RETURN(std::unique_ptr<DeviceStore> store, OpenDurable(path));
  ASSIGN_OR_RETURN(Caseload caseload,
                   CreateCaseload(*store, /*accommodations=*/1));
  std::vector<double> millis;
  millis.reserve(static_cast<size_t>(iterations));
  for (int i = 0; i < kWarmup + iterations; ++i) {
    v1::ImplementationConfirmation entry = Confirmation(caseload, i);
    Timer timer;
    RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) {
      return store->Append(txn, entry).status();
    }));
    if (i >= kWarmup) millis.push_back(timer.Millis());
  }
  return millis;
}

// --- Raw SQLite
// ----------------------------------------------------------------

// The serialized size of the confirmations' outbox changes in the device
// store at `path` (their mean, in bytes), read from the file itself.
absl::StatusOr<int> OutboxChangeSize(const std::string& path) {
  ASSIGN_OR_RETURN(raw::DbPtr db, raw::Open(path));
  ASSIGN_OR_RETURN(
      raw::StmtPtr query,
      raw::Prepare(db.get(),
                   "SELECT CAST(ROUND(AVG(LENGTH(change))) AS INTEGER) "
                   "FROM outbox WHERE instr(change, CAST(?1 AS BLOB)) > 0"));
  // Only the confirmations' changes, not the caseload's field writes.
  sqlite3_bind_text(query.get(), 1, "ImplementationConfirmation", -1,
                    SQLITE_STATIC);
  const int rc = sqlite3_step(query.get());
  RETURN_IF_ERROR(raw::SqliteStatus(db.get(), rc, "outbox size"));
  const int size = sqlite3_column_int(query.get(), 0);
  if (rc != SQLITE_ROW || size <= 0) {
    return absl::InternalError("the device store's outbox holds no entries");
  }
  return size;
}

// A database shaped like the device store's: the same typed columns and
// indexes as implementation_confirmations, and the same outbox table.
absl::StatusOr<raw::DbPtr> CreateRawStore(const std::string& path) {
  ASSIGN_OR_RETURN(raw::DbPtr db, raw::Open(path));
  RETURN_IF_ERROR(raw::Exec(db.get(), "PRAGMA journal_mode = WAL"));
  RETURN_IF_ERROR(raw::Exec(db.get(), "PRAGMA synchronous = FULL"));
  RETURN_IF_ERROR(raw::Exec(db.get(), "PRAGMA temp_store = MEMORY"));
  RETURN_IF_ERROR(raw::Exec(db.get(), R"sql(
    CREATE TABLE implementation_confirmations (
      id TEXT PRIMARY KEY NOT NULL, student_id TEXT, author_id TEXT,
      recorded_hlc INTEGER, accommodation_id TEXT, day TEXT,
      class_or_period TEXT, status INTEGER, note TEXT);
    CREATE INDEX implementation_confirmations_by_student_id
      ON implementation_confirmations (student_id);
    CREATE INDEX implementation_confirmations_by_accommodation_id
      ON implementation_confirmations (accommodation_id);
    CREATE TABLE outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, bucket TEXT NOT NULL,
      change BLOB NOT NULL, state INTEGER NOT NULL DEFAULT 0,
      reject_reason INTEGER, reject_message TEXT);
    CREATE INDEX outbox_by_state ON outbox (state, seq);
  )sql"));
  return db;
}

// Inserts entries into a raw store: per entry, the typed row and the outbox
// row, with prepared statements; the caller groups them in transactions.
class RawWriter {
 public:
  static absl::StatusOr<RawWriter> Make(const std::string& path,
                                        int change_size) {
    ASSIGN_OR_RETURN(raw::DbPtr db, CreateRawStore(path));
    ASSIGN_OR_RETURN(
        raw::StmtPtr insert,
        raw::Prepare(
            db.get(),
            "INSERT INTO implementation_confirmations (id, student_id, "
            "author_id, recorded_hlc, accommodation_id, day, "
            "class_or_period, status, note) VALUES (?1, ?2, ?3, ?4, ?5, "
            "?6, ?7, ?8, ?9)"));
    ASSIGN_OR_RETURN(raw::StmtPtr outbox,
                     raw::Prepare(db.get(),
                                  "INSERT INTO outbox (seq, bucket, change) "
                                  "VALUES (?1, ?2, ?3)"));
    ASSIGN_OR_RETURN(raw::StmtPtr begin,
                     raw::Prepare(db.get(), "BEGIN IMMEDIATE"));
    ASSIGN_OR_RETURN(raw::StmtPtr commit, raw::Prepare(db.get(), "COMMIT"));
    return RawWriter(std::move(db), std::move(insert), std::move(outbox),
                     std::move(begin), std::move(commit), change_size);
  }

  absl::Status Begin() { return Run(begin_.get(), "BEGIN"); }
  absl::Status Commit() { return Run(commit_.get(), "COMMIT"); }

  // Inserts entry number `n` (its row and its outbox row).
  absl::Status Insert(int64_t n) {
    // UUID-shaped, increasing ids, as the store's UUIDv7 ids are.
    char id[40];
    std::snprintf(id, sizeof(id), "0190a5b2-7c3e-7%03x-8000-%012" PRIx64,
                  static_cast<unsigned>(n >> 48) & 0xFFF,
                  static_cast<uint64_t>(n) & UINT64_C(0xFFFFFFFFFFFF));
    const std::string& day = Days()[static_cast<size_t>(n) % Days().size()];
    sqlite3_stmt* s = insert_.get();
    sqlite3_bind_text(s, 1, id, 36, SQLITE_STATIC);
    raw::BindText(s, 2, kStudent);
    raw::BindText(s, 3, kPrincipal);
    sqlite3_bind_int64(s, 4, (int64_t{1788868800000} << 16) + n);
    raw::BindText(s, 5, kAccommodation);
    raw::BindText(s, 6, day);
    raw::BindText(s, 7, kClassOrPeriod);
    sqlite3_bind_int(s, 8, 1);
    raw::BindText(s, 9, kNote);
    RETURN_IF_ERROR(Run(s, "insert row"));

    s = outbox_.get();
    sqlite3_bind_int64(s, 1, n + 1);
    raw::BindText(s, 2, bucket_);
    raw::BindBlob(s, 3, change_);
    return Run(s, "insert outbox");
  }

 private:
  static constexpr absl::string_view kStudent =
      "0190a5b2-7c3e-7b00-8a11-3c5d7e9f1a2b";
  static constexpr absl::string_view kAccommodation =
      "0190a5b2-7c3e-7b02-9c44-6e8a0b2c4d6f";

  RawWriter(raw::DbPtr db, raw::StmtPtr insert, raw::StmtPtr outbox,
            raw::StmtPtr begin, raw::StmtPtr commit, int change_size)
      : db_(std::move(db)),
        insert_(std::move(insert)),
        outbox_(std::move(outbox)),
        begin_(std::move(begin)),
        commit_(std::move(commit)),
        bucket_(absl::StrCat("student/", kStudent)),
        change_(static_cast<size_t>(change_size), '\0') {
    // Bytes that look like a serialized message, not a run of zeros.
    for (size_t i = 0; i < change_.size(); ++i) {
      change_[i] = static_cast<char>('!' + (i * 37) % 90);
    }
  }

  absl::Status Run(sqlite3_stmt* s, absl::string_view what) {
    return raw::Run(db_.get(), s, what);
  }

  raw::DbPtr db_;
  raw::StmtPtr insert_, outbox_, begin_, commit_;
  std::string bucket_;
  std::string change_;
};

// Raw inserts of `total` entries, kBatchSize per transaction; entries per
// second.
absl::StatusOr<double> RawBatched(const std::string& path, int total,
                                  int change_size) {
  ASSIGN_OR_RETURN(RawWriter writer, RawWriter::Make(path, change_size));
  Timer timer;
  for (int done = 0; done < total;) {
    RETURN_IF_ERROR(writer.Begin());
    for (int end = std::min(total, done + kBatchSize); done < end; ++done) {
      RETURN_IF_ERROR(writer.Insert(done));
    }
    RETURN_IF_ERROR(writer.Commit());
  }
  const double seconds = timer.Seconds();
  std::printf("[raw, batched] %d entries in %d transactions: %.3f s\n", total,
              (total + kBatchSize - 1) / kBatchSize, seconds);
  return total / seconds;
}

// Latency of `iterations` single-entry raw transactions (after kWarmup), ms.
absl::StatusOr<std::vector<double>> RawSingle(const std::string& path,
                                              int iterations, int change_size) {
  ASSIGN_OR_RETURN(RawWriter writer, RawWriter::Make(path, change_size));
  std::vector<double> millis;
  millis.reserve(static_cast<size_t>(iterations));
  for (int i = 0; i < kWarmup + iterations; ++i) {
    Timer timer;
    RETURN_IF_ERROR(writer.Begin());
    RETURN_IF_ERROR(writer.Insert(i));
    RETURN_IF_ERROR(writer.Commit());
    if (i >= kWarmup) millis.push_back(timer.Millis());
  }
  return millis;
}

void PrintLatency(absl::string_view what, const std::vector<double>& millis) {
  std::printf(
      "[%s] %zu writes: mean %.3f ms, p50 %.3f, p90 %.3f, p99 %.3f, "
      "max %.3f ms\n",
      std::string(what).c_str(), millis.size(), Mean(millis),
      Percentile(millis, 50), Percentile(millis, 90), Percentile(millis, 99),
      Percentile(millis, 100));
}

// The serialized size of one confirmation's outbox change, measured on a
// fresh device store at `path` holding one appended entry.
absl::StatusOr<int> MeasureChangeSize(const std::string& path) {
  {
    ASSIGN_OR_RETURN(std::unique_ptr<DeviceStore> store, OpenDurable(path));
    ASSIGN_OR_RETURN(Caseload caseload,
                     CreateCaseload(*store, /*accommodations=*/1));
    RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) {
      v1::ImplementationConfirmation entry = Confirmation(caseload, 0);
      return store->Append(txn, entry).status();
    }));
  }
  return OutboxChangeSize(path);
}

// The parts of the benchmark, in the order they run; --only=PART runs one.
constexpr absl::string_view kParts[] = {"device_batched", "raw_batched",
                                        "device_single", "raw_single"};

absl::Status Run(const Flags& flags) {
  const Sizes sizes = flags.quick ? Sizes{50'000, 500} : Sizes{200'000, 2'000};
  auto runs = [&](absl::string_view part) {
    return flags.only.empty() || flags.only == part;
  };
  if (!flags.only.empty() && std::find(std::begin(kParts), std::end(kParts),
                                       flags.only) == std::end(kParts)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--only: no part \"", flags.only,
                     "\"; the parts are device_batched, raw_batched, "
                     "device_single and raw_single"));
  }
  ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Make("plansync-bench"));
  std::printf(
      "device_write_bench%s: SQLite %s, WAL, synchronous=FULL, files in %s\n",
      flags.quick ? " --quick" : "", sqlite3_libversion(), dir.path().c_str());
  std::printf(
      "  batched: %d ImplementationConfirmation appends, %d per transaction\n"
      "  single:  %d one-append transactions after %d warm-up\n",
      sizes.batched_total, kBatchSize, sizes.single_iterations, kWarmup);
  ASSIGN_OR_RETURN(int change_size,
                   MeasureChangeSize(dir.File("device-size.sqlite")));
  std::printf("  outbox change of one entry: %d bytes serialized\n",
              change_size);
  std::fflush(stdout);

  std::optional<double> device_per_s, raw_per_s;
  std::vector<double> device_single, raw_single;
  if (runs("device_batched")) {
    ASSIGN_OR_RETURN(
        device_per_s,
        DeviceBatched(dir.File("device-batched.sqlite"), sizes.batched_total));
  }
  if (runs("raw_batched")) {
    ASSIGN_OR_RETURN(raw_per_s, RawBatched(dir.File("raw-batched.sqlite"),
                                           sizes.batched_total, change_size));
  }
  if (runs("device_single")) {
    ASSIGN_OR_RETURN(device_single,
                     DeviceSingle(dir.File("device-single.sqlite"),
                                  sizes.single_iterations));
    PrintLatency("device, single", device_single);
  }
  if (runs("raw_single")) {
    ASSIGN_OR_RETURN(raw_single,
                     RawSingle(dir.File("raw-single.sqlite"),
                               sizes.single_iterations, change_size));
    PrintLatency("raw, single", raw_single);
  }

  std::printf("results:\n");
  if (device_per_s) {
    PrintMetric("device_write_batched_per_s", *device_per_s, "changes/s", 0);
  }
  if (raw_per_s) {
    PrintMetric("raw_sqlite_insert_per_s", *raw_per_s, "entries/s", 0);
  }
  if (device_per_s && raw_per_s) {
    PrintMetric("device_vs_raw_ratio", *device_per_s / *raw_per_s, "", 3);
  }
  if (!device_single.empty()) {
    PrintMetric("device_write_single_p50_ms", Percentile(device_single, 50),
                "ms", 3);
    PrintMetric("device_write_single_p99_ms", Percentile(device_single, 99),
                "ms", 3);
  }
  if (!raw_single.empty()) {
    PrintMetric("raw_sqlite_single_p50_ms", Percentile(raw_single, 50), "ms",
                3);
    PrintMetric("raw_sqlite_single_p99_ms", Percentile(raw_single, 99), "ms",
                3);
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace plansync::bench

int main(int argc, char** argv) {
  return plansync::bench::BenchMain(argc, argv, "device_write_bench",
                                    plansync::bench::Run);
}
