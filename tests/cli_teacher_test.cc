// The teacher's commands through the real binaries: `plansync today` and
// `plansync confirm`, offline and through a real server (an amended plan
// reaching the teacher, a confirmation refused at sync).
#include <filesystem>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/cli_roles_fixture.h"

namespace plansync {
namespace {

using testing::CliResult;
using testing::CliRolesTest;
using testing::RunAdmin;
using testing::RunCli;

class TeacherCliTest : public CliRolesTest {};

TEST_F(TeacherCliTest, TodayListsEachClassesAccommodationsAndWhatIConfirmed) {
  StartCaseload();
  // A second student, in another class of the same teacher.
  const std::string jonah = Admin({"add-student", "--given", "Jonah",
                                   "--family", "Park", "--school", "Lincoln"});
  Admin(
      {"assign", "--user", cm_, "--student", jonah, "--role", "case-manager"});
  Admin({"assign", "--user", teacher_, "--student", jonah, "--role", "teacher",
         "--class", "Period 5 Science"});
  MakePlan();
  Ok("cm", {"plan", "create", "--student", "Jonah", "--kind", "504",
            "--jurisdiction", "US-MO"});
  Ok("cm", {"accommodation", "add", "--student", "Jonah", "--title",
            "Movement break every 30 minutes", "--category", "behavioural"});
  SyncAll({"cm", "teacher"});

  Ok("teacher", {"confirm", "--student", "Maya", "--accommodation", "Extended",
                 "--status", "provided"});
  // Without a test recorded, the tests-only accommodation is not due.
  const std::string no_test = Ok("teacher", {"today"});
  EXPECT_NE(no_test.find("not due (tests only; no test recorded for this "
                         "class): Extended time (1.5x)"),
            std::string::npos)
      << no_test;
  EXPECT_NE(no_test.find("2 accommodations, 0 confirmed."), std::string::npos)
      << no_test;
  const std::string test =
      Ok("teacher", {"test", "--class", "period 2 math", "--note", "Quiz"});
  EXPECT_NE(test.find("Recorded a test in Period 2 Math on Thursday "
                      "2026-09-17 for 1 student: Maya Diaz."),
            std::string::npos)
      << test;
  ASSERT_EQ(Records<v1::ClassTest>("teacher").size(), 1u);
  EXPECT_EQ(Records<v1::ClassTest>("teacher")[0].note(), "Quiz");
  const std::string today = Ok("teacher", {"today"});
  for (const char* line :
       {"Thursday 2026-09-17: your students' accommodations",
        "Period 2 Math\n  Maya Diaz (IEP)",
        "provided              Extended time (1.5x) (on tests only)",
        "not confirmed         Preferential seating (in all classes)",
        "Period 5 Science\n  Jonah Park (Section 504 plan)",
        "not confirmed         Movement break every 30 minutes",
        "3 accommodations, 1 confirmed."}) {
    EXPECT_NE(today.find(line), std::string::npos) << line << "\n" << today;
  }
  // Only one class.
  const auto json =
      Json(Ok("teacher", {"today", "--class", "period 2 math", "--json"}));
  EXPECT_EQ(Field(json, "day").string_value(), kToday);
  EXPECT_TRUE(Field(json, "school_day").bool_value());
  const auto& classes = Field(json, "classes").list_value();
  ASSERT_EQ(classes.values_size(), 1);
  const auto& period2 = classes.values(0).struct_value();
  EXPECT_EQ(Field(period2, "class_or_period").string_value(), "Period 2 Math");
  const auto& students = Field(period2, "students").list_value();
  ASSERT_EQ(students.values_size(), 1);
  const auto& maya = students.values(0).struct_value();
  EXPECT_EQ(Field(maya, "student_id").string_value(), Student());
  EXPECT_EQ(Field(maya, "plan_id").string_value(), plan_);
  const auto& accommodations = Field(maya, "accommodations").list_value();
  ASSERT_EQ(accommodations.values_size(), 2);
  const auto& extended = accommodations.values(0).struct_value();
  EXPECT_EQ(Field(extended, "accommodation_id").string_value(), extended_time_);
  EXPECT_TRUE(Field(extended, "confirmed").bool_value());
  EXPECT_EQ(Field(extended, "status").string_value(),
            "CONFIRMATION_STATUS_PROVIDED");
  EXPECT_FALSE(
      Field(accommodations.values(1).struct_value(), "confirmed").bool_value());
  ExpectRefused("teacher", {"today", "--class", "Period 9"},
                "you teach no class \"Period 9\" on 2026-09-17; your "
                "classes: Period 2 Math, Period 5 Science");
}

// One student of the class without a plan in effect does not block the
// class: the others' confirmations are recorded and the skip is said.
TEST_F(TeacherCliTest, ClassWideConfirmationIsNeverBlockedByOneStudent) {
  StartCaseload();
  const std::string jonah = Admin({"add-student", "--given", "Jonah",
                                   "--family", "Park", "--school", "Lincoln"});
  Admin({"assign", "--user", teacher_, "--student", jonah, "--role", "teacher",
         "--class", "Period 2 Math"});
  MakePlan();  // Maya's IEP; Jonah has no plan
  SyncAll({"teacher"});
  const std::string out = Ok("teacher", {"confirm", "--class", "Period 2 Math",
                                         "--all", "--status", "provided"});
  EXPECT_NE(out.find("Recorded 1 confirmation for Thursday 2026-09-17, "
                     "Period 2 Math: provided."),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("skipped Jonah Park has no plan in effect on Thursday "
                     "2026-09-17"),
            std::string::npos)
      << out;
  const auto stored = Records<v1::ImplementationConfirmation>("teacher");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].student_id(), Student());
  // Jonah alone is still refused, with the reason.
  ExpectRefused(
      "teacher",
      {"confirm", "--student", "Jonah", "--all", "--status", "provided"},
      "Jonah Park has no plan in effect on Thursday 2026-09-17");
}

// `admin assign` run twice creates nothing the second time: the student is
// listed once and confirm --all writes each confirmation once.
TEST_F(TeacherCliTest, AssigningTwiceDoesNotDuplicate) {
  StartCaseload();
  MakePlan();
  const auto before = Records<v1::Assignment>("cm").size();
  const CliResult again =
      RunAdmin(Db("server"),
               {"assign", "--user", teacher_, "--student", Student(), "--role",
                "teacher", "--class", "period 2 math"},
               Log());
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("already assigned"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("nothing created"), std::string::npos) << again.err;
  // Another class of the same student is a new assignment.
  const std::string other =
      Admin({"assign", "--user", teacher_, "--student", Student(), "--role",
             "teacher", "--class", "Period 6 Art"});
  EXPECT_NE(other, again.out.substr(0, again.out.find('\n')));
  SyncAll({"cm", "teacher"});
  EXPECT_EQ(Records<v1::Assignment>("cm").size(), before + 1);
  const std::string out = Ok("teacher", {"confirm", "--class", "Period 2 Math",
                                         "--all", "--status", "provided"});
  EXPECT_EQ(Records<v1::ImplementationConfirmation>("teacher").size(), 1u)
      << out;
}

// The district administrator finds ids by name: list-users and
// list-students show every user and student with their ids.
TEST_F(TeacherCliTest, AdminListsUsersAndStudentsWithTheirIds) {
  StartCaseload();
  const CliResult users = RunAdmin(Db("server"), {"list-users"}, Log());
  EXPECT_EQ(users.exit_code, 0) << users.err;
  EXPECT_NE(users.out.find(teacher_ + "  Mr. Lee"), std::string::npos)
      << users.out;
  EXPECT_NE(users.out.find(cm_ + "  Ms. Okafor"), std::string::npos)
      << users.out;
  // By name: Ms. Diaz, Ms. Okafor, Ms. Park after Mr. Lee.
  EXPECT_LT(users.out.find("Mr. Lee"), users.out.find("Ms. Diaz"));
  const CliResult students = RunAdmin(Db("server"), {"list-students"}, Log());
  EXPECT_EQ(students.exit_code, 0) << students.err;
  EXPECT_NE(students.out.find(Student() + "  Maya Diaz  school=Lincoln  "
                                          "grade=5"),
            std::string::npos)
      << students.out;
  // Tokens name their users.
  const CliResult tokens =
      RunAdmin(Db("server"), {"list-tokens", "--user", teacher_}, Log());
  EXPECT_EQ(tokens.exit_code, 0) << tokens.err;
  EXPECT_NE(tokens.out.find("user=" + teacher_ + " (Mr. Lee)"),
            std::string::npos)
      << tokens.out;
}

TEST_F(TeacherCliTest, InitRefusesWhatIsNotTheTokensUser) {
  StartCaseload();
  const auto init = [&](const std::string& user) {
    return RunCli(
        {"--db", Db("tablet"), "init", "--user", user, "--server",
         server_->address(), "--token-file", dir_.File("teacher.token")},
        Log());
  };
  // A name is not a user id: refused before anything is made.
  CliResult named = init("Mr. Lee");
  EXPECT_NE(named.exit_code, 0);
  EXPECT_NE(named.err.find("--user \"Mr. Lee\" is not a user id"),
            std::string::npos)
      << named.err;
  EXPECT_NE(named.err.find("plansync-server admin list-users"),
            std::string::npos)
      << named.err;
  EXPECT_FALSE(std::filesystem::exists(Db("tablet")));
  // Another user's id with the teacher's token: the server says whose it
  // is, and no store is left behind.
  CliResult other = init(parent_);
  EXPECT_NE(other.exit_code, 0);
  EXPECT_NE(other.err.find("the token is user " + teacher_ + "'s, not --user " +
                           parent_ + "'s"),
            std::string::npos)
      << other.err;
  EXPECT_FALSE(std::filesystem::exists(Db("tablet")));
  // The right one (options also take the underscore spelling).
  CliResult right =
      RunCli({"--db", Db("tablet"), "init", "--user", teacher_, "--server",
              server_->address(), "--token_file", dir_.File("teacher.token")},
             Log());
  EXPECT_EQ(right.exit_code, 0) << right.err;
  EXPECT_TRUE(std::filesystem::exists(Db("tablet")));
  EXPECT_EQ(Cli("tablet", {"sync"}).exit_code, 0);
}

TEST_F(TeacherCliTest, TodayIsTheDistrictsDayNotUtcs) {
  StartCaseload();
  unsetenv("PLANSYNC_TODAY");
  // A zone whose day differs from UTC's now: UTC+14 from 10:00 UTC on,
  // UTC-11 before 11:00 UTC.
  const int hour = absl::ToCivilHour(absl::Now(), absl::UTCTimeZone()).hour();
  const std::string name =
      hour >= 11 ? "Pacific/Kiritimati" : "Pacific/Pago_Pago";
  absl::TimeZone zone;
  ASSERT_TRUE(absl::LoadTimeZone(name, &zone));
  const std::string set = Admin({"set-district", "--time-zone", name});
  EXPECT_NE(set.find("time zone " + name), std::string::npos) << set;
  Ok("teacher", {"sync"});
  const auto day_in = [](const absl::TimeZone& z) {
    return absl::FormatCivilTime(absl::ToCivilDay(absl::Now(), z));
  };
  const std::string before = day_in(zone);
  const std::string utc = day_in(absl::UTCTimeZone());
  const std::string out = Ok("teacher", {"today", "--json"});
  const std::string after = day_in(zone);
  EXPECT_NE(before, utc);
  EXPECT_TRUE(out.find("\"day\": \"" + before + "\"") != std::string::npos ||
              out.find("\"day\": \"" + after + "\"") != std::string::npos)
      << out;

  // An unknown zone is refused by the administrator's command; nothing
  // changes.
  const CliResult refused = RunAdmin(
      Db("server"), {"set-district", "--time-zone", "Mars/Olympus"}, Log());
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("\"Mars/Olympus\" is not in this machine's time "
                             "zone database"),
            std::string::npos)
      << refused.err;
  Ok("teacher", {"sync"});
  const std::string again = Ok("teacher", {"today", "--json"});
  const std::string now = day_in(zone);
  EXPECT_TRUE(again.find("\"day\": \"" + after + "\"") != std::string::npos ||
              again.find("\"day\": \"" + now + "\"") != std::string::npos)
      << again;
}

TEST_F(TeacherCliTest, TodaySaysNoSchoolOnWeekendsAndHolidays) {
  StartCaseload();
  MakePlan();
  EXPECT_EQ(Ok("teacher", {"today", "--day", "2026-09-19"}),
            "Saturday 2026-09-19: no school (a Saturday).\n");
  // A holiday at Maya's school, entered by the district on its own device.
  const std::string district =
      Admin({"add-user", "--name", "District office", "--admin"});
  Init("district", district, *server_);
  Ok("district", {"add", "SchoolHoliday", "day=2026-09-16",
                  "name=Teacher workday", "school=Lincoln"});
  Ok("district", {"add", "SchoolHoliday", "day=2026-09-15",
                  "name=Closed at Roosevelt", "school=Roosevelt"});
  SyncAll({"district", "teacher"});
  EXPECT_EQ(Ok("teacher", {"today", "--day", "2026-09-16"}),
            "Wednesday 2026-09-16: no school (Teacher workday).\n");
  const auto json =
      Json(Ok("teacher", {"today", "--day", "2026-09-16", "--json"}));
  EXPECT_FALSE(Field(json, "school_day").bool_value());
  EXPECT_EQ(Field(json, "no_school").string_value(), "Teacher workday");
  // Another school's holiday is a school day at Lincoln.
  EXPECT_NE(
      Ok("teacher", {"today", "--day", "2026-09-15"}).find("Maya Diaz (IEP)"),
      std::string::npos);
  ExpectRefused(
      "teacher",
      {"confirm", "--all", "--status", "provided", "--day", "2026-09-16"},
      "Wednesday 2026-09-16 is not a school day at Lincoln "
      "(Teacher workday); nothing recorded");
}

TEST_F(TeacherCliTest, ConfirmRecordsManyAtOnceOrNone) {
  StartCaseload();
  MakePlan();
  const std::string out =
      Ok("teacher", {"confirm", "--student", "Maya Diaz", "--accommodation",
                     "Extended time (1.5x)", "--accommodation", seating_,
                     "--status", "declined", "--note", "Unit 2 test"});
  EXPECT_NE(out.find("Recorded 2 confirmations for Thursday 2026-09-17, "
                     "Period 2 Math: offered and declined."),
            std::string::npos)
      << out;
  auto stored = Records<v1::ImplementationConfirmation>("teacher");
  ASSERT_EQ(stored.size(), 2u);
  for (const auto& entry : stored) {
    EXPECT_EQ(entry.status(), v1::CONFIRMATION_STATUS_OFFERED_AND_DECLINED);
    EXPECT_EQ(entry.day(), kToday);
    EXPECT_EQ(entry.class_or_period(), "Period 2 Math");
    EXPECT_EQ(entry.note(), "Unit 2 test");
    EXPECT_EQ(entry.author_id(), teacher_);
    EXPECT_NE(out.find("(confirmation " + entry.id() + ")"), std::string::npos);
  }
  // --class --all: every student of the class; other statuses by their
  // words.
  // No test was recorded yesterday: the tests-only accommodation is not
  // among "all".
  Ok("teacher", {"confirm", "--class", "Period 2 Math", "--all", "--status",
                 "not-applicable", "--day", "yesterday"});
  stored = Records<v1::ImplementationConfirmation>("teacher");
  ASSERT_EQ(stored.size(), 3u);
  int not_applicable = 0;
  for (const auto& entry : stored) {
    if (entry.status() == v1::CONFIRMATION_STATUS_NOT_APPLICABLE) {
      EXPECT_EQ(entry.day(), "2026-09-16");
      ++not_applicable;
    }
  }
  EXPECT_EQ(not_applicable, 1);
  // One unknown accommodation among good ones: nothing of it is stored.
  ExpectRefused("teacher",
                {"confirm", "--accommodation", "seating", "--accommodation",
                 "Scribe", "--status", "provided"},
                "no accommodation \"Scribe\"");
}

TEST_F(TeacherCliTest, BadConfirmationsAreRefusedWithNothingStored) {
  StartCaseload();
  MakePlan();
  ExpectRefused("teacher", {"confirm", "--all"},
                "plansync confirm needs --status provided, declined");
  ExpectRefused("teacher", {"confirm", "--all", "--status", "maybe"},
                "--status: \"maybe\" is not one of provided, "
                "offered-and-declined, not-applicable, not-provided");
  ExpectRefused("teacher", {"confirm", "--status", "provided"},
                "--all, or one or more --accommodation A");
  ExpectRefused("teacher",
                {"confirm", "--all", "--accommodation", "seating", "--status",
                 "provided"},
                "(not both)");
  ExpectRefused(
      "teacher",
      {"confirm", "--all", "--status", "provided", "--day", "2026-09-20"},
      "--day 2026-09-20 is after today");
  ExpectRefused(
      "teacher",
      {"confirm", "--all", "--status", "provided", "--day", "2026-09-13"},
      "Sunday 2026-09-13 is not a school day at Lincoln (a Sunday)");
  ExpectRefused(
      "teacher",
      {"confirm", "--all", "--status", "provided", "--day", "Thursday"},
      "--day: \"Thursday\" is not a day");
  ExpectRefused("teacher",
                {"confirm", "--student", "Maya", "--all", "--status",
                 "provided", "--class", "Period 5"},
                "you do not teach Maya Diaz in \"Period 5\"; you teach them "
                "in: Period 2 Math");
  ExpectRefused(
      "teacher",
      {"confirm", "--all", "--status", "provided", "--class", "Period 5"},
      "you teach no student in \"Period 5\" on 2026-09-17");
  ExpectRefused(
      "teacher",
      {"confirm", "--student", "Jonah", "--all", "--status", "provided"},
      "no student \"Jonah\" of yours");
  // The provider holds Maya's records but is not her teacher.
  ExpectRefused("slp", {"confirm", "--all", "--status", "provided"},
                "you are not the teacher of any student");
  EXPECT_TRUE(Records<v1::ImplementationConfirmation>("teacher").empty());
}

TEST_F(TeacherCliTest, PlanAmendReachesTheTeachersToday) {
  StartCaseload();
  MakePlan();
  Ok("teacher", {"confirm", "--all", "--status", "provided"});
  const std::string amended = IdIn(
      Ok("cm", {"plan", "amend", plan_, "--annual-review-due", "2027-09-15"}));
  const std::string reader = IdIn(
      Ok("cm", {"accommodation", "add", "--title", "Read-aloud of tests",
                "--category", "presentation", "--applies-to", "tests-only"}));
  SyncAll({"cm", "teacher"});
  Ok("teacher", {"test", "--class", "Period 2 Math"});
  const auto json = Json(Ok("teacher", {"today", "--json"}));
  const auto& maya =
      Field(Field(json, "classes").list_value().values(0).struct_value(),
            "students")
          .list_value()
          .values(0)
          .struct_value();
  EXPECT_EQ(Field(maya, "plan_id").string_value(), amended);
  const auto& accommodations = Field(maya, "accommodations").list_value();
  ASSERT_EQ(accommodations.values_size(), 3);
  std::vector<std::string> ids;
  for (const auto& value : accommodations.values()) {
    const std::string id =
        Field(value.struct_value(), "accommodation_id").string_value();
    EXPECT_NE(id, extended_time_);
    EXPECT_NE(id, seating_);
    ids.push_back(id);
  }
  EXPECT_NE(std::find(ids.begin(), ids.end(), reader), ids.end());
  const std::string today = Ok("teacher", {"today"});
  EXPECT_NE(today.find("not confirmed         Read-aloud of tests"),
            std::string::npos)
      << today;
  // The confirmation of the new version's accommodations is recorded
  // against them.
  Ok("teacher",
     {"confirm", "--accommodation", "read-aloud", "--status", "provided"});
  bool found = false;
  for (const auto& entry : Records<v1::ImplementationConfirmation>("teacher")) {
    found = found || entry.accommodation_id() == reader;
  }
  EXPECT_TRUE(found);
}

TEST_F(TeacherCliTest, ConfirmingForAStudentNoLongerTheirsIsRefusedAtSync) {
  StartCaseload();
  MakePlan();
  // While the tablet is offline, the teacher leaves Maya's class: the
  // assignment ended yesterday (the server's yesterday).
  const auto assignments = Records<v1::Assignment>("teacher");
  ASSERT_EQ(assignments.size(), 1u);
  const std::string yesterday = absl::FormatTime(
      "%Y-%m-%d", absl::Now() - absl::Hours(24), absl::UTCTimeZone());
  Admin({"end-assignment", "--assignment", assignments[0].id(), "--end",
         yesterday});
  // The tablet does not know yet, and records the confirmations.
  Ok("teacher", {"confirm", "--all", "--status", "provided"});
  ASSERT_EQ(Records<v1::ImplementationConfirmation>("teacher").size(), 1u);
  const CliResult sync = Cli("teacher", {"sync"});
  EXPECT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_NE(sync.out.find("refused 1"), std::string::npos) << sync.out;
  EXPECT_NE(sync.out.find("refused ImplementationConfirmation"),
            std::string::npos)
      << sync.out;
  EXPECT_NE(sync.out.find("not assigned to this student"), std::string::npos)
      << sync.out;
  EXPECT_NE(sync.out.find("(NOT_ASSIGNED)"), std::string::npos) << sync.out;
  EXPECT_NE(sync.out.find("no longer has access to 1 student"),
            std::string::npos)
      << sync.out;
  // The student's records left the tablet, and the server kept nothing.
  EXPECT_TRUE(Records<v1::ImplementationConfirmation>("teacher").empty());
  EXPECT_TRUE(Records<v1::Student>("teacher").empty());
  Ok("cm", {"sync"});
  EXPECT_TRUE(Records<v1::ImplementationConfirmation>("cm").empty());
  EXPECT_NE(Ok("teacher", {"today"}).find("you have no students"),
            std::string::npos);
}

}  // namespace
TEST_F(TeacherCliTest, TodaysHintNamesTheClassAndAnUnknownClassListsThem) {
  StartCaseload();
  MakePlan();
  const std::string today = Ok("teacher", {"today"});
  EXPECT_NE(today.find("Confirm a whole class with: plansync confirm --class "
                       "CLASS --all --status provided"),
            std::string::npos)
      << today;
  ExpectRefused(
      "teacher",
      {"confirm", "--class", "Period 9 Art", "--all", "--status", "provided"},
      "you teach no student in \"Period 9 Art\" on 2026-09-17; "
      "your classes: Period 2 Math; nothing recorded");
  ExpectRefused("teacher", {"today", "--class", "Period 9 Art"},
                "your classes: Period 2 Math");
}

}  // namespace plansync
