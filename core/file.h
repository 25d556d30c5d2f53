// Reading small files (certificates, keys) whole.
#ifndef PLANSYNC_CORE_FILE_H_
#define PLANSYNC_CORE_FILE_H_

#include <string>

#include "absl/status/statusor.h"

namespace plansync {

// The contents of the file at `path`; NOT_FOUND, naming the path, if it
// cannot be read.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

}  // namespace plansync

#endif  // PLANSYNC_CORE_FILE_H_
