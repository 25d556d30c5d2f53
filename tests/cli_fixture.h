// A fixture for tests that drive the real binaries: device stores and the
// server store in one temporary directory, CLI runs on a named device, and
// `plansync-server admin` runs on the server store.
#ifndef PLANSYNC_TESTS_CLI_FIXTURE_H_
#define PLANSYNC_TESTS_CLI_FIXTURE_H_

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/process_util.h"
#include "tests/test_util.h"

namespace plansync::testing {

class CliFixture : public ::testing::Test {
 protected:
  // The store file of device `name` ("server" for the server's).
  std::string Db(const std::string& name) { return dir_.File(name + ".db"); }
  std::string Log() { return dir_.File("log"); }

  // Runs `plansync --db DEVICE ARGS...`.
  CliResult Cli(const std::string& device, std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", Db(device)});
    return RunCli(args, Log());
  }
  // Runs a CLI command that must succeed; returns its stdout.
  std::string Ok(const std::string& device, std::vector<std::string> args) {
    CliResult result = Cli(device, std::move(args));
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out;
  }
  // Runs `plansync-server admin ARGS...` on the server store, which must
  // succeed; returns the first line of its output.
  std::string Admin(const std::vector<std::string>& args) {
    CliResult result = RunAdmin(Db("server"), args, Log());
    EXPECT_EQ(result.exit_code, 0) << args.front() << ": " << result.err;
    return result.out.substr(0, result.out.find('\n'));
  }

  TempDir dir_;
};

}  // namespace plansync::testing

#endif  // PLANSYNC_TESTS_CLI_FIXTURE_H_
