// DeviceStore is thread-safe (core/device_store.h): writes and reads from
// several threads on one store are serialized, none lost or refused.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "core/device_store.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

// A committed transaction's object, destroyed after another thread began its
// own transaction, used to roll that one back (and unlock a mutex it did not
// hold): writes failed with "UNIQUE constraint failed: outbox.seq" and reads
// missed committed records.
TEST(StoreThreadsTest, EndedTransactionDoesNotRollBackAnotherThreads) {
  constexpr int kThreads = 4;
  constexpr int kEach = 100;
  testing::TempDir dir;
  DeviceStoreOptions options;
  options.path = dir.File("device.db");
  options.principal_id = "01900000-0000-7000-8000-000000000001";
  auto store = DeviceStore::Open(options);
  ASSERT_OK(store);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string school = "School " + std::to_string(t);
      for (int i = 0; i < kEach; ++i) {
        v1::Student student;
        student.set_given_name("Student " + std::to_string(i));
        student.set_family_name("Thread " + std::to_string(t));
        student.set_school(school);
        absl::Status status = (*store)->Write([&](WriteTransaction& txn) {
          return (*store)->Create(txn, student).status();
        });
        if (!status.ok()) {
          ADD_FAILURE() << status;
          ++failures;
        }
        // This thread's records, every one of them, are read back.
        auto mine = (*store)->List<v1::Student>("school", school);
        if (!mine.ok() || mine->size() != static_cast<size_t>(i + 1)) {
          ADD_FAILURE() << "thread " << t << " reads "
                        << (mine.ok() ? mine->size() : 0) << " of " << i + 1;
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto count = (*store)->Count(*Schema::Get().Find("Student"));
  ASSERT_OK(count);
  EXPECT_EQ(*count, kThreads * kEach);
  auto integrity = (*store)->IntegrityCheck();
  ASSERT_OK(integrity);
  EXPECT_EQ(*integrity, "ok");
}

}  // namespace
}  // namespace plansync
