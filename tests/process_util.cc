#include "tests/process_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "gtest/gtest.h"

namespace plansync::testing {
namespace {

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

int counter = 0;

}  // namespace

Process::Process(const std::vector<std::string>& argv,
                 const std::string& log_prefix) {
  const std::string tag =
      std::to_string(getpid()) + "-" + std::to_string(++counter);
  out_path_ = log_prefix + "." + tag + ".out";
  err_path_ = log_prefix + "." + tag + ".err";
  pid_ = fork();
  if (pid_ == 0) {
    const int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    // Nothing else of the test's: a server a crashed test leaves behind must
    // not hold the test runner's files (a build lock, a pipe) open.
    closefrom(STDERR_FILENO + 1);
    std::vector<char*> args;
    for (const std::string& arg : argv) {
      args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
}

Process::~Process() {
  if (pid_ > 0) Signal(SIGKILL);
}

void Process::Signal(int signal) {
  if (pid_ <= 0) return;
  kill(pid_, signal);
  Wait();
}

int Process::Wait() {
  if (pid_ <= 0) return -1;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

std::string Process::Stdout() const { return ReadWhole(out_path_); }
std::string Process::Stderr() const { return ReadWhole(err_path_); }

ServerProcess::ServerProcess(const std::string& db,
                             const std::string& log_prefix, int port,
                             const std::vector<std::string>& extra)
    : process_(
          [&] {
            std::vector<std::string> argv = {
                PLANSYNC_SERVER_BIN, "--db=" + db,
                "--listen=127.0.0.1:" + std::to_string(port)};
            argv.insert(argv.end(), extra.begin(), extra.end());
            return argv;
          }(),
          log_prefix + ".server") {
  const std::string marker = "listening on ";
  for (int i = 0; i < 400; ++i) {
    const std::string out = process_.Stdout();
    const size_t at = out.find(marker);
    if (at != std::string::npos && out.find('\n', at) != std::string::npos) {
      address_ = out.substr(at + marker.size());
      address_ = address_.substr(0, address_.find('\n'));
      port_ = std::stoi(address_.substr(address_.rfind(':') + 1));
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ADD_FAILURE() << "the server did not start: " << process_.Stderr();
}

CliResult RunProgram(const std::vector<std::string>& argv,
                     const std::string& log_prefix) {
  Process process(argv, log_prefix);
  CliResult result;
  const int status = process.Wait();
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = process.Stdout();
  result.err = process.Stderr();
  return result;
}

CliResult RunCli(const std::vector<std::string>& args,
                 const std::string& log_prefix) {
  std::vector<std::string> argv = {PLANSYNC_CLI_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, log_prefix + ".cli");
}

CliResult RunAdmin(const std::string& db, const std::vector<std::string>& args,
                   const std::string& log_prefix) {
  std::vector<std::string> argv = {PLANSYNC_SERVER_BIN, "admin"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--db", db});
  return RunProgram(argv, log_prefix + ".admin");
}

}  // namespace plansync::testing
