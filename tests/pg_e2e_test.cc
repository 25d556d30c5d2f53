// End to end on PostgreSQL: three real plansync-server processes over one
// database, devices (the real CLI) spread over them. Against a real
// PostgreSQL (tests/pg_test_util.h).
#include <signal.h>

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/device_store.h"
#include "core/file.h"
#include "core/schema.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "server/pg/connection.h"
#include "sync/grpc_transport.h"
#include "tests/cli_fixture.h"
#include "tests/device_file.h"
#include "tests/pg_test_util.h"

namespace plansync {
namespace {

using testing::ServerProcess;

class PostgresEndToEndTest : public testing::CliFixture {
 protected:
  void AppendMany(const std::string& device, const std::string& accommodation,
                  int count) {
    testing::AppendConfirmations(Db(device), Student(), accommodation, count);
  }
  int64_t PendingOnDisk(const std::string& device) {
    return testing::PendingInFile(Db(device));
  }
  // `count` plansync-server processes over the test's database, each with
  // a pool of 4 connections.
  std::vector<std::unique_ptr<ServerProcess>> StartServers(int count) {
    std::vector<std::unique_ptr<ServerProcess>> servers;
    for (int i = 0; i < count; ++i) {
      servers.push_back(std::make_unique<ServerProcess>(
          ServerDb(), Log() + std::to_string(i), 0,
          std::vector<std::string>{"--db_pool=4"}));
    }
    return servers;
  }
  // A plan and its accommodation for Student(), made on `device` (a case
  // manager's, synced once before); returns {plan id, accommodation id}.
  std::pair<std::string, std::string> MakePlan(const std::string& device) {
    const std::string plan =
        IdOf(Ok(device, {"add", "Plan", "student_id=" + Student(), "kind=iep",
                         "status=active", "version=1", "jurisdiction=US-MO"}));
    const std::string accommodation = IdOf(
        Ok(device, {"add", "Accommodation", "student_id=" + Student(),
                    "plan_id=" + plan, "kind=accommodation",
                    "category=timing_and_scheduling", "title=Extended time"}));
    return {plan, accommodation};
  }
  // What `sql` counts in the server's database.
  int64_t ServerCount(const std::string& sql) {
    auto conn = server::pg::Connection::Open(server_db_);
    EXPECT_OK(conn);
    if (!conn.ok()) return -1;
    auto result = (*conn)->Query(sql, server::pg::Params());
    EXPECT_OK(result);
    return result.ok() ? result->Int(0, 0) : -1;
  }

  // The id a "created/recorded TYPE ID" line ends with.
  static std::string IdOf(const std::string& out) {
    std::string id = out.substr(out.rfind(' ') + 1);
    return id.substr(0, id.find('\n'));
  }
};

// The offline work of four devices of three users, synced through three
// processes (each device its own), converges to one record: the same hash
// on the two devices of one user, a concurrent edit turned into one Conflict
// entry, the lapse and the confirmation everywhere.
TEST_F(PostgresEndToEndTest, DevicesOnThreeProcessesConverge) {
  PLANSYNC_PG_DATABASE(uri);
  server_db_ = uri;
  std::vector<std::unique_ptr<ServerProcess>> servers = StartServers(3);
  const std::string manager = AddUser("Case manager", {"case-manager"});
  const std::string teacher = AddUser("Teacher", {"teacher"});
  const std::string parent = AddUser("Parent", {"guardian"});
  Init("manager", manager, *servers[0]);
  Init("laptop", manager, *servers[1]);
  Init("teacher", teacher, *servers[2]);
  Init("parent", parent, *servers[1]);

  Ok("manager", {"sync"});
  const auto [plan, accommodation] = MakePlan("manager");
  for (const char* device : {"manager", "laptop", "teacher", "parent"}) {
    Ok(device, {"sync"});
  }
  Ok("teacher", {"append", "ImplementationConfirmation",
                 "student_id=" + Student(), "accommodation_id=" + accommodation,
                 "day=2026-09-17", "status=provided"});
  Ok("parent", {"append", "LapseReport", "student_id=" + Student(),
                "accommodation_id=" + accommodation, "day=2026-09-17",
                "what_happened=No extra time on the quiz"});
  Ok("laptop",
     {"set", "Accommodation", accommodation, "description=1.5x, quizzes too"});
  Ok("manager", {"set", "Accommodation", accommodation,
                 "description=1.5x, unit tests only"});
  for (int round = 0; round < 3; ++round) {
    for (const char* device : {"laptop", "teacher", "parent", "manager"}) {
      Ok(device, {"sync"});
    }
  }
  EXPECT_EQ(Hash("laptop"), Hash("manager"));
  EXPECT_EQ(Hash("laptop").size(), 16u);
  for (const char* device : {"manager", "laptop", "teacher", "parent"}) {
    const std::string lapses = Ok(device, {"list", "LapseReport"});
    EXPECT_NE(lapses.find("No extra time"), std::string::npos) << device;
    EXPECT_EQ(Ok(device, {"get", "Accommodation", accommodation}),
              Ok("manager", {"get", "Accommodation", accommodation}))
        << device;
  }
  const std::string conflicts = Ok("laptop", {"list", "Conflict", "--json"});
  EXPECT_NE(conflicts.find(accommodation), std::string::npos) << conflicts;
  EXPECT_EQ(Ok("parent", {"get", "Plan", plan}),
            Ok("manager", {"get", "Plan", plan}));
}

// A Watch stream open on process 1 hears of a write pushed to process 3
// (through the NOTIFY fan-out), and ends when the token is revoked from
// another process.
TEST_F(PostgresEndToEndTest, WatchOnOneProcessHearsOfAWriteToAnother) {
  PLANSYNC_PG_DATABASE(uri);
  server_db_ = uri;
  std::vector<std::unique_ptr<ServerProcess>> servers = StartServers(3);
  const std::string manager = AddUser("Case manager", {"case-manager"});
  const std::string teacher = AddUser("Teacher", {"teacher"});
  Init("manager", manager, *servers[2]);
  Init("teacher", teacher, *servers[0]);
  Ok("manager", {"sync"});
  Ok("teacher", {"sync"});

  const std::string token_file = dir_.File("teacher.token");
  std::string token = *ReadFileToString(token_file);
  token = token.substr(0, token.find('\n'));
  auto channel = grpc::CreateChannel(servers[0]->address(),
                                     grpc::InsecureChannelCredentials());
  sync::TransportOptions options;
  options.token = token;
  sync::GrpcTransport transport(channel, options);
  grpc::ClientContext context;
  std::mutex mu;
  std::vector<std::string> heard;
  absl::Notification poked, ended;
  absl::Status watch_end;
  const std::string bucket = "student/" + Student();
  std::thread watcher([&] {
    watch_end = transport.Watch(
        &context, v1::WatchRequest(), [&](const v1::WatchEvent& event) {
          std::lock_guard<std::mutex> lock(mu);
          heard.push_back(event.bucket());
          if (event.bucket() == bucket && event.seq() > 0 &&
              !poked.HasBeenNotified()) {
            poked.Notify();
          }
        });
    ended.Notify();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  {
    std::lock_guard<std::mutex> lock(mu);
    heard.clear();
  }
  Ok("manager",
     {"append", "Comment", "student_id=" + Student(),
      "about_record_id=" + Student(), "about_record_type=plansync.v1.Student",
      "text=Please check in with Maya after lunch"});
  Ok("manager", {"sync"});
  const absl::Time pushed = absl::Now();
  const bool got = poked.WaitForNotificationWithTimeout(absl::Seconds(5));
  EXPECT_TRUE(got) << "process 1 never poked its stream";
  if (got) {
    EXPECT_LT(absl::Now() - pushed, absl::Seconds(2));
  }

  // Revoked through the database (as another process would): the stream on
  // process 1 ends within its check interval (a second).
  const std::string listed = Admin({"list-tokens", "--user", teacher});
  Admin({"revoke-token", "--token-id", listed.substr(0, listed.find(' '))});
  const absl::Time revoked = absl::Now();
  const bool closed = ended.WaitForNotificationWithTimeout(absl::Seconds(5));
  if (!closed) context.TryCancel();
  watcher.join();
  EXPECT_TRUE(closed);
  EXPECT_LT(absl::Now() - revoked, absl::Seconds(3));
  EXPECT_EQ(watch_end.code(), absl::StatusCode::kUnauthenticated) << watch_end;
}

// One of three processes is killed with SIGKILL in the middle of a push: what
// it acknowledged stays, what it did not is pushed again through another
// process, and the database holds every entry exactly once.
TEST_F(PostgresEndToEndTest, ProcessKilledMidPushLosesNothingAndAppliesOnce) {
  constexpr int kEntries = 20000;
  PLANSYNC_PG_DATABASE(uri);
  server_db_ = uri;
  std::vector<std::unique_ptr<ServerProcess>> servers = StartServers(3);
  const int port = servers[0]->port();
  const std::string writer = AddUser("Writer", {"case-manager", "teacher"});
  Init("writer", writer, *servers[0]);
  Ok("writer", {"sync"});
  const auto [plan, accommodation] = MakePlan("writer");
  AppendMany("writer", accommodation, kEntries);

  const int64_t total = PendingOnDisk("writer");
  testing::Process sync({PLANSYNC_CLI_BIN, "--db", Db("writer"), "sync"},
                        Log() + ".sync");
  int64_t pending = total;
  for (int i = 0; i < 4000 && pending == total; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    pending = PendingOnDisk("writer");
  }
  servers[0]->process().Signal(SIGKILL);
  sync.Wait();
  const int64_t left = PendingOnDisk("writer");
  ASSERT_GT(left, 0) << "the push finished before the kill";
  ASSERT_LT(left, total);

  // Another process on the killed one's port (the device's address); the
  // other two served on meanwhile.
  servers[0] = std::make_unique<ServerProcess>(
      ServerDb(), Log() + "r", port, std::vector<std::string>{"--db_pool=4"});
  Ok("writer", {"sync"});
  EXPECT_EQ(PendingOnDisk("writer"), 0);
  EXPECT_EQ(ServerCount("SELECT count(*) FROM items WHERE record_type = "
                        "'plansync.v1.ImplementationConfirmation'"),
            kEntries);
  EXPECT_EQ(ServerCount("SELECT count(*) FROM history WHERE "
                        "bucket = 'student/" +
                        Student() + "'"),
            ServerCount("SELECT head FROM buckets WHERE bucket = 'student/" +
                        Student() + "'"));
  // A fresh device of the same user, through a third process, receives the
  // same record.
  Init("reader", writer, *servers[2]);
  Ok("reader", {"sync"});
  Ok("writer", {"sync"});
  EXPECT_EQ(Hash("reader"), Hash("writer"));
}

// Three teachers' devices push to one student's feed through three
// processes at once while a case manager's device pulls it again and again
// through a fourth: a pull can skip an item only by moving its cursor past
// one that commits later, and a skipped item is never sent again; so the
// reader, once caught up, holds every entry the server holds.
TEST_F(PostgresEndToEndTest, PullsAlongsideConcurrentWritersNeverSkip) {
  constexpr int kEntriesPerWriter = 3000;
  PLANSYNC_PG_DATABASE(uri);
  server_db_ = uri;
  std::vector<std::unique_ptr<ServerProcess>> servers = StartServers(4);
  const std::string manager = AddUser("Case manager", {"case-manager"});
  Init("manager", manager, *servers[3]);
  Ok("manager", {"sync"});
  const auto [plan, accommodation] = MakePlan("manager");
  Ok("manager", {"sync"});
  std::vector<std::string> writers;
  for (int i = 0; i < 3; ++i) {
    const std::string device = absl::StrCat("teacher", i);
    writers.push_back(device);
    Init(device, AddUser(device, {"teacher"}),
         *servers[static_cast<size_t>(i)]);
    Ok(device, {"sync"});
    AppendMany(device, accommodation, kEntriesPerWriter);
  }
  std::vector<std::unique_ptr<testing::Process>> syncs;
  for (const std::string& device : writers) {
    syncs.push_back(std::make_unique<testing::Process>(
        std::vector<std::string>{PLANSYNC_CLI_BIN, "--db", Db(device), "sync"},
        Log() + "." + device));
  }
  // The reader pulls while the writers push.
  int pulls = 0;
  while (true) {
    bool writing = false;
    for (const std::string& device : writers) {
      writing |= PendingOnDisk(device) != 0;
    }
    if (!writing) break;
    Ok("manager", {"sync"});
    ++pulls;
  }
  for (auto& sync : syncs) EXPECT_EQ(sync->Wait(), 0);
  Ok("manager", {"sync"});
  EXPECT_GE(pulls, 1);
  const int64_t on_server = ServerCount(
      "SELECT count(*) FROM items WHERE record_type = "
      "'plansync.v1.ImplementationConfirmation'");
  EXPECT_EQ(on_server, 3 * kEntriesPerWriter);
  DeviceStoreOptions options;
  options.path = Db("manager");
  auto reader = DeviceStore::Open(options);
  ASSERT_OK(reader);
  const int64_t count =
      *(*reader)->Count(*Schema::Get().Find("ImplementationConfirmation"));
  EXPECT_EQ(count, on_server)
      << "the reader missed entries after " << pulls << " pulls";
}

// pg_dump and pg_restore back up and restore a PostgreSQL store: a server
// over the restored database gives a new device the same record. The
// store's own backup command says to use them.
TEST_F(PostgresEndToEndTest, PgDumpRestoresTheRecord) {
  PLANSYNC_PG_DATABASE(uri);
  PLANSYNC_PG_DATABASE(restored_uri);
  server_db_ = uri;
  auto server = std::make_unique<ServerProcess>(ServerDb(), Log());
  const std::string manager = AddUser("Case manager", {"case-manager"});
  Init("manager", manager, *server);
  Ok("manager", {"sync"});
  const std::string plan =
      IdOf(Ok("manager", {"add", "Plan", "student_id=" + Student(), "kind=iep",
                          "status=active", "version=1", "jurisdiction=US-MO"}));
  Ok("manager", {"sync"});
  testing::CliResult backup =
      testing::RunAdmin(ServerDb(), {"backup", "--out", dir_.File("x")}, Log());
  EXPECT_NE(backup.exit_code, 0);
  EXPECT_NE(backup.err.find("pg_dump"), std::string::npos) << backup.err;

  const std::string dump = dir_.File("store.dump");
  testing::CliResult dumped = testing::RunProgram(
      {"/bin/sh", "-c",
       "pg_dump --format=custom --file='" + dump + "' '" + uri + "'"},
      Log() + ".pg_dump");
  ASSERT_EQ(dumped.exit_code, 0) << dumped.err;
  testing::CliResult restored = testing::RunProgram(
      {"/bin/sh", "-c",
       "pg_restore --no-owner --dbname='" + restored_uri + "' '" + dump + "'"},
      Log() + ".pg_restore");
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  server.reset();

  server_db_ = restored_uri;
  ServerProcess again(ServerDb(), Log() + ".again");
  Init("laptop", manager, again);
  Ok("laptop", {"sync"});
  EXPECT_EQ(Ok("laptop", {"get", "Plan", plan}),
            Ok("manager", {"get", "Plan", plan}));
}

}  // namespace
}  // namespace plansync
