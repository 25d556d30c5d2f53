// Remote changes merge into a device store without entering its outbox, and
// a bad remote change is refused alone, with its reason, changing nothing.
#include <string>

#include "core/device_store.h"
#include "core/errors.h"
#include "core/hlc.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

class ApplyRemoteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    author_ = testing::OpenStore(":memory:", "user-cm", &clock_, 1);
    reader_ =
        testing::OpenStore(dir_.File("reader.db"), "user-teacher", &clock_, 2);
    ids_ = testing::CreateOneOfEach(*author_);
    auto pending = author_->PendingChanges(10000);
    ASSERT_OK(pending);
    for (auto& entry : *pending) changes_.push_back(entry.change);
  }

  // Applies one change to the reader and returns its result.
  RemoteResult ApplyOne(const v1::Change& change) {
    auto results = reader_->ApplyRemote({change});
    EXPECT_TRUE(results.ok()) << results.status();
    return results.ok() ? (*results)[0] : RemoteResult{};
  }

  // Applies `change` and expects it refused with `reason`, the reader's
  // content unchanged.
  void ExpectRejected(const v1::Change& change, v1::Reason reason,
                      absl::string_view message_part) {
    const uint64_t before = *reader_->ContentHash();
    const RemoteResult result = ApplyOne(change);
    EXPECT_EQ(result.outcome, RemoteOutcome::kRejected);
    EXPECT_EQ(ReasonOf(result.error), reason) << result.error;
    EXPECT_NE(result.error.message().find(message_part),
              absl::string_view::npos)
        << result.error.message();
    EXPECT_EQ(*reader_->ContentHash(), before);
  }

  const v1::Change& FirstLogChange() {
    for (const auto& change : changes_) {
      if (change.has_log_entry()) return change;
    }
    ADD_FAILURE() << "no log entry";
    return changes_.front();
  }
  const v1::Change& FirstFieldWrite(const std::string& type) {
    for (const auto& change : changes_) {
      if (change.has_field_write() && change.record_type() == type) {
        return change;
      }
    }
    ADD_FAILURE() << "no field write";
    return changes_.front();
  }

  testing::TempDir dir_;
  FakeClock clock_{testing::kStartMillis};
  std::unique_ptr<DeviceStore> author_, reader_;
  std::map<std::string, std::string> ids_;
  std::vector<v1::Change> changes_;
};

TEST_F(ApplyRemoteTest, RemoteChangesMergeAndNeverEnterTheOutbox) {
  auto results = reader_->ApplyRemote(changes_);
  ASSERT_OK(results);
  for (const auto& result : *results) {
    EXPECT_EQ(result.outcome, RemoteOutcome::kApplied) << result.error;
  }
  EXPECT_EQ(*reader_->PendingCount(), 0);
  EXPECT_EQ(*reader_->ContentHash(), *author_->ContentHash());
  // The same batch again: all duplicates, nothing changes.
  results = reader_->ApplyRemote(changes_);
  ASSERT_OK(results);
  for (const auto& result : *results) {
    EXPECT_EQ(result.outcome, RemoteOutcome::kDuplicate);
  }
  EXPECT_EQ(*reader_->ContentHash(), *author_->ContentHash());
}

// The content hash is the same whatever order the same records arrived in,
// and differs as soon as one field's content does.
TEST_F(ApplyRemoteTest, ContentHashFollowsContentNotArrivalOrder) {
  ASSERT_OK(reader_->ApplyRemote(changes_));
  for (const char* day : {"2026-09-08", "2026-09-09"}) {
    ASSERT_OK(author_->Write([&](WriteTransaction& txn) {
      v1::ImplementationConfirmation entry;
      entry.set_student_id(ids_["plansync.v1.Student"]);
      entry.set_accommodation_id(ids_["plansync.v1.Accommodation"]);
      entry.set_day(day);
      entry.set_status(v1::CONFIRMATION_STATUS_PROVIDED);
      return author_->Append(txn, entry).status();
    }));
  }
  auto pending = author_->PendingChanges(10000);
  ASSERT_OK(pending);
  ASSERT_GE(pending->size(), 2u);
  const v1::Change first = (*pending)[pending->size() - 2].change;
  const v1::Change second = (*pending)[pending->size() - 1].change;
  const uint64_t without_them = *reader_->ContentHash();
  ASSERT_OK(reader_->ApplyRemote({second}));
  EXPECT_NE(*reader_->ContentHash(), without_them);
  EXPECT_NE(*reader_->ContentHash(), *author_->ContentHash());
  ASSERT_OK(reader_->ApplyRemote({first}));  // the other order than written
  EXPECT_EQ(*reader_->ContentHash(), *author_->ContentHash());

  v1::Accommodation accommodation;
  ASSERT_OK(author_->Get(ids_["plansync.v1.Accommodation"], &accommodation));
  accommodation.set_description(accommodation.description() + " (amended)");
  ASSERT_OK(author_->Write([&](WriteTransaction& txn) {
    const absl::string_view fields[] = {"description"};
    return author_->Update(txn, accommodation, fields);
  }));
  EXPECT_NE(*reader_->ContentHash(), *author_->ContentHash());
  pending = author_->PendingChanges(10000);
  ASSERT_OK(pending);
  ASSERT_OK(reader_->ApplyRemote({pending->back().change}));
  EXPECT_EQ(*reader_->ContentHash(), *author_->ContentHash());
}

TEST_F(ApplyRemoteTest, OlderWriteIsSupersededNewerWinsRepeatIsDuplicate) {
  ASSERT_OK(reader_->ApplyRemote(changes_));
  v1::Change base;
  for (const auto& change : changes_) {
    if (change.record_type() == "plansync.v1.Plan" &&
        change.has_field_write() &&
        change.field_write().field_number() ==
            static_cast<uint32_t>(v1::Plan::kJurisdictionFieldNumber)) {
      base = change;
    }
  }
  ASSERT_TRUE(base.has_field_write());
  v1::Change older = base;
  older.set_replica_seq(900);
  older.set_hlc(base.hlc() - 10);
  older.mutable_field_write()->mutable_value()->set_string_value("US-KS");
  EXPECT_EQ(ApplyOne(older).outcome, RemoteOutcome::kSuperseded);

  v1::Change newer = base;
  newer.set_replica_seq(901);
  newer.set_hlc(base.hlc() + 10);
  newer.mutable_field_write()->mutable_value()->set_string_value("US-CA");
  EXPECT_EQ(ApplyOne(newer).outcome, RemoteOutcome::kApplied);
  EXPECT_EQ(ApplyOne(newer).outcome, RemoteOutcome::kDuplicate);
  EXPECT_EQ(reader_->Get<v1::Plan>(base.record_id())->jurisdiction(), "US-CA");
}

TEST_F(ApplyRemoteTest, RegisterWriteBeforeItsRecordCreatesTheRecord) {
  // Only the plan's jurisdiction arrives: the plan exists with that field.
  for (const auto& change : changes_) {
    if (change.record_type() != "plansync.v1.Plan" ||
        !change.has_field_write()) {
      continue;
    }
    if (change.field_write().field_number() !=
        static_cast<uint32_t>(v1::Plan::kJurisdictionFieldNumber)) {
      continue;
    }
    ASSERT_EQ(ApplyOne(change).outcome, RemoteOutcome::kApplied);
    auto plan = reader_->Get<v1::Plan>(change.record_id());
    ASSERT_OK(plan);
    EXPECT_EQ(plan->jurisdiction(),
              change.field_write().value().string_value());
    EXPECT_EQ(plan->student_id(), ids_["plansync.v1.Student"]);
    return;
  }
  FAIL() << "no jurisdiction write";
}

TEST_F(ApplyRemoteTest, ForgedLogEntryIsRejectedAndTheOriginalStays) {
  const v1::Change& original = FirstLogChange();
  ASSERT_EQ(ApplyOne(original).outcome, RemoteOutcome::kApplied);
  const uint64_t before = *reader_->ContentHash();
  v1::Change forged = original;
  v1::ImplementationConfirmation entry;
  ASSERT_TRUE(entry.ParseFromString(forged.log_entry()));
  entry.set_note("rewritten after the fact");
  forged.set_log_entry(entry.SerializeAsString());
  ExpectRejected(forged, v1::LOG_ENTRY_IMMUTABLE,
                 "already exists with different content");
  EXPECT_EQ(*reader_->ContentHash(), before);
}

TEST_F(ApplyRemoteTest, UnknownRecordTypeIsRejected) {
  v1::Change change = FirstLogChange();
  change.set_record_type("plansync.v1.Grades");
  ExpectRejected(change, v1::UNKNOWN_RECORD_TYPE,
                 "\"plansync.v1.Grades\" is not a plansync record type");
}

TEST_F(ApplyRemoteTest, WrongValueTypeIsRejected) {
  v1::Change change = FirstFieldWrite("plansync.v1.Plan");
  change.mutable_field_write()->set_field_number(v1::Plan::kVersionFieldNumber);
  change.mutable_field_write()->mutable_value()->set_string_value("two");
  ExpectRejected(change, v1::WRONG_VALUE_TYPE, "Plan.version takes an integer");
}

TEST_F(ApplyRemoteTest, OversizeValueIsRejected) {
  v1::Change change = FirstFieldWrite("plansync.v1.Plan");
  change.mutable_field_write()->set_field_number(
      v1::Plan::kJurisdictionFieldNumber);
  change.mutable_field_write()->mutable_value()->set_string_value(
      std::string(300, 'M'));
  ExpectRejected(change, v1::VALUE_TOO_LONG, "the limit is 256 bytes");
}

TEST_F(ApplyRemoteTest, ChangeFromAheadIsAppliedAndTheClockFollows) {
  // The server enforces the drift bound; a device whose own clock is behind
  // must still take what the server accepted, and order its next writes
  // after it.
  v1::Change change = FirstFieldWrite("plansync.v1.Plan");
  const Hlc ahead = HlcPack(testing::kStartMillis + 60 * 60 * 1000, 0);
  change.set_hlc(ahead);
  EXPECT_EQ(ApplyOne(change).outcome, RemoteOutcome::kApplied);
  EXPECT_GT(reader_->clock().Now(), ahead);
}

TEST_F(ApplyRemoteTest, BucketThatDoesNotMatchTheRecordIsRejected) {
  v1::Change change = FirstLogChange();
  change.set_bucket("student/01a080e3-ae00-7000-8000-000000000000");
  ExpectRejected(change, v1::MALFORMED_CHANGE, "does not match its change");
  change.set_bucket("directory");
  ExpectRejected(change, v1::MALFORMED_CHANGE, "is not a bucket of");
}

TEST_F(ApplyRemoteTest, UnparseableLogEntryAndEmptyChangeAreRejected) {
  v1::Change change = FirstLogChange();
  change.set_log_entry("\xff\xff\xff not a message");
  ExpectRejected(change, v1::MALFORMED_CHANGE, "not a valid protobuf message");
  v1::Change empty = FirstLogChange();
  empty.clear_log_entry();
  ExpectRejected(empty, v1::MALFORMED_CHANGE, "neither a field write");
}

TEST_F(ApplyRemoteTest, OneBadChangeDoesNotStopTheRestOfTheBatch) {
  std::vector<v1::Change> batch = changes_;
  v1::Change bad = FirstLogChange();
  bad.set_record_type("plansync.v1.Nope");
  batch.insert(batch.begin() + 1, bad);
  auto results = reader_->ApplyRemote(batch);
  ASSERT_OK(results);
  EXPECT_EQ((*results)[1].outcome, RemoteOutcome::kRejected);
  EXPECT_EQ(*reader_->ContentHash(), *author_->ContentHash());
}

}  // namespace
}  // namespace plansync
