// A write the server refused stays listed, with its reason, but stops being
// shown as the record's value: the device goes back to the server's record
// (DeviceStore::MarkRejected).
#include <map>
#include <string>
#include <vector>

#include "core/device_store.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

class RejectedWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_copy_ = testing::OpenStore(":memory:", "user-cm", &clock_, 1);
    ids_ = testing::CreateOneOfEach(*server_copy_);
    auto pending = server_copy_->PendingChanges(10000);
    ASSERT_OK(pending);
    for (auto& entry : *pending) accepted_.push_back(entry.change);
    device_ =
        testing::OpenStore(dir_.File("device.db"), "user-teacher", &clock_, 2);
    bucket_ = "student/" + Id("plansync.v1.Student");
    PullWhole();
    ASSERT_EQ(*device_->PendingCount(), 0);
  }

  // What a pull of the whole bucket does: the accepted changes, then the
  // cursor.
  void PullWhole() {
    ASSERT_OK(device_->Write([&](WriteTransaction& txn) -> absl::Status {
      auto results = device_->ApplyRemote(txn, accepted_);
      if (!results.ok()) return results.status();
      return device_->SetCursor(txn, bucket_,
                                static_cast<int64_t>(accepted_.size()));
    }));
  }

  std::string Id(const std::string& type) { return ids_.at(type); }

  v1::Accommodation Accommodation() {
    auto accommodation =
        device_->Get<v1::Accommodation>(Id("plansync.v1.Accommodation"));
    EXPECT_OK(accommodation);
    return accommodation.ok() ? *accommodation : v1::Accommodation();
  }

  // Sets the accommodation's description on the device.
  void Describe(const std::string& text) {
    v1::Accommodation values;
    values.set_id(Id("plansync.v1.Accommodation"));
    values.set_description(text);
    ASSERT_OK(device_->Write([&](WriteTransaction& txn) {
      return device_->Update(txn, values, {"description"});
    }));
  }

  // The server's answer to pending change `seq`.
  void Refuse(uint64_t seq) {
    ASSERT_OK(device_->Write([&](WriteTransaction& txn) {
      return device_->MarkRejected(txn, seq, v1::ROLE_NOT_PERMITTED,
                                   "a teacher may not change Accommodation "
                                   "records");
    }));
  }

  uint64_t LastPendingSeq() {
    auto pending = device_->PendingChanges(100);
    EXPECT_OK(pending);
    return pending.ok() && !pending->empty() ? pending->back().seq : 0;
  }

  testing::TempDir dir_;
  FakeClock clock_{testing::kStartMillis};
  std::unique_ptr<DeviceStore> server_copy_;
  std::unique_ptr<DeviceStore> device_;
  std::map<std::string, std::string> ids_;
  std::vector<v1::Change> accepted_;
  std::string bucket_;
};

TEST_F(RejectedWriteTest, RefusedValueGivesWayToTheServersOnTheNextPull) {
  const std::string original = Accommodation().description();
  Describe("whatever the teacher likes");
  Refuse(LastPendingSeq());

  // Listed with its reason; no longer pending; no longer shown.
  auto rejected = device_->RejectedChanges();
  ASSERT_OK(rejected);
  ASSERT_EQ(rejected->size(), 1u);
  EXPECT_EQ(rejected->front().reject_reason, v1::ROLE_NOT_PERMITTED);
  EXPECT_EQ(rejected->front().change.record_id(),
            Id("plansync.v1.Accommodation"));
  EXPECT_EQ(*device_->PendingCount(), 0);
  EXPECT_EQ(device_->Get<v1::Accommodation>(Id("plansync.v1.Accommodation"))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  // The bucket is pulled whole next time, which restores the server's value.
  EXPECT_FALSE(device_->Cursor(bucket_)->has_value());
  PullWhole();
  EXPECT_EQ(Accommodation().description(), original);
  EXPECT_EQ(*device_->ContentHash(), *server_copy_->ContentHash());
}

TEST_F(RejectedWriteTest, RefusedWriteAlreadyReplacedLocallyChangesNothing) {
  Describe("first");
  const uint64_t first = LastPendingSeq();
  Describe("second");
  Refuse(first);
  EXPECT_EQ(Accommodation().description(), "second");
  EXPECT_TRUE(device_->Cursor(bucket_)->has_value());
  EXPECT_EQ(*device_->PendingCount(), 1);
}

TEST_F(RejectedWriteTest, ARestampedWriteGoesBackIntoARowRebuiltWithoutIt) {
  // The description waits (say, refused for clock drift) while a title
  // write to the same record is refused for good: the row is dropped and
  // rebuilt from the server's copy, which does not have the description.
  Describe("written while the clock was fast");
  const uint64_t waiting = LastPendingSeq();
  v1::Accommodation title;
  title.set_id(Id("plansync.v1.Accommodation"));
  title.set_title("a title the teacher may not set");
  ASSERT_OK(device_->Write([&](WriteTransaction& txn) {
    return device_->Update(txn, title, {"title"});
  }));
  Refuse(LastPendingSeq());
  PullWhole();
  ASSERT_NE(Accommodation().description(), "written while the clock was fast");
  // Re-stamped, the description is shown again, as the server will hold it.
  absl::StatusOr<int64_t> restamped;
  ASSERT_OK(device_->Write([&](WriteTransaction& txn) -> absl::Status {
    restamped = device_->Restamp(txn, {waiting});
    return restamped.status();
  }));
  EXPECT_EQ(*restamped, 1);
  EXPECT_EQ(Accommodation().description(), "written while the clock was fast");
  EXPECT_EQ(*device_->PendingCount(), 1);
}

TEST_F(RejectedWriteTest, RefusedLogEntryIsRemovedButStaysListed) {
  v1::ImplementationConfirmation confirmation;
  confirmation.set_student_id(Id("plansync.v1.Student"));
  confirmation.set_accommodation_id(Id("plansync.v1.Accommodation"));
  confirmation.set_day("2026-11-23");
  confirmation.set_status(v1::CONFIRMATION_STATUS_PROVIDED);
  std::string id;
  ASSERT_OK(device_->Write([&](WriteTransaction& txn) -> absl::Status {
    auto appended = device_->Append(txn, confirmation);
    if (!appended.ok()) return appended.status();
    id = *appended;
    return absl::OkStatus();
  }));
  Refuse(LastPendingSeq());
  EXPECT_EQ(device_->Get<v1::ImplementationConfirmation>(id).status().code(),
            absl::StatusCode::kNotFound);
  auto rejected = device_->RejectedChanges();
  ASSERT_OK(rejected);
  ASSERT_EQ(rejected->size(), 1u);
  EXPECT_EQ(rejected->front().change.record_id(), id);
  // The server never had it: nothing to pull back, the cursor stays.
  EXPECT_TRUE(device_->Cursor(bucket_)->has_value());
}

TEST_F(RejectedWriteTest, UnknownSeqIsNotFoundAndChangesNothing) {
  const uint64_t hash = *device_->ContentHash();
  auto status = device_->Write([&](WriteTransaction& txn) {
    return device_->MarkRejected(txn, 999, v1::ROLE_NOT_PERMITTED, "x");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(*device_->ContentHash(), hash);
}

}  // namespace
}  // namespace plansync
