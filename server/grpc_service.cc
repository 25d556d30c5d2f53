#include "server/grpc_service.h"

#include <map>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "core/errors.h"
#include "server/request_log.h"
#include "server/work_queue.h"

namespace plansync::server {
namespace {

std::multimap<std::string, std::string> MetadataOf(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  std::multimap<std::string, std::string> out;
  for (const auto& [key, value] : metadata) {
    out.emplace(std::string(key.data(), key.size()),
                std::string(value.data(), value.size()));
  }
  return out;
}

// Times one call and writes its request log line when it finishes. Not
// thread-safe: one call's thread (or its reactor, under its lock) uses it.
class CallLog {
 public:
  CallLog(bool enabled, std::string method) : enabled_(enabled) {
    entry_.method = std::move(method);
  }
  void set_principal(const std::string& principal_id) {
    entry_.principal_id = principal_id;
  }
  void Count(std::string name, int64_t value) {
    entry_.counts.emplace_back(std::move(name), value);
  }
  // Writes the line (if enabled) for a call ending with `status`; returns
  // `status`.
  grpc::Status Finish(grpc::Status status) {
    if (enabled_) {
      entry_.code = static_cast<absl::StatusCode>(status.error_code());
      entry_.duration_ms = absl::ToInt64Milliseconds(absl::Now() - start_);
      WriteRequestLog(entry_);
    }
    return status;
  }

 private:
  const bool enabled_;
  const absl::Time start_ = absl::Now();
  RequestLogEntry entry_;
};

// One Watch stream: queues the latest sequence per bucket and writes one
// event at a time. With `deltas` (the device named its replica and cursors),
// each event also carries the bucket's changes from the stream's cursor for
// it, read on `work` (never on the thread that published the change); the
// cursors follow what the stream sent and the replica's pulls. gRPC is
// called outside the reactor's lock. Deletes itself when the call is done.
class WatchReactor final : public grpc::ServerWriteReactor<v1::WatchEvent>,
                           public WatchListener {
 public:
  // What a stream carrying changes needs.
  struct Deltas {
    SyncHandlers* handlers = nullptr;
    WorkQueue* work = nullptr;
    std::string replica_id;
    uint32_t schema_version = 0;
    absl::flat_hash_map<std::string, int64_t> cursors;
  };

  WatchReactor(WatchHub* hub, AuthContext auth,
               absl::flat_hash_set<std::string> buckets, TokenSlots::Slot slot,
               CallLog log, std::optional<Deltas> deltas)
      : hub_(hub),
        auth_(std::move(auth)),
        slot_(std::move(slot)),
        with_deltas_(deltas.has_value()),
        handlers_(with_deltas_ ? deltas->handlers : nullptr),
        work_(with_deltas_ ? deltas->work : nullptr),
        replica_id_(with_deltas_ ? deltas->replica_id : ""),
        schema_version_(with_deltas_ ? deltas->schema_version : 0),
        log_(std::move(log)),
        buckets_(std::move(buckets)) {
    if (with_deltas_) cursors_ = std::move(deltas->cursors);
    // At once, not with the first event: the device then knows the stream
    // is open (and was not refused) before anything changes.
    StartSendInitialMetadata();
    hub_->Add(this);
  }

  void OnBucketChanged(const std::string& bucket, int64_t seq) override {
    Next next = Next::kNothing;
    {
      absl::MutexLock lock(&mu_);
      if (done_ || (!auth_.unrestricted && !buckets_.contains(bucket))) return;
      pending_[bucket] = seq;
      next = TakeNextLocked();
    }
    Start(next);
  }

  void OnBucketsChanged(
      const absl::flat_hash_set<std::string>& buckets) override {
    Next next = Next::kNothing;
    {
      absl::MutexLock lock(&mu_);
      if (done_ || auth_.unrestricted || buckets == buckets_) return;
      // Gained and lost buckets are both news to the device.
      for (const std::string& bucket : buckets) {
        if (!buckets_.contains(bucket)) pending_[bucket] = 0;
      }
      for (const std::string& bucket : buckets_) {
        if (!buckets.contains(bucket)) pending_[bucket] = 0;
      }
      buckets_ = buckets;
      next = TakeNextLocked();
    }
    Start(next);
  }

  void OnPulled(
      const std::vector<std::pair<std::string, int64_t>>& cursors) override {
    if (!with_deltas_) return;
    absl::MutexLock lock(&mu_);
    for (const auto& [bucket, cursor] : cursors) cursors_[bucket] = cursor;
  }

  void OnRevoked() override {
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      if (done_) return;
      done_ = true;
      pending_.clear();
      finish_status_ = grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                                    "the token has been revoked");
      // With a write in flight, OnWriteDone finishes the call.
      finish = !writing_ && !finish_sent_;
      if (finish) finish_sent_ = true;
    }
    if (finish) FinishWith(finish_status_);
  }

  std::vector<std::string> WatchedBuckets() override {
    absl::MutexLock lock(&mu_);
    if (auth_.unrestricted) return {};
    return std::vector<std::string>(buckets_.begin(), buckets_.end());
  }

  bool WatchesEverything() const override { return auth_.unrestricted; }
  const std::string& replica_id() const override { return replica_id_; }

  const std::string& principal_id() const override {
    return auth_.principal_id;
  }
  const std::string& token_id() const override { return auth_.token_id; }

  void OnWriteDone(bool ok) override {
    Next next = Next::kNothing;
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (ok) ++events_;
      if (!ok) done_ = true;
      if (done_) {
        finish = !finish_sent_;
        finish_sent_ = true;
      } else {
        next = TakeNextLocked();
      }
    }
    if (finish) FinishWith(finish_status_);
    Start(next);
  }

  void OnCancel() override {
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
      // With a write in flight, OnWriteDone finishes the call.
      finish = !writing_ && !finish_sent_;
      if (finish) finish_sent_ = true;
    }
    if (finish) FinishWith(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    hub_->Remove(this);
    {
      absl::MutexLock lock(&mu_);
      log_.Count("events", events_);
      log_.Count("deltas", deltas_sent_);
      log_.Finish(ended_with_);
    }
    delete this;  // gives back the token's slot
  }

 private:
  // What TakeNextLocked set up: nothing, a write of event_, or the reading
  // of event_'s changes (then its write).
  enum class Next { kNothing, kWrite, kRead };

  void Start(Next next) {
    if (next == Next::kWrite) StartWrite(&event_);
    if (next == Next::kRead) work_->Schedule([this] { ReadDelta(); });
  }

  // On the work queue: reads event_'s changes, then writes it (or finishes
  // the call if it ended meanwhile). The reactor lives on: writing_ is set,
  // so nothing finishes the call but this.
  void ReadDelta() {
    std::string bucket;
    int64_t from = 0;
    {
      absl::MutexLock lock(&mu_);
      bucket = event_.bucket();
      auto it = cursors_.find(bucket);
      if (it != cursors_.end()) from = it->second;
    }
    absl::StatusOr<std::optional<v1::WatchDelta>> delta =
        from == 0 ? std::optional<v1::WatchDelta>()
                  : handlers_->ReadDelta(auth_, bucket, from, schema_version_);
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      if (done_) {
        writing_ = false;
        finish = !finish_sent_;
        finish_sent_ = true;
      } else if (delta.ok() && delta->has_value()) {
        // A failed read leaves a poke: the device pulls.
        cursors_[bucket] = (*delta)->cursor();
        *event_.mutable_delta() = std::move(**delta);
        ++deltas_sent_;
      }
    }
    if (finish) {
      FinishWith(finish_status_);
    } else {
      StartWrite(&event_);
    }
  }

  // Finishes the call with `status`, which is logged when the call is done.
  void FinishWith(const grpc::Status& status) {
    {
      absl::MutexLock lock(&mu_);
      ended_with_ = status;
    }
    Finish(status);
  }

  // Moves the next pending event into event_ if no write is in flight.
  Next TakeNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || done_ || pending_.empty()) return Next::kNothing;
    auto it = pending_.begin();
    event_.Clear();
    event_.set_bucket(it->first);
    event_.set_seq(it->second);
    pending_.erase(it);
    writing_ = true;
    // A bucket gained or lost (seq 0) is a poke: the device pulls.
    return with_deltas_ && event_.seq() != 0 ? Next::kRead : Next::kWrite;
  }

  WatchHub* const hub_;
  const AuthContext auth_;
  const TokenSlots::Slot slot_;  // held while the stream is open
  // With deltas: where changes are read, on which threads, for which
  // replica and schema version.
  const bool with_deltas_;
  SyncHandlers* const handlers_;
  WorkQueue* const work_;
  const std::string replica_id_;
  const uint32_t schema_version_;
  absl::Mutex mu_;
  // The stream's cursor per bucket (with deltas).
  absl::flat_hash_map<std::string, int64_t> cursors_ ABSL_GUARDED_BY(mu_);
  CallLog log_ ABSL_GUARDED_BY(mu_);
  int64_t events_ ABSL_GUARDED_BY(mu_) = 0;       // events written
  int64_t deltas_sent_ ABSL_GUARDED_BY(mu_) = 0;  // of which with changes
  grpc::Status ended_with_ ABSL_GUARDED_BY(mu_) = grpc::Status::CANCELLED;
  absl::flat_hash_set<std::string> buckets_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int64_t> pending_ ABSL_GUARDED_BY(mu_);
  // Written under mu_ by TakeNextLocked and ReadDelta, read by gRPC during
  // the one write in flight.
  v1::WatchEvent event_;
  // A write (or the read before it) is in flight.
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;         // no more writes
  bool finish_sent_ ABSL_GUARDED_BY(mu_) = false;  // Finish was called
  // How the call ends; written under mu_ before done_ is set, read after.
  grpc::Status finish_status_ = grpc::Status::CANCELLED;
};

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  std::string message(status.message());
  if (message.empty()) {
    message = absl::StrCat("the server could not answer (",
                           absl::StatusCodeToString(status.code()), ")");
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::move(message));
}

namespace {

// Authenticates the call and answers it with `handle(auth)`'s response;
// `count(response)` adds the response's counts to the log.
template <typename Response, typename Handle, typename CountOf>
grpc::Status AnswerUnary(const Authenticator& authenticator,
                         grpc::ServerContext* context, CallLog& log,
                         Response* response, Handle handle, CountOf count) {
  absl::StatusOr<AuthContext> auth =
      authenticator.Authenticate(MetadataOf(context->client_metadata()));
  if (!auth.ok()) return log.Finish(ToGrpcStatus(auth.status()));
  log.set_principal(auth->principal_id);
  absl::StatusOr<Response> result = handle(*auth);
  if (!result.ok()) {
    if (auto after = RetryAfterOf(result.status()); after.has_value()) {
      context->AddTrailingMetadata(
          kRetryAfterMetadata,
          std::to_string(absl::ToInt64Milliseconds(*after)));
    }
    return log.Finish(ToGrpcStatus(result.status()));
  }
  *response = std::move(*result);
  count(*response);
  return log.Finish(grpc::Status::OK);
}

absl::Status TooManyWatchStreams(uint32_t limit) {
  return ReasonError(
      v1::TOO_MANY_STREAMS,
      absl::StrCat("this token already holds ", limit,
                   " open Watch streams, the most the server allows "
                   "(TOO_MANY_STREAMS); close one first"));
}

// A Watch call refused before its stream opened.
class RefusedWatch final : public grpc::ServerWriteReactor<v1::WatchEvent> {
 public:
  explicit RefusedWatch(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

absl::Status TooManyPulls(uint32_t limit) {
  return ReasonError(
      v1::TOO_MANY_STREAMS,
      absl::StrCat("this token already has ", limit,
                   " pulls running, the most the server allows "
                   "(TOO_MANY_STREAMS); wait for one to finish"));
}

}  // namespace

GrpcSyncService::GrpcSyncService(SyncHandlers* handlers,
                                 const Authenticator* authenticator,
                                 GrpcServiceOptions options)
    : handlers_(handlers),
      authenticator_(authenticator),
      options_(options),
      watch_slots_(handlers->limits().max_watch_streams_per_token),
      pull_slots_(handlers->limits().max_pulls_per_token) {}

grpc::Status GrpcSyncService::Hello(grpc::ServerContext* context,
                                    const v1::HelloRequest* request,
                                    v1::HelloResponse* response) {
  CallLog log(options_.request_log, "Hello");
  return AnswerUnary(
      *authenticator_, context, log, response,
      [&](const AuthContext& auth) { return handlers_->Hello(auth, *request); },
      [&](const v1::HelloResponse& hello) {
        log.Count("buckets", hello.buckets_size());
      });
}

grpc::Status GrpcSyncService::Push(grpc::ServerContext* context,
                                   const v1::PushRequest* request,
                                   v1::PushResponse* response) {
  CallLog log(options_.request_log, "Push");
  log.Count("changes", request->changes_size());
  return AnswerUnary(
      *authenticator_, context, log, response,
      [&](const AuthContext& auth) { return handlers_->Push(auth, *request); },
      [&](const v1::PushResponse& push) {
        int64_t accepted = 0, duplicate = 0, rejected = 0;
        for (const v1::ChangeResult& result : push.results()) {
          accepted += result.status() == v1::ChangeResult::ACCEPTED;
          duplicate += result.status() == v1::ChangeResult::DUPLICATE;
          rejected += result.status() == v1::ChangeResult::REJECTED;
        }
        log.Count("accepted", accepted);
        log.Count("duplicate", duplicate);
        log.Count("rejected", rejected);
      });
}

grpc::Status GrpcSyncService::Pull(grpc::ServerContext* context,
                                   const v1::PullRequest* request,
                                   grpc::ServerWriter<v1::PullPage>* writer) {
  CallLog log(options_.request_log, "Pull");
  log.Count("buckets", request->cursors_size());
  absl::StatusOr<AuthContext> auth =
      authenticator_->Authenticate(MetadataOf(context->client_metadata()));
  if (!auth.ok()) return log.Finish(ToGrpcStatus(auth.status()));
  log.set_principal(auth->principal_id);
  std::optional<TokenSlots::Slot> slot = pull_slots_.TryAcquire(auth->token_id);
  if (!slot.has_value()) {
    return log.Finish(ToGrpcStatus(TooManyPulls(pull_slots_.limit())));
  }
  int64_t pages = 0, changes = 0;
  absl::Status status =
      handlers_->Pull(*auth, *request, [&](const v1::PullPage& page) {
        if (context->IsCancelled() || !writer->Write(page)) return false;
        ++pages;
        changes += page.changes_size();
        return true;
      });
  log.Count("pages", pages);
  log.Count("changes", changes);
  return log.Finish(ToGrpcStatus(status));
}

grpc::ServerWriteReactor<v1::WatchEvent>* GrpcSyncService::Watch(
    grpc::CallbackServerContext* context, const v1::WatchRequest* request) {
  CallLog log(options_.request_log, "Watch");
  absl::StatusOr<AuthContext> auth =
      authenticator_->Authenticate(MetadataOf(context->client_metadata()));
  if (auth.ok()) log.set_principal(auth->principal_id);
  std::optional<TokenSlots::Slot> slot =
      auth.ok() ? watch_slots_.TryAcquire(auth->token_id) : std::nullopt;
  absl::StatusOr<std::vector<std::string>> buckets =
      !auth.ok()         ? auth.status()
      : slot.has_value() ? handlers_->BucketsOf(*auth)
                         : TooManyWatchStreams(watch_slots_.limit());
  if (!buckets.ok()) {
    return new RefusedWatch(log.Finish(ToGrpcStatus(buckets.status())));
  }
  std::optional<WatchReactor::Deltas> deltas;
  if (!request->replica_id().empty()) {
    // Checked before the stream opens: a device told REPLICA_NOT_OWNED
    // knows its store is not this user's.
    absl::Status owner =
        handlers_->CheckReplicaOwner(*auth, request->replica_id());
    if (!owner.ok()) {
      return new RefusedWatch(log.Finish(ToGrpcStatus(owner)));
    }
    deltas.emplace();
    deltas->handlers = handlers_;
    deltas->work = &delta_work_;
    deltas->replica_id = request->replica_id();
    deltas->schema_version = request->schema_version();
    for (const v1::BucketCursor& cursor : request->cursors()) {
      deltas->cursors[cursor.bucket()] = cursor.cursor();
    }
  }
  return new WatchReactor(
      &handlers_->watch_hub(), *auth,
      absl::flat_hash_set<std::string>(buckets->begin(), buckets->end()),
      std::move(*slot), std::move(log), std::move(deltas));
}

}  // namespace plansync::server
