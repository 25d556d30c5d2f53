// `plansync conflicts` and `plansync resolve` through the real binaries: a
// real conflict made by a case manager's two devices editing the same field
// offline, settled by an ordinary write that every device then shares.
#include <string>

#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/cli_roles_fixture.h"

namespace plansync {
namespace {

using testing::CliRolesTest;

class ReviewCliTest : public CliRolesTest {
 protected:
  // The case manager's laptop, a second device of the same user, and a
  // concurrent edit of `field` of record `id` made offline on both: the
  // laptop's edit syncs first and loses to the desk's later one.
  void MakeConflict(const std::string& type, const std::string& id,
                    const std::string& field, const std::string& laptop_value,
                    const std::string& desk_value) {
    if (!std::filesystem::exists(Db("laptop"))) {
      Init("laptop", cm_, *server_);
      Ok("laptop", {"sync"});
    }
    Ok("laptop", {"set", type, id, field + "=" + laptop_value});
    Ok("cm", {"set", type, id, field + "=" + desk_value});
    SyncAll({"laptop", "cm", "laptop", "cm"});
  }
};

TEST_F(ReviewCliTest, ResolveSettlesARealConflictEverywhere) {
  StartCaseload();
  MakePlan();
  MakeConflict("Accommodation", extended_time_, "description",
               "1.5x time, quizzes included", "1.5x time on unit tests only");
  ASSERT_EQ(Records<v1::Conflict>("cm").size(), 1u);
  const std::string listed = Ok("cm", {"conflicts"});
  const std::string conflict = Records<v1::Conflict>("cm")[0].id();
  for (const std::string& line :
       {std::string("1 conflict waiting for review:"),
        "conflict " + conflict +
            "  Maya Diaz: Accommodation \"Extended time (1.5x)\", description",
        std::string("kept:  \"1.5x time on unit tests only\"  (Ms. Okafor"),
        std::string("lost:  \"1.5x time, quizzes included\"  (Ms. Okafor"),
        "settle: plansync resolve " + conflict}) {
    EXPECT_NE(listed.find(line), std::string::npos) << line << "\n" << listed;
  }
  const auto json = Json(Ok("laptop", {"conflicts", "--json"}));
  const auto& list = Field(json, "conflicts").list_value();
  ASSERT_EQ(list.values_size(), 1);
  const auto& item = list.values(0).struct_value();
  EXPECT_EQ(Field(item, "id").string_value(), conflict);
  EXPECT_TRUE(Field(item, "waiting").bool_value());
  EXPECT_EQ(Field(item, "field_name").string_value(), "description");
  EXPECT_EQ(Field(item, "record_label").string_value(), "Extended time (1.5x)");
  EXPECT_EQ(Field(item, "winning_value").string_value(),
            "\"1.5x time on unit tests only\"");

  // Settled on the laptop by keeping the value that lost.
  const std::string out =
      Ok("laptop", {"resolve", conflict, "--keep", "losing"});
  EXPECT_NE(out.find("Settled conflict " + conflict +
                     ": Accommodation \"Extended time (1.5x)\", description "
                     "is now \"1.5x time, quizzes included\" (the value that "
                     "lost)."),
            std::string::npos)
      << out;
  EXPECT_NE(Ok("laptop", {"conflicts"})
                .find("0 conflicts waiting for review "
                      "(and 1 settled: --all lists "
                      "them)."),
            std::string::npos);
  EXPECT_NE(Ok("cm", {"conflicts"}).find("1 conflict waiting"),
            std::string::npos);
  SyncAll({"laptop", "cm", "teacher"});
  // Every device holds the chosen value; no device has a conflict waiting,
  // and settling made no new conflict.
  for (const char* device : {"cm", "laptop", "teacher"}) {
    bool found = false;
    for (const auto& a : Records<v1::Accommodation>(device)) {
      if (a.id() != extended_time_) continue;
      found = true;
      EXPECT_EQ(a.description(), "1.5x time, quizzes included") << device;
    }
    EXPECT_TRUE(found) << device;
  }
  for (const char* device : {"cm", "laptop"}) {
    EXPECT_NE(Ok(device, {"conflicts"}).find("0 conflicts waiting"),
              std::string::npos)
        << device;
    EXPECT_EQ(Records<v1::Conflict>(device).size(), 1u) << device;
  }
  const auto all = Json(Ok("cm", {"conflicts", "--all", "--json"}));
  ASSERT_EQ(Field(all, "conflicts").list_value().values_size(), 1);
  EXPECT_FALSE(
      Field(Field(all, "conflicts").list_value().values(0).struct_value(),
            "waiting")
          .bool_value());
  // A settled conflict is not settled twice.
  ExpectRefused("cm", {"resolve", conflict, "--keep", "winning"},
                "is already settled: Accommodation.description was written "
                "after it");
}

TEST_F(ReviewCliTest, KeepingTheWinnerOrANewValueAlsoSettles) {
  StartCaseload();
  MakePlan();
  MakeConflict("Service", speech_, "minutes_per_period", "90", "45");
  MakeConflict("Accommodation", seating_, "title", "Front-row seat",
               "Seat near the door");
  const auto conflicts = Records<v1::Conflict>("cm");
  ASSERT_EQ(conflicts.size(), 2u);
  std::string minutes, title;
  for (const auto& c : conflicts) {
    (c.field_name() == "title" ? title : minutes) = c.id();
  }
  // Keeping the winner writes the same value again, as a new write.
  const std::string pending_before = State("cm");
  Ok("cm", {"resolve", title, "--keep", "winning"});
  EXPECT_NE(State("cm"), pending_before);
  // A new value, checked like any value of the field.
  ExpectRefused("cm", {"resolve", minutes, "--value", "an hour"},
                "Service.minutes_per_period takes an integer");
  Ok("cm", {"resolve", minutes, "--value", "60"});
  EXPECT_NE(Ok("cm", {"conflicts"}).find("0 conflicts waiting"),
            std::string::npos);
  SyncAll({"cm", "laptop"});
  for (const auto& s : Records<v1::Service>("laptop")) {
    if (s.id() == speech_) {
      EXPECT_EQ(s.minutes_per_period(), 60);
    }
  }
  EXPECT_NE(Ok("laptop", {"conflicts"}).find("0 conflicts waiting"),
            std::string::npos);
  EXPECT_EQ(Records<v1::Conflict>("cm").size(), 2u);
}

TEST_F(ReviewCliTest, ResolveRefusesBadChoices) {
  StartCaseload();
  MakePlan();
  MakeConflict("Accommodation", seating_, "description", "a", "b");
  const std::string conflict = Records<v1::Conflict>("cm")[0].id();
  ExpectRefused("cm", {"resolve", conflict}, "say which value to keep");
  ExpectRefused("cm", {"resolve", conflict, "--keep", "mine"},
                "say which value to keep");
  ExpectRefused("cm",
                {"resolve", conflict, "--keep", "winning", "--value", "c"},
                "say which value to keep");
  ExpectRefused(
      "cm",
      {"resolve", "01900000-0000-7000-8000-000000000000", "--keep", "winning"},
      "there is no conflict 01900000-0000-7000-8000-000000000000");
  ExpectRefused("cm", {"resolve", "--keep", "winning"},
                "usage: plansync resolve CONFLICT_ID");
  // Only case managers hold conflicts.
  ExpectRefused("teacher", {"resolve", conflict, "--keep", "winning"},
                "there is no conflict " + conflict);
  EXPECT_NE(Ok("teacher", {"conflicts"}).find("0 conflicts waiting"),
            std::string::npos);
}

}  // namespace
}  // namespace plansync
