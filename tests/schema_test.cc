// The schema read from records.proto keeps the conventions the store relies
// on, and states the permission matrix of its options.
#include "core/schema.h"

#include <set>

#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"

namespace plansync {
namespace {

TEST(Schema, HoldsEveryRecordOfTheDomain) {
  std::set<std::string> mutable_types, log_types;
  for (const auto& type : Schema::Get().types()) {
    (type->is_log() ? log_types : mutable_types).insert(type->short_name);
  }
  EXPECT_EQ(mutable_types, (std::set<std::string>{
                               "AccessLogEntry", "Accommodation", "Assignment",
                               "District", "Goal", "Meeting", "MeetingAttendee",
                               "MeetingDecision", "Notice", "Plan",
                               "SchoolHoliday", "Service", "Student", "User"}));
  EXPECT_EQ(log_types,
            (std::set<std::string>{
                "ClassTest", "Comment", "Conflict", "Correction",
                "ImplementationConfirmation", "LapseReport", "LapseResponse",
                "ParentRequest", "ProgressDataPoint", "ProgressReport",
                "RecordsRelease", "RequestReceipt", "ServiceSession"}));
}

TEST(Schema, EveryRecordHasItsKindsFixedFields) {
  for (const auto& type : Schema::Get().types()) {
    SCOPED_TRACE(type->short_name);
    EXPECT_TRUE(type->fields.front().is_id);
    EXPECT_FALSE(type->table.empty());
    if (type->is_log()) {
      const FieldInfo* author = type->FieldByName("author_id");
      ASSERT_NE(author, nullptr);
      EXPECT_TRUE(author->store_assigned);
      ASSERT_NE(type->FieldByName("recorded_hlc"), nullptr);
    } else {
      ASSERT_NE(type->FieldByName("deleted"), nullptr);
    }
    if (type->options.scope() == v1::STUDENT) {
      ASSERT_NE(type->bucket_key, nullptr);
    } else {
      EXPECT_EQ(type->bucket_key, nullptr);
    }
  }
}

TEST(Schema, ReferencesResolveToRecordTypes) {
  const RecordType& confirmation =
      *Schema::Get().Find("ImplementationConfirmation");
  const FieldInfo* accommodation = confirmation.FieldByName("accommodation_id");
  ASSERT_NE(accommodation, nullptr);
  ASSERT_NE(accommodation->ref, nullptr);
  EXPECT_EQ(accommodation->ref->short_name, "Accommodation");
  EXPECT_TRUE(confirmation.FieldByName("day")->date);
}

TEST(Schema, PermissionMatrixIsReadFromOptions) {
  auto writers = [](const char* name) {
    const auto& options = Schema::Get().Find(name)->options;
    return std::set<int>(options.writers().begin(), options.writers().end());
  };
  auto own_writers = [](const char* name) {
    const auto& options = Schema::Get().Find(name)->options;
    return std::set<int>(options.own_writers().begin(),
                         options.own_writers().end());
  };
  EXPECT_EQ(writers("Plan"), std::set<int>{v1::CASE_MANAGER});
  EXPECT_EQ(own_writers("LapseReport"), std::set<int>{v1::GUARDIAN});
  EXPECT_EQ(own_writers("ImplementationConfirmation"),
            std::set<int>{v1::TEACHER});
  EXPECT_EQ(writers("ServiceSession"), std::set<int>{v1::CASE_MANAGER});
  EXPECT_EQ(own_writers("ServiceSession"), std::set<int>{v1::PROVIDER});
  EXPECT_TRUE(Schema::Get().Find("Conflict")->options.server_written());
  EXPECT_TRUE(Schema::Get().Find("AccessLogEntry")->options.server_written());
}

TEST(Schema, FindsByFullAndShortName) {
  EXPECT_EQ(Schema::Get().Find("plansync.v1.Plan"), Schema::Get().Find("Plan"));
  EXPECT_EQ(Schema::Get().For(v1::Plan::descriptor())->table, "plans");
  EXPECT_EQ(Schema::Get().Find("Nonsense"), nullptr);
}

}  // namespace
}  // namespace plansync
