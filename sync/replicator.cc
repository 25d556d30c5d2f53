#include "sync/replicator.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "grpcpp/grpcpp.h"
#include "sync/grpc_transport.h"

namespace plansync::sync {

Replicator::Replicator(DeviceStore* store, SyncTransport* transport,
                       ReplicatorOptions options)
    : store_(store),
      transport_(transport),
      options_(std::move(options)),
      sleep_(options_.sleep ? options_.sleep : Sleeper([](absl::Duration d) {
        absl::SleepFor(d);
      })),
      backoff_(options_.retry,
               options_.seed != 0 ? options_.seed : IdGenerator::RandomSeed()) {
}

Replicator::~Replicator() { Stop(); }

absl::Status Replicator::Hello(const RetryPolicy& retry,
                               v1::HelloResponse* hello) {
  v1::HelloRequest request;
  request.set_replica_id(store_->replica_id());
  request.set_device_hlc(store_->clock().Last());
  request.set_schema_version(options_.schema_version);
  RETURN_IF_ERROR(RetryCall(retry, backoff_, sleep_, [&] {
    absl::StatusOr<v1::HelloResponse> response = transport_->Hello(request);
    if (response.ok()) *hello = std::move(*response);
    return response.status();
  }));
  if (hello->principal_id() != store_->principal_id()) {
    // Pushing would have every change refused as another's; pulling would
    // fill this store with another user's records.
    return absl::FailedPreconditionError(absl::StrCat(
        "the server knows this device's token as user ", hello->principal_id(),
        ", but this device store belongs to user ", store_->principal_id(),
        "; use the token issued for this user"));
  }
  store_->clock().Witness(hello->server_hlc());
  return absl::OkStatus();
}

absl::Status Replicator::PushAll(const RetryPolicy& retry,
                                 const v1::HelloResponse& hello,
                                 SyncReport* report, SyncProgress* progress,
                                 const ProgressCallback& cb) {
  const size_t batch =
      std::max<uint32_t>(1, hello.limits().max_changes_per_push());
  ASSIGN_OR_RETURN(progress->push_total, store_->PendingCount());
  progress->phase = SyncProgress::Phase::kPush;
  bool restamped = false;
  while (true) {
    ASSIGN_OR_RETURN(std::vector<OutboxEntry> pending,
                     store_->PendingChanges(batch));
    if (pending.empty()) return absl::OkStatus();
    // Within the server's count limit, and half its message limit in bytes.
    const size_t byte_budget =
        std::max<uint32_t>(1, hello.limits().max_message_bytes()) / 2;
    v1::PushRequest request;
    size_t bytes = 0;
    for (size_t i = 0; i < pending.size(); ++i) {
      bytes += pending[i].change.ByteSizeLong();
      if (i > 0 && bytes > byte_budget) {
        pending.resize(i);
        break;
      }
      *request.add_changes() = std::move(pending[i].change);
    }
    v1::PushResponse response;
    RETURN_IF_ERROR(RetryCall(retry, backoff_, sleep_, [&] {
      absl::StatusOr<v1::PushResponse> result = transport_->Push(request);
      if (result.ok()) response = std::move(*result);
      return result.status();
    }));
    if (response.results_size() != request.changes_size()) {
      return absl::InternalError(
          absl::StrCat("the server answered ", response.results_size(),
                       " results for ", request.changes_size(), " changes"));
    }
    store_->clock().Witness(response.server_hlc());
    std::vector<uint64_t> acknowledged, drifted;
    int64_t restamped_now = 0;
    RETURN_IF_ERROR(store_->Write([&](WriteTransaction& txn) -> absl::Status {
      for (int i = 0; i < response.results_size(); ++i) {
        const v1::ChangeResult& result = response.results(i);
        const uint64_t seq = pending[i].seq;
        if (result.status() != v1::ChangeResult::REJECTED) {
          acknowledged.push_back(seq);
          const v1::Change& change = request.changes(i);
          if (change.has_log_entry() && result.bucket_seq() > 0) {
            RETURN_IF_ERROR(store_->RecordFeedReceipt(
                txn, change.record_id(), change.bucket(),
                {result.bucket_seq(), result.accepted_hlc()}));
          }
        } else if (result.reason() == v1::CLOCK_DRIFT) {
          drifted.push_back(seq);
        } else {
          RETURN_IF_ERROR(store_->MarkRejected(txn, seq, result.reason(),
                                               result.message()));
          ++report->rejected;
          const v1::Change& change = request.changes(i);
          report->refusals.push_back({change.record_type(), change.record_id(),
                                      result.reason(), result.message()});
        }
      }
      RETURN_IF_ERROR(store_->Acknowledge(txn, acknowledged));
      if (!drifted.empty() && !restamped) {
        ASSIGN_OR_RETURN(restamped_now, store_->Restamp(txn, drifted));
      }
      return absl::OkStatus();
    }));
    report->accepted += static_cast<int64_t>(acknowledged.size());
    progress->pushed += static_cast<int64_t>(acknowledged.size());
    if (cb) cb(*progress);
    if (!drifted.empty()) {
      if (restamped) {
        // Still ahead after re-stamping: the device's own clock is fast.
        report->clock_ahead = true;
        return absl::OkStatus();
      }
      restamped = true;
      report->restamped += restamped_now;
    }
  }
}

absl::Status Replicator::PullAll(const RetryPolicy& retry,
                                 const v1::HelloResponse& hello,
                                 SyncReport* report, SyncProgress* progress,
                                 const ProgressCallback& cb) {
  progress->phase = SyncProgress::Phase::kPull;
  RETURN_IF_ERROR(store_->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(report->unheld, store_->RetryHeld(txn));
    return absl::OkStatus();
  }));
  // The buckets the server offers, then those this device holds that it no
  // longer offers, so that the server can answer them with an evict.
  std::vector<std::string> buckets(hello.buckets().begin(),
                                   hello.buckets().end());
  bool first_pull = false;
  {
    ASSIGN_OR_RETURN(auto held, store_->Cursors());
    first_pull = held.empty();
    const absl::flat_hash_set<std::string> offered(buckets.begin(),
                                                   buckets.end());
    for (const auto& [bucket, cursor] : held) {
      if (!offered.contains(bucket)) buckets.push_back(bucket);
    }
  }
  if (!first_pull) {
    return PullBuckets(retry, hello, buckets, report, progress, cb);
  }
  // A first pull is a bulk load: the rows are indexed once, at the end.
  RETURN_IF_ERROR(store_->BeginBulkLoad());
  BulkLoad bulk;
  absl::Status status =
      PullBuckets(retry, hello, buckets, report, progress, cb, &bulk);
  if (bulk.txn.has_value()) {
    if (status.ok()) status = bulk.txn->Commit();
    bulk.txn.reset();  // rolls back what did not commit
  }
  progress->phase = SyncProgress::Phase::kIndex;
  if (cb) cb(*progress);
  absl::Status built = store_->EndBulkLoad();
  return status.ok() ? built : status;
}

absl::Status Replicator::PullBuckets(const RetryPolicy& retry,
                                     const v1::HelloResponse& hello,
                                     const std::vector<std::string>& buckets,
                                     SyncReport* report, SyncProgress* progress,
                                     const ProgressCallback& cb,
                                     BulkLoad* bulk) {
  // At most max_pull_cursors buckets a pull (an administrator holds more).
  const size_t per_pull = hello.limits().max_pull_cursors() == 0
                              ? std::max<size_t>(buckets.size(), 1)
                              : hello.limits().max_pull_cursors();
  size_t start = 0;
  do {
    const size_t end = std::min(buckets.size(), start + per_pull);
    bool more = true;
    while (more) {
      int64_t applied = 0;
      RETURN_IF_ERROR(RetryCall(retry, backoff_, sleep_, [&]() -> absl::Status {
        more = false;
        // Cursors are re-read on every attempt: a retried pull resumes
        // after the last page applied.
        v1::PullRequest request;
        request.set_schema_version(options_.schema_version);
        // Changes of this device it holds need not come back.
        request.set_replica_id(store_->replica_id());
        request.set_replica_seq(store_->LastChangeSeq());
        ASSIGN_OR_RETURN(auto held, store_->Cursors());
        const absl::flat_hash_map<std::string, int64_t> cursors(held.begin(),
                                                                held.end());
        for (size_t i = start; i < end; ++i) {
          v1::BucketCursor* entry = request.add_cursors();
          entry->set_bucket(buckets[i]);
          auto it = cursors.find(buckets[i]);
          entry->set_cursor(it == cursors.end() ? 0 : it->second);
        }
        return transport_->Pull(request, [&](const v1::PullPage& page) {
          RETURN_IF_ERROR(ApplyPage(page, report, bulk));
          more = page.more();
          applied += page.changes_size() + page.cursors_size();
          progress->pulled += page.changes_size();
          if (cb) cb(*progress);
          return absl::OkStatus();
        });
      }));
      if (more && applied == 0) {
        return absl::UnavailableError(
            "the server asked for another pull but sent nothing; try again "
            "later");
      }
    }
    start = end;
  } while (start < buckets.size());
  return absl::OkStatus();
}

absl::Status Replicator::ApplyPage(const v1::PullPage& page, SyncReport* report,
                                   BulkLoad* bulk) {
  store_->clock().Witness(page.server_hlc());
  auto apply = [&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<RemoteResult> results,
                     store_->ApplyRemote(txn, page.changes()));
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].outcome != RemoteOutcome::kRejected) continue;
      RETURN_IF_ERROR(store_->Hold(txn, page.changes(static_cast<int>(i)),
                                   results[i].error));
      ++report->held;
    }
    for (const v1::BucketCursor& cursor : page.cursors()) {
      RETURN_IF_ERROR(store_->SetCursor(txn, cursor.bucket(), cursor.cursor()));
    }
    for (const std::string& bucket : page.evicted()) {
      RETURN_IF_ERROR(store_->EvictBucket(txn, bucket));
    }
    return absl::OkStatus();
  };
  if (bulk == nullptr) {
    RETURN_IF_ERROR(store_->Write(apply));
  } else {
    if (!bulk->txn.has_value()) {
      ASSIGN_OR_RETURN(WriteTransaction txn, store_->BeginWrite());
      bulk->txn.emplace(std::move(txn));
      bulk->uncommitted = 0;
    }
    absl::Status status = apply(*bulk->txn);
    bulk->uncommitted += page.changes_size();
    if (status.ok() && bulk->uncommitted >= kBulkCommitChanges) {
      status = bulk->txn->Commit();
    }
    if (!status.ok() || bulk->uncommitted >= kBulkCommitChanges) {
      bulk->txn.reset();  // rolls back the pages since the last commit
    }
    RETURN_IF_ERROR(status);
  }
  for (const v1::Change& change : page.changes()) {
    ++(change.replica_id() == store_->replica_id() ? report->pulled_own
                                                   : report->pulled);
  }
  report->evicted += page.evicted_size();
  report->evicted_buckets.insert(report->evicted_buckets.end(),
                                 page.evicted().begin(), page.evicted().end());
  ++report->pages;
  return absl::OkStatus();
}

absl::StatusOr<SyncReport> Replicator::SyncOnce(
    const ProgressCallback& progress_cb, SyncDirection direction) {
  return Sync(progress_cb, direction, options_.retry);
}

absl::StatusOr<SyncReport> Replicator::Sync(const ProgressCallback& progress_cb,
                                            SyncDirection direction,
                                            const RetryPolicy& retry) {
  std::unique_lock<std::mutex> outer;
  if (options_.sync_lock != nullptr) {
    outer = std::unique_lock<std::mutex>(*options_.sync_lock);
  }
  absl::MutexLock lock(&sync_mu_);
  SyncReport report;
  SyncProgress progress;
  if (progress_cb) progress_cb(progress);
  v1::HelloResponse hello;
  RETURN_IF_ERROR(Hello(retry, &hello));
  if (direction != SyncDirection::kPullOnly) {
    RETURN_IF_ERROR(PushAll(retry, hello, &report, &progress, progress_cb));
  }
  if (direction != SyncDirection::kPushOnly) {
    RETURN_IF_ERROR(PullAll(retry, hello, &report, &progress, progress_cb));
  }
  progress.phase = SyncProgress::Phase::kDone;
  if (progress_cb) progress_cb(progress);
  return report;
}

// --- Background mode -------------------------------------------------------

void Replicator::Start(GrpcTransport* watch_transport,
                       StatusCallback on_status) {
  absl::MutexLock lock(&mu_);
  if (running_) return;
  running_ = true;
  poked_ = true;  // sync at once
  on_status_ = std::move(on_status);
  // Local writes are pushed soon; what the replicator itself applies is not.
  observer_ = store_->AddObserver([this](const ChangeNotice& notice) {
    for (const ChangedRecord& record : notice.records) {
      if (!record.remote) return Notify();
    }
  });
  loop_thread_ = std::thread([this] { BackgroundLoop(); });
  if (watch_transport != nullptr) {
    watch_thread_ =
        std::thread([this, watch_transport] { WatchLoop(watch_transport); });
  }
}

void Replicator::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (!running_) return;
    running_ = false;
    if (watch_context_ != nullptr) watch_context_->TryCancel();
  }
  store_->RemoveObserver(observer_);
  if (loop_thread_.joinable()) loop_thread_.join();
  if (watch_thread_.joinable()) watch_thread_.join();
  ReplicatorStatus stopped;
  stopped.syncs = background_syncs();
  Report(stopped);
  on_status_ = nullptr;
}

void Replicator::Notify() {
  absl::MutexLock lock(&mu_);
  poked_ = true;
}

int64_t Replicator::deltas_applied() const {
  absl::MutexLock lock(&mu_);
  return deltas_applied_;
}

absl::StatusOr<v1::WatchRequest> Replicator::WatchRequest() {
  v1::WatchRequest request;
  ASSIGN_OR_RETURN(auto held, store_->Cursors());
  for (const auto& [bucket, cursor] : held) {
    if (cursor == 0) continue;
    v1::BucketCursor* entry = request.add_cursors();
    entry->set_bucket(bucket);
    entry->set_cursor(cursor);
  }
  // Before its first pull a device asks for pokes alone: its replica id may
  // not be bound yet (its first Hello may still be on the way).
  if (request.cursors_size() == 0) return request;
  request.set_replica_id(store_->replica_id());
  request.set_schema_version(options_.schema_version);
  return request;
}

absl::StatusOr<bool> Replicator::ApplyDelta(const v1::WatchEvent& event) {
  if (!event.has_delta()) return false;
  // A sync running now pulls this too, and more: no need to wait for it.
  std::unique_lock<std::mutex> outer;
  if (options_.sync_lock != nullptr) {
    outer = std::unique_lock<std::mutex>(*options_.sync_lock, std::try_to_lock);
    if (!outer.owns_lock()) return false;
  }
  if (!sync_mu_.TryLock()) return false;
  SyncReport report;
  absl::StatusOr<bool> applied = ApplyDeltaLocked(event, &report);
  sync_mu_.Unlock();
  if (applied.ok() && *applied) {
    absl::MutexLock lock(&mu_);
    ++deltas_applied_;
    if (!delta_report_.has_value()) delta_report_.emplace();
    AddPulled(report, &*delta_report_);
  }
  return applied;
}

void Replicator::AddPulled(const SyncReport& from, SyncReport* to) {
  to->pulled += from.pulled;
  to->pulled_own += from.pulled_own;
  to->pages += from.pages;
  to->held += from.held;
}

absl::StatusOr<bool> Replicator::ApplyDeltaLocked(const v1::WatchEvent& event,
                                                  SyncReport* report) {
  ASSIGN_OR_RETURN(std::optional<int64_t> cursor,
                   store_->Cursor(event.bucket()));
  if (!cursor.has_value() || *cursor != event.delta().from_cursor()) {
    return false;
  }
  v1::PullPage page;
  *page.mutable_changes() = event.delta().changes();
  v1::BucketCursor* advanced = page.add_cursors();
  advanced->set_bucket(event.bucket());
  advanced->set_cursor(event.delta().cursor());
  page.set_server_hlc(event.delta().server_hlc());
  RETURN_IF_ERROR(ApplyPage(page, report, /*bulk=*/nullptr));
  return true;
}

int64_t Replicator::background_syncs() const {
  absl::MutexLock lock(&mu_);
  return background_syncs_;
}

absl::Status Replicator::last_background_status() const {
  absl::MutexLock lock(&mu_);
  return last_status_;
}

void Replicator::Report(const ReplicatorStatus& status) {
  if (on_status_) on_status_(status);
}

void Replicator::BackgroundLoop() {
  using State = ReplicatorStatus::State;
  Backoff backoff(options_.retry, options_.seed + 2);
  RetryPolicy one_attempt = options_.retry;
  one_attempt.max_attempts = 1;
  ReplicatorStatus status;
  bool failed = false;
  bool report_only = false;
  absl::Time retry_at;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto stopped = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !running_;
      };
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return poked_ || delta_report_.has_value() || !running_;
      };
      if (failed) {  // pokes wait for the retry too
        mu_.AwaitWithDeadline(absl::Condition(&stopped), retry_at);
      } else {
        mu_.AwaitWithTimeout(absl::Condition(&ready),
                             options_.background_interval);
      }
      if (!running_) return;
      if (!poked_ && delta_report_.has_value()) {
        // Watch events brought changes: reported, with no sync.
        status.state = State::kIdle;
        status.last_sync = *std::move(delta_report_);
        delta_report_.reset();
        report_only = true;
      }
      poked_ = false;
    }
    if (report_only) {
      report_only = false;
      Report(status);
      continue;
    }
    status.state = State::kConnecting;
    status.progress = SyncProgress();
    Report(status);
    absl::StatusOr<SyncReport> report = Sync(
        [&](const SyncProgress& progress) {
          if (progress.phase == SyncProgress::Phase::kHello ||
              progress.phase == SyncProgress::Phase::kDone) {
            return;
          }
          status.state = State::kBusy;
          status.progress = progress;
          Report(status);
        },
        SyncDirection::kBoth, one_attempt);
    ++status.syncs;
    failed = !report.ok();
    if (report.ok()) {
      backoff.Reset();
      status.state = State::kIdle;
      status.last_sync = *std::move(report);
      absl::MutexLock lock(&mu_);
      if (delta_report_.has_value()) {
        AddPulled(*delta_report_, &status.last_sync);
        delta_report_.reset();
      }
      status.error = absl::OkStatus();
      status.retry_in = absl::ZeroDuration();
    } else {
      const bool offline = IsRetryable(report.status());
      status.state = offline ? State::kOffline : State::kError;
      status.error = report.status();
      status.retry_in = offline ? backoff.Next() : options_.background_interval;
      retry_at = absl::Now() + status.retry_in;
    }
    // A stream opened before the device held cursors carries pokes alone:
    // once a sync has given it cursors, it is reopened to carry changes.
    // (The store's cursors are read only while such a stream is open.)
    bool poke_stream_open = false;
    if (report.ok()) {
      absl::MutexLock lock(&mu_);
      poke_stream_open = !watch_has_deltas_ && watch_context_ != nullptr;
    }
    bool can_carry_changes = false;
    if (poke_stream_open) {
      absl::StatusOr<v1::WatchRequest> request = WatchRequest();
      can_carry_changes = request.ok() && !request->replica_id().empty();
    }
    {
      absl::MutexLock lock(&mu_);
      ++background_syncs_;
      last_status_ = report.status();
      if (can_carry_changes && !watch_has_deltas_ &&
          watch_context_ != nullptr && !reopen_watch_) {
        reopen_watch_ = true;
        watch_context_->TryCancel();
      }
    }
    Report(status);
  }
}

void Replicator::WatchLoop(GrpcTransport* transport) {
  Backoff backoff(options_.retry, options_.seed + 1);
  while (true) {
    grpc::ClientContext context;
    {
      absl::MutexLock lock(&mu_);
      if (!running_) return;
      watch_context_ = &context;
    }
    // Without a request (the store could not be read) the stream still
    // pokes.
    absl::StatusOr<v1::WatchRequest> request = WatchRequest();
    if (!request.ok()) request = v1::WatchRequest();
    {
      absl::MutexLock lock(&mu_);
      watch_has_deltas_ = !request->replica_id().empty();
    }
    absl::Status status = transport->Watch(
        &context, *request,
        [&](const v1::WatchEvent& event) {
          backoff.Reset();
          absl::StatusOr<bool> applied = ApplyDelta(event);
          if (!applied.ok() || !*applied) Notify();
        },
        // What changed while no stream was open is caught up by a sync.
        [this] { Notify(); });
    absl::MutexLock lock(&mu_);
    watch_context_ = nullptr;
    if (!running_) return;
    poked_ = true;  // the stream dropped: catch up
    if (reopen_watch_) {
      // Cancelled to reopen with the cursors of the first sync.
      reopen_watch_ = false;
      continue;
    }
    // Waits before reconnecting, or until Stop.
    auto stopped = [this]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !running_; };
    mu_.AwaitWithTimeout(absl::Condition(&stopped), backoff.Next());
  }
}

}  // namespace plansync::sync
