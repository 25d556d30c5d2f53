// End to end: the real plansync-server binary on a loopback port and real
// plansync CLI devices, with real processes killed at bad moments.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "core/device_store.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "server/sqlite_server_store.h"
#include "tests/grpc_test_util.h"
#include "tests/process_util.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

using testing::CliResult;
using testing::RunCli;
using testing::ServerProcess;

class EndToEndTest : public ::testing::Test {
 protected:
  std::string Db(const std::string& name) { return dir_.File(name + ".db"); }
  std::string Log() { return dir_.File("log"); }

  CliResult Cli(const std::string& device, std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", Db(device)});
    return RunCli(args, Log());
  }
  // Runs a CLI command that must succeed; returns its stdout.
  std::string Ok(const std::string& device, std::vector<std::string> args) {
    CliResult result = Cli(device, args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out;
  }
  // The id a "created/recorded TYPE ID" line ends with.
  static std::string IdOf(const std::string& out) {
    std::string id = out.substr(out.rfind(' ') + 1);
    return id.substr(0, id.find('\n'));
  }
  std::string Hash(const std::string& device) {
    const std::string out = Ok(device, {"status", "--json"});
    const std::string key = "\"content_hash\": \"";
    const size_t at = out.find(key);
    return at == std::string::npos ? "" : out.substr(at + key.size(), 16);
  }
  void Init(const std::string& device, const std::string& user,
            const ServerProcess& server) {
    Ok(device, {"init", "--user", user, "--server", server.address()});
  }

  // A student with a plan and an accommodation on `device`; returns ids.
  struct Ids {
    std::string student, plan, accommodation;
  };
  Ids MakePlan(const std::string& device) {
    Ids ids;
    ids.student = IdOf(
        Ok(device, {"add", "Student", "given_name=Maya", "family_name=Diaz"}));
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
    DeviceStoreOptions options;
    options.path = Db(device);
    auto store = DeviceStore::Open(options);
    ASSERT_OK(store);
    for (int done = 0; done < count;) {
      ASSERT_OK((*store)->Write([&](WriteTransaction& txn) -> absl::Status {
        for (int i = 0; i < 1000 && done < count; ++i, ++done) {
          v1::ImplementationConfirmation entry;
          entry.set_student_id(ids.student);
          entry.set_accommodation_id(ids.accommodation);
          entry.set_day("2026-09-17");
          entry.set_status(v1::CONFIRMATION_STATUS_PROVIDED);
          entry.set_note(absl::StrCat("entry ", done));
          absl::Status status = (*store)->Append(txn, entry).status();
          if (!status.ok()) return status;
        }
        return absl::OkStatus();
      }));
    }
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
    sqlite3* db = nullptr;
    int64_t count = -1;
    if (sqlite3_open_v2(Db(device).c_str(), &db, SQLITE_OPEN_READONLY,
                        nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(db, 5000);
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM outbox WHERE state = 0",
                             -1, &stmt, nullptr) == SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW) {
        count = sqlite3_column_int64(stmt, 0);
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return count;
  }

  testing::TempDir dir_;
};

TEST_F(EndToEndTest, ThreeDevicesWorkOfflineThenConverge) {
  ServerProcess server(Db("server"), Log());
  Init("manager", "user-cm", server);
  Init("teacher", "user-lee", server);
  Init("parent", "user-diaz", server);
  const Ids ids = MakePlan("manager");
  Ok("manager", {"sync"});
  Ok("teacher", {"sync"});
  Ok("parent", {"sync"});

  // Offline work on all three.
  Ok("teacher",
     {"append", "ImplementationConfirmation", "student_id=" + ids.student,
      "accommodation_id=" + ids.accommodation, "day=2026-09-17",
      "status=provided"});
  Ok("parent", {"append", "LapseReport", "student_id=" + ids.student,
                "accommodation_id=" + ids.accommodation, "day=2026-09-17",
                "what_happened=No extra time on the quiz"});
  Ok("teacher", {"set", "Accommodation", ids.accommodation,
                 "description=1.5x, quizzes too"});
  Ok("manager", {"set", "Accommodation", ids.accommodation,
                 "description=1.5x, unit tests only"});
  for (int round = 0; round < 2; ++round) {
    for (const char* device : {"teacher", "parent", "manager"}) {
      Ok(device, {"sync"});
    }
  }
  const std::string hash = Hash("manager");
  EXPECT_EQ(hash.size(), 16u);
  EXPECT_EQ(Hash("teacher"), hash);
  EXPECT_EQ(Hash("parent"), hash);
  // The concurrent edit became a conflict entry on every device; the lapse
  // and the confirmation both stand.
  for (const char* device : {"manager", "teacher", "parent"}) {
    EXPECT_EQ(CountOnDevice(device, "Conflict"), 1) << device;
    EXPECT_EQ(CountOnDevice(device, "LapseReport"), 1) << device;
    EXPECT_EQ(CountOnDevice(device, "ImplementationConfirmation"), 1) << device;
  }
  // The server stops cleanly on SIGTERM.
  server.process().Signal(SIGTERM);
  EXPECT_NE(server.process().Stderr().find("stopped"), std::string::npos);
}

TEST_F(EndToEndTest, ServerKilledMidPushLosesNothingAndAppliesOnce) {
  constexpr int kEntries = 30000;
  auto server = std::make_unique<ServerProcess>(Db("server"), Log());
  const int port = server->port();
  Init("writer", "user-lee", *server);
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
  // 30,000 entries + 2 student, 5 plan and 5 accommodation fields.
  EXPECT_EQ(*(*store)->ItemCount(), kEntries + 12);

  // A fresh device receives the same record.
  Init("reader", "user-cm", *server);
  Ok("reader", {"sync"});
  EXPECT_EQ(Hash("reader"), Hash("writer"));
  EXPECT_EQ(CountOnDevice("reader", "ImplementationConfirmation"), kEntries);
}

TEST_F(EndToEndTest, DeviceKilledMidPullResumesFromItsCursors) {
  constexpr int kEntries = 40000;
  ServerProcess server(Db("server"), Log());
  Init("writer", "user-lee", server);
  const Ids ids = MakePlan("writer");
  AppendMany("writer", ids, kEntries);
  Ok("writer", {"sync"});
  const std::string bucket = "student/" + ids.student;

  // Kill the reader's first sync part-way; try shorter waits until a kill
  // lands inside the pull.
  bool partial = false;
  for (int wait_ms : {400, 200, 100, 50, 25, 800, 1600}) {
    std::filesystem::remove(Db("reader"));
    Init("reader", "user-cm", server);
    testing::Process sync({PLANSYNC_CLI_BIN, "--db", Db("reader"), "sync"},
                          Log() + ".pull");
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
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
  EXPECT_EQ(Hash("reader"), Hash("writer"));
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
  Init("manager", "user-cm", server);
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

}  // namespace
}  // namespace plansync
