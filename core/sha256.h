// SHA-256 (FIPS 180-4), for storing secrets as digests: device tokens are kept
// on the server only as the SHA-256 of the token.
#ifndef PLANSYNC_CORE_SHA256_H_
#define PLANSYNC_CORE_SHA256_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace plansync {

using Sha256Digest = std::array<uint8_t, 32>;

// The SHA-256 digest of `data`.
Sha256Digest Sha256(absl::string_view data);

// The digest as 64 lowercase hex characters.
std::string Sha256Hex(absl::string_view data);

// True if `a` and `b` are equal, in time that does not depend on where they
// differ (for comparing secrets and their digests).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace plansync

#endif  // PLANSYNC_CORE_SHA256_H_
