// AuthorizeChange (core/permissions.h) judged alone, where the gRPC matrix
// test cannot tell two checks apart: the server_written flag refuses a change
// even when the type's writer lists would let the caller write it.
#include <string>

#include "core/change_check.h"
#include "core/errors.h"
#include "core/permissions.h"
#include "core/schema.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"

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

}  // namespace
}  // namespace plansync
