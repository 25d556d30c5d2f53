// A store written by an earlier schema version opens with this build, keeps
// every record, outbox change and cursor, and gains what the new version
// adds. Files this build cannot read are refused untouched.
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/device_store.h"
#include "core/schema.h"
#include "core/store/migrations.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

std::string DataFile(const std::string& name) {
  return std::string(PLANSYNC_TEST_DATA_DIR) + "/" + name;
}

// Runs one SQL statement on a file directly and returns the first column of
// its first row as text (empty if none).
std::string QueryFile(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0)) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

class MigrationTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    path_ = dir_.File("device.db");
    std::filesystem::copy_file(DataFile(GetParam()), path_);
  }
  testing::TempDir dir_;
  std::string path_;
  FakeClock clock_{testing::kStartMillis + 86400000};
};

TEST_P(MigrationTest, OlderStoreOpensWithEverythingKept) {
  // device_vN.sqlite was written by schema version N.
  ASSERT_EQ(QueryFile(path_, "PRAGMA user_version"),
            GetParam().substr(8, GetParam().find('.') - 8));
  auto store = testing::OpenStore(path_, "golden-case-manager", &clock_);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(QueryFile(path_, "PRAGMA user_version"),
            std::to_string(internal::kDeviceSchemaVersion));
  EXPECT_EQ(*store->IntegrityCheck(), "ok");
  // Version 4 replaced the access-log entry table with `access_log`.
  EXPECT_EQ(QueryFile(path_,
                      "SELECT group_concat(name) FROM sqlite_master WHERE "
                      "name LIKE 'access_log%' AND type = 'table'"),
            "access_log");

  const RecordType& students = *Schema::Get().Find("Student");
  auto all_students = store->List<v1::Student>("", "");
  ASSERT_OK(all_students);
  ASSERT_EQ(all_students->size(), 1u);
  const v1::Student& student = all_students->front();
  EXPECT_EQ(student.given_name(), "Golden");
  EXPECT_EQ(*store->Count(students), 1);

  auto accommodations = store->ListByStudent<v1::Accommodation>(student.id());
  ASSERT_OK(accommodations);
  ASSERT_EQ(accommodations->size(), 1u);
  EXPECT_EQ(accommodations->front().title(), "Extended time");
  auto confirmations = store->List<v1::ImplementationConfirmation>(
      "accommodation_id", accommodations->front().id());
  ASSERT_OK(confirmations);
  ASSERT_EQ(confirmations->size(), 1u);
  EXPECT_EQ(confirmations->front().author_id(), "golden-case-manager");

  // The outbox kept its 17 changes, now pending under version 2's states,
  // and version 3's held list starts empty.
  EXPECT_EQ(*store->PendingCount(), 17);
  EXPECT_EQ(**store->Cursor("student/" + student.id()), 42);
  EXPECT_TRUE(store->HeldChanges()->empty());

  // What version 2 adds works on the old rows: rejection with a reason.
  ASSERT_OK(store->Write([&](WriteTransaction& txn) {
    return store->MarkRejected(txn, 17, v1::IMMUTABLE_FIELD, "test rejection");
  }));
  auto rejected = store->RejectedChanges();
  ASSERT_OK(rejected);
  ASSERT_EQ(rejected->size(), 1u);
  EXPECT_EQ(rejected->front().seq, 17u);
  EXPECT_EQ(rejected->front().reject_reason, v1::IMMUTABLE_FIELD);
  EXPECT_EQ(rejected->front().change.record_id(), confirmations->front().id());
  EXPECT_EQ(*store->PendingCount(), 16);
  // The refused confirmation is no longer shown.
  EXPECT_TRUE(store
                  ->List<v1::ImplementationConfirmation>(
                      "accommodation_id", accommodations->front().id())
                  ->empty());

  // New writes continue the outbox sequence.
  v1::ImplementationConfirmation entry = confirmations->front();
  entry.clear_id();
  entry.set_day("2026-09-09");
  ASSERT_OK(store->Write([&](WriteTransaction& txn) {
    return store->Append(txn, entry).status();
  }));
  auto pending = store->PendingChanges(100);
  ASSERT_OK(pending);
  EXPECT_EQ(pending->back().seq, 18u);
}

TEST_P(MigrationTest, StoreOfAnotherPrincipalIsRefused) {
  DeviceStoreOptions options;
  options.path = path_;
  options.principal_id = "someone-else";
  options.clock = &clock_;
  auto store = DeviceStore::Open(options);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("another user"), std::string::npos);
}

TEST_P(MigrationTest, StoreFromANewerVersionIsRefusedUntouched) {
  QueryFile(path_, "PRAGMA user_version = 99");
  const auto size = std::filesystem::file_size(path_);
  DeviceStoreOptions options;
  options.path = path_;
  options.principal_id = "golden-case-manager";
  options.clock = &clock_;
  auto store = DeviceStore::Open(options);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("newer plansync"), std::string::npos)
      << store.status();
  EXPECT_EQ(QueryFile(path_, "PRAGMA user_version"), "99");
  EXPECT_EQ(std::filesystem::file_size(path_), size);
}

TEST_P(MigrationTest, FileThatIsNotAStoreIsDataLoss) {
  const std::string junk = dir_.File("junk.db");
  std::ofstream(junk) << std::string(8192, 'j');
  DeviceStoreOptions options;
  options.path = junk;
  options.principal_id = "user";
  options.clock = &clock_;
  auto store = DeviceStore::Open(options);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss)
      << store.status();
}

TEST_P(MigrationTest, RecordTableGainsColumnsAddedToTheSchema) {
  // Simulate a store made before Plan.jurisdiction existed.
  {
    auto store = testing::OpenStore(path_, "golden-case-manager", &clock_);
    ASSERT_NE(store, nullptr);
  }
  QueryFile(path_, "ALTER TABLE plans DROP COLUMN jurisdiction");
  ASSERT_EQ(QueryFile(path_,
                      "SELECT COUNT(*) FROM pragma_table_info('plans') "
                      "WHERE name = 'jurisdiction'"),
            "0");
  auto store = testing::OpenStore(path_, "golden-case-manager", &clock_);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(QueryFile(path_,
                      "SELECT COUNT(*) FROM pragma_table_info('plans') "
                      "WHERE name = 'jurisdiction'"),
            "1");
  auto plans = store->List<v1::Plan>("", "");
  ASSERT_OK(plans);
  ASSERT_EQ(plans->size(), 1u);
  v1::Plan plan = plans->front();
  EXPECT_EQ(plan.jurisdiction(), "");
  plan.set_jurisdiction("US-CA");
  const absl::string_view fields[] = {"jurisdiction"};
  ASSERT_OK(store->Write(
      [&](WriteTransaction& txn) { return store->Update(txn, plan, fields); }));
  EXPECT_EQ(store->Get<v1::Plan>(plan.id())->jurisdiction(), "US-CA");
}

INSTANTIATE_TEST_SUITE_P(GoldenStores, MigrationTest,
                         ::testing::Values("device_v1.sqlite",
                                           "device_v2.sqlite"),
                         [](const auto& info) {
                           return info.param.substr(0, info.param.find('.'));
                         });

}  // namespace
}  // namespace plansync
