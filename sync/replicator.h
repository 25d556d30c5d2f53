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
#include <mutex>
#include <optional>
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
  // kIndex: after a device's first pull, its tables are being indexed.
  enum class Phase { kHello, kPush, kPull, kIndex, kDone };
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
  // here): on a whole-bucket send (a first pull, after an eviction or a
  // resend) and in Watch events carrying changes; incremental pulls leave
  // them out.
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

// What the background replicator is doing, for an app's sync indicator.
struct ReplicatorStatus {
  enum class State {
    kStopped,     // not running (the last status Stop delivers)
    kConnecting,  // a sync began: saying hello to the server
    kIdle,        // the last sync succeeded; waiting for work
    kBusy,        // pushing or pulling: see `progress`
    kOffline,     // the server could not be reached: retried after retry_in
    kError,       // the server refused the sync: see `error`
  };
  State state = State::kStopped;
  SyncProgress progress;  // kBusy
  // kIdle: what the sync that just ended did; or, with `syncs` unchanged,
  // the changes Watch events brought since the last status.
  SyncReport last_sync;
  absl::Status error;       // kOffline, kError: why the last sync failed
  absl::Duration retry_in;  // kOffline, kError: until the next attempt
  int64_t syncs = 0;        // background syncs ended since Start
};
using StatusCallback = std::function<void(const ReplicatorStatus&)>;

struct ReplicatorOptions {
  RetryPolicy retry;
  // Seed for backoff jitter; 0 draws one.
  uint64_t seed = 0;
  // How to wait between retries; default sleeps.
  Sleeper sleep;
  // Background mode: also sync this often when nothing happens, and after a
  // sync the server refused (kError). After a network failure (kOffline) the
  // next attempt waits a backoff under `retry`, growing to its max_backoff.
  absl::Duration background_interval = absl::Seconds(60);
  // If set, held during every sync (background or SyncOnce), so that code
  // embedding the replicator can run its own syncs of the same store one at
  // a time with the replicator's. Not owned.
  std::mutex* sync_lock = nullptr;
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

  // Background mode: syncs now, then soon after each local write committed
  // to the store, whenever Notify is called or the Watch stream of
  // `watch_transport` pokes, and every background_interval; a Watch event
  // that carries the changes from the device's cursor is applied at once
  // instead of a sync; after a failure,
  // as ReplicatorOptions says. A background sync makes one attempt per call
  // (the loop does the retrying, so Stop is prompt). `on_status` (may be
  // empty) hears every change of state, and the progress of each sync, on
  // the background thread; it must not call Stop. `watch_transport` is not
  // owned (may be null: no Watch).
  void Start(GrpcTransport* watch_transport, StatusCallback on_status = {});
  // Stops background mode: waits for a call in progress to end (a sync
  // stops between its calls to the server), then delivers kStopped to the
  // status callback on the calling thread. Not from the status callback.
  void Stop();
  // Asks the background loop to sync soon (after a local write).
  void Notify();

  // Background mode: the number of syncs done and the last one's status.
  int64_t background_syncs() const;
  // Background mode: the Watch events whose changes were applied as they
  // came (each saved the device a pull).
  int64_t deltas_applied() const;
  absl::Status last_background_status() const;

 private:
  // SyncOnce with the policy `retry` for each call to the server.
  absl::StatusOr<SyncReport> Sync(const ProgressCallback& progress,
                                  SyncDirection direction,
                                  const RetryPolicy& retry);
  absl::Status Hello(const RetryPolicy& retry, v1::HelloResponse* hello);
  absl::Status PushAll(const RetryPolicy& retry, const v1::HelloResponse& hello,
                       SyncReport* report, SyncProgress* progress,
                       const ProgressCallback& cb);
  // A first pull's open store transaction: its pages are applied in it and
  // committed together, kBulkCommitChanges changes at a time, so that each
  // page of the id indexes is written out once a commit rather than once a
  // pulled page. Other threads' writes wait while it is open.
  struct BulkLoad {
    std::optional<WriteTransaction> txn;
    int64_t uncommitted = 0;  // changes applied in txn
  };
  static constexpr int64_t kBulkCommitChanges = 100'000;

  // Applies one pulled page with its cursors and evictions, in one store
  // transaction (`bulk`'s if not null), and counts it in `report`.
  absl::Status ApplyPage(const v1::PullPage& page, SyncReport* report,
                         BulkLoad* bulk);
  // Pulls every bucket offered or held. A device's first pull (no cursor
  // held) is a bulk load: the store's secondary indexes are dropped before
  // it and built after it, whether it succeeded or not.
  absl::Status PullAll(const RetryPolicy& retry, const v1::HelloResponse& hello,
                       SyncReport* report, SyncProgress* progress,
                       const ProgressCallback& cb);
  // Pulls `buckets`, at most the server's max_pull_cursors a request, until
  // the server has no more for them.
  absl::Status PullBuckets(const RetryPolicy& retry,
                           const v1::HelloResponse& hello,
                           const std::vector<std::string>& buckets,
                           SyncReport* report, SyncProgress* progress,
                           const ProgressCallback& cb,
                           BulkLoad* bulk = nullptr);
  void BackgroundLoop();
  void Report(const ReplicatorStatus& status);
  void WatchLoop(GrpcTransport* transport);
  // What the Watch stream asks for: this device's replica, schema version and
  // cursors, so that its events carry the changes.
  absl::StatusOr<v1::WatchRequest> WatchRequest();
  // Applies the changes `event` carries if they start at this device's
  // cursor for the bucket and no sync is running; false otherwise (the
  // device must pull).
  absl::StatusOr<bool> ApplyDelta(const v1::WatchEvent& event);
  absl::StatusOr<bool> ApplyDeltaLocked(const v1::WatchEvent& event,
                                        SyncReport* report)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_);
  // Adds what `from` pulled to `to`.
  static void AddPulled(const SyncReport& from, SyncReport* to);

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
  int64_t deltas_applied_ ABSL_GUARDED_BY(mu_) = 0;
  // What applied Watch events brought, not yet reported (the background
  // thread reports it).
  std::optional<SyncReport> delta_report_ ABSL_GUARDED_BY(mu_);
  absl::Status last_status_ ABSL_GUARDED_BY(mu_);
  grpc::ClientContext* watch_context_ ABSL_GUARDED_BY(mu_) = nullptr;
  // The open stream asked for changes; it is being reopened to ask.
  bool watch_has_deltas_ ABSL_GUARDED_BY(mu_) = false;
  bool reopen_watch_ ABSL_GUARDED_BY(mu_) = false;
  StatusCallback on_status_;  // set by Start before the threads begin
  uint64_t observer_ = 0;     // the store observer of local writes
  std::thread loop_thread_, watch_thread_;
};

}  // namespace plansync::sync

#endif  // PLANSYNC_SYNC_REPLICATOR_H_
