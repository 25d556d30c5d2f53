// Crash safety of local writes: a real writer process is killed with SIGKILL
// in the middle of its transactions, again and again. After each kill the
// store passes integrity_check, every transaction is there whole or not at
// all (its entries, its outbox changes and its plan edit together), and
// every transaction the writer saw committed is there.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <random>
#include <string>

#include "core/device_store.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

constexpr int kEntriesPerTxn = 20;  // as in tests/tools/crash_writer.cc

struct Child {
  pid_t pid = -1;
  int out = -1;  // read end of the child's stdout
};

Child StartWriter(const std::string& store_path) {
  int pipe_fds[2];
  EXPECT_EQ(pipe(pipe_fds), 0);
  Child child;
  child.pid = fork();
  if (child.pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    execl(CRASH_WRITER_PATH, CRASH_WRITER_PATH, store_path.c_str(), nullptr);
    _exit(127);
  }
  close(pipe_fds[1]);
  child.out = pipe_fds[0];
  return child;
}

// Everything the child printed until it died.
std::string ReadAll(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, n);
  close(fd);
  return text;
}

// Blocks until the child prints its first line (it has opened the store).
void WaitForOutput(int fd, std::string* text) {
  char buffer[256];
  ssize_t n = read(fd, buffer, sizeof buffer);
  if (n > 0) text->append(buffer, n);
}

int LastCommitted(const std::string& output) {
  int last = -1;
  size_t at = 0;
  while ((at = output.find("committed ", at)) != std::string::npos) {
    at += 10;
    const size_t end = output.find('\n', at);
    if (end == std::string::npos) break;  // a torn last line
    last = std::stoi(output.substr(at, end - at));
  }
  return last;
}

TEST(CrashTest, KilledWriterLeavesWholeTransactionsAndLosesNoCommit) {
  testing::TempDir dir;
  const std::string path = dir.File("device.db");
  std::mt19937_64 rng(20260908);
  int acknowledged = -1;
  for (int kill_round = 0; kill_round < 8; ++kill_round) {
    SCOPED_TRACE("kill round " + std::to_string(kill_round));
    Child child = StartWriter(path);
    std::string output;
    WaitForOutput(child.out, &output);  // "ready n": past opening the store
    usleep(static_cast<useconds_t>(20000 + rng() % 150000));
    ASSERT_EQ(kill(child.pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child.pid, &status, 0), child.pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped by itself";
    output += ReadAll(child.out);
    acknowledged = std::max(acknowledged, LastCommitted(output));

    FakeClock clock(testing::kStartMillis);
    auto store = testing::OpenStore(path, "crash-teacher", &clock);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(*store->IntegrityCheck(), "ok");

    auto entries = store->List<v1::ImplementationConfirmation>("", "");
    ASSERT_OK(entries);
    std::map<std::string, int> per_txn;
    for (const auto& entry : *entries) ++per_txn[entry.note()];
    int stored_last = -1;
    for (const auto& [note, count] : per_txn) {
      EXPECT_EQ(count, kEntriesPerTxn) << note << " is torn";
      stored_last = std::max(stored_last, std::stoi(note.substr(4)));
    }
    // Transactions 0..stored_last, each whole, none missing in between.
    EXPECT_EQ(static_cast<int>(per_txn.size()), stored_last + 1);
    // Nothing the writer saw committed is lost.
    EXPECT_GE(stored_last, acknowledged);
    // The plan edit belongs to the last whole transaction.
    auto plans = store->List<v1::Plan>("", "");
    ASSERT_OK(plans);
    ASSERT_EQ(plans->size(), 1u);
    if (stored_last >= 0) {
      EXPECT_EQ(plans->front().eligibility_category(),
                "txn " + std::to_string(stored_last));
    }
    // One outbox change per entry and per plan edit, plus the setup's.
    const int64_t setup_changes = *store->PendingCount() -
                                  static_cast<int64_t>(entries->size()) -
                                  (stored_last + 1);
    // The setup wrote 2 student, 5 plan and 5 accommodation fields.
    EXPECT_EQ(setup_changes, 12);
  }
  EXPECT_GE(acknowledged, 1) << "the writer never committed: test too short";
}

}  // namespace
}  // namespace plansync
