// `plansync --help` and `plansync COMMAND --help` for every command: usage,
// options and examples, with no device store needed.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cli_fixture.h"
#include "tests/process_util.h"

namespace plansync {
namespace {

using testing::CliResult;
using testing::RunCli;

class CliHelpTest : public testing::CliFixture {};

// Every command of the CLI, as typed.
const std::vector<std::vector<std::string>>& AllCommands() {
  static const auto* const commands = new std::vector<std::vector<std::string>>{
      {"lapse"},
      {"plan"},
      {"history"},
      {"today"},
      {"confirm"},
      {"session"},
      {"plan", "create"},
      {"plan", "amend"},
      {"accommodation", "add"},
      {"service", "add"},
      {"goal", "add"},
      {"meeting", "schedule"},
      {"meeting", "attend"},
      {"meeting", "decide"},
      {"meeting", "held"},
      {"notice", "send"},
      {"respond"},
      {"conflicts"},
      {"resolve"},
      {"init"},
      {"sync"},
      {"status"},
      {"rejected"},
      {"add"},
      {"set"},
      {"archive"},
      {"append"},
      {"get"},
      {"list"},
  };
  return *commands;
}

TEST_F(CliHelpTest, EveryCommandExplainsItselfWithExamples) {
  for (const std::vector<std::string>& command : AllCommands()) {
    std::string name = "plansync";
    for (const std::string& word : command) name += " " + word;
    std::vector<std::string> args = command;
    args.push_back("--help");
    const CliResult result = RunCli(args, Log());
    EXPECT_EQ(result.exit_code, 0) << name << ": " << result.err;
    EXPECT_EQ(result.out.rfind("usage: " + name, 0), 0u) << name << ":\n"
                                                         << result.out;
    EXPECT_NE(result.out.find("examples:\n  plansync"), std::string::npos)
        << name << ":\n"
        << result.out;
    // -h says the same, wherever it stands.
    args.back() = "-h";
    args.insert(args.begin() + static_cast<long>(command.size()), "--json");
    EXPECT_EQ(RunCli(args, Log()).out, result.out) << name;
  }
}

TEST_F(CliHelpTest, TheCommandListNamesEveryCommandByWhoUsesIt) {
  const CliResult result = RunCli({"--help"}, Log());
  EXPECT_EQ(result.exit_code, 0);
  for (const char* group :
       {"for parents:", "for teachers:", "for service providers:",
        "for case managers:", "the device and its records:"}) {
    EXPECT_NE(result.out.find("\n" + std::string(group) + "\n"),
              std::string::npos)
        << group;
  }
  EXPECT_NE(result.out.find("PLANSYNC_TODAY=YYYY-MM-DD"), std::string::npos);
  for (const std::vector<std::string>& command : AllCommands()) {
    std::string name = command[0];
    if (command.size() > 1) name += " " + command[1];
    EXPECT_NE(result.out.find("\n  " + name + " "), std::string::npos) << name;
  }
  // A command with subcommands lists them.
  const CliResult meeting = RunCli({"meeting", "--help"}, Log());
  EXPECT_EQ(meeting.exit_code, 0);
  for (const char* sub : {"schedule", "attend", "decide", "held"}) {
    EXPECT_NE(meeting.out.find(std::string("plansync meeting ") + sub),
              std::string::npos)
        << meeting.out;
  }
  // `plan` shows the plan, and names its subcommands.
  const CliResult plan = RunCli({"plan", "--help"}, Log());
  EXPECT_NE(plan.out.find("plansync plan create"), std::string::npos);
  EXPECT_NE(plan.out.find("plansync plan amend"), std::string::npos);
  // Nothing to run: the command list on stderr, exit 2.
  const CliResult nothing = RunCli({}, Log());
  EXPECT_EQ(nothing.exit_code, 2);
  EXPECT_NE(nothing.err.find("for parents:"), std::string::npos);
  const CliResult unknown = RunCli({"report-card"}, Log());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown command \"report-card\""),
            std::string::npos);
}

}  // namespace
}  // namespace plansync
