#include "core/errors.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"

namespace plansync {
namespace {

constexpr absl::string_view kRetryAfterPayloadUrl =
    "type.plansync.dev/plansync.RetryAfterMs";
constexpr absl::string_view kReasonPayloadUrl =
    "type.plansync.dev/plansync.v1.Reason";

}  // namespace

absl::StatusCode CodeForReason(v1::Reason reason) {
  switch (reason) {
    case v1::UNKNOWN_REFERENCE:
    case v1::UNKNOWN_RECORD:
      return absl::StatusCode::kNotFound;
    case v1::DUPLICATE_ID:
    case v1::CHANGE_ID_REUSED:
      return absl::StatusCode::kAlreadyExists;
    case v1::BATCH_TOO_LARGE:
    case v1::TOO_MANY_CURSORS:
    case v1::TOO_MANY_STREAMS:
      return absl::StatusCode::kResourceExhausted;
    case v1::CROSS_STUDENT_REFERENCE:
    case v1::LOG_ENTRY_IMMUTABLE:
    case v1::IMMUTABLE_FIELD:
    case v1::CLOCK_DRIFT:
    case v1::WRONG_BUCKET:
      return absl::StatusCode::kFailedPrecondition;
    case v1::AUTHOR_MISMATCH:
    case v1::REPLICA_NOT_OWNED:
    case v1::NOT_ENTRY_AUTHOR:
    case v1::ROLE_NOT_PERMITTED:
    case v1::NOT_ASSIGNED:
      return absl::StatusCode::kPermissionDenied;
    case v1::VALUE_OUT_OF_RANGE:
      return absl::StatusCode::kOutOfRange;
    default:
      return absl::StatusCode::kInvalidArgument;
  }
}

absl::Status ReasonError(v1::Reason reason, absl::string_view message) {
  absl::Status status(CodeForReason(reason), message);
  status.SetPayload(kReasonPayloadUrl, absl::Cord(std::to_string(reason)));
  return status;
}

v1::Reason ReasonOf(const absl::Status& status) {
  auto payload = status.GetPayload(kReasonPayloadUrl);
  if (!payload.has_value()) return v1::REASON_UNSPECIFIED;
  int value = 0;
  if (!absl::SimpleAtoi(std::string(*payload), &value) ||
      !v1::Reason_IsValid(value)) {
    return v1::REASON_UNSPECIFIED;
  }
  return static_cast<v1::Reason>(value);
}

absl::Status WithRetryAfter(absl::Status status, absl::Duration after) {
  status.SetPayload(
      kRetryAfterPayloadUrl,
      absl::Cord(std::to_string(absl::ToInt64Milliseconds(after))));
  return status;
}

std::optional<absl::Duration> RetryAfterOf(const absl::Status& status) {
  auto payload = status.GetPayload(kRetryAfterPayloadUrl);
  int64_t ms = 0;
  if (!payload.has_value() || !absl::SimpleAtoi(std::string(*payload), &ms) ||
      ms < 0) {
    return std::nullopt;
  }
  return absl::Milliseconds(ms);
}

}  // namespace plansync
