// `plansync report` through the real binaries: records made by a case
// manager and a teacher on their own devices, synced through the real
// server, then reported on the case manager's device with the server gone
// (a report needs no network); each bad argument gets its message.
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/file.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "plansync/v1/report.pb.h"
#include "tests/cli_fixture.h"
#include "tests/process_util.h"

namespace plansync {
namespace {

// The id a CLI command printed ("created Plan <id>" or a bare id).
std::string IdOf(const std::string& out) {
  std::string line = out.substr(0, out.find('\n'));
  return line.substr(line.rfind(' ') + 1);
}

class CliReportTest : public testing::CliFixture {
 protected:
  void SetUp() override {
    setenv("PLANSYNC_TODAY", "2026-11-24", 1);
    testing::ServerProcess server(Db("server"), Log());
    student_ = Admin({"add-student", "--given", "Avery", "--family", "Diaz",
                      "--school", "Lincoln"});
    Admin({"add-holiday", "--day", "2026-11-23", "--school", "Lincoln",
           "--name", "Staff day"});
    const std::string manager = Admin({"add-user", "--name", "Ms. Case"});
    Admin({"assign", "--user", manager, "--student", student_, "--role",
           "case-manager"});
    const std::string teacher = Admin({"add-user", "--name", "Ms. Rivera"});
    Admin({"assign", "--user", teacher, "--student", student_, "--role",
           "teacher"});
    Init("manager", manager, server);
    Init("teacher", teacher, server);
    Ok("manager", {"sync"});
    const std::string plan =
        IdOf(Ok("manager", {"add", "Plan", "student_id=" + student_, "kind=iep",
                            "status=active", "version=1", "jurisdiction=US-MO",
                            "start_date=2026-01-15"}));
    accommodation_ = IdOf(Ok(
        "manager", {"add", "Accommodation", "student_id=" + student_,
                    "plan_id=" + plan, "kind=accommodation",
                    "category=timing_and_scheduling", "title=Extended time"}));
    Ok("manager", {"sync"});
    Ok("teacher", {"sync"});
    for (const auto& [day, status] :
         {std::pair{"2026-11-16", "provided"},
          std::pair{"2026-11-17", "provided"},
          std::pair{"2026-11-24", "not_provided"}}) {
      Ok("teacher",
         {"append", "ImplementationConfirmation", "student_id=" + student_,
          "accommodation_id=" + accommodation_, std::string("day=") + day,
          std::string("status=") + status});
    }
    Ok("teacher", {"sync"});
    Ok("manager", {"sync"});
  }  // the server stops here
  void TearDown() override { unsetenv("PLANSYNC_TODAY"); }

  void Init(const std::string& device, const std::string& user,
            const testing::ServerProcess& server) {
    const std::string token_file = dir_.File(device + ".token");
    Admin({"issue-token", "--user", user, "--out", token_file});
    Ok(device, {"init", "--user", user, "--server", server.address(),
                "--token-file", token_file});
  }

  std::string student_, accommodation_;
};

TEST_F(CliReportTest, ReportsOfflineInEveryFormat) {
  // JSON: the matrix over the school days (the 23rd is Lincoln's holiday).
  const std::string json = Ok("manager", {"report", "accommodations", "--from",
                                          "2026-11-16", "--json"});
  v1::AccommodationMatrix matrix;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &matrix).ok())
      << json;
  ASSERT_EQ(matrix.rows_size(), 1);
  EXPECT_EQ(matrix.rows(0).days(), "PP...N");
  EXPECT_EQ(matrix.rows(0).teacher_name(), "Ms. Rivera");
  EXPECT_NEAR(matrix.implementation_rate(), 2.0 / 3, 1e-9);

  // Text by default, with progress on stderr.
  const testing::CliResult text = Cli("manager", {"report"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("Accommodation matrix"), std::string::npos);
  EXPECT_NE(text.out.find("Compliance calendar"), std::string::npos);
  EXPECT_NE(text.err.find("1 students"), std::string::npos) << text.err;

  // CSV.
  const std::string csv =
      Ok("manager", {"report", "services", "--format", "csv"});
  EXPECT_EQ(csv.substr(0, 14), "table,student,");

  // Help, with examples.
  EXPECT_NE(Ok("manager", {"report", "--help"}).find("examples:"),
            std::string::npos);

  // HTML to a file only its owner may read.
  const std::string page = dir_.File("caseload.html");
  const testing::CliResult html =
      Cli("manager", {"report", "--format", "html", "--out", page});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_NE(html.err.find("wrote the html report to " + page),
            std::string::npos)
      << html.err;
  struct stat info;
  ASSERT_EQ(stat(page.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto contents = ReadFileToString(page);
  ASSERT_TRUE(contents.ok());
  EXPECT_NE(contents->find("Case manager's report"), std::string::npos);
}

TEST_F(CliReportTest, RuleBookFromAFileReplacesTheBuiltInOne) {
  const std::string rules = dir_.File("rules.textproto");
  ASSERT_TRUE(WriteOwnerOnlyFile(rules, R"(
    sets { jurisdiction: "US"
      rules { id: "half_year_review" title: "Six-month review"
              anchor: RULE_ANCHOR_PLAN_START amount: 6 unit: RULE_UNIT_MONTHS
              completion: RULE_COMPLETION_MEETING_HELD
              completed_by_meeting: MEETING_TYPE_ANNUAL_REVIEW } })")
                  .ok());
  const std::string json =
      Ok("manager", {"report", "compliance", "--rules", rules, "--json"});
  v1::ComplianceCalendar calendar;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(json, &calendar).ok());
  ASSERT_EQ(calendar.deadlines_size(), 1);
  EXPECT_EQ(calendar.deadlines(0).rule_id(), "half_year_review");
  EXPECT_EQ(calendar.deadlines(0).due_day(), "2026-07-15");
  EXPECT_EQ(calendar.deadlines(0).state(), v1::Deadline::OVERDUE);
}

TEST_F(CliReportTest, BadArgumentsAreRefusedWithTheirReason) {
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string says;
  };
  const std::string missing = dir_.File("missing.textproto");
  const std::string broken = dir_.File("broken.textproto");
  ASSERT_TRUE(WriteOwnerOnlyFile(broken, "sets { jurisdiction: ").ok());
  for (const Case& c : {
           Case{{"report", "grades"}, 2, "unknown report \"grades\""},
           Case{
               {"report", "--format", "pdf"}, 2, "use text, json, csv or html"},
           Case{{"report", "--from", "2026-11-31"},
                2,
                "--from: \"2026-11-31\" is not a day"},
           Case{{"report", "--from", "2026-11-30", "--to", "2026-11-01"},
                2,
                "before it starts"},
           Case{{"report", "--student", "01966f4e-2b7a-7c1e-9d3a-5f0e6a7b8c9d"},
                1,
                "no student \"01966f4e-2b7a-7c1e-9d3a-5f0e6a7b8c9d\" of yours"},
           Case{{"report", "--rules", missing}, 1, "cannot read"},
           Case{{"report", "--rules", broken}, 2, "not a plansync.v1.RuleBook"},
           Case{{"report", "--out"}, 2, "--out needs a value"},
       }) {
    const testing::CliResult result = Cli("manager", c.args);
    EXPECT_EQ(result.exit_code, c.exit_code) << c.args.back() << result.err;
    EXPECT_NE(result.err.find(c.says), std::string::npos)
        << c.args.back() << ": " << result.err;
  }
  setenv("PLANSYNC_TODAY", "tomorrow", 1);
  const testing::CliResult today = Cli("manager", {"report"});
  EXPECT_EQ(today.exit_code, 2);
  EXPECT_NE(today.err.find("PLANSYNC_TODAY=tomorrow is not a day"),
            std::string::npos)
      << today.err;
}

TEST_F(CliReportTest, MalformedHolidayIsRefusedByTheAdminTool) {
  const testing::CliResult result = testing::RunAdmin(
      Db("server"), {"add-holiday", "--day", "2026-11-31"}, Log());
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("2026-11-31"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace plansync
