// What the PostgreSQL server store adds to the ServerStore contract (which
// server_store_test.cc runs on every backend): concurrent writers, each
// bucket numbered on its own so a pull by cursor never skips an item that
// committed late, head-row locks that order writers of a bucket, the
// history of every accepted item, and a schema shared by many processes.
// Against a real PostgreSQL (tests/pg_test_util.h).
#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/pg/connection.h"
#include "server/postgres_server_store.h"
#include "server/sync_handlers.h"
#include "tests/pg_test_util.h"
#include "tests/sync_test_util.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

using server::FeedItem;
using server::ServerStore;

v1::Change Entry(const std::string& bucket, const std::string& record,
                 uint64_t hlc) {
  v1::Change change;
  change.set_replica_id("replica-a");
  change.set_replica_seq(hlc);
  change.set_author_id("user-a");
  change.set_record_type("plansync.v1.Comment");
  change.set_record_id(record);
  change.set_bucket(bucket);
  change.set_hlc(hlc);
  change.set_log_entry(absl::StrCat("entry ", record));
  return change;
}

v1::Change Register(const std::string& bucket, const std::string& record,
                    int field, uint64_t hlc) {
  v1::Change change = Entry(bucket, record, hlc);
  change.set_record_type("plansync.v1.Plan");
  change.clear_log_entry();
  change.mutable_field_write()->set_field_number(field);
  change.mutable_field_write()->mutable_value()->set_string_value(
      absl::StrCat("value at ", hlc));
  return change;
}

std::unique_ptr<ServerStore> Open(const std::string& uri, int pool = 8) {
  server::PostgresServerStoreOptions options;
  options.conninfo = uri;
  options.pool_size = pool;
  auto store = server::OpenPostgresServerStore(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

int64_t Count(const std::string& uri, const std::string& sql) {
  auto conn = server::pg::Connection::Open(uri);
  EXPECT_TRUE(conn.ok()) << conn.status();
  auto result = (*conn)->Query(sql, server::pg::Params());
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? result->Int(0, 0) : -1;
}

// Six writers commit small transactions into one bucket at once while a
// reader pulls it by cursor, as a device does. Every item the writers
// committed reaches the reader, in feed order, and the bucket's numbers are
// 1..N without a gap: a transaction that took its number early and
// committed late cannot be passed by a cursor.
TEST(PostgresServerStore, ConcurrentWritersNeverLetAPullSkip) {
  PLANSYNC_PG_DATABASE(uri);
  std::unique_ptr<ServerStore> store = Open(uri, 8);
  ASSERT_NE(store, nullptr);
  constexpr int kWriters = 6;
  constexpr int kTransactions = 40;
  std::atomic<int> writing{kWriters};
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int t = 0; t < kTransactions; ++t) {
        auto txn = store->Begin();
        if (!txn.ok()) {
          ++failures;
          continue;
        }
        absl::Status status = (*txn)->LockBuckets({"student/a"});
        // One to three entries a transaction.
        for (int i = 0; status.ok() && i <= (w + t) % 3; ++i) {
          const v1::Change change =
              Entry("student/a", absl::StrCat("w", w, "-t", t, "-", i), 1 + t);
          status =
              (*txn)->PutItem(change, 0, change.SerializeAsString()).status();
        }
        if (status.ok()) status = (*txn)->Commit();
        if (!status.ok()) ++failures;
      }
      --writing;
    });
  }
  std::vector<FeedItem> pulled;
  int64_t cursor = 0;
  auto pull = [&] {
    std::vector<FeedItem> page;
    ASSERT_OK(store->ReadFeed("student/a", cursor, 25, &page));
    for (FeedItem& item : page) {
      cursor = item.seq;
      pulled.push_back(std::move(item));
    }
  };
  while (writing.load() > 0) pull();
  for (std::thread& writer : writers) writer.join();
  pull();
  pull();
  EXPECT_EQ(failures.load(), 0);

  std::vector<FeedItem> feed;
  ASSERT_OK(store->ReadFeed("student/a", 0, 100000, &feed));
  int expected = 0;
  for (int w = 0; w < kWriters; ++w) {
    for (int t = 0; t < kTransactions; ++t) expected += 1 + (w + t) % 3;
  }
  ASSERT_EQ(static_cast<int>(feed.size()), expected);
  ASSERT_EQ(pulled.size(), feed.size()) << "the pull skipped items";
  std::set<std::string> ids;
  for (size_t i = 0; i < feed.size(); ++i) {
    EXPECT_EQ(feed[i].seq, static_cast<int64_t>(i + 1)) << "a gap";
    EXPECT_EQ(pulled[i].seq, feed[i].seq);
    EXPECT_EQ(pulled[i].change.record_id(), feed[i].change.record_id());
    ids.insert(feed[i].change.record_id());
  }
  EXPECT_EQ(static_cast<int>(ids.size()), expected);
  EXPECT_EQ(*store->Head("student/a"), expected);
  EXPECT_EQ(*store->IntegrityCheck(), "ok");
}

// A writer that locks a bucket waits for the one holding it, then reads
// what that one committed: merges never decide on a stale winner.
TEST(PostgresServerStore, LockedBucketMakesTheNextWriterWaitAndSeeTheFirst) {
  PLANSYNC_PG_DATABASE(uri);
  std::unique_ptr<ServerStore> store = Open(uri, 4);
  ASSERT_NE(store, nullptr);
  auto first = store->Begin();
  ASSERT_OK(first);
  ASSERT_OK((*first)->LockBuckets({"student/a", "student/b"}));
  std::atomic<bool> second_locked{false};
  std::optional<server::StoredItem> seen;
  std::thread second([&] {
    auto txn = store->Begin();
    ASSERT_OK(txn);
    ASSERT_OK((*txn)->LockBuckets({"student/b"}));
    second_locked = true;
    auto item = (*txn)->GetItem("plansync.v1.Plan", "plan", 5);
    ASSERT_OK(item);
    seen = *item;
    const v1::Change change = Register("student/b", "plan", 5, 2);
    auto seq = (*txn)->PutItem(change, 5, change.SerializeAsString());
    ASSERT_OK(seq);
    EXPECT_EQ(*seq, 2);  // after the first transaction's item
    ASSERT_OK((*txn)->Commit());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(second_locked.load()) << "the second writer did not wait";
  const v1::Change change = Register("student/b", "plan", 5, 1);
  ASSERT_OK((*first)->PutItem(change, 5, change.SerializeAsString()));
  ASSERT_OK((*first)->Commit());
  second.join();
  ASSERT_TRUE(seen.has_value()) << "the second writer read a stale winner";
  EXPECT_EQ(seen->hlc, 1u);
  // student/a was locked and written nothing: no head row is left of it.
  EXPECT_EQ(*store->Buckets(), (std::vector<std::string>{"student/b"}));
  EXPECT_EQ(Count(uri, "SELECT count(*) FROM buckets"), 1);
}

// Every accepted item is in the history, the replaced register writes too,
// with the server's acceptance time; the feed keeps the winners only.
TEST(PostgresServerStore, HistoryKeepsEveryAcceptedItem) {
  PLANSYNC_PG_DATABASE(uri);
  std::unique_ptr<ServerStore> store = Open(uri);
  ASSERT_NE(store, nullptr);
  for (uint64_t hlc = 1; hlc <= 3; ++hlc) {
    auto txn = store->Begin();
    ASSERT_OK(txn);
    const v1::Change change = Register("student/a", "plan", 5, hlc);
    ASSERT_OK((*txn)->PutItem(change, 5, change.SerializeAsString()));
    ASSERT_OK((*txn)->Commit());
  }
  std::vector<FeedItem> feed;
  ASSERT_OK(store->ReadFeed("student/a", 0, 100, &feed));
  ASSERT_EQ(feed.size(), 1u);
  EXPECT_EQ(feed[0].seq, 3);
  EXPECT_EQ(Count(uri,
                  "SELECT count(*) FROM history WHERE bucket = "
                  "'student/a'"),
            3);
  EXPECT_EQ(Count(uri,
                  "SELECT count(*) FROM history WHERE accepted_ms > "
                  "1700000000000"),
            3);
  // A rolled-back transaction leaves no history.
  {
    auto txn = store->Begin();
    ASSERT_OK(txn);
    const v1::Change change = Register("student/a", "plan", 5, 9);
    ASSERT_OK((*txn)->PutItem(change, 5, change.SerializeAsString()));
  }
  EXPECT_EQ(Count(uri, "SELECT count(*) FROM history"), 3);
}

// Ids as the merger sees them (Prefetch reads ahead only for well-formed
// ones).
constexpr char kEntryId[] = "0190a1b2-c3d4-7e5f-8a6b-0c1d2e3f4a5b";
constexpr char kPlanId[] = "0190a1b2-c3d4-7e5f-8a6b-0c1d2e3f4a5c";
constexpr char kReplicaId[] = "0190a1b2-c3d4-7e5f-8a6b-0c1d2e3f4a5d";

v1::Change OfDevice(v1::Change change) {
  change.set_replica_id(kReplicaId);
  return change;
}

// A batch read ahead by Prefetch: its writes are held, reads of them are
// answered from what is held (a second write of a register sees the first;
// a second insert of an entry finds its home), and the commit stores the
// last write of each item with a history row for every write.
TEST(PostgresServerStore, PrefetchedBatchReadsItsOwnWritesAndStoresThemAll) {
  PLANSYNC_PG_DATABASE(uri);
  std::unique_ptr<ServerStore> store = Open(uri);
  ASSERT_NE(store, nullptr);
  const std::string bucket = "student/p";
  google::protobuf::RepeatedPtrField<v1::Change> batch;
  *batch.Add() = OfDevice(Entry(bucket, kEntryId, 1));
  *batch.Add() = OfDevice(Register(bucket, kPlanId, 5, 2));
  *batch.Add() = OfDevice(Register(bucket, kPlanId, 5, 3));
  auto txn = store->Begin();
  ASSERT_OK(txn);
  ASSERT_OK((*txn)->LockBuckets({bucket}));
  ASSERT_OK((*txn)->Prefetch(batch));
  auto none = (*txn)->GetItem("plansync.v1.Plan", kPlanId, 5);
  ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());

  auto entry = (*txn)->InsertItem(batch[0], 0, batch[0].SerializeAsString());
  ASSERT_OK(entry);
  EXPECT_EQ(*entry, std::optional<int64_t>(1));
  auto again = (*txn)->InsertItem(batch[0], 0, batch[0].SerializeAsString());
  ASSERT_OK(again);
  EXPECT_FALSE(again->has_value());  // its home is claimed
  auto home = (*txn)->GetRecordHome(kEntryId);
  ASSERT_OK(home);
  ASSERT_TRUE(home->has_value());
  EXPECT_EQ((*home)->record_type, "plansync.v1.Comment");
  EXPECT_EQ((*home)->bucket, bucket);

  ASSERT_OK((*txn)->PutItem(batch[1], 5, batch[1].SerializeAsString()));
  auto first = (*txn)->GetItem("plansync.v1.Plan", kPlanId, 5);
  ASSERT_OK(first);
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->seq, 2);
  EXPECT_EQ((*first)->hlc, 2u);
  EXPECT_EQ((*first)->change.field_write().value().string_value(),
            "value at 2");
  auto put = (*txn)->PutItem(batch[2], 5, batch[2].SerializeAsString());
  ASSERT_OK(put);
  EXPECT_EQ(*put, 3);
  // A write to the same record under another type is refused.
  v1::Change other = batch[2];
  other.set_record_type("plansync.v1.Student");
  EXPECT_EQ(
      (*txn)->PutItem(other, 5, other.SerializeAsString()).status().code(),
      absl::StatusCode::kFailedPrecondition);
  ASSERT_OK((*txn)->Commit());

  std::vector<FeedItem> feed;
  ASSERT_OK(store->ReadFeed(bucket, 0, 100, &feed));
  ASSERT_EQ(feed.size(), 2u);
  EXPECT_EQ(feed[0].seq, 1);
  EXPECT_EQ(feed[0].change.record_id(), kEntryId);
  EXPECT_EQ(feed[1].seq, 3);
  EXPECT_EQ(feed[1].change.hlc(), 3u);
  EXPECT_EQ(Count(uri,
                  "SELECT count(*) FROM history WHERE bucket = "
                  "'student/p'"),
            3);
  EXPECT_EQ(Count(uri, "SELECT count(*) FROM records"), 2);
  EXPECT_EQ(Count(uri, "SELECT head FROM buckets WHERE bucket = 'student/p'"),
            3);
}

// Prefetch found no home for a record id; before the batch's held writes
// reach the store, a transaction of another bucket claims the id and
// commits. The held batch's commit is ABORTED (the merger runs it again and
// then sees the home), and nothing of it is stored.
TEST(PostgresServerStore, AnIdClaimedAfterPrefetchAbortsTheHeldBatch) {
  PLANSYNC_PG_DATABASE(uri);
  std::unique_ptr<ServerStore> store = Open(uri);
  ASSERT_NE(store, nullptr);
  google::protobuf::RepeatedPtrField<v1::Change> batch;
  *batch.Add() = OfDevice(Entry("student/a", kEntryId, 1));
  auto held = store->Begin();
  ASSERT_OK(held);
  ASSERT_OK((*held)->LockBuckets({"student/a"}));
  ASSERT_OK((*held)->Prefetch(batch));
  {
    auto other = store->Begin();
    ASSERT_OK(other);
    const v1::Change elsewhere = OfDevice(Entry("student/b", kEntryId, 2));
    auto seq =
        (*other)->InsertItem(elsewhere, 0, elsewhere.SerializeAsString());
    ASSERT_OK(seq);
    EXPECT_EQ(*seq, std::optional<int64_t>(1));
    ASSERT_OK((*other)->Commit());
  }
  auto seq = (*held)->InsertItem(batch[0], 0, batch[0].SerializeAsString());
  ASSERT_OK(seq);  // held: the claim is checked when it is written
  EXPECT_EQ((*held)->Commit().code(), absl::StatusCode::kAborted);

  std::vector<FeedItem> feed;
  ASSERT_OK(store->ReadFeed("student/a", 0, 100, &feed));
  EXPECT_TRUE(feed.empty());
  EXPECT_EQ(Count(uri, "SELECT count(*) FROM history"), 1);
  EXPECT_EQ(Count(uri,
                  "SELECT count(*) FROM items WHERE bucket = "
                  "'student/b'"),
            1);
  EXPECT_EQ(Count(uri,
                  "SELECT count(*) FROM buckets WHERE bucket = "
                  "'student/a' AND head > 0"),
            0);
}

// Bytes PostgreSQL would refuse as text (not UTF-8, or a NUL) in the fields
// a push names before its changes are checked: each such change is refused
// with its reason, the rest of the push is applied, and nothing of the
// refused ones is stored.
TEST(PostgresServerStore, HostileBytesInAPushAreRefusedChangeByChange) {
  PLANSYNC_PG_DATABASE(uri);
  std::unique_ptr<ServerStore> store = Open(uri);
  ASSERT_NE(store, nullptr);
  FakeClock clock{testing::kStartMillis};
  server::SyncHandlers handlers(store.get(), &clock, server::ServerLimits{}, 5);
  auto device = testing::OpenStore(":memory:", "user-a", &clock);
  const auto ids = testing::CreateOneOfEach(*device);
  auto pending = device->PendingChanges(1000);
  ASSERT_OK(pending);
  ASSERT_FALSE(pending->empty());

  v1::PushRequest request;
  for (const OutboxEntry& entry : *pending)
    *request.add_changes() = entry.change;
  const int good = request.changes_size();
  const v1::Change& model = pending->back().change;
  struct Hostile {
    const char* what;
    std::function<void(v1::Change&)> spoil;
    v1::Reason reason;
  };
  const std::string nul("student/\0x", 10);
  const Hostile hostile[] = {
      {"replica id not UTF-8",
       [](v1::Change& c) { c.set_replica_id("\xff\xfe"); }, v1::INVALID_UTF8},
      {"bucket not UTF-8", [](v1::Change& c) { c.set_bucket("student/\xc3"); },
       v1::INVALID_UTF8},
      {"bucket with a NUL", [&](v1::Change& c) { c.set_bucket(nul); },
       v1::MALFORMED_CHANGE},
      {"replica id with a NUL",
       [](v1::Change& c) { c.set_replica_id(std::string("a\0b", 3)); },
       v1::MALFORMED_CHANGE},
  };
  for (const Hostile& h : hostile) {
    v1::Change change = model;
    change.set_replica_seq(change.replica_seq() + 100);
    h.spoil(change);
    *request.add_changes() = change;
  }
  testing::DirectTransport transport(&handlers, "user-a");
  auto response = transport.Push(request);
  ASSERT_OK(response);
  ASSERT_EQ(response->results_size(), request.changes_size());
  for (int i = 0; i < good; ++i) {
    EXPECT_EQ(response->results(i).status(), v1::ChangeResult::ACCEPTED) << i;
  }
  for (size_t i = 0; i < std::size(hostile); ++i) {
    const v1::ChangeResult& result =
        response->results(good + static_cast<int>(i));
    EXPECT_EQ(result.status(), v1::ChangeResult::REJECTED) << hostile[i].what;
    EXPECT_EQ(result.reason(), hostile[i].reason) << hostile[i].what;
  }
  EXPECT_EQ(Count(uri, "SELECT count(*) FROM history"), good);
  EXPECT_EQ(Count(uri, "SELECT count(*) FROM buckets WHERE head = 0"), 0);

  // The same push again (its answer lost): every change a duplicate, found
  // by the batch's one read of its applied change ids; nothing stored twice.
  response = transport.Push(request);
  ASSERT_OK(response);
  for (int i = 0; i < good; ++i) {
    EXPECT_EQ(response->results(i).status(), v1::ChangeResult::DUPLICATE) << i;
  }
  EXPECT_EQ(Count(uri, "SELECT count(*) FROM history"), good);
}

// Processes open the same database at once: one creates the schema, the
// others find it; what one writes (grants included) the next read of any
// other sees.
TEST(PostgresServerStore, ProcessesShareOneSchemaAndSeeEachOthersWrites) {
  PLANSYNC_PG_DATABASE(uri);
  std::vector<std::unique_ptr<ServerStore>> stores(3);
  std::vector<std::thread> openers;
  for (int i = 0; i < 3; ++i) {
    openers.emplace_back([&, i] { stores[i] = Open(uri, 2); });
  }
  for (std::thread& opener : openers) opener.join();
  for (const auto& store : stores) ASSERT_NE(store, nullptr);
  const int64_t version = *stores[1]->GrantsVersion();
  {
    auto txn = stores[0]->Begin();
    ASSERT_OK(txn);
    server::Grant grant;
    grant.id = "g1";
    grant.user_id = "u1";
    grant.student_id = "s1";
    grant.role = v1::TEACHER;
    ASSERT_OK((*txn)->PutGrant(grant));
    const v1::Change change = Entry("student/s1", "c1", 1);
    ASSERT_OK((*txn)->PutItem(change, 0, change.SerializeAsString()));
    ASSERT_OK((*txn)->Commit());
  }
  EXPECT_EQ(*stores[1]->GrantsVersion(), version + 1);
  ASSERT_EQ(stores[2]->GrantsOf("u1")->size(), 1u);
  EXPECT_EQ(*stores[2]->Head("student/s1"), 1);
  server::TokenRecord token{"t1", std::string(64, 'a'), "u1", "phone", 5, 0};
  ASSERT_OK(stores[2]->AddToken(token));
  ASSERT_OK(stores[0]->RevokeToken("t1", 9));
  EXPECT_EQ((*stores[1]->FindToken(token.digest))->revoked_ms, 9);
  EXPECT_EQ(stores[1]->RevokeToken("t1", 10).code(),
            absl::StatusCode::kNotFound);
}

TEST(PostgresServerStore, NewerSchemaAndUnreachableServerAreRefused) {
  PLANSYNC_PG_DATABASE(uri);
  ASSERT_NE(Open(uri), nullptr);
  auto conn = server::pg::Connection::Open(uri);
  ASSERT_OK(conn);
  ASSERT_OK((*conn)->Exec(
      "UPDATE plansync_meta SET value = 9 WHERE key = 'schema_version'"));
  server::PostgresServerStoreOptions options;
  options.conninfo = uri;
  auto newer = server::OpenPostgresServerStore(options);
  EXPECT_EQ(newer.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(newer.status().message().find("newer plansync server"),
            std::string::npos);

  options.conninfo = "postgresql://postgres@127.0.0.1:1/none";
  auto unreachable = server::OpenPostgresServerStore(options);
  EXPECT_EQ(unreachable.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(unreachable.status().message().find("cannot connect to "
                                                "PostgreSQL"),
            std::string::npos)
      << unreachable.status();
  // A password on the command line is refused before any connection.
  options.conninfo = "postgresql://postgres:secret@127.0.0.1:1/none";
  auto with_password = server::OpenPostgresServerStore(options);
  EXPECT_EQ(with_password.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(with_password.status().message().find("PGPASSWORD"),
            std::string::npos);
  EXPECT_EQ(with_password.status().message().find("secret"), std::string::npos);
  options.conninfo = "postgresql://127.0.0.1:1/none?password=secret";
  EXPECT_EQ(server::OpenPostgresServerStore(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.conninfo = "postgresql://[bad";
  EXPECT_EQ(server::OpenPostgresServerStore(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.pool_size = 0;
  options.conninfo = uri;
  EXPECT_EQ(server::OpenPostgresServerStore(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace plansync
