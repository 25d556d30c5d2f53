// Device tokens: issuing (256 random bits, shown once, stored as a SHA-256
// digest), and authenticating calls that carry "authorization: Bearer
// <token>" metadata.
#ifndef PLANSYNC_SERVER_TOKEN_AUTH_H_
#define PLANSYNC_SERVER_TOKEN_AUTH_H_

#include <string>

#include "absl/status/statusor.h"
#include "core/clock.h"
#include "server/auth.h"
#include "server/server_store.h"

namespace plansync::server {

// A newly issued token. `token` is the secret: it exists only here and in
// the user's hands.
struct IssuedToken {
  std::string token;  // "pst_" and 64 hex digits (256 random bits)
  TokenRecord record;
};

// Issues a token for `principal_id` and stores its digest. The randomness
// comes from the operating system (getrandom). `clock` is not owned.
absl::StatusOr<IssuedToken> IssueToken(ServerStore& store,
                                       absl::string_view principal_id,
                                       absl::string_view label,
                                       ClockSource* clock);

// True if `token` has the form of a plansync device token.
bool IsWellFormedToken(absl::string_view token);

// Authenticates by bearer token against the store. UNAUTHENTICATED, with a
// message that never repeats the token, when the metadata has no token, a
// malformed one, an unknown one or a revoked one. Thread-safe.
class TokenAuthenticator final : public Authenticator {
 public:
  // `store` is not owned and must outlive the authenticator.
  explicit TokenAuthenticator(ServerStore* store) : store_(store) {}
  absl::StatusOr<AuthContext> Authenticate(
      const std::multimap<std::string, std::string>& metadata) const override;

 private:
  ServerStore* const store_;
};

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_TOKEN_AUTH_H_
