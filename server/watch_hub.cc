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

void WatchHub::Revoke(const absl::flat_hash_set<std::string>& token_ids) {
  if (token_ids.empty()) return;
  absl::MutexLock lock(&mu_);
  for (WatchListener* listener : listeners_) {
    if (!listener->token_id().empty() &&
        token_ids.contains(listener->token_id())) {
      listener->OnRevoked();
    }
  }
}

std::vector<std::string> WatchHub::WatchedBuckets() const {
  absl::flat_hash_set<std::string> buckets;
  {
    absl::MutexLock lock(&mu_);
    for (WatchListener* listener : listeners_) {
      for (std::string& bucket : listener->WatchedBuckets()) {
        buckets.insert(std::move(bucket));
      }
    }
  }
  return std::vector<std::string>(buckets.begin(), buckets.end());
}

std::vector<std::string> WatchHub::Principals() const {
  absl::flat_hash_set<std::string> principals;
  {
    absl::MutexLock lock(&mu_);
    for (WatchListener* listener : listeners_) {
      principals.insert(listener->principal_id());
    }
  }
  return std::vector<std::string>(principals.begin(), principals.end());
}

void WatchHub::SetBuckets(const std::string& principal_id,
                          const absl::flat_hash_set<std::string>& buckets) {
  absl::MutexLock lock(&mu_);
  for (WatchListener* listener : listeners_) {
    if (listener->principal_id() == principal_id) {
      listener->OnBucketsChanged(buckets);
    }
  }
}

size_t WatchHub::size() const {
  absl::MutexLock lock(&mu_);
  return listeners_.size();
}

}  // namespace plansync::server
