// `plansync correct` through the real binaries and a real server: a provider
// corrects her own session, the case manager a teacher's confirmation, the
// views show the corrected values with their trail, and nobody replaces
// another's entry — refused on the device, and by the server when a
// correction is forged with the generic `append`.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/cli_roles_fixture.h"

namespace plansync::testing {
namespace {

class CorrectCliTest : public CliRolesTest {
 protected:
  void ExpectRefused(const std::string& device, std::vector<std::string> args,
                     const std::string& message) {
    const auto before = Records<v1::Correction>(device).size();
    CliResult result = Cli(device, std::move(args));
    EXPECT_NE(result.exit_code, 0) << result.out;
    EXPECT_NE(result.err.find(message), std::string::npos) << result.err;
    EXPECT_EQ(Records<v1::Correction>(device).size(), before);
  }
};

TEST_F(CorrectCliTest, TheAuthorCorrectsAndEveryViewShowsTheCorrectedValue) {
  StartCaseload();
  MakePlan();
  const std::string session =
      IdIn(Ok("slp", {"session", "--service", "speech", "--minutes", "300",
                      "--outcome", "delivered"}));
  const std::string out = Ok("slp", {"correct", session, "--minutes", "30",
                                     "--why", "typed 300 for 30"});
  EXPECT_NE(out.find("minutes_delivered: 300 -> 30"), std::string::npos) << out;
  const auto corrections = Records<v1::Correction>("slp");
  ASSERT_EQ(corrections.size(), 1u);
  EXPECT_EQ(corrections[0].corrected_entry_id(), session);
  EXPECT_EQ(corrections[0].corrected_entry_type(),
            "plansync.v1.ServiceSession");
  EXPECT_EQ(corrections[0].field_name(), "minutes_delivered");
  EXPECT_EQ(corrections[0].corrected_value(), "30");
  // The session itself is unchanged.
  EXPECT_EQ(Records<v1::ServiceSession>("slp")[0].minutes_delivered(), 300);
  SyncAll({"slp", "parent", "cm"});

  const std::string history = Ok("parent", {"history"});
  EXPECT_NE(history.find("delivered, 30 minutes"), std::string::npos)
      << history;
  EXPECT_NE(history.find("corrected minutes_delivered to \"30\""),
            std::string::npos)
      << history;
  EXPECT_NE(history.find("by Ms. Park: \"typed 300 for 30\""),
            std::string::npos)
      << history;
  const std::string report =
      Ok("cm", {"report", "services", "--from", "2026-09-14", "--json"});
  EXPECT_NE(report.find("\"delivered_minutes\": 30"), std::string::npos)
      << report;
  EXPECT_EQ(report.find("\"delivered_minutes\": 300"), std::string::npos)
      << report;
}

TEST_F(CorrectCliTest, NobodyReplacesAnotherUsersEntry) {
  StartCaseload();
  MakePlan();
  const std::string lapse =
      IdIn(Ok("parent", {"lapse", "--accommodation", "seating", "--what",
                         "Moved to the back row"}));
  Ok("teacher",
     {"confirm", "--accommodation", "seating", "--status", "provided"});
  const std::string confirmation =
      Records<v1::ImplementationConfirmation>("teacher")[0].id();
  SyncAll({"parent", "teacher", "cm", "parent"});

  // A parent's own words are answered, not replaced.
  ExpectRefused("cm", {"correct", lapse, "--day", "2026-09-16", "--why", "x"},
                "LapseReport entries are corrected only by their author");
  // A parent does not correct the teacher's confirmation ...
  ExpectRefused("parent",
                {"correct", confirmation, "--status", "not-provided", "--why",
                 "he did not"},
                "ImplementationConfirmation entries are corrected by their "
                "author or the student's case manager");
  // ... not even by forging the record: the server refuses it.
  Ok("parent",
     {"append", "Correction", "student_id=" + Student(),
      "corrected_entry_id=" + confirmation,
      "corrected_entry_type=plansync.v1.ImplementationConfirmation",
      "field_name=status", "corrected_value=CONFIRMATION_STATUS_NOT_PROVIDED",
      "reason=he did not"});
  const std::string sync = Ok("parent", {"sync"});
  EXPECT_NE(sync.find("refused 1"), std::string::npos) << sync;
  const std::string rejected = Ok("parent", {"rejected"});
  EXPECT_NE(rejected.find("NOT_ENTRY_AUTHOR"), std::string::npos) << rejected;
  // The case manager may correct a teacher's confirmation.
  Ok("cm", {"correct", confirmation, "--status", "not-applicable", "--why",
            "No occasion: the class watched a film"});
  const std::string cm_sync = Ok("cm", {"sync"});
  EXPECT_NE(cm_sync.find("refused 0"), std::string::npos) << cm_sync;
}

TEST_F(CorrectCliTest, BadCorrectionsAreRefusedWithNothingStored) {
  StartCaseload();
  MakePlan();
  const std::string session =
      IdIn(Ok("slp", {"session", "--service", "speech", "--minutes", "30",
                      "--outcome", "delivered"}));
  ExpectRefused("slp", {"correct", session, "--minutes", "20"},
                "plansync correct needs --why TEXT");
  ExpectRefused("slp",
                {"correct", session, "--status", "provided", "--why", "x"},
                "--status does not apply to a ServiceSession; it takes "
                "--minutes, --outcome, --day, --note, --withdraw");
  ExpectRefused("slp", {"correct", session, "--minutes", "900", "--why", "x"},
                "480");
  ExpectRefused("slp", {"correct", session, "--minutes", "30", "--why", "x"},
                "with values that differ from what it says; nothing recorded");
  ExpectRefused(
      "slp",
      {"correct", session, "--withdraw", "--minutes", "20", "--why", "x"},
      "--withdraw takes the entry back as a whole; give it alone");
  ExpectRefused("slp",
                {"correct", "01900000-0000-7000-8000-000000000000", "--minutes",
                 "20", "--why", "x"},
                "there is no entry 01900000-0000-7000-8000-000000000000");
  ExpectRefused("slp",
                {"correct", session, "--day", "2026-09-30", "--why", "x"},
                "--day 2026-09-30 is after today");
}

}  // namespace
}  // namespace plansync::testing
