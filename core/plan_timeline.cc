#include "core/plan_timeline.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace plansync {
namespace {

// A plan that can be in effect, with its own span (rule 1).
struct Candidate {
  const v1::Plan* plan;
  Day first;
  std::optional<Day> last;

  bool Holds(Day day) const { return first <= day && (!last || day <= *last); }
  // Rule 2: the later start wins, then the higher version, then the id.
  bool BeatenBy(const Candidate& other) const {
    return std::make_tuple(first, plan->version(), plan->id()) <
           std::make_tuple(other.first, other.plan->version(),
                           other.plan->id());
  }
};

bool CanBeInEffect(const v1::Plan& plan) {
  return !plan.deleted() && plan.status() != v1::PLAN_STATUS_DRAFT &&
         plan.status() != v1::PLAN_STATUS_UNSPECIFIED;
}

}  // namespace

PlanTimeline::PlanTimeline(const std::vector<v1::Plan>& plans) {
  std::vector<Candidate> candidates;
  for (const v1::Plan& plan : plans) {
    if (!CanBeInEffect(plan)) continue;
    candidates.push_back({&plan,
                          ParseDay(plan.start_date()).value_or(kBeforeAnyDay),
                          ParseDay(plan.end_date())});
  }
  // Rule 1: a superseded plan ends the day before its earliest amendment.
  std::map<std::string, std::vector<const Candidate*>> amendments;
  for (const Candidate& c : candidates) {
    if (!c.plan->supersedes_plan_id().empty()) {
      amendments[c.plan->supersedes_plan_id()].push_back(&c);
    }
  }
  for (Candidate& c : candidates) {
    auto found = amendments.find(c.plan->id());
    if (found == amendments.end()) continue;
    for (const Candidate* amendment : found->second) {
      const Day before = amendment->first - 1;
      if (!c.last || before < *c.last) c.last = before;
    }
  }
  for (auto& [superseded, list] : amendments) {
    if (list.size() < 2) continue;
    CompetingAmendments competing{superseded, {}};
    for (const Candidate* c : list) {
      competing.amendment_ids.push_back(c->plan->id());
    }
    std::sort(competing.amendment_ids.begin(), competing.amendment_ids.end());
    competing_.push_back(std::move(competing));
  }
  // Rule 2 over the days where the set of covering plans changes.
  std::set<Day> bounds;
  for (const Candidate& c : candidates) {
    if (c.last && *c.last < c.first) continue;  // an empty span
    bounds.insert(c.first);
    if (c.last) bounds.insert(*c.last + 1);
  }
  for (auto it = bounds.begin(); it != bounds.end(); ++it) {
    const Day day = *it;
    const Candidate* winner = nullptr;
    for (const Candidate& c : candidates) {
      if (c.Holds(day) && (winner == nullptr || winner->BeatenBy(c))) {
        winner = &c;
      }
    }
    auto next = std::next(it);
    std::optional<Day> last;
    if (next != bounds.end()) last = *next - 1;
    if (winner == nullptr) continue;
    if (!spans_.empty() && spans_.back().plan == winner->plan &&
        spans_.back().last && *spans_.back().last + 1 == day) {
      spans_.back().last = last;
    } else {
      spans_.push_back({winner->plan, day, last});
    }
  }
}

const v1::Plan* PlanTimeline::InEffectOn(Day day) const {
  // Spans are few (a handful per student): a scan is fastest.
  for (const PlanSpan& span : spans_) {
    if (span.Holds(day)) return span.plan;
    if (day < span.first) break;
  }
  return nullptr;
}

const v1::Plan* PlanTimeline::InEffectOn(absl::string_view day) const {
  std::optional<Day> parsed = ParseDay(day);
  return parsed ? InEffectOn(*parsed) : nullptr;
}

std::vector<PlanSpan> PlanTimeline::SpansWithin(Day from, Day to) const {
  std::vector<PlanSpan> out;
  for (const PlanSpan& span : spans_) {
    if (span.first > to || (span.last && *span.last < from)) continue;
    PlanSpan clipped = span;
    clipped.first = std::max(span.first, from);
    clipped.last = span.last ? std::min(*span.last, to) : to;
    out.push_back(clipped);
  }
  return out;
}

bool PlanTimeline::EverInEffect(absl::string_view plan_id) const {
  return std::any_of(spans_.begin(), spans_.end(), [&](const PlanSpan& span) {
    return span.plan->id() == plan_id;
  });
}

bool ReviewOverdue(const v1::Plan& plan, Day day) {
  std::optional<Day> due = ParseDay(plan.annual_review_due());
  return due.has_value() && *due < day;
}

const v1::Plan& FirstVersionOf(const std::vector<v1::Plan>& plans,
                               const v1::Plan& plan) {
  const v1::Plan* version = &plan;
  // Bounded by the number of plans: a forged loop of versions ends.
  for (size_t hops = 0;
       hops < plans.size() && !version->supersedes_plan_id().empty(); ++hops) {
    auto earlier =
        std::find_if(plans.begin(), plans.end(), [&](const v1::Plan& p) {
          return p.id() == version->supersedes_plan_id();
        });
    if (earlier == plans.end()) break;
    version = &*earlier;
  }
  return *version;
}

}  // namespace plansync
