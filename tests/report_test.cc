// The case manager's report (core/reports) over the real device store of
// tests/report_scenario.h.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/device_store.h"
#include "core/reports/report.h"
#include "core/schema.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/report_scenario.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

using ReportTest = testing::ReportScenario;

const v1::Deadline* FindDeadline(const v1::Report& report,
                                 const std::string& rule) {
  for (const v1::Deadline& deadline : report.compliance().deadlines()) {
    if (deadline.rule_id() == rule) return &deadline;
  }
  return nullptr;
}

TEST_F(ReportTest, ComplianceCalendarAppliesTheStudentsJurisdiction) {
  const v1::Report report = Build();
  ASSERT_EQ(report.students_size(), 2);
  const v1::Deadline* review = FindDeadline(report, "annual_review");
  ASSERT_NE(review, nullptr);
  EXPECT_EQ(review->due_day(), "2026-12-01");  // a year from the start
  EXPECT_EQ(review->days_left(), 7);
  EXPECT_EQ(review->state(), v1::Deadline::DUE_SOON);
  const v1::Deadline* reevaluation = FindDeadline(report, "reevaluation");
  ASSERT_NE(reevaluation, nullptr);
  EXPECT_EQ(reevaluation->due_day(), "2026-11-01");
  EXPECT_EQ(reevaluation->state(), v1::Deadline::OVERDUE);
  EXPECT_EQ(reevaluation->days_left(), -23);
  // Missouri's own rule, from the data file.
  const v1::Deadline* waiting =
      FindDeadline(report, "notice_of_action_waiting_period");
  ASSERT_NE(waiting, nullptr);
  EXPECT_EQ(waiting->jurisdiction(), "US-MO");
  EXPECT_EQ(waiting->due_day(), "2026-11-30");
  EXPECT_EQ(waiting->state(), v1::Deadline::DATE);
  // The 504 plan: its review date as the plan states it.
  const v1::Deadline* review504 = FindDeadline(report, "section_504_review");
  ASSERT_NE(review504, nullptr);
  EXPECT_EQ(review504->student_id(), roosevelt_);
  EXPECT_EQ(review504->due_day(), "2027-08-20");
  EXPECT_EQ(review504->state(), v1::Deadline::UPCOMING);
  EXPECT_EQ(report.compliance().overdue(), 1);
  EXPECT_EQ(report.compliance().due_soon(), 1);
  // By due day.
  for (int i = 1; i < report.compliance().deadlines_size(); ++i) {
    EXPECT_LE(report.compliance().deadlines(i - 1).due_day(),
              report.compliance().deadlines(i).due_day());
  }
}

TEST_F(ReportTest, AnnualReviewHeldOnTimeIsMet) {
  auto meetings = cm_->ListByStudent<v1::Meeting>(lincoln_);
  ASSERT_OK(meetings);
  v1::Meeting held = meetings->front();
  held.set_held_at("2026-11-24T15:00:00Z");
  ASSERT_OK(cm_->Write([&](WriteTransaction& txn) {
    return cm_->Update(txn, held, {"held_at"});
  }));
  const v1::Report report = Build();
  const v1::Deadline* review = FindDeadline(report, "annual_review");
  ASSERT_NE(review, nullptr);
  EXPECT_EQ(review->state(), v1::Deadline::MET);
  EXPECT_EQ(review->met_day(), "2026-11-24");
}

TEST_F(ReportTest, AccommodationMatrixCountsSchoolDaysByTeacher) {
  const v1::Report report = Build();
  const v1::AccommodationMatrix& matrix = report.accommodation_matrix();
  // Days either school is open: 16-20 and 23-24 November (the 23rd only at
  // Roosevelt).
  ASSERT_EQ(matrix.school_days_size(), 7);
  EXPECT_EQ(matrix.school_days(5), "2026-11-23");
  ASSERT_EQ(matrix.rows_size(), 1);
  const v1::AccommodationRow& row = matrix.rows(0);
  EXPECT_EQ(row.title(), "Extended time");
  EXPECT_EQ(row.teacher_name(), "Ms. Rivera");
  EXPECT_EQ(row.days(), "PPNA.-D");
  EXPECT_EQ(row.provided(), 2);
  EXPECT_EQ(row.declined(), 1);
  EXPECT_EQ(row.not_applicable(), 1);
  EXPECT_EQ(row.not_provided(), 1);
  EXPECT_EQ(row.nothing_logged(), 1);
  EXPECT_DOUBLE_EQ(row.implementation_rate(), 0.75);
  ASSERT_EQ(matrix.rate_by_week_size(), 2);
  EXPECT_EQ(matrix.rate_by_week(0).week_start(), "2026-11-16");
  EXPECT_NEAR(matrix.rate_by_week(0).implementation_rate(), 2.0 / 3, 1e-9);
  EXPECT_DOUBLE_EQ(matrix.rate_by_week(1).implementation_rate(), 1.0);
}

TEST_F(ReportTest, ServiceFidelityComparesMandatedAndDeliveredMinutes) {
  const v1::Report report = Build();
  ASSERT_EQ(report.service_fidelity().services_size(), 1);
  const v1::ServiceFidelityRow& speech = report.service_fidelity().services(0);
  // 60 a week: a full first week, one school day (a fifth) of the second.
  EXPECT_EQ(speech.mandated_minutes(), 72);
  EXPECT_EQ(speech.delivered_minutes(), 60);
  EXPECT_EQ(speech.shortfall_minutes(), 12);
  ASSERT_EQ(speech.weeks_size(), 2);
  EXPECT_EQ(speech.weeks(0).mandated_minutes(), 60);
  EXPECT_EQ(speech.weeks(0).delivered_minutes(), 60);
  EXPECT_EQ(speech.weeks(1).period_start(), "2026-11-23");
  EXPECT_EQ(speech.weeks(1).period_end(), "2026-11-24");
  EXPECT_EQ(speech.weeks(1).shortfall_minutes(), 12);
  ASSERT_EQ(speech.months_size(), 1);
  EXPECT_EQ(speech.months(0).mandated_minutes(), 72);
  ASSERT_EQ(speech.missed_by_reason_size(), 2);
  EXPECT_EQ(speech.missed_by_reason(0).outcome(),
            v1::SESSION_OUTCOME_STUDENT_ABSENT);
  EXPECT_EQ(speech.missed_by_reason(0).made_up(), 0);
  EXPECT_EQ(speech.missed_by_reason(1).outcome(),
            v1::SESSION_OUTCOME_PROVIDER_ABSENT);
  EXPECT_EQ(speech.missed_by_reason(1).made_up(), 1);
  EXPECT_EQ(speech.makeups_done(), 1);
  EXPECT_EQ(speech.makeups_owed(), 0);  // the student's absence owes none
}

TEST_F(ReportTest, ConcernsShowAgeResponseAndDisputes) {
  const v1::ParentConcerns concerns = Build().concerns();
  ASSERT_EQ(concerns.concerns_size(), 2);
  EXPECT_EQ(concerns.open(), 1);
  EXPECT_EQ(concerns.disputed(), 1);
  const v1::Concern& quiz = concerns.concerns(0);  // open first
  EXPECT_EQ(quiz.lapse_report_id(), quiz_lapse_);
  EXPECT_TRUE(quiz.open());
  EXPECT_TRUE(quiz.disputed());
  EXPECT_EQ(quiz.dispute(), "Ms. Rivera confirmed it provided that day");
  EXPECT_EQ(quiz.age_days(), 7);
  EXPECT_EQ(quiz.about(), "Extended time");
  const v1::Concern& speech = concerns.concerns(1);
  EXPECT_FALSE(speech.open());
  EXPECT_FALSE(speech.disputed());  // the provider was absent that day
  EXPECT_EQ(speech.response_status(), v1::LAPSE_RESPONSE_STATUS_RESOLVED);
  EXPECT_EQ(speech.remedy(), v1::REMEDY_MAKE_UP);
}

TEST_F(ReportTest, ConflictWaitsUntilTheFieldIsWrittenAgain) {
  v1::Report report = Build();
  ASSERT_EQ(report.conflicts().waiting_size(), 1);
  EXPECT_EQ(report.conflicts().waiting(0).losing_value(), "2x on tests");
  EXPECT_EQ(report.conflicts().reviewed(), 0);
  v1::Accommodation chosen;
  chosen.set_id(extended_time_);
  chosen.set_description("2x on tests");
  ASSERT_OK(cm_->Write([&](WriteTransaction& txn) {
    return cm_->Update(txn, chosen, {"description"});
  }));
  report = Build();
  EXPECT_EQ(report.conflicts().waiting_size(), 0);
  EXPECT_EQ(report.conflicts().reviewed(), 1);
}

TEST_F(ReportTest, MeetingsListDecisionsWithoutPriorWrittenNotice) {
  const v1::MeetingsAndNotices meetings = Build().meetings();
  ASSERT_EQ(meetings.meetings_size(), 1);
  EXPECT_EQ(meetings.meetings(0).attendees(0), "Parent (in person)");
  ASSERT_EQ(meetings.meetings(0).decisions_size(), 2);
  EXPECT_EQ(meetings.decisions_without_notice(), 1);
  EXPECT_EQ(meetings.notices_sent(), 1);
}

TEST_F(ReportTest, SyncHealthShowsThisDeviceAndUsersNotSeenLately) {
  const v1::SyncHealth health = Build().sync_health();
  EXPECT_EQ(health.pending_changes(), *cm_->PendingCount());
  EXPECT_GT(health.pending_changes(), 0);
  ASSERT_EQ(health.last_seen_size(), 1);
  EXPECT_EQ(health.last_seen(0).name(), "Ms. Rivera");
  EXPECT_EQ(health.last_seen(0).days_since(), 14);
  EXPECT_EQ(health.not_seen_lately(), 1);
}

TEST_F(ReportTest, OneStudentOnly) {
  ReportRequest request;
  request.today = "2026-11-24";
  request.student_id = roosevelt_;
  auto report = BuildReport(*cm_, request);
  ASSERT_OK(report);
  ASSERT_EQ(report->students_size(), 1);
  EXPECT_EQ(report->students(0).name(), "Blake Lee");
  EXPECT_EQ(report->concerns().concerns_size(), 0);
  // The school year from 1 August.
  EXPECT_EQ(report->from_day(), "2026-08-01");
}

TEST_F(ReportTest, BadRequestsAreRefusedWithReasons) {
  ReportRequest request;
  request.today = "2026-13-01";
  EXPECT_EQ(BuildReport(*cm_, request).status().code(),
            absl::StatusCode::kInvalidArgument);
  request.today = "2026-11-24";
  request.from = "2026-11-30";
  request.to = "2026-11-01";
  auto backwards = BuildReport(*cm_, request);
  EXPECT_EQ(backwards.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(backwards.status().message().find("before it starts"),
            std::string::npos);
  request = ReportRequest();
  request.today = "2026-11-24";
  request.student_id = "01966f4e-2b7a-7c1e-9d3a-5f0e6a7b8c9d";
  EXPECT_EQ(BuildReport(*cm_, request).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace plansync
