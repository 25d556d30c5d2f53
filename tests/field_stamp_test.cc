// The device store's view of a register's current stamp (CurrentStamp), the
// write that keeps a value on purpose (RewriteField), and ValueFromText, the
// inverse of the display text a Conflict carries: what `plansync conflicts`
// and `plansync resolve` stand on.
#include <string>

#include "core/device_store.h"
#include "core/errors.h"
#include "core/value.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

class FieldStampTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::OpenStore(":memory:", "user-cm", &clock_, 1);
    other_ = testing::OpenStore(":memory:", "user-cm", &clock_, 2);
    ids_ = testing::CreateOneOfEach(*store_);
    accommodation_ = ids_.at("plansync.v1.Accommodation");
  }

  const RecordType& Type(absl::string_view name) {
    return *Schema::Get().Find(name);
  }
  v1::Value Text(const std::string& text) {
    v1::Value value;
    value.set_string_value(text);
    return value;
  }
  std::vector<OutboxEntry> Pending() {
    auto pending = store_->PendingChanges(100000);
    EXPECT_OK(pending);
    return pending.ok() ? *pending : std::vector<OutboxEntry>{};
  }

  FakeClock clock_{testing::kStartMillis};
  std::unique_ptr<DeviceStore> store_, other_;
  std::map<std::string, std::string> ids_;
  std::string accommodation_;
};

TEST_F(FieldStampTest, StampIsTheLastWriteOfTheFieldAndItsReplica) {
  const RecordType& type = Type("Accommodation");
  auto created = store_->CurrentStamp(type, accommodation_, "title");
  ASSERT_OK(created);
  ASSERT_TRUE(created->has_value());
  EXPECT_EQ((*created)->replica_id, store_->replica_id());

  clock_.Advance(10);
  ASSERT_OK(store_->Write([&](WriteTransaction& txn) {
    return store_->UpdateField(txn, type, accommodation_, "title",
                               Text("Extended time (2x)"));
  }));
  auto updated = store_->CurrentStamp(type, accommodation_, "title");
  ASSERT_OK(updated);
  EXPECT_GT((*updated)->hlc, (*created)->hlc);
  // Other fields keep their own stamps.
  auto other_field = store_->CurrentStamp(type, accommodation_, "plan_id");
  ASSERT_OK(other_field);
  EXPECT_EQ((*other_field)->hlc, (*created)->hlc);
}

TEST_F(FieldStampTest, StampOfARemoteWriteNamesTheRemoteReplica) {
  // The other device receives the record, then writes the title; the first
  // device merges that write.
  ASSERT_OK(other_->ApplyRemote([&] {
    std::vector<v1::Change> changes;
    for (const OutboxEntry& entry : Pending()) changes.push_back(entry.change);
    return changes;
  }()));
  const RecordType& type = Type("Accommodation");
  clock_.Advance(10);
  ASSERT_OK(other_->Write([&](WriteTransaction& txn) {
    return other_->UpdateField(txn, type, accommodation_, "title",
                               Text("Read-aloud"));
  }));
  auto pending = other_->PendingChanges(10);
  ASSERT_OK(pending);
  ASSERT_EQ(pending->size(), 1u);
  ASSERT_OK(store_->ApplyRemote({pending->front().change}));
  auto stamp = store_->CurrentStamp(type, accommodation_, "title");
  ASSERT_OK(stamp);
  EXPECT_EQ((*stamp)->replica_id, other_->replica_id());
  EXPECT_EQ((*stamp)->hlc, pending->front().change.hlc());
}

TEST_F(FieldStampTest, NeverWrittenFieldHasNoStampAndBadQueriesSayWhy) {
  const RecordType& type = Type("Accommodation");
  v1::Accommodation bare;
  bare.set_student_id(ids_.at("plansync.v1.Student"));
  bare.set_plan_id(ids_.at("plansync.v1.Plan"));
  bare.set_kind(v1::ACCOMMODATION_KIND_ACCOMMODATION);
  bare.set_category(v1::ACCOMMODATION_CATEGORY_SETTING);
  bare.set_title("Preferential seating");
  std::string id;
  ASSERT_OK(store_->Write([&](WriteTransaction& txn) -> absl::Status {
    auto created = store_->Create(txn, bare);
    if (!created.ok()) return created.status();
    id = *created;
    return absl::OkStatus();
  }));
  auto subject = store_->CurrentStamp(type, id, "subject");
  ASSERT_OK(subject);
  EXPECT_FALSE(subject->has_value());

  EXPECT_EQ(
      ReasonOf(store_->CurrentStamp(type, "no-such-id", "title").status()),
      v1::UNKNOWN_RECORD);
  EXPECT_EQ(
      ReasonOf(store_->CurrentStamp(type, accommodation_, "colour").status()),
      v1::UNKNOWN_FIELD);
  EXPECT_EQ(store_
                ->CurrentStamp(Type("LapseReport"),
                               ids_.at("plansync.v1.LapseReport"), "day")
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(FieldStampTest, RewriteRecordsAWriteOfAnUnchangedValueOverItsBase) {
  const RecordType& type = Type("Accommodation");
  v1::Accommodation current;
  ASSERT_OK(store_->Get(accommodation_, &current));
  const Hlc base = (*store_->CurrentStamp(type, accommodation_, "title"))->hlc;
  const size_t before = Pending().size();

  // An ordinary update to the same value records nothing ...
  ASSERT_OK(store_->Write([&](WriteTransaction& txn) {
    return store_->UpdateField(txn, type, accommodation_, "title",
                               Text(current.title()));
  }));
  EXPECT_EQ(Pending().size(), before);

  // ... a rewrite records one write, over the value it keeps.
  clock_.Advance(10);
  ASSERT_OK(store_->Write([&](WriteTransaction& txn) {
    return store_->RewriteField(txn, type, accommodation_, "title",
                                Text(current.title()));
  }));
  const std::vector<OutboxEntry> pending = Pending();
  ASSERT_EQ(pending.size(), before + 1);
  const v1::Change& change = pending.back().change;
  ASSERT_TRUE(change.has_field_write());
  EXPECT_EQ(change.field_write().value().string_value(), current.title());
  EXPECT_EQ(change.field_write().base_hlc(), base);
  EXPECT_EQ((*store_->CurrentStamp(type, accommodation_, "title"))->hlc,
            change.hlc());
  EXPECT_GT(change.hlc(), base);

  // Rewriting an immutable field is refused like any write to it.
  v1::Value plan;
  plan.set_string_value(current.plan_id());
  absl::Status immutable = store_->Write([&](WriteTransaction& txn) {
    return store_->RewriteField(txn, type, accommodation_, "plan_id", plan);
  });
  EXPECT_EQ(ReasonOf(immutable), v1::IMMUTABLE_FIELD) << immutable;
  EXPECT_EQ(Pending().size(), before + 1);
}

TEST(ValueFromTextTest, ReadsBackWhatValueToTextWrote) {
  const RecordType& service = *Schema::Get().Find("Service");
  const RecordType& goal = *Schema::Get().Find("Goal");
  const RecordType& waiver = *Schema::Get().Find("Notice");
  struct Case {
    const FieldInfo* field;
    v1::Value value;
  };
  std::vector<Case> cases;
  auto add = [&](const RecordType& type, const char* name) -> v1::Value& {
    cases.push_back({type.FieldByName(name), v1::Value()});
    return cases.back().value;
  };
  add(service, "service_type").set_string_value("Speech \"and\" language");
  add(service, "location").set_string_value("");
  add(service, "minutes_per_period").set_int_value(150);
  add(service, "period").set_int_value(v1::SERVICE_PERIOD_WEEK);
  add(goal, "target_value").set_double_value(110.5);
  add(waiver, "waiting_period_waived").set_bool_value(true);
  for (const Case& c : cases) {
    ASSERT_NE(c.field, nullptr);
    const std::string text = ValueToText(c.value);
    auto back = ValueFromText(*c.field, text);
    ASSERT_OK(back);
    EXPECT_TRUE(SameValue(*back, c.value)) << c.field->name << " " << text;
  }
  auto none = ValueFromText(*service.FieldByName("location"), "(none)");
  ASSERT_OK(none);
  EXPECT_EQ(none->string_value(), "");
  for (const auto& [field, text] :
       std::vector<std::pair<const char*, const char*>>{
           {"service_type", "unquoted"},
           {"minutes_per_period", "\"150\""},
           {"minutes_per_period", "many"}}) {
    EXPECT_EQ(
        ReasonOf(ValueFromText(*service.FieldByName(field), text).status()),
        v1::WRONG_VALUE_TYPE)
        << field << " " << text;
  }
}

}  // namespace
}  // namespace plansync
