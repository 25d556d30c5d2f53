// Plans over time: which plan of a student is in effect on each day. This is
// the one rule every view and report uses (the CLI, the C API, every report
// section), so that "on day D" means the same thing everywhere.
//
// The rule, over one student's Plan records:
//
// 1. A plan can be in effect only if it is not archived and is not a draft
//    (nor of unspecified status). Its own span runs from its first day,
//    `start_date`, to its last day. A plan that does not state its first
//    day (written before the plan commands asked for one) is taken as in
//    effect from before any day, so every dated plan takes over from it. The
//    last day is:
//      - `end_date` if set: the last day in effect (an ended plan, or a plan
//        written with its end);
//      - else the day before the earliest effective day (`start_date`) of the
//        plans that supersede it (its amendments), if any;
//      - else open: the plan stays in effect until something replaces it. A
//        passed `annual_review_due` does not end a plan (the review is overdue
//        and flagged; the accommodations and services still apply).
//    A plan superseded by an amendment ends at the amendment even if its
//    `end_date` is later.
// 2. On day D, of the plans whose own span holds D, the one that started
//    last is in effect; a tie goes to the higher version, then to the greater
//    id. A plan that follows another (an IEP ended, then a 504) therefore
//    takes over on its first day even if the earlier plan states no end.
// 3. Two amendments of one plan (made offline on two devices) compete: the
//    superseded plan ends before the earlier of the two, and on the days both
//    would hold, rule 2 decides. Competing amendments are listed by
//    `competing()` for the case manager to settle (by ending or archiving
//    one); the rule itself never needs them settled.
//
// Consequence (the property test holds it): adding a plan whose first day is
// E never changes which plan was in effect on a day before E. Pure: no store,
// no clock.
#ifndef PLANSYNC_CORE_PLAN_TIMELINE_H_
#define PLANSYNC_CORE_PLAN_TIMELINE_H_

#include <optional>
#include <string>
#include <vector>

#include "core/day.h"
#include "plansync/v1/records.pb.h"

namespace plansync {

// The first day of a plan that states none: before any real day.
inline constexpr Day kBeforeAnyDay(1, 1, 1);

// A run of days on which one plan is in effect.
struct PlanSpan {
  const v1::Plan* plan = nullptr;
  Day first;                // kBeforeAnyDay: the plan states no first day
  std::optional<Day> last;  // nullopt: still in effect, open-ended

  bool Holds(Day day) const { return first <= day && (!last || day <= *last); }
};

// Plans that supersede the same plan.
struct CompetingAmendments {
  std::string superseded_plan_id;
  std::vector<std::string> amendment_ids;  // sorted
};

// The timeline of one student's plans. Holds pointers into the vector it was
// built from, which must outlive it and not change.
class PlanTimeline {
 public:
  explicit PlanTimeline(const std::vector<v1::Plan>& plans);

  // The plan in effect on `day`, or null if none is.
  const v1::Plan* InEffectOn(Day day) const;
  // The same for an ISO day text; null if `day` is not a day.
  const v1::Plan* InEffectOn(absl::string_view day) const;

  // Disjoint spans in day order, each one plan; two adjacent spans hold
  // different plans. Days between spans have no plan in effect.
  const std::vector<PlanSpan>& spans() const { return spans_; }
  // The spans that overlap [from, to], clipped to it.
  std::vector<PlanSpan> SpansWithin(Day from, Day to) const;

  // True if `plan_id` is in effect on some day.
  bool EverInEffect(absl::string_view plan_id) const;

  const std::vector<CompetingAmendments>& competing() const {
    return competing_;
  }

 private:
  std::vector<PlanSpan> spans_;
  std::vector<CompetingAmendments> competing_;
};

// True if `plan`'s annual review is due before `day` (the plan is still in
// effect; the review is overdue).
bool ReviewOverdue(const v1::Plan& plan, Day day);

// The first version of `plan`: following supersedes_plan_id back through
// `plans` (an amendment does not restart what runs from a plan's start); a
// plan that follows an ended one (follows_plan_id) is a first version. A
// chain naming a plan not in `plans`, or looping (forged data only), ends at
// the last plan reached. Returns a reference into `plans` or to `plan`.
const v1::Plan& FirstVersionOf(const std::vector<v1::Plan>& plans,
                               const v1::Plan& plan);

}  // namespace plansync

#endif  // PLANSYNC_CORE_PLAN_TIMELINE_H_
