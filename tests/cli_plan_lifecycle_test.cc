// Plans over time through the real binaries and a real server: a back-dated
// amendment keeps the days before it (views, catch-up entries), an IEP ends
// and a 504 plan follows it, and each bad lifecycle input gets its message
// with nothing stored.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/cli_roles_fixture.h"

namespace plansync::testing {
namespace {

class PlanLifecycleCliTest : public CliRolesTest {
 protected:
  template <typename T>
  const T* ById(const std::vector<T>& records, const std::string& id) {
    auto it = std::find_if(records.begin(), records.end(),
                           [&](const T& r) { return r.id() == id; });
    return it == records.end() ? nullptr : &*it;
  }
  void ExpectRefused(const std::string& device, std::vector<std::string> args,
                     const std::string& message) {
    const auto before = Records<v1::Plan>(device).size();
    CliResult result = Cli(device, std::move(args));
    EXPECT_NE(result.exit_code, 0) << result.out;
    EXPECT_NE(result.err.find(message), std::string::npos) << result.err;
    EXPECT_EQ(Records<v1::Plan>(device).size(), before);
  }
};

TEST_F(PlanLifecycleCliTest, ABackDatedAmendmentKeepsTheDaysBeforeIt) {
  StartCaseload();
  MakePlan();  // IEP from 2026-08-24; today is Thursday 2026-09-17
  const std::string out =
      Ok("cm", {"plan", "amend", plan_, "--effective", "2026-09-15"});
  const std::string v2 = IdIn(out);
  EXPECT_NE(out.find("version 2 is plan " + v2 +
                     ", in effect from 2026-09-15; version 1 (plan " + plan_ +
                     ") is in effect to 2026-09-14."),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("carried forward to version 2: 2 accommodations, 1 "
                     "service, 1 goal"),
            std::string::npos)
      << out;
  // No Notice of Action is recorded for the change: the command says so.
  EXPECT_NE(out.find("warning: no Notice of Action is recorded"),
            std::string::npos)
      << out;
  const auto plans = Records<v1::Plan>("cm");
  ASSERT_NE(ById(plans, v2), nullptr);
  EXPECT_EQ(ById(plans, v2)->start_date(), "2026-09-15");
  // Each carried record names the one it continues.
  const auto accommodations = Records<v1::Accommodation>("cm");
  int carried = 0;
  for (const auto& a : accommodations) {
    if (a.plan_id() != v2) continue;
    ++carried;
    EXPECT_TRUE(a.continues_id() == extended_time_ ||
                a.continues_id() == seating_)
        << a.continues_id();
  }
  EXPECT_EQ(carried, 2);
  SyncAll({"cm", "teacher", "parent"});

  // The days before the amendment still have version 1 in effect.
  const std::string before = Ok("parent", {"plan", "--day", "2026-09-14"});
  EXPECT_NE(before.find("version 1"), std::string::npos) << before;
  EXPECT_NE(before.find("in effect from 2026-08-24 to 2026-09-14"),
            std::string::npos)
      << before;
  const std::string after = Ok("parent", {"plan", "--day", "2026-09-16"});
  EXPECT_NE(after.find("version 2"), std::string::npos) << after;
  // A catch-up confirmation for Monday is recorded against version 1's
  // accommodation; one for Wednesday against version 2's.
  Ok("teacher", {"confirm", "--accommodation", "seating", "--status",
                 "provided", "--day", "2026-09-14"});
  Ok("teacher", {"confirm", "--accommodation", "seating", "--status",
                 "provided", "--day", "2026-09-16"});
  const auto confirmations = Records<v1::ImplementationConfirmation>("teacher");
  const auto held = Records<v1::Accommodation>("teacher");
  ASSERT_EQ(confirmations.size(), 2u);
  for (const auto& c : confirmations) {
    if (c.day() == "2026-09-14") {
      EXPECT_EQ(c.accommodation_id(), seating_);
    } else {
      EXPECT_NE(c.accommodation_id(), seating_);
      const auto* copy = ById(held, c.accommodation_id());
      ASSERT_NE(copy, nullptr);
      EXPECT_EQ(copy->continues_id(), seating_);
    }
  }
  const std::string sync = Ok("teacher", {"sync"});
  EXPECT_NE(sync.find("refused 0"), std::string::npos) << sync;

  // plan versions shows both spans.
  const std::string versions = Ok("cm", {"plan", "versions"});
  EXPECT_NE(versions.find("in effect 2026-08-24 to 2026-09-14"),
            std::string::npos)
      << versions;
  EXPECT_NE(versions.find("in effect 2026-09-15 to 2027-08-23"),
            std::string::npos)
      << versions;
  EXPECT_NE(versions.find("active, in effect today"), std::string::npos)
      << versions;
}

TEST_F(PlanLifecycleCliTest, AnIepEndsAndASection504PlanFollowsIt) {
  StartCaseload();
  MakePlan();
  // A 504 plan cannot start while the IEP is in effect.
  ExpectRefused("cm",
                {"plan", "create", "--kind", "504", "--jurisdiction", "US-MO",
                 "--start", "2026-09-21"},
                "Maya Diaz's IEP version 1 (" + plan_ +
                    ") is in effect on 2026-09-21: end it first (plansync "
                    "plan end " +
                    plan_ + " --day 2026-09-20)");
  const std::string ended =
      Ok("cm", {"plan", "end", plan_, "--day", "2026-09-18", "--reason",
                "No longer eligible under IDEA"});
  EXPECT_NE(ended.find("its last day in effect is 2026-09-18"),
            std::string::npos)
      << ended;
  ExpectRefused("cm",
                {"plan", "create", "--kind", "504", "--jurisdiction", "US-MO",
                 "--start", "2026-09-18", "--follows", plan_},
                "--follows: IEP version 1 is in effect to 2026-09-18; the "
                "plan that follows it starts after that (--start 2026-09-19 "
                "or later)");
  // The plan followed named by the start of its id.
  const std::string created =
      Ok("cm", {"plan", "create", "--kind", "504", "--jurisdiction", "US-MO",
                "--start", "2026-09-21", "--follows", plan_.substr(0, 23)});
  const std::string plan504 = IdIn(created);
  EXPECT_NE(created.find("carried forward: 2 accommodations, 1 service, 0 "
                         "goals"),
            std::string::npos)
      << created;
  const auto plans = Records<v1::Plan>("cm");
  ASSERT_NE(ById(plans, plan504), nullptr);
  EXPECT_EQ(ById(plans, plan504)->follows_plan_id(), plan_);
  EXPECT_EQ(ById(plans, plan_)->status(), v1::PLAN_STATUS_ENDED);
  EXPECT_EQ(ById(plans, plan_)->end_date(), "2026-09-18");
  // The reason is a comment on the IEP.
  const auto comments = Records<v1::Comment>("cm");
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0].about_record_id(), plan_);
  EXPECT_NE(comments[0].text().find("No longer eligible"), std::string::npos);
  const std::string sync = Ok("cm", {"sync"});
  EXPECT_NE(sync.find("refused 0"), std::string::npos) << sync;

  // The IEP's days stay the IEP's; the weekend between has no plan.
  SyncAll({"cm", "parent"});
  const std::string friday = Ok("parent", {"plan", "--day", "2026-09-18"});
  EXPECT_NE(friday.find("IEP"), std::string::npos) << friday;
  const std::string saturday = Ok("parent", {"plan", "--day", "2026-09-19"});
  EXPECT_NE(saturday.find("no plan in effect"), std::string::npos) << saturday;
  setenv("PLANSYNC_TODAY", "2026-09-21", 1);  // TearDown unsets it
  const std::string monday = Ok("parent", {"plan"});
  EXPECT_NE(monday.find("Section 504 plan"), std::string::npos) << monday;
}

TEST_F(PlanLifecycleCliTest, AChangeWithinTheWaitAfterItsNoticeOfActionWarns) {
  StartCaseload();
  MakePlan();  // a US-MO IEP; today is Thursday 2026-09-17
  Ok("cm", {"notice", "send", "--type", "notice-of-action", "--plan", plan_,
            "--action", "proposed", "--description",
            "Reduce speech therapy to 30 minutes a week", "--reason",
            "Goals met", "--sent", "2026-09-14"});
  // 2026-09-14 + 10 calendar days = 2026-09-24: a change on the 17th is
  // inside Missouri's waiting period.
  const std::string early =
      Ok("cm", {"plan", "amend", plan_, "--effective", "2026-09-17"});
  const std::string v2 = IdIn(early);
  EXPECT_NE(early.find("warning: this change takes effect on 2026-09-17, "
                       "sooner than 10 days after its Notice of Action (sent "
                       "2026-09-14)"),
            std::string::npos)
      << early;
  EXPECT_NE(early.find("may start on 2026-09-24 at the earliest (US-MO: "
                       "Missouri DESE FAQ)"),
            std::string::npos)
      << early;
  EXPECT_EQ(early.find("no Notice of Action is recorded"), std::string::npos)
      << early;

  // The parent waived the wait: no warning about it.
  Ok("cm", {"notice", "send", "--type", "notice-of-action", "--plan", v2,
            "--action", "proposed", "--description", "Add a calculator",
            "--reason", "Parent request", "--sent", "2026-09-17", "--waived"});
  const std::string waived =
      Ok("cm", {"plan", "amend", v2, "--effective", "2026-09-18"});
  EXPECT_EQ(waived.find("sooner than"), std::string::npos) << waived;
  EXPECT_EQ(waived.find("warning"), std::string::npos) << waived;

  // Ending the plan the day after its notice: the ending takes effect on
  // 2026-09-19, within the wait after a notice sent 2026-09-17 (not waived).
  const std::string v3 = IdIn(waived);
  Ok("cm",
     {"notice", "send", "--type", "notice-of-action", "--plan", v3, "--action",
      "proposed", "--description", "Exit from special education", "--reason",
      "No longer eligible", "--sent", "2026-09-17"});
  const std::string ended =
      Ok("cm", {"plan", "end", v3, "--day", "2026-09-18"});
  EXPECT_NE(ended.find("this change takes effect on 2026-09-19, sooner than "
                       "10 days after its Notice of Action (sent 2026-09-17)"),
            std::string::npos)
      << ended;
  EXPECT_NE(ended.find("may start on 2026-09-27 at the earliest"),
            std::string::npos)
      << ended;
}

TEST_F(PlanLifecycleCliTest, BadLifecycleInputIsRefusedWithNothingStored) {
  StartCaseload();
  MakePlan();
  ExpectRefused("cm", {"plan", "amend", plan_, "--effective", "2026-08-24"},
                "--effective 2026-08-24 is not after version 1's first day "
                "(2026-08-24)");
  ExpectRefused("cm", {"plan", "amend", plan_, "--effective", "someday"},
                "--effective: \"someday\" is not a day");
  ExpectRefused("cm", {"plan", "end", plan_}, "plansync plan end needs --day");
  ExpectRefused("cm", {"plan", "end", plan_, "--day", "2026-08-01"},
                "--day 2026-08-01 is before the plan's first day (2026-08-24)");
  ExpectRefused("cm",
                {"plan", "create", "--kind", "504", "--jurisdiction", "US-MO",
                 "--start", "2026-09-21", "--follows", plan_},
                "--follows: IEP version 1 (" + plan_ + ") has not ended");
  ExpectRefused(
      "cm",
      {"plan", "create", "--kind", "504", "--jurisdiction", "US-MO", "--status",
       "draft", "--follows", "01900000-0000-7000-8000-000000000000"},
      "--follows: Maya Diaz has no plan "
      "01900000-0000-7000-8000-000000000000");
  // Only the case manager ends a plan.
  ExpectRefused("teacher", {"plan", "end", plan_, "--day", "2026-09-18"},
                "you are not the case manager of Maya Diaz");
}

}  // namespace
}  // namespace plansync::testing

namespace plansync::testing {
namespace {

// `plansync plan compare` after an amendment that cuts speech and drops the
// goal, before and after the Notice of Action that proposed it.
TEST_F(PlanLifecycleCliTest, CompareShowsAnAmendmentsCutsAndItsNotice) {
  StartCaseload();
  MakePlan();
  // One version only: nothing to compare.
  CliResult alone = Cli("parent", {"plan", "compare"});
  EXPECT_NE(alone.exit_code, 0);
  EXPECT_NE(alone.err.find("nothing to compare: IEP version 1 (from "
                           "2026-08-24) of Maya Diaz neither amends nor "
                           "follows another plan"),
            std::string::npos)
      << alone.err;

  const std::string v2 =
      IdIn(Ok("cm", {"plan", "amend", plan_, "--effective", "2026-09-15"}));
  for (const v1::Service& s : Records<v1::Service>("cm")) {
    if (s.plan_id() == v2) {
      Ok("cm", {"set", "Service", s.id(), "minutes_per_period=30"});
    }
  }
  for (const v1::Goal& g : Records<v1::Goal>("cm")) {
    if (g.plan_id() == v2) Ok("cm", {"archive", "Goal", g.id()});
  }
  SyncAll({"cm", "parent"});

  std::string out = Ok("parent", {"plan", "compare"});
  EXPECT_NE(out.find("Maya Diaz: IEP version 1 (from 2026-08-24) -> IEP "
                     "version 2 (from 2026-09-15)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("Removed (1)\n  - goal: Reading fluency"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("Changed (1)\n  - related service: Speech-language "
                     "therapy\n      minutes: 60 per week -> 30 per week\n"
                     "      reduction; no Notice of Action proposed the new "
                     "plan"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("2 items carried over unchanged; 2 reductions, 2 "
                     "without a Notice of Action"),
            std::string::npos)
      << out;

  // The Notice of Action, sent the day before the amendment took effect.
  const std::string notice = IdIn(
      Ok("cm", {"notice", "send", "--type", "notice-of-action", "--action",
                "proposed", "--description", "Speech to 30 minutes a week",
                "--reason", "Progress", "--plan", v2, "--sent", "2026-09-14"}));
  SyncAll({"cm", "parent"});
  out = Ok("parent", {"plan", "compare", plan_, v2});
  EXPECT_NE(
      out.find("reduction; Notice of Action " + notice + " sent 2026-09-14"),
      std::string::npos)
      << out;
  EXPECT_NE(out.find("2 reductions, 0 without"), std::string::npos) << out;

  // JSON and an owner-only HTML page carry the same comparison.
  const auto json = Json(Ok("parent", {"plan", "compare", "--json"}));
  EXPECT_EQ(Field(json, "reductions").number_value(), 2);
  EXPECT_EQ(Field(json, "changes").list_value().values_size(), 2);
  const std::string page = dir_.File("compare.html");
  Ok("parent", {"plan", "compare", "--format", "html", "--out", page});
  EXPECT_EQ(
      std::filesystem::status(page).permissions() & std::filesystem::perms::all,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::ifstream in(page);
  const std::string html((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("<script type=\"application/json\" id=\"comparison\">"),
            std::string::npos);
  EXPECT_NE(html.find("Speech-language therapy"), std::string::npos);

  // Bad input.
  CliResult same = Cli("parent", {"plan", "compare", v2, v2});
  EXPECT_NE(same.err.find("the same plan twice"), std::string::npos)
      << same.err;
  CliResult format = Cli("parent", {"plan", "compare", "--format", "pdf"});
  EXPECT_NE(format.err.find("--format pdf is not one of text, json, html"),
            std::string::npos)
      << format.err;
}

}  // namespace
}  // namespace plansync::testing
