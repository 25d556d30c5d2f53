// Corrections of log entries (core/corrections.h): the record rule, who may
// correct, and how corrections apply (latest wins, withdrawal, malformed
// ones ignored).
#include "core/corrections.h"

#include <string>
#include <vector>

#include "core/errors.h"
#include "core/validate.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"

namespace plansync {
namespace {

const RecordType& TypeOf(const google::protobuf::Descriptor* descriptor) {
  return *Schema::Get().For(descriptor);
}

v1::Correction Fix(const std::string& id, int64_t hlc, const std::string& entry,
                   const std::string& field, const std::string& value,
                   const std::string& type = "plansync.v1.ServiceSession") {
  v1::Correction c;
  c.set_id(id);
  c.set_recorded_hlc(hlc);
  c.set_corrected_entry_id(entry);
  c.set_corrected_entry_type(type);
  c.set_field_name(field);
  c.set_corrected_value(value);
  c.set_reason("typo");
  return c;
}

TEST(CorrectionRuleTest, AFieldMustBeCorrectableAndItsValueValid) {
  EXPECT_TRUE(
      CheckCorrection(Fix("c", 1, "e", "minutes_delivered", "60")).ok());
  EXPECT_TRUE(CheckCorrection(
                  Fix("c", 1, "e", "outcome", "SESSION_OUTCOME_STUDENT_ABSENT"))
                  .ok());
  EXPECT_TRUE(CheckCorrection(Fix("c", 1, "e", "day", "2026-10-13")).ok());
  EXPECT_TRUE(CheckCorrection(Fix("c", 1, "e", "", "")).ok());  // withdrawal

  absl::Status status =
      CheckCorrection(Fix("c", 1, "e", "minutes_delivered", "600"));
  EXPECT_EQ(ReasonOf(status), v1::VALUE_OUT_OF_RANGE) << status;
  EXPECT_NE(status.message().find("480"), std::string::npos) << status;
  status = CheckCorrection(Fix("c", 1, "e", "minutes_delivered", "sixty"));
  EXPECT_EQ(ReasonOf(status), v1::WRONG_VALUE_TYPE) << status;
  status = CheckCorrection(Fix("c", 1, "e", "outcome", "ABSENT"));
  EXPECT_EQ(ReasonOf(status), v1::WRONG_VALUE_TYPE) << status;
  EXPECT_NE(status.message().find("SessionOutcome"), std::string::npos);
  status = CheckCorrection(Fix("c", 1, "e", "day", "2026-02-30"));
  EXPECT_EQ(ReasonOf(status), v1::MALFORMED_DATE) << status;
  status = CheckCorrection(Fix("c", 1, "e", "speed", "3"));
  EXPECT_EQ(ReasonOf(status), v1::UNKNOWN_FIELD) << status;
  EXPECT_NE(status.message().find("minutes_delivered"), std::string::npos);
  // Who wrote it, when, for whom and what it names are not corrected.
  for (const char* fixed :
       {"id", "student_id", "author_id", "recorded_hlc", "service_id"}) {
    status = CheckCorrection(Fix("c", 1, "e", fixed, "x"));
    EXPECT_EQ(ReasonOf(status), v1::UNKNOWN_FIELD) << fixed;
    EXPECT_NE(status.message().find("cannot be corrected"), std::string::npos)
        << status;
  }
}

TEST(CorrectionRuleTest, ADeviceRefusesABadCorrectionAsANewRecord) {
  v1::Correction c = Fix("", 0, "0192f1e4-0000-7000-8000-000000000001",
                         "minutes_delivered", "-5");
  c.set_student_id("0192f1e4-0000-7000-8000-000000000002");
  const absl::Status status =
      ValidateNewRecord(TypeOf(v1::Correction::descriptor()), c);
  EXPECT_EQ(ReasonOf(status), v1::VALUE_OUT_OF_RANGE) << status;
}

TEST(MayCorrectTest, AuthorAndCaseManagerForStaffEntriesOnly) {
  const RecordType& session = TypeOf(v1::ServiceSession::descriptor());
  const RecordType& lapse = TypeOf(v1::LapseReport::descriptor());
  const RecordType& confirmation =
      TypeOf(v1::ImplementationConfirmation::descriptor());
  EXPECT_TRUE(MayCorrect(session, "slp", "slp", RoleBit(v1::PROVIDER)).ok());
  EXPECT_TRUE(MayCorrect(session, "slp", "cm", RoleBit(v1::CASE_MANAGER)).ok());
  EXPECT_TRUE(
      MayCorrect(confirmation, "teacher", "cm", RoleBit(v1::CASE_MANAGER))
          .ok());
  absl::Status status =
      MayCorrect(confirmation, "teacher", "mom", RoleBit(v1::GUARDIAN));
  EXPECT_EQ(ReasonOf(status), v1::NOT_ENTRY_AUTHOR) << status;
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  status = MayCorrect(confirmation, "teacher", "other-teacher",
                      RoleBit(v1::TEACHER));
  EXPECT_EQ(ReasonOf(status), v1::NOT_ENTRY_AUTHOR) << status;
  // A parent's own report: not even the case manager replaces it.
  EXPECT_TRUE(MayCorrect(lapse, "mom", "mom", RoleBit(v1::GUARDIAN)).ok());
  status = MayCorrect(lapse, "mom", "cm", RoleBit(v1::CASE_MANAGER));
  EXPECT_EQ(ReasonOf(status), v1::NOT_ENTRY_AUTHOR) << status;
  EXPECT_NE(status.message().find("respond"), std::string::npos) << status;
}

v1::ServiceSession Session(const std::string& id, int minutes) {
  v1::ServiceSession s;
  s.set_id(id);
  s.set_day("2026-10-06");
  s.set_minutes_delivered(minutes);
  s.set_outcome(v1::SESSION_OUTCOME_DELIVERED);
  return s;
}

TEST(CorrectionIndexTest, TheLatestCorrectionOfAFieldWinsInAnyOrder) {
  std::vector<v1::Correction> corrections = {
      Fix("c2", 20, "s1", "minutes_delivered", "45"),
      Fix("c1", 10, "s1", "minutes_delivered", "30"),
      Fix("c3", 15, "s1", "day", "2026-10-07"),
  };
  for (int round = 0; round < 2; ++round) {
    const CorrectionIndex index(corrections);
    v1::ServiceSession s = Session("s1", 300);
    ASSERT_TRUE(index.Apply(TypeOf(v1::ServiceSession::descriptor()), &s));
    EXPECT_EQ(s.minutes_delivered(), 45);
    EXPECT_EQ(s.day(), "2026-10-07");
    ASSERT_NE(index.Of("s1"), nullptr);
    EXPECT_EQ(index.Of("s1")->front()->id(), "c1");
    std::swap(corrections[0], corrections[2]);
  }
}

TEST(CorrectionIndexTest,
     WithdrawnEntriesLeaveAndForgedCorrectionsChangeNothing) {
  const std::vector<v1::Correction> corrections = {
      Fix("w", 10, "s2", "", ""),
      // Forged (never accepted by a store): out of range, wrong type, a
      // field that cannot be corrected.
      Fix("f1", 11, "s1", "minutes_delivered", "9000"),
      Fix("f2", 12, "s1", "minutes_delivered", "45",
          "plansync.v1.ImplementationConfirmation"),
      Fix("f3", 13, "s1", "author_id", "someone"),
  };
  const CorrectionIndex index(corrections);
  std::vector<v1::ServiceSession> sessions = {Session("s1", 30),
                                              Session("s2", 60)};
  index.ApplyAll(&sessions);
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].id(), "s1");
  EXPECT_EQ(sessions[0].minutes_delivered(), 30);
  EXPECT_EQ(sessions[0].author_id(), "");
}

}  // namespace
}  // namespace plansync
