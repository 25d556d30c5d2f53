// The process's open-file limit. Each device connection and each Watch
// stream's connection holds a file descriptor, so a server raises its soft
// limit to the hard one at start.
#ifndef PLANSYNC_SERVER_FILE_LIMIT_H_
#define PLANSYNC_SERVER_FILE_LIMIT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace plansync::server {

struct FileLimit {
  uint64_t before = 0;  // the soft limit found
  uint64_t after = 0;   // the soft limit now (the hard limit, if raised)
};

// Raises the soft RLIMIT_NOFILE to the hard limit. INTERNAL if the limits
// cannot be read or set.
absl::StatusOr<FileLimit> RaiseOpenFileLimit();

// The log line for `limit`, e.g. "open-file limit raised from 1024 to
// 524288"; "open-file limit 524288" when it was at the hard limit already.
std::string DescribeFileLimit(const FileLimit& limit);

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_FILE_LIMIT_H_
