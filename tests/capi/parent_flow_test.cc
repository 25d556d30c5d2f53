// The C API end to end: a real plansync-server on a loopback port, the case
// manager on the plansync CLI, and the parent's app written in C
// (c_parent_flow.c) on libplansync alone.
#include <cstdio>
#include <string>

#include "core/file.h"
#include "gtest/gtest.h"
#include "tests/cli_fixture.h"
#include "tests/process_util.h"

namespace plansync {
namespace {

using testing::CliResult;
using testing::RunProgram;
using testing::ServerProcess;

class CApiParentFlowTest : public testing::CliFixture {
 protected:
  // The id a CLI "created TYPE ID" line ends with.
  static std::string IdOf(const std::string& out) {
    std::string id = out.substr(out.rfind(' ') + 1);
    return id.substr(0, id.find('\n'));
  }
  // A user holding `role` on `student`, with a token in DEVICE.token.
  std::string AddUser(const std::string& name, const std::string& student,
                      const std::string& role, const std::string& device) {
    const std::string user = Admin({"add-user", "--name", name});
    Admin({"assign", "--user", user, "--student", student, "--role", role});
    Admin({"issue-token", "--user", user, "--label", device, "--out",
           TokenFile(device)});
    return user;
  }
  std::string TokenFile(const std::string& device) {
    return dir_.File(device + ".token");
  }
};

TEST_F(CApiParentFlowTest, ParentAppInCSyncsReadsLogsALapseAndIsRefusedAPlan) {
  ServerProcess server(Db("server"), Log());
  const std::string student =
      Admin({"add-student", "--given", "Maya", "--family", "Diaz"});
  const std::string manager =
      AddUser("Ms. Rivera", student, "case-manager", "manager");
  const std::string parent = AddUser("Mr. Diaz", student, "guardian", "phone");

  // The case manager writes the plan and its accommodation, and syncs.
  Ok("manager", {"init", "--user", manager, "--server", server.address(),
                 "--token-file", TokenFile("manager")});
  Ok("manager", {"sync"});
  const std::string plan =
      IdOf(Ok("manager", {"add", "Plan", "student_id=" + student, "kind=iep",
                          "status=active", "version=1", "jurisdiction=US-MO"}));
  const std::string accommodation = IdOf(
      Ok("manager", {"add", "Accommodation", "student_id=" + student,
                     "plan_id=" + plan, "kind=accommodation",
                     "category=timing_and_scheduling", "title=Extended time"}));
  Ok("manager", {"sync"});

  // The parent's app, in C.
  const CliResult app =
      RunProgram({C_PARENT_FLOW_BIN, Db("phone"), parent, server.address(),
                  TokenFile("phone"), student, plan, accommodation},
                 Log() + ".app");
  EXPECT_EQ(app.exit_code, 0) << app.out << app.err;
  EXPECT_NE(app.out.find("parent flow ok"), std::string::npos) << app.out;
  EXPECT_EQ(app.out.find("FAIL line"), std::string::npos) << app.out;
  EXPECT_NE(app.out.find("ROLE_NOT_PERMITTED"), std::string::npos) << app.out;
  // The token is in no output.
  const std::string token = [&] {
    const std::string text = ReadFileToString(TokenFile("phone")).value();
    return text.substr(0, text.find('\n'));
  }();
  ASSERT_GT(token.size(), 16u);
  EXPECT_EQ(app.out.find(token), std::string::npos);
  EXPECT_EQ(app.err.find(token), std::string::npos);
  const size_t at = app.out.find("\nlapse ");
  ASSERT_NE(at, std::string::npos) << app.out;
  const std::string lapse = app.out.substr(at + 7, 36);

  // The case manager receives the lapse; the plan stayed active everywhere.
  Ok("manager", {"sync"});
  const std::string lapses =
      Ok("manager", {"list", "LapseReport", "student_id=" + student, "--json"});
  EXPECT_NE(lapses.find(lapse), std::string::npos) << lapses;
  EXPECT_NE(lapses.find("No extended time on the quiz"), std::string::npos);
  EXPECT_NE(lapses.find(parent), std::string::npos) << lapses;
  const std::string plan_text = Ok("manager", {"get", "Plan", plan});
  EXPECT_NE(plan_text.find("status=active"), std::string::npos) << plan_text;
  EXPECT_EQ(Ok("phone", {"get", "Plan", plan}), plan_text);
}

TEST_F(CApiParentFlowTest, WrongTokenIsUnauthenticatedAndNothingIsPulled) {
  // The C program's first sync fails: it exits 3 saying why, and the
  // message carries no token.
  ServerProcess server(Db("server"), Log());
  const std::string student =
      Admin({"add-student", "--given", "Maya", "--family", "Diaz"});
  const std::string parent = AddUser("Mr. Diaz", student, "guardian", "phone");
  {
    std::FILE* file = std::fopen(TokenFile("forged").c_str(), "w");
    ASSERT_NE(file, nullptr);
    std::fputs("psk_not-a-real-token-0123456789abcdef\n", file);
    std::fclose(file);
  }
  const CliResult app =
      RunProgram({C_PARENT_FLOW_BIN, Db("phone"), parent, server.address(),
                  TokenFile("forged"), student, "plan", "accommodation"},
                 Log() + ".app");
  EXPECT_EQ(app.exit_code, 3) << app.out << app.err;
  EXPECT_NE(app.out.find("sync failed: UNAUTHENTICATED"), std::string::npos)
      << app.out;
  EXPECT_EQ(app.out.find("psk_not-a-real-token"), std::string::npos) << app.out;
  EXPECT_EQ(app.err.find("psk_not-a-real-token"), std::string::npos) << app.err;
}

}  // namespace
}  // namespace plansync
