// plansync-server: the gRPC sync server.
//
//   plansync-server --db=server.db [--listen=127.0.0.1:7443]
//                   [--max_batch=1000] [--tls_cert=F --tls_key=F]
//                   [--max_watch_streams_per_token=16]
//                   [--max_pulls_per_token=4] [--request_log=true]
//   plansync-server admin COMMAND --db server.db ...   (server/admin_main.h)
//
// Every call must carry a device token issued by `plansync-server admin
// issue-token`.
// Prints "plansync-server listening on HOST:PORT" once it serves (port 0
// picks a free port). SIGINT or SIGTERM finish the calls in flight, then the
// server exits with status 0. Logs carry no tokens, names or record content;
// the request log (server/request_log.h) is one line per call on stderr.
// At start the soft open-file limit is raised to the hard one (each
// connection holds a descriptor), and the log says so.
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/uuid.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "server/admin_main.h"
#include "server/file_limit.h"
#include "server/flag_style.h"
#include "server/grpc_service.h"
#include "server/listen_address.h"
#include "server/malformed_request.h"
#include "server/open_store.h"
#include "server/periodic.h"
#include "server/sync_handlers.h"
#include "server/token_auth.h"
#include "server/watch_supervisor.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:7443",
          "address to serve on; plaintext only on loopback");
ABSL_FLAG(std::string, db, "",
          "the server store: a SQLite file, or a PostgreSQL database as a "
          "libpq URI (postgresql://USER@HOST:PORT/DB; the password from "
          "PGPASSWORD or ~/.pgpass, never a flag)");
ABSL_FLAG(int32_t, db_pool, 8,
          "PostgreSQL: connections kept open (transactions and reads at "
          "once)");
ABSL_FLAG(uint32_t, max_batch, 1000, "most changes accepted in one push");
ABSL_FLAG(int64_t, max_drift_ms, 5 * 60 * 1000,
          "how far ahead of the server's clock a change may be stamped (ms)");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain for TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key for TLS");
ABSL_FLAG(bool, durable, true,
          "sync every committed push to disk before answering");
ABSL_FLAG(int64_t, watch_check_ms, 1000,
          "how often open Watch streams are checked against revoked tokens "
          "and changed assignments (ms)");
ABSL_FLAG(uint32_t, max_watch_streams_per_token, 16,
          "most Watch streams one device token may hold open at once");
ABSL_FLAG(uint32_t, max_pulls_per_token, 4,
          "most Pulls one device token may run at once");
ABSL_FLAG(uint32_t, max_pushes_in_flight, 64,
          "most pushes merged or waiting for the store at once; more are "
          "refused with RESOURCE_EXHAUSTED and a retry hint");
ABSL_FLAG(int64_t, push_retry_after_ms, 200,
          "the retry hint of a push refused for --max_pushes_in_flight (ms)");
ABSL_FLAG(uint32_t, max_watch_delta_changes, 100,
          "most changes a Watch event carries to a device that asked for "
          "them; more and the event is a poke (the device pulls)");
ABSL_FLAG(int64_t, access_log_refresh_ms, 5 * 60 * 1000,
          "how often the access log's count of an accessor's repeated pulls "
          "is written (ms); a new accessor, day or type of record is written "
          "at once, and 0 writes every pull");
ABSL_FLAG(uint32_t, max_change_bytes, 64 * 1024,
          "largest serialized change accepted in a push (bytes)");
ABSL_FLAG(uint32_t, max_pull_cursors, 1000,
          "most buckets one Pull may name; devices split theirs to fit");
ABSL_FLAG(uint64_t, max_pull_bytes, 64 * 1024 * 1024,
          "most bytes of changes one Pull sends before it ends with `more`");
ABSL_FLAG(bool, request_log, true,
          "one line per call on stderr: method, principal id, counts, "
          "status, milliseconds (never a token, a name or record content)");

namespace {

using namespace plansync;  // NOLINT: the program's entry point

int Serve() {
  const std::string db = absl::GetFlag(FLAGS_db);
  if (db.empty()) {
    std::fprintf(stderr, "plansync-server: --db is required\n");
    return 2;
  }
  // Every connection holds a file descriptor.
  absl::StatusOr<server::FileLimit> files = server::RaiseOpenFileLimit();
  if (files.ok()) {
    std::fprintf(stderr, "plansync-server: %s\n",
                 server::DescribeFileLimit(*files).c_str());
  } else {
    std::fprintf(stderr, "plansync-server: %s\n",
                 std::string(files.status().message()).c_str());
  }
  const std::string listen = absl::GetFlag(FLAGS_listen);
  const std::string cert_path = absl::GetFlag(FLAGS_tls_cert);
  const std::string key_path = absl::GetFlag(FLAGS_tls_key);
  if (cert_path.empty() != key_path.empty()) {
    std::fprintf(stderr,
                 "plansync-server: --tls_cert and --tls_key go together\n");
    return 2;
  }
  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (cert_path.empty()) {
    if (!server::IsLoopbackAddress(listen)) {
      std::fprintf(stderr,
                   "plansync-server: refusing to serve plaintext on %s: "
                   "tokens and student records would cross the network "
                   "unencrypted. Give --tls_cert and --tls_key, or listen "
                   "on a loopback address (127.0.0.1, ::1, localhost).\n",
                   listen.c_str());
      return 2;
    }
    credentials = grpc::InsecureServerCredentials();
  } else {
    grpc::SslServerCredentialsOptions ssl;
    grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
    absl::StatusOr<std::string> cert = ReadFileToString(cert_path);
    absl::StatusOr<std::string> key = ReadFileToString(key_path);
    if (!cert.ok() || !key.ok()) {
      std::fprintf(stderr, "plansync-server: cannot read the TLS files\n");
      return 2;
    }
    pair.cert_chain = std::move(*cert);
    pair.private_key = std::move(*key);
    ssl.pem_key_cert_pairs.push_back(std::move(pair));
    credentials = grpc::SslServerCredentials(ssl);
  }

  server::StoreChoice store_choice;
  store_choice.db = db;
  store_choice.durable = absl::GetFlag(FLAGS_durable);
  store_choice.pool_size = absl::GetFlag(FLAGS_db_pool);
  auto store = server::OpenServerStore(store_choice);
  if (!store.ok()) {
    std::fprintf(stderr, "plansync-server: %s\n",
                 std::string(store.status().message()).c_str());
    return 1;
  }
  server::ServerLimits limits;
  limits.max_changes_per_push = absl::GetFlag(FLAGS_max_batch);
  limits.max_clock_drift_ms = absl::GetFlag(FLAGS_max_drift_ms);
  limits.max_watch_streams_per_token =
      absl::GetFlag(FLAGS_max_watch_streams_per_token);
  limits.max_pulls_per_token = absl::GetFlag(FLAGS_max_pulls_per_token);
  limits.max_change_bytes = absl::GetFlag(FLAGS_max_change_bytes);
  limits.max_pull_cursors = absl::GetFlag(FLAGS_max_pull_cursors);
  limits.max_pull_bytes = absl::GetFlag(FLAGS_max_pull_bytes);
  limits.max_pushes_in_flight = absl::GetFlag(FLAGS_max_pushes_in_flight);
  limits.push_retry_after_ms = absl::GetFlag(FLAGS_push_retry_after_ms);
  limits.access_log_refresh_ms = absl::GetFlag(FLAGS_access_log_refresh_ms);
  limits.max_watch_delta_changes = absl::GetFlag(FLAGS_max_watch_delta_changes);
  if (limits.max_watch_streams_per_token == 0 ||
      limits.max_pulls_per_token == 0 || limits.max_pull_cursors == 0 ||
      limits.max_pull_bytes == 0 || limits.max_change_bytes == 0 ||
      limits.max_pushes_in_flight == 0) {
    std::fprintf(stderr,
                 "plansync-server: --max_watch_streams_per_token, "
                 "--max_pulls_per_token, --max_change_bytes, "
                 "--max_pull_cursors, --max_pull_bytes and "
                 "--max_pushes_in_flight must be at least 1\n");
    return 2;
  }
  if (limits.push_retry_after_ms < 0 || limits.push_retry_after_ms > 60000) {
    std::fprintf(stderr,
                 "plansync-server: --push_retry_after_ms must be between 0 "
                 "and 60000\n");
    return 2;
  }
  if (limits.access_log_refresh_ms < 0 ||
      limits.access_log_refresh_ms > 24 * 60 * 60 * 1000) {
    std::fprintf(stderr,
                 "plansync-server: --access_log_refresh_ms must be between 0 "
                 "and 86400000 (a day)\n");
    return 2;
  }
  server::SyncHandlers handlers(store->get(), SystemClock::Get(), limits,
                                IdGenerator::RandomSeed());
  server::TokenAuthenticator authenticator(store->get());
  server::GrpcServiceOptions service_options;
  service_options.request_log = absl::GetFlag(FLAGS_request_log);
  server::GrpcSyncService service(&handlers, &authenticator, service_options);
  // Other processes serving the same store (PostgreSQL) poke this one's
  // Watch streams through the store.
  server::WatchHub& hub = handlers.watch_hub();
  absl::Status listening = (*store)->ListenForOtherProcesses(
      [&hub](const absl::flat_hash_map<std::string, int64_t>& heads) {
        hub.Publish(heads);
      },
      [&hub] { return hub.WatchedBuckets(); });
  if (!listening.ok()) {
    std::fprintf(stderr, "plansync-server: %s\n",
                 std::string(listening.message()).c_str());
    return 1;
  }
  // Stops before the hub it pokes goes.
  absl::Cleanup stop_listening = [&store] {
    (*store)->StopListeningForOtherProcesses();
  };
  // Held access-log counts are written when due, and at shutdown.
  auto flush_access_log = [&handlers](bool all) {
    absl::StatusOr<int64_t> pulls = handlers.FlushAccessLog(all);
    if (!pulls.ok()) {
      // The code only: messages may name records.
      std::fprintf(stderr,
                   "plansync-server: writing the access log failed (%s); its "
                   "counts are kept and written later\n",
                   absl::StatusCodeToString(pulls.status().code()).c_str());
    } else if (all) {
      std::fprintf(stderr,
                   "plansync-server: access log: %lld held pulls written\n",
                   static_cast<long long>(*pulls));
    }
  };
  server::Periodic access_log_flusher(
      std::clamp(absl::Milliseconds(limits.access_log_refresh_ms) / 5,
                 absl::Milliseconds(100), absl::Seconds(10)),
      [&flush_access_log] { flush_access_log(/*all=*/false); });
  server::WatchSupervisor supervisor(
      &handlers, store->get(),
      absl::Milliseconds(absl::GetFlag(FLAGS_watch_check_ms)));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, credentials, &port);
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(static_cast<int>(limits.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(limits.max_message_bytes));
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(
      std::make_unique<server::MalformedRequestInterceptorFactory>(
          std::vector<std::string>{v1::SyncService::service_full_name()},
          service_options.request_log));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::unique_ptr<grpc::Server> grpc_server = builder.BuildAndStart();
  if (grpc_server == nullptr || port == 0) {
    std::fprintf(stderr, "plansync-server: cannot listen on %s\n",
                 listen.c_str());
    return 1;
  }
  const std::string host = listen.substr(0, listen.rfind(':'));
  std::printf("plansync-server listening on %s:%d\n", host.c_str(), port);
  std::fflush(stdout);

  // SIGINT / SIGTERM: stop taking calls, finish those in flight (up to 10 s).
  std::thread stopper([&grpc_server] {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    int signal = 0;
    sigwait(&signals, &signal);
    std::fprintf(stderr, "plansync-server: signal %d, shutting down\n", signal);
    grpc_server->Shutdown(std::chrono::system_clock::now() +
                          std::chrono::seconds(10));
  });
  grpc_server->Wait();
  stopper.join();
  flush_access_log(/*all=*/true);
  std::fprintf(stderr, "plansync-server: stopped\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Block the stop signals in every thread; the stopper thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // Abseil's lock-order graph (on in Debian's build of the library, and used
  // by gRPC's locks) grows with every open connection: with 19,000 Watch
  // streams its upkeep slowed the fan-out of a change. Tests, which run the
  // same code in-process, keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  if (argc >= 2 && std::string(argv[1]) == "admin") {
    return plansync::server::RunAdmin(argc - 2, argv + 2);
  }
  absl::SetProgramUsageMessage(
      "plansync sync server.\n  plansync-server --db=server.db "
      "[--listen=127.0.0.1:7443]\n  plansync-server admin --help   (users, "
      "assignments, tokens)");
  // Flags are written with hyphens, as the CLI's (--max-pulls-per-token=2);
  // the underscore spelling of the flag library is accepted too.
  std::vector<std::string> args;
  for (int i = 0; i < argc; ++i) {
    args.push_back(i == 0 ? std::string(argv[i])
                          : plansync::server::FlagWithUnderscores(argv[i]));
    if (i > 0 && (args.back() == "--help" || args.back() == "-h")) {
      std::fputs(plansync::server::ServerHelp().c_str(), stdout);
      return 0;
    }
  }
  std::vector<char*> pointers;
  for (std::string& arg : args) pointers.push_back(arg.data());
  absl::ParseCommandLine(static_cast<int>(pointers.size()), pointers.data());
  return Serve();
}
