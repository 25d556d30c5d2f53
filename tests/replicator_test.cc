// The replicator's policies: what it retries and how long it waits, what it
// does with refused changes, re-stamping after a clock-drift refusal, and
// background mode woken by the server's Watch stream over gRPC.
#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "core/errors.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "server/admin.h"
#include "server/grpc_service.h"
#include "server/sqlite_server_store.h"
#include "server/sync_handlers.h"
#include "sync/grpc_transport.h"
#include "sync/replicator.h"
#include "sync/retry.h"
#include "tests/device_file.h"
#include "tests/sync_test_util.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

// --- Retry policy -----------------------------------------------------------

TEST(Retry, BackoffGrowsExponentiallyWithinJitterUpToTheCap) {
  sync::RetryPolicy policy;
  policy.initial_backoff = absl::Milliseconds(100);
  policy.multiplier = 2;
  policy.max_backoff = absl::Seconds(1);
  policy.jitter = 0.2;
  sync::Backoff backoff(policy, 42);
  const double expected[] = {100, 200, 400, 800, 1000, 1000};
  for (double base : expected) {
    const double got = absl::ToDoubleMilliseconds(backoff.Next());
    EXPECT_GE(got, base * 0.8);
    EXPECT_LE(got, base * 1.2);
  }
}

TEST(Retry, JitterDiffersBetweenSeeds) {
  sync::RetryPolicy policy;
  sync::Backoff a(policy, 1), b(policy, 2);
  EXPECT_NE(a.Next(), b.Next());
}

TEST(Retry, RetriesOnlyUnavailableAndDeadlineExceeded) {
  sync::RetryPolicy policy;
  policy.max_attempts = 4;
  sync::Backoff backoff(policy, 1);
  std::vector<absl::Duration> waits;
  sync::Sleeper sleep = [&](absl::Duration d) { waits.push_back(d); };

  int calls = 0;
  absl::Status status = sync::RetryCall(policy, backoff, sleep, [&] {
    ++calls;
    return calls < 3 ? absl::UnavailableError("down") : absl::OkStatus();
  });
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(waits.size(), 2u);

  calls = 0;
  status = sync::RetryCall(policy, backoff, sleep, [&] {
    ++calls;
    return absl::DeadlineExceededError("slow");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(calls, 4);  // gives up after max_attempts

  for (absl::Status refusal :
       {absl::InvalidArgumentError("bad"), absl::PermissionDeniedError("no"),
        absl::UnauthenticatedError("who"),
        absl::ResourceExhaustedError("big")}) {
    calls = 0;
    status = sync::RetryCall(policy, backoff, sleep, [&] {
      ++calls;
      return refusal;
    });
    EXPECT_EQ(status, refusal);
    EXPECT_EQ(calls, 1) << refusal;  // never retried
  }
}

TEST(Retry, ABusyServersHintIsWaitedOutWithinItsOwnBudget) {
  sync::RetryPolicy policy;
  policy.max_attempts = 2;
  policy.max_busy_wait = absl::Seconds(10);
  policy.jitter = 0.2;
  sync::Backoff backoff(policy, 7);
  std::vector<absl::Duration> waits;
  sync::Sleeper sleep = [&](absl::Duration d) { waits.push_back(d); };
  const absl::Status busy = WithRetryAfter(absl::ResourceExhaustedError("busy"),
                                           absl::Milliseconds(300));

  // Three busy refusals, then the call goes through: each wait at least the
  // hint and at most 1.4 times it; none spent an attempt.
  int calls = 0;
  absl::Status status = sync::RetryCall(policy, backoff, sleep, [&] {
    ++calls;
    return calls <= 3 ? busy : absl::OkStatus();
  });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(calls, 4);
  ASSERT_EQ(waits.size(), 3u);
  for (absl::Duration wait : waits) {
    EXPECT_GE(wait, absl::Milliseconds(300));
    EXPECT_LE(wait, absl::Milliseconds(420));
  }

  // Busy for ever: the refusal comes back once the next wait would take
  // the total past the budget (here, without jitter: three waits of 300 ms
  // fit in 1,000, a fourth does not).
  policy.jitter = 0;
  policy.max_busy_wait = absl::Milliseconds(1000);
  sync::Backoff exact(policy, 7);
  waits.clear();
  calls = 0;
  status = sync::RetryCall(policy, exact, sleep, [&] {
    ++calls;
    return busy;
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(calls, 1 + 3);
  EXPECT_EQ(waits, std::vector<absl::Duration>(3, absl::Milliseconds(300)));
}

// --- Replicator against in-process handlers ---------------------------------

class ReplicatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server::SqliteServerStoreOptions options;
    options.path = ":memory:";
    auto store = server::OpenSqliteServerStore(options);
    ASSERT_OK(store);
    server_store_ = std::move(*store);
    handlers_ = std::make_unique<server::SyncHandlers>(
        server_store_.get(), &server_clock_, server::ServerLimits{}, 3);
    replicator_options_.sleep = [](absl::Duration) {};
    replicator_options_.seed = 9;
  }

  std::unique_ptr<DeviceStore> OpenDevice(const std::string& path,
                                          const std::string& principal,
                                          FakeClock* clock) {
    return testing::OpenStore(path, principal, clock);
  }

  testing::TempDir dir_;
  FakeClock server_clock_{testing::kStartMillis};
  std::unique_ptr<server::ServerStore> server_store_;
  std::unique_ptr<server::SyncHandlers> handlers_;
  sync::ReplicatorOptions replicator_options_;
};

TEST_F(ReplicatorTest, RefusedChangesStayMarkedAndListed) {
  // A user in the directory with no role on the student the device writes
  // about: every change is refused, and kept.
  server::Admin admin(server_store_.get(), &server_clock_, 5);
  auto user = admin.AddUser("Unassigned user", v1::ROLE_UNSPECIFIED);
  ASSERT_OK(user);
  const int64_t items_before = *server_store_->ItemCount();
  FakeClock clock(testing::kStartMillis);
  auto device = OpenDevice(dir_.File("a.db"), *user, &clock);
  testing::CreateOneOfEach(*device);
  const int64_t written = *device->PendingCount();
  testing::DirectTransport transport(handlers_.get(), *user,
                                     /*unrestricted=*/false);
  sync::Replicator replicator(device.get(), &transport, replicator_options_);
  auto report = replicator.SyncOnce();
  ASSERT_OK(report);
  EXPECT_EQ(report->rejected, written);
  EXPECT_EQ(report->accepted, 0);
  // The report names each refusal with its reason, as the outbox keeps it.
  ASSERT_EQ(static_cast<int64_t>(report->refusals.size()), written);
  EXPECT_EQ(*device->PendingCount(), 0);
  auto rejected = device->RejectedChanges();
  ASSERT_OK(rejected);
  ASSERT_EQ(static_cast<int64_t>(rejected->size()), written);
  for (size_t i = 0; i < rejected->size(); ++i) {
    EXPECT_EQ(report->refusals[i].record_id, (*rejected)[i].change.record_id());
    EXPECT_EQ(report->refusals[i].record_type,
              (*rejected)[i].change.record_type());
    EXPECT_EQ(report->refusals[i].reason, (*rejected)[i].reject_reason);
    EXPECT_EQ(report->refusals[i].message, (*rejected)[i].reject_message);
  }
  for (const auto& change : *rejected) {
    // The directory record (a User) needs an administrator; the rest need an
    // assignment to the student.
    EXPECT_TRUE(change.reject_reason == v1::NOT_ASSIGNED ||
                change.reject_reason == v1::ROLE_NOT_PERMITTED)
        << v1::Reason_Name(change.reject_reason);
  }
  EXPECT_TRUE(
      std::any_of(rejected->begin(), rejected->end(), [](const auto& change) {
        return change.reject_reason == v1::NOT_ASSIGNED &&
               change.reject_message ==
                   "the caller is not assigned to this student (or the "
                   "assignment has ended)";
      }));
  // Not pushed again: a second sync sends nothing.
  report = replicator.SyncOnce();
  ASSERT_OK(report);
  EXPECT_EQ(report->rejected, 0);
  EXPECT_EQ(*server_store_->ItemCount(), items_before);
}

// --- Receipts instead of echoes ---------------------------------------------

// The changes a pull from `device`'s cursors would bring `principal`, with
// the pull naming `replica_id` and `replica_seq` (empty: none).
int64_t ChangesAfterCursors(server::SyncHandlers& handlers,
                            const std::string& principal, DeviceStore& device,
                            const std::string& replica_id = "",
                            uint64_t replica_seq = 0) {
  v1::PullRequest request;
  auto cursors = device.Cursors();
  EXPECT_OK(cursors);
  if (!cursors.ok()) return -1;
  for (const auto& [bucket, cursor] : *cursors) {
    v1::BucketCursor* entry = request.add_cursors();
    entry->set_bucket(bucket);
    entry->set_cursor(cursor);
  }
  request.set_schema_version(kSchemaVersion);
  request.set_replica_id(replica_id);
  request.set_replica_seq(replica_seq);
  server::AuthContext auth;
  auth.principal_id = principal;
  auth.unrestricted = true;
  int64_t changes = 0;
  EXPECT_OK(handlers.Pull(auth, request, [&](const v1::PullPage& page) {
    changes += page.changes_size();
    return true;
  }));
  return changes;
}

// The items of the server's feed written under `replica_id`.
int64_t ItemsOfReplica(server::ServerStore& store,
                       const std::string& replica_id) {
  int64_t count = 0;
  auto buckets = store.Buckets();
  EXPECT_OK(buckets);
  if (!buckets.ok()) return -1;
  for (const std::string& bucket : *buckets) {
    std::vector<server::FeedItem> items;
    EXPECT_OK(store.ReadFeed(bucket, 0, 1000000, &items));
    for (const auto& item : items) {
      count += item.change.replica_id() == replica_id ? 1 : 0;
    }
  }
  return count;
}

// Devices A and B of two users, each with its replicator; A has recorded
// one record of each type (not yet synced).
class TwoDevicesTest : public ReplicatorTest {
 protected:
  void SetUp() override {
    ReplicatorTest::SetUp();
    a_ = testing::OpenStore(":memory:", "user-a", &clock_a_, /*seed=*/11);
    b_ = testing::OpenStore(":memory:", "user-b", &clock_b_, /*seed=*/12);
    ids_ = testing::CreateOneOfEach(*a_);
    to_a_ =
        std::make_unique<testing::DirectTransport>(handlers_.get(), "user-a");
    to_b_ =
        std::make_unique<testing::DirectTransport>(handlers_.get(), "user-b");
    sync_a_ = std::make_unique<sync::Replicator>(a_.get(), to_a_.get(),
                                                 replicator_options_);
    sync_b_ = std::make_unique<sync::Replicator>(b_.get(), to_b_.get(),
                                                 replicator_options_);
  }

  FakeClock clock_a_{testing::kStartMillis};
  FakeClock clock_b_{testing::kStartMillis};
  std::unique_ptr<DeviceStore> a_, b_;
  std::map<std::string, std::string> ids_;
  std::unique_ptr<testing::DirectTransport> to_a_, to_b_;
  std::unique_ptr<sync::Replicator> sync_a_, sync_b_;
};

TEST_F(TwoDevicesTest, IncrementalPullsLeaveOutTheDevicesOwnChanges) {
  // The buckets are new to A: their whole state comes back, A's own
  // changes included (the student's bucket at the second sync: the first
  // Hello, before the push, offered only the directory).
  auto report = sync_a_->SyncOnce();
  ASSERT_OK(report);
  auto second = sync_a_->SyncOnce();
  ASSERT_OK(second);
  const int64_t own_items = ItemsOfReplica(*server_store_, a_->replica_id());
  ASSERT_GT(own_items, 0);
  EXPECT_EQ(report->pulled_own + second->pulled_own, own_items);
  EXPECT_EQ(report->pulled + second->pulled, 0);

  // Later syncs leave A's own changes out, and move A's cursors past them:
  // from A's cursors, even a pull that names no replica finds nothing.
  std::mt19937_64 rng(4);
  ASSERT_OK(testing::RandomWrites(*a_, clock_a_, rng, ids_));
  ASSERT_OK(testing::RandomWrites(*a_, clock_a_, rng, ids_));
  const int64_t pending = *a_->PendingCount();
  report = sync_a_->SyncOnce();
  ASSERT_OK(report);
  EXPECT_EQ(report->accepted, pending);
  EXPECT_EQ(report->pulled_own, 0);
  EXPECT_EQ(report->pulled, 0);
  EXPECT_EQ(ChangesAfterCursors(*handlers_, "user-a", *a_), 0);

  // Another device gets all of them, and A gets the other device's.
  report = sync_b_->SyncOnce();
  ASSERT_OK(report);
  EXPECT_EQ(report->pulled, ItemsOfReplica(*server_store_, a_->replica_id()));
  ASSERT_OK(b_->ContentHash());
  EXPECT_EQ(*b_->ContentHash(), *a_->ContentHash());
  ASSERT_OK(testing::RandomWrites(*b_, clock_b_, rng, ids_));
  ASSERT_OK(sync_b_->SyncOnce());
  ASSERT_OK(testing::RandomWrites(*a_, clock_a_, rng, ids_));
  report = sync_a_->SyncOnce();
  ASSERT_OK(report);
  EXPECT_EQ(report->pulled_own, 0);
  EXPECT_GE(report->pulled, 1);  // B's writes (and any conflicts recorded)
  ASSERT_OK(sync_b_->SyncOnce());
  EXPECT_EQ(*b_->ContentHash(), *a_->ContentHash());

  // A resend of a bucket (cursor 0, as after an eviction or a restore)
  // brings A's own changes back too.
  const std::string bucket = StudentBucket(ids_.at("plansync.v1.Student"));
  ASSERT_OK(a_->Write(
      [&](WriteTransaction& txn) { return a_->SetCursor(txn, bucket, 0); }));
  report = sync_a_->SyncOnce();
  ASSERT_OK(report);
  EXPECT_GT(report->pulled_own, 0);
}

TEST_F(TwoDevicesTest, AFirstPullIndexesThePulledRowsOnceAtTheEnd) {
  ASSERT_OK(sync_a_->SyncOnce());
  ASSERT_OK(sync_a_->SyncOnce());  // A's student bucket, offered after a push
  const std::string path = dir_.File("first-pull.db");
  FakeClock clock{testing::kStartMillis};
  auto device = testing::OpenStore(path, "user-b", &clock, /*seed=*/13);
  const int64_t indexes = testing::SecondaryIndexesInFile(path);
  ASSERT_GT(indexes, 10);  // one per student key and per reference at least
  sync::Replicator replicator(device.get(), to_b_.get(), replicator_options_);

  // While the first pull applies its pages the file has none of them; after
  // it, every one, and the phases say so.
  std::vector<sync::SyncProgress::Phase> phases;
  std::vector<int64_t> indexes_while_pulling;
  auto observe = [&](const sync::SyncProgress& progress) {
    if (phases.empty() || phases.back() != progress.phase) {
      phases.push_back(progress.phase);
    }
    if (progress.phase == sync::SyncProgress::Phase::kPull &&
        progress.pulled > 0) {
      indexes_while_pulling.push_back(testing::SecondaryIndexesInFile(path));
    }
  };
  auto report = replicator.SyncOnce(observe);
  ASSERT_OK(report);
  EXPECT_GT(report->pulled, 0);
  ASSERT_FALSE(indexes_while_pulling.empty());
  for (int64_t n : indexes_while_pulling) EXPECT_EQ(n, 0);
  EXPECT_EQ(testing::SecondaryIndexesInFile(path), indexes);
  using Phase = sync::SyncProgress::Phase;
  EXPECT_EQ(phases, (std::vector<Phase>{Phase::kHello, Phase::kPull,
                                        Phase::kIndex, Phase::kDone}));
  // The rows are all there and found through the indexes built at the end.
  EXPECT_EQ(*device->ContentHash(), *a_->ContentHash());
  const std::string student = ids_.at("plansync.v1.Student");
  auto listed = device->ListByStudent<v1::Accommodation>(student);
  ASSERT_OK(listed);
  EXPECT_EQ(listed->size(),
            a_->ListByStudent<v1::Accommodation>(student)->size());
  EXPECT_EQ(*device->IntegrityCheck(), "ok");

  // A later pull leaves the indexes in place.
  std::mt19937_64 rng(5);
  ASSERT_OK(testing::RandomWrites(*a_, clock_a_, rng, ids_));
  ASSERT_OK(sync_a_->SyncOnce());
  phases.clear();
  indexes_while_pulling.clear();
  report = replicator.SyncOnce(observe);
  ASSERT_OK(report);
  EXPECT_GT(report->pulled, 0);
  ASSERT_FALSE(indexes_while_pulling.empty());
  for (int64_t n : indexes_while_pulling) EXPECT_EQ(n, indexes);
  EXPECT_EQ(std::count(phases.begin(), phases.end(), Phase::kIndex), 0);
}

TEST_F(ReplicatorTest, IndexesDroppedByAProcessThatDiedAreBuiltOnOpen) {
  const std::string path = dir_.File("died.db");
  FakeClock clock{testing::kStartMillis};
  auto device = testing::OpenStore(path, "user-b", &clock);
  const int64_t indexes = testing::SecondaryIndexesInFile(path);
  ASSERT_GT(indexes, 0);
  auto ids = testing::CreateOneOfEach(*device);
  ASSERT_OK(device->BeginBulkLoad());
  EXPECT_EQ(testing::SecondaryIndexesInFile(path), 0);
  // Reads are still right without them.
  auto listed =
      device->ListByStudent<v1::Accommodation>(ids.at("plansync.v1.Student"));
  ASSERT_OK(listed);
  EXPECT_EQ(listed->size(), 1u);
  device.reset();  // as if the process ended before EndBulkLoad
  device = testing::OpenStore(path, "user-b", &clock);
  ASSERT_NE(device, nullptr);
  EXPECT_EQ(testing::SecondaryIndexesInFile(path), indexes);
  EXPECT_EQ(*device->IntegrityCheck(), "ok");
}

TEST_F(TwoDevicesTest, APullNamingAnotherUsersReplicaLeavesNothingOut) {
  ASSERT_OK(sync_a_->SyncOnce());
  ASSERT_OK(sync_b_->SyncOnce());
  std::mt19937_64 rng(5);
  ASSERT_OK(testing::RandomWrites(*a_, clock_a_, rng, ids_));
  ASSERT_OK(sync_a_->SyncOnce());
  // B's cursors are behind A's new changes; B claims A's replica id.
  const int64_t honest = ChangesAfterCursors(*handlers_, "user-b", *b_);
  ASSERT_GT(honest, 0);
  EXPECT_EQ(ChangesAfterCursors(*handlers_, "user-b", *b_, a_->replica_id(),
                                a_->LastChangeSeq()),
            honest);
  // A's own claim does leave them out.
  EXPECT_EQ(ChangesAfterCursors(*handlers_, "user-a", *b_, a_->replica_id(),
                                a_->LastChangeSeq()),
            0);
}

TEST_F(ReplicatorTest, ReceiptsSayWhereEachAcceptedChangeStands) {
  FakeClock clock(testing::kStartMillis);
  auto device = OpenDevice(":memory:", "user-a", &clock);
  testing::CreateOneOfEach(*device);
  auto pending = device->PendingChanges(1000);
  ASSERT_OK(pending);
  v1::PushRequest push;
  for (const auto& entry : *pending) *push.add_changes() = entry.change;
  server::AuthContext auth;
  auth.principal_id = "user-a";
  auth.unrestricted = true;
  auto response = handlers_->Push(auth, push);
  ASSERT_OK(response);
  ASSERT_EQ(response->results_size(), push.changes_size());
  // Every receipt is the sequence number under which the server's feed
  // holds that change.
  std::map<std::pair<std::string, uint64_t>, int64_t> feed;  // change id
  auto buckets = server_store_->Buckets();
  ASSERT_OK(buckets);
  for (const std::string& bucket : *buckets) {
    std::vector<server::FeedItem> items;
    ASSERT_OK(server_store_->ReadFeed(bucket, 0, 1000000, &items));
    for (const auto& item : items) {
      feed[{item.change.replica_id(), item.change.replica_seq()}] = item.seq;
    }
  }
  for (int i = 0; i < push.changes_size(); ++i) {
    const v1::Change& change = push.changes(i);
    const v1::ChangeResult& result = response->results(i);
    ASSERT_EQ(result.status(), v1::ChangeResult::ACCEPTED) << result.message();
    const std::pair<std::string, uint64_t> id(change.replica_id(),
                                              change.replica_seq());
    EXPECT_EQ(result.bucket_seq(), feed[id]) << change.record_type();
    EXPECT_GT(result.bucket_seq(), 0);
  }
  // A write that loses to a newer one is accepted with no place in the feed.
  v1::PushRequest stale;
  v1::Change& old = *stale.add_changes();
  for (const auto& change : push.changes()) {
    if (change.has_field_write()) {
      old = change;
      break;
    }
  }
  ASSERT_TRUE(old.has_field_write());
  old.set_replica_seq(device->LastChangeSeq() + 1);
  old.set_hlc(old.hlc() - 1);
  response = handlers_->Push(auth, stale);
  ASSERT_OK(response);
  EXPECT_EQ(response->results(0).status(), v1::ChangeResult::ACCEPTED)
      << response->results(0).message();
  EXPECT_EQ(response->results(0).bucket_seq(), 0);
}

TEST_F(ReplicatorTest, TokenOfAnotherUserIsRefusedBeforeAnythingMoves) {
  server::Admin admin(server_store_.get(), &server_clock_, 5);
  auto owner = admin.AddUser("Device owner", v1::ROLE_UNSPECIFIED);
  auto other = admin.AddUser("Someone else", v1::ROLE_UNSPECIFIED);
  ASSERT_OK(owner);
  ASSERT_OK(other);
  const int64_t items_before = *server_store_->ItemCount();
  FakeClock clock(testing::kStartMillis);
  auto device = OpenDevice(dir_.File("a.db"), *owner, &clock);
  testing::CreateOneOfEach(*device);
  const int64_t written = *device->PendingCount();
  // The server knows the token as `other`.
  testing::DirectTransport transport(handlers_.get(), *other,
                                     /*unrestricted=*/false);
  sync::Replicator replicator(device.get(), &transport, replicator_options_);
  auto report = replicator.SyncOnce();
  EXPECT_EQ(report.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(report.status().message().find("belongs to user " + *owner),
            std::string::npos)
      << report.status();
  EXPECT_EQ(*device->PendingCount(), written);
  EXPECT_TRUE(device->RejectedChanges()->empty());
  EXPECT_EQ(*server_store_->ItemCount(), items_before);
}

TEST_F(ReplicatorTest, ChangesFromAFastClockAreRestampedOnceTheClockIsRight) {
  const std::string path = dir_.File("fast.db");
  {
    // Ten minutes fast when the entries are written.
    FakeClock fast(testing::kStartMillis + 10 * 60 * 1000);
    auto device = OpenDevice(path, "user-a", &fast);
    testing::CreateOneOfEach(*device);
    testing::DirectTransport transport(handlers_.get(), "user-a");
    sync::Replicator replicator(device.get(), &transport, replicator_options_);
    auto report = replicator.SyncOnce();
    ASSERT_OK(report);
    EXPECT_TRUE(report->clock_ahead);  // still fast after re-stamping
    EXPECT_EQ(report->accepted, 0);
    EXPECT_GT(*device->PendingCount(), 0);  // kept, not refused
    EXPECT_TRUE(device->RejectedChanges()->empty());
  }
  // The device's clock is set right; the app starts again.
  FakeClock right(testing::kStartMillis + 1000);
  auto device = OpenDevice(path, "user-a", &right);
  const int64_t pending = *device->PendingCount();
  testing::DirectTransport transport(handlers_.get(), "user-a");
  sync::Replicator replicator(device.get(), &transport, replicator_options_);
  auto report = replicator.SyncOnce();
  ASSERT_OK(report);
  EXPECT_EQ(report->restamped, pending);
  EXPECT_EQ(report->accepted, pending);
  EXPECT_FALSE(report->clock_ahead);
  EXPECT_EQ(*device->PendingCount(), 0);

  // Another device receives the same record, re-stamped entries included.
  FakeClock other_clock(testing::kStartMillis + 2000);
  auto other = OpenDevice(dir_.File("other.db"), "user-b", &other_clock);
  testing::DirectTransport other_transport(handlers_.get(), "user-b");
  sync::Replicator other_replicator(other.get(), &other_transport,
                                    replicator_options_);
  ASSERT_OK(other_replicator.SyncOnce());
  EXPECT_EQ(*other->ContentHash(), *device->ContentHash());
}

// Counts pushes and their sizes on the way through.
class CountingTransport final : public sync::SyncTransport {
 public:
  explicit CountingTransport(sync::SyncTransport* inner) : inner_(inner) {}
  absl::StatusOr<v1::HelloResponse> Hello(
      const v1::HelloRequest& request) override {
    return inner_->Hello(request);
  }
  absl::StatusOr<v1::PushResponse> Push(
      const v1::PushRequest& request) override {
    ++pushes;
    largest = std::max(largest, request.ByteSizeLong());
    return inner_->Push(request);
  }
  absl::Status Pull(
      const v1::PullRequest& request,
      absl::FunctionRef<absl::Status(const v1::PullPage&)> on_page) override {
    return inner_->Pull(request, on_page);
  }
  int pushes = 0;
  size_t largest = 0;

 private:
  sync::SyncTransport* const inner_;
};

TEST_F(ReplicatorTest, ARefusedWriteANewerOneReplacedIsRetiredNotRestamped) {
  // Two writes of one register, both refused as stamped too far ahead: the
  // older one, re-stamped, would beat the newer one on the server (and on
  // every device but this one, which holds the newer). It is retired.
  FakeClock clock(testing::kStartMillis);
  auto device = testing::OpenStore(":memory:", "user-a", &clock);
  const auto ids = testing::CreateOneOfEach(*device);
  const int64_t before = *device->PendingCount();
  for (const char* zone : {"US-MO", "US-CA"}) {
    v1::Plan plan;
    plan.set_id(ids.at("plansync.v1.Plan"));
    plan.set_jurisdiction(zone);
    clock.Advance(1000);
    ASSERT_OK(device->Write([&](WriteTransaction& txn) {
      return device->Update(txn, plan, {"jurisdiction"});
    }));
  }
  auto pending = device->PendingChanges(1000);
  ASSERT_OK(pending);
  ASSERT_EQ(static_cast<int64_t>(pending->size()), before + 2);
  const uint64_t older = (*pending)[before].seq;
  const uint64_t newer = (*pending)[before + 1].seq;
  const uint64_t newer_hlc = (*pending)[before + 1].change.hlc();
  absl::StatusOr<int64_t> restamped;
  ASSERT_OK(device->Write([&](WriteTransaction& txn) -> absl::Status {
    restamped = device->Restamp(txn, {older, newer});
    return restamped.status();
  }));
  EXPECT_EQ(*restamped, 1);
  pending = device->PendingChanges(1000);
  ASSERT_OK(pending);
  ASSERT_EQ(static_cast<int64_t>(pending->size()), before + 1);
  const v1::Change& kept = pending->back().change;
  EXPECT_EQ(pending->back().seq, newer);
  EXPECT_EQ(kept.field_write().value().string_value(), "US-CA");
  EXPECT_GT(kept.hlc(), newer_hlc);  // re-stamped
  v1::Plan shown;
  ASSERT_OK(device->Get(ids.at("plansync.v1.Plan"), &shown));
  EXPECT_EQ(shown.jurisdiction(), "US-CA");
}

TEST(PushBatches, StayWithinTheServersMessageLimit) {
  FakeClock clock(testing::kStartMillis);
  server::SqliteServerStoreOptions options;
  options.path = ":memory:";
  auto server_store = server::OpenSqliteServerStore(options);
  ASSERT_OK(server_store);
  server::ServerLimits limits;
  limits.max_message_bytes = 16 * 1024;
  server::SyncHandlers handlers(server_store->get(), &clock, limits, 3);
  auto device = testing::OpenStore(":memory:", "user-a", &clock, 1);
  auto ids = testing::CreateOneOfEach(*device);
  ASSERT_OK(device->Write([&](WriteTransaction& txn) -> absl::Status {
    for (int i = 0; i < 40; ++i) {
      v1::Comment comment;
      comment.set_student_id(ids["plansync.v1.Student"]);
      comment.set_about_record_id(ids["plansync.v1.Plan"]);
      comment.set_about_record_type("plansync.v1.Plan");
      comment.set_text(std::string(3000, 'c'));
      absl::Status status = device->Append(txn, comment).status();
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }));
  const int64_t pending = *device->PendingCount();
  testing::DirectTransport direct(&handlers, "user-a");
  CountingTransport counting(&direct);
  sync::ReplicatorOptions replicator_options;
  replicator_options.sleep = [](absl::Duration) {};
  sync::Replicator replicator(device.get(), &counting, replicator_options);
  auto report = replicator.SyncOnce();
  ASSERT_OK(report);
  EXPECT_EQ(report->accepted, pending);
  EXPECT_LE(counting.largest, limits.max_message_bytes / 2 + 4096);
  EXPECT_GE(counting.pushes, 40 * 3000 / (16 * 1024 / 2));
}

TEST_F(ReplicatorTest, NetworkFailuresAreRetriedAndTheSyncCompletes) {
  FakeClock clock(testing::kStartMillis);
  auto device = OpenDevice(dir_.File("a.db"), "user-a", &clock);
  testing::CreateOneOfEach(*device);
  testing::DirectTransport direct(handlers_.get(), "user-a");
  testing::FaultTransport faulty(&direct, testing::Faults{0.3, 0.3, 0, 0, 0.5},
                                 5);
  replicator_options_.retry.max_attempts = 50;
  sync::Replicator replicator(device.get(), &faulty, replicator_options_);
  auto report = replicator.SyncOnce();
  ASSERT_OK(report);
  EXPECT_EQ(*device->PendingCount(), 0);
  EXPECT_GT(*server_store_->ItemCount(), 0);
}

TEST_F(ReplicatorTest, PartitionedDeviceReportsUnavailableAndKeepsItsChanges) {
  FakeClock clock(testing::kStartMillis);
  auto device = OpenDevice(dir_.File("a.db"), "user-a", &clock);
  testing::CreateOneOfEach(*device);
  const int64_t pending = *device->PendingCount();
  testing::DirectTransport direct(handlers_.get(), "user-a");
  testing::FaultTransport faulty(&direct, testing::Faults{}, 5);
  faulty.set_partitioned(true);
  std::vector<absl::Duration> waits;
  replicator_options_.sleep = [&](absl::Duration d) { waits.push_back(d); };
  sync::Replicator replicator(device.get(), &faulty, replicator_options_);
  auto report = replicator.SyncOnce();
  EXPECT_EQ(report.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(static_cast<int>(waits.size()),
            replicator_options_.retry.max_attempts - 1);
  EXPECT_EQ(*device->PendingCount(), pending);
}

// --- Background mode over gRPC, woken by Watch -------------------------------

TEST(BackgroundSync, WriteOnOneDeviceReachesAnotherThroughWatch) {
  testing::TempDir dir;
  server::SqliteServerStoreOptions options;
  options.path = dir.File("server.db");
  auto store = server::OpenSqliteServerStore(options);
  ASSERT_OK(store);
  server::SyncHandlers handlers(store->get(), SystemClock::Get(),
                                server::ServerLimits{}, 11);
  server::DevAuthenticator authenticator;
  server::GrpcSyncService service(&handlers, &authenticator);
  grpc::ServerBuilder builder;
  builder.RegisterService(&service);
  auto grpc_server = builder.BuildAndStart();
  auto channel = grpc_server->InProcessChannel(grpc::ChannelArguments());

  auto a =
      testing::OpenStore(dir.File("a.db"), "user-a", SystemClock::Get(), 1);
  auto b =
      testing::OpenStore(dir.File("b.db"), "user-b", SystemClock::Get(), 2);
  sync::TransportOptions ta, tb;
  ta.principal_id = "user-a";
  tb.principal_id = "user-b";
  sync::GrpcTransport transport_a(channel, ta), transport_b(channel, tb);
  sync::ReplicatorOptions replicator_options;
  replicator_options.background_interval = absl::Hours(1);  // Watch only
  sync::Replicator ra(a.get(), &transport_a, replicator_options);
  sync::Replicator rb(b.get(), &transport_b, replicator_options);

  auto ids = testing::CreateOneOfEach(*a);
  ASSERT_OK(ra.SyncOnce());
  rb.Start(&transport_b);
  // B's first background sync bootstraps it.
  for (int i = 0; i < 500 && *b->ContentHash() != *a->ContentHash(); ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_EQ(*b->ContentHash(), *a->ContentHash());

  // A new entry on A, pushed; the server's Watch event brings it to B with
  // the change inline: no sync of B's needed. (An event that comes while B
  // is syncing is left to that sync, so a few tries may be needed.)
  auto arrives_inline = [&](const std::string& text) {
    const int64_t syncs = rb.background_syncs();
    const int64_t deltas = rb.deltas_applied();
    v1::Comment comment;
    comment.set_student_id(ids["plansync.v1.Student"]);
    comment.set_about_record_id(ids["plansync.v1.Plan"]);
    comment.set_about_record_type("plansync.v1.Plan");
    comment.set_text(text);
    std::string id;
    EXPECT_OK(a->Write([&](WriteTransaction& txn) -> absl::Status {
      auto made = a->Append(txn, comment);
      if (made.ok()) id = *made;
      return made.status();
    }));
    const absl::Time pushed = absl::Now();
    EXPECT_OK(ra.SyncOnce());
    bool arrived = false;
    while (!arrived && absl::Now() - pushed < absl::Seconds(5)) {
      arrived = b->Get<v1::Comment>(id).ok();
      if (!arrived) absl::SleepFor(absl::Milliseconds(1));
    }
    EXPECT_TRUE(arrived) << "the Watch event did not bring the change to B";
    EXPECT_LT(absl::Now() - pushed, absl::Seconds(1));
    return rb.deltas_applied() > deltas && rb.background_syncs() == syncs;
  };
  bool inline_arrival = false;
  for (int i = 0; i < 20 && !inline_arrival; ++i) {
    inline_arrival =
        arrives_inline(absl::StrCat("Reviewed with the family ", i));
  }
  EXPECT_TRUE(inline_arrival);
  EXPECT_EQ(*b->ContentHash(), *a->ContentHash());

  // B syncs on its own (its pull tells the server where its stream stands),
  // and A's next entries still arrive inline.
  ASSERT_OK(rb.SyncOnce());
  inline_arrival = false;
  for (int i = 0; i < 20 && !inline_arrival; ++i) {
    inline_arrival = arrives_inline(absl::StrCat("A's note ", i));
  }
  EXPECT_TRUE(inline_arrival);
  EXPECT_EQ(*b->ContentHash(), *a->ContentHash());
  rb.Stop();
  grpc_server->Shutdown();
}

}  // namespace
}  // namespace plansync

namespace plansync {
namespace {

// A change the server holds but this build cannot apply (a field from a
// newer schema) is held on the device, not dropped; the pull goes on.
TEST(HeldChanges, ChangeThisBuildCannotApplyIsHeldNotLost) {
  testing::TempDir dir;
  FakeClock clock(testing::kStartMillis);
  server::SqliteServerStoreOptions options;
  options.path = ":memory:";
  auto server_store = server::OpenSqliteServerStore(options);
  ASSERT_OK(server_store);
  server::SyncHandlers handlers(server_store->get(), &clock,
                                server::ServerLimits{}, 3);
  auto writer = testing::OpenStore(":memory:", "user-a", &clock, 1);
  auto ids = testing::CreateOneOfEach(*writer);
  testing::DirectTransport writer_transport(&handlers, "user-a");
  sync::ReplicatorOptions replicator_options;
  replicator_options.sleep = [](absl::Duration) {};
  sync::Replicator writer_replicator(writer.get(), &writer_transport,
                                     replicator_options);
  ASSERT_OK(writer_replicator.SyncOnce());

  // A newer writer's change, stored by the server as is: Plan field 99.
  v1::Change future;
  future.set_replica_id("newer-device");
  future.set_replica_seq(1);
  future.set_record_type("plansync.v1.Plan");
  future.set_record_id(ids["plansync.v1.Plan"]);
  future.set_bucket("student/" + ids["plansync.v1.Student"]);
  future.set_author_id("user-z");
  future.set_hlc(HlcPack(testing::kStartMillis, 9));
  future.mutable_field_write()->set_field_number(99);
  future.mutable_field_write()->mutable_value()->set_string_value("later");
  {
    auto txn = (*server_store)->Begin();
    ASSERT_OK(txn);
    ASSERT_OK((*txn)->PutItem(future, 99, future.SerializeAsString()));
    ASSERT_OK((*txn)->Commit());
  }

  auto reader = testing::OpenStore(dir.File("reader.db"), "user-b", &clock, 2);
  testing::DirectTransport reader_transport(&handlers, "user-b");
  sync::Replicator reader_replicator(reader.get(), &reader_transport,
                                     replicator_options);
  auto report = reader_replicator.SyncOnce();
  ASSERT_OK(report);
  EXPECT_EQ(report->held, 1);
  EXPECT_EQ(*reader->ContentHash(), *writer->ContentHash());
  auto held = reader->HeldChanges();
  ASSERT_OK(held);
  ASSERT_EQ(held->size(), 1u);
  EXPECT_EQ(held->front().reject_reason, v1::UNKNOWN_FIELD);
  // Held as sent, with its place in the feed the server added.
  v1::Change kept = held->front().change;
  EXPECT_GT(kept.feed_seq(), 0);
  kept.clear_feed_seq();
  EXPECT_EQ(kept.SerializeAsString(), future.SerializeAsString());
  // Still not understood on the next sync: still held, not duplicated.
  report = reader_replicator.SyncOnce();
  ASSERT_OK(report);
  EXPECT_EQ(report->unheld, 0);
  EXPECT_EQ(reader->HeldChanges()->size(), 1u);
}

TEST(HeldChanges, RetryAppliesWhatNowFits) {
  FakeClock clock(testing::kStartMillis);
  auto author = testing::OpenStore(":memory:", "user-a", &clock, 1);
  testing::CreateOneOfEach(*author);
  auto pending = author->PendingChanges(1000);
  ASSERT_OK(pending);
  auto device = testing::OpenStore(":memory:", "user-b", &clock, 2);
  // Held (as if refused before), then retried: every change applies.
  ASSERT_OK(device->Write([&](WriteTransaction& txn) -> absl::Status {
    for (const OutboxEntry& entry : *pending) {
      absl::Status status = device->Hold(
          txn, entry.change, ReasonError(v1::UNKNOWN_FIELD, "not yet"));
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }));
  int64_t applied = 0;
  ASSERT_OK(device->Write([&](WriteTransaction& txn) -> absl::Status {
    auto count = device->RetryHeld(txn);
    if (count.ok()) applied = *count;
    return count.status();
  }));
  EXPECT_EQ(applied, static_cast<int64_t>(pending->size()));
  EXPECT_TRUE(device->HeldChanges()->empty());
  EXPECT_EQ(*device->ContentHash(), *author->ContentHash());
}

}  // namespace
}  // namespace plansync
