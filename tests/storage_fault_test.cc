// Storage faults: a scripted device workload and a server push workload run
// on real files while the disk fails the k-th open, write or sync (an I/O
// error, or a full disk that stays full until cleared), for every k the
// workload reaches (tests/fault_vfs.h). For each k:
// - the failing call returns a status a person can act on: not OK, not
//   INTERNAL, not DATA_LOSS (the file is sound), with a message;
// - once the fault clears, the failed step is retried and succeeds, and the
//   rest of the workload runs;
// - reopened without faults, the file passes PRAGMA integrity_check and holds
//   everything that was acknowledged (a device: each record as it was read
//   back after its write, and an outbox the server accepts whole; the server:
//   every change it answered ACCEPTED or DUPLICATE, and a fresh device pulls
//   the source device's exact content).
//
// PLANSYNC_FAULT_STRIDE=N tries every N-th k only (the sanitizer build).
// Files live in memory (/dev/shm) where there is one: the faults are
// injected, and the fsyncs of a real disk would only slow the campaign.
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/device_store.h"
#include "core/schema.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "server/sqlite_server_store.h"
#include "server/sync_handlers.h"
#include "sync/replicator.h"
#include "tests/fault_vfs.h"
#include "tests/sync_test_util.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

using testing::FaultKind;
using testing::FaultOp;
using testing::FaultVfs;

constexpr int kConfirmations = 12;
constexpr int kTitleEdits = 4;

int64_t Stride() {
  const char* stride = std::getenv("PLANSYNC_FAULT_STRIDE");
  return stride != nullptr && std::atoi(stride) > 0 ? std::atoi(stride) : 1;
}

// "" if `status` is what a failed disk may give a caller; else what is wrong.
std::string CheckFailure(const absl::Status& status) {
  if (status.ok()) return "the call reported success";
  if (status.code() == absl::StatusCode::kInternal ||
      status.code() == absl::StatusCode::kDataLoss) {
    return absl::StrCat("a failed disk reported as ", status.ToString());
  }
  if (status.message().empty()) return "an error without a message";
  return "";
}

// The codes failed steps returned, over a campaign.
std::map<absl::StatusCode, int64_t>& FailureCodes() {
  static std::map<absl::StatusCode, int64_t> codes;
  return codes;
}

std::string DescribeCodes() {
  std::string text;
  for (const auto& [code, n] : FailureCodes()) {
    absl::StrAppend(&text, text.empty() ? "" : ", ", n, " ",
                    absl::StatusCodeToString(code));
  }
  return text;
}

// One step of a workload: runs, and returns OK once its work is durable.
using Step = std::function<absl::Status()>;

// Runs `steps` in order. A failing step is checked (CheckFailure), the fault
// is cleared, and the step is run again, which must succeed. Returns how many
// steps failed, or -1 after a test failure.
int RunSteps(FaultVfs& vfs, const std::vector<Step>& steps,
             const std::string& context) {
  int failures = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    absl::Status status = steps[i]();
    if (status.ok()) continue;
    ++failures;
    ++FailureCodes()[status.code()];
    if (std::getenv("PLANSYNC_FAULT_VERBOSE") != nullptr) {
      std::printf("%s, step %zu: %s\n", context.c_str(), i,
                  status.ToString().c_str());
    }
    const std::string wrong = CheckFailure(status);
    EXPECT_EQ(wrong, "") << context << ", step " << i;
    vfs.Clear();
    status = steps[i]();
    EXPECT_TRUE(status.ok())
        << context << ", step " << i << " after the fault cleared: " << status;
    if (!wrong.empty() || !status.ok()) return -1;
  }
  return failures;
}

// --- The device workload
// ------------------------------------------------------

// A record as read back after its last acknowledged write.
struct AckedRecord {
  const RecordType* type = nullptr;
  std::string bytes;
};

struct DeviceRun {
  std::unique_ptr<DeviceStore> store;
  std::map<std::string, AckedRecord> acked;  // by record id
};

DeviceStoreOptions DeviceOptions(const std::string& path, FakeClock* clock) {
  DeviceStoreOptions options;
  options.path = path;
  options.principal_id = "user-1";
  options.clock = clock;
  options.seed = 7;
  return options;
}

// Opening the store, then a student, a plan, two accommodations,
// confirmations and edits, each its own transaction.
std::vector<Step> DeviceSteps(const std::string& path, FakeClock& clock,
                              DeviceRun& run) {
  std::vector<Step> steps;
  auto ids = std::make_shared<std::map<std::string, std::string>>();
  steps.push_back([&run, &clock, path]() -> absl::Status {
    absl::StatusOr<std::unique_ptr<DeviceStore>> store =
        DeviceStore::Open(DeviceOptions(path, &clock));
    if (!store.ok()) return store.status();
    run.store = *std::move(store);
    return absl::OkStatus();
  });
  // Creates a record of `type_name` filled from the schema; acknowledged
  // once committed.
  auto create = [&run, &clock, ids](const std::string& type_name, int variant,
                                    const std::string& key) -> Step {
    return [&run, &clock, ids, type_name, variant, key]() -> absl::Status {
      const RecordType& type = *Schema::Get().FindCanonical(type_name);
      std::unique_ptr<google::protobuf::Message> record =
          testing::NewRecord(type);
      const auto student = ids->find("plansync.v1.Student");
      testing::FillRecord(type, student == ids->end() ? "" : student->second,
                          *ids, variant, record.get());
      clock.Advance(5);
      std::string id;
      absl::Status status = run.store->Write([&](WriteTransaction& txn) {
        absl::StatusOr<std::string> made =
            type.is_log() ? run.store->Append(txn, *record)
                          : run.store->Create(txn, *record);
        if (!made.ok()) return made.status();
        id = *made;
        return absl::OkStatus();
      });
      if (!status.ok()) return status;
      if (!key.empty()) (*ids)[key] = id;
      std::unique_ptr<google::protobuf::Message> stored =
          testing::NewRecord(type);
      if (absl::Status read = run.store->Get(id, stored.get()); !read.ok()) {
        return absl::InternalError(absl::StrCat("read back: ", read.message()));
      }
      run.acked[id] = AckedRecord{&type, stored->SerializeAsString()};
      return absl::OkStatus();
    };
  };
  steps.push_back(create("plansync.v1.Student", 1, "plansync.v1.Student"));
  steps.push_back(create("plansync.v1.Plan", 1, "plansync.v1.Plan"));
  steps.push_back(
      create("plansync.v1.Accommodation", 1, "plansync.v1.Accommodation"));
  steps.push_back(create("plansync.v1.Accommodation", 2, "second"));
  for (int i = 0; i < kConfirmations; ++i) {
    steps.push_back(create("plansync.v1.ImplementationConfirmation", i, ""));
  }
  for (int i = 0; i < kTitleEdits; ++i) {
    steps.push_back([&run, &clock, ids, i]() -> absl::Status {
      const std::string& id = ids->at("plansync.v1.Accommodation");
      absl::StatusOr<v1::Accommodation> accommodation =
          run.store->Get<v1::Accommodation>(id);
      if (!accommodation.ok()) return accommodation.status();
      accommodation->set_title(absl::StrCat("Extended time, edit ", i));
      clock.Advance(5);
      const absl::string_view fields[] = {"title"};
      absl::Status status = run.store->Write([&](WriteTransaction& txn) {
        return run.store->Update(txn, *accommodation, fields);
      });
      if (!status.ok()) return status;
      absl::StatusOr<v1::Accommodation> stored =
          run.store->Get<v1::Accommodation>(id);
      if (!stored.ok()) return absl::InternalError("read back failed");
      run.acked[id] =
          AckedRecord{Schema::Get().FindCanonical("plansync.v1.Accommodation"),
                      stored->SerializeAsString()};
      return absl::OkStatus();
    });
  }
  return steps;
}

// Checks the device file after a faulty run: "" if it holds what was
// acknowledged, passes the integrity check, and syncs without a refusal.
std::string CheckDeviceFile(const std::string& path, FakeClock& clock,
                            const std::map<std::string, AckedRecord>& acked) {
  absl::StatusOr<std::unique_ptr<DeviceStore>> reopened =
      DeviceStore::Open(DeviceOptions(path, &clock));
  if (!reopened.ok())
    return absl::StrCat("reopen: ", reopened.status().ToString());
  DeviceStore& store = **reopened;
  absl::StatusOr<std::string> integrity = store.IntegrityCheck();
  if (!integrity.ok() || *integrity != "ok") {
    return absl::StrCat(
        "integrity check: ",
        integrity.ok() ? *integrity : integrity.status().ToString());
  }
  for (const auto& [id, expected] : acked) {
    std::unique_ptr<google::protobuf::Message> record =
        testing::NewRecord(*expected.type);
    if (!store.Get(id, record.get()).ok()) {
      return absl::StrCat("acknowledged ", expected.type->short_name, " ", id,
                          " is lost");
    }
    if (record->SerializeAsString() != expected.bytes) {
      return absl::StrCat(expected.type->short_name, " ", id,
                          " differs from what was acknowledged");
    }
  }
  // The outbox syncs whole: no change id reused, none refused.
  FakeClock server_clock(clock.NowMillis());
  server::SqliteServerStoreOptions options;
  options.path = ":memory:";
  auto server_store = server::OpenSqliteServerStore(options);
  if (!server_store.ok()) return server_store.status().ToString();
  server::SyncHandlers handlers(server_store->get(), &server_clock,
                                server::ServerLimits{}, 1);
  testing::DirectTransport transport(&handlers, "user-1");
  sync::ReplicatorOptions replicator_options;
  replicator_options.sleep = [](absl::Duration) {};
  sync::Replicator replicator(&store, &transport, replicator_options);
  absl::StatusOr<sync::SyncReport> report = replicator.SyncOnce();
  if (!report.ok()) return absl::StrCat("sync: ", report.status().ToString());
  if (report->rejected != 0 || *store.PendingCount() != 0) {
    return absl::StrCat("sync: ", report->rejected, " refused, ",
                        *store.PendingCount(), " pending");
  }
  return "";
}

// --- The server workload
// ------------------------------------------------------

// A device in memory (no faults) whose outbox holds a student's records, cut
// into small pushes.
struct SourceDevice {
  FakeClock clock{testing::kStartMillis};
  std::unique_ptr<DeviceStore> store;
  std::vector<v1::PushRequest> pushes;
};

std::unique_ptr<SourceDevice> MakeSource() {
  auto source = std::make_unique<SourceDevice>();
  source->store = testing::OpenStore(":memory:", "user-1", &source->clock);
  if (source->store == nullptr) return nullptr;
  const auto ids = testing::CreateOneOfEach(*source->store);
  std::mt19937_64 rng(11);
  for (int i = 0; i < 4; ++i) {
    EXPECT_OK(testing::RandomWrites(*source->store, source->clock, rng, ids));
  }
  absl::StatusOr<std::vector<OutboxEntry>> pending =
      source->store->PendingChanges(100000);
  EXPECT_OK(pending);
  if (!pending.ok()) return nullptr;
  for (size_t i = 0; i < pending->size(); ++i) {
    if (i % 4 == 0) source->pushes.emplace_back();
    *source->pushes.back().add_changes() = (*pending)[i].change;
  }
  return source;
}

struct ServerRun {
  FakeClock clock{testing::kStartMillis + 1000};  // outlives the handlers
  std::unique_ptr<server::ServerStore> store;
  std::unique_ptr<server::SyncHandlers> handlers;
  // (replica id, replica seq) of every change answered ACCEPTED or DUPLICATE.
  std::set<std::pair<std::string, uint64_t>> acked;
};

server::SqliteServerStoreOptions ServerOptions(const std::string& path) {
  server::SqliteServerStoreOptions options;
  options.path = path;
  options.durable = true;
  return options;
}

std::vector<Step> ServerSteps(const std::string& path,
                              const SourceDevice& source, ServerRun& run) {
  std::vector<Step> steps;
  steps.push_back([&run, path]() -> absl::Status {
    absl::StatusOr<std::unique_ptr<server::ServerStore>> store =
        server::OpenSqliteServerStore(ServerOptions(path));
    if (!store.ok()) return store.status();
    run.store = *std::move(store);
    run.handlers = std::make_unique<server::SyncHandlers>(
        run.store.get(), &run.clock, server::ServerLimits{}, 3);
    return absl::OkStatus();
  });
  for (const v1::PushRequest& push : source.pushes) {
    steps.push_back([&run, &push]() -> absl::Status {
      server::AuthContext auth;
      auth.principal_id = "user-1";
      auth.unrestricted = true;
      absl::StatusOr<v1::PushResponse> response =
          run.handlers->Push(auth, push);
      if (!response.ok()) return response.status();
      for (int i = 0; i < response->results_size(); ++i) {
        const v1::ChangeResult& result = response->results(i);
        if (result.status() == v1::ChangeResult::REJECTED) {
          return absl::InternalError(
              absl::StrCat("a change was refused: ", result.message()));
        }
        run.acked.emplace(push.changes(i).replica_id(),
                          push.changes(i).replica_seq());
      }
      return absl::OkStatus();
    });
  }
  return steps;
}

// Checks the server file after a faulty run: "" if it passes the integrity
// check, holds every acknowledged change id, and a fresh device pulls from
// it exactly the source device's content.
std::string CheckServerFile(const std::string& path, SourceDevice& source,
                            const ServerRun& run) {
  absl::StatusOr<std::unique_ptr<server::ServerStore>> store =
      server::OpenSqliteServerStore(ServerOptions(path));
  if (!store.ok()) return absl::StrCat("reopen: ", store.status().ToString());
  absl::StatusOr<std::string> integrity = (*store)->IntegrityCheck();
  if (!integrity.ok() || *integrity != "ok") {
    return absl::StrCat(
        "integrity check: ",
        integrity.ok() ? *integrity : integrity.status().ToString());
  }
  {
    absl::StatusOr<std::unique_ptr<server::ServerTransaction>> txn =
        (*store)->Begin();
    if (!txn.ok()) return absl::StrCat("begin: ", txn.status().ToString());
    for (const auto& [replica, seq] : run.acked) {
      absl::StatusOr<std::optional<uint64_t>> digest =
          (*txn)->AppliedDigest(replica, seq);
      if (!digest.ok() || !digest->has_value()) {
        return absl::StrCat("acknowledged change ", seq, " is lost");
      }
    }
  }
  FakeClock clock(testing::kStartMillis + 5000);
  server::SyncHandlers handlers(store->get(), &clock, server::ServerLimits{},
                                5);
  std::unique_ptr<DeviceStore> fresh =
      testing::OpenStore(":memory:", "user-2", &clock, 9);
  testing::DirectTransport transport(&handlers, "user-2");
  sync::ReplicatorOptions options;
  options.sleep = [](absl::Duration) {};
  sync::Replicator replicator(fresh.get(), &transport, options);
  absl::StatusOr<sync::SyncReport> report = replicator.SyncOnce();
  if (!report.ok()) return absl::StrCat("pull: ", report.status().ToString());
  if (*fresh->ContentHash() != *source.store->ContentHash()) {
    return "a fresh device pulled other content than the source device wrote";
  }
  return "";
}

// --- The campaigns
// ------------------------------------------------------------

struct Fault {
  FaultOp op;
  FaultKind kind;
  const char* name;  // the test's name
};

void PrintTo(const Fault& fault, std::ostream* out) { *out << fault.name; }

std::string Describe(const Fault& fault, int64_t k) {
  return absl::StrCat(testing::FaultKindName(fault.kind), " at ",
                      testing::FaultOpName(fault.op), " #", k);
}

// One workload of a campaign, run afresh for each k.
class Workload {
 public:
  virtual ~Workload() = default;
  // Runs the workload's steps on a new file in `dir` (RunSteps: the number
  // of steps that failed, or -1 after a test failure).
  virtual int Run(const std::string& dir, const std::string& context) = 0;
  // Closes what Run opened and checks the file: "" if it is sound.
  virtual std::string Check() = 0;
};

class DeviceWorkload final : public Workload {
 public:
  int Run(const std::string& dir, const std::string& context) override {
    path_ = dir + "/d.db";
    return RunSteps(FaultVfs::Install(), DeviceSteps(path_, clock_, run_),
                    context);
  }
  std::string Check() override {
    run_.store.reset();
    return CheckDeviceFile(path_, clock_, run_.acked);
  }

 private:
  FakeClock clock_{testing::kStartMillis};
  DeviceRun run_;
  std::string path_;
};

class ServerWorkload final : public Workload {
 public:
  explicit ServerWorkload(SourceDevice* source) : source_(*source) {}
  int Run(const std::string& dir, const std::string& context) override {
    path_ = dir + "/s.db";
    return RunSteps(FaultVfs::Install(), ServerSteps(path_, source_, run_),
                    context);
  }
  std::string Check() override {
    run_.handlers.reset();
    run_.store.reset();
    return CheckServerFile(path_, source_, run_);
  }

 private:
  SourceDevice& source_;
  ServerRun run_;
  std::string path_;
};

// A clean run of `make()`'s workload counts the operations `fault` targets;
// then, for every k (PLANSYNC_FAULT_STRIDE), a fresh workload runs with the
// k-th of them failing, and its file is checked once the fault clears.
void RunCampaign(const Fault& fault,
                 const std::function<std::unique_ptr<Workload>()>& make) {
  FaultVfs& vfs = FaultVfs::Install();
  FailureCodes().clear();
  int64_t operations = 0;
  {
    testing::TempDir dir;
    std::unique_ptr<Workload> workload = make();
    vfs.Clear();
    ASSERT_EQ(workload->Run(dir.path(), "clean"), 0);
    operations = vfs.count(fault.op);
    ASSERT_EQ(workload->Check(), "");
  }
  ASSERT_GT(operations, 0);
  int64_t fired = 0;
  for (int64_t k = 1; k <= operations; k += Stride()) {
    const std::string context = Describe(fault, k);
    testing::TempDir dir;
    std::unique_ptr<Workload> workload = make();
    vfs.Arm(fault.op, k, fault.kind);
    const int failures = workload->Run(dir.path(), context);
    ASSERT_GE(failures, 0) << context;
    if (vfs.fired() || failures > 0) ++fired;
    vfs.Clear();
    ASSERT_EQ(workload->Check(), "") << context;
  }
  // The campaign reached the faults it meant to (a few late ones may fall on
  // operations a faulty run no longer makes).
  EXPECT_GT(fired, 0);
  EXPECT_FALSE(FailureCodes().empty()) << "no fault reached a caller";
  std::printf("%lld %s operations, %lld faults injected; failed steps: %s\n",
              static_cast<long long>(operations),
              testing::FaultOpName(fault.op), static_cast<long long>(fired),
              DescribeCodes().c_str());
}

class DeviceStorageFaultTest : public ::testing::TestWithParam<Fault> {};

TEST_P(DeviceStorageFaultTest,
       EveryFailureIsClearAndNothingAcknowledgedIsLost) {
  RunCampaign(GetParam(), [] { return std::make_unique<DeviceWorkload>(); });
}

class ServerStorageFaultTest : public ::testing::TestWithParam<Fault> {};

TEST_P(ServerStorageFaultTest,
       EveryFailureIsClearAndNothingAcknowledgedIsLost) {
  std::unique_ptr<SourceDevice> source = MakeSource();
  ASSERT_NE(source, nullptr);
  ASSERT_GT(source->pushes.size(), 3u);
  RunCampaign(GetParam(),
              [&] { return std::make_unique<ServerWorkload>(source.get()); });
}

const Fault kFaults[] = {
    {FaultOp::kOpen, FaultKind::kIoError, "IoErrorAtOpen"},
    {FaultOp::kWrite, FaultKind::kIoError, "IoErrorAtWrite"},
    {FaultOp::kSync, FaultKind::kIoError, "IoErrorAtSync"},
    {FaultOp::kWrite, FaultKind::kDiskFull, "DiskFullAtWrite"},
};

std::string FaultName(const ::testing::TestParamInfo<Fault>& info) {
  return info.param.name;
}

// Puts the campaigns' scratch files in memory where it can.
class InMemoryScratch : public ::testing::Environment {
 public:
  void SetUp() override {
    if (::access("/dev/shm", W_OK) == 0) setenv("TMPDIR", "/dev/shm", 1);
  }
};
const auto* const kScratch =
    ::testing::AddGlobalTestEnvironment(new InMemoryScratch);

INSTANTIATE_TEST_SUITE_P(Faults, DeviceStorageFaultTest,
                         ::testing::ValuesIn(kFaults), FaultName);
INSTANTIATE_TEST_SUITE_P(Faults, ServerStorageFaultTest,
                         ::testing::ValuesIn(kFaults), FaultName);

}  // namespace
}  // namespace plansync
