// The real plansync-server binary for benchmarks: run in a child process on
// 127.0.0.1 with a port the kernel picks, and its `admin` subcommands run to
// completion. Header-only and free of plansync's libraries, so that a
// benchmark linking libplansync alone can use it; for bench/ only.
#ifndef PLANSYNC_BENCH_SERVER_PROCESS_H_
#define PLANSYNC_BENCH_SERVER_PROCESS_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace plansync::bench {

inline double Seconds(const struct timeval& t) {
  return t.tv_sec + t.tv_usec / 1e6;
}

// Runs `argv` (argv[0] a path) with its standard output into a pipe read by
// this process, and its standard error into `stderr_path` if not empty; the
// child's pid, and the read end in *out_fd.
inline absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv,
                                   int* out_fd,
                                   const std::string& stderr_path = "") {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return absl::InternalError("pipe failed");
  std::fflush(stdout);
  std::fflush(stderr);
  std::vector<char*> args;
  for (const std::string& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    if (!stderr_path.empty()) {
      const int fd =
          open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fd >= 0) dup2(fd, STDERR_FILENO);
    }
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    execv(args[0], args.data());
    std::fprintf(stderr, "cannot run %s\n", args[0]);
    _exit(127);
  }
  close(pipe_fds[1]);
  *out_fd = pipe_fds[0];
  return pid;
}

// Runs `plansync-server admin ARGS... --db DB` to completion; its first line
// of output (an id, for the commands that make one). INTERNAL if it fails.
inline absl::StatusOr<std::string> RunAdmin(const std::string& binary,
                                            const std::string& db,
                                            std::vector<std::string> args) {
  args.insert(args.begin(), {binary, "admin"});
  args.push_back(absl::StrCat("--db=", db));
  int fd = -1;
  absl::StatusOr<pid_t> pid = Spawn(args, &fd);
  if (!pid.ok()) return pid.status();
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0) out.append(buffer, n);
  close(fd);
  int wstatus = 0;
  waitpid(*pid, &wstatus, 0);
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return absl::InternalError(
        absl::StrCat("plansync-server admin ", args[2], " failed"));
  }
  return out.substr(0, out.find('\n'));
}

// plansync-server in a child process; stopped with SIGTERM on destruction.
class ServerProcess {
 public:
  // `db` is a SQLite path or a PostgreSQL URI; the server's log goes to
  // `log_path` if not empty (else to this process's standard error).
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      const std::string& binary, const std::string& db,
      const std::string& log_path = "") {
    int fd = -1;
    absl::StatusOr<pid_t> pid =
        Spawn({binary, absl::StrCat("--db=", db), "--listen=127.0.0.1:0"}, &fd,
              log_path);
    if (!pid.ok()) return pid.status();
    std::unique_ptr<ServerProcess> process(new ServerProcess(*pid, fd));
    // "plansync-server listening on HOST:PORT"
    constexpr absl::string_view kListening = "plansync-server listening on ";
    std::string line;
    char c;
    while (read(process->stdout_fd_, &c, 1) == 1 && c != '\n') line += c;
    if (!absl::StartsWith(line, kListening)) {
      return absl::InternalError(
          absl::StrCat(binary, " did not start: \"", line, "\""));
    }
    process->address_ = line.substr(kListening.size());
    return process;
  }

  ~ServerProcess() { Stop().IgnoreError(); }

  // Stops the server; its peak resident set in MiB goes to *peak_rss_mb and
  // the CPU seconds it used to *cpu_seconds.
  absl::Status Stop(double* peak_rss_mb = nullptr,
                    double* cpu_seconds = nullptr) {
    if (pid_ <= 0) return absl::OkStatus();
    kill(pid_, SIGTERM);
    int wstatus = 0;
    struct rusage usage {};
    const pid_t done = wait4(pid_, &wstatus, 0, &usage);
    pid_ = -1;
    close(stdout_fd_);
    if (done < 0) return absl::InternalError("wait4 failed");
    if (peak_rss_mb != nullptr) *peak_rss_mb = usage.ru_maxrss / 1024.0;
    if (cpu_seconds != nullptr) {
      *cpu_seconds = Seconds(usage.ru_utime) + Seconds(usage.ru_stime);
    }
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
      return absl::InternalError("plansync-server did not exit cleanly");
    }
    return absl::OkStatus();
  }

  const std::string& address() const { return address_; }
  pid_t pid() const { return pid_; }

 private:
  ServerProcess(pid_t pid, int stdout_fd) : pid_(pid), stdout_fd_(stdout_fd) {}
  pid_t pid_;
  int stdout_fd_;
  std::string address_;
};

}  // namespace plansync::bench

#endif  // PLANSYNC_BENCH_SERVER_PROCESS_H_
