// RETURN_IF_ERROR / ASSIGN_OR_RETURN: early return on a non-OK absl::Status.
// (The Abseil release in Debian 12 predates its own versions of these.)
#ifndef PLANSYNC_CORE_STATUS_MACROS_H_
#define PLANSYNC_CORE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define PLANSYNC_CONCAT_INNER_(a, b) a##b
#define PLANSYNC_CONCAT_(a, b) PLANSYNC_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status); returns it from the caller if not OK.
#define RETURN_IF_ERROR(expr)                            \
  do {                                                   \
    ::absl::Status plansync_status_ = (expr);            \
    if (!plansync_status_.ok()) return plansync_status_; \
  } while (0)

// Evaluates `rexpr` (an absl::StatusOr<T>); returns its status if not OK,
// otherwise moves its value into `lhs` (which may be a declaration).
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ASSIGN_OR_RETURN_IMPL_(PLANSYNC_CONCAT_(plansync_sor_, __LINE__), lhs, rexpr)

#define ASSIGN_OR_RETURN_IMPL_(sor, lhs, rexpr)  \
  auto sor = (rexpr);                            \
  if (!sor.ok()) return std::move(sor).status(); \
  lhs = std::move(sor).value()

#endif  // PLANSYNC_CORE_STATUS_MACROS_H_
