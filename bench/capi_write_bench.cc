// Write throughput through the public C API (libplansync), as an app sees it.
//
//   capi_write_bench [--quick]
//
// Links libplansync alone, as an app does, and encodes records in protobuf
// wire format by hand (tests/capi/wire.h), as a C app does. A durable store
// (PLANSYNC_DURABILITY_FULL) on a real file in a scratch directory under
// $TMPDIR, removed at the end. After a student, an active plan and an
// accommodation are created:
//
// - batched: 100,000 ImplementationConfirmation entries (10,000 with
//   --quick) appended with plansync_append, 500 per write transaction
//   (plansync_begin_write ... plansync_commit). Metric
//   capi_write_batched_per_s: entries per wall second, commits included.
//   scripts/bench sets it against device_write_batched_per_s of the same run
//   (the C++ core's figure) as capi_vs_device_write_ratio.
// - unbatched: 500 entries, each plansync_append its own durable
//   transaction (what an app gets without transactions). Metric
//   capi_write_unbatched_per_s.
// - push and bootstrap, through the real server (build-*/server/
//   plansync-server, its path compiled in, started on a new file with
//   --listen=127.0.0.1:0; plaintext on loopback, device tokens). A district
//   made with `plansync-server admin`: a student, and one user who is its
//   case manager and its teacher, with two devices' tokens. The tablet's
//   store (durable) pulls the student, makes a plan and an accommodation
//   and appends the same confirmations (500 per transaction), then:
//   capi_push_per_s, the changes pending (the confirmations and the plan's
//   and accommodation's field writes) over the wall seconds of one
//   plansync_sync pushing only; scripts/bench sets it against
//   server_merge_per_s of the same run as capi_push_vs_merge_ratio.
//   capi_bootstrap_per_s: the laptop's new store pulling everything with one
//   plansync_sync (pull only), changes applied per wall second.
#include <plansync/plansync.h>

#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bench/harness.h"
#include "bench/server_process.h"
#include "tests/capi/wire.h"

#ifndef PLANSYNC_SERVER_BINARY
#error "PLANSYNC_SERVER_BINARY must name the plansync-server binary"
#endif

namespace plansync::bench {
namespace {

constexpr int kBatch = 500;
constexpr char kPrincipal[] = "0190a5b2-7c3e-7a41-9d2f-5b8e1c4a6f30";

// Field numbers and enum values of records.proto.
enum {
  kStudentGivenName = 6,
  kStudentFamilyName = 7,
  kPlanStudentId = 2,
  kPlanKind = 4,
  kPlanStatus = 5,
  kPlanVersion = 6,
  kPlanJurisdiction = 8,
  kPlanStartDate = 11,
  kPlanAnnualReviewDue = 13,
  kAccommodationStudentId = 2,
  kAccommodationPlanId = 4,
  kAccommodationKind = 5,
  kAccommodationCategory = 6,
  kAccommodationTitle = 7,
  kAccommodationDescription = 8,
  kConfirmationStudentId = 2,
  kConfirmationAccommodationId = 5,
  kConfirmationDay = 6,
  kConfirmationClassOrPeriod = 7,
  kConfirmationStatus = 8,
  kConfirmationNote = 9,
  kPlanKindIep = 1,
  kPlanStatusActive = 2,
  kAccommodationKindAccommodation = 1,
  kCategoryTimingAndScheduling = 4,
  kConfirmationProvided = 1,
};

absl::Status Error(const char* what, const plansync_error& err) {
  return absl::Status(static_cast<absl::StatusCode>(err.code),
                      absl::StrCat(what, ": ", err.message));
}

// Writes the record `m` of `type` with plansync_create or plansync_append;
// its id into *id if not null.
absl::Status Write(plansync_store* store, const char* type,
                   const wire_message& m, bool log, std::string* id) {
  plansync_error err{};
  char* new_id = nullptr;
  const int code =
      log ? plansync_append(store, type, m.data, m.size,
                            id != nullptr ? &new_id : nullptr, &err)
          : plansync_create(store, type, m.data, m.size,
                            id != nullptr ? &new_id : nullptr, &err);
  if (code != PLANSYNC_CODE_OK) return Error(type, err);
  if (id != nullptr) *id = new_id;
  plansync_free(new_id);
  return absl::OkStatus();
}

struct Caseload {
  std::string student_id;
  std::string accommodation_id;
};

// A plan and an accommodation for the student `student_id`, or for a new
// student if it is empty.
absl::StatusOr<Caseload> CreateCaseload(plansync_store* store,
                                        const std::string& student_id = "") {
  Caseload caseload;
  caseload.student_id = student_id;
  if (student_id.empty()) {
    wire_message student{};
    wire_string(&student, kStudentGivenName, "Bench");
    wire_string(&student, kStudentFamilyName, "Student");
    if (auto s = Write(store, "Student", student, false, &caseload.student_id);
        !s.ok()) {
      return s;
    }
  }
  wire_message plan{};
  wire_string(&plan, kPlanStudentId, caseload.student_id.c_str());
  wire_int(&plan, kPlanKind, kPlanKindIep);
  wire_int(&plan, kPlanStatus, kPlanStatusActive);
  wire_int(&plan, kPlanVersion, 1);
  wire_string(&plan, kPlanJurisdiction, "US-MO");
  wire_string(&plan, kPlanStartDate, "2026-08-20");
  wire_string(&plan, kPlanAnnualReviewDue, "2027-08-19");
  std::string plan_id;
  if (auto s = Write(store, "Plan", plan, false, &plan_id); !s.ok()) return s;
  wire_message accommodation{};
  wire_string(&accommodation, kAccommodationStudentId,
              caseload.student_id.c_str());
  wire_string(&accommodation, kAccommodationPlanId, plan_id.c_str());
  wire_int(&accommodation, kAccommodationKind, kAccommodationKindAccommodation);
  wire_int(&accommodation, kAccommodationCategory,
           kCategoryTimingAndScheduling);
  wire_string(&accommodation, kAccommodationTitle, "Extended time");
  wire_string(&accommodation, kAccommodationDescription,
              "1.5x time on tests and quizzes");
  if (auto s = Write(store, "Accommodation", accommodation, false,
                     &caseload.accommodation_id);
      !s.ok()) {
    return s;
  }
  return caseload;
}

// The i-th confirmation, as the device bench writes it.
wire_message Confirmation(const Caseload& caseload, int i) {
  char day[16];
  std::snprintf(day, sizeof(day), "2026-09-%02d", i % 28 + 1);
  wire_message m{};
  wire_string(&m, kConfirmationStudentId, caseload.student_id.c_str());
  wire_string(&m, kConfirmationAccommodationId,
              caseload.accommodation_id.c_str());
  wire_string(&m, kConfirmationDay, day);
  wire_string(&m, kConfirmationClassOrPeriod, "Period 3 Algebra I");
  wire_int(&m, kConfirmationStatus, kConfirmationProvided);
  wire_string(&m, kConfirmationNote,
              "Extended time on the unit 4 quiz; finished in the resource "
              "room.");
  return m;
}

absl::StatusOr<int64_t> Pending(plansync_store* store) {
  int64_t count = 0;
  plansync_error err{};
  if (plansync_pending_count(store, &count, &err) != PLANSYNC_CODE_OK) {
    return Error("pending count", err);
  }
  return count;
}

// Appends `total` confirmations of `caseload` to `store`, `batch` per
// transaction (1: each its own, without plansync_begin_write).
absl::Status AppendConfirmations(plansync_store* store,
                                 const Caseload& caseload, int total,
                                 int batch) {
  plansync_error err{};
  for (int done = 0; done < total;) {
    if (batch > 1 && plansync_begin_write(store, &err) != PLANSYNC_CODE_OK) {
      return Error("begin", err);
    }
    for (int end = std::min(total, done + batch); done < end; ++done) {
      if (auto s = Write(store, "ImplementationConfirmation",
                         Confirmation(caseload, done), true, nullptr);
          !s.ok()) {
        return s;
      }
    }
    if (batch > 1 && plansync_commit(store, &err) != PLANSYNC_CODE_OK) {
      return Error("commit", err);
    }
  }
  return absl::OkStatus();
}

// Appends `total` confirmations, `batch` per transaction (1: each its own,
// without plansync_begin_write); entries per wall second.
absl::StatusOr<double> Append(const std::string& path, int total, int batch) {
  plansync_store_options options = PLANSYNC_STORE_OPTIONS_INIT;
  options.principal_id = kPrincipal;
  plansync_store* store = nullptr;
  plansync_error err{};
  if (plansync_store_open_with_options(path.c_str(), &options, &store, &err) !=
      PLANSYNC_CODE_OK) {
    return Error("open", err);
  }
  absl::StatusOr<double> result = [&]() -> absl::StatusOr<double> {
    absl::StatusOr<Caseload> caseload = CreateCaseload(store);
    if (!caseload.ok()) return caseload.status();
    absl::StatusOr<int64_t> before = Pending(store);
    if (!before.ok()) return before.status();
    Timer timer;
    if (auto s = AppendConfirmations(store, *caseload, total, batch); !s.ok()) {
      return s;
    }
    const double seconds = timer.Seconds();
    absl::StatusOr<int64_t> after = Pending(store);
    if (!after.ok()) return after.status();
    if (*after - *before != total) {
      return absl::InternalError(absl::StrCat(
          "expected ", total, " new outbox changes, found ", *after - *before));
    }
    std::printf("[capi, %s] %d entries: %.3f s\n",
                batch > 1 ? "batched" : "unbatched", total, seconds);
    return total / seconds;
  }();
  plansync_store_close(store);
  return result;
}

struct SyncFigures {
  double push_per_s = 0;
  double bootstrap_per_s = 0;
};

// Opens (creating) the durable store at `path` for `principal`.
absl::StatusOr<plansync_store*> OpenStore(const std::string& path,
                                          const std::string& principal) {
  plansync_store_options options = PLANSYNC_STORE_OPTIONS_INIT;
  options.principal_id = principal.c_str();
  plansync_store* store = nullptr;
  plansync_error err{};
  if (plansync_store_open_with_options(path.c_str(), &options, &store, &err) !=
      PLANSYNC_CODE_OK) {
    return Error("open", err);
  }
  return store;
}

// One plansync_sync of `store` with the server at `address` and the token in
// `token_file`, in `direction`; its counts and wall seconds.
absl::Status SyncOnce(plansync_store* store, const std::string& address,
                      const std::string& token_file, int direction,
                      plansync_sync_counts* counts, double* seconds) {
  plansync_sync_options options = PLANSYNC_SYNC_OPTIONS_INIT;
  options.server = address.c_str();
  options.token_file = token_file.c_str();
  options.direction = direction;
  plansync_error err{};
  Timer timer;
  if (plansync_sync(store, &options, counts, &err) != PLANSYNC_CODE_OK) {
    return Error("sync", err);
  }
  if (seconds != nullptr) *seconds = timer.Seconds();
  return absl::OkStatus();
}

// The push and the bootstrap through the real server (see the top).
absl::StatusOr<SyncFigures> PushAndBootstrap(const ScratchDir& dir, int total) {
  const std::string binary = PLANSYNC_SERVER_BINARY;
  const std::string db = dir.File("server.sqlite");
  absl::StatusOr<std::string> student = RunAdmin(
      binary, db, {"add-student", "--given", "Bench", "--family", "Student"});
  if (!student.ok()) return student.status();
  absl::StatusOr<std::string> user =
      RunAdmin(binary, db, {"add-user", "--name", "Bench Teacher"});
  if (!user.ok()) return user.status();
  for (const char* role : {"case-manager", "teacher"}) {
    if (auto s = RunAdmin(binary, db,
                          {"assign", "--user", *user, "--student", *student,
                           "--role", role, "--class", "Period 3 Algebra I"})
                     .status();
        !s.ok()) {
      return s;
    }
  }
  for (const char* device : {"tablet", "laptop"}) {
    if (auto s = RunAdmin(binary, db,
                          {"issue-token", "--user", *user, "--label", device,
                           "--out", dir.File(absl::StrCat(device, ".token"))})
                     .status();
        !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(binary, db);
  if (!server.ok()) return server.status();
  const std::string& address = (*server)->address();

  SyncFigures figures;
  absl::StatusOr<plansync_store*> tablet =
      OpenStore(dir.File("tablet.sqlite"), *user);
  if (!tablet.ok()) return tablet.status();
  absl::Status status = [&]() -> absl::Status {
    plansync_sync_counts counts{};
    if (auto s = SyncOnce(*tablet, address, dir.File("tablet.token"),
                          PLANSYNC_SYNC_PULL_ONLY, &counts, nullptr);
        !s.ok()) {
      return s;
    }
    absl::StatusOr<Caseload> caseload = CreateCaseload(*tablet, *student);
    if (!caseload.ok()) return caseload.status();
    if (auto s = AppendConfirmations(*tablet, *caseload, total, kBatch);
        !s.ok()) {
      return s;
    }
    absl::StatusOr<int64_t> pending = Pending(*tablet);
    if (!pending.ok()) return pending.status();
    double seconds = 0;
    if (auto s = SyncOnce(*tablet, address, dir.File("tablet.token"),
                          PLANSYNC_SYNC_PUSH_ONLY, &counts, &seconds);
        !s.ok()) {
      return s;
    }
    if (counts.pushed != *pending || counts.rejected != 0) {
      return absl::InternalError(absl::StrCat("pushed ", counts.pushed,
                                              " and refused ", counts.rejected,
                                              " of ", *pending, " changes"));
    }
    std::printf("[capi, push] %lld changes: %.3f s\n",
                static_cast<long long>(*pending), seconds);
    figures.push_per_s = *pending / seconds;
    return absl::OkStatus();
  }();
  plansync_store_close(*tablet);
  if (!status.ok()) return status;

  absl::StatusOr<plansync_store*> laptop =
      OpenStore(dir.File("laptop.sqlite"), *user);
  if (!laptop.ok()) return laptop.status();
  status = [&]() -> absl::Status {
    plansync_sync_counts counts{};
    double seconds = 0;
    if (auto s = SyncOnce(*laptop, address, dir.File("laptop.token"),
                          PLANSYNC_SYNC_PULL_ONLY, &counts, &seconds);
        !s.ok()) {
      return s;
    }
    if (counts.pulled < total) {
      return absl::InternalError(absl::StrCat("the laptop pulled ",
                                              counts.pulled,
                                              " changes of at "
                                              "least ",
                                              total));
    }
    std::printf("[capi, bootstrap] %lld changes: %.3f s\n",
                static_cast<long long>(counts.pulled), seconds);
    figures.bootstrap_per_s = counts.pulled / seconds;
    return absl::OkStatus();
  }();
  plansync_store_close(*laptop);
  if (!status.ok()) return status;
  if (auto s = (*server)->Stop(); !s.ok()) return s;
  return figures;
}

absl::Status Run(const Flags& flags) {
  const int total = flags.quick ? 10000 : 100000;
  absl::StatusOr<ScratchDir> dir = ScratchDir::Make("plansync-capi-bench");
  if (!dir.ok()) return dir.status();
  std::printf("libplansync %s; %d confirmations, %d per transaction\n",
              plansync_version(), total, kBatch);
  absl::StatusOr<double> batched =
      Append(dir->File("batched.sqlite"), total, kBatch);
  if (!batched.ok()) return batched.status();
  absl::StatusOr<double> unbatched =
      Append(dir->File("unbatched.sqlite"), kBatch, 1);
  if (!unbatched.ok()) return unbatched.status();
  std::printf("results:\n");
  PrintMetric("capi_write_batched_per_s", *batched, "changes/s", 0);
  PrintMetric("capi_write_unbatched_per_s", *unbatched, "changes/s", 0);
  absl::StatusOr<SyncFigures> sync = PushAndBootstrap(*dir, total);
  if (!sync.ok()) return sync.status();
  PrintMetric("capi_push_per_s", sync->push_per_s, "changes/s", 0);
  PrintMetric("capi_bootstrap_per_s", sync->bootstrap_per_s, "changes/s", 0);
  return absl::OkStatus();
}

}  // namespace
}  // namespace plansync::bench

int main(int argc, char** argv) {
  return plansync::bench::BenchMain(argc, argv, "capi_write_bench",
                                    plansync::bench::Run);
}
