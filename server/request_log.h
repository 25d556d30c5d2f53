// The request log: one line per call on stderr for operators, e.g.
//
//   plansync-server: call method=Push principal=0192f1e4-...-5c2a
//     changes=3 accepted=2 duplicate=0 rejected=1 status=OK ms=4
//
// (one line). It names the caller by principal id (a UUID) only, and never
// holds a token, a display name or record content: the formatter takes none
// of them.
#ifndef PLANSYNC_SERVER_REQUEST_LOG_H_
#define PLANSYNC_SERVER_REQUEST_LOG_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace plansync::server {

// What is logged of one finished call.
struct RequestLogEntry {
  std::string method;        // the RPC's short name: "Push", "Pull", ...
  std::string principal_id;  // empty when the call was not authenticated
  // Counts in the order printed, e.g. {"changes", 3}, {"accepted", 2}. The
  // names are the server's own words, never client input.
  std::vector<std::pair<std::string, int64_t>> counts;
  absl::StatusCode code = absl::StatusCode::kOk;
  int64_t duration_ms = 0;
};

// The line for `entry`, without a newline. Pure. A principal id that is not
// a UUID is written "-", so that nothing else can stand in its place; a
// method that is not a plain name (letters, digits, '.', '/', '_') is
// written "?".
std::string FormatRequestLogLine(const RequestLogEntry& entry);

// Writes the line for `entry` and a newline to stderr in one write.
// Thread-safe.
void WriteRequestLog(const RequestLogEntry& entry);

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_REQUEST_LOG_H_
