// The plan-in-effect rule (core/plan_timeline.h) and item lineage
// (core/item_lineage.h): cases written out by hand, and a property test over
// random version histories, concurrent amendments included.
#include "core/plan_timeline.h"

#include <random>
#include <string>
#include <vector>

#include "core/item_lineage.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/property.h"

namespace plansync {
namespace {

Day D(const char* text) { return *ParseDay(text); }

v1::Plan MakePlan(const std::string& id, int version, v1::PlanStatus status,
                  const std::string& start, const std::string& end = "",
                  const std::string& supersedes = "") {
  v1::Plan plan;
  plan.set_id(id);
  plan.set_student_id("s");
  plan.set_kind(v1::PLAN_KIND_IEP);
  plan.set_version(version);
  plan.set_status(status);
  plan.set_start_date(start);
  plan.set_end_date(end);
  plan.set_supersedes_plan_id(supersedes);
  return plan;
}

std::string IdOn(const PlanTimeline& timeline, const char* day) {
  const v1::Plan* plan = timeline.InEffectOn(D(day));
  return plan == nullptr ? "(none)" : plan->id();
}

TEST(PlanTimelineTest, AnAmendmentEndsTheVersionTheDayBeforeItsEffectiveDay) {
  const std::vector<v1::Plan> plans = {
      MakePlan("v2", 2, v1::PLAN_STATUS_ACTIVE, "2026-10-14", "", "v1"),
      MakePlan("v1", 1, v1::PLAN_STATUS_SUPERSEDED, "2026-09-01"),
  };
  const PlanTimeline timeline(plans);
  EXPECT_EQ(IdOn(timeline, "2026-08-31"), "(none)");
  EXPECT_EQ(IdOn(timeline, "2026-09-01"), "v1");
  EXPECT_EQ(IdOn(timeline, "2026-10-13"), "v1");
  EXPECT_EQ(IdOn(timeline, "2026-10-14"), "v2");
  EXPECT_EQ(IdOn(timeline, "2027-06-30"), "v2");
  ASSERT_EQ(timeline.spans().size(), 2u);
  EXPECT_EQ(timeline.spans()[0].first, D("2026-09-01"));
  EXPECT_EQ(timeline.spans()[0].last, D("2026-10-13"));
  EXPECT_FALSE(timeline.spans()[1].last.has_value());
  EXPECT_TRUE(timeline.competing().empty());
}

TEST(PlanTimelineTest, ADraftIsNeverInEffectAndDoesNotCutTheVersionItAmends) {
  const std::vector<v1::Plan> plans = {
      MakePlan("v1", 1, v1::PLAN_STATUS_ACTIVE, "2026-09-01"),
      MakePlan("d2", 2, v1::PLAN_STATUS_DRAFT, "2026-10-01", "", "v1"),
  };
  const PlanTimeline timeline(plans);
  EXPECT_EQ(IdOn(timeline, "2026-10-01"), "v1");
  EXPECT_EQ(IdOn(timeline, "2026-12-01"), "v1");
  EXPECT_FALSE(timeline.EverInEffect("d2"));
}

TEST(PlanTimelineTest, AnEndedIepEndsOnItsEndDayAndTheFollowing504TakesOver) {
  std::vector<v1::Plan> plans = {
      MakePlan("iep", 1, v1::PLAN_STATUS_ENDED, "2026-09-01", "2026-10-16"),
      MakePlan("504", 1, v1::PLAN_STATUS_ACTIVE, "2026-10-19"),
  };
  plans[1].set_kind(v1::PLAN_KIND_SECTION_504);
  const PlanTimeline timeline(plans);
  EXPECT_EQ(IdOn(timeline, "2026-10-16"), "iep");  // Friday
  EXPECT_EQ(IdOn(timeline, "2026-10-17"), "(none)");
  EXPECT_EQ(IdOn(timeline, "2026-10-18"), "(none)");
  EXPECT_EQ(IdOn(timeline, "2026-10-19"), "504");  // Monday
  const std::vector<PlanSpan> within =
      timeline.SpansWithin(D("2026-10-01"), D("2026-10-31"));
  ASSERT_EQ(within.size(), 2u);
  EXPECT_EQ(within[0].first, D("2026-10-01"));
  EXPECT_EQ(within[0].last, D("2026-10-16"));
  EXPECT_EQ(within[1].first, D("2026-10-19"));
  EXPECT_EQ(within[1].last, D("2026-10-31"));
}

TEST(PlanTimelineTest, ALaterPlanTakesOverFromAnUnendedOneOnItsFirstDay) {
  const std::vector<v1::Plan> plans = {
      MakePlan("iep", 1, v1::PLAN_STATUS_ACTIVE, "2026-09-01"),
      MakePlan("next", 1, v1::PLAN_STATUS_ACTIVE, "2026-11-02"),
  };
  const PlanTimeline timeline(plans);
  EXPECT_EQ(IdOn(timeline, "2026-11-01"), "iep");
  EXPECT_EQ(IdOn(timeline, "2026-11-02"), "next");
}

TEST(PlanTimelineTest, AnOverdueReviewDoesNotEndThePlan) {
  std::vector<v1::Plan> plans = {
      MakePlan("iep", 1, v1::PLAN_STATUS_ACTIVE, "2025-10-01")};
  plans[0].set_annual_review_due("2026-09-30");
  const PlanTimeline timeline(plans);
  EXPECT_EQ(IdOn(timeline, "2026-11-02"), "iep");
  EXPECT_TRUE(ReviewOverdue(plans[0], D("2026-10-01")));
  EXPECT_FALSE(ReviewOverdue(plans[0], D("2026-09-30")));
}

TEST(PlanTimelineTest, EndedWithoutAnEndDayKeepsTheDaysItWasInEffect) {
  const std::vector<v1::Plan> plans = {
      MakePlan("iep", 1, v1::PLAN_STATUS_ENDED, "2026-09-01")};
  const PlanTimeline timeline(plans);
  EXPECT_EQ(IdOn(timeline, "2026-09-15"), "iep");
}

TEST(PlanTimelineTest, ArchivedAndUnspecifiedPlansAreNeverInEffect) {
  std::vector<v1::Plan> plans = {
      MakePlan("archived", 1, v1::PLAN_STATUS_ACTIVE, "2026-09-01"),
      MakePlan("unspecified", 1, v1::PLAN_STATUS_UNSPECIFIED, "2026-09-01"),
  };
  plans[0].set_deleted(true);
  const PlanTimeline timeline(plans);
  EXPECT_TRUE(timeline.spans().empty());
  EXPECT_EQ(timeline.InEffectOn("2026-09-02"), nullptr);
  EXPECT_EQ(timeline.InEffectOn("not a day"), nullptr);
}

TEST(PlanTimelineTest, APlanWithoutAFirstDayIsInEffectUntilADatedOneStarts) {
  const std::vector<v1::Plan> plans = {
      MakePlan("old", 1, v1::PLAN_STATUS_ACTIVE, ""),
      MakePlan("new", 1, v1::PLAN_STATUS_ACTIVE, "2026-09-01"),
  };
  const PlanTimeline timeline(plans);
  EXPECT_EQ(IdOn(timeline, "2020-01-01"), "old");
  EXPECT_EQ(IdOn(timeline, "2026-08-31"), "old");
  EXPECT_EQ(IdOn(timeline, "2026-09-01"), "new");
  EXPECT_EQ(timeline.spans().front().first, kBeforeAnyDay);
}

TEST(PlanTimelineTest, CompetingAmendmentsAreSettledByTheRuleAndListed) {
  const std::vector<v1::Plan> plans = {
      MakePlan("v1", 1, v1::PLAN_STATUS_SUPERSEDED, "2026-09-01"),
      MakePlan("v2-b", 2, v1::PLAN_STATUS_ACTIVE, "2026-10-20", "", "v1"),
      MakePlan("v2-a", 2, v1::PLAN_STATUS_ACTIVE, "2026-10-10", "", "v1"),
  };
  const PlanTimeline timeline(plans);
  EXPECT_EQ(IdOn(timeline, "2026-10-09"), "v1");
  EXPECT_EQ(IdOn(timeline, "2026-10-10"), "v2-a");
  EXPECT_EQ(IdOn(timeline, "2026-10-19"), "v2-a");
  EXPECT_EQ(IdOn(timeline, "2026-10-20"), "v2-b");
  ASSERT_EQ(timeline.competing().size(), 1u);
  EXPECT_EQ(timeline.competing()[0].superseded_plan_id, "v1");
  EXPECT_EQ(timeline.competing()[0].amendment_ids,
            (std::vector<std::string>{"v2-a", "v2-b"}));

  // Same effective day: the same version on both, so the greater id wins,
  // whatever order the records arrive in.
  std::vector<v1::Plan> same = {
      MakePlan("v1", 1, v1::PLAN_STATUS_SUPERSEDED, "2026-09-01"),
      MakePlan("v2-b", 2, v1::PLAN_STATUS_ACTIVE, "2026-10-14", "", "v1"),
      MakePlan("v2-a", 2, v1::PLAN_STATUS_ACTIVE, "2026-10-14", "", "v1"),
  };
  EXPECT_EQ(IdOn(PlanTimeline(same), "2026-10-14"), "v2-b");
  std::swap(same[1], same[2]);
  EXPECT_EQ(IdOn(PlanTimeline(same), "2026-10-14"), "v2-b");
}

TEST(PlanTimelineTest, AnAmendmentEndsItsVersionEvenBeforeThatVersionsEndDay) {
  const std::vector<v1::Plan> plans = {
      MakePlan("v1", 1, v1::PLAN_STATUS_SUPERSEDED, "2026-09-01", "2027-06-30"),
      MakePlan("v2", 2, v1::PLAN_STATUS_ACTIVE, "2026-10-14", "", "v1"),
  };
  const PlanTimeline timeline(plans);
  EXPECT_EQ(IdOn(timeline, "2026-10-14"), "v2");
  EXPECT_EQ(IdOn(timeline, "2027-07-01"), "v2");
}

// ---- Property test -------------------------------------------------------

constexpr int kDays = 120;
const Day kFirstDay(2026, 9, 1);

// The rule, restated day by day from its documentation (a second, naive
// reading to hold the implementation to).
std::string OracleOn(const std::vector<v1::Plan>& plans, Day day) {
  const v1::Plan* best = nullptr;
  Day best_first;
  for (const v1::Plan& plan : plans) {
    if (plan.deleted() || plan.status() == v1::PLAN_STATUS_DRAFT ||
        plan.status() == v1::PLAN_STATUS_UNSPECIFIED) {
      continue;
    }
    const Day first = ParseDay(plan.start_date()).value_or(kBeforeAnyDay);
    if (day < first) continue;
    if (auto end = ParseDay(plan.end_date()); end && day > *end) continue;
    bool cut = false;
    for (const v1::Plan& other : plans) {
      if (other.supersedes_plan_id() != plan.id() || other.deleted() ||
          other.status() == v1::PLAN_STATUS_DRAFT ||
          other.status() == v1::PLAN_STATUS_UNSPECIFIED) {
        continue;
      }
      const Day next = ParseDay(other.start_date()).value_or(kBeforeAnyDay);
      if (day >= next) cut = true;
    }
    if (cut) continue;
    const bool wins =
        best == nullptr || first > best_first ||
        (first == best_first &&
         (plan.version() > best->version() ||
          (plan.version() == best->version() && plan.id() > best->id())));
    if (wins) {
      best = &plan;
      best_first = first;
    }
  }
  return best == nullptr ? "(none)" : best->id();
}

v1::Plan RandomPlan(std::mt19937_64& rng, int index,
                    const std::vector<v1::Plan>& earlier) {
  auto pick = [&](int n) {
    return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(rng));
  };
  static constexpr v1::PlanStatus kStatuses[] = {
      v1::PLAN_STATUS_ACTIVE, v1::PLAN_STATUS_ACTIVE,
      v1::PLAN_STATUS_SUPERSEDED, v1::PLAN_STATUS_ENDED, v1::PLAN_STATUS_DRAFT};
  v1::Plan plan;
  plan.set_id("p" + std::to_string(100 + index));
  plan.set_status(kStatuses[pick(5)]);
  plan.set_version(1 + pick(3));
  plan.set_start_date(FormatDay(kFirstDay + pick(kDays)));
  if (pick(3) == 0) {
    plan.set_end_date(FormatDay(kFirstDay + pick(kDays)));
  }
  if (!earlier.empty() && pick(2) == 0) {
    // Several plans may supersede the same one: concurrent amendments.
    plan.set_supersedes_plan_id(earlier[pick(earlier.size())].id());
  }
  if (pick(10) == 0) plan.set_deleted(true);
  if (pick(15) == 0) {
    // Undated (as plans written before the plan commands asked for a day).
    plan.set_start_date("");
    plan.clear_supersedes_plan_id();
  }
  return plan;
}

TEST(PlanTimelinePropertyTest, OnePlanADayAndNoAmendmentRewritesThePast) {
  for (uint64_t seed : testing::PropertySeeds(1, 400)) {
    SCOPED_TRACE(testing::ReplayHint(
        "plan_timeline_test",
        "PlanTimelinePropertyTest.OnePlanADayAndNoAmendmentRewritesThePast",
        seed));
    std::mt19937_64 rng(seed);
    std::vector<v1::Plan> plans;
    const int count = 1 + static_cast<int>(rng() % 7);
    for (int i = 0; i < count; ++i) {
      const std::vector<v1::Plan> before = plans;
      plans.push_back(RandomPlan(rng, i, before));
      const PlanTimeline old_timeline(before);
      const PlanTimeline timeline(plans);
      // The spans are ordered, disjoint, and never repeat a plan back to
      // back.
      for (size_t s = 1; s < timeline.spans().size(); ++s) {
        const PlanSpan& prev = timeline.spans()[s - 1];
        ASSERT_TRUE(prev.last.has_value());
        ASSERT_LT(*prev.last, timeline.spans()[s].first);
        if (*prev.last + 1 == timeline.spans()[s].first) {
          ASSERT_NE(prev.plan, timeline.spans()[s].plan);
        }
      }
      const v1::Plan& added = plans.back();
      const std::optional<Day> effective = ParseDay(added.start_date());
      for (int d = -3; d < kDays + 3; ++d) {
        const Day day = kFirstDay + d;
        const v1::Plan* in_effect = timeline.InEffectOn(day);
        const std::string id =
            in_effect == nullptr ? "(none)" : in_effect->id();
        ASSERT_EQ(id, OracleOn(plans, day)) << FormatDay(day);
        int holding = 0;
        for (const PlanSpan& span : timeline.spans())
          holding += span.Holds(day);
        ASSERT_EQ(holding, in_effect == nullptr ? 0 : 1) << FormatDay(day);
        // What was in effect before the new plan's first day is unchanged;
        // a plan that is never in effect changes nothing at all, and an
        // undated one never displaces a dated one.
        const v1::Plan* was = old_timeline.InEffectOn(day);
        const std::string was_id = was == nullptr ? "(none)" : was->id();
        const bool never =
            added.deleted() || added.status() == v1::PLAN_STATUS_DRAFT;
        if (never || (effective && day < *effective) ||
            (!effective && was != nullptr &&
             ParseDay(was->start_date()).has_value())) {
          ASSERT_EQ(id, was_id)
              << FormatDay(day) << " changed by " << added.id();
        }
      }
    }
  }
}

// ---- Lineage ---------------------------------------------------------------

v1::Accommodation Item(const std::string& id, const std::string& continues) {
  v1::Accommodation a;
  a.set_id(id);
  a.set_continues_id(continues);
  return a;
}

TEST(ItemLineageTest, EveryVersionOfAnItemHasTheRootOfItsChain) {
  const ItemLineage lineage(std::vector<v1::Accommodation>{
      Item("a1", ""), Item("a2", "a1"), Item("a3", "a2"), Item("b1", ""),
      Item("c2", "gone")});
  EXPECT_EQ(lineage.RootOf("a1"), "a1");
  EXPECT_EQ(lineage.RootOf("a3"), "a1");
  EXPECT_EQ(lineage.RootOf("b1"), "b1");
  // A chain naming an item not held ends at the last held one.
  EXPECT_EQ(lineage.RootOf("c2"), "c2");
  // An unknown id is its own root.
  EXPECT_EQ(lineage.RootOf("x"), "x");
}

TEST(ItemLineageTest, ALoopOfForgedLinksEndsAtItsSmallestId) {
  const ItemLineage lineage(std::vector<v1::Accommodation>{
      Item("m", "k"), Item("k", "z"), Item("z", "m"), Item("t", "z")});
  EXPECT_EQ(lineage.RootOf("m"), "k");
  EXPECT_EQ(lineage.RootOf("z"), "k");
  EXPECT_EQ(lineage.RootOf("t"), "k");
}

}  // namespace
}  // namespace plansync
