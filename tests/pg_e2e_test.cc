// End to end on PostgreSQL: three real plansync-server processes over one
// database, devices (the real CLI) spread over them. Against a real
// PostgreSQL (tests/pg_test_util.h).
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/file.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "sync/grpc_transport.h"
#include "tests/cli_fixture.h"
#include "tests/pg_test_util.h"

namespace plansync {
namespace {

using testing::ServerProcess;

class PostgresEndToEndTest : public testing::CliFixture {
 protected:
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
  std::vector<std::unique_ptr<ServerProcess>> servers;
  for (int i = 0; i < 3; ++i) {
    servers.push_back(std::make_unique<ServerProcess>(
        ServerDb(), Log() + std::to_string(i), 0,
        std::vector<std::string>{"--db_pool=4"}));
    ASSERT_FALSE(servers.back()->address().empty());
  }
  const std::string manager = AddUser("Case manager", {"case-manager"});
  const std::string teacher = AddUser("Teacher", {"teacher"});
  const std::string parent = AddUser("Parent", {"guardian"});
  Init("manager", manager, *servers[0]);
  Init("laptop", manager, *servers[1]);
  Init("teacher", teacher, *servers[2]);
  Init("parent", parent, *servers[1]);

  Ok("manager", {"sync"});
  const std::string plan =
      IdOf(Ok("manager", {"add", "Plan", "student_id=" + Student(), "kind=iep",
                          "status=active", "version=1", "jurisdiction=US-MO"}));
  const std::string accommodation = IdOf(
      Ok("manager", {"add", "Accommodation", "student_id=" + Student(),
                     "plan_id=" + plan, "kind=accommodation",
                     "category=timing_and_scheduling", "title=Extended time"}));
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
  std::vector<std::unique_ptr<ServerProcess>> servers;
  for (int i = 0; i < 3; ++i) {
    servers.push_back(std::make_unique<ServerProcess>(
        ServerDb(), Log() + std::to_string(i), 0,
        std::vector<std::string>{"--db_pool=4"}));
  }
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
    watch_end = transport.Watch(&context, [&](const v1::WatchEvent& event) {
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

}  // namespace
}  // namespace plansync
