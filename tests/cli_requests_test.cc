// A parent's written requests through the real binaries and a real server:
// `plansync request` on her phone, the case manager's receipt, the Notice of
// Action and records release that answer them, and `plansync requests` on
// both sides with each clock (Missouri's rules: Maya's IEP is US-MO). Today
// is Thursday 2026-09-17; every due day is worked out by hand in a comment.
#include <string>

#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/cli_roles_fixture.h"

namespace plansync {
namespace {

using testing::CliRolesTest;

class RequestsCliTest : public CliRolesTest {
 protected:
  static bool Has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }
};

TEST_F(RequestsCliTest, ARequestsClockRunsUntilTheAnswerNamingIt) {
  StartCaseload();
  MakePlan();
  // Her records request, sent Monday by email: 14 September + 45 days (16
  // to 30 September, 29 more) is Thursday 29 October, 42 days from today.
  std::string out =
      Ok("parent", {"request", "--kind", "records", "--via", "email", "--sent",
                    "2026-09-14", "--text", "Please send me Maya's full file"});
  const std::string records = IdIn(out);
  EXPECT_TRUE(Has(out, "Recorded request " + records +
                           ": records access for Maya Diaz, sent Monday "
                           "2026-09-14 by email."))
      << out;
  EXPECT_TRUE(Has(out, "due Thursday 2026-10-29: 42 days left")) << out;
  // Her evaluation request, by letter on Tuesday: Missouri's written answer
  // within 30 days; until the school records its receipt the clock runs
  // from the day sent: 15 September + 30 = Thursday 15 October.
  out = Ok("parent",
           {"request", "--kind", "evaluation", "--via", "letter", "--sent",
            "2026-09-15", "--text", "I request a full evaluation of Maya"});
  const std::string evaluation = IdIn(out);
  EXPECT_TRUE(Has(out, "Notice of Action")) << out;
  EXPECT_TRUE(Has(out, "due Thursday 2026-10-15: 28 days left")) << out;
  auto mine = Records<v1::ParentRequest>("parent");
  ASSERT_EQ(mine.size(), 2u);
  for (const v1::ParentRequest& request : mine) {
    EXPECT_EQ(request.author_id(), parent_);
  }
  SyncAll({"parent", "cm", "teacher"});
  // The teacher's device never holds a parent's requests.
  EXPECT_TRUE(Records<v1::ParentRequest>("teacher").empty());
  ASSERT_EQ(Records<v1::ParentRequest>("cm").size(), 2u);

  // The letter reached the school on Wednesday: 16 September + 30 = Friday
  // 16 October.
  out = Ok("cm", {"request", "received", evaluation, "--day", "2026-09-16"});
  EXPECT_TRUE(Has(out, "reached the school Wednesday 2026-09-16")) << out;
  EXPECT_TRUE(Has(out, "due Friday 2026-10-16: 29 days left")) << out;
  // The Notice of Action names the request; the records go out by email.
  Ok("cm", {"notice", "send", "--type", "notice-of-action", "--action",
            "proposed", "--description", "A full evaluation", "--reason",
            "Her reading data", "--request", evaluation});
  Ok("cm", {"records", "release", "--request", records, "--what",
            "the full file", "--via", "email"});
  SyncAll({"cm", "parent"});

  out = Ok("parent", {"requests"});
  EXPECT_TRUE(Has(out, "Requests of Maya Diaz as of Thursday 2026-09-17: 2"))
      << out;
  EXPECT_TRUE(Has(out, "received by the school Wednesday 2026-09-16")) << out;
  EXPECT_TRUE(Has(out, "no receipt recorded by the school")) << out;
  EXPECT_TRUE(Has(out,
                  "answered Thursday 2026-09-17: prior written notice "
                  "(proposed)"))
      << out;
  EXPECT_TRUE(Has(out,
                  "answered Thursday 2026-09-17: records released "
                  "(email)"))
      << out;
  EXPECT_FALSE(Has(out, "days left")) << out;
  // Both clocks met today.
  size_t met = 0;
  for (size_t at = out.find("met on Thursday 2026-09-17");
       at != std::string::npos;
       at = out.find("met on Thursday 2026-09-17", at + 1)) {
    ++met;
  }
  EXPECT_EQ(met, 2u) << out;

  // JSON: the same, for apps.
  const google::protobuf::Struct json =
      Json(Ok("parent", {"requests", "--json"}));
  const auto& list = Field(json, "requests").list_value();
  ASSERT_EQ(list.values_size(), 2);
  const auto& first = list.values(0).struct_value();
  EXPECT_EQ(Field(Field(first, "request").struct_value(), "id").string_value(),
            records);
  // Held to Missouri's book, whose records rule is the federal one.
  EXPECT_EQ(Field(first, "jurisdiction").string_value(), "US-MO");
  const auto& clock = Field(first, "clocks").list_value().values(0);
  EXPECT_EQ(Field(clock.struct_value(), "jurisdiction").string_value(), "US");
  EXPECT_EQ(Field(clock.struct_value(), "due_day").string_value(),
            "2026-10-29");
  EXPECT_EQ(Field(clock.struct_value(), "state").string_value(), "MET");
  const auto& second = list.values(1).struct_value();
  EXPECT_EQ(Field(second, "jurisdiction").string_value(), "US-MO");
  EXPECT_EQ(Field(second, "received_day").string_value(), "2026-09-16");
}

TEST_F(RequestsCliTest, ACaseManagerRecordsARequestTheSchoolReceived) {
  StartCaseload();
  MakePlan();
  const std::string out =
      Ok("cm", {"request", "--kind", "meeting", "--via", "hand-delivered",
                "--sent", "2026-09-16", "--received", "2026-09-17", "--text",
                "Ms. Diaz asks for an IEP meeting about reading"});
  const std::string id = IdIn(out);
  EXPECT_TRUE(Has(out, "Received by the school Thursday 2026-09-17")) << out;
  // Missouri sets no fixed period for a requested meeting.
  EXPECT_TRUE(
      Has(out, "clock: none fixed by the US-MO rules for this kind of request"))
      << out;
  const auto receipts = Records<v1::RequestReceipt>("cm");
  ASSERT_EQ(receipts.size(), 1u);
  EXPECT_EQ(receipts[0].parent_request_id(), id);
  EXPECT_EQ(receipts[0].received_date(), "2026-09-17");
  EXPECT_EQ(receipts[0].author_id(), cm_);
  // A meeting scheduled for it names it.
  Ok("cm", {"meeting", "schedule", "--type", "parent-requested", "--at",
            "2026-10-01 15:30", "--request", id});
  const auto meetings = Records<v1::Meeting>("cm");
  ASSERT_EQ(meetings.size(), 1u);
  EXPECT_EQ(meetings[0].parent_request_id(), id);
}

TEST_F(RequestsCliTest, BadRequestsAreRefusedWithNothingStored) {
  StartCaseload();
  MakePlan();
  ExpectRefused(
      "parent",
      {"request", "--kind", "cookies", "--via", "email", "--text", "x"},
      "--kind");
  ExpectRefused("parent", {"request", "--via", "email", "--text", "x"},
                "say what was asked for and how it was sent");
  ExpectRefused("parent", {"request", "--kind", "records", "--via", "email"},
                "plansync request needs --text TEXT");
  ExpectRefused("parent",
                {"request", "--kind", "records", "--via", "email", "--text",
                 "x", "--sent", "2026-09-18"},
                "--sent 2026-09-18 is after today, 2026-09-17");
  ExpectRefused("parent",
                {"request", "--kind", "records", "--via", "email", "--text",
                 "x", "--received", "2026-09-17"},
                "--received is the school's to record");
  ExpectRefused("parent",
                {"request", "--kind", "records", "--via", "email", "--text",
                 std::string(4001, 'x')},
                "ParentRequest.text");
  ExpectRefused("cm",
                {"request", "--kind", "records", "--via", "email", "--text",
                 "x", "--sent", "2026-09-16", "--received", "2026-09-15"},
                "--received 2026-09-15 is before --sent 2026-09-16");
  // A teacher neither makes nor records requests.
  ExpectRefused(
      "teacher",
      {"request", "--kind", "records", "--via", "email", "--text", "x"},
      "you are not");
  const std::string id =
      IdIn(Ok("parent", {"request", "--kind", "records", "--via", "email",
                         "--sent", "2026-09-16", "--text", "My file, please"}));
  SyncAll({"parent", "cm"});
  // Only the school records a receipt, on or after the day sent.
  ExpectRefused("parent", {"request", "received", id},
                "you are not the case manager of Maya Diaz");
  ExpectRefused("parent",
                {"append", "RequestReceipt", "student_id=" + Student(),
                 "parent_request_id=" + id, "received_date=2026-09-16"},
                "a guardian may not add RequestReceipt records");
  ExpectRefused("cm", {"request", "received", id, "--day", "2026-09-15"},
                "--day 2026-09-15 is before the request was sent (2026-09-16)");
  ExpectRefused("cm",
                {"notice", "send", "--type", "meeting-notice", "--request",
                 "01966f4e-0000-7000-8000-0000000000ff"},
                "no request");
  ExpectRefused("cm",
                {"records", "release", "--request", id, "--student", "Maya",
                 "--what", "file"},
                "give --request or --student, not both");
  ExpectRefused("cm", {"records", "release", "--request", id},
                "plansync records release needs --what TEXT");
}

}  // namespace
}  // namespace plansync
