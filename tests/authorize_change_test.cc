// AuthorizeChange (core/permissions.h) judged alone, where the gRPC matrix
// test cannot tell two checks apart: the server_written flag refuses a change
// even when the type's writer lists would let the caller write it.
#include <string>
#include <vector>

#include "core/change_check.h"
#include "core/errors.h"
#include "core/permissions.h"
#include "core/schema.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

constexpr char kStudent[] = "01966f4e-2b7a-7c1e-9d3a-5f0e6a7b8c9d";
constexpr char kRecord[] = "01966f4e-2b7a-7c1e-9d3a-5f0e6a7b8c9e";
constexpr char kCaller[] = "01966f4e-2b7a-7c1e-9d3a-5f0e6a7b8c9f";

// A field write of `pull_count` to an access-log record, by kCaller.
v1::Change AccessLogWrite() {
  v1::Change change;
  change.set_replica_id("01966f4e-2b7a-7c1e-9d3a-5f0e6a7b8ca0");
  change.set_replica_seq(1);
  change.set_record_type("plansync.v1.AccessLogEntry");
  change.set_record_id(kRecord);
  change.set_bucket(StudentBucket(kStudent));
  change.set_author_id(kCaller);
  change.set_hlc(uint64_t{1} << 40);
  v1::FieldWrite* write = change.mutable_field_write();
  write->set_field_number(
      Schema::Get().Find("AccessLogEntry")->FieldByName("pull_count")->number);
  write->mutable_value()->set_int_value(3);
  return change;
}

TEST(AuthorizeChangeTest, ServerWrittenTypeIsRefusedWhateverTheWriterLists) {
  const v1::Change change = AccessLogWrite();
  auto checked = CheckChange(change);
  ASSERT_TRUE(checked.ok()) << checked.status();

  // The same type with a writer list that names the caller's role: only
  // the server_written flag stands between the caller and the write.
  RecordType writable = *checked->type;
  writable.options.add_writers(v1::CASE_MANAGER);
  writable.options.set_server_written(true);
  checked->type = &writable;
  absl::Status status =
      AuthorizeChange(*checked, change, kCaller, RoleBit(v1::CASE_MANAGER));
  EXPECT_EQ(ReasonOf(status), v1::ROLE_NOT_PERMITTED) << status;
  EXPECT_NE(status.message().find("written only by the server"),
            absl::string_view::npos)
      << status;

  // Without the flag the same caller may write it: the flag decided.
  writable.options.set_server_written(false);
  EXPECT_TRUE(
      AuthorizeChange(*checked, change, kCaller, RoleBit(v1::CASE_MANAGER))
          .ok());
}

TEST(AuthorizeChangeTest, ServerWrittenTypesOfTheSchemaAreNeverWritable) {
  int server_written = 0;
  for (const auto& type : Schema::Get().types()) {
    if (!type->options.server_written()) continue;
    ++server_written;
    EXPECT_EQ(WriteScope(*type, kAllRoles), Scope::kNone) << type->full_name;
  }
  EXPECT_EQ(server_written, 2);  // AccessLogEntry and Conflict
}

v1::Assignment AssignmentOf(const std::string& user, v1::Role role,
                            const std::string& start, const std::string& end,
                            const std::string& student = kStudent) {
  v1::Assignment a;
  a.set_user_id(user);
  a.set_student_id(student);
  a.set_role(role);
  a.set_start_date(start);
  a.set_end_date(end);
  return a;
}

// The roles a device derives from its own records, day by day: an
// assignment counts from its start day to its end day, both included.
TEST(RolesOnDay, AssignmentsCountFromTheirFirstToTheirLastDay) {
  v1::User user;
  user.set_id(kCaller);
  const std::string bucket = StudentBucket(kStudent);
  const std::vector<v1::Assignment> assignments = {
      AssignmentOf(kCaller, v1::TEACHER, "2026-09-01", "2026-10-16"),
      AssignmentOf(kCaller, v1::PROVIDER, "2026-10-19", ""),
      // Someone else's, and another student's: not the caller's roles here.
      AssignmentOf(kRecord, v1::CASE_MANAGER, "", ""),
      AssignmentOf(kCaller, v1::GUARDIAN, "", "", kRecord)};
  EXPECT_EQ(RolesOnDay(user, assignments, bucket, "2026-08-31"), 0u);
  EXPECT_EQ(RolesOnDay(user, assignments, bucket, "2026-09-01"),
            RoleBit(v1::TEACHER));
  EXPECT_EQ(RolesOnDay(user, assignments, bucket, "2026-10-16"),
            RoleBit(v1::TEACHER));
  EXPECT_EQ(RolesOnDay(user, assignments, bucket, "2026-10-17"), 0u);
  EXPECT_EQ(RolesOnDay(user, assignments, bucket, "2027-06-01"),
            RoleBit(v1::PROVIDER));
  // The directory: every role held anywhere that day.
  EXPECT_EQ(RolesOnDay(user, assignments, kDirectoryBucket, "2026-10-01"),
            RoleBit(v1::TEACHER) | RoleBit(v1::GUARDIAN));
  // A district administrator is admin on every bucket; an archived user
  // holds nothing; an archived assignment confers nothing.
  user.set_district_role(v1::ADMIN);
  EXPECT_EQ(RolesOnDay(user, assignments, bucket, "2026-08-31"),
            RoleBit(v1::ADMIN));
  user.set_deleted(true);
  EXPECT_EQ(RolesOnDay(user, assignments, bucket, "2026-10-01"), 0u);
  user.set_deleted(false);
  user.set_district_role(v1::ROLE_UNSPECIFIED);
  std::vector<v1::Assignment> archived = {assignments[0]};
  archived[0].set_deleted(true);
  EXPECT_EQ(RolesOnDay(user, archived, bucket, "2026-10-01"), 0u);
}

TEST(AuthorizeWrite, SaysWhatTheServerSays) {
  const RecordType& plan = *Schema::Get().Find("Plan");
  const absl::Status guardian = AuthorizeWrite(plan, RoleBit(v1::GUARDIAN));
  EXPECT_EQ(guardian.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonOf(guardian), v1::ROLE_NOT_PERMITTED);
  EXPECT_EQ(guardian.message(), "a guardian may not change Plan records");
  const absl::Status nobody = AuthorizeWrite(plan, 0);
  EXPECT_EQ(ReasonOf(nobody), v1::NOT_ASSIGNED);
  EXPECT_OK(AuthorizeWrite(plan, RoleBit(v1::CASE_MANAGER)));
}

}  // namespace
}  // namespace plansync
