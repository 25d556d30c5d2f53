#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace plansync {

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::Status WriteOwnerOnlyFile(const std::string& path,
                                const std::string& contents) {
  const int fd =
      open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  // An existing file keeps its mode through O_TRUNC: narrow it first.
  absl::Status status;
  if (fchmod(fd, 0600) != 0) {
    status = absl::PermissionDeniedError(absl::StrCat(
        "cannot make ", path, " owner-only: ", std::strerror(errno)));
  }
  size_t written = 0;
  while (status.ok() && written < contents.size()) {
    const ssize_t n =
        write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      status = absl::DataLossError(
          absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
      break;
    }
    written += static_cast<size_t>(n);
  }
  if (close(fd) != 0 && status.ok()) {
    status = absl::DataLossError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return status;
}

}  // namespace plansync
