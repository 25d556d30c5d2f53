// The access log over real devices and a real SQLite server store: the
// first pull of a day and a pull of a new type of record are written at
// once; repeated pulls are counted and written when due (every
// access_log_refresh_ms), with the time of the last pull, under the day they
// happened; two server processes add their counts.
#include "server/access_log.h"

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/schema.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "server/admin.h"
#include "server/sqlite_server_store.h"
#include "server/sync_handlers.h"
#include "sync/replicator.h"
#include "tests/sync_test_util.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

int64_t UtcMillis(int day, int hour, int minute) {
  return absl::ToUnixMillis(absl::FromCivil(
      absl::CivilSecond(2026, 12, day, hour, minute, 0), absl::UTCTimeZone()));
}

constexpr int64_t kMinute = 60 * 1000;

// What the server stores of one access record.
struct Stored {
  int64_t pull_count = 0;
  std::string record_types;
  std::string last_pull_at;
  int items = 0;  // feed items of the record (one per field written)
};

class AccessLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server::SqliteServerStoreOptions options;
    options.path = dir_.File("server.db");
    auto store = server::OpenSqliteServerStore(options);
    ASSERT_OK(store);
    store_ = std::move(*store);
    server::Admin admin(store_.get(), &clock_, 3);
    auto manager = admin.AddUser("Ms. Ortiz", v1::ROLE_UNSPECIFIED);
    auto teacher = admin.AddUser("Mr. Lee", v1::ROLE_UNSPECIFIED);
    ASSERT_OK(manager);
    ASSERT_OK(teacher);
    manager_ = *manager;
    teacher_ = *teacher;
    v1::Student student;
    student.set_given_name("Maya");
    student.set_family_name("Diaz");
    auto student_id = admin.AddStudent(student);
    ASSERT_OK(student_id);
    student_ = *student_id;
    for (const auto& [user, role] :
         {std::pair{manager_, v1::CASE_MANAGER}, {teacher_, v1::TEACHER}}) {
      v1::Assignment assignment;
      assignment.set_user_id(user);
      assignment.set_student_id(student_);
      assignment.set_role(role);
      assignment.set_start_date("2026-11-02");
      ASSERT_OK(admin.Assign(assignment));
    }
    limits_.access_log_refresh_ms = 5 * kMinute;
    handlers_ = std::make_unique<server::SyncHandlers>(store_.get(), &clock_,
                                                       limits_, 5);
    manager_device_ = Connect(manager_, "manager.db", handlers_.get());
    teacher_device_ = Connect(teacher_, "teacher.db", handlers_.get());
    // The manager's device holds the student before writing the plan.
    ASSERT_OK(manager_device_.replicator->SyncOnce());
  }

  struct Device {
    std::unique_ptr<DeviceStore> store;
    std::unique_ptr<testing::DirectTransport> transport;
    std::unique_ptr<sync::Replicator> replicator;
  };

  Device Connect(const std::string& user, const std::string& file,
                 server::SyncHandlers* handlers) {
    Device device;
    device.store =
        testing::OpenStore(dir_.File(file), user, &clock_, ++devices_);
    device.transport = std::make_unique<testing::DirectTransport>(
        handlers, user, /*unrestricted=*/false);
    sync::ReplicatorOptions options;
    options.sleep = [](absl::Duration) {};
    options.seed = 7;
    device.replicator = std::make_unique<sync::Replicator>(
        device.store.get(), device.transport.get(), options);
    return device;
  }

  // The manager creates a record of `type_name` (referring to the plan) and
  // pushes it.
  std::string ManagerCreates(const std::string& type_name) {
    const RecordType& type = *Schema::Get().Find(type_name);
    auto record = testing::NewRecord(type);
    testing::FillRecord(type, student_, existing_, 1, record.get());
    const std::string id =
        testing::CreateRecord(*manager_device_.store, *record);
    existing_[type.full_name] = id;
    EXPECT_OK(manager_device_.replicator->SyncOnce());
    return id;
  }

  // The manager edits the plan and pushes the edit.
  void ManagerEditsThePlan() {
    v1::Plan plan;
    ASSERT_OK(manager_device_.store->Get(existing_["plansync.v1.Plan"], &plan));
    plan.set_eligibility_category(absl::StrCat("edit ", ++edits_));
    ASSERT_OK(manager_device_.store->Write([&](WriteTransaction& txn) {
      return manager_device_.store->Update(txn, plan, {"eligibility_category"});
    }));
    ASSERT_OK(manager_device_.replicator->SyncOnce());
  }

  // The server's record of the teacher's access on `day`.
  std::optional<Stored> TeachersEntry(const std::string& day) {
    const std::string id = server::AccessEntryId(teacher_, student_, day);
    std::vector<server::FeedItem> items;
    EXPECT_OK(store_->ReadFeed(StudentBucket(student_), 0, 100000, &items));
    std::optional<Stored> stored;
    for (const server::FeedItem& item : items) {
      if (item.change.record_id() != id) continue;
      if (!stored.has_value()) stored.emplace();
      ++stored->items;
      const v1::FieldWrite& write = item.change.field_write();
      switch (write.field_number()) {
        case v1::AccessLogEntry::kPullCountFieldNumber:
          stored->pull_count = write.value().int_value();
          break;
        case v1::AccessLogEntry::kRecordTypesFieldNumber:
          stored->record_types = write.value().string_value();
          break;
        case v1::AccessLogEntry::kLastPullAtFieldNumber:
          stored->last_pull_at = write.value().string_value();
          break;
        default:
          break;
      }
    }
    return stored;
  }

  testing::TempDir dir_;
  FakeClock clock_{UtcMillis(1, 14, 0)};
  std::unique_ptr<server::ServerStore> store_;
  server::ServerLimits limits_;
  std::unique_ptr<server::SyncHandlers> handlers_;
  std::string manager_, teacher_, student_;
  std::map<std::string, std::string> existing_;
  int edits_ = 0;
  int devices_ = 100;  // device seeds, apart from the servers'
  Device manager_device_, teacher_device_;
};

TEST_F(AccessLogTest, RepeatedPullsAreCountedAndWrittenWhenDue) {
  ManagerCreates("Plan");
  // 14:00: the teacher's first pull of the day is written at once.
  ASSERT_OK(teacher_device_.replicator->SyncOnce());
  std::optional<Stored> entry = TeachersEntry("2026-12-01");
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->pull_count, 1);
  EXPECT_NE(entry->record_types.find("Plan"), std::string::npos);
  EXPECT_EQ(entry->last_pull_at, "2026-12-01T14:00:00Z");
  const int items = entry->items;

  // 14:01: a pull of the same type is counted, not written: the feed has no
  // new access item, so nobody's device is woken for it.
  clock_.Set(UtcMillis(1, 14, 1));
  ManagerEditsThePlan();
  ASSERT_OK(teacher_device_.replicator->SyncOnce());
  entry = TeachersEntry("2026-12-01");
  EXPECT_EQ(entry->pull_count, 1);
  EXPECT_EQ(entry->items, items);
  // Not due before five minutes from the last write.
  clock_.Set(UtcMillis(1, 14, 4));
  auto flushed = handlers_->FlushAccessLog(/*all=*/false);
  ASSERT_OK(flushed);
  EXPECT_EQ(*flushed, 0);
  EXPECT_EQ(TeachersEntry("2026-12-01")->pull_count, 1);

  // Just before 14:05: a pull that brings a type of record the entry lacks
  // is written at once, with the count held so far.
  clock_.Set(UtcMillis(1, 14, 5) - 1);
  ManagerCreates("Goal");
  ASSERT_OK(teacher_device_.replicator->SyncOnce());
  entry = TeachersEntry("2026-12-01");
  EXPECT_EQ(entry->pull_count, 3);
  EXPECT_NE(entry->record_types.find("Goal"), std::string::npos);
  EXPECT_NE(entry->record_types.find("Plan"), std::string::npos);
  EXPECT_EQ(entry->last_pull_at, "2026-12-01T14:04:59Z");

  // 14:06: counted; due at 14:09:59, written then with 14:06 as the last
  // pull (not the time of writing).
  clock_.Set(UtcMillis(1, 14, 6));
  ManagerEditsThePlan();
  ASSERT_OK(teacher_device_.replicator->SyncOnce());
  EXPECT_EQ(TeachersEntry("2026-12-01")->pull_count, 3);
  clock_.Set(UtcMillis(1, 14, 9));
  flushed = handlers_->FlushAccessLog(/*all=*/false);
  ASSERT_OK(flushed);
  EXPECT_EQ(*flushed, 0);
  clock_.Set(UtcMillis(1, 14, 10));
  flushed = handlers_->FlushAccessLog(/*all=*/false);
  ASSERT_OK(flushed);
  EXPECT_EQ(*flushed, 1);
  entry = TeachersEntry("2026-12-01");
  EXPECT_EQ(entry->pull_count, 4);
  EXPECT_EQ(entry->last_pull_at, "2026-12-01T14:06:00Z");
  // Nothing is left to write, and a flush of nothing writes nothing.
  const int written = entry->items;
  flushed = handlers_->FlushAccessLog(/*all=*/true);
  ASSERT_OK(flushed);
  EXPECT_EQ(*flushed, 0);
  EXPECT_EQ(TeachersEntry("2026-12-01")->items, written);

  // The manager reads the log: the teacher's entry reaches her device.
  ASSERT_OK(manager_device_.replicator->SyncOnce());
  v1::AccessLogEntry held;
  ASSERT_OK(manager_device_.store->Get(
      server::AccessEntryId(teacher_, student_, "2026-12-01"), &held));
  EXPECT_EQ(held.pull_count(), 4);
}

TEST_F(AccessLogTest, HeldPullsAreWrittenUnderTheDayTheyHappened) {
  ManagerCreates("Plan");
  clock_.Set(UtcMillis(1, 23, 58));
  ASSERT_OK(teacher_device_.replicator->SyncOnce());
  clock_.Set(UtcMillis(1, 23, 59));
  ManagerEditsThePlan();
  ASSERT_OK(teacher_device_.replicator->SyncOnce());
  EXPECT_EQ(TeachersEntry("2026-12-01")->pull_count, 1);

  // 00:01 the next day: the first pull of the day is a new entry, and the
  // held pull of yesterday is written to yesterday's, with its own time.
  clock_.Set(UtcMillis(2, 0, 1));
  ManagerEditsThePlan();
  ASSERT_OK(teacher_device_.replicator->SyncOnce());
  std::optional<Stored> today = TeachersEntry("2026-12-02");
  ASSERT_TRUE(today.has_value());
  EXPECT_EQ(today->pull_count, 1);
  EXPECT_EQ(today->last_pull_at, "2026-12-02T00:01:00Z");
  EXPECT_EQ(TeachersEntry("2026-12-01")->pull_count, 1);
  auto flushed = handlers_->FlushAccessLog(/*all=*/false);
  ASSERT_OK(flushed);
  EXPECT_EQ(*flushed, 1);
  std::optional<Stored> yesterday = TeachersEntry("2026-12-01");
  EXPECT_EQ(yesterday->pull_count, 2);
  EXPECT_EQ(yesterday->last_pull_at, "2026-12-01T23:59:00Z");
}

TEST_F(AccessLogTest, TwoServerProcessesAddTheirCounts) {
  // A second process over the same store, with its own held counts.
  server::SyncHandlers other(store_.get(), &clock_, limits_, 6);
  Device tablet = Connect(teacher_, "tablet.db", &other);
  ManagerCreates("Plan");
  ASSERT_OK(teacher_device_.replicator->SyncOnce());
  // The other process has never written the entry: it does so at once,
  // adding to the stored count.
  ASSERT_OK(tablet.replicator->SyncOnce());
  EXPECT_EQ(TeachersEntry("2026-12-01")->pull_count, 2);
  clock_.Set(UtcMillis(1, 14, 1));
  ManagerEditsThePlan();
  ASSERT_OK(teacher_device_.replicator->SyncOnce());
  ASSERT_OK(tablet.replicator->SyncOnce());
  EXPECT_EQ(TeachersEntry("2026-12-01")->pull_count, 2);
  // Each writes its own at shutdown.
  auto flushed = handlers_->FlushAccessLog(/*all=*/true);
  ASSERT_OK(flushed);
  EXPECT_EQ(*flushed, 1);
  flushed = other.FlushAccessLog(/*all=*/true);
  ASSERT_OK(flushed);
  EXPECT_EQ(*flushed, 1);
  EXPECT_EQ(TeachersEntry("2026-12-01")->pull_count, 4);
}

TEST_F(AccessLogTest, ARefreshOfZeroWritesEveryPull) {
  limits_.access_log_refresh_ms = 0;
  server::SyncHandlers every(store_.get(), &clock_, limits_, 6);
  Device tablet = Connect(teacher_, "tablet.db", &every);
  ManagerCreates("Plan");
  ASSERT_OK(tablet.replicator->SyncOnce());
  for (int i = 1; i <= 3; ++i) {
    clock_.Set(UtcMillis(1, 14, i));
    ManagerEditsThePlan();
    ASSERT_OK(tablet.replicator->SyncOnce());
    EXPECT_EQ(TeachersEntry("2026-12-01")->pull_count, 1 + i);
  }
}

}  // namespace
}  // namespace plansync
