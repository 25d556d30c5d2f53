// Each bad input to the device store gets its own reason, code and a message
// a person can act on, and leaves the store exactly as it was.
#include <string>

#include "core/device_store.h"
#include "core/errors.h"
#include "core/schema.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

class StoreErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenStore(dir_.File("device.db"), "user-cm", &clock_);
    ASSERT_NE(store_, nullptr);
    ids_ = testing::CreateOneOfEach(*store_, 1);
    other_ = testing::CreateOneOfEach(*store_, 2);  // a second student
    hash_before_ = *store_->ContentHash();
    pending_before_ = *store_->PendingCount();
  }

  // Runs `body` in a transaction and returns its error.
  absl::Status Attempt(
      absl::FunctionRef<absl::Status(WriteTransaction&)> body) {
    return store_->Write(body);
  }

  // Asserts the failure and that nothing stored changed.
  void ExpectRefused(const absl::Status& status, absl::StatusCode code,
                     v1::Reason reason, absl::string_view message_part) {
    EXPECT_EQ(status.code(), code) << status;
    EXPECT_EQ(ReasonOf(status), reason) << status;
    EXPECT_NE(status.message().find(message_part), absl::string_view::npos)
        << "message: " << status.message();
    EXPECT_EQ(*store_->ContentHash(), hash_before_);
    EXPECT_EQ(*store_->PendingCount(), pending_before_);
  }

  v1::ImplementationConfirmation Confirmation() {
    v1::ImplementationConfirmation entry;
    entry.set_student_id(ids_["plansync.v1.Student"]);
    entry.set_accommodation_id(ids_["plansync.v1.Accommodation"]);
    entry.set_day("2026-09-08");
    entry.set_status(v1::CONFIRMATION_STATUS_PROVIDED);
    return entry;
  }

  absl::Status AppendConfirmation(v1::ImplementationConfirmation entry) {
    return Attempt([&](WriteTransaction& txn) {
      return store_->Append(txn, entry).status();
    });
  }

  testing::TempDir dir_;
  FakeClock clock_{testing::kStartMillis};
  std::unique_ptr<DeviceStore> store_;
  std::map<std::string, std::string> ids_, other_;
  uint64_t hash_before_ = 0;
  int64_t pending_before_ = 0;
};

TEST_F(StoreErrorsTest, ReferenceToUnknownIdIsNotFound) {
  auto entry = Confirmation();
  entry.set_accommodation_id("01a080e3-ae00-7000-8000-000000000000");
  ExpectRefused(AppendConfirmation(entry), absl::StatusCode::kNotFound,
                v1::UNKNOWN_REFERENCE,
                "ImplementationConfirmation.accommodation_id names "
                "Accommodation 01a080e3-ae00-7000-8000-000000000000, which "
                "does not exist");
}

TEST_F(StoreErrorsTest, LogEntryPointingAtAnotherStudentsRecordIsRefused) {
  auto entry = Confirmation();
  entry.set_accommodation_id(other_["plansync.v1.Accommodation"]);
  ExpectRefused(AppendConfirmation(entry),
                absl::StatusCode::kFailedPrecondition,
                v1::CROSS_STUDENT_REFERENCE, "belongs to another student");
}

TEST_F(StoreErrorsTest, WrongValueTypeNamesTheExpectedType) {
  v1::Value text;
  text.set_string_value("three");
  const absl::Status status = Attempt([&](WriteTransaction& txn) {
    return store_->UpdateField(txn, *Schema::Get().Find("Plan"),
                               ids_["plansync.v1.Plan"], "version", text);
  });
  ExpectRefused(status, absl::StatusCode::kInvalidArgument,
                v1::WRONG_VALUE_TYPE,
                "Plan.version takes an integer; got a string");
}

TEST_F(StoreErrorsTest, OverlongStringStatesTheBound) {
  auto entry = Confirmation();
  entry.set_note(std::string(4001, 'x'));
  ExpectRefused(AppendConfirmation(entry), absl::StatusCode::kInvalidArgument,
                v1::VALUE_TOO_LONG,
                "ImplementationConfirmation.note is 4001 bytes long; the limit "
                "is 4000 bytes");
  auto short_field = Confirmation();
  short_field.set_class_or_period(std::string(257, 'p'));
  ExpectRefused(AppendConfirmation(short_field),
                absl::StatusCode::kInvalidArgument, v1::VALUE_TOO_LONG,
                "the limit is 256 bytes");
}

TEST_F(StoreErrorsTest, MalformedDatesAreRefused) {
  for (const char* bad : {"2026-02-30", "2026-13-01", "09/08/2026", "2026-9-8",
                          "2026-09-08T00:00:00Z", "1066-10-14"}) {
    auto entry = Confirmation();
    entry.set_day(bad);
    ExpectRefused(AppendConfirmation(entry), absl::StatusCode::kInvalidArgument,
                  v1::MALFORMED_DATE,
                  "ImplementationConfirmation.day must be an ISO 8601 day");
  }
  auto leap = Confirmation();
  leap.set_day("2028-02-29");
  EXPECT_OK(AppendConfirmation(leap));
}

TEST_F(StoreErrorsTest, LogEntryCannotBeChanged) {
  auto entry = store_->Get<v1::ImplementationConfirmation>(
      ids_["plansync.v1.ImplementationConfirmation"]);
  ASSERT_OK(entry);
  entry->set_status(v1::CONFIRMATION_STATUS_NOT_PROVIDED);
  const absl::string_view fields[] = {"status"};
  ExpectRefused(Attempt([&](WriteTransaction& txn) {
                  return store_->Update(txn, *entry, fields);
                }),
                absl::StatusCode::kFailedPrecondition, v1::LOG_ENTRY_IMMUTABLE,
                "append a Correction that points at it");
  v1::Value value;
  value.set_int_value(v1::CONFIRMATION_STATUS_NOT_PROVIDED);
  ExpectRefused(Attempt([&](WriteTransaction& txn) {
                  return store_->UpdateField(
                      txn, *Schema::Get().Find("ImplementationConfirmation"),
                      entry->id(), "status", value);
                }),
                absl::StatusCode::kFailedPrecondition, v1::LOG_ENTRY_IMMUTABLE,
                "cannot be changed");
}

TEST_F(StoreErrorsTest, AppendingAnExistingIdIsRefused) {
  auto entry = Confirmation();
  entry.set_id(ids_["plansync.v1.ImplementationConfirmation"]);
  ExpectRefused(AppendConfirmation(entry), absl::StatusCode::kAlreadyExists,
                v1::DUPLICATE_ID, "already exists");
}

TEST_F(StoreErrorsTest, MissingRequiredFieldIsNamed) {
  auto entry = Confirmation();
  entry.clear_day();
  ExpectRefused(AppendConfirmation(entry), absl::StatusCode::kInvalidArgument,
                v1::MISSING_REQUIRED_FIELD,
                "ImplementationConfirmation.day is required");
}

TEST_F(StoreErrorsTest, FieldFixedAtCreationCannotChange) {
  auto plan = store_->Get<v1::Plan>(ids_["plansync.v1.Plan"]);
  ASSERT_OK(plan);
  plan->set_student_id(other_["plansync.v1.Student"]);
  const absl::string_view fields[] = {"student_id"};
  ExpectRefused(Attempt([&](WriteTransaction& txn) {
                  return store_->Update(txn, *plan, fields);
                }),
                absl::StatusCode::kFailedPrecondition, v1::IMMUTABLE_FIELD,
                "Plan.student_id is fixed when the record is created");
}

TEST_F(StoreErrorsTest, UnknownFieldAndUnknownRecord) {
  v1::Value value;
  value.set_string_value("x");
  const RecordType& plan = *Schema::Get().Find("Plan");
  ExpectRefused(Attempt([&](WriteTransaction& txn) {
                  return store_->UpdateField(
                      txn, plan, ids_["plansync.v1.Plan"], "colour", value);
                }),
                absl::StatusCode::kInvalidArgument, v1::UNKNOWN_FIELD,
                "Plan has no field \"colour\"");
  ExpectRefused(Attempt([&](WriteTransaction& txn) {
                  return store_->UpdateField(
                      txn, plan, "01a080e3-ae00-7000-8000-000000000000",
                      "jurisdiction", value);
                }),
                absl::StatusCode::kNotFound, v1::UNKNOWN_RECORD,
                "there is no Plan");
}

TEST_F(StoreErrorsTest, EnumNumberOutsideItsEnumIsOutOfRange) {
  auto entry = Confirmation();
  entry.set_status(static_cast<v1::ConfirmationStatus>(99));
  ExpectRefused(AppendConfirmation(entry), absl::StatusCode::kOutOfRange,
                v1::VALUE_OUT_OF_RANGE,
                "99 is not a value of ConfirmationStatus");
}

TEST_F(StoreErrorsTest, LapseReportNamesExactlyOneThing) {
  v1::LapseReport lapse;
  lapse.set_student_id(ids_["plansync.v1.Student"]);
  lapse.set_day("2026-09-08");
  lapse.set_what_happened("No extended time on the math quiz");
  ExpectRefused(Attempt([&](WriteTransaction& txn) {
                  return store_->Append(txn, lapse).status();
                }),
                absl::StatusCode::kInvalidArgument, v1::MISSING_REQUIRED_FIELD,
                "exactly one of accommodation_id and service_id");
}

TEST_F(StoreErrorsTest, FailedWriteRollsBackTheWholeTransaction) {
  // The first append is valid, the second is not: neither is kept.
  auto good = Confirmation();
  auto bad = Confirmation();
  bad.set_day("2026-02-31");
  const absl::Status status = Attempt([&](WriteTransaction& txn) {
    if (auto id = store_->Append(txn, good); !id.ok()) return id.status();
    return store_->Append(txn, bad).status();
  });
  ExpectRefused(status, absl::StatusCode::kInvalidArgument, v1::MALFORMED_DATE,
                "2026-02-31");
  // And the store still takes writes, with outbox sequence numbers that
  // continue from before the rolled-back transaction.
  ASSERT_OK(AppendConfirmation(Confirmation()));
  auto pending = store_->PendingChanges(1000);
  ASSERT_OK(pending);
  EXPECT_EQ(pending->back().seq, static_cast<uint64_t>(pending_before_ + 1));
}

}  // namespace
}  // namespace plansync
