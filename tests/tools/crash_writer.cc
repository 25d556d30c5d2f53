// The victim of tests/crash_test.cc: writes transactions to a device store
// until it is killed. Transaction n appends kEntriesPerTxn confirmations whose
// note is "txn <n>" and sets the plan's eligibility_category to "txn <n>";
// after each commit returns it prints "committed <n>" on stdout (the
// acknowledgement the test holds it to).
//
//   crash_writer STORE.db
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/device_store.h"
#include "core/status_macros.h"
#include "plansync/v1/records.pb.h"

namespace {

using namespace plansync;  // NOLINT: a small tool

constexpr int kEntriesPerTxn = 20;

absl::Status Run(const char* path) {
  DeviceStoreOptions options;
  options.path = path;
  options.principal_id = "crash-teacher";
  ASSIGN_OR_RETURN(auto store, DeviceStore::Open(options));

  // The student, plan and accommodation: made by the first run, found after.
  ASSIGN_OR_RETURN(std::vector<v1::Plan> plans, store->List<v1::Plan>("", ""));
  v1::Plan plan;
  v1::Accommodation accommodation;
  if (plans.empty()) {
    RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
      v1::Student student;
      student.set_given_name("Crash");
      student.set_family_name("Test");
      ASSIGN_OR_RETURN(std::string student_id, store->Create(txn, student));
      plan.set_student_id(student_id);
      plan.set_kind(v1::PLAN_KIND_SECTION_504);
      plan.set_status(v1::PLAN_STATUS_ACTIVE);
      plan.set_version(1);
      plan.set_jurisdiction("US-MO");
      RETURN_IF_ERROR(store->Create(txn, plan).status());
      accommodation.set_student_id(student_id);
      accommodation.set_plan_id(plan.id());
      accommodation.set_kind(v1::ACCOMMODATION_KIND_ACCOMMODATION);
      accommodation.set_category(v1::ACCOMMODATION_CATEGORY_SETTING);
      accommodation.set_title("Preferential seating");
      return store->Create(txn, accommodation).status();
    }));
  } else {
    plan = plans.front();
    ASSIGN_OR_RETURN(auto accommodations,
                     store->List<v1::Accommodation>("", ""));
    accommodation = accommodations.front();
  }
  // Continue numbering after the last transaction that made it to disk.
  int n = 0;
  if (!plan.eligibility_category().empty()) {
    n = std::stoi(plan.eligibility_category().substr(4)) + 1;
  }
  std::printf("ready %d\n", n);
  std::fflush(stdout);
  for (;; ++n) {
    RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
      for (int i = 0; i < kEntriesPerTxn; ++i) {
        v1::ImplementationConfirmation entry;
        entry.set_student_id(plan.student_id());
        entry.set_accommodation_id(accommodation.id());
        entry.set_day("2026-09-08");
        entry.set_status(v1::CONFIRMATION_STATUS_PROVIDED);
        entry.set_note(absl::StrCat("txn ", n));
        RETURN_IF_ERROR(store->Append(txn, entry).status());
      }
      plan.set_eligibility_category(absl::StrCat("txn ", n));
      const absl::string_view fields[] = {"eligibility_category"};
      return store->Update(txn, plan, fields);
    }));
    std::printf("committed %d\n", n);
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: crash_writer STORE.db\n");
    return 2;
  }
  absl::Status status = Run(argv[1]);
  std::fprintf(stderr, "crash_writer: %s\n", status.ToString().c_str());
  return 1;
}
