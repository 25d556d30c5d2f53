// Fan-out of "bucket B changed" pokes from committed pushes to open Watch
// streams, and the levers that keep open streams honest: closing those whose
// token was revoked, and updating the buckets a stream reports when its
// principal's assignments change. Listeners are called with the hub's lock
// held and must not block.
#ifndef PLANSYNC_SERVER_WATCH_HUB_H_
#define PLANSYNC_SERVER_WATCH_HUB_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

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
  // The stream's token was revoked: end the stream. Must not block.
  virtual void OnRevoked() = 0;
  // The principal's readable buckets are now `buckets`; a stream whose set
  // changed pokes its device so that it syncs (and evicts). Must not block.
  virtual void OnBucketsChanged(
      const absl::flat_hash_set<std::string>& buckets) = 0;
  // The buckets the stream reports (none for an unrestricted stream, which
  // reports every bucket).
  virtual std::vector<std::string> WatchedBuckets() = 0;
  // True for an unrestricted stream (every bucket). Constant.
  virtual bool WatchesEverything() const = 0;
  // The device's replica id when the stream carries changes inline (empty
  // otherwise). Constant.
  virtual const std::string& replica_id() const = 0;
  // The device's pull reached `cursors` (bucket, cursor). Must not block.
  virtual void OnPulled(
      const std::vector<std::pair<std::string, int64_t>>& cursors) = 0;
  // The principal and the token id the stream was opened with.
  virtual const std::string& principal_id() const = 0;
  virtual const std::string& token_id() const = 0;
};

// Thread-safe. A publication reaches only the streams watching its buckets
// (an index by bucket), so its cost does not grow with the open streams.
class WatchHub {
 public:
  // `listener` is not owned and must stay valid until Remove returns.
  void Add(WatchListener* listener);
  void Remove(WatchListener* listener);
  void Publish(const absl::flat_hash_map<std::string, int64_t>& buckets);
  // Tells the streams of `replica_id` where its latest pull left it.
  void Pulled(const std::string& replica_id,
              const std::vector<std::pair<std::string, int64_t>>& cursors);
  // Ends the streams opened with any of `token_ids`.
  void Revoke(const absl::flat_hash_set<std::string>& token_ids);
  // Every bucket some open stream reports.
  std::vector<std::string> WatchedBuckets() const;
  // The distinct principals with open streams.
  std::vector<std::string> Principals() const;
  // Tells the streams of `principal_id` their readable buckets.
  void SetBuckets(const std::string& principal_id,
                  const absl::flat_hash_set<std::string>& buckets);
  size_t size() const;

 private:
  // Files `listener` under `buckets` (replacing what it was filed under).
  void IndexLocked(WatchListener* listener, std::vector<std::string> buckets)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void UnindexLocked(WatchListener* listener)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  // Every listener, with the buckets it is filed under.
  absl::flat_hash_map<WatchListener*, std::vector<std::string>> listeners_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, absl::flat_hash_set<WatchListener*>>
      by_bucket_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<WatchListener*> unrestricted_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, absl::flat_hash_set<WatchListener*>>
      by_replica_ ABSL_GUARDED_BY(mu_);
};

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_WATCH_HUB_H_
