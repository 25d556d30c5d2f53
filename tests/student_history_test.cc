// The student-history view (core/student_history.h) on entries worked out by
// hand: the window, the order (by day, then as recorded), corrections
// applied and listed, withdrawn entries, a lapse's responses, and what each
// entry is about.
#include "core/student_history.h"

#include <functional>
#include <string>
#include <vector>

#include "core/errors.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

class StudentHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenStore(":memory:", "user-cm", &clock_, 1);
    v1::Student student;
    student.set_given_name("Maya");
    student.set_family_name("Diaz");
    maya_ = Made(student);
    v1::Plan plan;
    plan.set_student_id(maya_);
    plan.set_kind(v1::PLAN_KIND_IEP);
    plan.set_status(v1::PLAN_STATUS_ACTIVE);
    plan.set_version(1);
    plan.set_jurisdiction("US-MO");
    plan.set_start_date("2026-09-01");
    const std::string plan_id = Made(plan);
    v1::Accommodation accommodation;
    accommodation.set_student_id(maya_);
    accommodation.set_plan_id(plan_id);
    accommodation.set_kind(v1::ACCOMMODATION_KIND_ACCOMMODATION);
    accommodation.set_category(v1::ACCOMMODATION_CATEGORY_PRESENTATION);
    accommodation.set_title("Extended time");
    extended_ = Made(accommodation);
    v1::Service service;
    service.set_student_id(maya_);
    service.set_plan_id(plan_id);
    service.set_service_category(v1::SERVICE_CATEGORY_RELATED_SERVICE);
    service.set_service_type("Speech therapy");
    speech_ = Made(service);
  }

  // Creates (mutable) or appends (log entry) `record`; returns its id.
  std::string Made(google::protobuf::Message& record) {
    clock_.Advance(1000);  // each entry recorded later than the one before
    std::string id;
    const bool log = Schema::Get().For(record.GetDescriptor())->is_log();
    absl::Status status = store_->Write([&](WriteTransaction& txn) {
      auto made =
          log ? store_->Append(txn, record) : store_->Create(txn, record);
      if (made.ok()) id = *made;
      return made.status();
    });
    EXPECT_TRUE(status.ok()) << status;
    return id;
  }
  std::string Confirmation(const std::string& day) {
    v1::ImplementationConfirmation c;
    c.set_student_id(maya_);
    c.set_accommodation_id(extended_);
    c.set_day(day);
    c.set_status(v1::CONFIRMATION_STATUS_PROVIDED);
    return Made(c);
  }
  std::string Lapse(const std::string& day, bool about_service) {
    v1::LapseReport l;
    l.set_student_id(maya_);
    if (about_service) {
      l.set_service_id(speech_);
    } else {
      l.set_accommodation_id(extended_);
    }
    l.set_day(day);
    l.set_what_happened("Not given");
    return Made(l);
  }
  std::string Correct(const std::string& entry, const std::string& field,
                      const std::string& value) {
    v1::Correction c;
    c.set_student_id(maya_);
    c.set_corrected_entry_id(entry);
    c.set_corrected_entry_type("plansync.v1.ImplementationConfirmation");
    c.set_reason("Entered in error");
    c.set_field_name(field);
    c.set_corrected_value(value);
    return Made(c);
  }

  FakeClock clock_{testing::kStartMillis};
  std::unique_ptr<DeviceStore> store_;
  std::string maya_, extended_, speech_;
};

TEST_F(StudentHistoryTest, EntriesByDayThenAsRecordedAsCorrected) {
  // Recorded in this order; shown by day, then in recording order.
  const std::string late = Confirmation("2026-09-12");
  const std::string lapse = Lapse("2026-09-11", /*about_service=*/false);
  v1::ServiceSession session;
  session.set_student_id(maya_);
  session.set_service_id(speech_);
  session.set_day("2026-09-11");
  session.set_minutes_delivered(30);
  session.set_outcome(v1::SESSION_OUTCOME_DELIVERED);
  const std::string session_id = Made(session);
  const std::string early = Confirmation("2026-09-10");
  const std::string service_lapse = Lapse("2026-09-11", /*about_service=*/true);
  Confirmation("2026-08-20");  // before the window
  Confirmation("2026-09-13");  // after it
  // Two responses to the lapse, and two corrections.
  for (auto status : {v1::LAPSE_RESPONSE_STATUS_INVESTIGATING,
                      v1::LAPSE_RESPONSE_STATUS_RESOLVED}) {
    v1::LapseResponse r;
    r.set_student_id(maya_);
    r.set_lapse_report_id(lapse);
    r.set_response(status);
    Made(r);
  }
  Correct(early, "status", "CONFIRMATION_STATUS_NOT_PROVIDED");
  Correct(late, "", "");  // withdrawn

  auto history = StudentHistoryOf(*store_, maya_, "2026-09-01", "2026-09-12");
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->student_id(), maya_);
  EXPECT_EQ(history->from(), "2026-09-01");
  EXPECT_EQ(history->to(), "2026-09-12");
  ASSERT_EQ(history->entries_size(), 5);
  const auto& e = history->entries();
  // 09-10: the early confirmation, its status corrected, with its trail.
  EXPECT_EQ(e[0].day(), "2026-09-10");
  ASSERT_TRUE(e[0].has_confirmation());
  EXPECT_EQ(e[0].confirmation().id(), early);
  EXPECT_EQ(e[0].confirmation().status(), v1::CONFIRMATION_STATUS_NOT_PROVIDED);
  EXPECT_FALSE(e[0].withdrawn());
  ASSERT_EQ(e[0].corrections_size(), 1);
  EXPECT_EQ(e[0].corrections(0).field_name(), "status");
  EXPECT_EQ(e[0].subject(), "Extended time");
  // 09-11, as recorded: the lapse, the session, the service's lapse.
  ASSERT_TRUE(e[1].has_lapse());
  EXPECT_EQ(e[1].lapse().id(), lapse);
  EXPECT_EQ(e[1].subject(), "Extended time");
  ASSERT_EQ(e[1].responses_size(), 2);
  EXPECT_EQ(e[1].responses(0).response(),
            v1::LAPSE_RESPONSE_STATUS_INVESTIGATING);
  EXPECT_EQ(e[1].responses(1).response(), v1::LAPSE_RESPONSE_STATUS_RESOLVED);
  ASSERT_TRUE(e[2].has_session());
  EXPECT_EQ(e[2].session().id(), session_id);
  EXPECT_EQ(e[2].subject(), "Speech therapy");
  ASSERT_TRUE(e[3].has_lapse());
  EXPECT_EQ(e[3].lapse().id(), service_lapse);
  EXPECT_EQ(e[3].subject(), "Speech therapy");
  EXPECT_EQ(e[3].responses_size(), 0);
  // 09-12: withdrawn, still shown, with the withdrawal.
  EXPECT_EQ(e[4].confirmation().id(), late);
  EXPECT_TRUE(e[4].withdrawn());
  ASSERT_EQ(e[4].corrections_size(), 1);
  EXPECT_EQ(e[4].corrections(0).field_name(), "");

  // A one-day window.
  history = StudentHistoryOf(*store_, maya_, "2026-09-11", "2026-09-11");
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->entries_size(), 3);
}

TEST_F(StudentHistoryTest, BadWindowsAndStudents) {
  auto history = StudentHistoryOf(*store_, maya_, "2026-09-12", "2026-09-01");
  EXPECT_EQ(history.status().code(), absl::StatusCode::kInvalidArgument);
  history = StudentHistoryOf(*store_, maya_, "2026-09-01", "2026-02-30");
  EXPECT_EQ(ReasonOf(history.status()), v1::MALFORMED_DATE);
  history = StudentHistoryOf(*store_, "0190ffff-0000-7000-8000-0000000000aa",
                             "2026-09-01", "2026-09-12");
  EXPECT_EQ(history.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReasonOf(history.status()), v1::UNKNOWN_RECORD);

  // The default window's first day: August 1 of the school year.
  EXPECT_EQ(SchoolYearStartOf("2026-07-31"), "2025-08-01");
  EXPECT_EQ(SchoolYearStartOf("2026-08-01"), "2026-08-01");
  EXPECT_EQ(SchoolYearStartOf("2027-01-15"), "2026-08-01");
  EXPECT_EQ(SchoolYearStartOf("August"), "");
}

}  // namespace
}  // namespace plansync
