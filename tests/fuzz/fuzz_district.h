// The server the push fuzz target talks to, and its seed generator writes
// for: a fresh in-memory store holding a student and a teacher assigned to
// them, made the same way every time (fixed clock and seed, so fixed ids).
#ifndef PLANSYNC_TESTS_FUZZ_FUZZ_DISTRICT_H_
#define PLANSYNC_TESTS_FUZZ_FUZZ_DISTRICT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/clock.h"
#include "core/status_macros.h"
#include "plansync/v1/records.pb.h"
#include "server/admin.h"
#include "server/sqlite_server_store.h"

namespace plansync::fuzz {

inline constexpr int64_t kFuzzNow = 1788868800000;  // 2026-09-08T12:00:00Z

struct FuzzDistrict {
  std::unique_ptr<FakeClock> clock;
  std::unique_ptr<server::ServerStore> store;
  std::string teacher_id;
  std::string student_id;
};

inline absl::StatusOr<FuzzDistrict> MakeDistrict() {
  FuzzDistrict district;
  district.clock = std::make_unique<FakeClock>(kFuzzNow);
  server::SqliteServerStoreOptions options;
  options.path = ":memory:";
  ASSIGN_OR_RETURN(district.store, server::OpenSqliteServerStore(options));
  server::Admin admin(district.store.get(), district.clock.get(), /*seed=*/7);
  ASSIGN_OR_RETURN(district.teacher_id,
                   admin.AddUser("Fuzz Teacher", v1::ROLE_UNSPECIFIED));
  v1::Student student;
  student.set_given_name("Fuzz");
  student.set_family_name("Student");
  ASSIGN_OR_RETURN(district.student_id, admin.AddStudent(student));
  v1::Assignment assignment;
  assignment.set_user_id(district.teacher_id);
  assignment.set_student_id(district.student_id);
  assignment.set_role(v1::TEACHER);
  RETURN_IF_ERROR(admin.Assign(assignment).status());
  return district;
}

}  // namespace plansync::fuzz

#endif  // PLANSYNC_TESTS_FUZZ_FUZZ_DISTRICT_H_
