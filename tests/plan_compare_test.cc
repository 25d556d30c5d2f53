// Plan comparison (core/reports/plan_compare.h): an amendment that cuts a
// service and narrows an accommodation, and an IEP followed by a 504 plan
// that ends specially designed instruction, a related service and the
// goals; whether a prior written notice proposed each new plan in time.
#include <string>

#include "core/reports/plan_compare.h"
#include "gtest/gtest.h"

namespace plansync::reports {
namespace {

class PlanCompareTest : public ::testing::Test {
 protected:
  v1::Plan& Plan(const std::string& id, v1::PlanKind kind, int version,
                 const std::string& start) {
    v1::Plan& plan = records_.plans.emplace_back();
    plan.set_id(id);
    plan.set_kind(kind);
    plan.set_version(version);
    plan.set_status(v1::PLAN_STATUS_ACTIVE);
    plan.set_jurisdiction("US-MO");
    plan.set_start_date(start);
    return plan;
  }
  v1::Service& Service(const std::string& id, const std::string& plan,
                       const std::string& type, v1::ServiceCategory category,
                       int minutes, v1::ServicePeriod period,
                       const std::string& continues = "") {
    v1::Service& s = records_.services.emplace_back();
    s.set_id(id);
    s.set_plan_id(plan);
    s.set_service_type(type);
    s.set_service_category(category);
    s.set_minutes_per_period(minutes);
    s.set_period(period);
    s.set_continues_id(continues);
    return s;
  }
  v1::Accommodation& Accommodation(const std::string& id,
                                   const std::string& plan,
                                   const std::string& title,
                                   v1::AppliesTo applies,
                                   const std::string& continues = "") {
    v1::Accommodation& a = records_.accommodations.emplace_back();
    a.set_id(id);
    a.set_plan_id(plan);
    a.set_title(title);
    a.set_kind(v1::ACCOMMODATION_KIND_ACCOMMODATION);
    a.set_category(v1::ACCOMMODATION_CATEGORY_SETTING);
    a.set_applies_to(applies);
    a.set_continues_id(continues);
    return a;
  }
  void Goal(const std::string& id, const std::string& plan,
            const std::string& area, const std::string& continues = "") {
    v1::Goal& g = records_.goals.emplace_back();
    g.set_id(id);
    g.set_plan_id(plan);
    g.set_area(area);
    g.set_description("Reads grade-5 text at 110 wcpm");
    g.set_continues_id(continues);
  }
  void Notice(const std::string& id, const std::string& plan,
              const std::string& sent,
              v1::NoticeAction action = v1::NOTICE_ACTION_PROPOSED) {
    v1::Notice& n = records_.notices.emplace_back();
    n.set_id(id);
    n.set_notice_type(v1::NOTICE_TYPE_PRIOR_WRITTEN_NOTICE);
    n.set_plan_id(plan);
    n.set_proposed_or_refused(action);
    n.set_sent_date(sent);
  }
  const v1::ItemChange* Find(const v1::PlanComparison& c,
                             const std::string& label) {
    for (const v1::ItemChange& change : c.changes()) {
      if (change.label() == label) return &change;
    }
    ADD_FAILURE() << "no change of " << label;
    return nullptr;
  }

  StudentRecords records_;
};

TEST_F(PlanCompareTest, AnAmendmentsCutsAreReductionsCoveredByItsNotice) {
  Plan("v1", v1::PLAN_KIND_IEP, 1, "2026-08-24");
  Plan("v2", v1::PLAN_KIND_IEP, 2, "2026-10-05").set_supersedes_plan_id("v1");
  // Speech 60 a week -> 30 a week (a cut); OT 120 a month -> 30 a week (120
  // x 12 / 52 = 27.7 a week -> 30: more, not a cut).
  Service("s1", "v1", "Speech", v1::SERVICE_CATEGORY_RELATED_SERVICE, 60,
          v1::SERVICE_PERIOD_WEEK);
  Service("s2", "v2", "Speech", v1::SERVICE_CATEGORY_RELATED_SERVICE, 30,
          v1::SERVICE_PERIOD_WEEK, "s1");
  Service("o1", "v1", "OT", v1::SERVICE_CATEGORY_RELATED_SERVICE, 120,
          v1::SERVICE_PERIOD_MONTH);
  Service("o2", "v2", "OT", v1::SERVICE_CATEGORY_RELATED_SERVICE, 30,
          v1::SERVICE_PERIOD_WEEK, "o1");
  // Seating in every class -> on tests only: narrowed. Extended time: as
  // it was. A checklist added; the reading goal dropped.
  Accommodation("a1", "v1", "Preferential seating", v1::APPLIES_TO_ALL_CLASSES);
  Accommodation("a2", "v2", "Preferential seating", v1::APPLIES_TO_TESTS_ONLY,
                "a1");
  Accommodation("e1", "v1", "Extended time", v1::APPLIES_TO_TESTS_ONLY);
  Accommodation("e2", "v2", "Extended time", v1::APPLIES_TO_TESTS_ONLY, "e1");
  Accommodation("c2", "v2", "Daily checklist", v1::APPLIES_TO_ALL_CLASSES);
  Goal("g1", "v1", "Reading fluency");
  // A notice proposing v2, sent before it took effect; a refusal and a
  // notice about another plan do not count.
  Notice("n-refused", "v2", "2026-09-20", v1::NOTICE_ACTION_REFUSED);
  Notice("n-other", "elsewhere", "2026-09-21");
  // Of two timely notices, the one closest to the change: v1's own notice
  // (sent before v1 began) does not count, an earlier one about v1 is
  // passed over.
  Notice("n-v1-start", "v1", "2026-08-20");
  Notice("n-earlier", "v1", "2026-09-10");
  Notice("n", "v2", "2026-09-25");

  const v1::PlanComparison c =
      ComparePlans(records_, records_.plans[0], records_.plans[1]);
  EXPECT_FALSE(c.kind_changed());
  ASSERT_EQ(c.changes_size(), 5);
  // Removed, then changed (services before accommodations), then added.
  EXPECT_EQ(c.changes(0).label(), "Reading fluency");
  EXPECT_EQ(c.changes(0).change(), v1::ItemChange::REMOVED);
  EXPECT_EQ(c.changes(0).what_it_is(), "goal");
  EXPECT_EQ(c.changes(1).label(), "OT");
  EXPECT_EQ(c.changes(2).label(), "Speech");
  EXPECT_EQ(c.changes(3).label(), "Preferential seating");
  EXPECT_EQ(c.changes(4).label(), "Daily checklist");
  EXPECT_EQ(c.changes(4).change(), v1::ItemChange::ADDED);
  EXPECT_FALSE(c.changes(4).reduction());

  const v1::ItemChange* speech = Find(c, "Speech");
  EXPECT_EQ(speech->change(), v1::ItemChange::CHANGED);
  EXPECT_TRUE(speech->reduction());
  ASSERT_EQ(speech->details_size(), 1);
  EXPECT_EQ(speech->details(0), "minutes: 60 per week -> 30 per week");
  EXPECT_EQ(speech->notice_id(), "n");
  EXPECT_EQ(speech->notice_sent_date(), "2026-09-25");
  EXPECT_FALSE(speech->notice_late());
  const v1::ItemChange* ot = Find(c, "OT");
  EXPECT_FALSE(ot->reduction());
  EXPECT_EQ(ot->details(0), "minutes: 120 per month -> 30 per week");
  const v1::ItemChange* seating = Find(c, "Preferential seating");
  EXPECT_TRUE(seating->reduction());
  EXPECT_EQ(seating->details(0), "applies to: all classes -> tests only");
  EXPECT_EQ(c.unchanged(), 1);   // extended time
  EXPECT_EQ(c.reductions(), 3);  // goal, speech, seating
  EXPECT_EQ(c.reductions_without_notice(), 0);
}

TEST_F(PlanCompareTest, AnIepFollowedByA504PlanEndsInstructionServicesGoals) {
  Plan("iep", v1::PLAN_KIND_IEP, 1, "2026-08-24").set_end_date("2026-12-18");
  Plan("504", v1::PLAN_KIND_SECTION_504, 1, "2027-01-04")
      .set_follows_plan_id("iep");
  Service("sdi", "iep", "Reading intervention",
          v1::SERVICE_CATEGORY_SPECIAL_EDUCATION, 150, v1::SERVICE_PERIOD_WEEK);
  Service("slp", "iep", "Speech", v1::SERVICE_CATEGORY_RELATED_SERVICE, 30,
          v1::SERVICE_PERIOD_DAY);
  Goal("g1", "iep", "Reading fluency");
  Goal("g2", "iep", "Articulation");
  // The 504 plan was written fresh: its accommodation continues nothing,
  // and is matched by title (same terms: unchanged).
  Accommodation("a1", "iep", "Extended time", v1::APPLIES_TO_TESTS_ONLY);
  Accommodation("a2", "504", "Extended time", v1::APPLIES_TO_TESTS_ONLY);
  // The notice that proposed the IEP (on its first day) and one of its
  // changes months before do not cover the 504 plan's cuts; the only
  // notice about them came after the 504 plan took effect.
  Notice("iep-start", "iep", "2026-08-24");
  Notice("iep-change", "iep", "2026-10-01");
  Notice("late", "504", "2027-01-06");

  const v1::PlanComparison c =
      ComparePlans(records_, records_.plans[0], records_.plans[1]);
  EXPECT_TRUE(c.kind_changed());
  ASSERT_EQ(c.changes_size(), 4);
  const v1::ItemChange* sdi = Find(c, "Reading intervention");
  EXPECT_EQ(sdi->change(), v1::ItemChange::REMOVED);
  EXPECT_EQ(sdi->what_it_is(), "specially designed instruction");
  EXPECT_EQ(sdi->details(0), "minutes: 150 per week");
  const v1::ItemChange* speech = Find(c, "Speech");
  EXPECT_EQ(speech->what_it_is(), "related service");
  EXPECT_EQ(speech->details(0), "minutes: 30 per day");
  EXPECT_EQ(Find(c, "Articulation")->what_it_is(), "goal");
  EXPECT_EQ(c.unchanged(), 1);
  EXPECT_EQ(c.reductions(), 4);
  EXPECT_EQ(c.reductions_without_notice(), 4);
  EXPECT_EQ(sdi->notice_id(), "late");
  EXPECT_TRUE(sdi->notice_late());
  EXPECT_EQ(PreviousPlan(records_, records_.plans[1]), &records_.plans[0]);
  EXPECT_EQ(PreviousPlan(records_, records_.plans[0]), nullptr);
}

TEST(WeeklyMinutesTest, PeriodsAreComparedAWeekAtATime) {
  v1::Service s;
  s.set_minutes_per_period(30);
  s.set_period(v1::SERVICE_PERIOD_DAY);
  EXPECT_EQ(WeeklyMinutes(s), 150.0);
  s.set_minutes_per_period(520);
  s.set_period(v1::SERVICE_PERIOD_MONTH);
  EXPECT_EQ(WeeklyMinutes(s), 120.0);  // 520 x 12 / 52
  s.set_minutes_per_period(900);
  s.set_period(v1::SERVICE_PERIOD_QUARTER);
  EXPECT_EQ(WeeklyMinutes(s), 100.0);  // 900 / 9
  s.set_minutes_per_period(1800);
  s.set_period(v1::SERVICE_PERIOD_YEAR);
  EXPECT_EQ(WeeklyMinutes(s), 50.0);  // 1800 / 36
  s.set_period(v1::SERVICE_PERIOD_UNSPECIFIED);
  EXPECT_EQ(WeeklyMinutes(s), std::nullopt);
}

}  // namespace
}  // namespace plansync::reports
