// The device and its records: init, sync, status, rejected, and the generic
// record commands (add, set, archive, append, get, list) that take any
// record type with FIELD=VALUE arguments.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/cli/commands.h"
#include "clients/cli/record_args.h"
#include "core/status_macros.h"
#include "core/uuid.h"
#include "sync/connect.h"
#include "sync/grpc_transport.h"
#include "sync/replicator.h"

namespace plansync::cli {
namespace {

const FlagSpec kJson{"--json", "", "print JSON"};

std::vector<std::string> Rest(const Flags& flags, size_t from) {
  return std::vector<std::string>(flags.args().begin() + from,
                                  flags.args().end());
}

// What a user does about a token the server will not take.
constexpr char kNewToken[] =
    "ask the district administrator for a new token (plansync-server admin "
    "issue-token), then run plansync init --user ID --server HOST:PORT "
    "--token-file FILE on this device";

// The pending (unsent) changes of a store, and how many records they touch.
struct PendingSummary {
  int64_t changes = 0;
  int64_t records = 0;
  // "12 changes to 3 records"; "1 change to 1 record".
  std::string Text() const {
    return absl::StrCat(changes, changes == 1 ? " change" : " changes", " to ",
                        records, records == 1 ? " record" : " records");
  }
  // What a failed sync leaves: "your 2 changes to 1 record are kept ...".
  std::string Kept() const {
    if (changes == 0) return "nothing of this device's is waiting to be sent";
    return absl::StrCat("your ", Text(), changes == 1 ? " is" : " are",
                        " kept on this device and will be sent at the next "
                        "sync");
  }
};

absl::StatusOr<PendingSummary> Pending(DeviceStore& store) {
  ASSIGN_OR_RETURN(const std::vector<OutboxEntry> entries,
                   store.PendingChanges(static_cast<size_t>(
                       std::numeric_limits<int64_t>::max())));
  absl::flat_hash_set<std::string> records;
  for (const OutboxEntry& entry : entries) {
    records.insert(entry.change.record_id());
  }
  return PendingSummary{static_cast<int64_t>(entries.size()),
                        static_cast<int64_t>(records.size())};
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

// Asks the server whose `token` is (Hello, with the new store's replica id):
// FAILED_PRECONDITION if it is another user's than the store's,
// UNAUTHENTICATED if the server does not accept it, UNAVAILABLE or
// DEADLINE_EXCEEDED if the server cannot be reached now.
absl::Status CheckUserWithServer(DeviceStore& store, const std::string& server,
                                 const std::string& ca_file,
                                 const std::string& token) {
  ASSIGN_OR_RETURN(auto channel, sync::OpenChannel(server, ca_file));
  sync::TransportOptions options;
  options.token = token;
  options.hello_deadline = absl::Seconds(3);
  sync::GrpcTransport transport(channel, options);
  v1::HelloRequest hello;
  hello.set_replica_id(store.replica_id());
  hello.set_device_hlc(store.clock().Last());
  hello.set_schema_version(kSchemaVersion);
  ASSIGN_OR_RETURN(v1::HelloResponse response, transport.Hello(hello));
  if (response.principal_id() != store.principal_id()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the token is user ", response.principal_id(), "'s, not --user ",
        store.principal_id(),
        "'s: give the id of the token's user, or that user's token"));
  }
  return absl::OkStatus();
}

absl::Status Init(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(std::string user, flags.Require("--user"));
  if (!IsUuid(user)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--user \"", user,
        "\" is not a user id: give the id the district administrator "
        "made for the user (a UUID; plansync-server admin list-users shows "
        "each user's); nothing created"));
  }
  ASSIGN_OR_RETURN(std::string server, flags.Require("--server"));
  std::string token_file, token;
  if (flags.Has("--token-file")) {
    // Read once now, so a wrong path fails here and not at the first sync.
    ASSIGN_OR_RETURN(token, sync::ReadTokenFile(flags.Get("--token-file")));
    token_file = std::filesystem::absolute(flags.Get("--token-file")).string();
  }
  std::string ca_file;
  if (flags.Has("--ca")) {
    ca_file = std::filesystem::absolute(flags.Get("--ca")).string();
  }
  const bool existed = std::filesystem::exists(context.db());
  ASSIGN_OR_RETURN(DeviceStore * store, context.CreateStore(user));
  if (!token.empty()) {
    const absl::Status checked =
        CheckUserWithServer(*store, server, ca_file, token);
    // Only a server that cannot be reached now leaves the check to the
    // first sync; anything it answers otherwise (another user's token, a
    // revoked one, an archived user) stops the init.
    const bool unreachable =
        checked.code() == absl::StatusCode::kUnavailable ||
        checked.code() == absl::StatusCode::kDeadlineExceeded;
    if (!checked.ok() && !unreachable) {
      if (!existed) RETURN_IF_ERROR(context.RemoveStore());
      return absl::Status(
          checked.code(),
          absl::StrCat(checked.message(),
                       checked.code() == absl::StatusCode::kUnauthenticated
                           ? "; ask the district administrator for a new "
                             "token (plansync-server admin issue-token)"
                           : "",
                       existed ? "" : "; nothing created"));
    }
    if (unreachable) {
      std::printf(
          "the server cannot be reached now (%s); the user and the token "
          "are checked at the first sync\n",
          absl::StatusCodeToString(checked.code()).c_str());
    }
  }
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    RETURN_IF_ERROR(store->SetSetting(txn, "server", server));
    RETURN_IF_ERROR(store->SetSetting(txn, "token_file", token_file));
    return store->SetSetting(txn, "ca_file", ca_file);
  }));
  std::printf("device %s ready for %s; server %s\n",
              store->replica_id().c_str(), store->principal_id().c_str(),
              server.c_str());
  return absl::OkStatus();
}

absl::Status AddRecord(Context& context, bool log) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const RecordType* type, FindType(flags.args()[0]));
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  auto record = NewRecordMessage(*type);
  RETURN_IF_ERROR(SetFields(*type, Rest(flags, 1), record.get()).status());
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

absl::Status Add(Context& context) { return AddRecord(context, false); }
absl::Status Append(Context& context) { return AddRecord(context, true); }

absl::Status Set(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const RecordType* type, FindType(flags.args()[0]));
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(const std::string id,
                   store->ResolveId(*type, flags.args()[1]));
  auto record = NewRecordMessage(*type);
  RETURN_IF_ERROR(store->Get(id, record.get()));
  ASSIGN_OR_RETURN(std::vector<std::string> names,
                   SetFields(*type, Rest(flags, 2), record.get()));
  std::vector<absl::string_view> views(names.begin(), names.end());
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) {
    return store->Update(txn, *record, views);
  }));
  std::printf("updated %s %s\n", type->short_name.c_str(), id.c_str());
  return absl::OkStatus();
}

absl::Status Archive(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const RecordType* type, FindType(flags.args()[0]));
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(const std::string id,
                   store->ResolveId(*type, flags.args()[1]));
  RETURN_IF_ERROR(store->Write(
      [&](WriteTransaction& txn) { return store->Archive(txn, *type, id); }));
  std::printf("archived %s %s\n", type->short_name.c_str(), id.c_str());
  return absl::OkStatus();
}

absl::Status Get(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const RecordType* type, FindType(flags.args()[0]));
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(const std::string id,
                   store->ResolveId(*type, flags.args()[1]));
  auto record = NewRecordMessage(*type);
  RETURN_IF_ERROR(store->Get(id, record.get()));
  std::printf("%s\n", flags.Has("--json")
                          ? RecordToJson(*record).c_str()
                          : RecordToText(*type, *record).c_str());
  return absl::OkStatus();
}

absl::Status List(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const RecordType* type, FindType(flags.args()[0]));
  std::string field, value;
  if (flags.args().size() > 1) {
    const std::string& filter = flags.args()[1];
    const size_t equals = filter.find('=');
    if (equals == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", filter, "\" is not FIELD=VALUE"));
    }
    field = filter.substr(0, equals);
    value = filter.substr(equals + 1);
  }
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  const bool json = flags.Has("--json");
  std::vector<std::string> lines;
  RETURN_IF_ERROR(store->Scan(*type, field, value, flags.Has("--all"),
                              [&](const google::protobuf::Message& record) {
                                lines.push_back(
                                    json ? RecordToJson(record)
                                         : RecordToText(*type, record));
                                return absl::OkStatus();
                              }));
  if (!json) {
    for (const std::string& line : lines) std::printf("%s\n", line.c_str());
    return absl::OkStatus();
  }
  std::printf("[");
  for (size_t i = 0; i < lines.size(); ++i) {
    std::printf("%s%s", i == 0 ? "" : ",\n", lines[i].c_str());
  }
  std::printf("]\n");
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
    case sync::SyncProgress::Phase::kIndex:
      phase = "indexing";
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

absl::Status Sync(Context& context) {
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(std::string server, store->Setting("server"));
  ASSIGN_OR_RETURN(std::string ca_file, store->Setting("ca_file"));
  if (server.empty()) {
    return absl::FailedPreconditionError(
        "this device has no server; run plansync init first");
  }
  ASSIGN_OR_RETURN(const PendingSummary pending, Pending(*store));
  absl::StatusOr<std::string> token = DeviceToken(*store);
  if (!token.ok()) {
    return absl::Status(token.status().code(),
                        absl::StrCat(token.status().message(), "; ", kNewToken,
                                     "; ", pending.Kept()));
  }
  ASSIGN_OR_RETURN(auto channel, sync::OpenChannel(server, ca_file));
  sync::TransportOptions transport_options;
  transport_options.token = *std::move(token);
  sync::GrpcTransport transport(channel, transport_options);
  sync::Replicator replicator(store, &transport);
  absl::StatusOr<sync::SyncReport> synced = replicator.SyncOnce(ShowProgress);
  if (!synced.ok()) {
    const absl::StatusCode code = synced.status().code();
    if (code == absl::StatusCode::kUnavailable ||
        code == absl::StatusCode::kDeadlineExceeded) {
      return absl::UnavailableError(absl::StrCat(
          "could not reach the server at ", server,
          " (it may be down, or this device offline); ", pending.Kept()));
    }
    if (code == absl::StatusCode::kUnauthenticated) {
      return absl::UnauthenticatedError(absl::StrCat(
          "the server does not accept this device's token (it was revoked, "
          "or the server does not know it); ",
          kNewToken, "; ", pending.Kept()));
    }
    return synced.status();
  }
  const sync::SyncReport& report = *synced;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) {
    return store->SetSetting(
        txn, "last_sync",
        absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone()));
  }));
  // `pulled` counts the others' changes; this device's own come back only
  // when a whole bucket is sent (its first sync, or after an eviction).
  std::printf("synced: pushed %lld, refused %lld, pulled %lld%s\n",
              static_cast<long long>(report.accepted),
              static_cast<long long>(report.rejected),
              static_cast<long long>(report.pulled),
              report.pulled_own == 0
                  ? ""
                  : absl::StrCat(" (and ", report.pulled_own,
                                 " of this device's own, as the server holds "
                                 "them)")
                        .c_str());
  if (report.held > 0) {
    std::printf(
        "  %lld changes from the server need a newer plansync; they are kept "
        "and applied once this device is updated\n",
        static_cast<long long>(report.held));
  }
  // Each refusal with its reason: a refused change of a student this
  // device no longer has access to leaves with the student's records.
  constexpr size_t kShown = 20;
  for (size_t i = 0; i < report.refusals.size() && i < kShown; ++i) {
    const sync::Refusal& refusal = report.refusals[i];
    const RecordType* type = Schema::Get().Find(refusal.record_type);
    std::printf("  refused %s %s: %s (%s)\n",
                type == nullptr ? refusal.record_type.c_str()
                                : type->short_name.c_str(),
                refusal.record_id.c_str(), refusal.message.c_str(),
                v1::Reason_Name(refusal.reason).c_str());
  }
  if (report.refusals.size() > kShown) {
    std::printf(
        "  ... and %zu more; see them with: plansync --db %s rejected\n",
        report.refusals.size() - kShown, context.db().c_str());
  }
  const auto students = std::count_if(
      report.evicted_buckets.begin(), report.evicted_buckets.end(),
      [](const std::string& bucket) {
        return absl::StartsWith(bucket, StudentBucket(""));
      });
  if (students > 0) {
    std::printf(
        "  this device no longer has access to %lld student%s; their records "
        "were removed from it\n",
        static_cast<long long>(students), students == 1 ? "" : "s");
  }
  if (report.clock_ahead) {
    std::printf(
        "  some changes wait: this device's clock is ahead of the server's; "
        "set the clock right and sync again\n");
  }
  return absl::OkStatus();
}

absl::Status Status(Context& context) {
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(const PendingSummary pending, Pending(*store));
  ASSIGN_OR_RETURN(auto rejected, store->RejectedChanges());
  ASSIGN_OR_RETURN(std::string server, store->Setting("server"));
  ASSIGN_OR_RETURN(std::string last_sync, store->Setting("last_sync"));
  ASSIGN_OR_RETURN(uint64_t hash, store->ContentHash());
  const std::string hash_text = absl::StrFormat("%016x", hash);
  if (context.flags().Has("--json")) {
    std::printf(
        "{\"replica_id\": \"%s\", \"principal_id\": \"%s\", \"server\": "
        "\"%s\", \"pending\": %lld, \"pending_records\": %lld, "
        "\"rejected\": %zu, \"last_sync\": \"%s\", \"content_hash\": "
        "\"%s\"}\n",
        store->replica_id().c_str(), store->principal_id().c_str(),
        server.c_str(), static_cast<long long>(pending.changes),
        static_cast<long long>(pending.records), rejected.size(),
        last_sync.c_str(), hash_text.c_str());
    return absl::OkStatus();
  }
  std::printf(
      "device        %s\nuser          %s\nserver        %s\n"
      "pending       %s\nrejected      %zu changes\n"
      "last sync     %s\ncontent hash  %s\n",
      store->replica_id().c_str(), store->principal_id().c_str(),
      server.empty() ? "(none)" : server.c_str(), pending.Text().c_str(),
      rejected.size(), last_sync.empty() ? "never" : last_sync.c_str(),
      hash_text.c_str());
  return absl::OkStatus();
}

absl::Status Rejected(Context& context) {
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
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

}  // namespace

std::vector<Command> DeviceCommands() {
  std::vector<Command> commands;
  commands.push_back(
      {.name = "init",
       .synopsis = "--user USER_ID --server HOST:PORT [--token-file FILE] "
                   "[--ca CA.pem]",
       .summary = "make this device's store for a user",
       .description =
           "The device token is read from FILE (or from $PLANSYNC_TOKEN) at "
           "each sync, never\ntaken on the command line.",
       .flags = {{"--user", "USER_ID", "the device's user (directory id)"},
                 {"--server", "HOST:PORT", "the sync server"},
                 {"--token-file", "FILE", "file holding the device token"},
                 {"--ca", "CA.pem", "trust this CA for TLS to the server"}},
       .examples = {"plansync --db mom.db init --user $U --server "
                    "127.0.0.1:7443 --token-file diaz.token"},
       .run = Init});
  commands.push_back({.name = "sync",
                      .summary = "push local changes, pull everyone else's",
                      .examples = {"plansync --db mom.db sync"},
                      .run = Sync});
  commands.push_back(
      {.name = "status",
       .synopsis = "[--json]",
       .summary = "pending and refused changes, last sync, content hash",
       .flags = {kJson},
       .examples = {"plansync --db mom.db status --json"},
       .run = Status});
  commands.push_back({.name = "rejected",
                      .summary = "changes the server refused, and why",
                      .examples = {"plansync --db lee.db rejected"},
                      .run = Rejected});
  commands.push_back(
      {.name = "add",
       .synopsis = "TYPE FIELD=VALUE...",
       .summary = "create a record of any type (Student, Plan, ...)",
       .description =
           "Values: text as given; numbers; true/false; enum values by name, "
           "with or without\nthe enum's prefix, any case (status=active).",
       .min_args = 1,
       .max_args = -1,
       .examples = {"plansync --db admin.db add SchoolHoliday day=2026-11-26 "
                    "\"name=Thanksgiving\""},
       .run = Add});
  commands.push_back({.name = "set",
                      .synopsis = "TYPE ID FIELD=VALUE...",
                      .summary = "change fields of a record",
                      .min_args = 3,
                      .max_args = -1,
                      .examples = {"plansync --db okafor.db set Plan $P "
                                   "annual_review_due=2027-08-23"},
                      .run = Set});
  commands.push_back({.name = "archive",
                      .synopsis = "TYPE ID",
                      .summary = "archive a record (records are never erased)",
                      .min_args = 2,
                      .max_args = 2,
                      .examples = {"plansync --db okafor.db archive Goal $G"},
                      .run = Archive});
  commands.push_back(
      {.name = "append",
       .synopsis = "TYPE FIELD=VALUE...",
       .summary = "record a log entry of any type (Comment, ...)",
       .min_args = 1,
       .max_args = -1,
       .examples = {"plansync --db mom.db append Comment student_id=$S "
                    "about_record_id=$L about_record_type=plansync.v1."
                    "LapseReport \"text=Thank you\""},
       .run = Append});
  commands.push_back({.name = "get",
                      .synopsis = "TYPE ID [--json]",
                      .summary = "show one record",
                      .flags = {kJson},
                      .min_args = 2,
                      .max_args = 2,
                      .examples = {"plansync --db mom.db get Plan $P --json"},
                      .run = Get});
  commands.push_back(
      {.name = "list",
       .synopsis = "TYPE [FIELD=VALUE] [--all] [--json]",
       .summary = "list records (--all: archived too)",
       .flags = {{"--all", "", "archived records too"}, kJson},
       .min_args = 1,
       .max_args = 2,
       .examples = {"plansync --db lee.db list ImplementationConfirmation "
                    "accommodation_id=$A"},
       .run = List});
  return commands;
}

}  // namespace plansync::cli
