// plansync-server's flags as people write them: with hyphens, like the CLI's
// options (--max-pulls-per-token=2); the flag library's underscore spelling
// (--max_pulls_per_token=2) is accepted as well.
#ifndef PLANSYNC_SERVER_FLAG_STYLE_H_
#define PLANSYNC_SERVER_FLAG_STYLE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace plansync::server {

// `arg` with the hyphens of its flag name turned into underscores
// ("--max-drift-ms=5" -> "--max_drift_ms=5"); the value, and anything that
// is not a "--name" flag, unchanged.
std::string FlagWithUnderscores(absl::string_view arg);

// What `plansync-server --help` prints: the usage, then every flag of the
// server, hyphenated, with its default and what it does.
std::string ServerHelp();

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_FLAG_STYLE_H_
