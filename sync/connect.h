// Connecting a device to its server: the device token read from a file, and
// a gRPC channel in plaintext or TLS. Shared by the CLI and the C API so that
// both read tokens and certificates the same way.
#ifndef PLANSYNC_SYNC_CONNECT_H_
#define PLANSYNC_SYNC_CONNECT_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"

namespace plansync::sync {

// The device token in the file `path`: its first line, without surrounding
// white space. NOT_FOUND (naming the path) if the file cannot be read;
// INVALID_ARGUMENT if the line is empty or not a well-formed token. Error
// messages never contain the file's contents.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

// OK if `token` can be sent as a bearer token: not empty, printable ASCII
// without spaces. INVALID_ARGUMENT otherwise; the message never echoes it.
absl::Status CheckToken(absl::string_view token);

// A channel to `server` ("host:port") with plansync's channel arguments
// (DefaultChannelArguments): TLS trusting the PEM certificates in `ca_file`,
// or plaintext if `ca_file` is empty (loopback only: the server refuses
// plaintext elsewhere). NOT_FOUND if `ca_file` cannot be read;
// INVALID_ARGUMENT if `server` is empty. Connects lazily, on the first call.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(
    const std::string& server, const std::string& ca_file);

}  // namespace plansync::sync

#endif  // PLANSYNC_SYNC_CONNECT_H_
