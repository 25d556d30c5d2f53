// Progress-report schedules (core/reports/progress_reports.h): quarterly,
// every N weeks, with report cards and on listed days, through an
// amendment, with reports sent on time, late and not at all. Every
// reporting day below is worked out by hand in the comments.
#include <string>
#include <tuple>
#include <vector>

#include "core/reports/progress_reports.h"
#include "core/validate.h"
#include "gtest/gtest.h"

namespace plansync::reports {
namespace {

using Row = std::tuple<std::string, std::string, v1::ProgressReportDue::State>;

class ProgressReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The IEP from Monday 24 August 2026, amended from 2 November.
    Plan("v1", 1, "2026-08-24", "");
    Plan("v2", 2, "2026-11-02", "v1");
    Goal("g1", "v1", "Reading", v1::REPORT_CADENCE_QUARTERLY);
    Goal("g2", "v2", "Reading", v1::REPORT_CADENCE_QUARTERLY, "g1");
    Goal("m1", "v1", "Math", v1::REPORT_CADENCE_EVERY_N_WEEKS, "", 6);
    Goal("m2", "v2", "Math", v1::REPORT_CADENCE_EVERY_N_WEEKS, "m1", 6);
    Goal("w1", "v1", "Writing", v1::REPORT_CADENCE_WITH_REPORT_CARDS);
    v1::Goal& w2 =
        Goal("w2", "v2", "Writing", v1::REPORT_CADENCE_ON_DAYS, "w1");
    w2.set_report_days("2026-12-18,2027-03-12");
  }
  void Plan(const std::string& id, int version, const std::string& start,
            const std::string& supersedes) {
    v1::Plan& plan = records_.plans.emplace_back();
    plan.set_id(id);
    plan.set_kind(v1::PLAN_KIND_IEP);
    plan.set_status(v1::PLAN_STATUS_ACTIVE);
    plan.set_version(version);
    plan.set_start_date(start);
    plan.set_supersedes_plan_id(supersedes);
  }
  v1::Goal& Goal(const std::string& id, const std::string& plan,
                 const std::string& area, v1::ReportCadence cadence,
                 const std::string& continues = "", int weeks = 0) {
    v1::Goal& goal = records_.goals.emplace_back();
    goal.set_id(id);
    goal.set_plan_id(plan);
    goal.set_area(area);
    goal.set_report_cadence(cadence);
    goal.set_report_every_weeks(weeks);
    goal.set_continues_id(continues);
    return goal;
  }
  void Report(const std::string& goal, const std::string& due,
              const std::string& sent) {
    v1::ProgressReport& report = records_.progress_reports.emplace_back();
    report.set_id("report-" + goal + "-" + due);
    report.set_goal_id(goal);
    report.set_due_day(due);
    report.set_sent_date(sent);
    report.set_summary("On track");
  }
  std::vector<v1::ProgressReportDue> Schedule(const std::string& today) {
    return ProgressReportSchedule(records_, "2026-10-16,2027-01-15,2027-03-26",
                                  Day(2026, 8, 1), Day(2027, 6, 30),
                                  *ParseDay(today));
  }

  StudentRecords records_;
};

TEST_F(ProgressReportsTest, EachCadenceGivesItsDaysThroughAnAmendment) {
  // Reading is on time (the report names the goal's first version), Math's
  // first report is late and its second missing, Writing's report card day
  // passed with none.
  Report("g1", "2026-11-24", "2026-11-20");
  Report("m1", "2026-10-05", "2026-10-09");
  Report("m2", "2026-11-17", "2026-11-17");  // not a reporting day: ignored
  using S = v1::ProgressReportDue;
  // Quarterly from 24 August: 24 November, 24 February, 24 May (none falls
  // under version 1, which ends 1 November). Every 6 weeks from 24 August:
  // 5 October (version 1), then 16 November, 28 December, 8 February, 22
  // March, 3 May, 14 June. Writing: the report card of 16 October under
  // version 1 (15 January and 26 March fall under version 2, which lists
  // its own days: 18 December and 12 March).
  const std::vector<Row> want = {
      {"2026-10-05", "Math", S::SENT_LATE},
      {"2026-10-16", "Writing", S::MISSING},
      {"2026-11-16", "Math", S::MISSING},
      {"2026-11-24", "Reading", S::SENT},
      {"2026-12-18", "Writing", S::UPCOMING},
      {"2026-12-28", "Math", S::UPCOMING},
      {"2027-02-08", "Math", S::UPCOMING},
      {"2027-02-24", "Reading", S::UPCOMING},
      {"2027-03-12", "Writing", S::UPCOMING},
      {"2027-03-22", "Math", S::UPCOMING},
      {"2027-05-03", "Math", S::UPCOMING},
      {"2027-05-24", "Reading", S::UPCOMING},
      {"2027-06-14", "Math", S::UPCOMING},
  };
  const std::vector<v1::ProgressReportDue> schedule = Schedule("2026-12-01");
  std::vector<Row> got;
  for (const v1::ProgressReportDue& due : schedule) {
    got.emplace_back(due.due_day(), due.goal_area(), due.state());
  }
  EXPECT_EQ(got, want);
  // The goal named is the one of the plan in effect that day.
  EXPECT_EQ(schedule[0].goal_id(), "m1");
  EXPECT_EQ(schedule[0].plan_id(), "v1");
  EXPECT_EQ(schedule[2].goal_id(), "m2");
  EXPECT_EQ(schedule[3].report_id(), "report-g1-2026-11-24");
  EXPECT_EQ(schedule[3].sent_date(), "2026-11-20");
  EXPECT_EQ(schedule[4].days_left(), 17);  // 1 to 18 December
}

TEST_F(ProgressReportsTest, OnTheDueDayItselfAReportIsStillUpcoming) {
  std::vector<v1::ProgressReportDue> schedule = Schedule("2026-10-05");
  EXPECT_EQ(schedule[0].due_day(), "2026-10-05");
  EXPECT_EQ(schedule[0].state(), v1::ProgressReportDue::UPCOMING);
  EXPECT_EQ(schedule[0].days_left(), 0);
  schedule = Schedule("2026-10-06");
  EXPECT_EQ(schedule[0].state(), v1::ProgressReportDue::MISSING);
  EXPECT_EQ(schedule[0].days_left(), -1);
}

TEST_F(ProgressReportsTest, GoalsWithoutACadenceOrWithABadListHaveNoDays) {
  for (v1::Goal& goal : records_.goals) {
    goal.set_report_cadence(v1::REPORT_CADENCE_UNSPECIFIED);
    goal.set_reporting_schedule("quarterly");  // words only
  }
  EXPECT_TRUE(Schedule("2026-12-01").empty());
  // A malformed report-card list (only a forged store holds one) is none.
  records_.goals[4].set_report_cadence(v1::REPORT_CADENCE_WITH_REPORT_CARDS);
  EXPECT_TRUE(ProgressReportSchedule(records_, "2026-10-16,someday",
                                     Day(2026, 8, 1), Day(2027, 6, 30),
                                     Day(2026, 12, 1))
                  .empty());
}

TEST(DayListTest, DaysJoinedByCommasInIncreasingOrder) {
  EXPECT_TRUE(IsDayList("2026-10-16"));
  EXPECT_TRUE(IsDayList("2026-10-16,2027-01-15"));
  for (const char* bad :
       {"", "2026-10-16,", "2026-10-16, 2027-01-15", "2027-01-15,2026-10-16",
        "2026-10-16,2026-10-16", "2026-02-30", "16/10/2026"}) {
    EXPECT_FALSE(IsDayList(bad)) << bad;
  }
}

}  // namespace
}  // namespace plansync::reports
