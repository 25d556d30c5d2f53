// Fan-out of "bucket B changed" pokes from committed pushes to open Watch
// streams. Listeners are called with the hub's lock held and must not block.
#ifndef PLANSYNC_SERVER_WATCH_HUB_H_
#define PLANSYNC_SERVER_WATCH_HUB_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"

namespace plansync::server {

class WatchListener {
 public:
  virtual ~WatchListener() = default;
  // `bucket` now has items up to `seq`. Must not block.
  virtual void OnBucketChanged(const std::string& bucket, int64_t seq) = 0;
};

// Thread-safe.
class WatchHub {
 public:
  // `listener` is not owned and must stay valid until Remove returns.
  void Add(WatchListener* listener);
  void Remove(WatchListener* listener);
  void Publish(const absl::flat_hash_map<std::string, int64_t>& buckets);
  size_t size() const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_set<WatchListener*> listeners_ ABSL_GUARDED_BY(mu_);
};

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_WATCH_HUB_H_
