// End to end: the real plansync-server binary on a loopback port and real
// plansync CLI devices, with real processes killed at bad moments.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/device_store.h"
#include "core/file.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "server/sqlite_server_store.h"
#include "sync/grpc_transport.h"
#include "tests/cli_fixture.h"
#include "tests/device_file.h"
#include "tests/grpc_test_util.h"
#include "tests/process_util.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

using testing::CliResult;
using testing::RunCli;
using testing::ServerProcess;

class EndToEndTest : public testing::CliFixture {
 protected:
  // The id a "created/recorded TYPE ID" line ends with.
  static std::string IdOf(const std::string& out) {
    std::string id = out.substr(out.rfind(' ') + 1);
    return id.substr(0, id.find('\n'));
  }
  // A plan and an accommodation for Student() made on `device`, a case
  // manager's, which syncs first to receive the student; returns ids.
  struct Ids {
    std::string student, plan, accommodation;
  };
  Ids MakePlan(const std::string& device) {
    Ok(device, {"sync"});
    Ids ids;
    ids.student = Student();
    ids.plan =
        IdOf(Ok(device, {"add", "Plan", "student_id=" + ids.student, "kind=iep",
                         "status=active", "version=1", "jurisdiction=US-MO"}));
    ids.accommodation = IdOf(
        Ok(device, {"add", "Accommodation", "student_id=" + ids.student,
                    "plan_id=" + ids.plan, "kind=accommodation",
                    "category=timing_and_scheduling", "title=Extended time"}));
    return ids;
  }

  // Appends `count` confirmations straight into a device's store file (as
  // an app would), in batches.
  void AppendMany(const std::string& device, const Ids& ids, int count) {
    testing::AppendConfirmations(Db(device), ids.student, ids.accommodation,
                                 count);
  }

  // Items of record type `type` (short name) in a server store file.
  static int64_t ServerCount(const std::string& path, absl::string_view type) {
    const std::string sql = absl::StrCat(
        "SELECT COUNT(*) FROM items WHERE record_type = 'plansync.v1.", type,
        "'");
    return testing::CountInFile(path, sql.c_str());
  }

  int64_t CountOnDevice(const std::string& device, absl::string_view type) {
    DeviceStoreOptions options;
    options.path = Db(device);
    auto store = DeviceStore::Open(options);
    EXPECT_OK(store);
    EXPECT_EQ(*(*store)->IntegrityCheck(), "ok");
    return *(*store)->Count(*Schema::Get().Find(type));
  }

  // Pending outbox changes of a device, read straight from its file while
  // another process may be writing it.
  int64_t PendingOnDisk(const std::string& device) {
    return testing::PendingInFile(Db(device));
  }
  int64_t CountOnDisk(const std::string& device, const char* sql) {
    return testing::CountInFile(Db(device), sql);
  }
};

TEST_F(EndToEndTest, ThreeDevicesWorkOfflineThenConverge) {
  ServerProcess server(Db("server"), Log());
  const std::string manager = AddUser("Case manager", {"case-manager"});
  const std::string teacher = AddUser("Teacher", {"teacher"});
  const std::string parent = AddUser("Parent", {"guardian"});
  Init("manager", manager, server);
  Init("laptop", manager, server);  // the case manager's second device
  Init("teacher", teacher, server);
  Init("parent", parent, server);
  const Ids ids = MakePlan("manager");
  for (const char* device : {"manager", "laptop", "teacher", "parent"}) {
    Ok(device, {"sync"});
  }

  // Offline work on all four.
  Ok("teacher",
     {"append", "ImplementationConfirmation", "student_id=" + ids.student,
      "accommodation_id=" + ids.accommodation, "day=2026-09-17",
      "status=provided"});
  Ok("parent", {"append", "LapseReport", "student_id=" + ids.student,
                "accommodation_id=" + ids.accommodation, "day=2026-09-17",
                "what_happened=No extra time on the quiz"});
  Ok("laptop", {"set", "Accommodation", ids.accommodation,
                "description=1.5x, quizzes too"});
  Ok("manager", {"set", "Accommodation", ids.accommodation,
                 "description=1.5x, unit tests only"});
  // Neither a parent nor a teacher may change the plan.
  // Writes their roles do not allow are refused on the devices at once,
  // with the server's reason, and nothing is queued.
  const CliResult parent_set =
      Cli("parent", {"set", "Plan", ids.plan, "status=draft"});
  EXPECT_NE(parent_set.exit_code, 0);
  EXPECT_NE(parent_set.err.find(
                "a guardian may not change Plan records (ROLE_NOT_PERMITTED)"),
            std::string::npos)
      << parent_set.err;
  const CliResult teacher_set =
      Cli("teacher", {"set", "Accommodation", ids.accommodation,
                      "description=whatever the teacher likes"});
  EXPECT_NE(teacher_set.exit_code, 0);
  EXPECT_NE(
      teacher_set.err.find("a teacher may not change Accommodation records"),
      std::string::npos)
      << teacher_set.err;
  // Three rounds: the last brings nothing but access records, which are
  // not themselves logged, so every device ends up with the same record.
  for (int round = 0; round < 3; ++round) {
    for (const char* device : {"laptop", "teacher", "parent", "manager"}) {
      Ok(device, {"sync"});
    }
  }
  // Devices with the same view of the record hold the same record.
  const std::string hash = Hash("manager");
  EXPECT_EQ(hash.size(), 16u);
  EXPECT_EQ(Hash("laptop"), hash);
  // The concurrent edit became a conflict entry, which only case managers
  // read; the lapse and the confirmation both stand everywhere.
  for (const char* device : {"manager", "laptop", "teacher", "parent"}) {
    EXPECT_EQ(
        CountOnDevice(device, "Conflict"),
        std::string(device) == "manager" || std::string(device) == "laptop" ? 1
                                                                            : 0)
        << device;
    EXPECT_EQ(CountOnDevice(device, "LapseReport"), 1) << device;
    EXPECT_EQ(CountOnDevice(device, "ImplementationConfirmation"), 1) << device;
  }
  // Nothing was refused at sync: the devices kept what the server would
  // refuse out of their outboxes.
  for (const char* device : {"manager", "laptop", "teacher", "parent"}) {
    EXPECT_EQ(Ok(device, {"rejected"}).find("ROLE_NOT_PERMITTED"),
              std::string::npos)
        << device;
  }
  // ... and the records are the server's everywhere.
  EXPECT_EQ(Ok("parent", {"get", "Plan", ids.plan}),
            Ok("manager", {"get", "Plan", ids.plan}));
  EXPECT_EQ(Ok("parent", {"get", "Plan", ids.plan}).find("draft"),
            std::string::npos);
  EXPECT_EQ(Ok("teacher", {"get", "Accommodation", ids.accommodation}),
            Ok("manager", {"get", "Accommodation", ids.accommodation}));
  // Everyone else's pulls are in the access log, which the parent reads;
  // the parent's own pulls are not.
  const std::string log = Ok("parent", {"list", "AccessLogEntry", "--json"});
  EXPECT_NE(log.find(teacher), std::string::npos) << log;
  EXPECT_NE(log.find(manager), std::string::npos) << log;
  EXPECT_EQ(log.find("\"accessorUserId\": \"" + parent), std::string::npos)
      << log;
  EXPECT_EQ(CountOnDevice("teacher", "AccessLogEntry"), 0);
  // The server stops cleanly on SIGTERM.
  server.process().Signal(SIGTERM);
  EXPECT_NE(server.process().Stderr().find("stopped"), std::string::npos);
}

// The access log's counts of repeated pulls are held by the server process
// and written when due; a server stopped with SIGTERM writes them first, so
// the guardian sees every pull after a restart.
TEST_F(EndToEndTest, StoppedServerWritesTheAccessCountsItHeld) {
  auto server = std::make_unique<ServerProcess>(Db("server"), Log());
  const int port = server->port();
  const std::string manager = AddUser("Case manager", {"case-manager"});
  const std::string teacher = AddUser("Teacher", {"teacher"});
  const std::string parent = AddUser("Parent", {"guardian"});
  Init("manager", manager, *server);
  Init("teacher", teacher, *server);
  Init("parent", parent, *server);
  const Ids ids = MakePlan("manager");
  Ok("manager", {"sync"});
  Ok("teacher", {"sync"});  // the first pull of the day: written at once
  Ok("manager", {"set", "Accommodation", ids.accommodation, "title=Breaks"});
  Ok("manager", {"sync"});
  Ok("teacher", {"sync"});  // the same types again: counted
  auto teachers_count = [&]() -> int64_t {
    DeviceStoreOptions options;
    options.path = Db("parent");
    auto store = DeviceStore::Open(options);
    EXPECT_OK(store);
    int64_t count = 0;
    EXPECT_OK((*store)->Scan(
        *Schema::Get().Find("AccessLogEntry"), "student_id", ids.student,
        /*include_archived=*/true, [&](const google::protobuf::Message& m) {
          const auto& entry = static_cast<const v1::AccessLogEntry&>(m);
          if (entry.accessor_user_id() == teacher) count += entry.pull_count();
          return absl::OkStatus();
        }));
    return count;
  };
  Ok("parent", {"sync"});
  EXPECT_EQ(teachers_count(), 1);

  server->process().Signal(SIGTERM);
  const std::string log = server->process().Stderr();
  EXPECT_NE(log.find("stopped"), std::string::npos) << log;
  EXPECT_NE(log.find("held pulls written"), std::string::npos) << log;
  EXPECT_EQ(log.find("access log: 0 held"), std::string::npos) << log;
  server = std::make_unique<ServerProcess>(Db("server"), Log(), port);
  Ok("parent", {"sync"});
  EXPECT_EQ(teachers_count(), 2);
}

TEST_F(EndToEndTest, ServerKilledMidPushLosesNothingAndAppliesOnce) {
  constexpr int kEntries = 30000;
  auto server = std::make_unique<ServerProcess>(Db("server"), Log());
  const int port = server->port();
  // One user who manages the plan and teaches the student.
  const std::string writer = AddUser("Writer", {"case-manager", "teacher"});
  Init("writer", writer, *server);
  const Ids ids = MakePlan("writer");
  AppendMany("writer", ids, kEntries);

  // Sync in a child process; once the server has acknowledged a first batch
  // (the device's outbox shrinks), kill the server with SIGKILL.
  const int64_t total = PendingOnDisk("writer");
  testing::Process sync({PLANSYNC_CLI_BIN, "--db", Db("writer"), "sync"},
                        Log() + ".sync");
  int64_t pending = total;
  for (int i = 0; i < 2000 && pending == total; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    pending = PendingOnDisk("writer");
  }
  server->process().Signal(SIGKILL);
  sync.Wait();  // gives up after its retries
  const int64_t left = PendingOnDisk("writer");
  ASSERT_GT(left, 0) << "the push finished before the kill";
  ASSERT_LT(left, total);

  // Restart on the same port and store; sync again.
  server = std::make_unique<ServerProcess>(Db("server"), Log(), port);
  Ok("writer", {"sync"});
  EXPECT_EQ(Ok("writer", {"status"}).find("pending       0 changes") !=
                std::string::npos,
            true);

  // The server holds every entry exactly once and its store is sound.
  server::SqliteServerStoreOptions options;
  options.path = Db("server");
  auto store = server::OpenSqliteServerStore(options);
  ASSERT_OK(store);
  EXPECT_EQ(*(*store)->IntegrityCheck(), "ok");
  EXPECT_EQ(ServerCount(Db("server"), "ImplementationConfirmation"), kEntries);

  // A fresh device of the same user receives the same record.
  Init("reader", writer, *server);
  Ok("reader", {"sync"});
  Ok("writer", {"sync"});  // receives the reader's access record
  EXPECT_EQ(Hash("reader"), Hash("writer"));
  EXPECT_EQ(CountOnDevice("reader", "ImplementationConfirmation"), kEntries);
}

// The crash campaign: four devices (a case manager and three teachers, each
// its own CLI processes) record confirmations and sync, all at once and
// without pause, while the server is killed with SIGKILL at random moments
// and restarted on the same store and port. Afterwards every confirmation
// any device recorded is on the server exactly once (none acknowledged and
// then lost, none applied twice), nothing was refused, no device has
// anything pending, and a new device of each user pulls the same record as
// that user's device.
// PLANSYNC_CRASH_KILLS sets the number of kills (10 by default; a long run
// sets more), PLANSYNC_SEED the schedule of kill times.
TEST_F(EndToEndTest, ServerKilledAtRandomUnderFourPushingDevicesLosesNothing) {
  const char* kills_env = std::getenv("PLANSYNC_CRASH_KILLS");
  const int kills =
      kills_env != nullptr ? std::max(1, std::atoi(kills_env)) : 10;
  const char* seed_env = std::getenv("PLANSYNC_SEED");
  const uint64_t seed =
      seed_env != nullptr ? std::strtoull(seed_env, nullptr, 10) : 20261129;
  auto server = std::make_unique<ServerProcess>(Db("server"), Log());
  const int port = server->port();
  const std::vector<std::string> devices = {"manager", "teacher1", "teacher2",
                                            "teacher3"};
  std::vector<std::string> users = {
      AddUser("Manager", {"case-manager", "teacher"})};
  for (size_t d = 1; d < devices.size(); ++d) {
    users.push_back(AddUser(absl::StrCat("Teacher ", d), {"teacher"}));
  }
  for (size_t d = 0; d < devices.size(); ++d) {
    Init(devices[d], users[d], *server);
  }
  const Ids ids = MakePlan("manager");
  Ok("manager", {"sync"});
  for (size_t d = 1; d < devices.size(); ++d) Ok(devices[d], {"sync"});

  // Each device: three confirmations, then a sync, over and over.
  std::atomic<bool> stop{false};
  std::atomic<int> failed_syncs{0};  // syncs that gave up on the server
  std::vector<int64_t> recorded(devices.size(), 0);
  std::vector<std::thread> threads;
  for (size_t d = 0; d < devices.size(); ++d) {
    threads.emplace_back([&, d] {
      const std::string log = absl::StrCat(Log(), ".", devices[d]);
      for (int round = 0; !stop.load(); ++round) {
        for (int i = 0; i < 3; ++i) {
          const CliResult append = RunCli(
              {"--db", Db(devices[d]), "append", "ImplementationConfirmation",
               "student_id=" + ids.student,
               "accommodation_id=" + ids.accommodation, "day=2026-09-17",
               "status=provided", absl::StrCat("note=round ", round, ".", i)},
              log);
          EXPECT_EQ(append.exit_code, 0) << devices[d] << ": " << append.err;
          if (append.exit_code == 0) ++recorded[d];
        }
        if (RunCli({"--db", Db(devices[d]), "sync"}, log).exit_code != 0) {
          ++failed_syncs;
        }
      }
    });
  }
  std::mt19937_64 rng(seed);
  for (int kill = 0; kill < kills; ++kill) {
    std::this_thread::sleep_for(
        std::chrono::milliseconds(100 + static_cast<int64_t>(rng() % 700)));
    server->process().Signal(SIGKILL);
    server = std::make_unique<ServerProcess>(Db("server"), Log(), port);
  }
  stop.store(true);
  for (std::thread& thread : threads) thread.join();
  // Informational: a sync cut by a kill is retried for a few seconds and
  // usually completes against the restarted server, so this may be zero.
  std::printf("%d syncs gave up during the campaign\n", failed_syncs.load());

  // The network and the server stay up now: everything pending lands.
  int64_t total = 0;
  for (size_t d = 0; d < devices.size(); ++d) {
    Ok(devices[d], {"sync"});
    total += recorded[d];
  }
  for (const std::string& device : devices) {
    Ok(device, {"sync"});
    EXPECT_NE(Ok(device, {"status"}).find("pending       0 changes"),
              std::string::npos)
        << device;
    EXPECT_EQ(Ok(device, {"rejected"}), "no refused changes\n") << device;
  }
  EXPECT_GT(total, 4 * 3);
  EXPECT_EQ(ServerCount(Db("server"), "ImplementationConfirmation"), total)
      << "replay with PLANSYNC_SEED=" << seed;

  // A new device of each user receives the same record as that user's
  // device (users see different parts of the directory: their own
  // assignments).
  for (size_t d = 0; d < devices.size(); ++d) {
    const std::string fresh = absl::StrCat("fresh-", devices[d]);
    Init(fresh, users[d], *server);
    Ok(fresh, {"sync"});
    EXPECT_EQ(CountOnDevice(fresh, "ImplementationConfirmation"), total);
  }
  for (size_t d = 0; d < devices.size(); ++d) Ok(devices[d], {"sync"});
  for (size_t d = 0; d < devices.size(); ++d) {
    const std::string fresh = absl::StrCat("fresh-", devices[d]);
    Ok(fresh, {"sync"});
    EXPECT_EQ(Hash(devices[d]), Hash(fresh)) << devices[d];
  }
  server->process().Signal(SIGTERM);
  server::SqliteServerStoreOptions options;
  options.path = Db("server");
  auto store = server::OpenSqliteServerStore(options);
  ASSERT_OK(store);
  EXPECT_EQ(*(*store)->IntegrityCheck(), "ok");
}

TEST_F(EndToEndTest, DeviceKilledMidPullResumesFromItsCursors) {
  constexpr int kEntries = 40000;
  ServerProcess server(Db("server"), Log());
  const std::string writer = AddUser("Writer", {"case-manager", "teacher"});
  Init("writer", writer, server);
  const Ids ids = MakePlan("writer");
  Ok("writer", {"sync"});
  const std::string bucket = "student/" + ids.student;
  // The reader's first pull (a bulk load, committed at its end) brings the
  // plan; the entries come in its next pull, page by page.
  Init("reader", writer, server);
  Ok("reader", {"sync"});
  const std::string synced = Db("reader") + ".synced";
  std::filesystem::copy_file(Db("reader"), synced);
  AppendMany("writer", ids, kEntries);
  Ok("writer", {"sync"});

  // Kill the reader's sync as soon as its first page is committed (pages
  // hold 10,000 changes); try again if the kill came too late.
  bool partial = false;
  for (int attempt = 0; attempt < 5 && !partial; ++attempt) {
    std::filesystem::remove(Db("reader"));
    std::filesystem::copy_file(synced, Db("reader"));
    testing::Process sync({PLANSYNC_CLI_BIN, "--db", Db("reader"), "sync"},
                          Log() + ".pull");
    for (int i = 0; i < 10000; ++i) {
      if (CountOnDisk("reader",
                      "SELECT COUNT(*) FROM implementation_confirmations") >
          0) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    sync.Signal(SIGKILL);
    const int64_t got = CountOnDevice("reader", "ImplementationConfirmation");
    if (got > 0 && got < kEntries) {
      partial = true;
      // What it holds is whole pages, matching its cursor.
      DeviceStoreOptions options;
      options.path = Db("reader");
      auto store = DeviceStore::Open(options);
      ASSERT_OK(store);
      auto cursor = (*store)->Cursor(bucket);
      ASSERT_OK(cursor);
      EXPECT_TRUE(cursor->has_value());
      break;
    }
  }
  ASSERT_TRUE(partial) << "no kill landed inside the pull";
  const std::string out = Ok("reader", {"sync"});
  // The second sync pulled only what was missing.
  const size_t at = out.find("pulled ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_LT(std::stoll(out.substr(at + 7)), kEntries + 12);
  EXPECT_EQ(CountOnDevice("reader", "ImplementationConfirmation"), kEntries);
  Ok("writer", {"sync"});  // receives the reader's access record
  EXPECT_EQ(Hash("reader"), Hash("writer"));
}

// A device killed in its first pull, after the pull dropped the indexes to
// build them at its end: reopened, the store has them all again and is
// whole, and the next sync brings everything.
TEST_F(EndToEndTest, DeviceKilledInItsFirstPullRebuildsItsIndexes) {
  constexpr int kEntries = 40000;
  ServerProcess server(Db("server"), Log());
  const std::string writer = AddUser("Writer", {"case-manager", "teacher"});
  Init("writer", writer, server);
  const Ids ids = MakePlan("writer");
  AppendMany("writer", ids, kEntries);
  Ok("writer", {"sync"});
  // Try again if the kill came after the pull built them.
  int64_t indexes = 0;
  bool inside = false;
  for (int attempt = 0; attempt < 5 && !inside; ++attempt) {
    std::filesystem::remove(Db("reader"));
    Init("reader", writer, server);
    indexes = testing::SecondaryIndexesInFile(Db("reader"));
    ASSERT_GT(indexes, 10);
    testing::Process sync({PLANSYNC_CLI_BIN, "--db", Db("reader"), "sync"},
                          Log() + ".pull");
    bool dropped = false;
    for (int i = 0; i < 10000 && !dropped; ++i) {
      dropped = testing::SecondaryIndexesInFile(Db("reader")) == 0;
      if (!dropped) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    sync.Signal(SIGKILL);
    inside = dropped && testing::SecondaryIndexesInFile(Db("reader")) == 0;
  }
  ASSERT_TRUE(inside) << "no kill landed between the drop and the build";

  {
    DeviceStoreOptions options;
    options.path = Db("reader");
    auto store = DeviceStore::Open(options);
    ASSERT_OK(store);
    EXPECT_EQ(*(*store)->IntegrityCheck(), "ok");
  }
  EXPECT_EQ(testing::SecondaryIndexesInFile(Db("reader")), indexes);
  Ok("reader", {"sync"});
  EXPECT_EQ(CountOnDevice("reader", "ImplementationConfirmation"), kEntries);
  Ok("writer", {"sync"});  // receives the reader's access record
  EXPECT_EQ(Hash("reader"), Hash("writer"));
}

// More devices pushing than the server takes at once (here one push at a
// time): the others are refused at once with RESOURCE_EXHAUSTED and a retry
// hint, their replicators come back after it, and every change arrives
// once; the server stays healthy.
TEST_F(EndToEndTest, OverloadedServerRefusesPushesAndLosesNothing) {
  constexpr int kDevices = 8;
  constexpr int kEntries = 3000;  // three pushes a device
  ServerProcess server(
      Db("server"), Log(), 0,
      {"--max_pushes_in_flight=1", "--push_retry_after_ms=20"});
  const std::string writer = AddUser("Writer", {"case-manager", "teacher"});
  Init("d0", writer, server);
  const Ids ids = MakePlan("d0");
  Ok("d0", {"sync"});
  for (int d = 1; d < kDevices; ++d) {
    Init(absl::StrCat("d", d), writer, server);
    Ok(absl::StrCat("d", d), {"sync"});
  }
  for (int d = 0; d < kDevices; ++d) {
    AppendMany(absl::StrCat("d", d), ids, kEntries);
  }
  std::vector<CliResult> results(kDevices);
  std::vector<std::thread> syncs;
  for (int d = 0; d < kDevices; ++d) {
    syncs.emplace_back(
        [&, d] { results[d] = Cli(absl::StrCat("d", d), {"sync"}); });
  }
  for (std::thread& sync : syncs) sync.join();
  for (int d = 0; d < kDevices; ++d) {
    EXPECT_EQ(results[d].exit_code, 0) << results[d].err;
    EXPECT_EQ(testing::PendingInFile(Db(absl::StrCat("d", d))), 0);
  }
  const std::string log = server.process().Stderr();
  EXPECT_NE(log.find("method=Push"), std::string::npos);
  EXPECT_NE(log.find("status=RESOURCE_EXHAUSTED"), std::string::npos)
      << "no push was refused: the test did not overload the server";
  EXPECT_EQ(ServerCount(Db("server"), "ImplementationConfirmation"),
            kDevices * kEntries);
  Ok("d0", {"sync"});
  EXPECT_EQ(CountOnDevice("d0", "ImplementationConfirmation"),
            kDevices * kEntries);
}

TEST_F(EndToEndTest, HealthCheckSaysServing) {
  ServerProcess server(Db("server"), Log());
  auto channel =
      grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  std::string bytes;
  // HealthCheckRequest{service: ""} serializes to no bytes.
  grpc::Status status = testing::GenericUnaryCall(
      channel, "/grpc.health.v1.Health/Check", "", &bytes);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));  // status: SERVING
}

TEST_F(EndToEndTest, CliExplainsBadInputAndChangesNothing) {
  ServerProcess server(Db("server"), Log());
  Init("manager", AddUser("Case manager", {"case-manager"}), server);
  const Ids ids = MakePlan("manager");
  const std::string before = Hash("manager");
  CliResult bad_date = Cli("manager", {"append", "ImplementationConfirmation",
                                       "student_id=" + ids.student,
                                       "accommodation_id=" + ids.accommodation,
                                       "day=2026-02-30", "status=provided"});
  EXPECT_EQ(bad_date.exit_code, 2);
  EXPECT_NE(bad_date.err.find("must be an ISO 8601 day"), std::string::npos)
      << bad_date.err;
  CliResult bad_enum =
      Cli("manager", {"set", "Plan", ids.plan, "status=maybe"});
  EXPECT_NE(bad_enum.exit_code, 0);
  EXPECT_NE(bad_enum.err.find("is not one of: draft, active"),
            std::string::npos)
      << bad_enum.err;
  CliResult bad_type = Cli("manager", {"list", "Grades"});
  EXPECT_NE(bad_type.err.find("is not a record type"), std::string::npos);
  CliResult no_store = RunCli({"--db", Db("nowhere"), "status"}, Log());
  EXPECT_EQ(no_store.exit_code, 1);
  EXPECT_NE(no_store.err.find("does not exist"), std::string::npos);
  EXPECT_EQ(Hash("manager"), before);
}

// Rows of `student_id` in any table of the SQLite file `path`: every column
// of every row is searched for the id's bytes (blobs included).
int64_t RowsMentioning(const std::string& path, const std::string& student_id) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  auto query = [&](const std::string& sql) {
    std::vector<std::vector<std::string>> rows;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr),
              SQLITE_OK)
        << sql;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string>& row = rows.emplace_back();
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const unsigned char* text = sqlite3_column_text(stmt, i);
        row.emplace_back(text == nullptr ? ""
                                         : reinterpret_cast<const char*>(text));
      }
    }
    sqlite3_finalize(stmt);
    return rows;
  };
  int64_t total = 0;
  for (const auto& table :
       query("SELECT name FROM sqlite_master WHERE type = 'table' AND name "
             "NOT LIKE 'sqlite_%'")) {
    std::vector<std::string> tests;
    for (const auto& column :
         query(absl::StrCat("PRAGMA table_info(\"", table[0], "\")"))) {
      tests.push_back(absl::StrCat("instr(CAST(\"", column[1],
                                   "\" AS BLOB), CAST('", student_id,
                                   "' AS BLOB)) > 0"));
    }
    total += std::stoll(
        query(absl::StrCat("SELECT COUNT(*) FROM \"", table[0], "\" WHERE ",
                           absl::StrJoin(tests, " OR ")))[0][0]);
  }
  sqlite3_close(db);
  return total;
}

TEST_F(EndToEndTest, EndedAssignmentEvictsEveryRowOfTheStudent) {
  ServerProcess server(Db("server"), Log());
  Init("manager", AddUser("Case manager", {"case-manager"}), server);
  const Ids ids = MakePlan("manager");
  Ok("manager", {"sync"});
  const std::string teacher = Admin({"add-user", "--name", "Teacher"});
  const std::string assignment =
      Admin({"assign", "--user", teacher, "--student", Student(), "--role",
             "teacher", "--class", "Period 3"});
  Init("teacher", teacher, server);
  Ok("teacher", {"sync"});
  Ok("teacher",
     {"append", "ImplementationConfirmation", "student_id=" + ids.student,
      "accommodation_id=" + ids.accommodation, "day=2026-09-17",
      "status=provided"});
  Ok("teacher", {"sync"});
  ASSERT_GT(RowsMentioning(Db("teacher"), Student()), 5);

  // The teacher leaves the class: the assignment ended yesterday.
  const std::string yesterday = absl::FormatTime(
      "%Y-%m-%d", absl::Now() - absl::Hours(24), absl::UTCTimeZone());
  Admin({"end-assignment", "--assignment", assignment, "--end", yesterday});
  Ok("teacher", {"sync"});
  EXPECT_EQ(RowsMentioning(Db("teacher"), Student()), 0);
  EXPECT_EQ(CountOnDevice("teacher", "Student"), 0);
  // The record itself is intact for those still assigned.
  Ok("manager", {"sync"});
  EXPECT_EQ(CountOnDevice("manager", "ImplementationConfirmation"), 1);
}

TEST_F(EndToEndTest, TokensAreCheckedOnEveryCallAndRevocationClosesWatch) {
  ServerProcess server(Db("server"), Log(), 0, {"--watch_check_ms=100"});
  const std::string user = AddUser("Teacher", {"teacher"});
  Init("teacher", user, server);
  Ok("teacher", {"sync"});
  const std::string token_file = dir_.File("teacher.token");
  const std::string token = *ReadFileToString(token_file);
  auto channel =
      grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
  auto hello = [&](const std::string& bearer) {
    sync::TransportOptions options;
    options.token = bearer;
    sync::GrpcTransport transport(channel, options);
    return transport.Hello(v1::HelloRequest()).status();
  };
  EXPECT_OK(hello(token.substr(0, token.find('\n'))));
  struct Case {
    std::string token, message;
  };
  for (const Case& bad : std::vector<Case>{
           {"", "carries no token"},
           {"pst_not-a-token", "malformed"},
           {"pst_" + std::string(64, 'a'), "not known to this server"}}) {
    absl::Status status = hello(bad.token);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << bad.token;
    EXPECT_NE(status.message().find(bad.message), std::string::npos) << status;
    // The answer never repeats the token.
    if (!bad.token.empty()) {
      EXPECT_EQ(status.message().find(bad.token), std::string::npos);
    }
  }

  // An open Watch stream ends when its token is revoked.
  sync::TransportOptions options;
  options.token = token.substr(0, token.find('\n'));
  sync::GrpcTransport transport(channel, options);
  grpc::ClientContext watch_context;
  absl::Status watch_end;
  absl::Notification ended;
  std::thread watcher([&] {
    watch_end = transport.Watch(&watch_context, v1::WatchRequest(),
                                [](const v1::WatchEvent&) {});
    ended.Notify();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(ended.HasBeenNotified());
  const std::string listed = Admin({"list-tokens", "--user", user});
  const std::string token_id = listed.substr(0, listed.find(' '));
  ASSERT_EQ(token_id.rfind("tok_", 0), 0u) << listed;
  // Listing never shows the token.
  EXPECT_EQ(listed.find(options.token), std::string::npos);
  Admin({"revoke-token", "--token-id", token_id});
  const bool closed = ended.WaitForNotificationWithTimeout(absl::Seconds(10));
  if (!closed) watch_context.TryCancel();
  watcher.join();
  EXPECT_TRUE(closed);
  EXPECT_EQ(watch_end.code(), absl::StatusCode::kUnauthenticated) << watch_end;
  EXPECT_NE(watch_end.message().find("revoked"), std::string::npos);
  // And the next call fails too, through the CLI.
  CliResult refused = Cli("teacher", {"sync"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("revoked"), std::string::npos) << refused.err;
}

// A backup taken while the server serves opens as a store: a new device
// syncing from it receives the same record. Bad destinations are refused
// with what to do, and change nothing.
TEST_F(EndToEndTest, OnlineBackupRestoresTheRecord) {
  auto server = std::make_unique<ServerProcess>(Db("server"), Log());
  const std::string manager = AddUser("Case manager", {"case-manager"});
  Init("manager", manager, *server);
  const Ids ids = MakePlan("manager");
  Ok("manager",
     {"append", "Comment", "student_id=" + ids.student,
      "about_record_id=" + ids.plan, "about_record_type=plansync.v1.Plan",
      "text=Reviewed at the annual meeting"});
  Ok("manager", {"sync"});

  const std::string copy = dir_.File("copy.db");
  EXPECT_NE(Admin({"backup", "--out", copy}).find("backed up to"),
            std::string::npos);
  EXPECT_EQ(
      std::filesystem::status(copy).permissions() & std::filesystem::perms::all,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  // A second backup to the same file, and one into a missing directory.
  for (const std::string& bad : {copy, dir_.File("no-such-dir/copy.db")}) {
    CliResult refused =
        testing::RunAdmin(Db("server"), {"backup", "--out", bad}, Log());
    EXPECT_NE(refused.exit_code, 0) << bad;
    EXPECT_NE(refused.err.find(bad == copy ? "exists" : "no directory"),
              std::string::npos)
        << refused.err;
  }
  server.reset();

  // The copy serves: a fresh device of the user gets the same record.
  server_db_ = copy;
  ServerProcess restored(copy, Log() + ".restored");
  Init("laptop", manager, restored);
  Ok("laptop", {"sync"});
  EXPECT_EQ(CountOnDevice("laptop", "Comment"), 1);
  EXPECT_EQ(Ok("laptop", {"get", "Plan", ids.plan}),
            Ok("manager", {"get", "Plan", ids.plan}));
  EXPECT_EQ(CountOnDevice("laptop", "Accommodation"),
            CountOnDevice("manager", "Accommodation"));
}

}  // namespace
}  // namespace plansync
