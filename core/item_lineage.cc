#include "core/item_lineage.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"

namespace plansync {

std::string ItemLineage::RootOf(absl::string_view id) const {
  std::string current(id);
  std::vector<std::string> path;
  absl::flat_hash_set<std::string> seen;
  while (seen.insert(current).second) {
    path.push_back(current);
    auto found = continues_.find(current);
    if (found == continues_.end() || found->second.empty() ||
        !continues_.contains(found->second)) {
      return current;
    }
    current = found->second;
  }
  // `current` was visited: the loop is path[index of current ..].
  auto loop = std::find(path.begin(), path.end(), current);
  return *std::min_element(loop, path.end());
}

}  // namespace plansync
