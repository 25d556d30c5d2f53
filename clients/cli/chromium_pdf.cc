#include "clients/cli/chromium_pdf.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"

namespace plansync::cli {

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
  const std::filesystem::path profile =
      pdf.parent_path() / absl::StrCat(".plansync-chromium-", getpid());
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
      absl::StrCat("--user-data-dir=", profile.string()),
      absl::StrCat("--print-to-pdf=", pdf.string()),
      absl::StrCat("file://", html.string())};
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
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
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
