// A fixture for tests that drive the real binaries: device stores and the
// server store in one temporary directory, CLI runs on a named device, and
// `plansync-server admin` runs on the server store.
#ifndef PLANSYNC_TESTS_CLI_FIXTURE_H_
#define PLANSYNC_TESTS_CLI_FIXTURE_H_

#include <filesystem>
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
  // The server store's --db: a PostgreSQL URI once a test sets server_db_,
  // else Db("server").
  std::string ServerDb() {
    return server_db_.empty() ? Db("server") : server_db_;
  }
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
    CliResult result = RunAdmin(ServerDb(), args, Log());
    EXPECT_EQ(result.exit_code, 0) << args.front() << ": " << result.err;
    return result.out.substr(0, result.out.find('\n'));
  }

  // The content hash `plansync status --json` prints for `device`.
  std::string Hash(const std::string& device) {
    const std::string out = Ok(device, {"status", "--json"});
    const std::string key = "\"content_hash\": \"";
    const size_t at = out.find(key);
    return at == std::string::npos ? "" : out.substr(at + key.size(), 16);
  }
  // The student every test works on, Maya Diaz of Lincoln, made by the
  // district administrator.
  const std::string& Student() {
    if (student_.empty()) {
      student_ = Admin({"add-student", "--given", "Maya", "--family", "Diaz",
                        "--school", "Lincoln", "--grade", "5"});
    }
    return student_;
  }
  // A new user holding `roles` (guardian, teacher, provider, case-manager)
  // on Student(); returns the user id.
  std::string AddUser(const std::string& name,
                      const std::vector<std::string>& roles) {
    const std::string user = Admin({"add-user", "--name", name});
    for (const std::string& role : roles) {
      Admin({"assign", "--user", user, "--student", Student(), "--role", role});
    }
    return user;
  }
  // Makes `device` for `user`, with a token of its own in a file.
  void Init(const std::string& device, const std::string& user,
            const ServerProcess& server) {
    const std::string token_file = dir_.File(device + ".token");
    std::filesystem::remove(token_file);
    Admin({"issue-token", "--user", user, "--label", device, "--out",
           token_file});
    Ok(device, {"init", "--user", user, "--server", server.address(),
                "--token-file", token_file});
  }

  TempDir dir_;
  std::string student_;
  std::string server_db_;
};

}  // namespace plansync::testing

#endif  // PLANSYNC_TESTS_CLI_FIXTURE_H_
