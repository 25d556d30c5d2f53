// The legal clocks a parent's written request starts, under the built-in
// rule book (data/compliance_rules.textproto): the federal records-access
// limit, Missouri's written answer to an evaluation request and California's
// records (5 business days) and requested IEP meeting (30 days, long breaks
// not counted). Every due day below is worked out by hand in its comment;
// the day-by-day checks compare each day's state with those hand-written
// days.
#include <string>
#include <vector>

#include "core/reports/compliance.h"
#include "core/reports/requests.h"
#include "core/reports/rule_book.h"
#include "gtest/gtest.h"

namespace plansync::reports {
namespace {

constexpr char kRequest[] = "01966f4e-0000-7000-8000-00000000aa01";

class RequestClocksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    records_.student.set_id("student");
    records_.student.set_school("Lincoln");
  }

  void Plan(const std::string& id, v1::PlanKind kind,
            const std::string& jurisdiction, const std::string& start,
            const std::string& end = "") {
    v1::Plan& plan = records_.plans.emplace_back();
    plan.set_id(id);
    plan.set_student_id("student");
    plan.set_kind(kind);
    plan.set_status(v1::PLAN_STATUS_ACTIVE);
    plan.set_version(1);
    plan.set_jurisdiction(jurisdiction);
    plan.set_start_date(start);
    plan.set_end_date(end);
  }
  void Request(v1::RequestKind kind, const std::string& sent,
               const std::string& id = kRequest) {
    v1::ParentRequest& request = records_.requests.emplace_back();
    request.set_id(id);
    request.set_student_id("student");
    request.set_request_kind(kind);
    request.set_sent_via(v1::REQUEST_CHANNEL_EMAIL);
    request.set_sent_date(sent);
    request.set_text("Please ...");
  }
  void Receipt(const std::string& day, const std::string& request = kRequest) {
    v1::RequestReceipt& receipt = records_.receipts.emplace_back();
    receipt.set_id("receipt-" + day);
    receipt.set_parent_request_id(request);
    receipt.set_received_date(day);
  }
  void Release(const std::string& day, const std::string& request = kRequest) {
    v1::RecordsRelease& release = records_.releases.emplace_back();
    release.set_id("release-" + day);
    release.set_parent_request_id(request);
    release.set_released_date(day);
    release.set_released_via(v1::REQUEST_CHANNEL_EMAIL);
    release.set_description("the full file");
  }
  v1::Meeting& Meeting(v1::MeetingType type, const std::string& scheduled_at,
                       const std::string& request = "") {
    v1::Meeting& meeting = records_.meetings.emplace_back();
    meeting.set_id("meeting-" + scheduled_at);
    meeting.set_meeting_type(type);
    meeting.set_scheduled_at(scheduled_at);
    meeting.set_parent_request_id(request);
    return meeting;
  }
  void Notice(v1::NoticeType type, const std::string& sent,
              const std::string& request) {
    v1::Notice& notice = records_.notices.emplace_back();
    notice.set_id("notice-" + sent);
    notice.set_notice_type(type);
    notice.set_proposed_or_refused(v1::NOTICE_ACTION_REFUSED);
    notice.set_sent_date(sent);
    notice.set_parent_request_id(request);
  }
  // A school closure of every weekday from `from` to `to`.
  void Closed(Day from, Day to) {
    for (Day day = from; day <= to; ++day) {
      if (!IsWeekday(day)) continue;
      v1::SchoolHoliday& holiday = caseload_.holidays.emplace_back();
      holiday.set_day(FormatDay(day));
    }
  }

  RequestClocks Clocks(const std::string& today) {
    return ClocksOfRequest(caseload_, records_, records_.requests.front(),
                           DefaultRuleBook(), *ParseDay(today));
  }
  // The one clock of rule `rule_id` on `today`; fails the test if there is
  // not exactly one.
  v1::Deadline Clock(const std::string& rule_id, const std::string& today) {
    v1::Deadline found;
    int count = 0;
    for (const v1::Deadline& clock : Clocks(today).deadlines) {
      if (clock.rule_id() == rule_id) {
        found = clock;
        ++count;
      }
    }
    EXPECT_EQ(count, 1) << rule_id << " on " << today;
    return found;
  }

  // Checks the state of `rule_id` on every day from `first` to `last`, for
  // a clock due on `due` (hand-computed) with `warn` days of warning and no
  // answer: days left, then due soon, then overdue.
  void ExpectDayByDay(const std::string& rule_id, const std::string& first,
                      const std::string& last, const std::string& due,
                      int warn) {
    const Day due_day = *ParseDay(due);
    for (Day day = *ParseDay(first); day <= *ParseDay(last); ++day) {
      const v1::Deadline clock = Clock(rule_id, FormatDay(day));
      const int left = static_cast<int>(due_day - day);
      EXPECT_EQ(clock.due_day(), due) << FormatDay(day);
      EXPECT_EQ(clock.days_left(), left) << FormatDay(day);
      const v1::Deadline::State want = left < 0       ? v1::Deadline::OVERDUE
                                       : left <= warn ? v1::Deadline::DUE_SOON
                                                      : v1::Deadline::UPCOMING;
      EXPECT_EQ(clock.state(), want) << FormatDay(day);
    }
  }

  Caseload caseload_;
  StudentRecords records_;
};

TEST_F(RequestClocksTest, FederalRecordsAccessRunsFortyFiveDaysFromTheDaySent) {
  Plan("iep", v1::PLAN_KIND_IEP, "US", "2026-08-24");
  Request(v1::REQUEST_KIND_RECORDS_ACCESS, "2026-09-08");
  // 8 September + 45 days: 22 days to 30 September, 23 more: 23 October.
  // Warned 10 days ahead (from 13 October); overdue from 24 October.
  ExpectDayByDay("records_access", "2026-09-08", "2026-10-31", "2026-10-23",
                 10);
  const RequestClocks clocks = Clocks("2026-09-08");
  EXPECT_EQ(clocks.jurisdiction, "US");
  ASSERT_EQ(clocks.deadlines.size(), 1u);
  EXPECT_EQ(clocks.deadlines[0].anchor_day(), "2026-09-08");
  EXPECT_EQ(clocks.deadlines[0].record_id(), kRequest);
}

TEST_F(RequestClocksTest, TheEarliestReceiptStartsTheClockAndEarlierOnesDoNot) {
  Plan("iep", v1::PLAN_KIND_IEP, "US", "2026-08-24");
  Request(v1::REQUEST_KIND_RECORDS_ACCESS, "2026-09-08");
  Receipt("2026-09-14");
  Receipt("2026-09-11");
  Receipt("2026-09-01");  // before it was sent: ignored
  // 11 September + 45: 19 days to 30 September, 26 more: 26 October.
  const v1::Deadline clock = Clock("records_access", "2026-09-20");
  EXPECT_EQ(clock.anchor_day(), "2026-09-11");
  EXPECT_EQ(clock.due_day(), "2026-10-26");
  EXPECT_EQ(RequestReceivedDay(records_, records_.requests[0]),
            Day(2026, 9, 11));
}

TEST_F(RequestClocksTest,
       RecordsAreDueBeforeTheNextMeetingMetByALinkedRelease) {
  Plan("iep", v1::PLAN_KIND_IEP, "US", "2026-08-24");
  Request(v1::REQUEST_KIND_RECORDS_ACCESS, "2026-09-08");
  // A meeting on 6 October (before the 45 days end): due the day before.
  Meeting(v1::MEETING_TYPE_ANNUAL_REVIEW, "2026-10-06T17:00:00Z");
  // A meeting before the request does not move it.
  Meeting(v1::MEETING_TYPE_AMENDMENT, "2026-09-01T17:00:00Z");
  v1::Deadline clock = Clock("records_access", "2026-09-20");
  EXPECT_EQ(clock.due_day(), "2026-10-05");
  EXPECT_EQ(clock.days_left(), 15);
  // A release that names no request does not stop the clock.
  Release("2026-10-01", "");
  EXPECT_EQ(Clock("records_access", "2026-10-06").state(),
            v1::Deadline::OVERDUE);
  // A release naming it on 7 October: met, late.
  Release("2026-10-07");
  clock = Clock("records_access", "2026-10-10");
  EXPECT_EQ(clock.state(), v1::Deadline::MET_LATE);
  EXPECT_EQ(clock.met_day(), "2026-10-07");
  // An earlier one, on the due day itself: met.
  Release("2026-10-05");
  clock = Clock("records_access", "2026-10-10");
  EXPECT_EQ(clock.state(), v1::Deadline::MET);
  EXPECT_EQ(clock.met_day(), "2026-10-05");
}

TEST_F(RequestClocksTest,
       MissouriAnswersAnEvaluationRequestInThirtyDaysWithANoticeNamingIt) {
  // No plan yet: the district's jurisdiction decides.
  caseload_.district.set_jurisdiction("US-MO");
  Request(v1::REQUEST_KIND_INITIAL_EVALUATION, "2026-09-08");
  Receipt("2026-09-10");
  // 10 September + 30: 20 days to 30 September, 10 more: 10 October.
  // Warned 7 days ahead.
  ExpectDayByDay("evaluation_request_response", "2026-09-10", "2026-10-20",
                 "2026-10-10", 7);
  EXPECT_EQ(Clocks("2026-09-10").jurisdiction, "US-MO");
  // A notice of action that names no request, or a meeting notice naming
  // it, does not answer it.
  Notice(v1::NOTICE_TYPE_PRIOR_WRITTEN_NOTICE, "2026-09-20", "");
  Notice(v1::NOTICE_TYPE_MEETING_NOTICE, "2026-09-21", kRequest);
  EXPECT_EQ(Clock("evaluation_request_response", "2026-10-12").state(),
            v1::Deadline::OVERDUE);
  // The Notice of Action naming it, on 12 October: met late.
  Notice(v1::NOTICE_TYPE_PRIOR_WRITTEN_NOTICE, "2026-10-12", kRequest);
  const v1::Deadline clock = Clock("evaluation_request_response", "2026-10-12");
  EXPECT_EQ(clock.state(), v1::Deadline::MET_LATE);
  EXPECT_EQ(clock.met_day(), "2026-10-12");
}

TEST_F(RequestClocksTest, WithoutAStateRuleAnEvaluationRequestHasNoFixedClock) {
  Request(v1::REQUEST_KIND_INITIAL_EVALUATION, "2026-09-08");
  RequestClocks clocks = Clocks("2026-09-20");
  EXPECT_EQ(clocks.jurisdiction, "US");
  EXPECT_TRUE(clocks.deadlines.empty());
  // An unknown jurisdiction falls back to the federal rules.
  caseload_.district.set_jurisdiction("US-ZZ");
  clocks = Clocks("2026-09-20");
  EXPECT_EQ(clocks.jurisdiction, "US");
  EXPECT_TRUE(clocks.deadlines.empty());
}

TEST_F(RequestClocksTest, CaliforniaOpensRecordsInFiveBusinessDays) {
  Plan("iep", v1::PLAN_KIND_IEP, "US-CA", "2026-08-24");
  Request(v1::REQUEST_KIND_RECORDS_ACCESS, "2026-09-16");
  Receipt("2026-09-17");
  // Thursday 17 September + 5 weekdays: 18, 21, 22, 23, 24: Thursday 24
  // September. Warned 2 days ahead (from 22 September).
  ExpectDayByDay("records_access", "2026-09-17", "2026-09-30", "2026-09-24", 2);
  EXPECT_EQ(Clock("records_access", "2026-09-17").jurisdiction(), "US-CA");
}

TEST_F(RequestClocksTest,
       CaliforniaHoldsARequestedIepMeetingWithinThirtyDaysNotCountingBreaks) {
  Plan("iep", v1::PLAN_KIND_IEP, "US-CA", "2026-08-24");
  // Winter break: every weekday from 21 December to 1 January.
  Closed(Day(2026, 12, 21), Day(2027, 1, 1));
  Request(v1::REQUEST_KIND_PLAN_MEETING, "2026-12-10");
  // 11 to 18 December count (8 days, the weekend of the 12th included); the
  // break, 19 December to 3 January with its weekends, does not; 22 more
  // from 4 January: Monday 25 January 2027.
  ExpectDayByDay("requested_iep_meeting", "2026-12-10", "2027-01-31",
                 "2027-01-25", 7);
  // A parent-requested meeting that names no request does not meet it; the
  // one naming it, held on 20 January, does.
  v1::Meeting& other =
      Meeting(v1::MEETING_TYPE_PARENT_REQUESTED, "2027-01-12T16:00:00Z");
  other.set_held_at("2027-01-12T16:00:00Z");
  v1::Meeting& linked = Meeting(v1::MEETING_TYPE_PARENT_REQUESTED,
                                "2027-01-20T16:00:00Z", kRequest);
  linked.set_trigger_date("2026-12-10");
  EXPECT_EQ(Clock("requested_iep_meeting", "2027-01-19").state(),
            v1::Deadline::DUE_SOON);
  records_.meetings.back().set_held_at("2027-01-20T16:05:00Z");
  const v1::Deadline clock = Clock("requested_iep_meeting", "2027-01-21");
  EXPECT_EQ(clock.state(), v1::Deadline::MET);
  EXPECT_EQ(clock.met_day(), "2027-01-20");
}

TEST_F(RequestClocksTest, AMeetingNamingARequestRunsOnlyOnThatRequestsClock) {
  Plan("iep", v1::PLAN_KIND_IEP, "US-CA", "2026-08-24");
  Request(v1::REQUEST_KIND_PLAN_MEETING, "2026-10-01");
  // The same request also written as the meeting's trigger day: one clock
  // in the calendar, not two.
  Meeting(v1::MEETING_TYPE_PARENT_REQUESTED, "2026-10-20T16:00:00Z", kRequest)
      .set_trigger_date("2026-10-01");
  caseload_.students.push_back(records_);
  const v1::ComplianceCalendar calendar =
      BuildComplianceCalendar(caseload_, DefaultRuleBook(), Day(2026, 10, 5));
  int meeting_clocks = 0;
  for (const v1::Deadline& deadline : calendar.deadlines()) {
    if (deadline.rule_id() == "requested_iep_meeting" ||
        deadline.rule_id() == "parent_requested_meeting") {
      ++meeting_clocks;
      EXPECT_EQ(deadline.rule_id(), "requested_iep_meeting");
      // 1 October + 30 (no break): 31 October.
      EXPECT_EQ(deadline.due_day(), "2026-10-31");
    }
  }
  EXPECT_EQ(meeting_clocks, 1);
  // On a device that does not hold the request (a teacher's), the meeting's
  // own trigger day still starts the clock.
  caseload_.students[0].requests.clear();
  meeting_clocks = 0;
  const v1::ComplianceCalendar without =
      BuildComplianceCalendar(caseload_, DefaultRuleBook(), Day(2026, 10, 5));
  for (const v1::Deadline& deadline : without.deadlines()) {
    if (deadline.rule_id() == "parent_requested_meeting") {
      ++meeting_clocks;
      EXPECT_EQ(deadline.due_day(), "2026-10-31");
    }
  }
  EXPECT_EQ(meeting_clocks, 1);
}

TEST_F(RequestClocksTest, AMeetingIsHeldOnItsDayInTheDistrictsZone) {
  caseload_.district.set_time_zone("America/Los_Angeles");
  Plan("iep", v1::PLAN_KIND_IEP, "US-CA", "2026-08-24");
  Request(v1::REQUEST_KIND_PLAN_MEETING, "2026-10-01");
  // 1 October + 30: due 31 October. Held at 6 pm in California on the 31st,
  // which is 1 November in UTC: met on time.
  Meeting(v1::MEETING_TYPE_PARENT_REQUESTED, "2026-11-01T01:00:00Z", kRequest)
      .set_held_at("2026-11-01T01:00:00Z");
  const v1::Deadline clock = Clock("requested_iep_meeting", "2026-11-02");
  EXPECT_EQ(clock.due_day(), "2026-10-31");
  EXPECT_EQ(clock.state(), v1::Deadline::MET);
  EXPECT_EQ(clock.met_day(), "2026-10-31");
}

TEST_F(RequestClocksTest, TheClocksAreThoseOfThePlanInEffectWhenTheyStarted) {
  // An IEP until 31 October, then a 504 plan: a meeting request received
  // under the IEP keeps California's IEP meeting clock after the change.
  Plan("iep", v1::PLAN_KIND_IEP, "US-CA", "2026-08-24", "2026-10-31");
  Plan("504", v1::PLAN_KIND_SECTION_504, "US-CA", "2026-11-01");
  Request(v1::REQUEST_KIND_PLAN_MEETING, "2026-10-20");
  // 20 October + 30: 11 days to 31 October, 19 more: 19 November.
  EXPECT_EQ(Clock("requested_iep_meeting", "2026-11-15").due_day(),
            "2026-11-19");
  // A request made under the 504 plan has no IEP meeting clock.
  records_.requests.clear();
  Request(v1::REQUEST_KIND_PLAN_MEETING, "2026-11-05");
  EXPECT_TRUE(Clocks("2026-11-15").deadlines.empty());
}

TEST_F(RequestClocksTest, TheRequestViewListsReceiptAnswersAndClocks) {
  Plan("iep", v1::PLAN_KIND_IEP, "US", "2026-08-24");
  Request(v1::REQUEST_KIND_RECORDS_ACCESS, "2026-09-08");
  Request(v1::REQUEST_KIND_INDEPENDENT_EVALUATION, "2026-09-01",
          "01966f4e-0000-7000-8000-00000000aa00");
  Receipt("2026-09-09");
  Release("2026-09-30");
  Notice(v1::NOTICE_TYPE_PRIOR_WRITTEN_NOTICE, "2026-09-15",
         "01966f4e-0000-7000-8000-00000000aa00");
  caseload_.students.push_back(records_);
  const std::vector<v1::RequestStatus> all = StudentRequests(
      caseload_, caseload_.students[0], DefaultRuleBook(), Day(2026, 10, 1));
  ASSERT_EQ(all.size(), 2u);
  // By day sent: the IEE request first; no fixed clock; answered by the
  // notice.
  EXPECT_EQ(all[0].request().request_kind(),
            v1::REQUEST_KIND_INDEPENDENT_EVALUATION);
  EXPECT_TRUE(all[0].clocks().empty());
  EXPECT_EQ(all[0].received_day(), "");
  EXPECT_EQ(all[0].clock_start_day(), "2026-09-01");
  ASSERT_EQ(all[0].answers_size(), 1);
  EXPECT_EQ(all[0].answers(0).record_type(), "Notice");
  EXPECT_EQ(all[0].answers(0).description(), "prior written notice (refused)");
  // The records request: received 9 September, due 24 October (9 September
  // + 45: 21 days to 30 September, 24 more), met on 30 September.
  EXPECT_EQ(all[1].received_day(), "2026-09-09");
  EXPECT_EQ(all[1].clock_start_day(), "2026-09-09");
  ASSERT_EQ(all[1].clocks_size(), 1);
  EXPECT_EQ(all[1].clocks(0).due_day(), "2026-10-24");
  EXPECT_EQ(all[1].clocks(0).state(), v1::Deadline::MET);
  ASSERT_EQ(all[1].answers_size(), 1);
  EXPECT_EQ(all[1].answers(0).description(), "records released (email)");
}

TEST(RequestRuleBookTest, RequestRulesMustNameTheirKinds) {
  for (const char* text : {
           R"(sets { jurisdiction: "US" rules { id: "r" title: "R" amount: 5
              unit: RULE_UNIT_CALENDAR_DAYS
              anchor: RULE_ANCHOR_PARENT_REQUEST } })",
           R"(sets { jurisdiction: "US" rules { id: "r" title: "R" amount: 5
              unit: RULE_UNIT_CALENDAR_DAYS anchor: RULE_ANCHOR_PLAN_START
              request_kinds: REQUEST_KIND_RECORDS_ACCESS } })",
           R"(sets { jurisdiction: "US" rules { id: "r" title: "R" amount: 5
              unit: RULE_UNIT_CALENDAR_DAYS anchor: RULE_ANCHOR_PLAN_START
              completion: RULE_COMPLETION_RECORDS_RELEASED } })",
       }) {
    EXPECT_EQ(ParseRuleBook(text).status().code(),
              absl::StatusCode::kInvalidArgument)
        << text;
  }
}

}  // namespace
}  // namespace plansync::reports
