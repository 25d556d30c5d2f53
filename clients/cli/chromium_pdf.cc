#include "clients/cli/chromium_pdf.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace plansync::cli {
namespace {

constexpr int kTimeoutMs = 120 * 1000;

// `path` as a file: URL, every byte but letters, digits and "/._-~"
// percent-encoded (a path may hold '#', '?' or '%').
std::string FileUrl(const std::string& path) {
  std::string url = "file://";
  for (const unsigned char c : path) {
    if (absl::ascii_isalnum(c) || c == '/' || c == '.' || c == '_' ||
        c == '-' || c == '~') {
      url.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&url, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return url;
}

}  // namespace

absl::Status PrintToPdf(const std::string& html_path,
                        const std::string& pdf_path) {
  const char* configured = std::getenv("PLANSYNC_CHROMIUM");
  const std::string chromium = configured != nullptr && *configured != '\0'
                                   ? configured
                                   : "/usr/bin/chromium";
  if (access(chromium.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no Chromium at ", chromium,
        " to print the PDF; install Debian's chromium (apt-get install "
        "chromium) or set PLANSYNC_CHROMIUM; the HTML page is written"));
  }
  std::error_code error;
  const std::filesystem::path html =
      std::filesystem::absolute(html_path, error);
  const std::filesystem::path pdf = std::filesystem::absolute(pdf_path, error);
  // A fresh profile directory of our own (mkdtemp: owner-only, a name no
  // one else could have made first).
  std::string profile =
      (std::filesystem::temp_directory_path(error) / "plansync-chromium-XXXXXX")
          .string();
  if (mkdtemp(profile.data()) == nullptr) {
    return absl::InternalError(
        "could not make a profile directory for Chromium in the temporary "
        "directory");
  }
  std::filesystem::remove(pdf, error);
  std::vector<std::string> args = {
      chromium,
      "--headless",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--host-resolver-rules=MAP * ~NOTFOUND",
      "--virtual-time-budget=5000",
      "--no-pdf-header-footer",
      absl::StrCat("--user-data-dir=", profile),
      absl::StrCat("--print-to-pdf=", pdf.string()),
      FileUrl(html.string())};
  if (geteuid() == 0) args.insert(args.begin() + 1, "--no-sandbox");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t child = fork();
  if (child < 0) return absl::InternalError("could not start Chromium");
  if (child == 0) {
    umask(077);  // the PDF holds student data: owner-only
    const int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, STDIN_FILENO);
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  // Printing a page takes seconds; a Chromium that hangs is stopped.
  int status = 0;
  bool exited = false;
  for (int waited_ms = 0; waited_ms < kTimeoutMs; waited_ms += 100) {
    const pid_t done = waitpid(child, &status, WNOHANG);
    if (done == child || (done < 0 && errno != EINTR)) {
      exited = done == child;
      break;
    }
    usleep(100 * 1000);
  }
  if (!exited) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    std::filesystem::remove_all(profile, error);
    return absl::DeadlineExceededError(absl::StrCat(
        "Chromium did not print the PDF within ", kTimeoutMs / 1000,
        " s and was stopped; the HTML page is written"));
  }
  std::filesystem::remove_all(profile, error);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
      !std::filesystem::exists(pdf, error)) {
    return absl::InternalError(
        absl::StrCat("Chromium could not print the PDF (exit status ",
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                     "); the HTML page is written"));
  }
  chmod(pdf.c_str(), 0600);
  return absl::OkStatus();
}

}  // namespace plansync::cli
