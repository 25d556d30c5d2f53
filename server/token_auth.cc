#include "server/token_auth.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/sha256.h"
#include "core/status_macros.h"

namespace plansync::server {
namespace {

constexpr absl::string_view kTokenPrefix = "pst_";
constexpr absl::string_view kBearer = "Bearer ";

absl::StatusOr<std::string> RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  size_t filled = 0;
  while (filled < bytes) {
    const ssize_t got = getrandom(raw.data() + filled, bytes - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(
          absl::StrCat("no randomness for a token: ", std::strerror(errno)));
    }
    filled += static_cast<size_t>(got);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : raw) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0x0F]);
  }
  return hex;
}

}  // namespace

bool IsWellFormedToken(absl::string_view token) {
  if (!absl::ConsumePrefix(&token, kTokenPrefix) || token.size() != 64) {
    return false;
  }
  for (char c : token) {
    if (!absl::ascii_isxdigit(c) || absl::ascii_isupper(c)) return false;
  }
  return true;
}

absl::StatusOr<IssuedToken> IssueToken(ServerStore& store,
                                       absl::string_view principal_id,
                                       absl::string_view label,
                                       ClockSource* clock) {
  if (principal_id.empty()) {
    return absl::InvalidArgumentError("a token needs the user it acts for");
  }
  IssuedToken issued;
  ASSIGN_OR_RETURN(std::string secret, RandomHex(32));
  issued.token = absl::StrCat(kTokenPrefix, secret);
  ASSIGN_OR_RETURN(std::string id, RandomHex(8));
  issued.record.token_id = absl::StrCat("tok_", id);
  issued.record.principal_id = std::string(principal_id);
  issued.record.label = std::string(label);
  issued.record.created_ms = clock->NowMillis();
  issued.record.digest = Sha256Hex(issued.token);
  RETURN_IF_ERROR(store.AddToken(issued.record));
  return issued;
}

absl::StatusOr<AuthContext> TokenAuthenticator::Authenticate(
    const std::multimap<std::string, std::string>& metadata) const {
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return absl::UnauthenticatedError(
        "the call carries no token (authorization: Bearer <token>)");
  }
  absl::string_view token = it->second;
  if (!absl::ConsumePrefix(&token, kBearer) || !IsWellFormedToken(token)) {
    return absl::UnauthenticatedError("the call's token is malformed");
  }
  const std::string digest = Sha256Hex(token);
  ASSIGN_OR_RETURN(std::optional<TokenRecord> record,
                   store_->FindToken(digest));
  // Found by digest; the digests are compared again in constant time, so no
  // answer depends on where two of them differ.
  if (!record.has_value() || !ConstantTimeEquals(record->digest, digest)) {
    return absl::UnauthenticatedError("the token is not known to this server");
  }
  if (record->revoked_ms != 0) {
    return absl::UnauthenticatedError("the token has been revoked");
  }
  AuthContext context;
  context.principal_id = record->principal_id;
  context.token_id = record->token_id;
  context.unrestricted = false;
  return context;
}

}  // namespace plansync::server
