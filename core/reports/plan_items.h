// A student's accommodations or services over a window, day by day: grouped
// into chains by lineage (an item and the copies later plan versions carry
// forward, core/item_lineage.h), with the one item of each chain that is in
// effect on a day — the chain's item in the plan in effect that day
// (core/plan_timeline.h) whose own start and end days hold the day.
#ifndef PLANSYNC_CORE_REPORTS_PLAN_ITEMS_H_
#define PLANSYNC_CORE_REPORTS_PLAN_ITEMS_H_

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/item_lineage.h"
#include "core/plan_timeline.h"

namespace plansync::reports {

// True if an item with these start and end days (empty: open) holds `day`.
inline bool ItemHolds(absl::string_view start, absl::string_view end, Day day) {
  const std::optional<Day> first = ParseDay(start), last = ParseDay(end);
  return (!first || *first <= day) && (!last || day <= *last);
}

template <typename T>
class PlanItems {
 public:
  struct Chain {
    std::string root;             // id of the chain's first item
    std::vector<const T*> items;  // those of plans in effect in the window
    const T* latest = nullptr;    // of the latest such plan: names the chain
  };

  // `items`: the student's records of T; `timeline` built from the same
  // student's plans. Both must outlive this.
  PlanItems(const std::vector<T>& items, const PlanTimeline& timeline, Day from,
            Day to)
      : lineage_(items), timeline_(timeline) {
    // Entries name items thousands of times: each root is found once.
    for (const T& item : items) roots_[item.id()] = lineage_.RootOf(item.id());
    absl::flat_hash_map<std::string, size_t> index;
    for (const PlanSpan& span : timeline.SpansWithin(from, to)) {
      for (const T& item : items) {
        if (item.plan_id() != span.plan->id()) continue;
        std::string root = roots_.at(item.id());
        auto [it, fresh] = index.try_emplace(root, chains_.size());
        if (fresh) chains_.push_back({std::move(root), {}, nullptr});
        Chain& chain = chains_[it->second];
        if (std::find(chain.items.begin(), chain.items.end(), &item) ==
            chain.items.end()) {
          chain.items.push_back(&item);
        }
        chain.latest = &item;
      }
    }
  }

  const std::vector<Chain>& chains() const { return chains_; }

  // The item of `chain` in effect on `day`, or null (no plan in effect, the
  // plan in effect does not carry the chain, or the item's own days do not
  // hold `day`).
  const T* InEffectOn(const Chain& chain, Day day) const {
    const v1::Plan* plan = timeline_.InEffectOn(day);
    if (plan == nullptr) return nullptr;
    for (const T* item : chain.items) {
      if (item->plan_id() == plan->id() &&
          ItemHolds(item->start_date(), item->end_date(), day)) {
        return item;
      }
    }
    return nullptr;
  }

  // The root of the chain holding item `id` (of any plan, in the window or
  // not): where an entry recorded against `id` counts. An id not among the
  // items is its own root.
  std::string RootOf(absl::string_view id) const { return lineage_.RootOf(id); }

 private:
  ItemLineage lineage_;
  const PlanTimeline& timeline_;
  absl::flat_hash_map<std::string, std::string> roots_;  // item id -> root
  std::vector<Chain> chains_;
};

}  // namespace plansync::reports

#endif  // PLANSYNC_CORE_REPORTS_PLAN_ITEMS_H_
