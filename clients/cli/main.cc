// plansync: the command-line device. Each invocation opens one device store
// (--db FILE, or $PLANSYNC_DB), works offline, and syncs on `sync`.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/cli/record_args.h"
#include "clients/cli/report_command.h"
#include "core/device_store.h"
#include "core/errors.h"
#include "core/status_macros.h"
#include "sync/connect.h"
#include "sync/grpc_transport.h"
#include "sync/replicator.h"

namespace plansync::cli {
namespace {

constexpr char kUsage[] = R"(plansync: a plansync device on the command line.

usage: plansync --db FILE COMMAND [ARGS...]      (or set PLANSYNC_DB=FILE)

commands:
  init --user USER_ID --server HOST:PORT [--token-file FILE] [--ca CA.pem]
                      make this device's store for USER_ID; the device
                      token is read from FILE (or from $PLANSYNC_TOKEN)
                      at each sync, never taken on the command line
  add TYPE FIELD=VALUE...       create a record (Student, Plan, Goal, ...)
  set TYPE ID FIELD=VALUE...    change fields of a record
  archive TYPE ID               archive a record (records are never erased)
  append TYPE FIELD=VALUE...    record a log entry (LapseReport, ...)
  get TYPE ID [--json]          show one record
  list TYPE [FIELD=VALUE] [--all] [--json]
                                list records (--all: archived too)
  sync                          push local changes, pull everyone else's
  status [--json]               pending and rejected changes, last sync, hash
  rejected                      changes the server refused, and why
  report [SECTION] [--format F] [--out FILE] ...
                                the case manager's review (report --help)

examples:
  plansync --db mom.db init --user $U --server 127.0.0.1:7443 \
      --token-file diaz.token
  plansync --db mom.db append LapseReport student_id=$S accommodation_id=$A \
      day=2026-09-17 "what_happened=No extended time on the quiz"
  plansync --db teacher.db list ImplementationConfirmation accommodation_id=$A
  plansync --db teacher.db sync
)";

struct Args {
  std::string db;
  std::string command;
  std::vector<std::string> positional;  // TYPE, ID, FIELD=VALUE
  bool json = false;
  bool all = false;
  bool help = false;  // --help after a command
  std::string user, server, ca, token_file;
};

absl::StatusOr<Args> ParseArgs(int argc, char** argv) {
  Args args;
  if (const char* db = std::getenv("PLANSYNC_DB")) args.db = db;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string* out) -> absl::Status {
      if (i + 1 >= argc) {
        return absl::InvalidArgumentError(absl::StrCat(arg, " needs a value"));
      }
      *out = argv[++i];
      return absl::OkStatus();
    };
    if (arg == "--db") {
      RETURN_IF_ERROR(value(&args.db));
    } else if (arg == "--user") {
      RETURN_IF_ERROR(value(&args.user));
    } else if (arg == "--server") {
      RETURN_IF_ERROR(value(&args.server));
    } else if (arg == "--ca") {
      RETURN_IF_ERROR(value(&args.ca));
    } else if (arg == "--token-file") {
      RETURN_IF_ERROR(value(&args.token_file));
    } else if (arg == "--token" || arg.rfind("--token=", 0) == 0) {
      return absl::InvalidArgumentError(
          "a token is never taken on the command line, where other users "
          "and shell history can read it: give --token-file FILE to init, or "
          "set PLANSYNC_TOKEN");
    } else if (arg == "--json") {
      args.json = true;
    } else if (arg == "--all") {
      args.all = true;
    } else if (arg == "--help" || arg == "-h") {
      args.help = true;
      if (args.command.empty()) args.command = "help";
    } else if (args.command.empty()) {
      args.command = arg;
    } else {
      args.positional.push_back(arg);
    }
  }
  return args;
}

absl::StatusOr<std::unique_ptr<DeviceStore>> OpenDevice(const Args& args) {
  if (args.db.empty()) {
    return absl::InvalidArgumentError(
        "no device store: give --db FILE or set PLANSYNC_DB");
  }
  if (args.command != "init" && ::access(args.db.c_str(), F_OK) != 0) {
    return absl::NotFoundError(
        absl::StrCat(args.db, " does not exist; make it with: plansync --db ",
                     args.db, " init --user USER_ID --server HOST:PORT"));
  }
  DeviceStoreOptions options;
  options.path = args.db;
  options.principal_id = args.user;
  return DeviceStore::Open(options);
}

absl::Status Need(const Args& args, size_t count, absl::string_view what) {
  if (args.positional.size() < count) {
    return absl::InvalidArgumentError(
        absl::StrCat(args.command, " needs ", what, "; see plansync --help"));
  }
  return absl::OkStatus();
}

std::vector<std::string> Rest(const Args& args, size_t from) {
  return std::vector<std::string>(args.positional.begin() + from,
                                  args.positional.end());
}

// The token for this sync: $PLANSYNC_TOKEN, else the token file set at init.
absl::StatusOr<std::string> DeviceToken(DeviceStore& store) {
  if (const char* token = std::getenv("PLANSYNC_TOKEN")) {
    if (*token != '\0') {
      RETURN_IF_ERROR(sync::CheckToken(token));
      return std::string(token);
    }
  }
  ASSIGN_OR_RETURN(std::string token_file, store.Setting("token_file"));
  if (token_file.empty()) {
    return absl::FailedPreconditionError(
        "this device has no token: run init with --token-file FILE, or set "
        "PLANSYNC_TOKEN");
  }
  return sync::ReadTokenFile(token_file);
}

absl::Status Init(const Args& args) {
  if (args.user.empty() || args.server.empty()) {
    return absl::InvalidArgumentError(
        "init needs --user USER_ID and --server HOST:PORT");
  }
  std::string token_file;
  if (!args.token_file.empty()) {
    // Read once now, so a wrong path fails here and not at the first sync.
    RETURN_IF_ERROR(sync::ReadTokenFile(args.token_file).status());
    token_file = std::filesystem::absolute(args.token_file).string();
  }
  std::string ca_file;
  if (!args.ca.empty()) ca_file = std::filesystem::absolute(args.ca).string();
  ASSIGN_OR_RETURN(auto store, OpenDevice(args));
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    RETURN_IF_ERROR(store->SetSetting(txn, "server", args.server));
    RETURN_IF_ERROR(store->SetSetting(txn, "token_file", token_file));
    return store->SetSetting(txn, "ca_file", ca_file);
  }));
  std::printf("device %s ready for %s; server %s\n",
              store->replica_id().c_str(), store->principal_id().c_str(),
              args.server.c_str());
  return absl::OkStatus();
}

absl::Status Add(const Args& args, bool log) {
  RETURN_IF_ERROR(Need(args, 1, "a record type"));
  ASSIGN_OR_RETURN(const RecordType* type, FindType(args.positional[0]));
  ASSIGN_OR_RETURN(auto store, OpenDevice(args));
  auto record = NewRecordMessage(*type);
  RETURN_IF_ERROR(SetFields(*type, Rest(args, 1), record.get()).status());
  std::string id;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(
        id, log ? store->Append(txn, *record) : store->Create(txn, *record));
    return absl::OkStatus();
  }));
  std::printf("%s %s %s\n", log ? "recorded" : "created",
              type->short_name.c_str(), id.c_str());
  return absl::OkStatus();
}

absl::Status Set(const Args& args) {
  RETURN_IF_ERROR(Need(args, 3, "a record type, an id and FIELD=VALUE"));
  ASSIGN_OR_RETURN(const RecordType* type, FindType(args.positional[0]));
  ASSIGN_OR_RETURN(auto store, OpenDevice(args));
  auto record = NewRecordMessage(*type);
  RETURN_IF_ERROR(store->Get(args.positional[1], record.get()));
  ASSIGN_OR_RETURN(std::vector<std::string> names,
                   SetFields(*type, Rest(args, 2), record.get()));
  std::vector<absl::string_view> views(names.begin(), names.end());
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) {
    return store->Update(txn, *record, views);
  }));
  std::printf("updated %s %s\n", type->short_name.c_str(),
              args.positional[1].c_str());
  return absl::OkStatus();
}

absl::Status Archive(const Args& args) {
  RETURN_IF_ERROR(Need(args, 2, "a record type and an id"));
  ASSIGN_OR_RETURN(const RecordType* type, FindType(args.positional[0]));
  ASSIGN_OR_RETURN(auto store, OpenDevice(args));
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) {
    return store->Archive(txn, *type, args.positional[1]);
  }));
  std::printf("archived %s %s\n", type->short_name.c_str(),
              args.positional[1].c_str());
  return absl::OkStatus();
}

absl::Status Get(const Args& args) {
  RETURN_IF_ERROR(Need(args, 2, "a record type and an id"));
  ASSIGN_OR_RETURN(const RecordType* type, FindType(args.positional[0]));
  ASSIGN_OR_RETURN(auto store, OpenDevice(args));
  auto record = NewRecordMessage(*type);
  RETURN_IF_ERROR(store->Get(args.positional[1], record.get()));
  std::printf("%s\n", args.json ? RecordToJson(*record).c_str()
                                : RecordToText(*type, *record).c_str());
  return absl::OkStatus();
}

absl::Status List(const Args& args) {
  RETURN_IF_ERROR(Need(args, 1, "a record type"));
  ASSIGN_OR_RETURN(const RecordType* type, FindType(args.positional[0]));
  std::string field, value;
  if (args.positional.size() > 1) {
    const std::string& filter = args.positional[1];
    const size_t equals = filter.find('=');
    if (equals == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", filter, "\" is not FIELD=VALUE"));
    }
    field = filter.substr(0, equals);
    value = filter.substr(equals + 1);
  }
  ASSIGN_OR_RETURN(auto store, OpenDevice(args));
  std::vector<std::string> json;
  RETURN_IF_ERROR(
      store->Scan(*type, field, value, args.all,
                  [&](const google::protobuf::Message& record) {
                    if (args.json) {
                      json.push_back(RecordToJson(record));
                    } else {
                      std::printf("%s\n", RecordToText(*type, record).c_str());
                    }
                    return absl::OkStatus();
                  }));
  if (args.json) {
    std::printf("[");
    for (size_t i = 0; i < json.size(); ++i) {
      std::printf("%s%s", i == 0 ? "" : ",\n", json[i].c_str());
    }
    std::printf("]\n");
  }
  return absl::OkStatus();
}

void ShowProgress(const sync::SyncProgress& progress) {
  static bool tty = ::isatty(STDERR_FILENO);
  if (!tty) return;
  const char* phase = "connecting";
  switch (progress.phase) {
    case sync::SyncProgress::Phase::kPush:
      phase = "pushing";
      break;
    case sync::SyncProgress::Phase::kPull:
      phase = "pulling";
      break;
    case sync::SyncProgress::Phase::kDone:
      phase = "done";
      break;
    default:
      break;
  }
  std::string bar;
  if (progress.push_total > 0) {
    const int width = 24;
    const int filled = static_cast<int>(
        width * progress.pushed / std::max<int64_t>(1, progress.push_total));
    bar = absl::StrCat("[", std::string(filled, '#'),
                       std::string(width - filled, ' '), "] ");
  }
  std::fprintf(stderr, "\r%-10s %spushed %lld/%lld  pulled %lld   ", phase,
               bar.c_str(), static_cast<long long>(progress.pushed),
               static_cast<long long>(progress.push_total),
               static_cast<long long>(progress.pulled));
  if (progress.phase == sync::SyncProgress::Phase::kDone) {
    std::fprintf(stderr, "\n");
  }
}

absl::Status Sync(const Args& args) {
  ASSIGN_OR_RETURN(auto store, OpenDevice(args));
  ASSIGN_OR_RETURN(std::string server, store->Setting("server"));
  ASSIGN_OR_RETURN(std::string ca_file, store->Setting("ca_file"));
  if (server.empty()) {
    return absl::FailedPreconditionError(
        "this device has no server; run plansync init first");
  }
  ASSIGN_OR_RETURN(std::string token, DeviceToken(*store));
  ASSIGN_OR_RETURN(auto channel, sync::OpenChannel(server, ca_file));
  sync::TransportOptions transport_options;
  transport_options.token = std::move(token);
  sync::GrpcTransport transport(channel, transport_options);
  sync::Replicator replicator(store.get(), &transport);
  ASSIGN_OR_RETURN(sync::SyncReport report, replicator.SyncOnce(ShowProgress));
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) {
    return store->SetSetting(
        txn, "last_sync",
        absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone()));
  }));
  std::printf("synced: pushed %lld, refused %lld, pulled %lld\n",
              static_cast<long long>(report.accepted),
              static_cast<long long>(report.rejected),
              static_cast<long long>(report.pulled));
  if (report.held > 0) {
    std::printf(
        "  %lld changes from the server need a newer plansync; they are kept "
        "and applied once this device is updated\n",
        static_cast<long long>(report.held));
  }
  if (report.rejected > 0) {
    std::printf("  see why with: plansync --db %s rejected\n", args.db.c_str());
  }
  if (report.clock_ahead) {
    std::printf(
        "  some changes wait: this device's clock is ahead of the server's; "
        "set the clock right and sync again\n");
  }
  return absl::OkStatus();
}

absl::Status Status(const Args& args) {
  ASSIGN_OR_RETURN(auto store, OpenDevice(args));
  ASSIGN_OR_RETURN(int64_t pending, store->PendingCount());
  ASSIGN_OR_RETURN(auto rejected, store->RejectedChanges());
  ASSIGN_OR_RETURN(std::string server, store->Setting("server"));
  ASSIGN_OR_RETURN(std::string last_sync, store->Setting("last_sync"));
  ASSIGN_OR_RETURN(uint64_t hash, store->ContentHash());
  const std::string hash_text = absl::StrFormat("%016x", hash);
  if (args.json) {
    std::printf(
        "{\"replica_id\": \"%s\", \"principal_id\": \"%s\", \"server\": "
        "\"%s\", \"pending\": %lld, \"rejected\": %zu, \"last_sync\": \"%s\", "
        "\"content_hash\": \"%s\"}\n",
        store->replica_id().c_str(), store->principal_id().c_str(),
        server.c_str(), static_cast<long long>(pending), rejected.size(),
        last_sync.c_str(), hash_text.c_str());
    return absl::OkStatus();
  }
  std::printf(
      "device        %s\nuser          %s\nserver        %s\n"
      "pending       %lld changes\nrejected      %zu changes\n"
      "last sync     %s\ncontent hash  %s\n",
      store->replica_id().c_str(), store->principal_id().c_str(),
      server.empty() ? "(none)" : server.c_str(),
      static_cast<long long>(pending), rejected.size(),
      last_sync.empty() ? "never" : last_sync.c_str(), hash_text.c_str());
  return absl::OkStatus();
}

absl::Status Rejected(const Args& args) {
  ASSIGN_OR_RETURN(auto store, OpenDevice(args));
  ASSIGN_OR_RETURN(auto rejected, store->RejectedChanges());
  if (rejected.empty()) std::printf("no refused changes\n");
  for (const OutboxEntry& entry : rejected) {
    std::printf("change %llu  %s %s: %s (%s)\n",
                static_cast<unsigned long long>(entry.seq),
                entry.change.record_type().c_str(),
                entry.change.record_id().c_str(), entry.reject_message.c_str(),
                v1::Reason_Name(entry.reject_reason).c_str());
  }
  return absl::OkStatus();
}

int Run(int argc, char** argv) {
  absl::StatusOr<Args> args = ParseArgs(argc, argv);
  absl::Status status = args.status();
  if (status.ok()) {
    const std::string& command = args->command;
    if (command.empty() || command == "help") {
      std::fputs(kUsage, command.empty() ? stderr : stdout);
      return command.empty() ? 2 : 0;
    } else if (command == "init") {
      status = Init(*args);
    } else if (command == "add") {
      status = Add(*args, /*log=*/false);
    } else if (command == "append") {
      status = Add(*args, /*log=*/true);
    } else if (command == "set") {
      status = Set(*args);
    } else if (command == "archive") {
      status = Archive(*args);
    } else if (command == "get") {
      status = Get(*args);
    } else if (command == "list") {
      status = List(*args);
    } else if (command == "sync") {
      status = Sync(*args);
    } else if (command == "status") {
      status = Status(*args);
    } else if (command == "rejected") {
      status = Rejected(*args);
    } else if (command == "report" && args->help) {
      std::fputs(kReportUsage, stdout);
    } else if (command == "report") {
      auto store = OpenDevice(*args);
      status = store.status();
      if (status.ok()) {
        std::vector<std::string> rest = args->positional;
        if (args->json) rest.push_back("--json");
        status = RunReport(**store, rest);
      }
    } else {
      status = absl::InvalidArgumentError(absl::StrCat(
          "unknown command \"", command, "\"; see plansync --help"));
    }
  }
  if (!status.ok()) {
    std::fprintf(stderr, "plansync: %s\n",
                 std::string(status.message()).c_str());
    return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  return 0;
}

}  // namespace
}  // namespace plansync::cli

int main(int argc, char** argv) { return plansync::cli::Run(argc, argv); }
