#include "server/file_limit.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace plansync::server {

absl::StatusOr<FileLimit> RaiseOpenFileLimit() {
  struct rlimit limit {};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return absl::InternalError(absl::StrCat("cannot read the open-file limit: ",
                                            std::strerror(errno)));
  }
  FileLimit result{limit.rlim_cur, limit.rlim_cur};
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
      return absl::InternalError(absl::StrCat(
          "cannot raise the open-file limit: ", std::strerror(errno)));
    }
    result.after = limit.rlim_cur;
  }
  return result;
}

std::string DescribeFileLimit(const FileLimit& limit) {
  if (limit.after == limit.before) {
    return absl::StrCat("open-file limit ", limit.after);
  }
  return absl::StrCat("open-file limit raised from ", limit.before, " to ",
                      limit.after);
}

}  // namespace plansync::server
