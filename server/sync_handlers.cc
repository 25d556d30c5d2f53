#include "server/sync_handlers.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/errors.h"
#include "core/permissions.h"
#include "core/schema.h"
#include "core/status_macros.h"
#include "core/uuid.h"

namespace plansync::server {
namespace {

// A cursor: [unused sign bit][schema version: 11][feed sequence: 44][view: 8].
constexpr int kViewBits = 8;
constexpr int kSeqBits = 44;
constexpr int kVersionShift = kViewBits + kSeqBits;
static_assert(kAllRoles < (1u << kViewBits));
static_assert(kSchemaVersion < (1u << (63 - kVersionShift)));

// The schema version a device states, as the server reads it: 0 (a device
// older than the field) is 1; a device newer than the server understands
// everything the server has.
uint32_t DeviceVersion(uint32_t stated) {
  return std::clamp<uint32_t>(stated, 1, kSchemaVersion);
}

// True if a device that understands schema `version` can apply `change`, of
// type `type`: the type, the written field and every field set in a log
// entry are no newer than `version`. Newer ones are held back on the server.
bool Understands(const RecordType& type, const v1::Change& change,
                 uint32_t version) {
  if (version >= kSchemaVersion) return true;
  if (type.since > version) return false;
  if (change.has_field_write()) {
    const FieldInfo* field = type.FieldByNumber(
        static_cast<int>(change.field_write().field_number()));
    return field == nullptr || field->since <= version;
  }
  std::unique_ptr<google::protobuf::Message> entry = NewRecordMessage(type);
  const std::string& bytes = change.log_entry();
  if (!entry->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return true;  // stored as accepted; the device will hold what it cannot
                  // read
  }
  for (const FieldInfo& field : type.fields) {
    if (field.since > version &&
        entry->GetReflection()->HasField(*entry, field.descriptor)) {
      return false;
    }
  }
  return true;
}

// True if `access`'s principal, holding `roles` on the item's bucket, may
// read the item.
bool MayRead(const RecordType& type, RoleSet roles, const Access& access,
             const v1::Change& change) {
  switch (ReadScope(type, roles)) {
    case Scope::kAll:
      return true;
    case Scope::kOwn:
      return access.OwnsAssignment(change.record_id());
    case Scope::kNone:
      return false;
  }
  return false;
}

// The change's type if a device at `version` with `roles` on its bucket may
// receive it; null otherwise.
const RecordType* Sendable(const v1::Change& change, RoleSet roles,
                           const Access& access, uint32_t version) {
  const RecordType* type = Schema::Get().FindCanonical(change.record_type());
  if (type == nullptr || !MayRead(*type, roles, access, change) ||
      !Understands(*type, change, version)) {
    return nullptr;
  }
  return type;
}

}  // namespace

int64_t SyncHandlers::EncodeCursor(int64_t seq, RoleSet view,
                                   uint32_t version) {
  return (static_cast<int64_t>(version) << kVersionShift) | (seq << kViewBits) |
         static_cast<int64_t>(view);
}
int64_t SyncHandlers::CursorSeq(int64_t cursor) {
  return (cursor >> kViewBits) & ((int64_t{1} << kSeqBits) - 1);
}
RoleSet SyncHandlers::CursorView(int64_t cursor) {
  return static_cast<RoleSet>(cursor & ((1 << kViewBits) - 1));
}
uint32_t SyncHandlers::CursorVersion(int64_t cursor) {
  // Cursors issued before versions were encoded carry 0: version 1.
  return std::max<uint32_t>(static_cast<uint32_t>(cursor >> kVersionShift), 1);
}

SyncHandlers::SyncHandlers(ServerStore* store, ClockSource* clock,
                           ServerLimits limits, uint64_t seed)
    : store_(store),
      limits_(limits),
      hlc_(clock, limits.max_clock_drift_ms),
      ids_(clock, seed),
      replica_id_(ids_.Next()),
      merger_(store, &hlc_, &ids_, replica_id_, limits.max_change_bytes),
      district_clock_(store, clock),
      access_(store, &district_clock_),
      access_log_(store, &hlc_, &district_clock_, replica_id_,
                  absl::Milliseconds(limits.access_log_refresh_ms)) {}

absl::StatusOr<int64_t> SyncHandlers::FlushAccessLog(bool all) {
  int64_t pulls = 0;
  ASSIGN_OR_RETURN(BucketHeads written, all ? access_log_.Flush(&pulls)
                                            : access_log_.FlushDue(&pulls));
  hub_.Publish(written);
  store_->Announce(written);
  return pulls;
}

absl::StatusOr<std::vector<std::string>> SyncHandlers::BucketsOf(
    const AuthContext& auth) {
  ASSIGN_OR_RETURN(std::shared_ptr<const Access> access, access_.Resolve(auth));
  return BucketsOf(*access);
}

absl::StatusOr<std::vector<std::string>> SyncHandlers::BucketsOf(
    const Access& access) {
  std::vector<std::string> buckets;
  if (access.admin()) {
    ASSIGN_OR_RETURN(buckets, store_->Buckets());
  } else {
    buckets = access.StudentBuckets();
  }
  if (access.RolesOn(kDirectoryBucket) != 0 &&
      std::find(buckets.begin(), buckets.end(), kDirectoryBucket) ==
          buckets.end()) {
    buckets.emplace_back(kDirectoryBucket);
  }
  return buckets;
}

absl::Status SyncHandlers::BindReplica(const AuthContext& auth,
                                       const std::string& replica_id) {
  if (!IsUuid(replica_id)) {
    return ReasonError(v1::MALFORMED_ID,
                       "the device's replica id must be a UUID (8-4-4-4-12 "
                       "hex digits)");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<ServerTransaction> txn, store_->Begin());
  ASSIGN_OR_RETURN(const bool bound_server, merger_.BindServerReplica(*txn));
  ASSIGN_OR_RETURN(std::optional<std::string> owner,
                   txn->ReplicaOwner(replica_id));
  if (owner.has_value() && *owner != auth.principal_id) {
    return ReasonError(v1::REPLICA_NOT_OWNED,
                       "this device's replica id is registered to another "
                       "user; reinstall or reset the app's store to get a "
                       "new one");
  }
  if (!owner.has_value()) {
    RETURN_IF_ERROR(txn->BindReplica(replica_id, auth.principal_id));
  } else if (!bound_server) {
    return absl::OkStatus();  // nothing written: the transaction rolls back
  }
  RETURN_IF_ERROR(txn->Commit());
  if (bound_server) merger_.ServerReplicaCommitted();
  return absl::OkStatus();
}

absl::StatusOr<v1::HelloResponse> SyncHandlers::Hello(
    const AuthContext& auth, const v1::HelloRequest& request) {
  ASSIGN_OR_RETURN(std::vector<std::string> buckets, BucketsOf(auth));
  // A replica id is bound to its principal at its first Hello (or push).
  if (!request.replica_id().empty()) {
    RETURN_IF_ERROR(BindReplica(auth, request.replica_id()));
  }
  // A device clock far ahead is not an error here; its changes will be.
  hlc_.Observe(request.device_hlc()).IgnoreError();
  v1::HelloResponse response;
  response.set_principal_id(auth.principal_id);
  for (std::string& bucket : buckets) response.add_buckets(std::move(bucket));
  v1::Limits* limits = response.mutable_limits();
  limits->set_max_changes_per_push(limits_.max_changes_per_push);
  limits->set_max_message_bytes(limits_.max_message_bytes);
  limits->set_max_clock_drift_ms(limits_.max_clock_drift_ms);
  limits->set_pull_page_changes(limits_.pull_page_changes);
  limits->set_max_change_bytes(limits_.max_change_bytes);
  limits->set_max_pull_cursors(limits_.max_pull_cursors);
  limits->set_max_pull_bytes(limits_.max_pull_bytes);
  limits->set_max_watch_streams_per_token(limits_.max_watch_streams_per_token);
  limits->set_max_pulls_per_token(limits_.max_pulls_per_token);
  limits->set_max_watch_delta_changes(limits_.max_watch_delta_changes);
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
  // Refused at once when too many pushes wait for the store already.
  if (pushes_in_flight_.fetch_add(1) >= limits_.max_pushes_in_flight) {
    pushes_in_flight_.fetch_sub(1);
    return WithRetryAfter(
        absl::ResourceExhaustedError(absl::StrCat(
            "the server is busy with ", limits_.max_pushes_in_flight,
            " pushes; nothing of this one was stored; try again in ",
            limits_.push_retry_after_ms, " ms")),
        absl::Milliseconds(limits_.push_retry_after_ms));
  }
  absl::Cleanup done = [this] { pushes_in_flight_.fetch_sub(1); };
  ASSIGN_OR_RETURN(std::shared_ptr<const Access> access, access_.Resolve(auth));
  ASSIGN_OR_RETURN(BatchOutcome outcome,
                   merger_.Apply(*access, request.changes()));
  hub_.Publish(outcome.changed_buckets);
  store_->Announce(outcome.changed_buckets);
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
  // Each bucket once, from the lowest cursor named for it, in request order.
  std::vector<v1::BucketCursor> cursors;
  {
    absl::flat_hash_map<absl::string_view, size_t> index;
    for (const v1::BucketCursor& cursor : request.cursors()) {
      auto [it, inserted] = index.try_emplace(cursor.bucket(), cursors.size());
      if (inserted) {
        cursors.push_back(cursor);
      } else if (cursor.cursor() < cursors[it->second].cursor()) {
        cursors[it->second].set_cursor(cursor.cursor());
      }
    }
  }
  if (cursors.size() > limits_.max_pull_cursors) {
    return ReasonError(
        v1::TOO_MANY_CURSORS,
        absl::StrCat("a pull names at most ", limits_.max_pull_cursors,
                     " buckets (TOO_MANY_CURSORS); this one names ",
                     cursors.size(), ": split them over several pulls"));
  }
  const uint32_t version = DeviceVersion(request.schema_version());
  ASSIGN_OR_RETURN(std::shared_ptr<const Access> access, access_.Resolve(auth));
  ASSIGN_OR_RETURN(std::vector<std::string> readable, BucketsOf(*access));
  const absl::flat_hash_set<std::string> allowed(readable.begin(),
                                                 readable.end());
  // A device's own changes are left out of its incremental pulls (it holds
  // them), when the replica id it names is its caller's.
  bool own_replica = false;
  if (!request.replica_id().empty()) {
    ASSIGN_OR_RETURN(std::optional<std::string> owner,
                     store_->ReplicaOwner(request.replica_id()));
    own_replica = owner.has_value() && *owner == auth.principal_id;
  }
  auto held_by_device = [&](const v1::Change& change) {
    return change.replica_id() == request.replica_id() &&
           change.replica_seq() <= request.replica_seq();
  };
  PullTally tally;
  v1::PullPage page;
  size_t page_bytes = 0;
  uint64_t pull_bytes = 0;
  bool stopped = false;  // at max_pull_bytes: the device pulls again
  // Leaves room under the message limit for the page's own framing.
  const size_t byte_budget = limits_.max_message_bytes / 2;
  auto flush = [&]() -> absl::Status {
    page.set_server_hlc(hlc_.Now());
    page.set_more(stopped);
    if (!send(page)) return absl::CancelledError("the client went away");
    pull_bytes += page_bytes;
    page.Clear();
    page_bytes = 0;
    return absl::OkStatus();
  };
  // Appends the readable items of `bucket` after `*after` to the pages,
  // advancing `*after`; the types sent go to `sent` unless it is null. With
  // `skip_own`, the device's own changes it holds are passed over.
  std::vector<FeedItem> items;
  auto read_bucket = [&](const std::string& bucket, RoleSet roles,
                         int64_t* after, bool skip_own,
                         std::set<std::string>* sent) -> absl::Status {
    auto advance = [&] {
      v1::BucketCursor* advanced = page.add_cursors();
      advanced->set_bucket(bucket);
      advanced->set_cursor(EncodeCursor(*after, roles, version));
    };
    while (true) {
      items.clear();
      RETURN_IF_ERROR(
          store_->ReadFeed(bucket, *after, limits_.pull_page_changes, &items));
      for (FeedItem& item : items) {
        *after = item.seq;
        if (skip_own && held_by_device(item.change)) continue;
        const RecordType* type = Sendable(item.change, roles, *access, version);
        if (type == nullptr) continue;
        if (sent != nullptr) sent->insert(type->short_name);
        item.change.set_feed_seq(item.seq);
        page_bytes += item.change.ByteSizeLong();
        *page.add_changes() = std::move(item.change);
        if (page.changes_size() >=
                static_cast<int>(limits_.pull_page_changes) ||
            page_bytes >= byte_budget) {
          advance();
          RETURN_IF_ERROR(flush());
          if (pull_bytes >= limits_.max_pull_bytes) {
            stopped = true;
            return absl::OkStatus();
          }
        }
      }
      if (items.size() < limits_.pull_page_changes) return absl::OkStatus();
    }
  };
  struct Position {
    RoleSet roles = 0;
    int64_t after = 0;
    int64_t requested = 0;  // the cursor the device sent
    bool skip_own = false;  // an incremental pull of the caller's device
  };
  std::map<std::string, Position> positions;
  auto pull_buckets = [&]() -> absl::Status {
    for (const v1::BucketCursor& cursor : cursors) {
      if (stopped) break;
      if (!allowed.contains(cursor.bucket())) {
        // Unrestricted callers lose nothing: the bucket is just not here yet.
        if (!access->unrestricted()) page.add_evicted(cursor.bucket());
        continue;
      }
      Position& at = positions[cursor.bucket()];
      at.roles = access->RolesOn(cursor.bucket());
      at.requested = cursor.cursor();
      at.skip_own = own_replica && cursor.cursor() != 0;
      at.after = CursorSeq(cursor.cursor());
      const RoleSet old_view = CursorView(cursor.cursor());
      if (cursor.cursor() != 0 && CursorVersion(cursor.cursor()) != version) {
        at.after = 0;  // the device upgraded: send what it can now read
      }
      if (cursor.cursor() != 0 && old_view != at.roles) {
        if ((old_view & ~at.roles) != 0) {
          // Roles were lost: the device may hold records it can no longer
          // read. It drops the bucket and pulls it afresh.
          page.add_evicted(cursor.bucket());
          positions.erase(cursor.bucket());
          continue;
        }
        at.after = 0;  // roles were gained: send what is now readable
      }
      RETURN_IF_ERROR(read_bucket(cursor.bucket(), at.roles, &at.after,
                                  at.skip_own, &tally[cursor.bucket()]));
      // The bucket's cursor goes with the page holding its last items.
      const int64_t advanced = EncodeCursor(at.after, at.roles, version);
      if (advanced != at.requested) {
        v1::BucketCursor* entry = page.add_cursors();
        entry->set_bucket(cursor.bucket());
        entry->set_cursor(advanced);
        at.requested = advanced;
      }
    }
    return absl::OkStatus();
  };
  absl::Status pulled = pull_buckets();
  // What was sent is logged even when the client went away part-way. The
  // log is written before the last page, so that a reader of the log gets
  // its own access in the same pull: devices of one principal then agree
  // once nothing new is left (a pull of access records alone is not logged).
  if (!access->unrestricted()) {
    absl::StatusOr<BucketHeads> logged = access_log_.Record(*access, tally);
    if (!logged.ok()) return logged.status();
    hub_.Publish(*logged);
    store_->Announce(*logged);
    if (pulled.ok() && !stopped) {
      for (const auto& [bucket, head] : *logged) {
        auto it = positions.find(bucket);
        if (it == positions.end()) continue;
        pulled = read_bucket(bucket, it->second.roles, &it->second.after,
                             it->second.skip_own, /*sent=*/nullptr);
        if (!pulled.ok()) break;
      }
    }
  }
  if (!pulled.ok()) return pulled;
  std::vector<std::pair<std::string, int64_t>> reached;
  for (const auto& [bucket, at] : positions) {
    const int64_t advanced_cursor = EncodeCursor(at.after, at.roles, version);
    reached.emplace_back(bucket, advanced_cursor);
    if (advanced_cursor == at.requested) continue;  // sent
    v1::BucketCursor* advanced = page.add_cursors();
    advanced->set_bucket(bucket);
    advanced->set_cursor(advanced_cursor);
  }
  // A last page: the remaining changes, cursors and evictions (possibly
  // empty, so the device always hears the server's clock).
  RETURN_IF_ERROR(flush());
  // The device's Watch streams carry changes on from where it now stands.
  if (own_replica && !stopped) hub_.Pulled(request.replica_id(), reached);
  return absl::OkStatus();
}

absl::Status SyncHandlers::CheckReplicaOwner(const AuthContext& auth,
                                             const std::string& replica_id) {
  if (!IsUuid(replica_id)) {
    return ReasonError(v1::MALFORMED_ID,
                       "the device's replica id must be a UUID (8-4-4-4-12 "
                       "hex digits)");
  }
  ASSIGN_OR_RETURN(std::optional<std::string> owner,
                   store_->ReplicaOwner(replica_id));
  if (!owner.has_value() || *owner != auth.principal_id) {
    return ReasonError(v1::REPLICA_NOT_OWNED,
                       "this replica id is not this user's device (call Hello "
                       "with it first); reinstall or reset the app's store if "
                       "it is another user's");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::WatchDelta>> SyncHandlers::ReadDelta(
    const AuthContext& auth, const std::string& bucket, int64_t from_cursor,
    uint32_t schema_version) {
  const uint32_t version = DeviceVersion(schema_version);
  if (from_cursor == 0 || CursorVersion(from_cursor) != version) {
    return std::nullopt;
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const Access> access, access_.Resolve(auth));
  const RoleSet roles = access->RolesOn(bucket);
  // Roles gained or lost since the cursor was issued: a Pull sorts that out.
  if (roles == 0 || CursorView(from_cursor) != roles) return std::nullopt;
  v1::WatchDelta delta;
  delta.set_from_cursor(from_cursor);
  int64_t after = CursorSeq(from_cursor);
  std::set<std::string> sent;
  std::vector<FeedItem> items;
  const size_t most = limits_.max_watch_delta_changes;
  // Items this event may read, sent or not: a stream far behind, or one
  // whose caller reads little of the bucket, gets a poke instead of a long
  // scan on the server's work queue.
  const size_t scan_limit = 4 * most + 16;
  const size_t page = std::min<size_t>(limits_.pull_page_changes, most + 1);
  size_t bytes = 0;
  size_t scanned = 0;
  while (true) {
    items.clear();
    RETURN_IF_ERROR(store_->ReadFeed(bucket, after, page, &items));
    for (FeedItem& item : items) {
      if (++scanned > scan_limit) return std::nullopt;
      after = item.seq;
      const RecordType* type = Sendable(item.change, roles, *access, version);
      if (type == nullptr) continue;
      item.change.set_feed_seq(item.seq);
      bytes += item.change.ByteSizeLong();
      if (static_cast<size_t>(delta.changes_size()) >= most ||
          bytes > limits_.max_message_bytes / 2) {
        return std::nullopt;  // too much for an event: the device pulls
      }
      sent.insert(type->short_name);
      *delta.add_changes() = std::move(item.change);
    }
    if (items.size() < page) break;
  }
  delta.set_cursor(EncodeCursor(after, roles, version));
  if (!access->unrestricted() && !sent.empty()) {
    ASSIGN_OR_RETURN(BucketHeads logged,
                     access_log_.Record(*access, {{bucket, std::move(sent)}}));
    hub_.Publish(logged);
    store_->Announce(logged);
  }
  delta.set_server_hlc(hlc_.Now());
  return delta;
}

}  // namespace plansync::server
