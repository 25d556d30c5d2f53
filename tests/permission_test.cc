// The permission matrix of records.proto, checked against the server
// through the real path: a gRPC server on a loopback port, device tokens
// issued by server::Admin and checked by the TokenAuthenticator, a SQLite
// server store file, and devices syncing through GrpcTransport and the
// Replicator.
//
// The expectations are read from the raw record options of records.proto
// (readers, own_readers, writers, own_writers, server_written), not from
// core/permissions.h, so the server is judged against the stated matrix.
#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/change_check.h"
#include "core/clock.h"
#include "core/device_store.h"
#include "core/hlc.h"
#include "core/permissions.h"
#include "core/schema.h"
#include "core/uuid.h"
#include "core/value.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "plansync/v1/errors.pb.h"
#include "plansync/v1/options.pb.h"
#include "plansync/v1/records.pb.h"
#include "server/admin.h"
#include "server/grpc_service.h"
#include "server/sqlite_server_store.h"
#include "server/sync_handlers.h"
#include "server/token_auth.h"
#include "sync/grpc_transport.h"
#include "sync/replicator.h"
#include "tests/sync_test_util.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

using google::protobuf::Message;

constexpr v1::Role kRoles[] = {v1::GUARDIAN, v1::TEACHER, v1::PROVIDER,
                               v1::CASE_MANAGER, v1::ADMIN};

bool Lists(const google::protobuf::RepeatedField<int>& roles, v1::Role role) {
  for (int listed : roles) {
    if (listed == role) return true;
  }
  return false;
}

// The id of `record` (field 1 of every record message).
std::string IdOf(const RecordType& type, const Message& record) {
  return record.GetReflection()->GetString(record,
                                           type.fields.front().descriptor);
}

// A free-text field of `type` that a field write may change without touching
// identity, references or rights: a plain string that is neither the id, the
// bucket key, a reference, a date, immutable nor a user id.
const FieldInfo* EditableField(const RecordType& type) {
  for (const FieldInfo& field : type.fields) {
    if (field.is_id || field.is_bucket_key || field.immutable ||
        field.store_assigned || field.ref != nullptr || field.date ||
        field.date_list || field.time_zone || field.instant ||
        field.column_type != ColumnType::kText || field.name == "user_id" ||
        field.name.ends_with("_user_id")) {
      continue;
    }
    return &field;
  }
  return nullptr;
}

std::string Describe(const v1::ChangeResult& result) {
  if (result.status() == v1::ChangeResult::ACCEPTED) return "ACCEPTED";
  if (result.status() == v1::ChangeResult::DUPLICATE) return "DUPLICATE";
  return absl::StrCat("REJECTED ", v1::Reason_Name(result.reason()));
}

std::string Expected(v1::Reason reason) {
  return reason == v1::REASON_UNSPECIFIED
             ? "ACCEPTED"
             : absl::StrCat("REJECTED ", v1::Reason_Name(reason));
}

// A device of one user: its store, its token and its replicator.
struct Device {
  std::unique_ptr<DeviceStore> store;
  std::unique_ptr<sync::GrpcTransport> transport;
  std::unique_ptr<sync::Replicator> replicator;

  bool Holds(const RecordType& type, const std::string& id) {
    auto record = testing::NewRecord(type);
    return store->Get(id, record.get()).ok();
  }

  // Ids of the records of `type` this device holds in `student_id`'s bucket
  // (every record, for the directory).
  std::set<std::string> Held(const RecordType& type,
                             const std::string& student_id) {
    std::set<std::string> ids;
    const bool directory = type.bucket_key == nullptr;
    absl::Status status =
        store->Scan(type, directory ? "" : type.bucket_key->name,
                    directory ? "" : student_id, /*include_archived=*/true,
                    [&](const Message& record) {
                      ids.insert(IdOf(type, record));
                      return absl::OkStatus();
                    });
    EXPECT_TRUE(status.ok()) << status;
    return ids;
  }
};

class PermissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server::SqliteServerStoreOptions store_options;
    store_options.path = dir_.File("server.db");
    store_options.durable = false;  // one test's file; speed over fsync
    auto store = server::OpenSqliteServerStore(store_options);
    ASSERT_OK(store);
    store_ = std::move(*store);
    handlers_ = std::make_unique<server::SyncHandlers>(
        store_.get(), SystemClock::Get(), server::ServerLimits{}, 7);
    authenticator_ = std::make_unique<server::TokenAuthenticator>(store_.get());
    service_ = std::make_unique<server::GrpcSyncService>(handlers_.get(),
                                                         authenticator_.get());
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(service_.get());
    grpc_server_ = builder.BuildAndStart();
    ASSERT_NE(grpc_server_, nullptr);
    ASSERT_NE(port, 0);
    channel_ = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                         grpc::InsecureChannelCredentials(),
                                         sync::DefaultChannelArguments());

    // The district: students S and T; S's guardian, teacher, provider and
    // case manager (and a second guardian); T's case manager alone; a
    // district administrator; and a directory entry nobody is assigned by.
    admin_ =
        std::make_unique<server::Admin>(store_.get(), SystemClock::Get(), 11);
    student_s_ = AddStudent("Sam", "Rivera");
    student_t_ = AddStudent("Tess", "Okafor");
    for (v1::Role role : kRoles) {
      const std::string name = absl::StrCat(RoleName(role), " of S");
      auto user = admin_->AddUser(
          name, role == v1::ADMIN ? v1::ADMIN : v1::ROLE_UNSPECIFIED);
      ASSERT_OK(user);
      users_[role] = *user;
      if (role != v1::ADMIN)
        own_assignment_[role] = Assign(*user, student_s_, role);
    }
    auto other_guardian =
        admin_->AddUser("Second guardian of S", v1::ROLE_UNSPECIFIED);
    ASSERT_OK(other_guardian);
    other_guardian_ = *other_guardian;
    Assign(other_guardian_, student_s_, v1::GUARDIAN);
    auto cm_of_t = admin_->AddUser("Case manager of T", v1::ROLE_UNSPECIFIED);
    ASSERT_OK(cm_of_t);
    case_manager_of_t_ = *cm_of_t;
    Assign(case_manager_of_t_, student_t_, v1::CASE_MANAGER);
    auto listed = admin_->AddUser("Directory entry", v1::ROLE_UNSPECIFIED);
    ASSERT_OK(listed);
    directory_user_ = *listed;
    v1::SchoolHoliday holiday;
    holiday.set_day("2026-11-26");
    holiday.set_name("Thanksgiving");
    auto closed = admin_->AddHoliday(holiday);
    ASSERT_OK(closed);
    holiday_ = *closed;
    auto district = admin_->SetDistrict(
        {.time_zone = "America/Chicago", .name = "Test district"});
    ASSERT_OK(district);
    district_ = district->id();
    for (const std::string& user :
         {users_[v1::GUARDIAN], users_[v1::TEACHER], users_[v1::PROVIDER],
          users_[v1::CASE_MANAGER], users_[v1::ADMIN], other_guardian_,
          case_manager_of_t_}) {
      auto issued = admin_->IssueToken(user, "test device");
      ASSERT_OK(issued);
      tokens_[user] = issued->token;
    }
    ASSERT_NO_FATAL_FAILURE(Seed());
  }

  void TearDown() override {
    if (grpc_server_ != nullptr) grpc_server_->Shutdown();
  }

  std::string AddStudent(const std::string& given, const std::string& family) {
    v1::Student student;
    student.set_given_name(given);
    student.set_family_name(family);
    auto id = admin_->AddStudent(student);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : "";
  }

  std::string Assign(const std::string& user, const std::string& student,
                     v1::Role role) {
    v1::Assignment assignment;
    assignment.set_user_id(user);
    assignment.set_student_id(student);
    assignment.set_role(role);
    auto id = admin_->Assign(assignment);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : "";
  }

  // One record of every student-scoped type for S and for T, server-written
  // types included, pushed in-process by an unrestricted principal (which
  // skips authorization, not the merge).
  void Seed() {
    auto seeder =
        testing::OpenStore(":memory:", "seeder", SystemClock::Get(), 21);
    ASSERT_NE(seeder, nullptr);
    testing::DirectTransport direct(handlers_.get(), "seeder",
                                    /*unrestricted=*/true);
    sync::ReplicatorOptions options;
    options.sleep = [](absl::Duration) {};
    options.seed = 3;
    sync::Replicator replicator(seeder.get(), &direct, options);
    ASSERT_OK(replicator.SyncOnce());  // the students, users, assignments
    seeded_s_ = SeedStudent(*seeder, student_s_);
    seeded_t_ = SeedStudent(*seeder, student_t_);
    // The directory's other record type, which no student's bucket holds.
    v1::SchoolHoliday holiday;
    holiday.set_day("2026-11-26");
    holiday.set_name("Thanksgiving");
    ASSERT_OK(seeder->Write([&](WriteTransaction& txn) -> absl::Status {
      auto id = seeder->Create(txn, holiday);
      if (!id.ok()) return id.status();
      seeded_s_["plansync.v1.SchoolHoliday"] = *id;
      seeded_t_["plansync.v1.SchoolHoliday"] = *id;
      return absl::OkStatus();
    }));
    auto report = replicator.SyncOnce();
    ASSERT_OK(report);
    ASSERT_EQ(report->rejected, 0);
    ASSERT_EQ(*seeder->PendingCount(), 0);
    seeded_s_["plansync.v1.User"] = directory_user_;
    seeded_t_["plansync.v1.User"] = directory_user_;
    seeded_s_["plansync.v1.SchoolHoliday"] = holiday_;
    seeded_t_["plansync.v1.SchoolHoliday"] = holiday_;
    seeded_s_["plansync.v1.District"] = district_;
    seeded_t_["plansync.v1.District"] = district_;
  }

  std::map<std::string, std::string> SeedStudent(DeviceStore& seeder,
                                                 const std::string& student) {
    std::map<std::string, std::string> ids;
    ids["plansync.v1.Student"] = student;
    const auto& types = Schema::Get().types();
    for (size_t round = 0; round < types.size(); ++round) {
      for (const auto& type : types) {
        if (type->bucket_key == nullptr || ids.count(type->full_name)) continue;
        bool ready = true;
        for (const FieldInfo& field : type->fields) {
          if (field.ref != nullptr && field.required && !field.is_bucket_key &&
              !ids.count(field.ref->full_name)) {
            ready = false;
          }
        }
        if (!ready) continue;
        auto record = testing::NewRecord(*type);
        testing::FillRecord(*type, student, ids, 1, record.get());
        SCOPED_TRACE(type->short_name);
        EXPECT_OK(seeder.Write([&](WriteTransaction& txn) -> absl::Status {
          auto id = type->is_log() ? seeder.Append(txn, *record)
                                   : seeder.Create(txn, *record);
          if (!id.ok()) return id.status();
          ids[type->full_name] = *id;
          return absl::OkStatus();
        }));
      }
    }
    for (const auto& type : types) {
      if (type->bucket_key != nullptr) {
        EXPECT_TRUE(ids.count(type->full_name))
            << "unseeded " << type->full_name;
      }
    }
    return ids;
  }

  // A fresh device of `user`, syncing over gRPC with the user's token.
  Device NewDevice(const std::string& user) {
    Device device;
    device.store = testing::OpenStore(":memory:", user, SystemClock::Get(),
                                      ++device_seed_);
    sync::TransportOptions transport_options;
    transport_options.token = tokens_.at(user);
    device.transport =
        std::make_unique<sync::GrpcTransport>(channel_, transport_options);
    sync::ReplicatorOptions options;
    options.sleep = [](absl::Duration) {};
    options.seed = device_seed_;
    device.replicator = std::make_unique<sync::Replicator>(
        device.store.get(), device.transport.get(), options);
    return device;
  }

  // --- The server's side, read from its store -----------------------------

  std::vector<server::FeedItem> Feed(const std::string& bucket) {
    std::vector<server::FeedItem> items;
    EXPECT_OK(store_->ReadFeed(bucket, 0, size_t{1} << 20, &items));
    return items;
  }

  // Record ids per record type (full name) in `bucket`.
  std::map<std::string, std::set<std::string>> ServerRecords(
      const std::string& bucket) {
    std::map<std::string, std::set<std::string>> records;
    for (const server::FeedItem& item : Feed(bucket)) {
      records[item.change.record_type()].insert(item.change.record_id());
    }
    return records;
  }

  // Ids of the Assignments in `bucket` whose user_id is `user`.
  std::set<std::string> ServerAssignmentsOf(const std::string& bucket,
                                            const std::string& user) {
    const FieldInfo* user_id =
        Schema::Get().Find("Assignment")->FieldByName("user_id");
    std::set<std::string> ids;
    for (const server::FeedItem& item : Feed(bucket)) {
      if (item.change.record_type() == "plansync.v1.Assignment" &&
          item.change.has_field_write() &&
          static_cast<int>(item.change.field_write().field_number()) ==
              user_id->number &&
          item.change.field_write().value().string_value() == user) {
        ids.insert(item.change.record_id());
      }
    }
    return ids;
  }

  // Every item the server holds of record `id` in `bucket`, as text: its
  // sequence number, field (0 for a log entry), value, author and stamp.
  // Equal before and after means nothing was stored.
  std::vector<std::string> ServerItemsOf(const std::string& bucket,
                                         const std::string& id) {
    std::vector<std::string> items;
    for (const server::FeedItem& item : Feed(bucket)) {
      const v1::Change& change = item.change;
      if (change.record_id() != id) continue;
      items.push_back(absl::StrCat(
          "#", item.seq, " ",
          change.has_field_write()
              ? absl::StrCat("field ", change.field_write().field_number(),
                             " = ", ValueToText(change.field_write().value()))
              : absl::StrCat("entry of ", change.log_entry().size(), " bytes"),
          " by ", change.author_id(), " at ", change.hlc()));
    }
    return items;
  }

  // The stored winner of field `field` of record `id`, or nullopt.
  std::optional<v1::Value> ServerValue(const std::string& bucket,
                                       const std::string& id, int field) {
    for (const server::FeedItem& item : Feed(bucket)) {
      if (item.change.record_id() == id && item.change.has_field_write() &&
          static_cast<int>(item.change.field_write().field_number()) == field) {
        return item.change.field_write().value();
      }
    }
    return std::nullopt;
  }

  // The item count and every bucket's head: what a refused push must leave
  // as it was.
  std::string ServerState() {
    std::vector<std::string> parts;
    parts.push_back(absl::StrCat("items=", *store_->ItemCount()));
    for (const std::string& bucket :
         {StudentBucket(student_s_), StudentBucket(student_t_),
          std::string(kDirectoryBucket)}) {
      parts.push_back(absl::StrCat(bucket, "@", *store_->Head(bucket)));
    }
    return absl::StrJoin(parts, " ");
  }

  // --- Hand-made changes, pushed over gRPC with a user's token -----------

  v1::Change NewChange(const RecordType& type, const std::string& record_id,
                       const std::string& bucket, const std::string& author) {
    v1::Change change;
    change.set_replica_id(crafted_ids_.Next());
    change.set_replica_seq(1);
    change.set_record_type(type.full_name);
    change.set_record_id(record_id);
    change.set_bucket(bucket);
    change.set_author_id(author);
    change.set_hlc(crafted_clock_.Now());
    return change;
  }

  v1::Change FieldWrite(const RecordType& type, const std::string& record_id,
                        const std::string& bucket, const std::string& author,
                        const FieldInfo& field, const v1::Value& value) {
    v1::Change change = NewChange(type, record_id, bucket, author);
    v1::FieldWrite* write = change.mutable_field_write();
    write->set_field_number(static_cast<uint32_t>(field.number));
    *write->mutable_value() = value;
    return change;
  }

  // A log entry of `type` for `student`, filled from `refs`, filed under
  // `entry_author` and pushed as a change by `change_author`.
  v1::Change LogEntry(const RecordType& type, const std::string& student,
                      const std::map<std::string, std::string>& refs,
                      const std::string& entry_author,
                      const std::string& change_author) {
    auto entry = testing::NewRecord(type);
    testing::FillRecord(type, student, refs, 3, entry.get());
    const std::string id = crafted_ids_.Next();
    v1::Change change =
        NewChange(type, id, StudentBucket(student), change_author);
    const auto* reflection = entry->GetReflection();
    reflection->SetString(entry.get(), type.FieldByName("id")->descriptor, id);
    reflection->SetString(
        entry.get(), type.FieldByName("author_id")->descriptor, entry_author);
    reflection->SetInt64(entry.get(),
                         type.FieldByName("recorded_hlc")->descriptor,
                         static_cast<int64_t>(change.hlc()));
    entry->SerializeToString(change.mutable_log_entry());
    // Well-formed: only rights are at stake (an entry filed under another
    // author than its change's is refused by CheckChange itself).
    if (entry_author == change_author) EXPECT_OK(CheckChange(change));
    return change;
  }

  v1::ChangeResult PushOne(const std::string& user, const v1::Change& change) {
    sync::TransportOptions options;
    options.token = tokens_.at(user);
    sync::GrpcTransport transport(channel_, options);
    v1::PushRequest request;
    *request.add_changes() = change;
    auto response = transport.Push(request);
    EXPECT_TRUE(response.ok()) << response.status();
    if (!response.ok() || response->results_size() != 1) {
      v1::ChangeResult failed;
      failed.set_status(v1::ChangeResult::REJECTED);
      failed.set_message("no result");
      return failed;
    }
    return response->results(0);
  }

  testing::TempDir dir_;
  std::unique_ptr<server::ServerStore> store_;
  std::unique_ptr<server::SyncHandlers> handlers_;
  std::unique_ptr<server::TokenAuthenticator> authenticator_;
  std::unique_ptr<server::GrpcSyncService> service_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<server::Admin> admin_;

  std::string student_s_, student_t_;
  std::map<v1::Role, std::string> users_;  // the role's user on S
  std::map<v1::Role, std::string> own_assignment_;
  std::string other_guardian_, case_manager_of_t_, directory_user_;
  std::string holiday_;   // a SchoolHoliday of the directory
  std::string district_;  // the directory's District
  std::map<std::string, std::string> tokens_;  // by user id
  // Seeded record ids by type full name (User: the directory entry).
  std::map<std::string, std::string> seeded_s_, seeded_t_;

  uint64_t device_seed_ = 100;
  IdGenerator crafted_ids_{SystemClock::Get(), 77};
  HybridClock crafted_clock_{SystemClock::Get()};
};

// --- The matrix, one role per test -------------------------------------------

class PermissionMatrixTest : public PermissionTest,
                             public ::testing::WithParamInterface<v1::Role> {
 protected:
  // What the server must answer `role` writing `type` ("create", "update" or
  // "append"): REASON_UNSPECIFIED for accepted, else the reason.
  static v1::Reason ExpectedWrite(v1::Role role, const RecordType& type,
                                  absl::string_view op) {
    const v1::RecordOptions& options = type.options;
    if (type.short_name == "Student" && op == "create") {
      // A new Student makes a new bucket, "student/<its id>", on which
      // nobody holds an assignment yet: only the district-wide ADMIN role
      // reaches it. core/permissions.h: NOT_ASSIGNED when the caller holds
      // no role on the bucket. Students are created by `plansync-server
      // admin add-student` (server::Admin::AddStudent) instead.
      if (role != v1::ADMIN) return v1::NOT_ASSIGNED;
    }
    if (options.server_written()) return v1::ROLE_NOT_PERMITTED;
    if (Lists(options.writers(), role) || Lists(options.own_writers(), role)) {
      // A Correction names a seeded entry written by the seeder (FillRecord:
      // the first log type by name, a ClassTest, which CheckNewRecord
      // asserts): a staff entry, which only its author and the student's
      // case manager may correct (core/corrections.h).
      if (type.short_name == "Correction" && role != v1::CASE_MANAGER) {
        return v1::NOT_ENTRY_AUTHOR;
      }
      return v1::REASON_UNSPECIFIED;
    }
    // Includes the directory's User for non-administrators: each of them
    // holds a role on S, hence on the directory, so core/permissions.h
    // answers ROLE_NOT_PERMITTED (NOT_ASSIGNED is for a caller with no role
    // at all).
    return v1::ROLE_NOT_PERMITTED;
  }

  // True if every required reference of `type` can name a record in
  // `refs` (the seeded records a device holds).
  static bool MayReference(const RecordType& type,
                           const std::map<std::string, std::string>& refs) {
    for (const FieldInfo& field : type.fields) {
      if (field.required && field.ref != nullptr && !field.is_bucket_key &&
          !refs.contains(field.ref->full_name)) {
        return false;
      }
    }
    return true;
  }

  // Creates (mutable types) or appends (log types) a record of `type` on
  // `device`, syncs, and checks the outcome for one matrix cell.
  void CheckNewRecord(v1::Role role, Device& device, const RecordType& type,
                      const std::map<std::string, std::string>& refs) {
    const std::string op = type.is_log() ? "append" : "create";
    SCOPED_TRACE(
        absl::StrCat(v1::Role_Name(role), " ", op, " ", type.short_name));
    if (type.is_log() && !MayReference(type, refs)) {
      // The device cannot read a record the entry must name (a teacher and
      // a parent's request), so its store cannot write it: a hand-made
      // entry with the user's token stands in for it.
      const std::string& user = users_.at(role);
      const v1::Change change =
          LogEntry(type, student_s_, seeded_s_, user, user);
      const v1::ChangeResult result = PushOne(user, change);
      const v1::Reason expected = ExpectedWrite(role, type, op);
      EXPECT_EQ(Describe(result), Expected(expected)) << result.message();
      if (expected != v1::REASON_UNSPECIFIED) {
        EXPECT_TRUE(ServerItemsOf(StudentBucket(student_s_), change.record_id())
                        .empty());
      }
      return;
    }
    auto record = testing::NewRecord(type);
    testing::FillRecord(type, student_s_, refs, 2, record.get());
    if (const auto* c = dynamic_cast<const v1::Correction*>(record.get())) {
      ASSERT_EQ(c->corrected_entry_type(), "plansync.v1.ClassTest");
    }
    if (type.short_name == "User") {
      // A plain directory entry, no district role.
      record->GetReflection()->SetEnumValue(
          record.get(), type.FieldByName("district_role")->descriptor,
          v1::ROLE_UNSPECIFIED);
    }
    std::string id;
    ASSERT_OK(device.store->Write([&](WriteTransaction& txn) -> absl::Status {
      auto made = type.is_log() ? device.store->Append(txn, *record)
                                : device.store->Create(txn, *record);
      if (made.ok()) id = *made;
      return made.status();
    }));
    auto pending = device.store->PendingChanges(1000);
    ASSERT_OK(pending);
    ASSERT_FALSE(pending->empty());
    const std::string bucket = pending->front().change.bucket();
    CheckSynced(role, device, type, op, id, bucket,
                static_cast<int64_t>(pending->size()));
    const v1::Reason expected = ExpectedWrite(role, type, op);
    const std::vector<std::string> stored = ServerItemsOf(bucket, id);
    if (expected == v1::REASON_UNSPECIFIED) {
      // One item per field written, or the one log entry.
      EXPECT_EQ(static_cast<int64_t>(stored.size()),
                static_cast<int64_t>(pending->size()))
          << "accepted but not stored in full";
    } else {
      EXPECT_TRUE(stored.empty()) << "refused, yet the server stored "
                                  << stored.size() << " items of it";
    }
  }

  // Writes one field of the seeded record of `type` (for a role that reads
  // only its own Assignment: that one), syncs, and checks the outcome.
  void CheckUpdate(v1::Role role, Device& device, const RecordType& type) {
    SCOPED_TRACE(
        absl::StrCat(v1::Role_Name(role), " update ", type.short_name));
    const FieldInfo* field = EditableField(type);
    ASSERT_NE(field, nullptr) << "no field to edit";
    std::string id = seeded_s_.at(type.full_name);
    if (!device.Holds(type, id) && Lists(type.options.own_readers(), role)) {
      id = own_assignment_.at(role);  // the record it does hold: its own
      ASSERT_TRUE(device.Holds(type, id)) << "own record not pulled";
    }
    const std::string bucket = type.bucket_key == nullptr
                                   ? std::string(kDirectoryBucket)
                                   : StudentBucket(student_s_);
    v1::Value value;
    value.set_string_value(absl::StrCat("edited by ", RoleName(role)));
    const std::vector<std::string> before = ServerItemsOf(bucket, id);
    const v1::Reason expected = ExpectedWrite(role, type, "update");
    if (device.Holds(type, id)) {
      ASSERT_OK(device.store->Write([&](WriteTransaction& txn) {
        return device.store->UpdateField(txn, type, id, field->name, value);
      }));
      CheckSynced(role, device, type, "update", id, bucket, 1);
    } else {
      // The device cannot read the record, so its store cannot write it: a
      // hand-made field write with the user's token stands in for it.
      const v1::ChangeResult result =
          PushOne(users_.at(role),
                  FieldWrite(type, id, bucket, users_.at(role), *field, value));
      EXPECT_EQ(Describe(result), Expected(expected)) << result.message();
    }
    if (expected == v1::REASON_UNSPECIFIED) {
      const std::optional<v1::Value> stored =
          ServerValue(bucket, id, field->number);
      ASSERT_TRUE(stored.has_value());
      EXPECT_EQ(stored->string_value(), value.string_value());
    } else {
      EXPECT_EQ(ServerItemsOf(bucket, id), before)
          << "refused, yet the server's record changed";
    }
  }

  // Syncs `device`, whose outbox holds `written` changes of record `id`,
  // and compares the server's answer with the matrix.
  void CheckSynced(v1::Role role, Device& device, const RecordType& type,
                   absl::string_view op, const std::string& id,
                   const std::string& bucket, int64_t written) {
    auto report = device.replicator->SyncOnce();
    ASSERT_OK(report);
    auto rejected = device.store->RejectedChanges();
    ASSERT_OK(rejected);
    std::set<std::string> reasons;
    int64_t refused = 0;
    for (const OutboxEntry& entry : *rejected) {
      if (entry.change.record_id() != id) continue;
      ++refused;
      reasons.insert(v1::Reason_Name(entry.reject_reason));
      EXPECT_EQ(entry.change.record_type(), type.full_name);
      EXPECT_EQ(entry.change.bucket(), bucket);
    }
    std::string actual;
    if (refused == 0 && report->accepted == written &&
        *device.store->PendingCount() == 0) {
      actual = "ACCEPTED";
    } else if (refused == written && reasons.size() == 1) {
      actual = absl::StrCat("REJECTED ", *reasons.begin());
    } else {
      actual = absl::StrCat("MIXED: ", report->accepted, " of ", written,
                            " accepted, ", refused, " refused (",
                            absl::StrJoin(reasons, ", "), "), ",
                            *device.store->PendingCount(), " pending");
    }
    EXPECT_EQ(actual, Expected(ExpectedWrite(role, type, op)));
  }
};

TEST_P(PermissionMatrixTest, PullHoldsExactlyTheReadableRecords) {
  const v1::Role role = GetParam();
  const std::string& user = users_.at(role);
  const std::string bucket_s = StudentBucket(student_s_);
  const std::string bucket_t = StudentBucket(student_t_);
  const std::string directory(kDirectoryBucket);
  const std::set<std::string> own = ServerAssignmentsOf(bucket_s, user);
  ASSERT_EQ(own, (role == v1::ADMIN
                      ? std::set<std::string>{}
                      : std::set<std::string>{own_assignment_.at(role)}));
  // What the server holds before and after the pull. The pull writes the
  // caller's access to the access log (server-written), and a reader of the
  // log may or may not get that entry in the same pull, depending on when
  // the server writes it; so a device holds at least what was there before
  // and at most what is there after. For every other type the two are the
  // same and the check is exact.
  std::map<std::string, std::map<std::string, std::set<std::string>>> before,
      after;
  for (const std::string& bucket : {bucket_s, bucket_t, directory}) {
    before[bucket] = ServerRecords(bucket);
  }
  Device device = NewDevice(user);
  ASSERT_OK(device.replicator->SyncOnce());
  for (const std::string& bucket : {bucket_s, bucket_t, directory}) {
    after[bucket] = ServerRecords(bucket);
  }

  for (const auto& type_ptr : Schema::Get().types()) {
    const RecordType& type = *type_ptr;
    SCOPED_TRACE(absl::StrCat(v1::Role_Name(role), " read ", type.short_name));
    const bool reads_all = Lists(type.options.readers(), role);
    const bool reads_own = Lists(type.options.own_readers(), role);
    // The records of `type` the role may read among `records`; a role on
    // T is held by the district administrator alone.
    auto readable =
        [&](const std::map<std::string, std::set<std::string>>& records,
            bool has_role) {
          std::set<std::string> ids;
          auto it = records.find(type.full_name);
          if (!has_role || it == records.end()) return ids;
          for (const std::string& id : it->second) {
            if (reads_all || (reads_own && own.count(id))) ids.insert(id);
          }
          return ids;
        };
    auto check = [&](const std::string& bucket, const std::string& student,
                     bool has_role) {
      const std::set<std::string> least = readable(before[bucket], has_role);
      const std::set<std::string> most = readable(after[bucket], has_role);
      const std::set<std::string> held = device.Held(type, student);
      if (least == most) {
        EXPECT_EQ(held, least) << bucket;
        return;
      }
      std::vector<std::string> missing, extra;
      std::set_difference(least.begin(), least.end(), held.begin(), held.end(),
                          std::back_inserter(missing));
      std::set_difference(held.begin(), held.end(), most.begin(), most.end(),
                          std::back_inserter(extra));
      EXPECT_TRUE(missing.empty())
          << bucket << ": not pulled: " << absl::StrJoin(missing, ", ");
      EXPECT_TRUE(extra.empty())
          << bucket << ": not readable: " << absl::StrJoin(extra, ", ");
    };
    if (type.bucket_key == nullptr) {
      check(directory, "", true);
      continue;
    }
    if (reads_all || reads_own) {
      EXPECT_FALSE(readable(before[bucket_s], true).empty())
          << "nothing seeded to read";
    }
    check(bucket_s, student_s_, true);
    check(bucket_t, student_t_, role == v1::ADMIN);
  }
}

TEST_P(PermissionMatrixTest, WritesAreAcceptedExactlyForTheListedWriters) {
  const v1::Role role = GetParam();
  Device device = NewDevice(users_.at(role));
  ASSERT_OK(device.replicator->SyncOnce());
  // References the device can make: the seeded records it holds.
  std::map<std::string, std::string> refs;
  for (const auto& [type_name, id] : seeded_s_) {
    if (device.Holds(*Schema::Get().Find(type_name), id)) refs[type_name] = id;
  }
  for (const auto& type_ptr : Schema::Get().types()) {
    const RecordType& type = *type_ptr;
    CheckNewRecord(role, device, type, refs);
    if (type.is_mutable()) CheckUpdate(role, device, type);
  }
}

INSTANTIATE_TEST_SUITE_P(Roles, PermissionMatrixTest,
                         ::testing::ValuesIn(kRoles),
                         [](const ::testing::TestParamInfo<v1::Role>& info) {
                           return v1::Role_Name(info.param);
                         });

// --- Attempts across buckets and authors
// --------------------------------------

TEST_F(PermissionTest, TeacherConfirmingForAnotherStudentIsNotAssigned) {
  const RecordType& type = *Schema::Get().Find("ImplementationConfirmation");
  const std::string& teacher = users_.at(v1::TEACHER);
  // Control: the same hand-made entry for the teacher's own student goes in.
  EXPECT_EQ(Describe(PushOne(teacher, LogEntry(type, student_s_, seeded_s_,
                                               teacher, teacher))),
            "ACCEPTED");

  const std::string before = ServerState();
  const v1::Change change =
      LogEntry(type, student_t_, seeded_t_, teacher, teacher);
  const v1::ChangeResult result = PushOne(teacher, change);
  EXPECT_EQ(Describe(result), "REJECTED NOT_ASSIGNED") << result.message();
  EXPECT_EQ(ServerState(), before);
  EXPECT_TRUE(
      ServerItemsOf(StudentBucket(student_t_), change.record_id()).empty());
}

TEST_F(PermissionTest, GuardianFilingUnderAnotherGuardiansNameIsRefused) {
  const RecordType& type = *Schema::Get().Find("LapseReport");
  const std::string& guardian = users_.at(v1::GUARDIAN);
  EXPECT_EQ(Describe(PushOne(guardian, LogEntry(type, student_s_, seeded_s_,
                                                guardian, guardian))),
            "ACCEPTED");

  const std::string before = ServerState();
  // The entry names the other guardian as its author; the change is the
  // caller's own.
  v1::Change change =
      LogEntry(type, student_s_, seeded_s_, other_guardian_, guardian);
  v1::ChangeResult result = PushOne(guardian, change);
  EXPECT_EQ(Describe(result), "REJECTED AUTHOR_MISMATCH") << result.message();
  EXPECT_EQ(ServerState(), before);
  EXPECT_TRUE(
      ServerItemsOf(StudentBucket(student_s_), change.record_id()).empty());

  // Both the entry and the change name the other guardian.
  change =
      LogEntry(type, student_s_, seeded_s_, other_guardian_, other_guardian_);
  result = PushOne(guardian, change);
  EXPECT_EQ(Describe(result), "REJECTED AUTHOR_MISMATCH") << result.message();
  EXPECT_EQ(ServerState(), before);
  EXPECT_TRUE(
      ServerItemsOf(StudentBucket(student_s_), change.record_id()).empty());
}

TEST_F(PermissionTest, ReferencesToAnotherStudentsRecordsAreRefused) {
  const std::string& case_manager = users_.at(v1::CASE_MANAGER);
  const std::string& teacher = users_.at(v1::TEACHER);
  const std::string bucket_s = StudentBucket(student_s_);
  // Entries for S that name T's records; everything else is S's.
  std::map<std::string, std::string> mixed = seeded_s_;
  mixed["plansync.v1.LapseReport"] = seeded_t_.at("plansync.v1.LapseReport");
  mixed["plansync.v1.Accommodation"] =
      seeded_t_.at("plansync.v1.Accommodation");

  const RecordType& response = *Schema::Get().Find("LapseResponse");
  const RecordType& confirmation =
      *Schema::Get().Find("ImplementationConfirmation");
  // Controls: the same entries naming S's own records go in.
  EXPECT_EQ(
      Describe(PushOne(case_manager, LogEntry(response, student_s_, seeded_s_,
                                              case_manager, case_manager))),
      "ACCEPTED");
  EXPECT_EQ(Describe(PushOne(teacher, LogEntry(confirmation, student_s_,
                                               seeded_s_, teacher, teacher))),
            "ACCEPTED");

  const RecordType& accommodation = *Schema::Get().Find("Accommodation");
  v1::Value plan_of_t;
  plan_of_t.set_string_value(seeded_t_.at("plansync.v1.Plan"));
  struct Attempt {
    std::string what;
    std::string user;
    v1::Change change;
  };
  const Attempt attempts[] = {
      {"case manager: LapseResponse for S naming T's LapseReport", case_manager,
       LogEntry(response, student_s_, mixed, case_manager, case_manager)},
      {"case manager: S's Accommodation.plan_id set to T's Plan", case_manager,
       FieldWrite(accommodation, seeded_s_.at("plansync.v1.Accommodation"),
                  bucket_s, case_manager, *accommodation.FieldByName("plan_id"),
                  plan_of_t)},
      {"teacher: ImplementationConfirmation for S naming T's Accommodation",
       teacher, LogEntry(confirmation, student_s_, mixed, teacher, teacher)},
  };
  for (const Attempt& attempt : attempts) {
    SCOPED_TRACE(attempt.what);
    const std::string before = ServerState();
    const std::vector<std::string> items_before =
        ServerItemsOf(bucket_s, attempt.change.record_id());
    const v1::ChangeResult result = PushOne(attempt.user, attempt.change);
    EXPECT_EQ(Describe(result), "REJECTED CROSS_STUDENT_REFERENCE")
        << result.message();
    EXPECT_EQ(ServerState(), before);
    EXPECT_EQ(ServerItemsOf(bucket_s, attempt.change.record_id()),
              items_before);
  }
}

TEST_F(PermissionTest, PushedConflictEntriesAreRefused) {
  const RecordType& type = *Schema::Get().Find("Conflict");
  // Even the roles that read conflicts may not write one.
  for (v1::Role role : {v1::CASE_MANAGER, v1::ADMIN, v1::TEACHER}) {
    SCOPED_TRACE(v1::Role_Name(role));
    const std::string& user = users_.at(role);
    const std::string before = ServerState();
    const v1::Change change = LogEntry(type, student_s_, seeded_s_, user, user);
    const v1::ChangeResult result = PushOne(user, change);
    EXPECT_EQ(Describe(result), "REJECTED ROLE_NOT_PERMITTED")
        << result.message();
    EXPECT_EQ(ServerState(), before);
    EXPECT_TRUE(
        ServerItemsOf(StudentBucket(student_s_), change.record_id()).empty());
  }
}

TEST_F(PermissionTest, CaseManagerOfAnotherStudentHoldsNothingOfThisOne) {
  Device device = NewDevice(case_manager_of_t_);
  ASSERT_OK(device.replicator->SyncOnce());
  for (const auto& type_ptr : Schema::Get().types()) {
    const RecordType& type = *type_ptr;
    if (type.bucket_key == nullptr) continue;
    SCOPED_TRACE(type.short_name);
    EXPECT_TRUE(device.Held(type, student_s_).empty());
    // T's own records arrive (the case manager reads every type).
    if (Lists(type.options.readers(), v1::CASE_MANAGER)) {
      EXPECT_TRUE(
          device.Held(type, student_t_).count(seeded_t_.at(type.full_name)));
    }
  }
  // Writing in S: no role there.
  const std::string before = ServerState();
  const RecordType& comment = *Schema::Get().Find("Comment");
  const v1::Change change = LogEntry(comment, student_s_, seeded_s_,
                                     case_manager_of_t_, case_manager_of_t_);
  const v1::ChangeResult result = PushOne(case_manager_of_t_, change);
  EXPECT_EQ(Describe(result), "REJECTED NOT_ASSIGNED") << result.message();
  EXPECT_EQ(ServerState(), before);
}

}  // namespace
}  // namespace plansync
