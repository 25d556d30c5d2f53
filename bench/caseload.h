// Records the sync benchmarks write through a real DeviceStore: a student
// (or one the device pulled) with an active plan and some accommodations,
// and implementation confirmations of those accommodations. Header-only; for
// bench/ only.
#ifndef PLANSYNC_BENCH_CASELOAD_H_
#define PLANSYNC_BENCH_CASELOAD_H_

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/device_store.h"
#include "core/status_macros.h"
#include "plansync/v1/records.pb.h"

namespace plansync::bench {

// The principal the benchmark devices act for under development
// authentication (benchmarks with tokens act for a user an Admin added).
inline constexpr absl::string_view kBenchPrincipal =
    "0190a5b2-7c3e-7a41-9d2f-5b8e1c4a6f30";

// A student, the student's active plan and accommodations of that plan.
struct Caseload {
  std::string student_id;
  std::string plan_id;
  std::vector<std::string> accommodation_ids;
};

// Creates an active Plan and `accommodations` Accommodations of it for
// `caseload->student_id` in `txn`, filling in their ids.
inline absl::Status CreatePlan(DeviceStore& store, WriteTransaction& txn,
                               int accommodations, Caseload* caseload) {
  v1::Plan plan;
  plan.set_student_id(caseload->student_id);
  plan.set_kind(v1::PLAN_KIND_IEP);
  plan.set_status(v1::PLAN_STATUS_ACTIVE);
  plan.set_version(1);
  plan.set_jurisdiction("US-MO");
  plan.set_start_date("2026-08-20");
  plan.set_annual_review_due("2027-08-19");
  ASSIGN_OR_RETURN(caseload->plan_id, store.Create(txn, plan));
  for (int i = 0; i < accommodations; ++i) {
    v1::Accommodation accommodation;
    accommodation.set_student_id(caseload->student_id);
    accommodation.set_plan_id(caseload->plan_id);
    accommodation.set_kind(v1::ACCOMMODATION_KIND_ACCOMMODATION);
    accommodation.set_title(absl::StrCat("Extended time ", i + 1));
    accommodation.set_description("1.5x time on tests and quizzes");
    accommodation.set_category(
        v1::ACCOMMODATION_CATEGORY_TIMING_AND_SCHEDULING);
    ASSIGN_OR_RETURN(std::string id, store.Create(txn, accommodation));
    caseload->accommodation_ids.push_back(std::move(id));
  }
  return absl::OkStatus();
}

// Creates a Student, an active Plan and `accommodations` Accommodations in
// one transaction of `store`.
inline absl::StatusOr<Caseload> CreateCaseload(DeviceStore& store,
                                               int accommodations) {
  Caseload caseload;
  RETURN_IF_ERROR(store.Write([&](WriteTransaction& txn) -> absl::Status {
    v1::Student student;
    student.set_given_name("Bench");
    student.set_family_name("Student");
    student.set_grade("4");
    ASSIGN_OR_RETURN(caseload.student_id, store.Create(txn, student));
    return CreatePlan(store, txn, accommodations, &caseload);
  }));
  return caseload;
}

// Creates an active Plan and `accommodations` Accommodations, in one
// transaction of `store`, for the student `student_id` that the store
// already holds (pulled from the server, where an administrator added it).
inline absl::StatusOr<Caseload> CreateCaseloadFor(DeviceStore& store,
                                                  absl::string_view student_id,
                                                  int accommodations) {
  Caseload caseload;
  caseload.student_id = std::string(student_id);
  RETURN_IF_ERROR(store.Write([&](WriteTransaction& txn) -> absl::Status {
    return CreatePlan(store, txn, accommodations, &caseload);
  }));
  return caseload;
}

// School day `i` of 28 (2026-09-01 .. 2026-09-28), cycling.
inline std::string SchoolDay(int64_t i) {
  char day[16];
  std::snprintf(day, sizeof(day), "2026-09-%02d", static_cast<int>(i % 28) + 1);
  return day;
}

// The i-th confirmation of the caseload's accommodations (cycling through
// them); the store assigns its id, author and clock.
inline v1::ImplementationConfirmation Confirmation(const Caseload& caseload,
                                                   int64_t i) {
  v1::ImplementationConfirmation entry;
  entry.set_student_id(caseload.student_id);
  entry.set_accommodation_id(
      caseload.accommodation_ids[static_cast<size_t>(i) %
                                 caseload.accommodation_ids.size()]);
  entry.set_day(SchoolDay(i));
  entry.set_class_or_period("Period 3 Algebra I");
  entry.set_status(v1::CONFIRMATION_STATUS_PROVIDED);
  entry.set_note(
      "Extended time on the unit 4 quiz; finished in the resource room.");
  return entry;
}

}  // namespace plansync::bench

#endif  // PLANSYNC_BENCH_CASELOAD_H_
