#include "server/grpc_service.h"

#include <map>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"

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

// One Watch stream: queues the latest sequence per bucket and writes one
// event at a time. gRPC is called outside the reactor's lock. Deletes itself
// when the call is done.
class WatchReactor final : public grpc::ServerWriteReactor<v1::WatchEvent>,
                           public WatchListener {
 public:
  WatchReactor(WatchHub* hub, AuthContext auth,
               absl::flat_hash_set<std::string> buckets)
      : hub_(hub), auth_(std::move(auth)), buckets_(std::move(buckets)) {
    // At once, not with the first event: the device then knows the stream
    // is open (and was not refused) before anything changes.
    StartSendInitialMetadata();
    hub_->Add(this);
  }

  void OnBucketChanged(const std::string& bucket, int64_t seq) override {
    bool write = false;
    {
      absl::MutexLock lock(&mu_);
      if (done_ || (!auth_.unrestricted && !buckets_.contains(bucket))) return;
      pending_[bucket] = seq;
      write = TakeNextLocked();
    }
    if (write) StartWrite(&event_);
  }

  void OnBucketsChanged(
      const absl::flat_hash_set<std::string>& buckets) override {
    bool write = false;
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
      write = TakeNextLocked();
    }
    if (write) StartWrite(&event_);
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
    if (finish) Finish(finish_status_);
  }

  const std::string& principal_id() const override {
    return auth_.principal_id;
  }
  const std::string& token_id() const override { return auth_.token_id; }

  void OnWriteDone(bool ok) override {
    bool write = false;
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) done_ = true;
      if (done_) {
        finish = !finish_sent_;
        finish_sent_ = true;
      } else {
        write = TakeNextLocked();
      }
    }
    if (finish) Finish(finish_status_);
    if (write) StartWrite(&event_);
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
    if (finish) Finish(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    hub_->Remove(this);
    delete this;
  }

 private:
  // Moves the next pending event into event_ if no write is in flight.
  bool TakeNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || done_ || pending_.empty()) return false;
    auto it = pending_.begin();
    event_.set_bucket(it->first);
    event_.set_seq(it->second);
    pending_.erase(it);
    writing_ = true;
    return true;
  }

  WatchHub* const hub_;
  const AuthContext auth_;
  absl::Mutex mu_;
  absl::flat_hash_set<std::string> buckets_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int64_t> pending_ ABSL_GUARDED_BY(mu_);
  // Written under mu_ by TakeNextLocked, read by gRPC during the one write
  // in flight.
  v1::WatchEvent event_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;         // no more writes
  bool finish_sent_ ABSL_GUARDED_BY(mu_) = false;  // Finish was called
  // How the call ends; written under mu_ before done_ is set, read after.
  grpc::Status finish_status_ = grpc::Status::CANCELLED;
};

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

namespace {

// Authenticates the call and answers it with `handle(auth)`'s response.
template <typename Response, typename Handle>
grpc::Status AnswerUnary(const Authenticator& authenticator,
                         grpc::ServerContext* context, Response* response,
                         Handle handle) {
  absl::StatusOr<AuthContext> auth =
      authenticator.Authenticate(MetadataOf(context->client_metadata()));
  if (!auth.ok()) return ToGrpcStatus(auth.status());
  absl::StatusOr<Response> result = handle(*auth);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status GrpcSyncService::Hello(grpc::ServerContext* context,
                                    const v1::HelloRequest* request,
                                    v1::HelloResponse* response) {
  return AnswerUnary(*authenticator_, context, response,
                     [&](const AuthContext& auth) {
                       return handlers_->Hello(auth, *request);
                     });
}

grpc::Status GrpcSyncService::Push(grpc::ServerContext* context,
                                   const v1::PushRequest* request,
                                   v1::PushResponse* response) {
  return AnswerUnary(
      *authenticator_, context, response,
      [&](const AuthContext& auth) { return handlers_->Push(auth, *request); });
}

grpc::Status GrpcSyncService::Pull(grpc::ServerContext* context,
                                   const v1::PullRequest* request,
                                   grpc::ServerWriter<v1::PullPage>* writer) {
  absl::StatusOr<AuthContext> auth =
      authenticator_->Authenticate(MetadataOf(context->client_metadata()));
  if (!auth.ok()) return ToGrpcStatus(auth.status());
  return ToGrpcStatus(
      handlers_->Pull(*auth, *request, [&](const v1::PullPage& page) {
        return !context->IsCancelled() && writer->Write(page);
      }));
}

grpc::ServerWriteReactor<v1::WatchEvent>* GrpcSyncService::Watch(
    grpc::CallbackServerContext* context, const v1::WatchRequest* request) {
  absl::StatusOr<AuthContext> auth =
      authenticator_->Authenticate(MetadataOf(context->client_metadata()));
  absl::StatusOr<std::vector<std::string>> buckets =
      auth.ok() ? handlers_->BucketsOf(*auth)
                : absl::StatusOr<std::vector<std::string>>(auth.status());
  if (!buckets.ok()) {
    class Refused final : public grpc::ServerWriteReactor<v1::WatchEvent> {
     public:
      explicit Refused(const grpc::Status& status) { Finish(status); }
      void OnDone() override { delete this; }
    };
    return new Refused(ToGrpcStatus(buckets.status()));
  }
  return new WatchReactor(
      &handlers_->watch_hub(), *auth,
      absl::flat_hash_set<std::string>(buckets->begin(), buckets->end()));
}

}  // namespace plansync::server
