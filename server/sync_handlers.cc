#include "server/sync_handlers.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/errors.h"
#include "core/schema.h"
#include "core/status_macros.h"

namespace plansync::server {

SyncHandlers::SyncHandlers(ServerStore* store, ClockSource* clock,
                           ServerLimits limits, uint64_t seed)
    : store_(store),
      limits_(limits),
      hlc_(clock, limits.max_clock_drift_ms),
      ids_(clock, seed),
      replica_id_(ids_.Next()),
      merger_(store, &hlc_, &ids_, replica_id_) {}

absl::StatusOr<std::vector<std::string>> SyncHandlers::BucketsOf(
    const AuthContext& auth) {
  ASSIGN_OR_RETURN(std::vector<std::string> buckets, store_->Buckets());
  if (std::find(buckets.begin(), buckets.end(), kDirectoryBucket) ==
      buckets.end()) {
    buckets.emplace_back(kDirectoryBucket);
  }
  return buckets;
}

absl::StatusOr<v1::HelloResponse> SyncHandlers::Hello(
    const AuthContext& auth, const v1::HelloRequest& request) {
  // A device clock far ahead is not an error here; its changes will be.
  hlc_.Observe(request.device_hlc()).IgnoreError();
  v1::HelloResponse response;
  response.set_principal_id(auth.principal_id);
  ASSIGN_OR_RETURN(std::vector<std::string> buckets, BucketsOf(auth));
  for (std::string& bucket : buckets) response.add_buckets(std::move(bucket));
  v1::Limits* limits = response.mutable_limits();
  limits->set_max_changes_per_push(limits_.max_changes_per_push);
  limits->set_max_message_bytes(limits_.max_message_bytes);
  limits->set_max_clock_drift_ms(limits_.max_clock_drift_ms);
  limits->set_pull_page_changes(limits_.pull_page_changes);
  response.set_server_hlc(hlc_.Now());
  return response;
}

absl::StatusOr<v1::PushResponse> SyncHandlers::Push(
    const AuthContext& auth, const v1::PushRequest& request) {
  if (request.changes_size() > static_cast<int>(limits_.max_changes_per_push)) {
    return ReasonError(
        v1::BATCH_TOO_LARGE,
        absl::StrCat("a push holds at most ", limits_.max_changes_per_push,
                     " changes; this one holds ", request.changes_size()));
  }
  ASSIGN_OR_RETURN(BatchOutcome outcome,
                   merger_.Apply(auth, request.changes()));
  hub_.Publish(outcome.changed_buckets);
  v1::PushResponse response;
  for (v1::ChangeResult& result : outcome.results) {
    *response.add_results() = std::move(result);
  }
  response.set_server_hlc(hlc_.Now());
  return response;
}

absl::Status SyncHandlers::Pull(
    const AuthContext& auth, const v1::PullRequest& request,
    absl::FunctionRef<bool(const v1::PullPage&)> send) {
  ASSIGN_OR_RETURN(std::vector<std::string> readable, BucketsOf(auth));
  const absl::flat_hash_set<std::string> allowed(readable.begin(),
                                                 readable.end());
  v1::PullPage page;
  size_t page_bytes = 0;
  // Leaves room under the message limit for the page's own framing.
  const size_t byte_budget = limits_.max_message_bytes / 2;
  auto flush = [&]() -> absl::Status {
    page.set_server_hlc(hlc_.Now());
    if (!send(page)) return absl::CancelledError("the client went away");
    page.Clear();
    page_bytes = 0;
    return absl::OkStatus();
  };
  std::vector<FeedItem> items;
  for (const v1::BucketCursor& cursor : request.cursors()) {
    if (!allowed.contains(cursor.bucket())) {
      // Unrestricted callers lose nothing: the bucket is just not here yet.
      if (!auth.unrestricted) page.add_evicted(cursor.bucket());
      continue;
    }
    int64_t after = cursor.cursor();
    while (true) {
      items.clear();
      RETURN_IF_ERROR(store_->ReadFeed(cursor.bucket(), after,
                                       limits_.pull_page_changes, &items));
      for (FeedItem& item : items) {
        page_bytes += item.change.ByteSizeLong();
        *page.add_changes() = std::move(item.change);
        after = item.seq;
        if (page.changes_size() >=
                static_cast<int>(limits_.pull_page_changes) ||
            page_bytes >= byte_budget) {
          v1::BucketCursor* advanced = page.add_cursors();
          advanced->set_bucket(cursor.bucket());
          advanced->set_cursor(after);
          RETURN_IF_ERROR(flush());
        }
      }
      if (items.size() < limits_.pull_page_changes) break;
    }
    if (page.changes_size() > 0 || after != cursor.cursor()) {
      v1::BucketCursor* advanced = page.add_cursors();
      advanced->set_bucket(cursor.bucket());
      advanced->set_cursor(after);
    }
  }
  // A last page: the remaining changes, cursors and evictions (possibly
  // empty, so the device always hears the server's clock).
  return flush();
}

}  // namespace plansync::server
