// Writes the golden device store used by tests/migration_test.cc: a small
// caseload written by this build's schema version, with records, pending
// outbox changes and a pull cursor. Run once per schema version and commit the
// file as tests/data/device_v<version>.sqlite; never regenerate an old one.
//
//   write_golden_store OUT.sqlite
#include <cstdio>

#include "core/clock.h"
#include "core/device_store.h"
#include "core/status_macros.h"
#include "plansync/v1/records.pb.h"

namespace {

using namespace plansync;  // NOLINT: a small tool

absl::Status WriteGolden(const char* path) {
  FakeClock clock(1788868800000);  // 2026-09-08T12:00:00Z
  DeviceStoreOptions options;
  options.path = path;
  options.principal_id = "golden-case-manager";
  options.clock = &clock;
  options.seed = 20260908;
  ASSIGN_OR_RETURN(auto store, DeviceStore::Open(options));
  return store->Write([&](WriteTransaction& txn) -> absl::Status {
    v1::Student student;
    student.set_given_name("Golden");
    student.set_family_name("Student");
    student.set_grade("4");
    ASSIGN_OR_RETURN(std::string student_id, store->Create(txn, student));
    v1::Plan plan;
    plan.set_student_id(student_id);
    plan.set_kind(v1::PLAN_KIND_IEP);
    plan.set_status(v1::PLAN_STATUS_ACTIVE);
    plan.set_version(1);
    plan.set_jurisdiction("US-MO");
    plan.set_start_date("2026-08-20");
    plan.set_annual_review_due("2027-08-19");
    ASSIGN_OR_RETURN(std::string plan_id, store->Create(txn, plan));
    v1::Accommodation accommodation;
    accommodation.set_student_id(student_id);
    accommodation.set_plan_id(plan_id);
    accommodation.set_kind(v1::ACCOMMODATION_KIND_ACCOMMODATION);
    accommodation.set_title("Extended time");
    accommodation.set_description("1.5x time on tests and quizzes");
    accommodation.set_category(
        v1::ACCOMMODATION_CATEGORY_TIMING_AND_SCHEDULING);
    ASSIGN_OR_RETURN(std::string accommodation_id,
                     store->Create(txn, accommodation));
    v1::ImplementationConfirmation confirmation;
    confirmation.set_student_id(student_id);
    confirmation.set_accommodation_id(accommodation_id);
    confirmation.set_day("2026-09-08");
    confirmation.set_status(v1::CONFIRMATION_STATUS_PROVIDED);
    RETURN_IF_ERROR(store->Append(txn, confirmation).status());
    return store->SetCursor(txn, "student/" + student_id, 42);
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_golden_store OUT.sqlite\n");
    return 2;
  }
  absl::Status status = WriteGolden(argv[1]);
  if (!status.ok()) {
    std::fprintf(stderr, "write_golden_store: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
