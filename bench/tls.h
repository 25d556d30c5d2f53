// Child programs for the benchmarks: running a command to completion, and a
// self-signed TLS certificate for a loopback server made at bench start by
// the `openssl` command (found on $PATH). Header-only; for bench/ only.
#ifndef PLANSYNC_BENCH_TLS_H_
#define PLANSYNC_BENCH_TLS_H_

#include <fcntl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/file.h"
#include "core/status_macros.h"

namespace plansync::bench {

// Runs `argv` (argv[0] looked up on $PATH) with stdin on /dev/null and its
// stdout and stderr into the file `log`; an error, with the start of what it
// wrote, unless it exits with 0. Call it before any gRPC object exists: the
// child execs at once, but forking a process with threads is best avoided.
inline absl::Status RunProgram(const std::vector<std::string>& argv,
                               const std::string& log) {
  if (argv.empty()) return absl::InvalidArgumentError("no program to run");
  std::vector<char*> args;
  for (const std::string& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    const int null = open("/dev/null", O_RDONLY);
    const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (null < 0 || out < 0) _exit(126);
    dup2(null, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    execvp(args[0], args.data());
    _exit(127);
  }
  int wstatus = 0;
  if (waitpid(pid, &wstatus, 0) != pid || !WIFEXITED(wstatus) ||
      WEXITSTATUS(wstatus) != 0) {
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot run ", argv[0], " (is it installed?)"));
    }
    absl::StatusOr<std::string> output = ReadFileToString(log);
    return absl::InternalError(absl::StrCat(
        "failed: ", absl::StrJoin(argv, " "), ": ",
        output.ok() ? output->substr(0, 1000) : std::string("(no output)")));
  }
  return absl::OkStatus();
}

// A PEM certificate and its private key.
struct TlsIdentity {
  std::string cert_pem;
  std::string key_pem;
};

// A new self-signed certificate for 127.0.0.1 and localhost (ECDSA P-256,
// valid one day), written as cert.pem and key.pem into `dir` by
// `openssl req -x509` and read back. Clients trust it by taking cert_pem as
// their root.
inline absl::StatusOr<TlsIdentity> MakeSelfSignedCert(const std::string& dir) {
  const std::string cert = absl::StrCat(dir, "/cert.pem");
  const std::string key = absl::StrCat(dir, "/key.pem");
  RETURN_IF_ERROR(
      RunProgram({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                  "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                  "-out", cert, "-days", "1", "-subj", "/CN=localhost",
                  "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"},
                 absl::StrCat(dir, "/openssl.log")));
  TlsIdentity identity;
  ASSIGN_OR_RETURN(identity.cert_pem, ReadFileToString(cert));
  ASSIGN_OR_RETURN(identity.key_pem, ReadFileToString(key));
  return identity;
}

}  // namespace plansync::bench

#endif  // PLANSYNC_BENCH_TLS_H_
