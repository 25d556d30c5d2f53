// Errors with a plansync reason (proto/plansync/v1/errors.proto) attached to an
// absl::Status, so that the device store, the server and the C API report the
// same reason from one list.
#ifndef PLANSYNC_CORE_ERRORS_H_
#define PLANSYNC_CORE_ERRORS_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "plansync/v1/errors.pb.h"

namespace plansync {

// The absl status code used for each reason (e.g. UNKNOWN_REFERENCE ->
// NOT_FOUND, VALUE_TOO_LONG -> INVALID_ARGUMENT).
absl::StatusCode CodeForReason(v1::Reason reason);

// A status with the code for `reason`, the message `message`, and `reason`
// attached as a payload.
absl::Status ReasonError(v1::Reason reason, absl::string_view message);

// The reason attached to `status`, or REASON_UNSPECIFIED if none (an OK status
// or an error that did not come from ReasonError).
v1::Reason ReasonOf(const absl::Status& status);

// A refusal for want of capacity (RESOURCE_EXHAUSTED) that says when to try
// again: `status` with `after` attached. Over gRPC the hint travels as the
// trailing metadata kRetryAfterMetadata (milliseconds).
absl::Status WithRetryAfter(absl::Status status, absl::Duration after);
// The hint attached by WithRetryAfter, or nullopt.
std::optional<absl::Duration> RetryAfterOf(const absl::Status& status);
inline constexpr char kRetryAfterMetadata[] = "plansync-retry-after-ms";

}  // namespace plansync

#endif  // PLANSYNC_CORE_ERRORS_H_
