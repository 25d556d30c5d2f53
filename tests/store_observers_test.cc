// Observers of a device store and Atomically: each committed transaction that
// changed records is heard once, after the commit, with local writes, pulled
// changes and evictions told apart; a rolled back one is not heard; an
// operation that fails inside an open transaction leaves it open unless it
// failed halfway, which rolls the whole transaction back.
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/device_store.h"
#include "core/status_macros.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "server/sqlite_server_store.h"
#include "server/sync_handlers.h"
#include "sync/replicator.h"
#include "tests/sync_test_util.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

// Every notice an observer got.
struct Heard {
  std::mutex mu;
  std::vector<ChangeNotice> notices;

  ChangeObserver Observer() {
    return [this](const ChangeNotice& notice) {
      std::lock_guard<std::mutex> lock(mu);
      notices.push_back(notice);
    };
  }
  size_t Count() {
    std::lock_guard<std::mutex> lock(mu);
    return notices.size();
  }
};

v1::Student NewStudent(const std::string& given) {
  v1::Student student;
  student.set_given_name(given);
  student.set_family_name("Diaz");
  return student;
}

class StoreObserversTest : public ::testing::Test {
 protected:
  std::unique_ptr<DeviceStore> Open(const std::string& principal,
                                    uint64_t seed) {
    DeviceStoreOptions options;
    options.path = ":memory:";
    options.principal_id = principal;
    options.clock = &clock_;
    options.seed = seed;
    auto store = DeviceStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  FakeClock clock_{testing::kStartMillis};
};

TEST_F(StoreObserversTest, ACommitIsHeardOnceWithEachRecordOnce) {
  auto store = Open("user-1", 1);
  Heard heard;
  store->AddObserver(heard.Observer());
  std::string id;
  ASSERT_OK(store->Write([&](WriteTransaction& txn) -> absl::Status {
    v1::Student student = NewStudent("Maya");
    ASSIGN_OR_RETURN(id, store->Create(txn, student));
    student.set_id(id);
    student.set_family_name("Diaz-Moreno");
    RETURN_IF_ERROR(store->Update(txn, student, {"family_name"}));
    EXPECT_EQ(heard.Count(), 0u) << "heard before the commit";
    return absl::OkStatus();
  }));
  ASSERT_EQ(heard.Count(), 1u);
  ASSERT_EQ(heard.notices[0].records.size(), 1u);
  EXPECT_EQ(heard.notices[0].records[0].type, "plansync.v1.Student");
  EXPECT_EQ(heard.notices[0].records[0].id, id);
  EXPECT_FALSE(heard.notices[0].records[0].remote);
  EXPECT_TRUE(heard.notices[0].evicted_buckets.empty());

  // A rolled back transaction is not heard.
  EXPECT_FALSE(store
                   ->Write([&](WriteTransaction& txn) -> absl::Status {
                     v1::Student student = NewStudent("Leo");
                     RETURN_IF_ERROR(store->Create(txn, student).status());
                     return absl::AbortedError("changed my mind");
                   })
                   .ok());
  EXPECT_EQ(heard.Count(), 1u);
}

TEST_F(StoreObserversTest, PulledChangesAreHeardAsRemotePageByPage) {
  server::SqliteServerStoreOptions server_options;
  server_options.path = ":memory:";
  auto server_store = server::OpenSqliteServerStore(server_options);
  ASSERT_OK(server_store.status());
  server::ServerLimits limits;
  limits.pull_page_changes = 3;
  server::SyncHandlers handlers(server_store->get(), &clock_, limits, 7);
  testing::DirectTransport to_a(&handlers, "user-a");
  testing::DirectTransport to_b(&handlers, "user-b");
  auto a = Open("user-a", 1);
  auto b = Open("user-b", 2);
  sync::Replicator replicator_a(a.get(), &to_a);
  sync::Replicator replicator_b(b.get(), &to_b);

  // B's first pull is a bulk load, committed (and heard) at its end.
  const std::map<std::string, std::string> ids = testing::CreateOneOfEach(*a);
  ASSERT_OK(replicator_a.SyncOnce().status());
  Heard first;
  const uint64_t handle = b->AddObserver(first.Observer());
  ASSERT_OK(replicator_b.SyncOnce().status());
  b->RemoveObserver(handle);
  ASSERT_EQ(first.Count(), 1u);
  std::set<std::string> records;
  for (const ChangedRecord& record : first.notices[0].records) {
    EXPECT_TRUE(record.remote) << record.type;
    records.insert(record.type + " " + record.id);
  }
  for (const auto& [type, id] : ids) {
    EXPECT_TRUE(records.count(type + " " + id)) << type << " not heard";
  }
  EXPECT_EQ(records.size(), ids.size());

  // Later pulls are heard page by page.
  const std::map<std::string, std::string> more =
      testing::CreateOneOfEach(*a, 2);
  ASSERT_OK(replicator_a.SyncOnce().status());
  Heard heard;
  b->AddObserver(heard.Observer());
  auto report = replicator_b.SyncOnce();
  ASSERT_OK(report.status());

  // One notice per page that changed something, every record remote, and
  // together every record device A wrote since.
  EXPECT_GE(heard.Count(), 2u);
  EXPECT_LE(heard.Count(), static_cast<size_t>(report->pages));
  records.clear();
  for (const ChangeNotice& notice : heard.notices) {
    for (const ChangedRecord& record : notice.records) {
      EXPECT_TRUE(record.remote) << record.type;
      records.insert(record.type + " " + record.id);
    }
  }
  for (const auto& [type, id] : more) {
    EXPECT_TRUE(records.count(type + " " + id)) << type << " not heard";
  }
}

TEST_F(StoreObserversTest, AnEvictedBucketIsHeardWhole) {
  auto store = Open("user-1", 1);
  v1::Student maya = NewStudent("Maya");
  const std::string student = testing::CreateRecord(*store, maya);
  ASSERT_FALSE(student.empty());
  Heard heard;
  store->AddObserver(heard.Observer());
  ASSERT_OK(store->Write([&](WriteTransaction& txn) {
    return store->EvictBucket(txn, StudentBucket(student));
  }));
  ASSERT_EQ(heard.Count(), 1u);
  EXPECT_TRUE(heard.notices[0].records.empty());
  EXPECT_EQ(heard.notices[0].evicted_buckets,
            std::vector<std::string>{StudentBucket(student)});
}

TEST_F(StoreObserversTest, RemoveObserverWaitsForARunningCallOnAnotherThread) {
  auto store = Open("user-1", 1);
  std::atomic<bool> running{false}, finished{false};
  const uint64_t handle = store->AddObserver([&](const ChangeNotice&) {
    running = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    finished = true;
  });
  std::thread writer([&] {
    v1::Student student = NewStudent("Maya");
    testing::CreateRecord(*store, student);
  });
  while (!running) std::this_thread::yield();
  store->RemoveObserver(handle);
  EXPECT_TRUE(finished.load()) << "RemoveObserver returned during the call";
  writer.join();
  store->RemoveObserver(handle);  // unknown by now: ignored
}

TEST_F(StoreObserversTest, AFailedOpLeavesTheTransactionOpen) {
  auto store = Open("user-1", 1);
  Heard heard;
  store->AddObserver(heard.Observer());
  auto begun = store->BeginWrite();
  ASSERT_OK(begun.status());
  WriteTransaction txn = std::move(*begun);
  std::string maya;
  ASSERT_OK(store->Atomically(txn, [&]() -> absl::Status {
    v1::Student student = NewStudent("Maya");
    ASSIGN_OR_RETURN(maya, store->Create(txn, student));
    return absl::OkStatus();
  }));
  // Refused before it writes: the transaction goes on.
  const absl::Status refused = store->Atomically(txn, [&] {
    v1::Student student = NewStudent("");
    return store->Create(txn, student).status();
  });
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument) << refused;
  ASSERT_OK(txn.Commit());
  EXPECT_OK(store->Get<v1::Student>(maya).status());
  ASSERT_EQ(heard.Count(), 1u);
  EXPECT_EQ(heard.notices[0].records.size(), 1u);
}

TEST_F(StoreObserversTest, AnOpThatFailsHalfwayRollsTheTransactionBack) {
  auto store = Open("user-1", 1);
  Heard heard;
  store->AddObserver(heard.Observer());
  const int64_t pending_before = *store->PendingCount();
  auto begun = store->BeginWrite();
  ASSERT_OK(begun.status());
  WriteTransaction txn = std::move(*begun);
  ASSERT_OK(store->Atomically(txn, [&] {
    v1::Student student = NewStudent("Maya");
    return store->Create(txn, student).status();
  }));
  // Writes, then fails: as a disk failing under a write would.
  const absl::Status failed = store->Atomically(txn, [&] {
    v1::Student student = NewStudent("Leo");
    absl::Status created = store->Create(txn, student).status();
    return created.ok() ? absl::UnavailableError("the disk went away")
                        : created;
  });
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(failed.message().find("whole transaction was rolled back"),
            std::string::npos)
      << failed;
  EXPECT_EQ(txn.Commit().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(heard.Count(), 0u);
  EXPECT_EQ(*store->PendingCount(), pending_before);
  EXPECT_EQ(*store->Count(*Schema::Get().For(v1::Student::descriptor())), 0);
  // The store goes on.
  v1::Student student = NewStudent("Ada");
  EXPECT_FALSE(testing::CreateRecord(*store, student).empty());
  EXPECT_EQ(heard.Count(), 1u);
}

}  // namespace
}  // namespace plansync
