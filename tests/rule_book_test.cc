// The compliance rule book (data/compliance_rules.textproto) and the day
// arithmetic its rules use.
#include <string>

#include "core/reports/rule_book.h"
#include "core/reports/school_calendar.h"
#include "gtest/gtest.h"

namespace plansync::reports {
namespace {

const ResolvedRule* Find(const std::vector<ResolvedRule>& rules,
                         const std::string& id) {
  for (const ResolvedRule& rule : rules) {
    if (rule.rule.id() == id) return &rule;
  }
  return nullptr;
}

TEST(RuleBookTest, BuiltInBookParsesWithFederalMissouriAndCalifornia) {
  const v1::RuleBook& book = DefaultRuleBook();
  ASSERT_EQ(book.sets_size(), 3);
  const auto federal = RulesFor(book, "US");
  EXPECT_NE(Find(federal, "annual_review"), nullptr);
  EXPECT_EQ(Find(federal, "evaluation_request_response"), nullptr);
  // Missouri adds its rules and replaces the federal initial evaluation.
  const auto missouri = RulesFor(book, "US-MO");
  ASSERT_NE(Find(missouri, "evaluation_request_response"), nullptr);
  EXPECT_EQ(Find(missouri, "evaluation_request_response")->rule.amount(), 30);
  EXPECT_EQ(Find(missouri, "initial_evaluation")->jurisdiction, "US-MO");
  EXPECT_EQ(Find(missouri, "annual_review")->jurisdiction, "US");
  EXPECT_EQ(missouri.size(), federal.size() + 2);
  // California does not count long breaks.
  const auto california = RulesFor(book, "US-CA");
  EXPECT_EQ(
      Find(california, "initial_evaluation")->rule.skip_breaks_longer_than(),
      5);
  // Unknown jurisdictions fall back to the federal rules.
  EXPECT_EQ(RulesFor(book, "US-ZZ").size(), federal.size());
  EXPECT_EQ(RulesFor(book, "").size(), federal.size());
}

TEST(RuleBookTest, StateRemovalsDropFederalRules) {
  auto book = ParseRuleBook(R"(
    sets { jurisdiction: "US" rules { id: "a" title: "A" amount: 1
           anchor: RULE_ANCHOR_PLAN_START unit: RULE_UNIT_YEARS } }
    sets { jurisdiction: "US-XX" removes: "a" })");
  ASSERT_TRUE(book.ok()) << book.status();
  EXPECT_EQ(RulesFor(*book, "US").size(), 1u);
  EXPECT_TRUE(RulesFor(*book, "US-XX").empty());
}

TEST(RuleBookTest, BadBooksAreRefusedSayingWhatIsWrong) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& c : {
           Case{"sets { jurisdiction: ", "text format"},
           Case{"sets { jurisdiction: \"US-MO\" }", "no federal"},
           Case{"sets { rules { id: \"x\" } }", "no jurisdiction"},
           Case{"sets { jurisdiction: \"US\" rules { id: \"x\" title: \"X\" "
                "anchor: RULE_ANCHOR_PLAN_START unit: RULE_UNIT_YEARS } }",
                "rule \"x\" of US needs a positive amount"},
           Case{"sets { jurisdiction: \"US\" rules { id: \"m\" title: \"M\" "
                "amount: 3 unit: RULE_UNIT_SCHOOL_DAYS "
                "anchor: RULE_ANCHOR_MEETING_TRIGGER } }",
                "names no meeting_type"},
           Case{"sets { jurisdiction: \"US\" rules { id: \"n\" title: \"N\" "
                "amount: 3 unit: RULE_UNIT_CALENDAR_DAYS "
                "anchor: RULE_ANCHOR_PLAN_START "
                "completion: RULE_COMPLETION_NOTICE_SENT } }",
                "names no completed_by_notice"},
       }) {
    auto book = ParseRuleBook(c.text);
    EXPECT_EQ(book.status().code(), absl::StatusCode::kInvalidArgument)
        << c.text;
    EXPECT_NE(book.status().message().find(c.says), std::string::npos)
        << book.status();
  }
}

TEST(SchoolCalendarTest, DaysParseStrictly) {
  EXPECT_EQ(FormatDay(*ParseDay("2026-11-24")), "2026-11-24");
  EXPECT_FALSE(ParseDay("2026-02-30").has_value());
  EXPECT_FALSE(ParseDay("2026-11-4").has_value());
  EXPECT_FALSE(ParseDay("").has_value());
  EXPECT_EQ(FormatDay(*DayOfInstant("2026-09-17T14:00:00Z")), "2026-09-17");
  EXPECT_EQ(FormatDay(MondayOf(*ParseDay("2026-11-29"))), "2026-11-23");
}

// Winter break: 21 December to 1 January, ten weekdays closed.
std::vector<v1::SchoolHoliday> WinterBreak() {
  std::vector<v1::SchoolHoliday> holidays;
  for (Day day = Day(2026, 12, 21); day <= Day(2027, 1, 1); ++day) {
    if (!IsWeekday(day)) continue;
    v1::SchoolHoliday holiday;
    holiday.set_day(FormatDay(day));
    holidays.push_back(holiday);
  }
  v1::SchoolHoliday elsewhere;  // another school's closure: not ours
  elsewhere.set_school("Roosevelt");
  elsewhere.set_day("2026-12-16");
  holidays.push_back(elsewhere);
  return holidays;
}

TEST(SchoolCalendarTest, CaliforniaDoesNotCountBreaksOverFiveSchoolDays) {
  const SchoolCalendar calendar("Lincoln", WinterBreak());
  const Day referral(2026, 12, 15);
  // Counting every day: 30 December. Not counting the break (19 December
  // to 3 January, weekends included): 15 January.
  EXPECT_EQ(FormatDay(calendar.AddCalendarDaysSkippingBreaks(referral, 15, 0)),
            "2026-12-30");
  EXPECT_EQ(FormatDay(calendar.AddCalendarDaysSkippingBreaks(referral, 15, 5)),
            "2027-01-15");
  // A plain weekend always counts.
  EXPECT_EQ(
      FormatDay(calendar.AddCalendarDaysSkippingBreaks(Day(2026, 11, 2), 6, 5)),
      "2026-11-08");
}

TEST(SchoolCalendarTest, SchoolDaysSkipWeekendsAndThisSchoolsClosures) {
  const SchoolCalendar calendar("Lincoln", WinterBreak());
  EXPECT_TRUE(calendar.IsSchoolDay(Day(2026, 12, 16)));  // Roosevelt's only
  EXPECT_FALSE(calendar.IsSchoolDay(Day(2026, 12, 21)));
  EXPECT_EQ(calendar.SchoolDays(Day(2026, 12, 14), Day(2027, 1, 8)).size(),
            10u);
  // Ten school days from Friday 18 December: 4 to 15 January.
  EXPECT_EQ(FormatDay(calendar.AddSchoolDays(Day(2026, 12, 18), 10)),
            "2027-01-15");
  EXPECT_EQ(FormatDay(SchoolCalendar::AddWeekdays(Day(2026, 12, 18), 5)),
            "2026-12-25");
}

TEST(SchoolCalendarTest,
     HolidaysNameTheirSchoolInAnyCaseAndArchivedOnesDoNotClose) {
  v1::SchoolHoliday holiday;
  holiday.set_school("LINCOLN");
  holiday.set_day("2026-11-25");
  v1::SchoolHoliday cancelled;
  cancelled.set_day("2026-11-24");
  cancelled.set_deleted(true);
  EXPECT_TRUE(HolidayAppliesTo(holiday, "Lincoln"));
  EXPECT_FALSE(HolidayAppliesTo(holiday, "Roosevelt"));
  const SchoolCalendar calendar("Lincoln", {holiday, cancelled});
  EXPECT_FALSE(calendar.IsSchoolDay(Day(2026, 11, 25)));
  EXPECT_TRUE(calendar.IsSchoolDay(Day(2026, 11, 24)));
}

}  // namespace
}  // namespace plansync::reports
