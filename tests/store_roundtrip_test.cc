// Every record type survives a round trip through the device store: what is
// written is what is read back, listed by student and by parent record, and
// recorded in the outbox.
#include <string>

#include "core/device_store.h"
#include "core/schema.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

using google::protobuf::Message;
using google::protobuf::util::MessageDifferencer;
using testing::CreateOneOfEach;

class RoundTripTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundTripTest, WrittenRecordReadsBackIdentical) {
  testing::TempDir dir;
  FakeClock clock(testing::kStartMillis);
  auto store = testing::OpenStore(dir.File("device.db"), "user-cm", &clock);
  ASSERT_NE(store, nullptr);
  auto ids = CreateOneOfEach(*store);
  const RecordType& type = *Schema::Get().Find(GetParam());

  auto record = testing::NewRecord(type);
  const std::string student = ids["plansync.v1.Student"];
  testing::FillRecord(type, type.short_name == "Student" ? "" : student, ids,
                      /*variant=*/2, record.get());
  const int64_t pending_before = *store->PendingCount();
  std::string id;
  ASSERT_OK(store->Write([&](WriteTransaction& txn) {
    auto made = type.is_log() ? store->Append(txn, *record)
                              : store->Create(txn, *record);
    if (!made.ok()) return made.status();
    id = *made;
    return absl::OkStatus();
  }));
  EXPECT_TRUE(IsUuid(id));

  auto read = testing::NewRecord(type);
  ASSERT_TRUE(store->Get(id, read.get()).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(*record, *read))
      << "wrote " << record->ShortDebugString() << "\nread "
      << read->ShortDebugString();

  // Listed under its student.
  if (type.bucket_key != nullptr) {
    const std::string owner = type.short_name == "Student" ? id : student;
    int found = 0;
    ASSERT_TRUE(store
                    ->Scan(type, type.bucket_key->name, owner, false,
                           [&](const Message& m) {
                             found += MessageDifferencer::Equals(m, *record);
                             return absl::OkStatus();
                           })
                    .ok());
    EXPECT_EQ(found, 1);
  }
  // One outbox change per log entry; one per set field of a mutable record.
  const int64_t added = *store->PendingCount() - pending_before;
  if (type.is_log()) {
    EXPECT_EQ(added, 1);
  } else {
    int set_fields = 0;
    for (const FieldInfo& field : type.fields) {
      set_fields += !field.is_id && record->GetReflection()->HasField(
                                        *record, field.descriptor);
    }
    EXPECT_EQ(added, set_fields);
  }
}

std::vector<std::string> AllTypes() {
  std::vector<std::string> names;
  for (const auto& type : Schema::Get().types())
    names.push_back(type->short_name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(EveryRecordType, RoundTripTest,
                         ::testing::ValuesIn(AllTypes()),
                         [](const auto& info) { return info.param; });

TEST(TypedApi, ListsGoalsOfAPlanAndUpdatesAndArchives) {
  testing::TempDir dir;
  FakeClock clock(testing::kStartMillis);
  auto store = testing::OpenStore(dir.File("device.db"), "user-cm", &clock);
  auto ids = CreateOneOfEach(*store);
  const std::string plan_id = ids["plansync.v1.Plan"];

  v1::Goal goal;
  goal.set_student_id(ids["plansync.v1.Student"]);
  goal.set_plan_id(plan_id);
  goal.set_area("Reading fluency");
  goal.set_description("Reads grade-level text at 90 words per minute");
  ASSERT_OK(store->Write([&](WriteTransaction& txn) {
    return store->Create(txn, goal).status();
  }));
  auto goals = store->List<v1::Goal>("plan_id", plan_id);
  ASSERT_TRUE(goals.ok());
  EXPECT_EQ(goals->size(), 2u);  // CreateOneOfEach made one too

  goal.set_target("90 wcpm");
  const absl::string_view fields[] = {"target"};
  ASSERT_OK(store->Write(
      [&](WriteTransaction& txn) { return store->Update(txn, goal, fields); }));
  EXPECT_EQ(store->Get<v1::Goal>(goal.id())->target(), "90 wcpm");

  const RecordType& goal_type = *Schema::Get().Find("Goal");
  ASSERT_OK(store->Write([&](WriteTransaction& txn) {
    return store->Archive(txn, goal_type, goal.id());
  }));
  EXPECT_TRUE(store->Get<v1::Goal>(goal.id())->deleted());
  EXPECT_EQ(store->List<v1::Goal>("plan_id", plan_id)->size(), 1u);
  EXPECT_EQ(store->List<v1::Goal>("plan_id", plan_id, true)->size(), 2u);
}

}  // namespace
}  // namespace plansync
