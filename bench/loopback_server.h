// The sync server in the benchmark's own process, on a loopback port: a
// SQLite server store, SyncHandlers, an authenticator (the development one,
// or device tokens as plansync-server uses) and the gRPC service, served by
// a grpc::Server on 127.0.0.1 with a port the kernel picks, in plaintext or
// TLS. Also client channels to it. Header-only; for bench/ only.
#ifndef PLANSYNC_BENCH_LOOPBACK_SERVER_H_
#define PLANSYNC_BENCH_LOOPBACK_SERVER_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/clock.h"
#include "core/status_macros.h"
#include "grpcpp/grpcpp.h"
#include "server/auth.h"
#include "server/grpc_service.h"
#include "server/sqlite_server_store.h"
#include "server/sync_handlers.h"
#include "server/token_auth.h"
#include "sync/grpc_transport.h"

namespace plansync::bench {

struct LoopbackOptions {
  // The store's durable option (true: synchronous=FULL).
  bool durable = true;
  // True: calls must carry a device token issued on the store
  // (TokenAuthenticator, as in plansync-server), and every pushed change is
  // authorized against the token's user's roles. False: DevAuthenticator
  // (the principal the device names, unrestricted).
  bool tokens = false;
  // With a certificate and key (PEM): TLS, as plansync-server with
  // --tls_cert and --tls_key. Without: plaintext.
  std::string tls_cert_pem;
  std::string tls_key_pem;
};

class LoopbackServer {
 public:
  // Opens (or creates) the server store at `db_path` and serves it on
  // 127.0.0.1:<free port> with the default limits, as plansync-server does,
  // in plaintext with the development authenticator.
  static absl::StatusOr<std::unique_ptr<LoopbackServer>> Start(
      const std::string& db_path, bool durable) {
    LoopbackOptions options;
    options.durable = durable;
    return Start(db_path, options);
  }

  static absl::StatusOr<std::unique_ptr<LoopbackServer>> Start(
      const std::string& db_path, const LoopbackOptions& loopback) {
    std::unique_ptr<LoopbackServer> server(new LoopbackServer());
    server::SqliteServerStoreOptions options;
    options.path = db_path;
    options.durable = loopback.durable;
    ASSIGN_OR_RETURN(server->store_, server::OpenSqliteServerStore(options));
    if (loopback.tokens) {
      server->authenticator_ =
          std::make_unique<server::TokenAuthenticator>(server->store_.get());
    } else {
      server->authenticator_ = std::make_unique<server::DevAuthenticator>();
    }
    std::shared_ptr<grpc::ServerCredentials> credentials =
        grpc::InsecureServerCredentials();
    if (!loopback.tls_cert_pem.empty()) {
      grpc::SslServerCredentialsOptions ssl;
      ssl.pem_key_cert_pairs.push_back(
          {loopback.tls_key_pem, loopback.tls_cert_pem});
      credentials = grpc::SslServerCredentials(ssl);
    }
    server->handlers_ = std::make_unique<server::SyncHandlers>(
        server->store_.get(), SystemClock::Get(), server::ServerLimits{},
        /*seed=*/20261124);
    server->service_ = std::make_unique<server::GrpcSyncService>(
        server->handlers_.get(), server->authenticator_.get());
    const server::ServerLimits& limits = server->handlers_->limits();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", credentials, &server->port_);
    builder.RegisterService(server->service_.get());
    builder.SetMaxReceiveMessageSize(
        static_cast<int>(limits.max_message_bytes));
    builder.SetMaxSendMessageSize(static_cast<int>(limits.max_message_bytes));
    server->grpc_server_ = builder.BuildAndStart();
    if (server->grpc_server_ == nullptr || server->port_ == 0) {
      return absl::InternalError("cannot serve on 127.0.0.1");
    }
    return server;
  }

  ~LoopbackServer() {
    if (grpc_server_ != nullptr) {
      // Watch streams never end on their own: cancel what is left.
      grpc_server_->Shutdown(std::chrono::system_clock::now() +
                             std::chrono::seconds(2));
      grpc_server_->Wait();
    }
  }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  server::ServerStore& store() { return *store_; }
  server::SyncHandlers& handlers() { return *handlers_; }

 private:
  LoopbackServer() = default;

  std::unique_ptr<server::ServerStore> store_;
  std::unique_ptr<server::SyncHandlers> handlers_;
  std::unique_ptr<server::Authenticator> authenticator_;
  std::unique_ptr<server::GrpcSyncService> service_;
  std::unique_ptr<grpc::Server> grpc_server_;
  int port_ = 0;
};

// A client channel to `address` with the plansync client arguments. With
// `own_connection`, the channel does not share its TCP connection with other
// channels of the process (each simulated device has its own).
inline std::shared_ptr<grpc::Channel> ClientChannel(const std::string& address,
                                                    bool own_connection) {
  grpc::ChannelArguments args = sync::DefaultChannelArguments();
  if (own_connection) args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   args);
}

// As ClientChannel, over TLS, trusting `root_cert_pem` (the loopback
// server's self-signed certificate, which names 127.0.0.1).
inline std::shared_ptr<grpc::Channel> TlsClientChannel(
    const std::string& address, const std::string& root_cert_pem,
    bool own_connection) {
  grpc::ChannelArguments args = sync::DefaultChannelArguments();
  if (own_connection) args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = root_cert_pem;
  return grpc::CreateCustomChannel(address, grpc::SslCredentials(ssl), args);
}

}  // namespace plansync::bench

#endif  // PLANSYNC_BENCH_LOOPBACK_SERVER_H_
