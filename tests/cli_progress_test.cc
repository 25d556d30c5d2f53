// Progress reports through the real binaries and a real server: goals with a
// structured schedule (every 2 weeks, with the district's report cards, on
// listed days), reports recorded by the provider and the case manager, and
// `plansync progress` on the parent's phone. Today is Thursday 2026-09-17;
// the plan runs from Monday 2026-08-24.
#include <string>

#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/cli_roles_fixture.h"

namespace plansync {
namespace {

using testing::CliRolesTest;

class ProgressCliTest : public CliRolesTest {
 protected:
  static bool Has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }
};

TEST_F(ProgressCliTest, ReportsDueSentLateAndMissingReachTheParent) {
  StartCaseload();
  Admin({"set-district", "--report-card-days", "2026-09-11,2026-11-13"});
  MakePlan();
  // Every 2 weeks from 24 August: 7 September, 21 September, ... the last
  // before 31 July 2027 is 7 September + 23 x 14 days (327 days in all):
  // 24 days. With report cards: 11 September and 13 November. On listed
  // days: 15 September and 15 December. 28 reporting days.
  const std::string writing =
      IdIn(Ok("cm", {"goal", "add", "--area", "Writing", "--description",
                     "Writes a five-sentence paragraph", "--reports",
                     "every-n-weeks", "--report-every-weeks", "2"}));
  const std::string spelling = IdIn(
      Ok("cm", {"goal", "add", "--area", "Spelling", "--description",
                "Spells grade-4 words", "--reports", "with-report-cards"}));
  Ok("cm", {"goal", "add", "--area", "Math", "--description", "Adds fractions",
            "--reports", "on-days", "--report-days", "2026-09-15,2026-12-15"});
  SyncAll({"cm", "slp", "parent"});

  // The provider's report answers the earliest day without one: 7
  // September, sent today, late.
  std::string out = Ok("slp", {"progress", "report", writing, "--summary",
                               "Writes three sentences with support"});
  EXPECT_TRUE(Has(out,
                  "for the reporting day 2026-09-07, sent 2026-09-17 "
                  "(late)"))
      << out;
  Ok("cm", {"progress", "report", spelling, "--due", "2026-09-11", "--sent",
            "2026-09-11", "--summary", "Spells 14 of 20 words"});
  SyncAll({"slp", "cm", "parent"});

  out = Ok("parent", {"progress"});
  EXPECT_TRUE(Has(out,
                  "Progress reports of Maya Diaz, 2026-08-01 to "
                  "2027-07-31: 28 reporting days, 1 missing"))
      << out;
  EXPECT_TRUE(Has(out,
                  "2026-09-07  Writing                  sent LATE, "
                  "2026-09-17"))
      << out;
  EXPECT_TRUE(Has(out, "\"Writes three sentences with support\"")) << out;
  EXPECT_TRUE(Has(out, "2026-09-11  Spelling                 sent 2026-09-11"))
      << out;
  EXPECT_TRUE(Has(out,
                  "2026-09-15  Math                     MISSING: no "
                  "report recorded"))
      << out;
  EXPECT_TRUE(Has(out, "2026-09-21  Writing                  due in 4 days"))
      << out;
  EXPECT_TRUE(Has(out, "2026-11-13  Spelling")) << out;
  const auto json = Json(Ok("parent", {"progress", "--json"}));
  EXPECT_EQ(Field(json, "reporting_days").list_value().values_size(), 28);
}

TEST_F(ProgressCliTest, BadSchedulesAndReportsAreRefusedWithNothingStored) {
  StartCaseload();
  MakePlan();
  ExpectRefused("cm",
                {"goal", "add", "--area", "W", "--description", "d",
                 "--reports", "every-n-weeks"},
                "--reports every-n-weeks needs --report-every-weeks N");
  ExpectRefused("cm",
                {"goal", "add", "--area", "W", "--description", "d",
                 "--reports", "on-days", "--report-days", "2026-13-01"},
                "Goal.report_days must be ISO 8601 days (YYYY-MM-DD) joined "
                "by commas");
  ExpectRefused("cm",
                {"goal", "add", "--area", "W", "--description", "d",
                 "--reports", "quarterly", "--report-every-weeks", "3"},
                "--report-every-weeks goes with --reports every-n-weeks");
  ExpectRefused("cm",
                {"goal", "add", "--area", "W", "--description", "d",
                 "--reports", "monthly"},
                "--reports");
  // The plan's goal states no schedule.
  ExpectRefused("cm", {"progress", "report", goal_, "--summary", "x"},
                "it states no schedule (plansync goal add --reports)");
  const std::string quarterly =
      IdIn(Ok("cm", {"goal", "add", "--area", "W", "--description", "d",
                     "--reports", "quarterly"}));
  // Quarterly from 24 August: 24 November, 24 February, ...
  ExpectRefused("cm",
                {"progress", "report", quarterly, "--due", "2026-11-23",
                 "--summary", "x"},
                "2026-11-23 is not a reporting day of this goal; its "
                "reporting days are 2026-11-24, 2027-02-24, 2027-05-24");
  SyncAll({"cm", "parent", "teacher"});
  ExpectRefused("parent", {"progress", "report", quarterly, "--summary", "x"},
                "you are not");
  ExpectRefused("teacher", {"progress", "report", quarterly, "--summary", "x"},
                "you are not");
  ExpectRefused("cm",
                {"progress", "report", quarterly, "--summary", "x", "--sent",
                 "2026-09-18"},
                "--sent 2026-09-18 is after today, 2026-09-17");
}

}  // namespace
}  // namespace plansync
