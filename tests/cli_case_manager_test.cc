// The case manager's plan, meeting and notice commands through the real
// binaries: what each stores, the amendment that makes a new version, and
// the bad input each refuses with nothing stored.
#include <algorithm>
#include <string>

#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/cli_roles_fixture.h"

namespace plansync {
namespace {

using testing::CliResult;
using testing::CliRolesTest;

class CaseManagerCliTest : public CliRolesTest {};

template <typename T>
const T* ById(const std::vector<T>& records, const std::string& id) {
  auto it = std::find_if(records.begin(), records.end(),
                         [&](const T& r) { return r.id() == id; });
  return it == records.end() ? nullptr : &*it;
}

TEST_F(CaseManagerCliTest, PlanAndItsRecordsFromReadableOptions) {
  StartCaseload();
  const std::string out =
      Ok("cm", {"plan", "create", "--kind", "504", "--jurisdiction", "us-mo",
                "--start", "2026-08-24", "--end", "2027-08-23", "--eligibility",
                "ADHD", "--consent", "2026-08-20"});
  const std::string plan_id = IdIn(out);
  EXPECT_NE(out.find("Created plan " + plan_id +
                     ": Section 504 plan for Maya Diaz, version 1, active, "
                     "US-MO."),
            std::string::npos)
      << out;
  const std::string accommodation = IdIn(
      Ok("cm", {"accommodation", "add", "--plan", plan_id, "--title",
                "Calculator", "--category", "response", "--kind",
                "modification", "--subject", "Mathematics", "--responsible",
                "math teacher", "--start", "2026-09-01"}));
  const std::string service_out =
      Ok("cm",
         {"service", "add", "--type", "Counselling", "--category",
          "related-service", "--minutes", "30", "--per", "week", "--delivery",
          "individual", "--setting", "special-education", "--location",
          "counsellor's office", "--provider-role", "school counsellor"});
  EXPECT_NE(service_out.find("Counselling: 30 minutes per week, individual, "
                             "special education setting (counsellor's "
                             "office)"),
            std::string::npos)
      << service_out;
  const std::string goal = IdIn(
      Ok("cm", {"goal", "add", "--area", "Self-regulation", "--description",
                "Uses a calming strategy in 4 of 5 observed episodes", "--unit",
                "% of episodes", "--baseline-value", "20", "--target-value",
                "80", "--measured-by", "teacher log"}));

  const auto plans = Records<v1::Plan>("cm");
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0].kind(), v1::PLAN_KIND_SECTION_504);
  EXPECT_EQ(plans[0].status(), v1::PLAN_STATUS_ACTIVE);
  EXPECT_EQ(plans[0].version(), 1);
  EXPECT_EQ(plans[0].jurisdiction(), "US-MO");
  EXPECT_EQ(plans[0].eligibility_category(), "ADHD");
  EXPECT_EQ(plans[0].consent_date(), "2026-08-20");
  EXPECT_EQ(plans[0].case_manager_user_id(), cm_);
  const auto accommodations = Records<v1::Accommodation>("cm");
  ASSERT_EQ(accommodations.size(), 1u);
  EXPECT_EQ(accommodations[0].id(), accommodation);
  EXPECT_EQ(accommodations[0].kind(), v1::ACCOMMODATION_KIND_MODIFICATION);
  EXPECT_EQ(accommodations[0].category(), v1::ACCOMMODATION_CATEGORY_RESPONSE);
  EXPECT_EQ(accommodations[0].applies_to(), v1::APPLIES_TO_SUBJECT);
  EXPECT_EQ(accommodations[0].subject(), "Mathematics");
  EXPECT_EQ(accommodations[0].start_date(), "2026-09-01");
  const auto services = Records<v1::Service>("cm");
  ASSERT_EQ(services.size(), 1u);
  EXPECT_EQ(services[0].plan_id(), plan_id);
  EXPECT_EQ(services[0].minutes_per_period(), 30);
  EXPECT_EQ(services[0].period(), v1::SERVICE_PERIOD_WEEK);
  EXPECT_EQ(services[0].delivery(), v1::SERVICE_DELIVERY_INDIVIDUAL);
  EXPECT_EQ(services[0].setting(), v1::SERVICE_SETTING_SPECIAL_EDUCATION);
  const auto goals = Records<v1::Goal>("cm");
  ASSERT_EQ(goals.size(), 1u);
  EXPECT_EQ(goals[0].id(), goal);
  EXPECT_EQ(goals[0].target_value(), 80);
  EXPECT_EQ(goals[0].measurement_method(), "teacher log");
  // The server accepts all of it.
  const std::string sync = Ok("cm", {"sync"});
  EXPECT_NE(sync.find("refused 0"), std::string::npos) << sync;
}

TEST_F(CaseManagerCliTest, AmendMakesAVersionAndCarriesItsRecordsOver) {
  StartCaseload();
  MakePlan();
  const std::string out =
      Ok("cm", {"plan", "amend", plan_, "--annual-review-due", "2027-09-15",
                "--eligibility", "Specific Learning Disability"});
  const std::string amended = IdIn(out);
  // Without --effective, the new version is in effect from today.
  EXPECT_NE(out.find("version 2 is plan " + amended +
                     ", in effect from 2026-09-17; version 1 (plan " + plan_ +
                     ") is in effect to 2026-09-16."),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("changed annual review due: 2027-08-23 -> 2027-09-15"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("2 accommodations, 1 service, 1 goal"), std::string::npos)
      << out;
  const auto plans = Records<v1::Plan>("cm");
  ASSERT_EQ(plans.size(), 2u);
  const v1::Plan* old = ById(plans, plan_);
  const v1::Plan* now = ById(plans, amended);
  ASSERT_NE(old, nullptr);
  ASSERT_NE(now, nullptr);
  EXPECT_EQ(old->status(), v1::PLAN_STATUS_SUPERSEDED);
  EXPECT_EQ(old->annual_review_due(), "2027-08-23");
  EXPECT_EQ(now->status(), v1::PLAN_STATUS_ACTIVE);
  EXPECT_EQ(now->version(), 2);
  EXPECT_EQ(now->supersedes_plan_id(), plan_);
  EXPECT_EQ(now->annual_review_due(), "2027-09-15");
  EXPECT_EQ(now->eligibility_category(), "Specific Learning Disability");
  EXPECT_EQ(now->start_date(), "2026-09-17");
  EXPECT_EQ(now->jurisdiction(), "US-MO");
  // Each record of version 1 stays; a copy with a new id points at version 2.
  const auto accommodations = Records<v1::Accommodation>("cm");
  ASSERT_EQ(accommodations.size(), 4u);
  int on_new = 0;
  for (const auto& a : accommodations) {
    if (a.plan_id() != amended) continue;
    ++on_new;
    EXPECT_NE(a.id(), extended_time_);
    EXPECT_NE(a.id(), seating_);
  }
  EXPECT_EQ(on_new, 2);
  EXPECT_EQ(ById(accommodations, extended_time_)->plan_id(), plan_);
  const auto services = Records<v1::Service>("cm");
  ASSERT_EQ(services.size(), 2u);
  EXPECT_EQ(std::count_if(services.begin(), services.end(),
                          [&](const auto& s) {
                            return s.plan_id() == amended &&
                                   s.minutes_per_period() == 60;
                          }),
            1);
  EXPECT_EQ(Records<v1::Goal>("cm").size(), 2u);
  // The superseded version cannot be amended again.
  ExpectRefused("cm", {"plan", "amend", plan_, "--end", "2027-06-01"},
                "is superseded, not active; version 2 (" + amended +
                    ") replaced it: amend that one");
  // New records go to the version in effect, not to a superseded one.
  ExpectRefused(
      "cm",
      {"goal", "add", "--plan", plan_, "--area", "Math", "--description", "x"},
      "is superseded; the plan in effect is version 2");
  const std::string sync = Ok("cm", {"sync"});
  EXPECT_NE(sync.find("refused 0"), std::string::npos) << sync;
  // The parent sees version 2 with the same accommodations.
  Ok("parent", {"sync"});
  const std::string plan = Ok("parent", {"plan"});
  EXPECT_NE(plan.find("IEP, version 2 (active)"), std::string::npos) << plan;
  EXPECT_NE(plan.find("Accommodations (2)"), std::string::npos) << plan;
}

TEST_F(CaseManagerCliTest, MeetingsDecisionsAndNotices) {
  StartCaseload();
  MakePlan();
  const std::string meeting =
      IdIn(Ok("cm", {"meeting", "schedule", "--type", "annual-review", "--at",
                     "2026-10-01T15:30:00Z", "--place", "Room 114", "--mode",
                     "in-person", "--purpose", "Annual review"}));
  const std::string parent_seat =
      IdIn(Ok("cm", {"meeting", "attend", meeting, "--user", parent_, "--role",
                     "parent", "--participation", "in-person"}));
  Ok("cm", {"meeting", "attend", meeting, "--name", "District interpreter",
            "--participation", "phone"});
  const std::string refused_out =
      Ok("cm", {"meeting", "decide", meeting, "--decision",
                "Add 30 minutes of OT per week", "--outcome", "refused",
                "--reason", "Data do not show a need"});
  const std::string refused = IdIn(refused_out);
  EXPECT_NE(refused_out.find("Prior written notice: plansync notice send"),
            std::string::npos);
  const std::string proposed = IdIn(Ok(
      "cm", {"meeting", "decide", meeting, "--decision",
             "Move speech to individual sessions", "--outcome", "proposed"}));
  const std::string settled =
      Ok("cm", {"meeting", "decide", proposed, "--outcome", "agreed",
                "--reason", "Progress data"});
  EXPECT_NE(settled.find("is now agreed (was proposed)"), std::string::npos)
      << settled;
  Ok("cm", {"meeting", "held", meeting, "--at", "2026-09-17T15:35:00Z",
            "--notes", "All members present"});
  const std::string notice_out =
      Ok("cm", {"notice", "send", "--type", "prior-written-notice",
                "--decision", refused, "--sent", "2026-09-17"});
  const std::string notice = IdIn(notice_out);
  EXPECT_NE(notice_out.find("the school refuses \"Add 30 minutes of OT per "
                            "week\" because \"Data do not show a need\""),
            std::string::npos)
      << notice_out;

  const auto meetings = Records<v1::Meeting>("cm");
  ASSERT_EQ(meetings.size(), 1u);
  EXPECT_EQ(meetings[0].meeting_type(), v1::MEETING_TYPE_ANNUAL_REVIEW);
  EXPECT_EQ(meetings[0].scheduled_at(), "2026-10-01T15:30:00Z");
  EXPECT_EQ(meetings[0].held_at(), "2026-09-17T15:35:00Z");
  EXPECT_EQ(meetings[0].mode(), v1::MEETING_MODE_IN_PERSON);
  EXPECT_EQ(meetings[0].plan_id(), plan_);
  EXPECT_EQ(meetings[0].notes(), "All members present");
  const auto attendees = Records<v1::MeetingAttendee>("cm");
  ASSERT_EQ(attendees.size(), 2u);
  const auto* parent = ById(attendees, parent_seat);
  ASSERT_NE(parent, nullptr);
  EXPECT_EQ(parent->name_or_role(), "Ms. Diaz");
  EXPECT_EQ(parent->user_id(), parent_);
  EXPECT_EQ(parent->participation(), v1::PARTICIPATION_IN_PERSON);
  const auto decisions = Records<v1::MeetingDecision>("cm");
  ASSERT_EQ(decisions.size(), 2u);
  EXPECT_EQ(ById(decisions, refused)->outcome(), v1::DECISION_OUTCOME_REFUSED);
  EXPECT_EQ(ById(decisions, proposed)->outcome(), v1::DECISION_OUTCOME_AGREED);
  EXPECT_EQ(ById(decisions, proposed)->reason(), "Progress data");
  const auto notices = Records<v1::Notice>("cm");
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].id(), notice);
  EXPECT_EQ(notices[0].notice_type(), v1::NOTICE_TYPE_PRIOR_WRITTEN_NOTICE);
  EXPECT_EQ(notices[0].proposed_or_refused(), v1::NOTICE_ACTION_REFUSED);
  EXPECT_EQ(notices[0].meeting_decision_id(), refused);
  EXPECT_EQ(notices[0].meeting_id(), meeting);
  EXPECT_EQ(notices[0].reason(), "Data do not show a need");
  EXPECT_EQ(notices[0].sent_date(), kToday);
  // A meeting notice and a consent request, with no action to announce.
  const std::string meeting_notice =
      IdIn(Ok("cm", {"notice", "send", "--type", "meeting-notice", "--meeting",
                     meeting, "--sent", "2026-09-10"}));
  const std::string consent = IdIn(
      Ok("cm", {"notice", "send", "--type", "consent-request", "--plan", plan_,
                "--description", "Reevaluation: speech and language"}));
  for (const auto& n : Records<v1::Notice>("cm")) {
    if (n.id() == meeting_notice) {
      EXPECT_EQ(n.meeting_id(), meeting);
      EXPECT_EQ(n.sent_date(), "2026-09-10");
      EXPECT_EQ(n.proposed_or_refused(), v1::NOTICE_ACTION_UNSPECIFIED);
    } else if (n.id() == consent) {
      EXPECT_EQ(n.plan_id(), plan_);
      EXPECT_EQ(n.consent(), v1::CONSENT_STATUS_PENDING);
    }
  }
  const std::string sync = Ok("cm", {"sync"});
  EXPECT_NE(sync.find("refused 0"), std::string::npos) << sync;

  // Bad input, nothing stored.
  ExpectRefused(
      "cm",
      {"meeting", "decide", meeting, "--decision", "x", "--outcome", "refused"},
      "a refused decision needs --reason");
  ExpectRefused("cm", {"meeting", "decide", meeting, "--outcome", "agreed"},
                "plansync meeting decide needs --decision TEXT");
  ExpectRefused("cm",
                {"meeting", "schedule", "--type", "annual-review", "--at",
                 "next Tuesday"},
                "--at: \"next Tuesday\" is not a time");
  ExpectRefused(
      "cm",
      {"meeting", "schedule", "--type", "picnic", "--at", "2026-10-01 15:30"},
      "--type: \"picnic\" is not one of eligibility");
  ExpectRefused("cm",
                {"meeting", "attend", "01900000-0000-7000-8000-000000000000",
                 "--name", "x"},
                "there is no meeting 01900000-0000-7000-8000-000000000000");
  ExpectRefused("cm", {"meeting", "held", meeting, "--at", "2026-12-01 10:00"},
                "--at 2026-12-01 is after today");
  ExpectRefused("cm",
                {"notice", "send", "--type", "prior-written-notice",
                 "--description", "x"},
                "a prior written notice says what the school proposes or "
                "refuses and why");
  ExpectRefused("cm", {"meeting"}, "plansync meeting needs one of: schedule");
  // Only the case manager writes meetings.
  Ok("teacher", {"sync"});
  ExpectRefused("teacher", {"meeting", "held", meeting},
                "you are not the case manager of Maya Diaz");
}

// A notice is due for a proposed decision too; without --action it takes the
// decision's outcome; a second one for the same decision needs --again; and
// a Missouri plan's notice is a Notice of Action.
TEST_F(CaseManagerCliTest, PriorWrittenNoticesAsTheLawReadsThem) {
  StartCaseload();
  MakePlan();
  const std::string meeting =
      IdIn(Ok("cm", {"meeting", "schedule", "--type", "amendment", "--at",
                     "2026-09-16T15:30:00Z"}));
  const std::string proposed =
      IdIn(Ok("cm", {"meeting", "decide", meeting, "--decision",
                     "Move speech to individual sessions", "--outcome",
                     "proposed", "--reason", "Progress data"}));
  const auto summary = [&] {
    return Ok("cm", {"report", "meetings", "--json"});
  };
  EXPECT_NE(summary().find("\"decisions_without_notice\": 1"),
            std::string::npos)
      << summary();
  const std::string out =
      Ok("cm", {"notice", "send", "--type", "prior-written-notice",
                "--decision", proposed});
  EXPECT_NE(out.find("Recorded Notice of Action "), std::string::npos) << out;
  EXPECT_NE(out.find("the school proposes \"Move speech to individual "
                     "sessions\" because \"Progress data\""),
            std::string::npos)
      << out;
  EXPECT_NE(summary().find("\"decisions_without_notice\": 0"),
            std::string::npos)
      << summary();
  const CliResult again =
      Cli("cm", {"notice", "send", "--type", "prior-written-notice",
                 "--decision", proposed});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("a Notice of Action for this decision was already "
                           "sent on 2026-09-17"),
            std::string::npos)
      << again.err;
  EXPECT_NE(again.err.find("add --again; nothing recorded"), std::string::npos)
      << again.err;
  EXPECT_EQ(Records<v1::Notice>("cm").size(), 1u);
  Ok("cm", {"notice", "send", "--type", "prior-written-notice", "--decision",
            proposed, "--again"});
  EXPECT_EQ(Records<v1::Notice>("cm").size(), 2u);
}

TEST_F(CaseManagerCliTest, BadPlanInputIsRefusedWithNothingStored) {
  StartCaseload();
  MakePlan();
  ExpectRefused("cm",
                {"plan", "create", "--kind", "iep", "--jurisdiction", "US-MO"},
                "Maya Diaz's IEP version 1 (" + plan_ +
                    ") is in effect on 2026-09-17: end it first");
  ExpectRefused("cm",
                {"plan", "create", "--kind", "ifsp", "--jurisdiction", "US-MO",
                 "--status", "draft"},
                "--kind: \"ifsp\" is not one of iep, section-504");
  ExpectRefused("cm",
                {"plan", "create", "--kind", "iep", "--jurisdiction",
                 "Missouri", "--status", "draft"},
                "--jurisdiction: \"Missouri\" is not an ISO 3166-2 code");
  ExpectRefused(
      "cm",
      {"plan", "create", "--kind", "iep", "--jurisdiction", "US-MO", "--status",
       "draft", "--start", "2026-09-01", "--end", "2026-08-01"},
      "the plan would end (2026-08-01) before it starts "
      "(2026-09-01)");
  ExpectRefused("cm", {"plan", "amend", plan_, "--annual-review-due", "soon"},
                "--annual-review-due: \"soon\" is not a day");
  ExpectRefused("cm", {"plan", "amend"}, "usage: plansync plan amend PLAN_ID");
  ExpectRefused(
      "cm",
      {"accommodation", "add", "--title", "Scribe", "--category", "writing"},
      "--category: \"writing\" is not one of presentation");
  ExpectRefused("cm",
                {"accommodation", "add", "--title", "Scribe", "--category",
                 "response", "--applies-to", "subject"},
                "--applies-to subject needs --subject NAME");
  ExpectRefused("cm", {"accommodation", "add", "--category", "response"},
                "plansync accommodation add needs --title T");
  ExpectRefused("cm",
                {"service", "add", "--type", "OT", "--category",
                 "related-service", "--minutes", "30"},
                "--minutes 30 needs --per day, week, month, quarter or year");
  ExpectRefused("cm",
                {"service", "add", "--type", "OT", "--category",
                 "related-service", "--minutes", "-5", "--per", "week"},
                "--minutes takes a whole number from 0");
  ExpectRefused("cm",
                {"goal", "add", "--area", "Math", "--description", "x",
                 "--target-value", "lots"},
                "--target-value takes a number");
  ExpectRefused("cm",
                {"respond", "01900000-0000-7000-8000-000000000000", "--status",
                 "acknowledged"},
                "there is no lapse report");
  // A teacher may read the plan but not change it.
  ExpectRefused("teacher", {"plan", "amend", plan_, "--end", "2027-06-01"},
                "you are not the case manager of Maya Diaz on 2026-09-17 (you "
                "are their teacher)");
}

TEST_F(CaseManagerCliTest, RespondSaysWhatEachStatusNeeds) {
  StartCaseload();
  MakePlan();
  const std::string lapse =
      IdIn(Ok("parent", {"lapse", "--service", "speech", "--what",
                         "No session this week"}));
  SyncAll({"parent", "cm"});
  ExpectRefused("cm", {"respond", lapse, "--status", "resolved"},
                "a resolved report needs --remedy none, make-up");
  ExpectRefused(
      "cm",
      {"respond", lapse, "--status", "acknowledged", "--remedy", "meeting"},
      "--remedy goes with --status resolved");
  ExpectRefused("cm", {"respond", lapse, "--status", "disputed"},
                "a disputed report needs --note");
  ExpectRefused("cm", {"respond", lapse}, "plansync respond needs --status");
  ExpectRefused("parent", {"respond", lapse, "--status", "acknowledged"},
                "you are not the case manager of Maya Diaz");
  const std::string out =
      Ok("cm", {"respond", lapse, "--status", "disputed", "--note",
                "The session was moved to Friday"});
  EXPECT_NE(out.find("to lapse report " + lapse + ": disputed."),
            std::string::npos)
      << out;
  const auto responses = Records<v1::LapseResponse>("cm");
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].lapse_report_id(), lapse);
  EXPECT_EQ(responses[0].response(), v1::LAPSE_RESPONSE_STATUS_DISPUTED);
  EXPECT_EQ(responses[0].author_id(), cm_);
}

}  // namespace
}  // namespace plansync
