// The replicator: the client side of the sync protocol for one device store
// (proto/plansync/v1/sync.proto). SyncOnce pushes the outbox in batches and
// pulls every bucket from its cursor; Start runs it in the background, pulling
// at once when the server's Watch stream says a bucket changed.
#ifndef PLANSYNC_SYNC_REPLICATOR_H_
#define PLANSYNC_SYNC_REPLICATOR_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/device_store.h"
#include "core/schema.h"
#include "sync/retry.h"
#include "sync/transport.h"

namespace grpc {
class ClientContext;
}

namespace plansync::sync {

class GrpcTransport;

// Where a sync stands, for progress bars.
struct SyncProgress {
  enum class Phase { kHello, kPush, kPull, kDone };
  Phase phase = Phase::kHello;
  int64_t pushed = 0;      // changes acknowledged by the server so far
  int64_t push_total = 0;  // changes pending when the push began
  int64_t pulled = 0;      // remote changes applied so far
};

using ProgressCallback = std::function<void(const SyncProgress&)>;

// A change the server refused in one sync, and why.
struct Refusal {
  std::string record_type;  // full name, e.g. "plansync.v1.LapseReport"
  std::string record_id;
  v1::Reason reason = v1::REASON_UNSPECIFIED;
  std::string message;
};

// What one SyncOnce did.
struct SyncReport {
  int64_t accepted = 0;  // pushed and accepted (or duplicates)
  int64_t rejected = 0;  // pushed and refused: kept, marked, listable
  // The refusals of this sync, in push order (one per rejected change). A
  // refused change of a bucket evicted in the same sync leaves the device
  // with the bucket, so its caller shows the reason from here.
  std::vector<Refusal> refusals;
  // Re-stamped after a clock-drift refusal (a refused write a newer one
  // replaced on this device is retired instead, and not counted).
  int64_t restamped = 0;
  int64_t pulled = 0;  // changes of other devices applied
  // This device's own changes, sent back by the server (they change nothing
  // here): only on a whole-bucket send (a first pull, after an eviction or a
  // resend); incremental pulls leave them out.
  int64_t pulled_own = 0;
  int64_t pages = 0;                         // pull pages applied
  int64_t evicted = 0;                       // buckets deleted
  std::vector<std::string> evicted_buckets;  // which, in order
  // Remote changes this build could not apply, held for a later retry
  // (DeviceStore::Hold), and held ones that applied this time.
  int64_t held = 0;
  int64_t unheld = 0;
  // True if changes stay pending because this device's clock is ahead of
  // the server's beyond its bound: fix the device's clock.
  bool clock_ahead = false;
};

struct ReplicatorOptions {
  RetryPolicy retry;
  // Seed for backoff jitter; 0 draws one.
  uint64_t seed = 0;
  // How to wait between retries; default sleeps.
  Sleeper sleep;
  // Background mode: also sync this often when nothing happens.
  absl::Duration background_interval = absl::Seconds(60);
  // The record schema version stated to the server (core/schema.h). Only
  // tests set it lower, to act as a device of an older release.
  uint32_t schema_version = kSchemaVersion;
};

// What one SyncOnce does after its Hello.
enum class SyncDirection {
  kBoth,      // push the outbox, then pull
  kPushOnly,  // push the outbox; pull nothing
  kPullOnly,  // pull; leave the outbox for a later sync
};

class Replicator {
 public:
  // `store` and `transport` are not owned and must outlive the replicator.
  Replicator(DeviceStore* store, SyncTransport* transport,
             ReplicatorOptions options = {});
  ~Replicator();

  // Pushes every pending change and pulls every bucket once (or only one of
  // the two, by `direction`). Retries UNAVAILABLE and DEADLINE_EXCEEDED per
  // the policy; returns the first other error. A refused change is not an
  // error: it is marked in the outbox and counted in the report. Thread-safe
  // (syncs run one at a time).
  absl::StatusOr<SyncReport> SyncOnce(
      const ProgressCallback& progress = {},
      SyncDirection direction = SyncDirection::kBoth);

  // Background mode: syncs now, then whenever Notify is called, the Watch
  // stream of `watch_transport` pokes, or background_interval passes.
  // `watch_transport` is not owned (may be null: no Watch).
  void Start(GrpcTransport* watch_transport);
  // Stops background mode; waits for a sync in progress to finish.
  void Stop();
  // Asks the background loop to sync soon (after a local write).
  void Notify();

  // Background mode: the number of syncs done and the last one's status.
  int64_t background_syncs() const;
  absl::Status last_background_status() const;

 private:
  absl::Status Hello(v1::HelloResponse* hello);
  absl::Status PushAll(const v1::HelloResponse& hello, SyncReport* report,
                       SyncProgress* progress, const ProgressCallback& cb);
  // Applies one pulled page with its cursors and evictions, in one store
  // transaction, and counts it in `report`.
  absl::Status ApplyPage(const v1::PullPage& page, SyncReport* report);
  absl::Status PullAll(const v1::HelloResponse& hello, SyncReport* report,
                       SyncProgress* progress, const ProgressCallback& cb);
  void BackgroundLoop();
  void WatchLoop(GrpcTransport* transport);

  DeviceStore* const store_;
  SyncTransport* const transport_;
  const ReplicatorOptions options_;
  Sleeper sleep_;
  absl::Mutex sync_mu_;  // one SyncOnce at a time
  Backoff backoff_ ABSL_GUARDED_BY(sync_mu_);

  // Background mode.
  mutable absl::Mutex mu_;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  bool poked_ ABSL_GUARDED_BY(mu_) = false;
  int64_t background_syncs_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status last_status_ ABSL_GUARDED_BY(mu_);
  grpc::ClientContext* watch_context_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread loop_thread_, watch_thread_;
};

}  // namespace plansync::sync

#endif  // PLANSYNC_SYNC_REPLICATOR_H_
