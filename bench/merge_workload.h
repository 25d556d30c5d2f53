// The workload of the server merge benchmarks (server_merge_bench,
// pg_merge_bench): a seed server store holding a district (a user assigned
// to a student as case manager and teacher, with a device token), and the
// changes the user's device writes, cut into push requests. Header-only;
// for bench/ only.
#ifndef PLANSYNC_BENCH_MERGE_WORKLOAD_H_
#define PLANSYNC_BENCH_MERGE_WORKLOAD_H_

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "bench/caseload.h"
#include "bench/loopback_server.h"
#include "core/clock.h"
#include "core/device_store.h"
#include "core/status_macros.h"
#include "plansync/v1/records.pb.h"
#include "plansync/v1/sync.pb.h"
#include "server/admin.h"
#include "server/merger.h"
#include "server/sqlite_server_store.h"
#include "sync/grpc_transport.h"
#include "sync/replicator.h"

namespace plansync::bench {

inline constexpr int kBatchSize = 1000;  // = ServerLimits::max_changes_per_push
inline constexpr int kAccommodations = 50;

// --- The district ------------------------------------------------------------

// What the seed server store holds: a user assigned to a student as case
// manager and as teacher, and a device token of the user.
struct District {
  std::string user_id;
  std::string student_id;
  std::string token;  // the secret, "pst_..."
};

// Writes the district into a new server store at `path` through
// server::Admin, as `plansync-server admin` would.
inline absl::StatusOr<District> SeedServerStore(const std::string& path) {
  server::SqliteServerStoreOptions options;
  options.path = path;
  options.durable = false;  // setup, not measured
  ASSIGN_OR_RETURN(std::unique_ptr<server::ServerStore> store,
                   server::OpenSqliteServerStore(options));
  server::Admin admin(store.get(), SystemClock::Get(), /*seed=*/20261124);
  District district;
  ASSIGN_OR_RETURN(district.user_id,
                   admin.AddUser("Bench case manager", v1::ROLE_UNSPECIFIED));
  v1::Student student;
  student.set_given_name("Bench");
  student.set_family_name("Student");
  student.set_grade("4");
  ASSIGN_OR_RETURN(district.student_id, admin.AddStudent(student));
  for (const v1::Role role : {v1::CASE_MANAGER, v1::TEACHER}) {
    v1::Assignment assignment;
    assignment.set_user_id(district.user_id);
    assignment.set_student_id(district.student_id);
    assignment.set_role(role);
    if (role == v1::TEACHER) assignment.set_class_or_period("Period 3");
    RETURN_IF_ERROR(admin.Assign(assignment).status());
  }
  ASSIGN_OR_RETURN(server::IssuedToken issued,
                   admin.IssueToken(district.user_id, "bench device"));
  district.token = std::move(issued.token);
  return district;
}

// Copies the server store at `from` (closed) to `to`, with its WAL if any.
inline absl::Status CopyStore(const std::string& from, const std::string& to) {
  for (const char* suffix : {"", "-wal"}) {
    const std::string source = absl::StrCat(from, suffix);
    std::error_code error;
    if (!std::filesystem::exists(source, error)) continue;
    std::filesystem::copy_file(
        source, absl::StrCat(to, suffix),
        std::filesystem::copy_options::overwrite_existing, error);
    if (error) {
      return absl::InternalError(
          absl::StrCat("cannot copy ", source, ": ", error.message()));
    }
  }
  return absl::OkStatus();
}

// --- The changes -------------------------------------------------------------

// The user's device at `path` pulls the seed store at `seed_path` (with the
// token, over plaintext gRPC), then writes `total` changes (the caseload's
// own creation changes included) and returns them, cut into push requests
// of kBatchSize, oldest first.
inline absl::StatusOr<std::vector<v1::PushRequest>> MakeChanges(
    const std::string& path, const std::string& seed_path,
    const District& district, int total) {
  DeviceStoreOptions options;
  options.path = path;
  options.principal_id = district.user_id;
  options.seed = 20261124;
  options.durable = false;  // setup, not measured
  ASSIGN_OR_RETURN(std::unique_ptr<DeviceStore> store,
                   DeviceStore::Open(options));
  {
    LoopbackOptions loopback;
    loopback.durable = false;
    loopback.tokens = true;
    ASSIGN_OR_RETURN(std::unique_ptr<LoopbackServer> server,
                     LoopbackServer::Start(seed_path, loopback));
    sync::TransportOptions transport_options;
    transport_options.token = district.token;
    sync::GrpcTransport transport(
        ClientChannel(server->address(), /*own_connection=*/true),
        transport_options);
    sync::Replicator replicator(store.get(), &transport);
    ASSIGN_OR_RETURN(sync::SyncReport report, replicator.SyncOnce());
    RETURN_IF_ERROR(store->Get<v1::Student>(district.student_id).status());
    std::printf("  the device pulled %lld changes of the seed store\n",
                static_cast<long long>(report.pulled));
  }
  ASSIGN_OR_RETURN(
      Caseload caseload,
      CreateCaseloadFor(*store, district.student_id, kAccommodations));
  ASSIGN_OR_RETURN(int64_t pending, store->PendingCount());
  int log_entries = 0, field_writes = static_cast<int>(pending);
  for (int64_t i = 0; pending + i < total;) {
    ASSIGN_OR_RETURN(WriteTransaction txn, store->BeginWrite());
    for (const int64_t end = std::min<int64_t>(total - pending, i + kBatchSize);
         i < end; ++i) {
      if (i % 10 == 9) {
        // A register write: the title or the description of an
        // accommodation, to a value it does not hold yet.
        const int64_t n = i / 10;
        v1::Accommodation values;
        values.set_id(caseload.accommodation_ids[static_cast<size_t>(n) %
                                                 kAccommodations]);
        const bool title = (n / kAccommodations) % 2 == 0;
        if (title) {
          values.set_title(absl::StrCat("Extended time, revision ", n));
        } else {
          values.set_description(absl::StrCat(
              "1.5x time on tests and quizzes (revision ", n, ")"));
        }
        const absl::string_view field = title ? "title" : "description";
        RETURN_IF_ERROR(store->Update(txn, values, {&field, 1}));
        ++field_writes;
      } else {
        v1::ImplementationConfirmation entry = Confirmation(caseload, i);
        RETURN_IF_ERROR(store->Append(txn, entry).status());
        ++log_entries;
      }
    }
    RETURN_IF_ERROR(txn.Commit());
  }
  ASSIGN_OR_RETURN(std::vector<OutboxEntry> outbox,
                   store->PendingChanges(static_cast<size_t>(total) + 1));
  if (static_cast<int>(outbox.size()) != total) {
    return absl::InternalError(absl::StrCat(
        "the device's outbox holds ", outbox.size(), " changes, not ", total));
  }
  std::vector<v1::PushRequest> requests;
  for (size_t i = 0; i < outbox.size(); ++i) {
    if (i % kBatchSize == 0) requests.emplace_back();
    *requests.back().add_changes() = std::move(outbox[i].change);
  }
  std::printf("  changes: %d log entries + %d register writes\n", log_entries,
              field_writes);
  return requests;
}

// The number of items the server holds after merging `requests`: one per log
// entry and one per distinct (record, field) written.
inline int64_t ExpectedItems(const std::vector<v1::PushRequest>& requests) {
  int64_t log_entries = 0;
  std::set<std::pair<std::string, uint32_t>> registers;
  for (const v1::PushRequest& request : requests) {
    for (const v1::Change& change : request.changes()) {
      if (change.has_field_write()) {
        registers.emplace(change.record_id(),
                          change.field_write().field_number());
      } else {
        ++log_entries;
      }
    }
  }
  return log_entries + static_cast<int64_t>(registers.size());
}

// A change as a store binds it, computed before a raw baseline's clock
// starts: its serialization, its field number (0 for a log entry) and its
// content digest.
struct RawRow {
  const v1::Change* change;
  int field;
  std::string bytes;
  uint64_t digest;
};

// The rows of `requests`, a batch a request.
inline std::vector<std::vector<RawRow>> RawRows(
    const std::vector<v1::PushRequest>& requests) {
  std::vector<std::vector<RawRow>> batches;
  for (const v1::PushRequest& request : requests) {
    std::vector<RawRow>& rows = batches.emplace_back();
    for (const v1::Change& change : request.changes()) {
      std::string bytes = change.SerializeAsString();
      const uint64_t digest = server::ChangeDigest(bytes);
      rows.push_back(
          RawRow{&change,
                 change.has_field_write()
                     ? static_cast<int>(change.field_write().field_number())
                     : 0,
                 std::move(bytes), digest});
    }
  }
  return batches;
}

}  // namespace plansync::bench

#endif  // PLANSYNC_BENCH_MERGE_WORKLOAD_H_
