// Operating the real plansync-server binary on a loopback port with real
// device tokens. Each test is named after what broke.
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "core/file.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "plansync/v1/sync.grpc.pb.h"
#include "sync/grpc_transport.h"
#include "tests/cli_fixture.h"
#include "tests/process_util.h"

namespace plansync {
namespace {

using testing::ServerProcess;

sync::TransportOptions WithToken(const std::string& token) {
  sync::TransportOptions options;
  options.token = token;
  return options;
}

class ServerOpsTest : public testing::CliFixture {
 protected:
  // Issues a token for `user` into a new file; returns the token.
  std::string IssueToken(const std::string& user, const std::string& label) {
    const std::string file = dir_.File(label + ".token");
    Admin({"issue-token", "--user", user, "--label", label, "--out", file});
    return TokenOf(file);
  }
  // The token in `file`, without its newline.
  static std::string TokenOf(const std::string& file) {
    absl::StatusOr<std::string> text = ReadFileToString(file);
    EXPECT_TRUE(text.ok()) << file;
    if (!text.ok()) return "";
    return text->substr(0, text->find('\n'));
  }
  static std::shared_ptr<grpc::Channel> Channel(const ServerProcess& server) {
    return grpc::CreateChannel(server.address(),
                               grpc::InsecureChannelCredentials());
  }
};

// A Watch stream on its own thread: opened with `token`, read until it
// ends. `started` is notified once the server has answered the call (its
// initial metadata, or its refusal), `ended` once the stream is over.
class WatchThread {
 public:
  WatchThread(std::shared_ptr<grpc::Channel> channel, const std::string& token)
      : transport_(channel, WithToken(token)),
        stub_(v1::SyncService::NewStub(channel)) {
    thread_ = std::thread([this] {
      transport_.AddCredentials(&context_);
      std::unique_ptr<grpc::ClientReader<v1::WatchEvent>> reader =
          stub_->Watch(&context_, v1::WatchRequest());
      reader->WaitForInitialMetadata();
      started_.Notify();
      v1::WatchEvent event;
      while (reader->Read(&event)) {
      }
      status_ = reader->Finish();
      ended_.Notify();
    });
  }
  ~WatchThread() {
    context_.TryCancel();
    thread_.join();
  }
  bool WaitStarted(absl::Duration timeout = absl::Seconds(10)) {
    return started_.WaitForNotificationWithTimeout(timeout);
  }
  bool WaitEnded(absl::Duration timeout) {
    return ended_.WaitForNotificationWithTimeout(timeout);
  }
  bool ended() const { return ended_.HasBeenNotified(); }
  void Cancel() { context_.TryCancel(); }
  // How the stream ended; valid once ended().
  const grpc::Status& status() const { return status_; }

 private:
  sync::GrpcTransport transport_;
  std::unique_ptr<v1::SyncService::Stub> stub_;
  grpc::ClientContext context_;
  absl::Notification started_, ended_;
  grpc::Status status_;
  std::thread thread_;
};

TEST_F(ServerOpsTest, ArchivedUserKeptLiveTokensAndOpenWatchStreams) {
  ServerProcess server(Db("server"), Log(), 0, {"--watch_check_ms=100"});
  const std::string user = AddUser("Teacher", {"teacher"});
  const std::string phone = IssueToken(user, "phone");
  const std::string tablet = IssueToken(user, "tablet");
  auto channel = Channel(server);
  WatchThread watch(channel, phone);
  ASSERT_TRUE(watch.WaitStarted());
  EXPECT_FALSE(watch.WaitEnded(absl::Milliseconds(300)));

  // Archived while the server runs, by the admin tool on the same store.
  const std::string archived = Admin({"archive-user", "--user", user});
  EXPECT_NE(archived.find("revoked 2 live tokens"), std::string::npos)
      << archived;
  const testing::CliResult listed =
      testing::RunAdmin(Db("server"), {"list-tokens", "--user", user}, Log());
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const std::vector<std::string> lines =
      absl::StrSplit(listed.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << listed.out;
  for (const std::string& line : lines) {
    EXPECT_NE(line.find("  revoked  "), std::string::npos) << line;
    EXPECT_EQ(line.find("  live  "), std::string::npos) << line;
  }

  // The open stream closes within a few check intervals.
  ASSERT_TRUE(watch.WaitEnded(absl::Seconds(5)));
  EXPECT_EQ(watch.status().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(watch.status().error_message().find("the token has been revoked"),
            std::string::npos)
      << watch.status().error_message();
  // Neither token may push.
  for (const std::string& token : {phone, tablet}) {
    sync::GrpcTransport transport(channel, WithToken(token));
    absl::StatusOr<v1::PushResponse> pushed = transport.Push(v1::PushRequest());
    EXPECT_EQ(pushed.status().code(), absl::StatusCode::kUnauthenticated)
        << pushed.status();
  }
}

}  // namespace
}  // namespace plansync
