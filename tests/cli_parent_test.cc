// The parent's commands through the real binaries: `plansync lapse`,
// `plansync plan` and `plansync history`, with a real server carrying the
// lapse to the case manager and the school's records back to the parent.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <regex>
#include <string>

#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/cli_roles_fixture.h"

namespace plansync {
namespace {

using testing::CliResult;
using testing::CliRolesTest;

class ParentCliTest : public CliRolesTest {};

TEST_F(ParentCliTest, LapseReachesTheCaseManagerWhoResponds) {
  StartCaseload();
  MakePlan();
  // Offline on the phone: the accommodation by a part of its title, today
  // by default, the class as the parent knows it.
  const std::string out =
      Ok("parent", {"lapse", "--accommodation", "extended", "--what",
                    "The quiz was collected at the bell", "--class", "math"});
  const std::string lapse = IdIn(out);
  EXPECT_NE(out.find("Recorded lapse report " + lapse), std::string::npos)
      << out;
  EXPECT_NE(out.find("\"Extended time (1.5x)\" was not provided to Maya Diaz "
                     "on Thursday 2026-09-17 in math"),
            std::string::npos)
      << out;
  auto reports = Records<v1::LapseReport>("parent");
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].id(), lapse);
  EXPECT_EQ(reports[0].accommodation_id(), extended_time_);
  EXPECT_EQ(reports[0].day(), kToday);
  EXPECT_EQ(reports[0].author_id(), parent_);
  EXPECT_EQ(reports[0].what_happened(), "The quiz was collected at the bell");

  // A service lapse on an earlier day.
  const std::string service_lapse =
      IdIn(Ok("parent", {"lapse", "--service", "speech", "--day", "2026-09-14",
                         "--what", "No speech session on Monday"}));
  SyncAll({"parent", "cm"});
  auto received = Records<v1::LapseReport>("cm");
  ASSERT_EQ(received.size(), 2u);

  // The case manager responds twice; the parent sees both, in order.
  const std::string first =
      Ok("cm", {"respond", lapse, "--status", "investigating", "--note",
                "Checking with Mr. Lee"});
  EXPECT_NE(first.find("to lapse report " + lapse + ": investigating"),
            std::string::npos)
      << first;
  Ok("cm", {"respond", lapse, "--status", "resolved", "--remedy", "make-up",
            "--note", "Retake with extended time on Friday"});
  auto responses = Records<v1::LapseResponse>("cm");
  ASSERT_EQ(responses.size(), 2u);
  SyncAll({"cm", "parent"});

  const std::string history = Ok("parent", {"history"});
  EXPECT_NE(history.find("History of Maya Diaz from 2026-08-01 to 2026-09-17"),
            std::string::npos)
      << history;
  EXPECT_NE(history.find("response: investigating by Ms. Okafor"),
            std::string::npos)
      << history;
  EXPECT_NE(history.find("response: resolved (remedy: make up) by Ms. Okafor"),
            std::string::npos)
      << history;
  EXPECT_LT(history.find("investigating"), history.find("resolved"));
  EXPECT_NE(history.find("\"Speech-language therapy\": \"No speech session on "
                         "Monday\""),
            std::string::npos)
      << history;
  EXPECT_LT(history.find("Monday 2026-09-14"),
            history.find("Thursday 2026-09-17"));
  EXPECT_NE(history.find("no response yet"), std::string::npos) << history;

  const auto json = Json(Ok("parent", {"history", "--json"}));
  EXPECT_EQ(Field(json, "student_id").string_value(), Student());
  const auto& entries = Field(json, "entries").list_value();
  ASSERT_EQ(entries.values_size(), 2);
  const auto& service_entry = entries.values(0).struct_value();
  EXPECT_EQ(Field(service_entry, "kind").string_value(), "lapse");
  EXPECT_EQ(
      Field(Field(service_entry, "record").struct_value(), "id").string_value(),
      service_lapse);
  const auto& record = Field(entries.values(1).struct_value(), "record");
  EXPECT_EQ(Field(record.struct_value(), "id").string_value(), lapse);
  EXPECT_EQ(Field(record.struct_value(), "subject").string_value(),
            "Extended time (1.5x)");
  const auto& json_responses =
      Field(record.struct_value(), "responses").list_value();
  ASSERT_EQ(json_responses.values_size(), 2);
  EXPECT_EQ(
      Field(json_responses.values(1).struct_value(), "remedy").string_value(),
      "REMEDY_MAKE_UP");
  EXPECT_EQ(Field(json_responses.values(0).struct_value(), "author_name")
                .string_value(),
            "Ms. Okafor");
}

TEST_F(ParentCliTest, TeachersConfirmationsReachTheParentsHistory) {
  StartCaseload();
  MakePlan();
  // A quiz that day: the tests-only accommodation is due too.
  Ok("teacher", {"test", "--class", "Period 2 Math", "--day", "2026-09-16"});
  Ok("teacher", {"confirm", "--all", "--status", "provided", "--note",
                 "Unit 2 quiz", "--day", "2026-09-16"});
  Ok("teacher",
     {"confirm", "--accommodation", "seating", "--status", "declined"});
  SyncAll({"teacher", "parent"});
  const std::string history = Ok("parent", {"history"});
  EXPECT_NE(history.find("Wednesday 2026-09-16"), std::string::npos);
  EXPECT_NE(history.find("\"Extended time (1.5x)\": provided, Period 2 Math, "
                         "by Mr. Lee"),
            std::string::npos)
      << history;
  EXPECT_NE(history.find("note: \"Unit 2 quiz\""), std::string::npos);
  EXPECT_NE(history.find("\"Preferential seating\": offered and declined, "
                         "Period 2 Math, by Mr. Lee"),
            std::string::npos)
      << history;
  // The window: only the 17th.
  const auto json =
      Json(Ok("parent", {"history", "--from", "2026-09-17", "--json"}));
  const auto& entries = Field(json, "entries").list_value();
  ASSERT_EQ(entries.values_size(), 1);
  const auto& entry = entries.values(0).struct_value();
  EXPECT_EQ(Field(entry, "kind").string_value(), "confirmation");
  EXPECT_EQ(Field(entry, "author_name").string_value(), "Mr. Lee");
  EXPECT_EQ(
      Field(Field(entry, "record").struct_value(), "status").string_value(),
      "CONFIRMATION_STATUS_OFFERED_AND_DECLINED");
  ExpectRefused("parent",
                {"history", "--from", "2026-09-18", "--to", "2026-09-17"},
                "--from 2026-09-18 is after --to 2026-09-17");
}

TEST_F(ParentCliTest, PlanShowsThePlanInEffectInPlainWords) {
  StartCaseload();
  MakePlan();
  const std::string plan = Ok("parent", {"plan"});
  for (const std::string& line :
       {"Maya Diaz: IEP, version 1 (active), US-MO; plan " + plan_,
        std::string("in effect from 2026-08-24 to 2027-08-23"),
        std::string("annual review due: 2027-08-23"),
        std::string("case manager: Ms. Okafor"),
        std::string("- Extended time (1.5x): timing and scheduling "
                    "accommodation, on tests only"),
        std::string("- Preferential seating: setting accommodation, in all "
                    "classes"),
        std::string("- Speech-language therapy: 60 minutes per week, group"),
        std::string("- Reading fluency: Reads grade-5 text aloud at 110 "
                    "wcpm")}) {
    EXPECT_NE(plan.find(line), std::string::npos) << line << "\n" << plan;
  }
  const auto json = Json(Ok("parent", {"plan", "--json"}));
  EXPECT_EQ(Field(Field(json, "plan").struct_value(), "id").string_value(),
            plan_);
  EXPECT_EQ(Field(json, "case_manager_name").string_value(), "Ms. Okafor");
  const auto& accommodations = Field(json, "accommodations").list_value();
  ASSERT_EQ(accommodations.values_size(), 2);
  EXPECT_EQ(
      Field(accommodations.values(0).struct_value(), "where").string_value(),
      "on tests only");
  const auto& services = Field(json, "services").list_value();
  ASSERT_EQ(services.values_size(), 1);
  EXPECT_EQ(Field(services.values(0).struct_value(), "minutes").string_value(),
            "60 minutes per week");
  EXPECT_EQ(Field(json, "goals").list_value().values_size(), 1);
  // Before the plan started there was none in effect.
  EXPECT_NE(Ok("parent", {"plan", "--day", "2026-08-01"})
                .find("Maya Diaz has no plan in effect on Saturday 2026-08-01"),
            std::string::npos);
}

TEST_F(ParentCliTest, BadLapsesAreRefusedWithNothingStored) {
  StartCaseload();
  MakePlan();
  ExpectRefused("parent",
                {"lapse", "--accommodation", "Read aloud", "--what", "x"},
                "no accommodation \"Read aloud\" in Maya Diaz's IEP; the "
                "accommodations are: \"Extended time (1.5x)\", "
                "\"Preferential seating\"");
  ExpectRefused("parent", {"lapse", "--accommodation", "t", "--what", "x"},
                "\"t\" could be any of");
  ExpectRefused("parent",
                {"lapse", "--accommodation", "extended", "--what", "x", "--day",
                 "2026-02-30"},
                "--day: \"2026-02-30\" is not a day");
  ExpectRefused("parent",
                {"lapse", "--accommodation", "extended", "--what", "x", "--day",
                 "17/09/2026"},
                "is not a day; write it as YYYY-MM-DD");
  ExpectRefused("parent",
                {"lapse", "--accommodation", "extended", "--what", "x", "--day",
                 "2026-09-18"},
                "--day 2026-09-18 is after today, 2026-09-17");
  ExpectRefused("parent", {"lapse", "--what", "x"},
                "--accommodation A or --service S");
  ExpectRefused("parent",
                {"lapse", "--accommodation", "extended", "--service", "speech",
                 "--what", "x"},
                "--accommodation A or --service S");
  ExpectRefused("parent", {"lapse", "--accommodation", "extended"},
                "plansync lapse needs --what TEXT");
  ExpectRefused("parent",
                {"lapse", "--accommodation", "extended", "--what", "x",
                 "--student", "Jonah"},
                "no student \"Jonah\" of yours");
  ExpectRefused("parent",
                {"lapse", "--accommodation", "extended", "--what",
                 std::string(4001, 'x')},
                "LapseReport.what_happened");
  ExpectRefused("parent", {"lapse", "--colour", "red"},
                "plansync lapse takes no option --colour");
  // Only a guardian reports lapses.
  ExpectRefused("teacher",
                {"lapse", "--accommodation", "extended", "--what", "x"},
                "you are not the guardian of any student");
  // Today from the environment must be a day.
  setenv("PLANSYNC_TODAY", "tomorrow", 1);
  ExpectRefused("parent",
                {"lapse", "--accommodation", "extended", "--what", "x"},
                "PLANSYNC_TODAY=tomorrow is not a day");
}

}  // namespace
TEST_F(ParentCliTest, WritesHerRoleMayNotMakeAreRefusedOnHerPhone) {
  StartCaseload();
  MakePlan();  // synced to every device
  // The server's reason and message, at once; nothing stored or queued
  // (ExpectRefused compares the content hash and the pending count).
  ExpectRefused("parent",
                {"set", "Accommodation", extended_time_, "title=Nothing"},
                "a guardian may not change Accommodation records");
  const CliResult set = Cli("parent", {"set", "Plan", plan_, "status=draft"});
  EXPECT_NE(set.exit_code, 0);
  EXPECT_NE(set.err.find("ROLE_NOT_PERMITTED"), std::string::npos) << set.err;
  ExpectRefused("parent",
                {"add", "SchoolHoliday", "day=2026-11-26", "name=Thanksgiving"},
                "a guardian may not change SchoolHoliday records");
  // A teacher may not add sessions; a provider may.
  ExpectRefused("teacher",
                {"add", "Goal", "student_id=" + Student(), "plan_id=" + plan_,
                 "area=Reading", "description=Reads 90 words a minute"},
                "a teacher may not change Goal records");
  // What her role allows goes through, and nothing is refused at sync.
  Ok("parent", {"lapse", "--accommodation", "extended", "--what",
                "No extended time on the quiz"});
  const std::string sync = Ok("parent", {"sync"});
  EXPECT_NE(sync.find("refused 0"), std::string::npos) << sync;
  EXPECT_EQ(Ok("parent", {"rejected"}).find("Accommodation"),
            std::string::npos);
}

TEST_F(ParentCliTest, ADeviceThatNeverSyncedLeavesTheRoleCheckToTheServer) {
  StartCaseload();
  MakePlan();
  // A second phone of the parent, initialized but never synced: it does not
  // know her roles, so the write is kept and the server refuses it.
  Init("phone2", parent_, *server_);
  Ok("phone2", {"add", "SchoolHoliday", "day=2026-11-26", "name=Thanksgiving"});
  const std::string sync = Ok("phone2", {"sync"});
  // Its two field writes (day, name), each refused.
  EXPECT_NE(sync.find("pushed 0, refused 2"), std::string::npos) << sync;
  EXPECT_NE(sync.find("a guardian may not change SchoolHoliday records "
                      "(ROLE_NOT_PERMITTED)"),
            std::string::npos)
      << sync;
}

TEST_F(ParentCliTest, SyncSaysWhatToDoWhenTheServerIsDownOrTheTokenIsRefused) {
  StartCaseload();
  MakePlan();
  Ok("parent", {"lapse", "--accommodation", "extended", "--what",
                "No extended time on the quiz"});
  // The lapse is pushed, and its receipt says it landed: the pull that
  // follows brings the others' changes (the access log of the staff's pulls)
  // and not the lapse back.
  const std::string synced = Ok("parent", {"sync"});
  EXPECT_TRUE(std::regex_search(
      synced, std::regex("synced: pushed 1, refused 0, pulled [0-9]+\n")))
      << synced;
  EXPECT_EQ(synced.find("of this device's own"), std::string::npos) << synced;
  EXPECT_NE(Ok("parent", {"status"})
                .find("pending       0 changes to 0 "
                      "records"),
            std::string::npos);
  Ok("parent", {"lapse", "--accommodation", "seating", "--what",
                "Seated at the back again"});
  EXPECT_NE(Ok("parent", {"status"})
                .find("pending       1 change to 1 "
                      "record"),
            std::string::npos);

  // The server is down: what happened, and that nothing is lost.
  const int port = server_->port();
  const std::string address = server_->address();
  server_.reset();
  const CliResult down = Cli("parent", {"sync"});
  EXPECT_NE(down.exit_code, 0);
  EXPECT_NE(down.err.find("could not reach the server at " + address +
                          " (it may be down, or this device offline); your 1 "
                          "change to 1 record is kept on this device and "
                          "will be sent at the next sync"),
            std::string::npos)
      << down.err;
  EXPECT_EQ(down.err.find("failed to connect"), std::string::npos) << down.err;

  // Back up, with the parent's token revoked: what to do next.
  server_ = std::make_unique<testing::ServerProcess>(Db("server"), Log(), port);
  const std::string listed = Admin({"list-tokens", "--user", parent_});
  Admin({"revoke-token", "--token-id", listed.substr(0, listed.find(' '))});
  const CliResult revoked = Cli("parent", {"sync"});
  EXPECT_NE(revoked.exit_code, 0);
  for (const std::string& part :
       {std::string("the server does not accept this device's token"),
        std::string("ask the district administrator for a new token "
                    "(plansync-server admin issue-token), then run plansync "
                    "init"),
        std::string("your 1 change to 1 record is kept")}) {
    EXPECT_NE(revoked.err.find(part), std::string::npos) << revoked.err;
  }
  // A token file that holds no token says the same.
  {
    std::FILE* file = std::fopen(dir_.File("parent.token").c_str(), "w");
    ASSERT_NE(file, nullptr);
    std::fputs("xyz pdq\n", file);
    std::fclose(file);
  }
  const CliResult malformed = Cli("parent", {"sync"});
  EXPECT_NE(malformed.exit_code, 0);
  EXPECT_NE(malformed.err.find("ask the district administrator for a new "
                               "token"),
            std::string::npos)
      << malformed.err;
  EXPECT_EQ(malformed.err.find("xyz pdq"), std::string::npos) << malformed.err;
  // A new token, and the kept lapse goes.
  Init("parent", parent_, *server_);
  EXPECT_NE(Ok("parent", {"sync"}).find("pushed 1, refused 0"),
            std::string::npos);
}

// What the case manager reads gives her ids to act on, and a part of an id
// (8 characters or more, as long as it names one record) does.
TEST_F(ParentCliTest, TheCaseManagerActsOnIdsTheReportShowsOrAPartOfThem) {
  StartCaseload();
  MakePlan();
  const std::string first = IdIn(
      Ok("parent", {"lapse", "--accommodation", "extended", "--what", "Quiz"}));
  const std::string second = IdIn(Ok(
      "parent", {"lapse", "--accommodation", "seating", "--what", "Back row"}));
  SyncAll({"parent", "cm"});
  // The report, by the student's name, shows both lapse ids.
  const std::string report =
      Ok("cm", {"report", "concerns", "--student", "Maya"});
  EXPECT_NE(report.find(first), std::string::npos) << report;
  EXPECT_NE(report.find(second), std::string::npos) << report;
  // The shortest part that tells them apart (at least 8 characters).
  size_t common = 0;
  while (first[common] == second[common]) ++common;
  const std::string part = first.substr(0, std::max<size_t>(8, common + 1));
  const std::string responded =
      Ok("cm", {"respond", part, "--status", "investigating"});
  EXPECT_NE(responded.find("to lapse report " + first), std::string::npos)
      << responded;
  // A part both ids share is refused, naming them; one too short is no id.
  if (common >= 8) {
    ExpectRefused(
        "cm", {"respond", first.substr(0, common), "--status", "investigating"},
        "could be any of several LapseReport records (" +
            std::min(first, second) + ", " + std::max(first, second) +
            "); give more of its characters");
  }
  ExpectRefused("cm",
                {"respond", first.substr(0, 7), "--status", "investigating"},
                "there is no lapse report " + first.substr(0, 7));
}

// A parent of two children sees both without naming one.
TEST_F(ParentCliTest, APlanAndHistoryShowEachOfHerChildren) {
  StartCaseload();
  MakePlan();
  const std::string leo =
      Admin({"add-student", "--given", "Leo", "--family", "Diaz", "--school",
             "Lincoln", "--grade", "2"});
  Admin({"assign", "--user", parent_, "--student", leo, "--role", "guardian"});
  Ok("parent", {"sync"});
  const std::string plan = Ok("parent", {"plan"});
  EXPECT_NE(plan.find("Maya Diaz: IEP"), std::string::npos) << plan;
  EXPECT_NE(plan.find("Leo Diaz has no plan in effect"), std::string::npos)
      << plan;
  const std::string history = Ok("parent", {"history"});
  EXPECT_NE(history.find("History of Maya Diaz"), std::string::npos) << history;
  EXPECT_NE(history.find("History of Leo Diaz"), std::string::npos) << history;
  const std::string json = Ok("parent", {"plan", "--json"});
  EXPECT_NE(json.find("\"students\": ["), std::string::npos) << json;
  EXPECT_NE(json.find("\"name\": \"Leo Diaz\""), std::string::npos) << json;
  // One named: that one alone, in the one-student shape.
  const std::string one = Ok("parent", {"plan", "--student", "Leo", "--json"});
  EXPECT_EQ(one.find("\"students\""), std::string::npos) << one;
  EXPECT_NE(one.find("\"name\": \"Leo Diaz\""), std::string::npos) << one;
}

}  // namespace plansync
