#include "sync/connect.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/file.h"
#include "core/status_macros.h"
#include "sync/grpc_transport.h"

namespace plansync::sync {

absl::Status CheckToken(absl::string_view token) {
  if (token.empty()) return absl::InvalidArgumentError("the token is empty");
  for (char c : token) {
    if (c < '!' || c > '~') {
      return absl::InvalidArgumentError(
          "the token holds a character that is not printable ASCII or is a "
          "space; it is not a plansync token");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) {
    return absl::NotFoundError(
        absl::StrCat("cannot read the token file ", path));
  }
  std::string token(absl::StripAsciiWhitespace(
      absl::string_view(*text).substr(0, text->find('\n'))));
  if (token.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the token file ", path, " is empty"));
  }
  absl::Status status = CheckToken(token);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the token file ", path, ": ", status.message()));
  }
  return token;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(
    const std::string& server, const std::string& ca_file) {
  if (server.empty()) {
    return absl::InvalidArgumentError("no server address (HOST:PORT)");
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (ca_file.empty()) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadFileToString(ca_file));
    credentials = grpc::SslCredentials(ssl);
  }
  return grpc::CreateCustomChannel(server, credentials,
                                   DefaultChannelArguments());
}

}  // namespace plansync::sync
