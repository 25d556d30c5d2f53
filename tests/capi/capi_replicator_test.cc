// The C API's background replicator against a real plansync-server process
// on loopback: a parent's phone and tablet (two stores of one guardian) each
// run one; a comment written on the phone reaches the tablet with no sync
// call; a replicator started while the server is down reports OFFLINE with a
// growing backoff and catches up once the server comes; refusals and bad
// arguments get their codes. Linked against libplansync alone.
#include <plansync/plansync.h>
#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/process_util.h"
#include "wire.h"

namespace plansync_capi_test {
namespace {

using plansync::testing::RunAdmin;
using plansync::testing::ServerProcess;

// Comment's field numbers (records.proto).
constexpr int kCommentStudentId = 2;
constexpr int kCommentAboutId = 5;
constexpr int kCommentAboutType = 6;
constexpr int kCommentText = 7;

// Every status a replicator reported, kept for the test to wait on.
class StatusLog {
 public:
  static void Callback(void* context, const plansync_replicator_status* s) {
    auto* log = static_cast<StatusLog*>(context);
    std::lock_guard<std::mutex> lock(log->mu_);
    Entry entry{s->state, s->phase, s->done,        s->counts, 0,
                0,        "",       s->retry_in_ms, s->syncs};
    if (s->error != nullptr) {
      entry.code = s->error->code;
      entry.reason = s->error->reason;
      entry.message = s->error->message;
    }
    log->entries_.push_back(entry);
    log->changed_.notify_all();
  }

  struct Entry {
    int state, phase;
    int64_t done;
    plansync_sync_counts counts;
    int code, reason;
    std::string message;
    int64_t retry_in_ms, syncs;
  };

  // Waits up to `seconds` for an entry `match` accepts; false if none came.
  bool WaitFor(const std::function<bool(const Entry&)>& match,
               int seconds = 20) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(seconds), [&] {
      for (const Entry& entry : entries_) {
        if (match(entry)) return true;
      }
      return false;
    });
  }
  std::vector<Entry> entries() {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_;
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    entries_.clear();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<Entry> entries_;
};

class CApiReplicatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "plansync-repl-XXXXXX")
            .string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    student_ = Admin({"add-student", "--given", "Maya", "--family", "Diaz"});
    parent_ = Admin({"add-user", "--name", "Mr. Diaz"});
    Admin({"assign", "--user", parent_, "--student", student_, "--role",
           "guardian"});
    for (const char* device : {"phone", "tablet"}) {
      Admin({"issue-token", "--user", parent_, "--label", device, "--out",
             Path(std::string(device) + ".token")});
    }
  }
  void TearDown() override {
    for (plansync_store* store : stores_) plansync_store_close(store);
    std::filesystem::remove_all(dir_);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string Admin(const std::vector<std::string>& args) {
    auto result = RunAdmin(Path("server.db"), args, Path("log"));
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    return result.out.substr(0, result.out.find('\n'));  // the id made
  }
  plansync_store* Open(const std::string& device) {
    plansync_store* store = nullptr;
    EXPECT_EQ(plansync_store_open(Path(device + ".db").c_str(), parent_.c_str(),
                                  &store, &err_),
              PLANSYNC_CODE_OK)
        << err_.message;
    stores_.push_back(store);
    return store;
  }
  plansync_sync_options Options(const std::string& address,
                                const std::string& device) {
    token_files_.push_back(Path(device + ".token"));
    address_ = address;
    plansync_sync_options options = PLANSYNC_SYNC_OPTIONS_INIT;
    options.server = address_.c_str();
    options.token_file = token_files_.back().c_str();
    return options;
  }
  // Appends a comment on the student; returns its id.
  std::string Comment(plansync_store* store, const std::string& text) {
    wire_message m{};
    wire_string(&m, kCommentStudentId, student_.c_str());
    wire_string(&m, kCommentAboutId, student_.c_str());
    wire_string(&m, kCommentAboutType, "plansync.v1.Student");
    wire_string(&m, kCommentText, text.c_str());
    char* id = nullptr;
    EXPECT_EQ(plansync_append(store, "Comment", m.data, m.size, &id, &err_),
              PLANSYNC_CODE_OK)
        << err_.message;
    std::string out = id != nullptr ? id : "";
    plansync_free(id);
    return out;
  }
  bool Has(plansync_store* store, const char* type, const std::string& id) {
    uint8_t* bytes = nullptr;
    size_t size = 0;
    plansync_error err{};
    const bool found = plansync_get(store, type, id.c_str(), &bytes, &size,
                                    &err) == PLANSYNC_CODE_OK;
    plansync_free(bytes);
    return found;
  }
  // Polls `done` every 20 ms for up to `seconds`.
  static bool Eventually(const std::function<bool()>& done, int seconds = 20) {
    const auto end =
        std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < end) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return done();
  }

  std::string dir_, student_, parent_, address_;
  std::vector<std::string> token_files_;
  std::vector<plansync_store*> stores_;
  plansync_error err_{};
};

TEST_F(CApiReplicatorTest, WritesReachTheOtherDeviceWithNoSyncCall) {
  ServerProcess server(Path("server.db"), Path("log"));
  plansync_store* phone = Open("phone");
  plansync_store* tablet = Open("tablet");
  StatusLog phone_log, tablet_log;
  plansync_replicator* phone_replicator = nullptr;
  plansync_replicator* tablet_replicator = nullptr;
  plansync_sync_options phone_options = Options(server.address(), "phone");
  plansync_sync_options tablet_options = Options(server.address(), "tablet");
  ASSERT_EQ(
      plansync_replicator_start(phone, &phone_options, &StatusLog::Callback,
                                &phone_log, &phone_replicator, &err_),
      PLANSYNC_CODE_OK)
      << err_.message;
  ASSERT_EQ(
      plansync_replicator_start(tablet, &tablet_options, &StatusLog::Callback,
                                &tablet_log, &tablet_replicator, &err_),
      PLANSYNC_CODE_OK)
      << err_.message;
  // The first syncs bring the student to both.
  ASSERT_TRUE(Eventually([&] { return Has(phone, "Student", student_); }));
  ASSERT_TRUE(Eventually([&] { return Has(tablet, "Student", student_); }));
  ASSERT_TRUE(phone_log.WaitFor([](const StatusLog::Entry& e) {
    return e.state == PLANSYNC_REPLICATOR_IDLE;
  }));

  // A write on the phone is pushed by its replicator and pulled by the
  // tablet's (poked by the server's Watch stream), with no sync call.
  const std::string comment = Comment(phone, "Extended time was given today");
  ASSERT_FALSE(comment.empty());
  EXPECT_TRUE(Eventually([&] { return Has(tablet, "Comment", comment); }))
      << "the comment never reached the tablet";
  EXPECT_TRUE(phone_log.WaitFor([](const StatusLog::Entry& e) {
    return e.state == PLANSYNC_REPLICATOR_IDLE && e.counts.pushed == 1;
  }));
  EXPECT_TRUE(tablet_log.WaitFor([](const StatusLog::Entry& e) {
    return e.state == PLANSYNC_REPLICATOR_IDLE && e.counts.pulled == 1;
  }));
  int64_t pending = -1;
  ASSERT_EQ(plansync_pending_count(phone, &pending, &err_), PLANSYNC_CODE_OK);
  EXPECT_EQ(pending, 0);
  // Each sync said CONNECTING first, and the push showed as BUSY.
  const auto entries = phone_log.entries();
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries.front().state, PLANSYNC_REPLICATOR_CONNECTING);
  bool busy_pushing = false;
  for (const auto& e : entries) {
    busy_pushing |= e.state == PLANSYNC_REPLICATOR_BUSY &&
                    e.phase == PLANSYNC_SYNC_PUSH && e.done == 1;
  }
  EXPECT_TRUE(busy_pushing);

  // A one-shot sync runs alongside the replicator (one at a time).
  plansync_sync_counts counts{};
  EXPECT_EQ(plansync_sync(tablet, &tablet_options, &counts, &err_),
            PLANSYNC_CODE_OK)
      << err_.message;

  // Stopping delivers STOPPED, last; nothing is called after.
  plansync_replicator_stop(phone_replicator);
  plansync_replicator_stop(tablet_replicator);
  const auto after = phone_log.entries();
  EXPECT_EQ(after.back().state, PLANSYNC_REPLICATOR_STOPPED);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(phone_log.entries().size(), after.size());
}

TEST_F(CApiReplicatorTest, OfflineBacksOffThenCatchesUpWhenTheServerComes) {
  // A free port, with no server on it yet.
  int port = 0;
  {
    ServerProcess probe(Path("probe.db"), Path("probe-log"));
    port = probe.port();
  }
  const std::string address = "127.0.0.1:" + std::to_string(port);
  plansync_store* phone = Open("phone");
  StatusLog log;
  plansync_replicator* replicator = nullptr;
  plansync_sync_options options = Options(address, "phone");
  ASSERT_EQ(plansync_replicator_start(phone, &options, &StatusLog::Callback,
                                      &log, &replicator, &err_),
            PLANSYNC_CODE_OK)
      << err_.message;
  ASSERT_TRUE(log.WaitFor(
      [](const StatusLog::Entry& e) {
        return e.state == PLANSYNC_REPLICATOR_OFFLINE && e.syncs >= 3;
      },
      30));
  std::vector<int64_t> waits;
  for (const auto& e : log.entries()) {
    if (e.state != PLANSYNC_REPLICATOR_OFFLINE) continue;
    EXPECT_EQ(e.code, PLANSYNC_CODE_UNAVAILABLE) << e.message;
    EXPECT_FALSE(e.message.empty());
    waits.push_back(e.retry_in_ms);
  }
  // 100 ms, then 200, then 400 (each within 20% jitter).
  ASSERT_GE(waits.size(), 3u);
  EXPECT_GE(waits[0], 80);
  EXPECT_LE(waits[0], 120);
  EXPECT_GE(waits[2], 320);
  EXPECT_LE(waits[2], 480);
  EXPECT_GT(waits[2], waits[0]);

  ServerProcess server(Path("server.db"), Path("log"), port);
  EXPECT_TRUE(Eventually([&] { return Has(phone, "Student", student_); }, 30))
      << "no sync after the server came up";
  EXPECT_TRUE(log.WaitFor([](const StatusLog::Entry& e) {
    return e.state == PLANSYNC_REPLICATOR_IDLE && e.counts.pulled >= 1;
  }));
  const std::string comment = Comment(phone, "Written once online");
  int64_t pending = -1;
  EXPECT_TRUE(Eventually([&] {
    return plansync_pending_count(phone, &pending, &err_) == PLANSYNC_CODE_OK &&
           pending == 0;
  })) << "pending "
      << pending;
  plansync_replicator_stop(replicator);
}

TEST_F(CApiReplicatorTest, RefusalsAndBadArgumentsGetTheirCodes) {
  ServerProcess server(Path("server.db"), Path("log"));
  plansync_store* phone = Open("phone");
  plansync_replicator* replicator = nullptr;

  // A token the server does not know: ERROR, UNAUTHENTICATED, retried in a
  // minute, and the token is in no message.
  {
    const std::string forged = Path("forged.token");
    std::FILE* file = std::fopen(forged.c_str(), "w");
    ASSERT_NE(file, nullptr);
    std::fputs("psk_not-a-real-token-0123456789abcdef\n", file);
    std::fclose(file);
    plansync_sync_options options = Options(server.address(), "phone");
    options.token_file = forged.c_str();
    StatusLog log;
    ASSERT_EQ(plansync_replicator_start(phone, &options, &StatusLog::Callback,
                                        &log, &replicator, &err_),
              PLANSYNC_CODE_OK)
        << err_.message;
    ASSERT_TRUE(log.WaitFor([](const StatusLog::Entry& e) {
      return e.state == PLANSYNC_REPLICATOR_ERROR;
    }));
    // A second replicator on the same store is refused.
    plansync_replicator* second = nullptr;
    EXPECT_EQ(plansync_replicator_start(phone, &options, nullptr, nullptr,
                                        &second, &err_),
              PLANSYNC_CODE_FAILED_PRECONDITION);
    EXPECT_EQ(second, nullptr);
    plansync_replicator_stop(replicator);
    for (const auto& e : log.entries()) {
      if (e.state != PLANSYNC_REPLICATOR_ERROR) continue;
      EXPECT_EQ(e.code, PLANSYNC_CODE_UNAUTHENTICATED) << e.message;
      EXPECT_EQ(e.retry_in_ms, 60000);
      EXPECT_EQ(e.message.find("psk_not-a-real-token"), std::string::npos);
    }
  }

  plansync_sync_options options = Options(server.address(), "phone");
  options.direction = PLANSYNC_SYNC_PUSH_ONLY;
  EXPECT_EQ(plansync_replicator_start(phone, &options, nullptr, nullptr,
                                      &replicator, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_NE(std::string(err_.message).find("both ways"), std::string::npos)
      << err_.message;
  EXPECT_EQ(replicator, nullptr);
  options.direction = PLANSYNC_SYNC_BOTH;
  options.progress = [](void*, int, int64_t, int64_t) {};
  EXPECT_EQ(plansync_replicator_start(phone, &options, nullptr, nullptr,
                                      &replicator, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  options.progress = nullptr;
  options.token_file = nullptr;
  EXPECT_EQ(plansync_replicator_start(phone, &options, nullptr, nullptr,
                                      &replicator, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_NE(std::string(err_.message).find("token"), std::string::npos)
      << err_.message;
  options.token_file = token_files_.back().c_str();
  EXPECT_EQ(plansync_replicator_start(nullptr, &options, nullptr, nullptr,
                                      &replicator, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(plansync_replicator_start(phone, &options, nullptr, nullptr,
                                      nullptr, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  plansync_replicator_stop(nullptr);  // ignored

  // After the refusals, one starts and stops cleanly without a callback.
  ASSERT_EQ(plansync_replicator_start(phone, &options, nullptr, nullptr,
                                      &replicator, &err_),
            PLANSYNC_CODE_OK)
      << err_.message;
  EXPECT_TRUE(Eventually([&] { return Has(phone, "Student", student_); }));
  plansync_replicator_stop(replicator);
}

}  // namespace
}  // namespace plansync_capi_test
