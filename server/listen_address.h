// Listening addresses: plaintext is allowed on loopback only.
#ifndef PLANSYNC_SERVER_LISTEN_ADDRESS_H_
#define PLANSYNC_SERVER_LISTEN_ADDRESS_H_

#include "absl/strings/string_view.h"

namespace plansync::server {

// True if `address` ("host:port", "[v6]:port", "localhost:port") names a
// loopback interface (127.0.0.0/8, ::1, localhost).
bool IsLoopbackAddress(absl::string_view address);

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_LISTEN_ADDRESS_H_
