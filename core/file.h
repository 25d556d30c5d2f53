// Reading and writing small files whole (certificates, keys, reports).
#ifndef PLANSYNC_CORE_FILE_H_
#define PLANSYNC_CORE_FILE_H_

#include <string>

#include "absl/status/statusor.h"

namespace plansync {

// The contents of the file at `path`; NOT_FOUND, naming the path, if it
// cannot be read.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

// Writes `contents` to `path`, replacing the file, readable and writable by
// its owner only (it may hold student data). The error names the path.
absl::Status WriteOwnerOnlyFile(const std::string& path,
                                const std::string& contents);

}  // namespace plansync

#endif  // PLANSYNC_CORE_FILE_H_
