// Errors with a plansync reason (proto/plansync/v1/errors.proto) attached to an
// absl::Status, so that the device store, the server and the C API report the
// same reason from one list.
#ifndef PLANSYNC_CORE_ERRORS_H_
#define PLANSYNC_CORE_ERRORS_H_

#include "absl/strings/string_view.h"

#include "absl/status/status.h"
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

}  // namespace plansync

#endif  // PLANSYNC_CORE_ERRORS_H_
