// Who is calling: the seam where authentication plugs into the handlers.
// plansync-server authenticates device tokens (server/token_auth.h); the
// development authenticator here serves in-process tests and benchmarks of
// the merge, never the server binary.
#ifndef PLANSYNC_SERVER_AUTH_H_
#define PLANSYNC_SERVER_AUTH_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace plansync::server {

// The authenticated caller, handed to every handler.
struct AuthContext {
  std::string principal_id;
  // The token the call was authenticated by (its public id), if any.
  std::string token_id;
  // True when every bucket may be read and any author accepted (the
  // development authenticator).
  bool unrestricted = false;
};

// Metadata key naming the principal under the development authenticator.
inline constexpr absl::string_view kPrincipalMetadata = "x-plansync-principal";

// Turns a call's metadata into an AuthContext. Thread-safe.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // UNAUTHENTICATED if the metadata does not identify a principal.
  virtual absl::StatusOr<AuthContext> Authenticate(
      const std::multimap<std::string, std::string>& metadata) const = 0;
};

// Development only: the principal is whatever the device says in
// kPrincipalMetadata ("dev" if absent), with unrestricted access.
class DevAuthenticator final : public Authenticator {
 public:
  absl::StatusOr<AuthContext> Authenticate(
      const std::multimap<std::string, std::string>& metadata) const override;
};

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_AUTH_H_
