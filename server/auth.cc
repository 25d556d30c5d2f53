#include "server/auth.h"

#include "absl/status/status.h"

namespace plansync::server {

absl::StatusOr<AuthContext> DevAuthenticator::Authenticate(
    const std::multimap<std::string, std::string>& metadata) const {
  AuthContext context;
  context.unrestricted = true;
  auto it = metadata.find(std::string(kPrincipalMetadata));
  context.principal_id = it != metadata.end() ? it->second : "dev";
  if (context.principal_id.empty() || context.principal_id.size() > 256) {
    return absl::UnauthenticatedError("the principal metadata is malformed");
  }
  return context;
}

}  // namespace plansync::server
