// The ServerStore contract, run against every backend (TEST_P): the SQLite
// store on a file and in memory, and the PostgreSQL store on a real server
// (tests/pg_test_util.h).
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/postgres_server_store.h"
#include "server/sqlite_server_store.h"
#include "tests/pg_test_util.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

using server::FeedItem;
using server::ServerStore;

v1::Change MakeChange(const std::string& bucket, const std::string& record,
                      int field, uint64_t hlc) {
  v1::Change change;
  change.set_replica_id("replica-a");
  change.set_replica_seq(hlc);
  change.set_author_id("user-a");
  change.set_record_type(field == 0 ? "plansync.v1.Comment"
                                    : "plansync.v1.Plan");
  change.set_record_id(record);
  change.set_bucket(bucket);
  change.set_hlc(hlc);
  if (field != 0) {
    change.mutable_field_write()->set_field_number(field);
    change.mutable_field_write()->mutable_value()->set_string_value(
        absl::StrCat("value at ", hlc));
  } else {
    change.set_log_entry(absl::StrCat("entry ", hlc));
  }
  return change;
}

absl::Status Put(ServerStore& store, const std::vector<v1::Change>& changes) {
  auto txn = store.Begin();
  if (!txn.ok()) return txn.status();
  for (const v1::Change& change : changes) {
    const int field =
        change.has_field_write()
            ? static_cast<int>(change.field_write().field_number())
            : 0;
    auto seq = (*txn)->PutItem(change, field, change.SerializeAsString());
    if (!seq.ok()) return seq.status();
  }
  return (*txn)->Commit();
}

std::vector<FeedItem> Feed(ServerStore& store, const std::string& bucket,
                           int64_t after = 0) {
  std::vector<FeedItem> items;
  EXPECT_OK(store.ReadFeed(bucket, after, 1000, &items));
  return items;
}

class ServerStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgresql") {
      PLANSYNC_PG_DATABASE(uri);
      server::PostgresServerStoreOptions options;
      options.conninfo = uri;
      options.pool_size = 4;
      auto store = server::OpenPostgresServerStore(options);
      ASSERT_OK(store);
      store_ = std::move(*store);
      return;
    }
    server::SqliteServerStoreOptions options;
    options.path = GetParam() == "memory" ? ":memory:" : dir_.File("server.db");
    auto store = server::OpenSqliteServerStore(options);
    ASSERT_OK(store);
    store_ = std::move(*store);
  }
  testing::TempDir dir_;
  std::unique_ptr<ServerStore> store_;
};

TEST_P(ServerStoreTest, FeedIsOrderedBySequencePerBucket) {
  ASSERT_OK(Put(*store_, {MakeChange("student/a", "r1", 0, 1),
                          MakeChange("student/b", "r2", 0, 2),
                          MakeChange("student/a", "r3", 0, 3)}));
  auto a = Feed(*store_, "student/a");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].change.record_id(), "r1");
  EXPECT_EQ(a[1].change.record_id(), "r3");
  EXPECT_LT(a[0].seq, a[1].seq);
  EXPECT_EQ(Feed(*store_, "student/a", a[0].seq).size(), 1u);
  EXPECT_EQ(*store_->Head("student/a"), a[1].seq);
  EXPECT_EQ(*store_->Head("student/none"), 0);
  EXPECT_EQ(*store_->Buckets(),
            (std::vector<std::string>{"student/a", "student/b"}));
}

TEST_P(ServerStoreTest, ReplacedRegisterMovesToTheEndOfTheFeed) {
  ASSERT_OK(Put(*store_, {MakeChange("student/a", "plan", 5, 1),
                          MakeChange("student/a", "note", 0, 2)}));
  ASSERT_OK(Put(*store_, {MakeChange("student/a", "plan", 5, 3)}));
  auto feed = Feed(*store_, "student/a");
  ASSERT_EQ(feed.size(), 2u);  // current state, not history
  EXPECT_EQ(feed[0].change.record_id(), "note");
  EXPECT_EQ(feed[1].change.record_id(), "plan");
  EXPECT_EQ(feed[1].change.hlc(), 3u);
  EXPECT_EQ(*store_->ItemCount(), 2);
}

TEST_P(ServerStoreTest, UncommittedTransactionLeavesNothing) {
  {
    auto txn = store_->Begin();
    ASSERT_OK(txn);
    const v1::Change change = MakeChange("student/a", "r1", 0, 1);
    ASSERT_OK((*txn)->PutItem(change, 0, change.SerializeAsString()));
    ASSERT_OK((*txn)->RecordApplied("replica-a", 1, 42));
  }  // destroyed without Commit
  EXPECT_EQ(*store_->ItemCount(), 0);
  EXPECT_TRUE(store_->Buckets()->empty());
  auto txn = store_->Begin();
  ASSERT_OK(txn);
  EXPECT_FALSE((*(*txn)->AppliedDigest("replica-a", 1)).has_value());
  // The rolled-back transaction's sequence numbers are used again.
  const v1::Change change = MakeChange("student/a", "r2", 0, 2);
  auto seq = (*txn)->PutItem(change, 0, change.SerializeAsString());
  ASSERT_OK(seq);
  EXPECT_EQ(*seq, 1);
  ASSERT_OK((*txn)->Commit());
}

// The store itself, not only the merger's checks, keeps a record id in one
// bucket and one type: an item elsewhere is refused and nothing is written.
TEST_P(ServerStoreTest, RecordIdLivesInOneBucketByConstraint) {
  ASSERT_OK(Put(*store_, {MakeChange("student/a", "plan", 5, 1)}));
  const std::vector<FeedItem> before = Feed(*store_, "student/a");
  absl::Status moved = Put(*store_, {MakeChange("student/b", "plan", 6, 2)});
  EXPECT_EQ(moved.code(), absl::StatusCode::kFailedPrecondition) << moved;
  v1::Change retyped = MakeChange("student/a", "plan", 0, 3);  // a Comment
  absl::Status other_type = Put(*store_, {retyped});
  EXPECT_EQ(other_type.code(), absl::StatusCode::kFailedPrecondition)
      << other_type;
  EXPECT_TRUE(Feed(*store_, "student/b").empty());
  EXPECT_EQ(Feed(*store_, "student/a").size(), before.size());
  EXPECT_EQ(*store_->ItemCount(), 1);
  // The record's other fields still go to its own bucket.
  EXPECT_OK(Put(*store_, {MakeChange("student/a", "plan", 6, 4)}));
}

TEST_P(ServerStoreTest, ReplicaIdIsBoundOnceByConstraint) {
  auto txn = store_->Begin();
  ASSERT_OK(txn);
  EXPECT_FALSE((*(*txn)->ReplicaOwner("replica-a")).has_value());
  ASSERT_OK((*txn)->BindReplica("replica-a", "user-1"));
  EXPECT_EQ((*txn)->BindReplica("replica-a", "user-2").code(),
            absl::StatusCode::kAlreadyExists);
  ASSERT_OK((*txn)->Commit());
  auto read = store_->Begin();
  ASSERT_OK(read);
  EXPECT_EQ(*(*(*read)->ReplicaOwner("replica-a")), "user-1");
}

TEST_P(ServerStoreTest, AppliedChangeIdsAndRecordBuckets) {
  auto txn = store_->Begin();
  ASSERT_OK(txn);
  ASSERT_OK((*txn)->RecordApplied("replica-a", 7, 1234));
  const v1::Change change = MakeChange("student/a", "plan", 5, 1);
  ASSERT_OK((*txn)->PutItem(change, 5, change.SerializeAsString()));
  EXPECT_EQ(*(*(*txn)->AppliedDigest("replica-a", 7)), 1234u);
  EXPECT_FALSE((*(*txn)->AppliedDigest("replica-a", 8)).has_value());
  auto home = (*txn)->GetRecordHome("plan");
  ASSERT_OK(home);
  ASSERT_TRUE(home->has_value());
  EXPECT_EQ((*home)->record_type, "plansync.v1.Plan");
  EXPECT_EQ((*home)->bucket, "student/a");
  EXPECT_FALSE((*(*txn)->GetRecordHome("nothing")).has_value());
  auto item = (*txn)->GetItem("plansync.v1.Plan", "plan", 5);
  ASSERT_OK(item);
  ASSERT_TRUE(item->has_value());
  EXPECT_EQ((*item)->hlc, 1u);
  EXPECT_EQ((*item)->replica_id, "replica-a");
  EXPECT_FALSE((*(*txn)->GetItem("plansync.v1.Plan", "plan", 6)).has_value());
  ASSERT_OK((*txn)->Commit());
  EXPECT_EQ(*store_->IntegrityCheck(), "ok");
}

INSTANTIATE_TEST_SUITE_P(Backends, ServerStoreTest,
                         ::testing::Values("sqlite_file", "memory",
                                           "postgresql"));

// A version-1 store (before the bucket heads, token and grant tables) gains
// them on open, with every bucket's head.
TEST(ServerStoreMigration, VersionOneStoreGainsLaterTables) {
  testing::TempDir dir;
  server::SqliteServerStoreOptions options;
  options.path = dir.File("server.db");
  {
    auto store = server::OpenSqliteServerStore(options);
    ASSERT_OK(store);
    ASSERT_OK(Put(**store, {MakeChange("student/a", "r1", 0, 1),
                            MakeChange("student/b", "r2", 0, 2),
                            MakeChange("student/a", "r3", 0, 3)}));
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(options.path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TABLE buckets; DROP TABLE tokens; "
                         "DROP TABLE grants; "
                         "DROP TABLE records; DROP TABLE replicas; "
                         "DROP TABLE history; "
                         "DELETE FROM meta WHERE key = "
                         "'grants_version'; PRAGMA user_version = 1;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  auto store = server::OpenSqliteServerStore(options);
  ASSERT_OK(store);
  EXPECT_EQ(*(*store)->Buckets(),
            (std::vector<std::string>{"student/a", "student/b"}));
  // The heads are each bucket's highest number (written per bucket here).
  EXPECT_EQ(*(*store)->Head("student/a"), 2);
  EXPECT_EQ(*(*store)->Head("student/b"), 1);
  EXPECT_TRUE((*store)->ListTokens("")->empty());
  // Version 5: every stored record has its home, every replica its owner
  // (the author of its stored changes).
  auto txn = (*store)->Begin();
  ASSERT_OK(txn);
  EXPECT_EQ((*(*txn)->GetRecordHome("r2"))->bucket, "student/b");
  EXPECT_EQ((*(*txn)->GetRecordHome("r3"))->record_type, "plansync.v1.Comment");
  EXPECT_EQ(*(*(*txn)->ReplicaOwner("replica-a")), "user-a");
  EXPECT_EQ(*(*store)->GrantsVersion(), 0);
  EXPECT_TRUE((*store)->GrantsOf("anyone")->empty());
}

// Rows of a server store file read with SQLite itself: (bucket, record id,
// field) -> seq, and each bucket's head.
struct RawFeed {
  std::map<std::tuple<std::string, std::string, int64_t>, int64_t> seqs;
  std::map<std::string, int64_t> heads;
  int64_t history = -1;  // rows of the history table; -1 if there is none
};

RawFeed ReadRaw(const std::string& path) {
  RawFeed feed;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT bucket, record_id, field, seq FROM items", -1,
                     &s, nullptr);
  while (sqlite3_step(s) == SQLITE_ROW) {
    feed.seqs[{reinterpret_cast<const char*>(sqlite3_column_text(s, 0)),
               reinterpret_cast<const char*>(sqlite3_column_text(s, 1)),
               sqlite3_column_int64(s, 2)}] = sqlite3_column_int64(s, 3);
  }
  sqlite3_finalize(s);
  sqlite3_prepare_v2(db, "SELECT bucket, head FROM buckets", -1, &s, nullptr);
  while (sqlite3_step(s) == SQLITE_ROW) {
    feed.heads[reinterpret_cast<const char*>(sqlite3_column_text(s, 0))] =
        sqlite3_column_int64(s, 1);
  }
  sqlite3_finalize(s);
  if (sqlite3_prepare_v2(db, "SELECT count(*) FROM history", -1, &s, nullptr) ==
          SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW) {
    feed.history = sqlite3_column_int64(s, 0);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return feed;
}

// A store written by version 5 (tests/data/server_v5.sqlite: two students'
// buckets numbered from one global sequence, heads 36 and 47) moves to
// per-bucket numbering without renumbering anything: each bucket grows from
// its own head, so a device holding the old cursors pulls exactly what it
// lacks, and the current items start the history.
TEST(ServerStoreMigration, VersionFiveStoreGrowsEachBucketFromItsHead) {
  testing::TempDir dir;
  const std::string path = dir.File("server.db");
  std::filesystem::copy_file(
      std::string(PLANSYNC_TEST_DATA_DIR) + "/server_v5.sqlite", path);
  const std::string a = "student/01900000-0000-7000-8000-00000000a001";
  const std::string b = "student/01900000-0000-7000-8000-00000000a002";
  const RawFeed before = ReadRaw(path);
  ASSERT_EQ(before.heads.at(a), 36);
  ASSERT_EQ(before.heads.at(b), 47);
  ASSERT_EQ(before.history, -1);
  // What a device with cursor 20 on b lacks: b's items above 20.
  std::vector<std::string> b_above_20;
  for (const auto& [key, seq] : before.seqs) {
    if (std::get<0>(key) == b && seq > 20)
      b_above_20.push_back(std::get<1>(key));
  }
  ASSERT_EQ(b_above_20.size(), 16u);

  server::SqliteServerStoreOptions options;
  options.path = path;
  {
    auto store = server::OpenSqliteServerStore(options);
    ASSERT_OK(store);
    EXPECT_EQ(*(*store)->Head(a), 36);
    EXPECT_EQ(*(*store)->Head(b), 47);
    auto txn = (*store)->Begin();
    ASSERT_OK(txn);
    std::vector<int64_t> seqs;
    for (const v1::Change& change :
         {MakeChange(a, "new-1", 0, 101), MakeChange(a, "new-2", 0, 102),
          MakeChange(b, "new-3", 0, 103)}) {
      auto seq = (*txn)->PutItem(change, 0, change.SerializeAsString());
      ASSERT_OK(seq);
      seqs.push_back(*seq);
    }
    ASSERT_OK((*txn)->Commit());
    // Each bucket's next numbers, not the global sequence's (48, 49, 50).
    EXPECT_EQ(seqs, (std::vector<int64_t>{37, 38, 48}));

    // A device whose cursors were a's head and 20 on b.
    std::vector<FeedItem> from_a = Feed(**store, a, 36);
    ASSERT_EQ(from_a.size(), 2u);
    EXPECT_EQ(from_a[0].change.record_id(), "new-1");
    EXPECT_EQ(from_a[1].change.record_id(), "new-2");
    std::vector<FeedItem> from_b = Feed(**store, b, 20);
    ASSERT_EQ(from_b.size(), 17u);
    std::vector<std::string> got;
    for (size_t i = 0; i + 1 < from_b.size(); ++i) {
      got.push_back(from_b[i].change.record_id());
    }
    std::sort(got.begin(), got.end());
    std::sort(b_above_20.begin(), b_above_20.end());
    EXPECT_EQ(got, b_above_20);
    EXPECT_EQ(from_b.back().change.record_id(), "new-3");
    EXPECT_EQ(*(*store)->IntegrityCheck(), "ok");
  }
  // Nothing stored was renumbered; the history holds the old items and the
  // three new ones.
  const RawFeed after = ReadRaw(path);
  for (const auto& [key, seq] : before.seqs) {
    EXPECT_EQ(after.seqs.at(key), seq) << std::get<1>(key);
  }
  EXPECT_EQ(after.history, static_cast<int64_t>(before.seqs.size()) + 3);
  EXPECT_EQ(after.heads.at(a), 38);
  EXPECT_EQ(after.heads.at(b), 48);
}

TEST(ServerStoreMigration, NewerStoreIsRefused) {
  testing::TempDir dir;
  server::SqliteServerStoreOptions options;
  options.path = dir.File("server.db");
  ASSERT_OK(server::OpenSqliteServerStore(options));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(options.path.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "PRAGMA user_version = 9", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto store = server::OpenSqliteServerStore(options);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("newer plansync server"),
            std::string::npos);
}

// A second process (plansync-server admin) writing the same file is seen
// by the next read of a serving store, whatever it read before.
TEST(ServerStoreSharing, WritesOfAnotherConnectionAreSeenByTheNextRead) {
  testing::TempDir dir;
  server::SqliteServerStoreOptions options;
  options.path = dir.File("server.db");
  auto serving = server::OpenSqliteServerStore(options);
  ASSERT_OK(serving);
  auto other = server::OpenSqliteServerStore(options);
  ASSERT_OK(other);
  auto put_grant = [&](server::ServerStore& store, const std::string& end) {
    auto txn = store.Begin();
    ASSERT_OK(txn);
    server::Grant grant;
    grant.id = "g1";
    grant.user_id = "u1";
    grant.student_id = "s1";
    grant.role = v1::TEACHER;
    grant.end_date = end;
    ASSERT_OK((*txn)->PutGrant(grant));
    ASSERT_OK((*txn)->Commit());
  };
  put_grant(**serving, "");
  ASSERT_OK(Put(**serving, {MakeChange("student/a", "r1", 0, 1)}));
  // Every kind of read the handlers make.
  std::vector<server::FeedItem> items;
  ASSERT_OK((*serving)->ReadFeed("student/a", 0, 10, &items));
  ASSERT_OK((*serving)->GrantsOf("u1"));
  const int64_t version = *(*serving)->GrantsVersion();
  ASSERT_OK((*serving)->Buckets());
  ASSERT_OK((*serving)->Head("student/a"));
  ASSERT_OK((*serving)->FindToken("x"));
  put_grant(**other, "2026-01-01");
  EXPECT_EQ(*(*serving)->GrantsVersion(), version + 1);
  EXPECT_EQ((*(*serving)->GrantsOf("u1")).front().end_date, "2026-01-01");
}

}  // namespace
}  // namespace plansync
