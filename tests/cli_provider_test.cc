// The provider's `plansync session` through the real binaries: sessions
// delivered and missed, make-ups of missed sessions, and the refusals that
// keep the minutes record honest.
#include <string>

#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/cli_roles_fixture.h"

namespace plansync {
namespace {

using testing::CliRolesTest;

class ProviderCliTest : public CliRolesTest {};

TEST_F(ProviderCliTest, SessionsAndMakeUpsReachTheParent) {
  StartCaseload();
  MakePlan();
  const std::string delivered =
      IdIn(Ok("slp", {"session", "--service", "speech", "--minutes", "30",
                      "--outcome", "delivered", "--day", "2026-09-15", "--note",
                      "Articulation drills"}));
  const std::string missed_out =
      Ok("slp", {"session", "--service", "Speech-language therapy", "--outcome",
                 "student-absent", "--day", "2026-09-16"});
  const std::string missed = IdIn(missed_out);
  EXPECT_NE(missed_out.find("for Maya Diaz on Wednesday 2026-09-16: student "
                            "absent."),
            std::string::npos)
      << missed_out;
  EXPECT_NE(missed_out.find("--makeup-of " + missed), std::string::npos);
  const std::string make_up_out =
      Ok("slp", {"session", "--service", speech_, "--minutes", "30",
                 "--outcome", "make-up", "--makeup-of", missed});
  const std::string make_up = IdIn(make_up_out);
  EXPECT_NE(make_up_out.find("make-up, 30 minutes (making up the session of "
                             "Wednesday 2026-09-16, student absent)"),
            std::string::npos)
      << make_up_out;
  Ok("slp", {"session", "--service", "speech", "--outcome", "cancelled",
             "--day", "2026-09-14"});

  auto sessions = Records<v1::ServiceSession>("slp");
  ASSERT_EQ(sessions.size(), 4u);
  for (const auto& s : sessions) {
    EXPECT_EQ(s.service_id(), speech_);
    EXPECT_EQ(s.author_id(), slp_);
    if (s.id() == delivered) {
      EXPECT_EQ(s.minutes_delivered(), 30);
      EXPECT_EQ(s.outcome(), v1::SESSION_OUTCOME_DELIVERED);
      EXPECT_EQ(s.note(), "Articulation drills");
    } else if (s.id() == missed) {
      EXPECT_EQ(s.minutes_delivered(), 0);
      EXPECT_EQ(s.outcome(), v1::SESSION_OUTCOME_STUDENT_ABSENT);
    } else if (s.id() == make_up) {
      EXPECT_EQ(s.outcome(), v1::SESSION_OUTCOME_MAKE_UP);
      EXPECT_EQ(s.makeup_of_session_id(), missed);
      EXPECT_EQ(s.day(), kToday);
    } else {
      EXPECT_EQ(s.outcome(), v1::SESSION_OUTCOME_CANCELLED_SCHOOL_EVENT);
    }
  }
  SyncAll({"slp", "parent"});
  const std::string history = Ok("parent", {"history"});
  EXPECT_NE(history.find("\"Speech-language therapy\": delivered, 30 minutes, "
                         "by Ms. Park"),
            std::string::npos)
      << history;
  EXPECT_NE(history.find("makes up the session of 2026-09-16"),
            std::string::npos)
      << history;
  EXPECT_NE(history.find("cancelled for a school event, 0 minutes"),
            std::string::npos)
      << history;
}

TEST_F(ProviderCliTest, MakeUpNeedsAMissedSessionOfTheSameService) {
  StartCaseload();
  MakePlan();
  const std::string delivered =
      IdIn(Ok("slp", {"session", "--service", "speech", "--minutes", "30",
                      "--outcome", "delivered", "--day", "2026-09-15"}));
  const std::string missed =
      IdIn(Ok("slp", {"session", "--service", "speech", "--outcome",
                      "provider-absent", "--day", "2026-09-16"}));
  // A second service, and a missed session of it.
  Ok("cm", {"service", "add", "--type", "Occupational therapy", "--category",
            "related-service", "--minutes", "30", "--per", "month"});
  SyncAll({"cm", "slp"});
  const std::string ot_missed =
      IdIn(Ok("slp", {"session", "--service", "occupational", "--outcome",
                      "student-absent", "--day", "2026-09-16"}));

  ExpectRefused("slp",
                {"session", "--service", "speech", "--minutes", "30",
                 "--outcome", "make-up"},
                "a make-up needs --makeup-of SESSION_ID");
  ExpectRefused("slp",
                {"session", "--service", "speech", "--minutes", "30",
                 "--outcome", "make-up", "--makeup-of", delivered},
                "was delivered, not missed");
  ExpectRefused("slp",
                {"session", "--service", "speech", "--minutes", "30",
                 "--outcome", "make-up", "--makeup-of", ot_missed},
                "was a session of another service (\"Occupational "
                "therapy\")");
  ExpectRefused(
      "slp",
      {"session", "--service", "speech", "--minutes", "30", "--outcome",
       "make-up", "--makeup-of", "01900000-0000-7000-8000-000000000000"},
      "there is no session 01900000-0000-7000-8000-000000000000");
  ExpectRefused(
      "slp",
      {"session", "--service", "speech", "--minutes", "30", "--outcome",
       "make-up", "--makeup-of", missed, "--day", "2026-09-15"},
      "a make-up comes after the session it makes up");
  Ok("slp", {"session", "--service", "speech", "--minutes", "30", "--outcome",
             "make-up", "--makeup-of", missed});
  ExpectRefused("slp",
                {"session", "--service", "speech", "--minutes", "30",
                 "--outcome", "make-up", "--makeup-of", missed},
                "was already made up by session");
  ExpectRefused("slp",
                {"session", "--service", "speech", "--minutes", "30",
                 "--outcome", "delivered", "--makeup-of", missed},
                "--makeup-of goes with --outcome make-up");
  ExpectRefused("slp",
                {"session", "--service", "speech", "--outcome", "delivered"},
                "a delivered session needs --minutes N");
  ExpectRefused("slp",
                {"session", "--service", "speech", "--minutes", "20",
                 "--outcome", "student-absent"},
                "delivered no minutes; leave --minutes out");
  ExpectRefused("slp",
                {"session", "--service", "speech", "--minutes", "many",
                 "--outcome", "delivered"},
                "--minutes takes a whole number from 0 to 600");
  ExpectRefused("slp",
                {"session", "--service", "speech", "--minutes", "30",
                 "--outcome", "sort-of"},
                "--outcome: \"sort-of\" is not one of delivered, "
                "student-absent");
  ExpectRefused("slp",
                {"session", "--service", "Physical therapy", "--minutes", "30",
                 "--outcome", "delivered"},
                "no service \"Physical therapy\"");
  ExpectRefused("slp", {"session", "--minutes", "30", "--outcome", "delivered"},
                "plansync session needs --service S");
  // A teacher logs no sessions.
  ExpectRefused("teacher",
                {"session", "--service", "speech", "--minutes", "30",
                 "--outcome", "delivered"},
                "you are not the provider or case manager of any student");
}

}  // namespace
}  // namespace plansync
