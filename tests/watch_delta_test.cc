// Watch events that carry changes, over a real gRPC server on a loopback
// port and a real SQLite store: an event carries exactly what a Pull from
// the same cursor sends (never a record the caller's role may not read), the
// stream's cursor follows the replica's pulls, and every cursor, replica id
// or size the server cannot vouch for gets a plain poke or a refusal.
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/permissions.h"
#include "core/schema.h"
#include "core/uuid.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "plansync/v1/sync.grpc.pb.h"
#include "server/admin.h"
#include "server/auth.h"
#include "server/grpc_service.h"
#include "server/sqlite_server_store.h"
#include "server/sync_handlers.h"
#include "sync/grpc_transport.h"
#include "sync/replicator.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

using server::SyncHandlers;

// The principal a call names, with the access its grants give (no tokens:
// what is tested here is the stream, not authentication).
class NamedPrincipal final : public server::Authenticator {
 public:
  absl::StatusOr<server::AuthContext> Authenticate(
      const std::multimap<std::string, std::string>& metadata) const override {
    auto it = metadata.find(std::string(server::kPrincipalMetadata));
    if (it == metadata.end()) return absl::UnauthenticatedError("no principal");
    server::AuthContext context;
    context.principal_id = it->second;
    return context;
  }
};

// A Watch stream read on its own thread into a queue.
class WatchReader {
 public:
  WatchReader(std::shared_ptr<grpc::Channel> channel,
              const std::string& principal, v1::WatchRequest request)
      : stub_(v1::SyncService::NewStub(channel)) {
    context_.AddMetadata(std::string(server::kPrincipalMetadata), principal);
    thread_ = std::thread([this, request] {
      auto reader = stub_->Watch(&context_, request);
      reader->WaitForInitialMetadata();
      v1::WatchEvent event;
      while (reader->Read(&event)) {
        absl::MutexLock lock(&mu_);
        events_.push_back(event);
      }
      grpc::Status status = reader->Finish();
      absl::MutexLock lock(&mu_);
      status_ = status;
    });
  }
  ~WatchReader() {
    context_.TryCancel();
    thread_.join();
  }

  // The next event, or nullopt after `timeout`.
  std::optional<v1::WatchEvent> Next(
      absl::Duration timeout = absl::Seconds(5)) {
    absl::MutexLock lock(&mu_);
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !events_.empty() || status_.has_value();
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&ready), timeout) ||
        events_.empty()) {
      return std::nullopt;
    }
    v1::WatchEvent event = events_.front();
    events_.pop_front();
    return event;
  }

  // How the stream ended, once it has (waits up to `timeout`).
  std::optional<grpc::Status> Ended(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto ended = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return status_.has_value();
    };
    mu_.AwaitWithTimeout(absl::Condition(&ended), timeout);
    return status_;
  }

 private:
  std::unique_ptr<v1::SyncService::Stub> stub_;
  grpc::ClientContext context_;
  absl::Mutex mu_;
  std::deque<v1::WatchEvent> events_ ABSL_GUARDED_BY(mu_);
  std::optional<grpc::Status> status_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

class WatchDeltaTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(server::ServerLimits{}); }

  void Start(server::ServerLimits limits) {
    grpc_server_.reset();
    service_.reset();
    handlers_.reset();
    store_.reset();
    server::SqliteServerStoreOptions options;
    options.path = dir_.File("server.db");
    auto store = server::OpenSqliteServerStore(options);
    ASSERT_OK(store);
    store_ = std::move(*store);
    if (student_.empty()) MakeDistrict();
    handlers_ = std::make_unique<SyncHandlers>(store_.get(), SystemClock::Get(),
                                               limits, 5);
    service_ = std::make_unique<server::GrpcSyncService>(handlers_.get(),
                                                         &authenticator_);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(service_.get());
    grpc_server_ = builder.BuildAndStart();
    ASSERT_NE(port, 0);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::SyncService::NewStub(channel_);
  }

  void TearDown() override {
    if (grpc_server_ != nullptr) grpc_server_->Shutdown();
  }

  void MakeDistrict() {
    server::Admin admin(store_.get(), SystemClock::Get(), 3);
    manager_ = *admin.AddUser("Ms. Ortiz", v1::ROLE_UNSPECIFIED);
    teacher_ = *admin.AddUser("Mr. Lee", v1::ROLE_UNSPECIFIED);
    v1::Student student;
    student.set_given_name("Maya");
    student.set_family_name("Diaz");
    student_ = *admin.AddStudent(student);
    for (const auto& [user, role] :
         {std::pair{manager_, v1::CASE_MANAGER}, {teacher_, v1::TEACHER}}) {
      v1::Assignment assignment;
      assignment.set_user_id(user);
      assignment.set_student_id(student_);
      assignment.set_role(role);
      assignment.set_start_date("2020-01-01");
      ASSERT_OK(admin.Assign(assignment));
    }
  }

  // A call context naming `principal`.
  static void Name(grpc::ClientContext* context, const std::string& principal) {
    context->AddMetadata(std::string(server::kPrincipalMetadata), principal);
  }

  // A new replica id bound to `principal` by Hello.
  std::string Replica(const std::string& principal) {
    const std::string replica = IdGenerator(SystemClock::Get(), ++seed_).Next();
    grpc::ClientContext context;
    Name(&context, principal);
    v1::HelloRequest request;
    request.set_replica_id(replica);
    request.set_schema_version(kSchemaVersion);
    v1::HelloResponse response;
    EXPECT_TRUE(stub_->Hello(&context, request, &response).ok());
    return replica;
  }

  // A raw pull of the student's bucket by `principal` from `cursor`: the
  // changes and the cursor reached.
  std::pair<std::vector<v1::Change>, int64_t> Pull(
      const std::string& principal, int64_t cursor,
      const std::string& replica = "") {
    grpc::ClientContext context;
    Name(&context, principal);
    v1::PullRequest request;
    request.set_schema_version(kSchemaVersion);
    request.set_replica_id(replica);
    v1::BucketCursor* from = request.add_cursors();
    from->set_bucket(StudentBucket(student_));
    from->set_cursor(cursor);
    auto reader = stub_->Pull(&context, request);
    std::vector<v1::Change> changes;
    v1::PullPage page;
    int64_t reached = cursor;
    while (reader->Read(&page)) {
      for (const v1::Change& change : page.changes()) changes.push_back(change);
      for (const v1::BucketCursor& next : page.cursors()) {
        if (next.bucket() == StudentBucket(student_)) reached = next.cursor();
      }
    }
    EXPECT_TRUE(reader->Finish().ok());
    return {changes, reached};
  }

  v1::WatchRequest DeltaRequest(const std::string& replica, int64_t cursor) {
    v1::WatchRequest request;
    request.set_replica_id(replica);
    request.set_schema_version(kSchemaVersion);
    v1::BucketCursor* at = request.add_cursors();
    at->set_bucket(StudentBucket(student_));
    at->set_cursor(cursor);
    return request;
  }

  // The manager's device: writes records of `types` (and edits the first
  // one made earlier), then pushes them in one sync.
  void ManagerWrites(const std::vector<std::string>& types) {
    if (manager_device_ == nullptr) {
      manager_device_ = testing::OpenStore(dir_.File("manager.db"), manager_,
                                           SystemClock::Get(), 77);
    }
    sync::TransportOptions options;
    options.principal_id = manager_;
    sync::GrpcTransport transport(channel_, options);
    sync::Replicator replicator(manager_device_.get(), &transport,
                                sync::ReplicatorOptions{});
    ASSERT_OK(replicator.SyncOnce());  // holds the student first
    for (const std::string& name : types) {
      const RecordType& type = *Schema::Get().Find(name);
      auto record = testing::NewRecord(type);
      testing::FillRecord(type, student_, existing_, 1, record.get());
      const std::string id =
          type.is_log() ? testing::AppendEntry(*manager_device_, *record)
                        : testing::CreateRecord(*manager_device_, *record);
      existing_[type.full_name] = id;
    }
    ASSERT_OK(replicator.SyncOnce());
  }

  // Events of `reader` until one carries changes up to the bucket's head
  // (or none comes in time); the deltas among them, in order.
  std::vector<v1::WatchDelta> DeltasUpToHead(WatchReader& reader,
                                             std::vector<v1::WatchEvent>* all) {
    std::vector<v1::WatchDelta> deltas;
    const int64_t head = *store_->Head(StudentBucket(student_));
    while (std::optional<v1::WatchEvent> event = reader.Next()) {
      all->push_back(*event);
      if (!event->has_delta()) continue;
      deltas.push_back(event->delta());
      if (SyncHandlers::CursorSeq(event->delta().cursor()) >= head) break;
    }
    return deltas;
  }

  testing::TempDir dir_;
  NamedPrincipal authenticator_;
  std::unique_ptr<server::ServerStore> store_;
  std::unique_ptr<SyncHandlers> handlers_;
  std::unique_ptr<server::GrpcSyncService> service_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SyncService::Stub> stub_;
  std::string manager_, teacher_, student_;
  std::unique_ptr<DeviceStore> manager_device_;
  std::map<std::string, std::string> existing_;
  uint64_t seed_ = 500;
};

TEST_F(WatchDeltaTest, AnEventCarriesWhatAPullFromItsCursorSends) {
  ManagerWrites({"Plan"});
  const std::string replica = Replica(teacher_);
  const auto [before, cursor] = Pull(teacher_, 0, replica);
  ASSERT_FALSE(before.empty());
  WatchReader watch(channel_, teacher_, DeltaRequest(replica, cursor));

  // One push of a goal, an accommodation, a service and a session of it:
  // the teacher may read all but the session.
  ManagerWrites({"Goal", "Accommodation", "Service", "ServiceSession"});
  std::vector<v1::WatchEvent> events;
  std::vector<v1::WatchDelta> deltas = DeltasUpToHead(watch, &events);
  ASSERT_FALSE(deltas.empty());
  // The deltas chain from the teacher's cursor ...
  EXPECT_EQ(deltas.front().from_cursor(), cursor);
  std::vector<std::string> carried;
  for (size_t i = 0; i < deltas.size(); ++i) {
    if (i > 0) {
      EXPECT_EQ(deltas[i].from_cursor(), deltas[i - 1].cursor());
    }
    EXPECT_GT(deltas[i].server_hlc(), 0u);
    for (const v1::Change& change : deltas[i].changes()) {
      carried.push_back(change.SerializeAsString());
      EXPECT_NE(change.record_type(), "plansync.v1.ServiceSession");
    }
  }
  // ... and hold what a pull from it sends, in order, to the same cursor.
  const auto [pulled, reached] = Pull(teacher_, cursor);
  std::vector<std::string> expected;
  for (const v1::Change& change : pulled) {
    expected.push_back(change.SerializeAsString());
  }
  EXPECT_EQ(carried, expected);
  // The pull reaches at least as far. It may reach further: the server logs
  // the event's read in the access log (three fields of the day's entry,
  // items the teacher may not read), and those items may land in the feed
  // after the event was read; a pull moves past them and sends nothing.
  EXPECT_LE(SyncHandlers::CursorSeq(deltas.back().cursor()),
            SyncHandlers::CursorSeq(reached));
  bool goal = false, accommodation = false;
  for (const v1::Change& change : pulled) {
    goal |= change.record_type() == "plansync.v1.Goal";
    accommodation |= change.record_type() == "plansync.v1.Accommodation";
  }
  EXPECT_TRUE(goal && accommodation);
  // The session was stored, and the manager's pull carries it.
  bool session = false;
  for (const v1::Change& change : Pull(manager_, 0).first) {
    session |= change.record_type() == "plansync.v1.ServiceSession";
  }
  EXPECT_TRUE(session);
  // What the stream sent is an access like any pull: the teacher's entry.
  std::vector<server::FeedItem> items;
  ASSERT_OK(store_->ReadFeed(StudentBucket(student_), 0, 100000, &items));
  int teacher_entries = 0;
  for (const server::FeedItem& item : items) {
    teacher_entries +=
        item.change.record_type() == "plansync.v1.AccessLogEntry" &&
        item.change.field_write().value().string_value() == teacher_;
  }
  EXPECT_EQ(teacher_entries, 1);
}

TEST_F(WatchDeltaTest, TheStreamsCursorFollowsTheReplicasPulls) {
  ManagerWrites({"Plan"});
  const std::string replica = Replica(teacher_);
  // Opened with cursor 0: pokes alone (a first pull is a pull).
  WatchReader watch(channel_, teacher_, DeltaRequest(replica, 0));
  ManagerWrites({"Goal"});
  std::optional<v1::WatchEvent> poke = watch.Next();
  ASSERT_TRUE(poke.has_value());
  EXPECT_FALSE(poke->has_delta());
  // The replica pulls; the stream carries on from where that pull left it.
  while (watch.Next(absl::Milliseconds(300)).has_value()) {
  }
  const int64_t cursor = Pull(teacher_, 0, replica).second;
  ManagerWrites({"Accommodation"});
  std::vector<v1::WatchEvent> events;
  std::vector<v1::WatchDelta> deltas = DeltasUpToHead(watch, &events);
  ASSERT_FALSE(deltas.empty());
  EXPECT_EQ(deltas.front().from_cursor(), cursor);
  // Where the stream's deltas (those for access-log writes the teacher may
  // not read included) have left it.
  int64_t reached = deltas.back().cursor();
  while (std::optional<v1::WatchEvent> event =
             watch.Next(absl::Milliseconds(300))) {
    if (event->has_delta() && event->delta().from_cursor() == reached) {
      reached = event->delta().cursor();
    }
  }
  // Another replica's pull, or the same user's without a replica id, does
  // not move it.
  const std::string other = Replica(teacher_);
  Pull(teacher_, 0, other);
  Pull(teacher_, 0);
  ManagerWrites({"Meeting"});
  deltas = DeltasUpToHead(watch, &events);
  ASSERT_FALSE(deltas.empty());
  EXPECT_EQ(deltas.front().from_cursor(), reached);
}

TEST_F(WatchDeltaTest, CursorsItCannotVouchForGetPokes) {
  ManagerWrites({"Plan"});
  const std::string replica = Replica(teacher_);
  const int64_t cursor = Pull(teacher_, 0, replica).second;
  const int64_t seq = SyncHandlers::CursorSeq(cursor);
  const RoleSet teacher_view = SyncHandlers::CursorView(cursor);
  ASSERT_EQ(teacher_view, RoleBit(v1::TEACHER));
  // A cursor claiming the case manager's view (to read her records), one of
  // another schema version, and one for a bucket the teacher holds no role
  // on: every event is a poke.
  WatchReader forged(
      channel_, teacher_,
      DeltaRequest(replica, SyncHandlers::EncodeCursor(
                                seq, teacher_view | RoleBit(v1::CASE_MANAGER),
                                kSchemaVersion)));
  WatchReader other_version(
      channel_, teacher_,
      DeltaRequest(replica, SyncHandlers::EncodeCursor(seq, teacher_view, 1)));
  ManagerWrites({"Goal"});
  for (WatchReader* watch : {&forged, &other_version}) {
    std::optional<v1::WatchEvent> event = watch->Next();
    ASSERT_TRUE(event.has_value());
    EXPECT_FALSE(event->has_delta());
  }
}

TEST_F(WatchDeltaTest, MoreChangesThanTheLimitGetAPoke) {
  server::ServerLimits limits;
  limits.max_watch_delta_changes = 3;
  Start(limits);
  ManagerWrites({"Plan"});
  const std::string replica = Replica(teacher_);
  const int64_t cursor = Pull(teacher_, 0, replica).second;
  WatchReader watch(channel_, teacher_, DeltaRequest(replica, cursor));
  // A goal is several field writes: more than three changes.
  ManagerWrites({"Goal", "Accommodation"});
  std::optional<v1::WatchEvent> event = watch.Next();
  ASSERT_TRUE(event.has_value());
  EXPECT_FALSE(event->has_delta());
  // The device pulls; then a small change comes inline again.
  Pull(teacher_, cursor, replica);
  while (watch.Next(absl::Milliseconds(300)).has_value()) {
  }
  v1::Comment comment;
  comment.set_student_id(student_);
  comment.set_about_record_type("plansync.v1.Student");
  comment.set_about_record_id(student_);
  comment.set_text("Used the word bank today.");
  testing::AppendEntry(*manager_device_, comment);
  ManagerWrites({});
  std::vector<v1::WatchEvent> events;
  std::vector<v1::WatchDelta> deltas = DeltasUpToHead(watch, &events);
  int comments = 0;
  for (const v1::WatchDelta& delta : deltas) {
    for (const v1::Change& change : delta.changes()) {
      comments += change.record_type() == "plansync.v1.Comment";
    }
  }
  EXPECT_EQ(comments, 1);
  grpc::ClientContext hello;
  Name(&hello, teacher_);
  v1::HelloResponse limits_sent;
  v1::HelloRequest request;
  request.set_replica_id(replica);
  ASSERT_TRUE(stub_->Hello(&hello, request, &limits_sent).ok());
  EXPECT_EQ(limits_sent.limits().max_watch_delta_changes(), 3u);
}

TEST_F(WatchDeltaTest, ALongReadThroughGetsAPoke) {
  server::ServerLimits limits;
  limits.max_watch_delta_changes = 3;  // so at most 28 items read through
  Start(limits);
  ManagerWrites({"Plan", "Service"});
  const std::string replica = Replica(teacher_);
  const int64_t cursor = Pull(teacher_, 0, replica).second;
  WatchReader watch(channel_, teacher_, DeltaRequest(replica, cursor));
  // Thirty sessions of the service, none of which the teacher may read: an
  // event would carry nothing, after reading thirty items.
  ManagerWrites(std::vector<std::string>(30, "ServiceSession"));
  const int64_t head = *store_->Head(StudentBucket(student_));
  std::optional<v1::WatchEvent> event;
  do {
    event = watch.Next();
    ASSERT_TRUE(event.has_value());
  } while (event->seq() < head);
  EXPECT_FALSE(event->has_delta());
}

TEST_F(WatchDeltaTest, AReplicaIdNotTheCallersIsRefused) {
  const std::string managers = Replica(manager_);
  const std::string never_bound = IdGenerator(SystemClock::Get(), 9).Next();
  const int64_t items = *store_->ItemCount();
  for (const auto& [replica, code] :
       std::vector<std::pair<std::string, grpc::StatusCode>>{
           {managers, grpc::StatusCode::PERMISSION_DENIED},
           {never_bound, grpc::StatusCode::PERMISSION_DENIED},
           {"not-a-uuid", grpc::StatusCode::INVALID_ARGUMENT}}) {
    WatchReader watch(channel_, teacher_, DeltaRequest(replica, 0));
    std::optional<grpc::Status> ended = watch.Ended(absl::Seconds(5));
    ASSERT_TRUE(ended.has_value()) << replica;
    EXPECT_EQ(ended->error_code(), code) << replica;
    EXPECT_FALSE(ended->error_message().empty());
  }
  EXPECT_EQ(*store_->ItemCount(), items);
}

}  // namespace
}  // namespace plansync
