// Real processes for end-to-end tests: the plansync-server binary on a
// loopback port, and plansync CLI runs with their output.
#ifndef PLANSYNC_TESTS_PROCESS_UTIL_H_
#define PLANSYNC_TESTS_PROCESS_UTIL_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace plansync::testing {

// A child process with its stdout and stderr captured.
class Process {
 public:
  // Starts `argv[0]` with `argv`. Output goes to files under `log_prefix`.
  Process(const std::vector<std::string>& argv, const std::string& log_prefix);
  ~Process();  // SIGKILLs the process if it still runs

  pid_t pid() const { return pid_; }
  // Sends `signal`; then Wait().
  void Signal(int signal);
  // Waits for the exit; returns the wait status (see <sys/wait.h>).
  int Wait();
  bool running() const { return pid_ > 0; }
  std::string Stdout() const;
  std::string Stderr() const;

 private:
  pid_t pid_ = -1;
  std::string out_path_, err_path_;
};

// The real server binary on 127.0.0.1, with its store at `db`.
class ServerProcess {
 public:
  // Starts the server on `port` (0: a free one) and waits until it serves.
  ServerProcess(const std::string& db, const std::string& log_prefix,
                int port = 0, const std::vector<std::string>& extra = {});
  const std::string& address() const { return address_; }
  int port() const { return port_; }
  Process& process() { return process_; }

 private:
  Process process_;
  std::string address_;
  int port_ = 0;
};

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs `argv` (argv[0] an absolute path) to completion; exit_code is -1 if
// a signal ended it.
CliResult RunProgram(const std::vector<std::string>& argv,
                     const std::string& log_prefix);

// Runs the plansync CLI to completion.
CliResult RunCli(const std::vector<std::string>& args,
                 const std::string& log_prefix);

// Runs `plansync-server admin ARGS... --db DB` to completion.
CliResult RunAdmin(const std::string& db, const std::vector<std::string>& args,
                   const std::string& log_prefix);

}  // namespace plansync::testing

#endif  // PLANSYNC_TESTS_PROCESS_UTIL_H_
