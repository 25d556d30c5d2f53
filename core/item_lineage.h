// The lineage of a plan's items: an accommodation, service or goal carried
// into a later plan version (or into a plan that follows an ended one) names
// the item it continues in `continues_id`. Every item of one chain is the
// same support over time, so what was recorded against any of them counts
// toward it. Pure: built from the items, no store.
#ifndef PLANSYNC_CORE_ITEM_LINEAGE_H_
#define PLANSYNC_CORE_ITEM_LINEAGE_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace plansync {

class ItemLineage {
 public:
  // `items`: records with `id()` and `continues_id()` (Accommodation,
  // Service, Goal), archived ones included (a chain may pass through one).
  template <typename T>
  explicit ItemLineage(const std::vector<T>& items) {
    for (const T& item : items) continues_[item.id()] = item.continues_id();
  }

  // The first item of `id`'s chain: `id` itself if it continues nothing.
  // A chain that names an item not among `items` ends at the last known
  // one; a chain that loops (only forged data can) ends where it would
  // revisit an item, at the smallest id of the loop, so every item of the
  // loop has the same root.
  std::string RootOf(absl::string_view id) const;

 private:
  absl::flat_hash_map<std::string, std::string> continues_;
};

}  // namespace plansync

#endif  // PLANSYNC_CORE_ITEM_LINEAGE_H_
