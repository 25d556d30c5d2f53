#include "server/watch_hub.h"

#include <utility>

namespace plansync::server {

void WatchHub::Add(WatchListener* listener) {
  std::vector<std::string> buckets = listener->WatchedBuckets();
  absl::MutexLock lock(&mu_);
  if (!listener->replica_id().empty()) {
    by_replica_[listener->replica_id()].insert(listener);
  }
  if (listener->WatchesEverything()) {
    listeners_[listener];
    unrestricted_.insert(listener);
    return;
  }
  IndexLocked(listener, std::move(buckets));
}

void WatchHub::Remove(WatchListener* listener) {
  absl::MutexLock lock(&mu_);
  UnindexLocked(listener);
  listeners_.erase(listener);
  unrestricted_.erase(listener);
  if (auto it = by_replica_.find(listener->replica_id());
      it != by_replica_.end()) {
    it->second.erase(listener);
    if (it->second.empty()) by_replica_.erase(it);
  }
}

void WatchHub::Pulled(
    const std::string& replica_id,
    const std::vector<std::pair<std::string, int64_t>>& cursors) {
  if (replica_id.empty()) return;
  absl::MutexLock lock(&mu_);
  auto it = by_replica_.find(replica_id);
  if (it == by_replica_.end()) return;
  for (WatchListener* listener : it->second) listener->OnPulled(cursors);
}

void WatchHub::IndexLocked(WatchListener* listener,
                           std::vector<std::string> buckets) {
  UnindexLocked(listener);
  for (const std::string& bucket : buckets) {
    by_bucket_[bucket].insert(listener);
  }
  listeners_[listener] = std::move(buckets);
}

void WatchHub::UnindexLocked(WatchListener* listener) {
  auto it = listeners_.find(listener);
  if (it == listeners_.end()) return;
  for (const std::string& bucket : it->second) {
    auto filed = by_bucket_.find(bucket);
    if (filed == by_bucket_.end()) continue;
    filed->second.erase(listener);
    if (filed->second.empty()) by_bucket_.erase(filed);
  }
  it->second.clear();
}

void WatchHub::Publish(
    const absl::flat_hash_map<std::string, int64_t>& buckets) {
  if (buckets.empty()) return;
  absl::MutexLock lock(&mu_);
  for (const auto& [bucket, seq] : buckets) {
    if (auto filed = by_bucket_.find(bucket); filed != by_bucket_.end()) {
      for (WatchListener* listener : filed->second) {
        listener->OnBucketChanged(bucket, seq);
      }
    }
    for (WatchListener* listener : unrestricted_) {
      listener->OnBucketChanged(bucket, seq);
    }
  }
}

void WatchHub::Revoke(const absl::flat_hash_set<std::string>& token_ids) {
  if (token_ids.empty()) return;
  absl::MutexLock lock(&mu_);
  for (const auto& [listener, unused] : listeners_) {
    if (!listener->token_id().empty() &&
        token_ids.contains(listener->token_id())) {
      listener->OnRevoked();
    }
  }
}

std::vector<std::string> WatchHub::WatchedBuckets() const {
  std::vector<std::string> buckets;
  absl::MutexLock lock(&mu_);
  buckets.reserve(by_bucket_.size());
  for (const auto& [bucket, unused] : by_bucket_) buckets.push_back(bucket);
  return buckets;
}

std::vector<std::string> WatchHub::Principals() const {
  absl::flat_hash_set<std::string> principals;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [listener, unused] : listeners_) {
      principals.insert(listener->principal_id());
    }
  }
  return std::vector<std::string>(principals.begin(), principals.end());
}

void WatchHub::SetBuckets(const std::string& principal_id,
                          const absl::flat_hash_set<std::string>& buckets) {
  absl::MutexLock lock(&mu_);
  std::vector<WatchListener*> matching;
  for (const auto& [listener, unused] : listeners_) {
    if (listener->principal_id() == principal_id) matching.push_back(listener);
  }
  for (WatchListener* listener : matching) {
    listener->OnBucketsChanged(buckets);
    if (!listener->WatchesEverything()) {
      IndexLocked(listener,
                  std::vector<std::string>(buckets.begin(), buckets.end()));
    }
  }
}

size_t WatchHub::size() const {
  absl::MutexLock lock(&mu_);
  return listeners_.size();
}

}  // namespace plansync::server
