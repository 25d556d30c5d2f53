#include "server/watch_hub.h"

namespace plansync::server {

void WatchHub::Add(WatchListener* listener) {
  absl::MutexLock lock(&mu_);
  listeners_.insert(listener);
}

void WatchHub::Remove(WatchListener* listener) {
  absl::MutexLock lock(&mu_);
  listeners_.erase(listener);
}

void WatchHub::Publish(
    const absl::flat_hash_map<std::string, int64_t>& buckets) {
  if (buckets.empty()) return;
  absl::MutexLock lock(&mu_);
  for (WatchListener* listener : listeners_) {
    for (const auto& [bucket, seq] : buckets) {
      listener->OnBucketChanged(bucket, seq);
    }
  }
}

size_t WatchHub::size() const {
  absl::MutexLock lock(&mu_);
  return listeners_.size();
}

}  // namespace plansync::server
