// Operating the real plansync-server binary on a loopback port with real
// device tokens: archiving a user, per-token stream limits, the request log
// and malformed request bytes. Each test is named after what broke.
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "core/device_store.h"
#include "core/file.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "plansync/v1/sync.grpc.pb.h"
#include "sync/grpc_transport.h"
#include "tests/cli_fixture.h"
#include "tests/grpc_test_util.h"
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
  // The id a "created/recorded TYPE ID" line ends with.
  static std::string IdOf(const std::string& out) {
    std::string id = out.substr(out.rfind(' ') + 1);
    return id.substr(0, id.find('\n'));
  }
  // A plan and an accommodation for Student(), made on `device` (a case
  // manager's, which syncs first to receive the student); returns the
  // accommodation's id.
  std::string MakePlan(const std::string& device) {
    Ok(device, {"sync"});
    const std::string plan =
        IdOf(Ok(device, {"add", "Plan", "student_id=" + Student(), "kind=iep",
                         "status=active", "version=1", "jurisdiction=US-MO"}));
    plan_ = plan;
    return IdOf(
        Ok(device, {"add", "Accommodation", "student_id=" + Student(),
                    "plan_id=" + plan, "kind=accommodation",
                    "category=timing_and_scheduling", "title=Extended time"}));
  }
  // Appends `count` confirmations with `note_bytes`-byte notes straight into
  // a device's store file (as an app would).
  void AppendMany(const std::string& device, const std::string& accommodation,
                  int count, size_t note_bytes) {
    DeviceStoreOptions options;
    options.path = Db(device);
    auto store = DeviceStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    for (int done = 0; done < count;) {
      absl::Status status =
          (*store)->Write([&](WriteTransaction& txn) -> absl::Status {
            for (int i = 0; i < 1000 && done < count; ++i, ++done) {
              v1::ImplementationConfirmation entry;
              entry.set_student_id(Student());
              entry.set_accommodation_id(accommodation);
              entry.set_day("2026-09-17");
              entry.set_status(v1::CONFIRMATION_STATUS_PROVIDED);
              entry.set_note(std::string(note_bytes, 'n'));
              absl::Status appended = (*store)->Append(txn, entry).status();
              if (!appended.ok()) return appended;
            }
            return absl::OkStatus();
          });
      ASSERT_TRUE(status.ok()) << status;
    }
  }

  std::string plan_;
};

// Every row of every table of the SQLite file `path`, as text, in a
// canonical order: equal strings mean byte-identical contents.
std::string StoreDigest(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  auto query = [&](const std::string& sql) {
    std::vector<std::string> rows;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr),
              SQLITE_OK)
        << sql;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const void* blob = sqlite3_column_blob(stmt, i);
        const int size = sqlite3_column_bytes(stmt, i);
        absl::StrAppend(&row, sqlite3_column_type(stmt, i), ":", size, ":",
                        blob == nullptr
                            ? ""
                            : std::string(static_cast<const char*>(blob),
                                          static_cast<size_t>(size)),
                        "|");
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    std::sort(rows.begin(), rows.end());
    return rows;
  };
  std::string digest;
  for (const std::string& table :
       query("SELECT name FROM sqlite_master WHERE type = 'table' AND name "
             "NOT LIKE 'sqlite_%'")) {
    const std::string name = table.substr(table.find(':', 2) + 1);
    const std::string bare = name.substr(0, name.size() - 1);  // the '|'
    absl::StrAppend(&digest, "table ", bare, "\n");
    for (const std::string& row :
         query(absl::StrCat("SELECT * FROM \"", bare, "\""))) {
      absl::StrAppend(&digest, row, "\n");
    }
  }
  sqlite3_close(db);
  return digest;
}

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

TEST_F(ServerOpsTest, HelpExitedOneWithNoFlagsMatched) {
  const testing::CliResult help =
      testing::RunProgram({PLANSYNC_SERVER_BIN, "--help"}, Log());
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_EQ(help.out.find("No flags matched"), std::string::npos) << help.out;
  // Every flag, hyphenated, with its default and a sentence.
  for (const char* flag :
       {"--db=...", "--durable=true", "--listen=127.0.0.1:7443",
        "--max-batch=1000", "--max-change-bytes=65536", "--max-drift-ms=300000",
        "--max-pull-bytes=67108864", "--max-pull-cursors=1000",
        "--max-pulls-per-token=4", "--max-watch-streams-per-token=16",
        "--request-log=true", "--tls-cert=...", "--tls-key=...",
        "--watch-check-ms=1000"}) {
    const size_t at = help.out.find(std::string("  ") + flag + "\n      ");
    EXPECT_NE(at, std::string::npos) << flag << "\n" << help.out;
  }
  EXPECT_NE(help.out.find("most Pulls one device token may run at once"),
            std::string::npos);
  // An unknown flag is refused, naming it.
  const testing::CliResult unknown = testing::RunProgram(
      {PLANSYNC_SERVER_BIN, "--db=" + Db("server"), "--no-such-flag=1"}, Log());
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("no_such_flag"), std::string::npos) << unknown.err;
}

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

// A Pull held open by a client that does not read: the server stays inside
// the call, blocked writing a page, until the client cancels.
class HeldPull {
 public:
  HeldPull(const std::string& address, const std::string& token,
           const v1::PullRequest& request) {
    grpc::ChannelArguments args;
    // A connection of its own, whose receive window does not grow: a page
    // the client does not read stops the server.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    args.SetMaxReceiveMessageSize(-1);
    channel_ = grpc::CreateCustomChannel(
        address, grpc::InsecureChannelCredentials(), args);
    stub_ = v1::SyncService::NewStub(channel_);
    sync::GrpcTransport(channel_, WithToken(token)).AddCredentials(&context_);
    context_.set_deadline(std::chrono::system_clock::now() +
                          std::chrono::minutes(2));
    reader_ = stub_->Pull(&context_, request);
  }
  ~HeldPull() { Cancel(); }

  // Reads the first page: true if the pull runs (the server now waits for
  // the client to read on), false if it ended; status() then says how.
  bool Running() {
    v1::PullPage page;
    if (reader_->Read(&page)) return true;
    status_ = reader_->Finish();
    finished_ = true;
    return false;
  }
  void Cancel() {
    if (finished_) return;
    context_.TryCancel();
    status_ = reader_->Finish();
    finished_ = true;
  }
  const grpc::Status& status() const { return status_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SyncService::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::PullPage>> reader_;
  grpc::Status status_;
  bool finished_ = false;
};

void ExpectTooManyStreams(const grpc::Status& status, const std::string& what) {
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << status.error_message();
  EXPECT_NE(status.error_message().find(what), std::string::npos)
      << status.error_message();
  EXPECT_NE(status.error_message().find("the most the server allows "
                                        "(TOO_MANY_STREAMS)"),
            std::string::npos)
      << status.error_message();
}

TEST_F(ServerOpsTest, OneTokenCouldHoldAnyNumberOfWatchStreams) {
  ServerProcess server(Db("server"), Log(), 0,
                       {"--max_watch_streams_per_token=2"});
  const std::string user = AddUser("Teacher", {"teacher"});
  const std::string phone = IssueToken(user, "phone");
  const std::string tablet = IssueToken(user, "tablet");
  auto channel = Channel(server);
  {
    // Hello reports the limit.
    sync::GrpcTransport transport(channel, WithToken(phone));
    v1::HelloRequest hello;
    hello.set_replica_id("0192f1e4-0000-7000-8000-000000000001");
    hello.set_schema_version(2);
    absl::StatusOr<v1::HelloResponse> response = transport.Hello(hello);
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->limits().max_watch_streams_per_token(), 2u);
  }
  auto first = std::make_unique<WatchThread>(channel, phone);
  ASSERT_TRUE(first->WaitStarted());
  auto second = std::make_unique<WatchThread>(channel, phone);
  ASSERT_TRUE(second->WaitStarted());
  {
    WatchThread third(channel, phone);
    ASSERT_TRUE(third.WaitEnded(absl::Seconds(5)));
    ExpectTooManyStreams(third.status(),
                         "this token already holds 2 open "
                         "Watch streams");
    EXPECT_NE(third.status().error_message().find("close one first"),
              std::string::npos);
  }
  EXPECT_FALSE(first->ended());
  EXPECT_FALSE(second->ended());
  // Another token of the same user counts apart.
  WatchThread other(channel, tablet);
  ASSERT_TRUE(other.WaitStarted());
  EXPECT_FALSE(other.WaitEnded(absl::Milliseconds(300)));

  // Closing one lets a new one open (once the server has seen it close).
  first->Cancel();
  ASSERT_TRUE(first->WaitEnded(absl::Seconds(5)));
  first.reset();
  std::unique_ptr<WatchThread> again;
  for (int attempt = 0; attempt < 50 && again == nullptr; ++attempt) {
    auto next = std::make_unique<WatchThread>(channel, phone);
    ASSERT_TRUE(next->WaitStarted());
    if (!next->WaitEnded(absl::Milliseconds(300))) {
      again = std::move(next);
    } else {
      ExpectTooManyStreams(next->status(), "2 open Watch streams");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ASSERT_NE(again, nullptr) << "no Watch stream opened after one closed";
  // ... and the limit holds again.
  WatchThread over(channel, phone);
  ASSERT_TRUE(over.WaitEnded(absl::Seconds(5)));
  ExpectTooManyStreams(over.status(), "2 open Watch streams");
}

TEST_F(ServerOpsTest, OneTokenCouldRunAnyNumberOfPullsAtOnce) {
  // Hyphens, as --help writes the flags.
  ServerProcess server(Db("server"), Log(), 0, {"--max-pulls-per-token=2"});
  const std::string writer = AddUser("Writer", {"case-manager", "teacher"});
  Init("writer", writer, server);
  const std::string accommodation = MakePlan("writer");
  // About 20 MB of entries: pages of at most 8 MB, far more than the
  // transport buffers for a client that does not read.
  AppendMany("writer", accommodation, 10000, 2000);
  Ok("writer", {"sync"});
  const std::string token = IssueToken(writer, "reader");
  v1::PullRequest request;
  request.set_schema_version(2);
  v1::BucketCursor* cursor = request.add_cursors();
  cursor->set_bucket("student/" + Student());
  cursor->set_cursor(0);

  auto first = std::make_unique<HeldPull>(server.address(), token, request);
  ASSERT_TRUE(first->Running()) << first->status().error_message();
  HeldPull second(server.address(), token, request);
  ASSERT_TRUE(second.Running()) << second.status().error_message();
  {
    HeldPull third(server.address(), token, request);
    EXPECT_FALSE(third.Running());
    ExpectTooManyStreams(third.status(),
                         "this token already has 2 pulls "
                         "running");
    EXPECT_NE(third.status().error_message().find("wait for one to finish"),
              std::string::npos);
  }
  // Another token of the same user counts apart: its pull runs to the end.
  {
    sync::GrpcTransport transport(
        grpc::CreateCustomChannel(server.address(),
                                  grpc::InsecureChannelCredentials(),
                                  sync::DefaultChannelArguments()),
        WithToken(TokenOf(dir_.File("writer.token"))));
    int64_t changes = 0;
    absl::Status pulled =
        transport.Pull(request, [&](const v1::PullPage& page) {
          changes += page.changes_size();
          return absl::OkStatus();
        });
    EXPECT_TRUE(pulled.ok()) << pulled;
    EXPECT_GT(changes, 10000);
  }

  // Cancelling one lets a new one run (once the server has seen it end).
  first->Cancel();
  first.reset();
  std::unique_ptr<HeldPull> again;
  for (int attempt = 0; attempt < 50 && again == nullptr; ++attempt) {
    auto next = std::make_unique<HeldPull>(server.address(), token, request);
    if (next->Running()) {
      again = std::move(next);
    } else {
      ExpectTooManyStreams(next->status(), "2 pulls running");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ASSERT_NE(again, nullptr) << "no pull ran after one was cancelled";
  HeldPull over(server.address(), token, request);
  EXPECT_FALSE(over.Running());
  ExpectTooManyStreams(over.status(), "2 pulls running");
}

// The request log lines ("plansync-server: call ...") in `err`.
std::vector<std::string> CallLines(const std::string& err) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(err, '\n')) {
    if (absl::StartsWith(line, "plansync-server: call ")) {
      lines.emplace_back(line);
    }
  }
  return lines;
}

// The soft open-file limit of the process `pid` (/proc/PID/limits).
int64_t SoftFileLimit(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/limits"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Max open files", 0) == 0) {
      return std::stoll(line.substr(std::string("Max open files").size()));
    }
  }
  return -1;
}

// Started under a low soft limit (1,024 is common), the server could hold
// about a thousand connections: it raises the limit to the hard one, and
// says so in its log.
TEST_F(ServerOpsTest, SoftOpenFileLimitCappedTheServersConnections) {
  struct rlimit original {};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &original), 0);
  if (original.rlim_max <= 256) GTEST_SKIP() << "the hard limit is too low";
  struct rlimit low = original;
  low.rlim_cur = 256;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  std::unique_ptr<ServerProcess> server;
  server = std::make_unique<ServerProcess>(Db("server"), Log());
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &original), 0);  // for this process
  EXPECT_EQ(SoftFileLimit(server->process().pid()),
            static_cast<int64_t>(original.rlim_max));
  EXPECT_NE(server->process().Stderr().find(absl::StrCat(
                "open-file limit raised from 256 to ", original.rlim_max)),
            std::string::npos)
      << server->process().Stderr();
}

TEST_F(ServerOpsTest, RequestLogWasMissingOrLeakedNamesTokensAndNotes) {
  ServerProcess server(Db("server"), Log(), 0, {"--watch_check_ms=100"});
  const std::vector<std::string> names = {
      "Octavia",       "Quillfeather", "Bartholomew", "Zanzibar", "Philippa",
      "Wolverhampton", "Maya",         "Diaz",        "Lincoln"};
  const std::string manager = AddUser("Octavia Quillfeather", {"case-manager"});
  const std::string teacher = AddUser("Bartholomew Zanzibar", {"teacher"});
  const std::string parent = AddUser("Philippa Wolverhampton", {"guardian"});
  Init("manager", manager, server);
  Init("teacher", teacher, server);
  Init("parent", parent, server);
  const std::string accommodation = MakePlan("manager");
  for (const char* device : {"manager", "teacher", "parent"}) {
    Ok(device, {"sync"});
  }
  const std::string lapse_note = "the quokka lantern quiz was collected early";
  const std::string comment_note = "persimmon umbrella follow-up with family";
  const std::string lapse =
      IdOf(Ok("parent", {"append", "LapseReport", "student_id=" + Student(),
                         "accommodation_id=" + accommodation, "day=2026-09-17",
                         "what_happened=" + lapse_note}));
  Ok("parent", {"sync"});
  Ok("manager", {"sync"});
  Ok("manager",
     {"append", "Comment", "student_id=" + Student(),
      "about_record_id=" + lapse, "about_record_type=plansync.v1.LapseReport",
      "text=" + comment_note});
  // A change the server refuses: a guardian may not add a school holiday.
  // (A device that has synced refuses it itself; this one never has.)
  Init("phone2", parent, server);
  Ok("phone2", {"add", "SchoolHoliday", "day=2026-11-26"});
  for (const char* device : {"manager", "parent", "phone2", "teacher"}) {
    Ok(device, {"sync"});
  }

  // Calls made here, each of which must get exactly one line.
  const std::string manager_token = TokenOf(dir_.File("manager.token"));
  auto channel = Channel(server);
  sync::GrpcTransport transport(channel, WithToken(manager_token));
  const size_t before = CallLines(server.process().Stderr()).size();
  v1::HelloRequest hello;
  hello.set_replica_id("0192f1e4-0000-7000-8000-000000000002");
  hello.set_schema_version(2);
  EXPECT_TRUE(transport.Hello(hello).ok());
  EXPECT_TRUE(transport.Push(v1::PushRequest()).ok());
  v1::PullRequest pull;
  pull.set_schema_version(2);
  pull.add_cursors()->set_bucket("student/" + Student());
  EXPECT_TRUE(
      transport.Pull(pull, [](const v1::PullPage&) { return absl::OkStatus(); })
          .ok());
  std::string reply;
  EXPECT_EQ(testing::GenericUnaryCall(channel, "/plansync.v1.SyncService/Push",
                                      "\xff\xff", &reply)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(CallLines(server.process().Stderr()).size(), before + 4);

  // A revoked token: its open Watch stream closes, its next sync is refused.
  const std::string teacher_token = TokenOf(dir_.File("teacher.token"));
  WatchThread watch(channel, teacher_token);
  ASSERT_TRUE(watch.WaitStarted());
  const std::string listed = Admin({"list-tokens", "--user", teacher});
  Admin({"revoke-token", "--token-id", listed.substr(0, listed.find(' '))});
  ASSERT_TRUE(watch.WaitEnded(absl::Seconds(5)));
  EXPECT_NE(Cli("teacher", {"sync"}).exit_code, 0);
  server.process().Signal(SIGTERM);

  const std::string err = server.process().Stderr();
  const std::vector<std::string> lines = CallLines(err);
  auto has = [&](const std::vector<std::string>& parts) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
      return std::all_of(parts.begin(), parts.end(), [&](const std::string& p) {
        return l.find(p) != std::string::npos;
      });
    });
  };
  EXPECT_TRUE(has({"method=Hello ", "principal=" + manager, "status=OK"}))
      << err;
  EXPECT_TRUE(has({"method=Push ", "principal=" + parent,
                   " accepted=", " rejected=1 ", "status=OK"}))
      << err;
  EXPECT_TRUE(has({"method=Pull ", " pages=", " changes=", "status=OK"}))
      << err;
  EXPECT_TRUE(
      has({"method=Watch ", "principal=" + teacher, "status=UNAUTHENTICATED"}))
      << err;
  EXPECT_TRUE(has({"method=Hello ", "principal=- ", "status=UNAUTHENTICATED"}))
      << err;
  EXPECT_TRUE(has({"method=Push ", "malformed=1", "status=INVALID_ARGUMENT"}))
      << err;
  for (const std::string& line : lines) {
    EXPECT_NE(line.find(" method="), std::string::npos) << line;
    EXPECT_NE(line.find(" principal="), std::string::npos) << line;
    EXPECT_NE(line.find(" status="), std::string::npos) << line;
    EXPECT_NE(line.find(" ms="), std::string::npos) << line;
  }
  // Nothing a person wrote or is called, and no token.
  std::vector<std::string> secrets = names;
  secrets.insert(secrets.end(),
                 {lapse_note, comment_note, "quokka", "persimmon", "pst_",
                  manager_token, teacher_token});
  for (const char* device : {"parent"}) {
    secrets.push_back(TokenOf(dir_.File(std::string(device) + ".token")));
  }
  for (const std::string& secret : secrets) {
    EXPECT_EQ(err.find(secret), std::string::npos) << secret;
  }
}

TEST_F(ServerOpsTest, MalformedRequestBytesGotInternalWithNoMessage) {
  ServerProcess server(Db("server"), Log());
  Init("manager", AddUser("Case manager", {"case-manager"}), server);
  MakePlan("manager");
  Ok("manager", {"sync"});
  const std::string before = StoreDigest(Db("server"));
  ASSERT_NE(before.find("table "), std::string::npos);
  auto channel = Channel(server);
  struct Case {
    std::string method, type, bytes;
  };
  // A length running past the end; a field of wire type 7 (none exists).
  const std::string overrun("\x0a\xff\xff\xff\xff\x0f", 6);
  const std::string bad_wire_type("\x0f\x01", 2);
  for (const Case& bad :
       std::vector<Case>{{"Hello", "HelloRequest", overrun},
                         {"Push", "PushRequest", overrun},
                         {"Push", "PushRequest", bad_wire_type},
                         {"Pull", "PullRequest", overrun},
                         {"Watch", "WatchRequest", bad_wire_type}}) {
    std::string reply;
    grpc::Status status = testing::GenericUnaryCall(
        channel, "/plansync.v1.SyncService/" + bad.method, bad.bytes, &reply);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << bad.method << ": " << status.error_message();
    EXPECT_EQ(status.error_message(),
              "the request is not a valid plansync.v1." + bad.type +
                  " message (malformed protobuf, or a text field that is not "
                  "UTF-8)")
        << bad.method;
  }
  EXPECT_EQ(StoreDigest(Db("server")), before);
  // The server still serves.
  Ok("manager", {"sync"});
}

}  // namespace
}  // namespace plansync
