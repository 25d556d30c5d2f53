#include "server/request_log.h"

#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/uuid.h"

namespace plansync::server {
namespace {

bool IsPlainName(absl::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '/' && c != '_') {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string FormatRequestLogLine(const RequestLogEntry& entry) {
  std::string line = absl::StrCat(
      "plansync-server: call method=",
      IsPlainName(entry.method) ? absl::string_view(entry.method) : "?",
      " principal=",
      IsUuid(entry.principal_id) ? absl::string_view(entry.principal_id) : "-");
  for (const auto& [name, count] : entry.counts) {
    absl::StrAppend(&line, " ", IsPlainName(name) ? name : "?", "=", count);
  }
  absl::StrAppend(&line, " status=", absl::StatusCodeToString(entry.code),
                  " ms=", entry.duration_ms);
  return line;
}

void WriteRequestLog(const RequestLogEntry& entry) {
  const std::string line = FormatRequestLogLine(entry) + "\n";
  // One write(2) per line, so that lines of concurrent calls do not mix.
  ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
  (void)written;  // nowhere to report a failure to log
}

}  // namespace plansync::server
