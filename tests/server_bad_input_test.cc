// Bad input at the server: each malformed or hostile change gets its
// documented result — REJECTED with a reason, or the whole call refused with a
// status code — and the server's store is unchanged by it.
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/hlc.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "server/grpc_service.h"
#include "server/sqlite_server_store.h"
#include "server/sync_handlers.h"
#include "tests/grpc_test_util.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

class ServerBadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server::SqliteServerStoreOptions options;
    options.path = dir_.File("server.db");
    auto store = server::OpenSqliteServerStore(options);
    ASSERT_OK(store);
    store_ = std::move(*store);
    server::ServerLimits limits;
    limits.max_changes_per_push = 200;
    handlers_ = std::make_unique<server::SyncHandlers>(store_.get(), &clock_,
                                                       limits, 7);
    auth_.principal_id = "user-cm";
    auth_.unrestricted = true;

    // A device's genuine changes, pushed once.
    device_ = testing::OpenStore(":memory:", "user-cm", &clock_);
    ids_ = testing::CreateOneOfEach(*device_);
    auto pending = device_->PendingChanges(1000);
    ASSERT_OK(pending);
    for (auto& entry : *pending) good_.push_back(entry.change);
    v1::PushRequest push;
    for (const auto& change : good_) *push.add_changes() = change;
    auto response = handlers_->Push(auth_, push);
    ASSERT_OK(response);
    for (const auto& result : response->results()) {
      ASSERT_EQ(result.status(), v1::ChangeResult::ACCEPTED)
          << result.message();
    }
    snapshot_ = Snapshot();
  }

  // Every item of every bucket, serialized, in feed order.
  std::string Snapshot() {
    std::string out;
    auto buckets = store_->Buckets();
    EXPECT_OK(buckets);
    if (!buckets.ok()) return out;
    for (const std::string& bucket : *buckets) {
      std::vector<server::FeedItem> items;
      EXPECT_OK(store_->ReadFeed(bucket, 0, 1000000, &items));
      for (const auto& item : items) {
        out += bucket + ":" + std::to_string(item.seq) + ":" +
               item.change.SerializeAsString();
      }
    }
    return out;
  }

  // Pushes one change; expects REJECTED with `reason`, the store unchanged.
  void ExpectRejected(const v1::Change& change, v1::Reason reason,
                      absl::string_view message_part) {
    v1::PushRequest push;
    *push.add_changes() = change;
    auto response = handlers_->Push(auth_, push);
    ASSERT_OK(response);
    ASSERT_EQ(response->results_size(), 1);
    const v1::ChangeResult& result = response->results(0);
    EXPECT_EQ(result.status(), v1::ChangeResult::REJECTED);
    EXPECT_EQ(result.reason(), reason) << result.message();
    EXPECT_NE(result.message().find(std::string(message_part)),
              std::string::npos)
        << result.message();
    EXPECT_EQ(Snapshot(), snapshot_);
  }

  // A fresh change id for a variant of a genuine change.
  v1::Change Variant(const v1::Change& base) {
    v1::Change change = base;
    change.set_replica_seq(base.replica_seq() + 100000 + next_++);
    return change;
  }
  const v1::Change& FirstLog() {
    for (const auto& c : good_) {
      if (c.has_log_entry()) return c;
    }
    return good_.front();
  }
  const v1::Change& FirstWrite(absl::string_view type) {
    for (const auto& c : good_) {
      if (c.has_field_write() && c.record_type() == type) return c;
    }
    return good_.front();
  }

  testing::TempDir dir_;
  FakeClock clock_{testing::kStartMillis};
  std::unique_ptr<server::ServerStore> store_;
  std::unique_ptr<server::SyncHandlers> handlers_;
  server::AuthContext auth_;
  std::unique_ptr<DeviceStore> device_;
  std::map<std::string, std::string> ids_;
  std::vector<v1::Change> good_;
  std::string snapshot_;
  int next_ = 0;
};

TEST_F(ServerBadInputTest, UnknownRecordType) {
  v1::Change change = Variant(FirstLog());
  change.set_record_type("plansync.v1.Grades");
  ExpectRejected(change, v1::UNKNOWN_RECORD_TYPE, "not a plansync record type");
}

TEST_F(ServerBadInputTest, WrongValueType) {
  v1::Change change = Variant(FirstWrite("plansync.v1.Plan"));
  change.mutable_field_write()->set_field_number(v1::Plan::kVersionFieldNumber);
  change.mutable_field_write()->mutable_value()->set_string_value("two");
  ExpectRejected(change, v1::WRONG_VALUE_TYPE, "Plan.version takes an integer");
}

TEST_F(ServerBadInputTest, OversizeValue) {
  v1::Change change = Variant(FirstWrite("plansync.v1.Plan"));
  change.mutable_field_write()->set_field_number(
      v1::Plan::kJurisdictionFieldNumber);
  change.mutable_field_write()->mutable_value()->set_string_value(
      std::string(10000, 'x'));
  ExpectRejected(change, v1::VALUE_TOO_LONG, "the limit is 256 bytes");
}

TEST_F(ServerBadInputTest, ClockBeyondTheDriftBound) {
  v1::Change change = Variant(FirstWrite("plansync.v1.Plan"));
  change.set_hlc(HlcPack(testing::kStartMillis + 6 * 60 * 1000, 0));
  ExpectRejected(change, v1::CLOCK_DRIFT, "limit is 300000 ms");
}

TEST_F(ServerBadInputTest, ReusedChangeIdWithDifferentContent) {
  v1::Change change = FirstWrite("plansync.v1.Plan");  // same id as accepted
  change.set_hlc(change.hlc() + 1);
  ExpectRejected(change, v1::CHANGE_ID_REUSED,
                 "already received with different content");
}

TEST_F(ServerBadInputTest, RepeatedChangeIsAcknowledgedAsDuplicate) {
  v1::PushRequest push;
  *push.add_changes() = FirstLog();
  auto response = handlers_->Push(auth_, push);
  ASSERT_OK(response);
  EXPECT_EQ(response->results(0).status(), v1::ChangeResult::DUPLICATE);
  EXPECT_EQ(Snapshot(), snapshot_);
}

TEST_F(ServerBadInputTest, DigestsStoredByEarlierServersStillMatch) {
  // An applied change as an earlier server recorded it: with an FNV-1a
  // digest of its bytes.
  const v1::Change change = Variant(FirstLog());
  {
    auto txn = store_->Begin();
    ASSERT_OK(txn);
    ASSERT_OK((*txn)->RecordApplied(change.replica_id(), change.replica_seq(),
                                    server::Fnv1a(change.SerializeAsString())));
    ASSERT_OK((*txn)->Commit());
  }
  ASSERT_NE(server::Fnv1a(change.SerializeAsString()),
            server::ChangeDigest(change.SerializeAsString()));
  snapshot_ = Snapshot();
  v1::PushRequest push;
  *push.add_changes() = change;
  auto response = handlers_->Push(auth_, push);
  ASSERT_OK(response);
  EXPECT_EQ(response->results(0).status(), v1::ChangeResult::DUPLICATE)
      << response->results(0).message();
  EXPECT_EQ(Snapshot(), snapshot_);
  v1::Change altered = change;
  altered.set_hlc(change.hlc() + 1);
  ExpectRejected(altered, v1::CHANGE_ID_REUSED,
                 "already received with different content");
}

TEST_F(ServerBadInputTest, ChangeNumberedBelowTheLastAppliedIsStillNew) {
  // The server skips the lookup of change ids above a replica's last applied
  // one; a lower, unseen one (its push failed before) must still be applied.
  v1::Change earlier = Variant(FirstWrite("plansync.v1.Plan"));
  earlier.mutable_field_write()->set_field_number(
      v1::Plan::kJurisdictionFieldNumber);
  earlier.mutable_field_write()->mutable_value()->set_string_value("US-MO");
  v1::Change later = earlier;
  later.set_replica_seq(earlier.replica_seq() + 1);
  earlier.set_hlc(earlier.hlc() + 1);
  later.set_hlc(earlier.hlc() + 1);
  for (v1::Change* change : {&later, &earlier}) {
    v1::PushRequest push;
    *push.add_changes() = *change;
    auto response = handlers_->Push(auth_, push);
    ASSERT_OK(response);
    EXPECT_EQ(response->results(0).status(), v1::ChangeResult::ACCEPTED)
        << response->results(0).message();
  }
  v1::PushRequest again;
  *again.add_changes() = earlier;
  *again.add_changes() = later;
  auto response = handlers_->Push(auth_, again);
  ASSERT_OK(response);
  EXPECT_EQ(response->results(0).status(), v1::ChangeResult::DUPLICATE);
  EXPECT_EQ(response->results(1).status(), v1::ChangeResult::DUPLICATE);
}

TEST_F(ServerBadInputTest, ForgedLogEntry) {
  v1::Change change = Variant(FirstLog());
  v1::ImplementationConfirmation entry;
  ASSERT_TRUE(entry.ParseFromString(change.log_entry()));
  entry.set_note("rewritten");
  change.set_log_entry(entry.SerializeAsString());
  ExpectRejected(change, v1::LOG_ENTRY_IMMUTABLE,
                 "already exists with different content");
}

TEST_F(ServerBadInputTest, MalformedChanges) {
  v1::Change no_id = Variant(FirstLog());
  no_id.clear_replica_id();
  ExpectRejected(no_id, v1::MALFORMED_CHANGE, "no change id");
  v1::Change garbage = Variant(FirstLog());
  garbage.set_log_entry("\xff\xfe not protobuf");
  ExpectRejected(garbage, v1::MALFORMED_CHANGE, "not a valid protobuf message");
  v1::Change empty = Variant(FirstLog());
  empty.clear_log_entry();
  ExpectRejected(empty, v1::MALFORMED_CHANGE, "neither a field write");
  v1::Change bad_id = Variant(FirstLog());
  bad_id.set_record_id("42");
  ExpectRejected(bad_id, v1::MALFORMED_ID, "not a UUID");
  v1::Change moved = Variant(FirstWrite("plansync.v1.Plan"));
  moved.mutable_field_write()->set_field_number(
      v1::Plan::kJurisdictionFieldNumber);
  moved.mutable_field_write()->mutable_value()->set_string_value("US-MO");
  moved.set_bucket("student/01a080e3-ae00-7000-8000-000000000000");
  ExpectRejected(moved, v1::WRONG_BUCKET, "belongs to another bucket");
}

TEST_F(ServerBadInputTest, OversizeBatchIsRefusedWhole) {
  v1::PushRequest push;
  for (int i = 0; i < 201; ++i) *push.add_changes() = Variant(FirstLog());
  auto response = handlers_->Push(auth_, push);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ReasonOf(response.status()), v1::BATCH_TOO_LARGE);
  EXPECT_NE(response.status().message().find("at most 200 changes"),
            std::string::npos);
  EXPECT_EQ(Snapshot(), snapshot_);
}

TEST_F(ServerBadInputTest, OneBadChangeLeavesTheRestOfTheBatchApplied) {
  v1::PushRequest push;
  v1::Change bad = Variant(FirstLog());
  bad.set_record_type("plansync.v1.Nope");
  *push.add_changes() = bad;
  v1::Change good = Variant(FirstWrite("plansync.v1.Plan"));
  good.set_hlc(good.hlc() + 5);
  good.mutable_field_write()->mutable_value()->set_string_value("US-CA");
  good.mutable_field_write()->set_field_number(
      v1::Plan::kJurisdictionFieldNumber);
  *push.add_changes() = good;
  auto response = handlers_->Push(auth_, push);
  ASSERT_OK(response);
  EXPECT_EQ(response->results(0).status(), v1::ChangeResult::REJECTED);
  EXPECT_EQ(response->results(1).status(), v1::ChangeResult::ACCEPTED);
}

// Over gRPC: malformed bytes and an oversize message get gRPC's own errors.
TEST_F(ServerBadInputTest, GrpcRefusesUnparseableAndOversizeMessages) {
  server::DevAuthenticator authenticator;
  server::GrpcSyncService service(handlers_.get(), &authenticator);
  grpc::ServerBuilder builder;
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(1024 * 1024);
  auto grpc_server = builder.BuildAndStart();
  auto channel = grpc_server->InProcessChannel(grpc::ChannelArguments());
  // Bytes that are not a PushRequest (a length running past the end).
  std::string reply;
  grpc::Status status = testing::GenericUnaryCall(
      channel, "/plansync.v1.SyncService/Push",
      std::string("\x0a\xff\xff\xff\xff\x0f", 6), &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL)
      << status.error_message();

  // A push over the message size limit.
  auto stub = v1::SyncService::NewStub(channel);
  v1::PushRequest big;
  v1::Change change = Variant(FirstLog());
  change.set_log_entry(std::string(2 * 1024 * 1024, 'x'));
  *big.add_changes() = change;
  grpc::ClientContext big_context;
  v1::PushResponse response;
  grpc::Status big_status = stub->Push(&big_context, big, &response);
  EXPECT_EQ(big_status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << big_status.error_message();
  EXPECT_EQ(Snapshot(), snapshot_);
  grpc_server->Shutdown();
}

}  // namespace
}  // namespace plansync
