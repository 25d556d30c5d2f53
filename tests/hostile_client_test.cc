// What a hostile client tried against the server, each pinned by a test named
// after what broke. Real principals (users, students and assignments made by
// server::Admin, access resolved from the grants) push and pull through the
// server's handlers over a SQLite store file; honest devices sync with the
// Replicator. After every refusal the store file is byte-identical: a SHA-256
// over every row of every table, read with SQLite itself.
#include <sqlite3.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/change_check.h"
#include "core/clock.h"
#include "core/errors.h"
#include "core/schema.h"
#include "core/sha256.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "server/admin.h"
#include "server/sqlite_server_store.h"
#include "server/sync_handlers.h"
#include "sync/replicator.h"
#include "tests/sync_test_util.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

// SHA-256 over every row of every table of the SQLite file at `path`, tables
// by name, rows in key order, each value with its SQLite type.
std::string DigestOfStoredRows(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  std::vector<std::string> tables;
  sqlite3_stmt* list = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT name FROM sqlite_master WHERE type = 'table' "
                     "ORDER BY name",
                     -1, &list, nullptr);
  while (sqlite3_step(list) == SQLITE_ROW) {
    tables.emplace_back(
        reinterpret_cast<const char*>(sqlite3_column_text(list, 0)));
  }
  sqlite3_finalize(list);
  std::string all;
  for (const std::string& table : tables) {
    absl::StrAppend(&all, "table ", table, "\n");
    sqlite3_stmt* rows = nullptr;
    sqlite3_prepare_v2(db,
                       absl::StrCat("SELECT * FROM \"", table, "\"").c_str(),
                       -1, &rows, nullptr);
    while (sqlite3_step(rows) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(rows); ++i) {
        const int type = sqlite3_column_type(rows, i);
        const auto* bytes =
            static_cast<const char*>(sqlite3_column_blob(rows, i));
        absl::StrAppend(&all, type, ":", sqlite3_column_bytes(rows, i), ":",
                        absl::string_view(bytes == nullptr ? "" : bytes,
                                          sqlite3_column_bytes(rows, i)),
                        "|");
      }
      all += "\n";
    }
    sqlite3_finalize(rows);
  }
  sqlite3_close(db);
  return Sha256Hex(all);
}

std::string Describe(const v1::ChangeResult& result) {
  if (result.status() == v1::ChangeResult::ACCEPTED) return "ACCEPTED";
  if (result.status() == v1::ChangeResult::DUPLICATE) return "DUPLICATE";
  return absl::StrCat("REJECTED ", v1::Reason_Name(result.reason()));
}

class HostileClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("server.db");
    server::SqliteServerStoreOptions options;
    options.path = path_;
    options.durable = false;
    auto store = server::OpenSqliteServerStore(options);
    ASSERT_OK(store);
    store_ = std::move(*store);
    server::ServerLimits limits;
    limits.max_pull_cursors = 3;  // an administrator holds more buckets
    handlers_ = std::make_unique<server::SyncHandlers>(store_.get(), &clock_,
                                                       limits, 7);
    admin_ = std::make_unique<server::Admin>(store_.get(), &clock_, 11);
    student_s_ = AddStudent("Sam");
    student_t_ = AddStudent("Tess");
    guardian_ = AddUser("Gloria Guardian");
    teacher_ = AddUser("Lee Teacher");
    case_manager_ = AddUser("Cora Case");
    Assign(guardian_, student_s_, v1::GUARDIAN);
    Assign(teacher_, student_s_, v1::TEACHER);
    Assign(case_manager_, student_s_, v1::CASE_MANAGER);
    Assign(case_manager_, student_t_, v1::CASE_MANAGER);

    // The case manager's plan for each student; the teacher confirms one
    // accommodation of S's.
    cm_ = NewDevice(case_manager_);
    ASSERT_OK(cm_.replicator->SyncOnce());
    plan_s_ = CreatePlan(student_s_);
    accommodation_s_ = CreateAccommodation(student_s_, plan_s_);
    plan_t_ = CreatePlan(student_t_);
    accommodation_t_ = CreateAccommodation(student_t_, plan_t_);
    SyncClean(cm_);
    teacher_device_ = NewDevice(teacher_);
    ASSERT_OK(teacher_device_.replicator->SyncOnce());
    confirmation_ = Confirm(teacher_device_);
    SyncClean(teacher_device_);
  }

  struct Device {
    std::unique_ptr<DeviceStore> store;
    std::unique_ptr<testing::DirectTransport> transport;
    std::unique_ptr<sync::Replicator> replicator;
  };

  Device NewDevice(const std::string& user,
                   uint32_t schema_version = kSchemaVersion) {
    Device device;
    device.store = testing::OpenStore(":memory:", user, &clock_, ++seed_);
    device.transport = std::make_unique<testing::DirectTransport>(
        handlers_.get(), user, /*unrestricted=*/false);
    sync::ReplicatorOptions options;
    options.sleep = [](absl::Duration) {};
    options.seed = seed_;
    options.schema_version = schema_version;
    device.replicator = std::make_unique<sync::Replicator>(
        device.store.get(), device.transport.get(), options);
    return device;
  }

  void SyncClean(Device& device) {
    auto report = device.replicator->SyncOnce();
    ASSERT_OK(report);
    ASSERT_EQ(report->rejected, 0);
    ASSERT_EQ(*device.store->PendingCount(), 0);
  }

  std::string AddStudent(const std::string& name) {
    v1::Student student;
    student.set_given_name(name);
    student.set_family_name("Rivera");
    auto id = admin_->AddStudent(student);
    EXPECT_OK(id);
    return id.ok() ? *id : "";
  }
  std::string AddUser(const std::string& name) {
    auto id = admin_->AddUser(name, v1::ROLE_UNSPECIFIED);
    EXPECT_OK(id);
    return id.ok() ? *id : "";
  }
  void Assign(const std::string& user, const std::string& student,
              v1::Role role) {
    v1::Assignment assignment;
    assignment.set_user_id(user);
    assignment.set_student_id(student);
    assignment.set_role(role);
    auto id = admin_->Assign(assignment);
    EXPECT_OK(id);
    if (user == guardian_ && student == student_s_) guardian_assignment_ = *id;
  }

  std::string CreatePlan(const std::string& student) {
    v1::Plan plan;
    plan.set_student_id(student);
    plan.set_kind(v1::PLAN_KIND_IEP);
    plan.set_version(1);
    plan.set_status(v1::PLAN_STATUS_ACTIVE);
    plan.set_start_date("2026-09-01");
    plan.set_jurisdiction("US-MO");
    return testing::CreateRecord(*cm_.store, plan);
  }
  std::string CreateAccommodation(const std::string& student,
                                  const std::string& plan) {
    v1::Accommodation accommodation;
    accommodation.set_student_id(student);
    accommodation.set_plan_id(plan);
    accommodation.set_title("Extended time (1.5x)");
    accommodation.set_kind(v1::ACCOMMODATION_KIND_ACCOMMODATION);
    accommodation.set_category(
        v1::ACCOMMODATION_CATEGORY_TIMING_AND_SCHEDULING);
    return testing::CreateRecord(*cm_.store, accommodation);
  }
  std::string Confirm(Device& device) {
    v1::ImplementationConfirmation entry;
    entry.set_student_id(student_s_);
    entry.set_accommodation_id(accommodation_s_);
    entry.set_day("2026-09-09");
    entry.set_status(v1::CONFIRMATION_STATUS_PROVIDED);
    return testing::AppendEntry(*device.store, entry);
  }

  server::AuthContext AuthOf(const std::string& user) {
    server::AuthContext auth;
    auth.principal_id = user;
    return auth;
  }

  // A change as `user`'s device would send it, under `replica`.
  v1::Change Change(const std::string& user, const std::string& replica,
                    uint64_t seq, const RecordType& type,
                    const std::string& record_id, const std::string& bucket) {
    v1::Change change;
    change.set_replica_id(replica);
    change.set_replica_seq(seq);
    change.set_record_type(type.full_name);
    change.set_record_id(record_id);
    change.set_bucket(bucket);
    change.set_author_id(user);
    change.set_hlc(HlcPack(clock_.NowMillis(), 0));
    return change;
  }
  v1::Change LogChange(const std::string& user, const std::string& replica,
                       uint64_t seq, const google::protobuf::Message& entry) {
    const RecordType& type = *Schema::Get().For(entry.GetDescriptor());
    const auto* reflection = entry.GetReflection();
    v1::Change change =
        Change(user, replica, seq, type,
               reflection->GetString(entry, type.fields[0].descriptor),
               BucketOf(type, entry));
    entry.SerializeToString(change.mutable_log_entry());
    return change;
  }
  v1::Change Write(const std::string& user, const std::string& replica,
                   uint64_t seq, const RecordType& type,
                   const std::string& record_id, const std::string& bucket,
                   absl::string_view field, const v1::Value& value) {
    v1::Change change = Change(user, replica, seq, type, record_id, bucket);
    change.mutable_field_write()->set_field_number(
        type.FieldByName(field)->number);
    *change.mutable_field_write()->mutable_value() = value;
    return change;
  }
  // A Comment by `user` on S, stamped like its change.
  v1::Comment CommentBy(const std::string& user, const std::string& about,
                        const std::string& about_type) {
    v1::Comment comment;
    comment.set_id(ids_.Next());
    comment.set_student_id(student_s_);
    comment.set_author_id(user);
    comment.set_recorded_hlc(
        static_cast<int64_t>(HlcPack(clock_.NowMillis(), 0)));
    comment.set_about_record_id(about);
    comment.set_about_record_type(about_type);
    comment.set_text("The quiz was collected at the bell.");
    return comment;
  }

  std::vector<v1::ChangeResult> Push(const std::string& user,
                                     std::vector<v1::Change> changes) {
    v1::PushRequest request;
    for (v1::Change& change : changes) *request.add_changes() = change;
    auto response = handlers_->Push(AuthOf(user), request);
    EXPECT_OK(response);
    if (!response.ok()) return {};
    return {response->results().begin(), response->results().end()};
  }

  // Pushes `change` as `user`: REJECTED with `reason`, a message holding
  // `message_part`, and the store file byte-identical.
  void ExpectRefused(const std::string& user, const v1::Change& change,
                     v1::Reason reason, absl::string_view message_part) {
    const std::string before = DigestOfStoredRows(path_);
    std::vector<v1::ChangeResult> results = Push(user, {change});
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(Describe(results[0]),
              absl::StrCat("REJECTED ", v1::Reason_Name(reason)))
        << results[0].message();
    EXPECT_NE(results[0].message().find(std::string(message_part)),
              std::string::npos)
        << results[0].message();
    EXPECT_EQ(DigestOfStoredRows(path_), before);
  }

  // Every record the server holds in `bucket` is held by `device`, but for
  // the types some roles read only in part (assignments, the access log).
  void ExpectHoldsEverythingOf(DeviceStore& device, const std::string& bucket) {
    std::vector<server::FeedItem> items;
    ASSERT_OK(store_->ReadFeed(bucket, 0, 100000, &items));
    ASSERT_FALSE(items.empty());
    for (const server::FeedItem& item : items) {
      const RecordType* type =
          Schema::Get().FindCanonical(item.change.record_type());
      if (!type->options.own_readers().empty()) continue;
      auto record = testing::NewRecord(*type);
      absl::Status held = device.Get(item.change.record_id(), record.get());
      EXPECT_TRUE(held.ok()) << type->short_name << ": " << held;
    }
  }

  const RecordType& TypeOf(absl::string_view name) {
    return *Schema::Get().FindCanonical(absl::StrCat("plansync.v1.", name));
  }
  std::string BucketS() const { return StudentBucket(student_s_); }

  testing::TempDir dir_;
  std::string path_;
  FakeClock clock_{testing::kStartMillis};
  IdGenerator ids_{&clock_, 99};
  std::unique_ptr<server::ServerStore> store_;
  std::unique_ptr<server::SyncHandlers> handlers_;
  std::unique_ptr<server::Admin> admin_;
  uint64_t seed_ = 100;
  std::string student_s_, student_t_, guardian_, teacher_, case_manager_;
  std::string guardian_assignment_;
  std::string plan_s_, accommodation_s_, plan_t_, accommodation_t_;
  std::string confirmation_;
  Device cm_, teacher_device_;
};

// 1. A guardian pushed Comments under the teacher's replica id with the next
// sequence numbers; the teacher's next real change was then refused for good.
TEST_F(HostileClientTest, ChangesUnderAnotherUsersReplicaIdAreRefused) {
  const std::string teacher_replica = teacher_device_.store->replica_id();
  const uint64_t next = 2;  // the teacher has sent change 1 (and more)
  const v1::Comment comment = CommentBy(
      guardian_, confirmation_, "plansync.v1.ImplementationConfirmation");
  ExpectRefused(guardian_, LogChange(guardian_, teacher_replica, next, comment),
                v1::REPLICA_NOT_OWNED, "belongs to another user");
  // The squatter's Hello with that replica id is refused too.
  v1::HelloRequest hello;
  hello.set_replica_id(teacher_replica);
  auto refused = handlers_->Hello(AuthOf(guardian_), hello);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonOf(refused.status()), v1::REPLICA_NOT_OWNED);
  // The owner is not affected: its next change goes through.
  Confirm(teacher_device_);
  SyncClean(teacher_device_);
  // A replica first used by the guardian is hers.
  Device phone = NewDevice(guardian_);
  ASSERT_OK(phone.replicator->SyncOnce());
  const v1::Comment own = CommentBy(guardian_, confirmation_,
                                    "plansync.v1.ImplementationConfirmation");
  ExpectRefused(teacher_,
                LogChange(teacher_, phone.store->replica_id(), 1, own),
                v1::REPLICA_NOT_OWNED, "replica");
}

// 2. A case manager rewrote Plan.kind, Assignment.role and Assignment.user_id
// of existing records and was accepted.
TEST_F(HostileClientTest, ImmutableFieldsAreRefusedByTheServer) {
  const std::string replica = cm_.store->replica_id();
  uint64_t seq = 1000;
  v1::Value kind;
  kind.set_int_value(v1::PLAN_KIND_SECTION_504);
  ExpectRefused(case_manager_,
                Write(case_manager_, replica, ++seq, TypeOf("Plan"), plan_s_,
                      BucketS(), "kind", kind),
                v1::IMMUTABLE_FIELD, "Plan.kind is fixed");
  v1::Value role;
  role.set_int_value(v1::CASE_MANAGER);
  ExpectRefused(case_manager_,
                Write(case_manager_, replica, ++seq, TypeOf("Assignment"),
                      guardian_assignment_, BucketS(), "role", role),
                v1::IMMUTABLE_FIELD, "Assignment.role is fixed");
  v1::Value user;
  user.set_string_value(teacher_);
  ExpectRefused(case_manager_,
                Write(case_manager_, replica, ++seq, TypeOf("Assignment"),
                      guardian_assignment_, BucketS(), "user_id", user),
                v1::IMMUTABLE_FIELD, "Assignment.user_id is fixed");
  // The guardian is still a guardian: she may not end the plan.
  v1::Value ended;
  ended.set_int_value(v1::PLAN_STATUS_ENDED);
  Device phone = NewDevice(guardian_);
  ASSERT_OK(phone.replicator->SyncOnce());
  ExpectRefused(guardian_,
                Write(guardian_, phone.store->replica_id(), 1, TypeOf("Plan"),
                      plan_s_, BucketS(), "status", ended),
                v1::ROLE_NOT_PERMITTED, "guardian");
}

// 3. Short type names slipped past the checks: a confirmation re-sent as
// "ImplementationConfirmation" with new content, an accommodation written as
// "Accommodation" into another student's bucket.
TEST_F(HostileClientTest, ShortTypeNamesAndRecordsOutsideTheirBucket) {
  const std::string replica = cm_.store->replica_id();
  v1::ImplementationConfirmation forged;
  forged.set_id(confirmation_);
  forged.set_student_id(student_s_);
  forged.set_author_id(case_manager_);
  forged.set_accommodation_id(accommodation_s_);
  forged.set_day("2026-09-09");
  forged.set_status(v1::CONFIRMATION_STATUS_NOT_PROVIDED);
  v1::Change short_name = LogChange(case_manager_, replica, 2000, forged);
  short_name.set_record_type("ImplementationConfirmation");
  forged.set_recorded_hlc(static_cast<int64_t>(short_name.hlc()));
  forged.SerializeToString(short_name.mutable_log_entry());
  ExpectRefused(case_manager_, short_name, v1::UNKNOWN_RECORD_TYPE,
                "\"plansync.v1.ImplementationConfirmation\"");
  v1::Value title;
  title.set_string_value("Moved");
  v1::Change plan_short = Write(case_manager_, replica, 2001, TypeOf("Plan"),
                                plan_s_, BucketS(), "jurisdiction", title);
  plan_short.set_record_type("Plan");
  ExpectRefused(case_manager_, plan_short, v1::UNKNOWN_RECORD_TYPE,
                "full name");
  // S's accommodation written into T's bucket (the case manager holds both).
  v1::Value plan_of_t;
  plan_of_t.set_string_value(plan_t_);
  ExpectRefused(
      case_manager_,
      Write(case_manager_, replica, 2002, TypeOf("Accommodation"),
            accommodation_s_, StudentBucket(student_t_), "title", title),
      v1::WRONG_BUCKET, "belongs to another bucket");
  // An entry reusing the accommodation's id as another type.
  v1::Comment comment = CommentBy(case_manager_, plan_s_, "plansync.v1.Plan");
  comment.set_id(accommodation_s_);
  ExpectRefused(case_manager_, LogChange(case_manager_, replica, 2003, comment),
                v1::DUPLICATE_ID, "belongs to a Accommodation");
}

// 4. A 1 MB unknown field inside a log entry, on the Change and inside a
// register value was stored and served to every reader.
TEST_F(HostileClientTest, UnknownFieldsAreRefusedAtEveryLevel) {
  const std::string replica = teacher_device_.store->replica_id();
  uint64_t seq = 3000;
  v1::Comment comment = CommentBy(teacher_, confirmation_,
                                  "plansync.v1.ImplementationConfirmation");
  comment.GetReflection()->MutableUnknownFields(&comment)->AddLengthDelimited(
      99, std::string(200, 'x'));
  ExpectRefused(teacher_, LogChange(teacher_, replica, ++seq, comment),
                v1::UNKNOWN_FIELD, "Comment has no field number 99");

  v1::Comment plain = CommentBy(teacher_, confirmation_,
                                "plansync.v1.ImplementationConfirmation");
  v1::Change on_change = LogChange(teacher_, replica, ++seq, plain);
  on_change.GetReflection()
      ->MutableUnknownFields(&on_change)
      ->AddLengthDelimited(77, "smuggled");
  ExpectRefused(teacher_, on_change, v1::UNKNOWN_FIELD, "does not define");

  v1::Value title;
  title.set_string_value("Extended time");
  title.GetReflection()->MutableUnknownFields(&title)->AddVarint(9, 1);
  ExpectRefused(case_manager_,
                Write(case_manager_, cm_.store->replica_id(), ++seq,
                      TypeOf("Accommodation"), accommodation_s_, BucketS(),
                      "title", title),
                v1::UNKNOWN_FIELD, "does not define");

  // A megabyte anywhere in a change is past the change size bound.
  v1::Comment big = CommentBy(teacher_, confirmation_,
                              "plansync.v1.ImplementationConfirmation");
  big.GetReflection()->MutableUnknownFields(&big)->AddLengthDelimited(
      99, std::string(1 << 20, 'x'));
  ExpectRefused(teacher_, LogChange(teacher_, replica, ++seq, big),
                v1::BATCH_TOO_LARGE, "at most 65536 bytes per change");

  // The device refuses them in its own writes, storing nothing.
  const int64_t pending = *teacher_device_.store->PendingCount();
  absl::Status refused =
      teacher_device_.store->Write([&](WriteTransaction& txn) -> absl::Status {
        v1::Comment local = comment;
        local.clear_id();
        return teacher_device_.store->Append(txn, local).status();
      });
  EXPECT_EQ(ReasonOf(refused), v1::UNKNOWN_FIELD) << refused;
  EXPECT_EQ(*teacher_device_.store->PendingCount(), pending);
}

// 6. Negative minutes were accepted although VALUE_OUT_OF_RANGE is documented.
TEST_F(HostileClientTest, NumbersOutsideTheirRangeAreRefused) {
  v1::Value minutes;
  minutes.set_int_value(-60);
  v1::Service service;
  const RecordType& type = TypeOf("Service");
  ExpectRefused(
      case_manager_,
      Write(case_manager_, cm_.store->replica_id(), 4000, type, ids_.Next(),
            BucketS(), "minutes_per_period", minutes),
      v1::VALUE_OUT_OF_RANGE,
      "Service.minutes_per_period is -60; it must be from 0 to 20000");
  // The device applies the same check to its own writes.
  v1::ServiceSession session;
  session.set_student_id(student_s_);
  session.set_service_id(ids_.Next());
  session.set_day("2026-09-09");
  session.set_minutes_delivered(-30);
  session.set_outcome(v1::SESSION_OUTCOME_DELIVERED);
  absl::Status refused =
      cm_.store->Write([&](WriteTransaction& txn) -> absl::Status {
        return cm_.store->Append(txn, session).status();
      });
  EXPECT_EQ(ReasonOf(refused), v1::VALUE_OUT_OF_RANGE);
  EXPECT_NE(refused.message().find("from 0 to 480"), std::string::npos)
      << refused;
}

// 7. A log entry's recorded_hlc was taken as sent (max int64 accepted), so a
// forged stamp always won "the latest".
TEST_F(HostileClientTest, ForgedRecordedStampIsRefused) {
  v1::Comment comment = CommentBy(teacher_, confirmation_,
                                  "plansync.v1.ImplementationConfirmation");
  comment.set_recorded_hlc(std::numeric_limits<int64_t>::max());
  ExpectRefused(
      teacher_,
      LogChange(teacher_, teacher_device_.store->replica_id(), 5000, comment),
      v1::STORE_ASSIGNED_MISMATCH, "recorded_hlc");
  // The device checks what it pulls the same way: a forged entry is held.
  v1::Change forged = LogChange(teacher_, "another-replica", 1, comment);
  auto results =
      teacher_device_.store->Write([&](WriteTransaction& txn) -> absl::Status {
        google::protobuf::RepeatedPtrField<v1::Change> changes;
        *changes.Add() = forged;
        auto applied = teacher_device_.store->ApplyRemote(txn, changes);
        if (!applied.ok()) return applied.status();
        EXPECT_EQ((*applied)[0].outcome, RemoteOutcome::kRejected);
        EXPECT_EQ(ReasonOf((*applied)[0].error), v1::STORE_ASSIGNED_MISMATCH);
        return absl::OkStatus();
      });
  EXPECT_OK(results);
}

// 9. A guardian's comment on S named T's accommodation, and about_record_type
// took any string.
TEST_F(HostileClientTest, TypedReferencesAreValidatedLikeOthers) {
  Device phone = NewDevice(guardian_);
  ASSERT_OK(phone.replicator->SyncOnce());
  const std::string replica = phone.store->replica_id();
  ExpectRefused(guardian_,
                LogChange(guardian_, replica, 1,
                          CommentBy(guardian_, accommodation_t_,
                                    "plansync.v1.Accommodation")),
                v1::CROSS_STUDENT_REFERENCE, "belongs to another student");
  ExpectRefused(guardian_,
                LogChange(guardian_, replica, 2,
                          CommentBy(guardian_, accommodation_s_, "anything")),
                v1::UNKNOWN_RECORD_TYPE, "about_record_type");
  ExpectRefused(
      guardian_,
      LogChange(guardian_, replica, 3,
                CommentBy(guardian_, accommodation_s_, "Accommodation")),
      v1::UNKNOWN_RECORD_TYPE, "full name");
  ExpectRefused(
      guardian_,
      LogChange(guardian_, replica, 4,
                CommentBy(guardian_, accommodation_s_, "plansync.v1.Plan")),
      v1::UNKNOWN_REFERENCE, "is not a Plan");
  v1::Correction correction;
  correction.set_id(ids_.Next());
  correction.set_student_id(student_s_);
  correction.set_author_id(guardian_);
  correction.set_corrected_entry_id(plan_s_);
  correction.set_corrected_entry_type("plansync.v1.Plan");
  correction.set_reason("wrong");
  v1::Change change = LogChange(guardian_, replica, 5, correction);
  correction.set_recorded_hlc(static_cast<int64_t>(change.hlc()));
  correction.SerializeToString(change.mutable_log_entry());
  ExpectRefused(guardian_, change, v1::UNKNOWN_RECORD_TYPE, "log entry type");
  // The same comment on S's own accommodation is hers to write.
  EXPECT_EQ(Describe(Push(guardian_,
                          {LogChange(guardian_, replica, 6,
                                     CommentBy(guardian_, accommodation_s_,
                                               "plansync.v1.Accommodation"))})
                         .at(0)),
            "ACCEPTED");
  // Her device refuses the cross-student one itself.
  absl::Status local = phone.store->Write([&](WriteTransaction& txn) {
    v1::Comment comment =
        CommentBy(guardian_, accommodation_t_, "plansync.v1.Accommodation");
    comment.clear_id();
    return phone.store->Append(txn, comment).status();
  });
  EXPECT_EQ(ReasonOf(local), v1::UNKNOWN_REFERENCE) << local;
}

// 10. Invalid UTF-8 in a register value or in record_type got INTERNAL with
// an empty message.
TEST_F(HostileClientTest, InvalidUtf8SaysWhichFieldIsMalformed) {
  const std::string replica = cm_.store->replica_id();
  v1::Value title;
  title.set_string_value("Extended \xff\xfe time");
  ExpectRefused(case_manager_,
                Write(case_manager_, replica, 6000, TypeOf("Accommodation"),
                      accommodation_s_, BucketS(), "title", title),
                v1::INVALID_UTF8, "Accommodation.title is not valid UTF-8");
  v1::Value plain;
  plain.set_string_value("Extended time");
  v1::Change bad_type =
      Write(case_manager_, replica, 6001, TypeOf("Accommodation"),
            accommodation_s_, BucketS(), "title", plain);
  bad_type.set_record_type("plansync.v1.\xc3\x28");
  ExpectRefused(case_manager_, bad_type, v1::INVALID_UTF8,
                "the change's record_type is not valid UTF-8");
  // Inside a log entry the parser refuses it; the message still names it.
  v1::Comment comment = CommentBy(case_manager_, plan_s_, "plansync.v1.Plan");
  v1::Change change = LogChange(case_manager_, replica, 6002, comment);
  std::string bytes = change.log_entry();
  const std::string text = comment.text();
  bytes.replace(bytes.find(text), 2, "\xed\xa0");  // a UTF-16 surrogate
  change.set_log_entry(bytes);
  ExpectRefused(case_manager_, change, v1::INVALID_UTF8,
                "Comment.text is not valid UTF-8");
  // A NUL in an id is well-formed UTF-8 but no id (and PostgreSQL refuses
  // it in text): refused before the server looks anything up by it.
  v1::Change nul_bucket =
      Write(case_manager_, replica, 6003, TypeOf("Accommodation"),
            accommodation_s_, BucketS(), "title", plain);
  nul_bucket.set_bucket(BucketS() + std::string(1, '\0'));
  ExpectRefused(case_manager_, nul_bucket, v1::MALFORMED_CHANGE,
                "the change's bucket holds a NUL character");
}

// 5. 100,000 cursors naming one bucket made the server send it 100,000 times.
TEST_F(HostileClientTest, DuplicateCursorsArePulledOnceAndCursorsAreCapped) {
  v1::PullRequest request;
  for (int i = 0; i < 100000; ++i) {
    v1::BucketCursor* cursor = request.add_cursors();
    cursor->set_bucket(BucketS());
    cursor->set_cursor(0);
  }
  int64_t sent = 0;
  ASSERT_OK(
      handlers_->Pull(AuthOf(teacher_), request, [&](const v1::PullPage& page) {
        sent += page.changes_size();
        return true;
      }));
  // Exactly what one pull of the bucket sends the teacher.
  v1::PullRequest once;
  *once.add_cursors() = request.cursors(0);
  int64_t single = 0;
  ASSERT_OK(
      handlers_->Pull(AuthOf(teacher_), once, [&](const v1::PullPage& page) {
        single += page.changes_size();
        return true;
      }));
  EXPECT_GT(single, 0);
  EXPECT_EQ(sent, single);
  // More distinct buckets than the limit (3 here) is refused.
  v1::PullRequest many;
  for (int i = 0; i < 4; ++i) {
    v1::BucketCursor* cursor = many.add_cursors();
    cursor->set_bucket(StudentBucket(ids_.Next()));
  }
  absl::Status refused = handlers_->Pull(
      AuthOf(teacher_), many, [](const v1::PullPage&) { return true; });
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ReasonOf(refused), v1::TOO_MANY_CURSORS);
  EXPECT_NE(refused.message().find("at most 3"), std::string::npos) << refused;
}

// The replicator splits an administrator's buckets (more than the cap) over
// several pulls, and pulls again while the server says `more`.
TEST_F(HostileClientTest, AdministratorWithMoreBucketsThanTheCapSyncsAll) {
  for (int i = 0; i < 4; ++i) AddStudent(absl::StrCat("Extra ", i));
  auto admin_user = admin_->AddUser("District Admin", v1::ADMIN);
  ASSERT_OK(admin_user);
  Device admin_device = NewDevice(*admin_user);
  auto report = admin_device.replicator->SyncOnce();
  ASSERT_OK(report);
  auto cursors = admin_device.store->Cursors();
  ASSERT_OK(cursors);
  // Six students (S, T and four more) and the directory: more than three.
  EXPECT_EQ(cursors->size(), 7u);
  auto buckets = store_->Buckets();
  ASSERT_OK(buckets);
  EXPECT_EQ(cursors->size(), buckets->size());
  ExpectHoldsEverythingOf(*admin_device.store, BucketS());
  ExpectHoldsEverythingOf(*admin_device.store, StudentBucket(student_t_));
}

TEST_F(HostileClientTest, PullStopsAtItsByteBoundAndTheDeviceContinues) {
  server::ServerLimits limits;
  limits.max_pull_bytes = 1;  // every page ends the pull
  limits.pull_page_changes = 2;
  server::SyncHandlers small(store_.get(), &clock_, limits, 8);
  Device device;
  device.store = testing::OpenStore(":memory:", case_manager_, &clock_, 501);
  device.transport = std::make_unique<testing::DirectTransport>(
      &small, case_manager_, /*unrestricted=*/false);
  sync::ReplicatorOptions options;
  options.sleep = [](absl::Duration) {};
  device.replicator = std::make_unique<sync::Replicator>(
      device.store.get(), device.transport.get(), options);
  auto report = device.replicator->SyncOnce();
  ASSERT_OK(report);
  EXPECT_GT(report->pages, 4);
  ExpectHoldsEverythingOf(*device.store, BucketS());
  ExpectHoldsEverythingOf(*device.store, StudentBucket(student_t_));
}

// A device of the previous release states no schema version (read as 1),
// knows no SchoolHoliday and holds cursors without a version. It still syncs
// with this server, is sent nothing it cannot read, and receives the newer
// records once it upgrades.
TEST_F(HostileClientTest,
       DeviceOfThePreviousSchemaSyncsAndGetsNewerRecordsOnUpgrade) {
  v1::SchoolHoliday holiday;
  holiday.set_day("2026-11-26");
  holiday.set_name("Thanksgiving");
  auto holiday_id = admin_->AddHoliday(holiday);
  ASSERT_OK(holiday_id);
  Device old = NewDevice(guardian_, /*schema_version=*/0);
  auto report = old.replicator->SyncOnce();
  ASSERT_OK(report);
  EXPECT_EQ(report->held, 0);
  auto record = testing::NewRecord(TypeOf("SchoolHoliday"));
  EXPECT_EQ(old.store->Get(*holiday_id, record.get()).code(),
            absl::StatusCode::kNotFound);
  ExpectHoldsEverythingOf(*old.store, BucketS());
  // Its writes are accepted as before.
  v1::LapseReport lapse;
  lapse.set_student_id(student_s_);
  lapse.set_accommodation_id(accommodation_s_);
  lapse.set_day("2026-09-09");
  lapse.set_what_happened("The quiz was collected at the bell.");
  ASSERT_OK(old.store->Write([&](WriteTransaction& txn) {
    return old.store->Append(txn, lapse).status();
  }));
  SyncClean(old);

  // The same store, upgraded.
  sync::ReplicatorOptions options;
  options.sleep = [](absl::Duration) {};
  sync::Replicator upgraded(old.store.get(), old.transport.get(), options);
  ASSERT_OK(upgraded.SyncOnce());
  ASSERT_OK(old.store->Get(*holiday_id, record.get()));
  EXPECT_EQ(static_cast<v1::SchoolHoliday&>(*record).name(), "Thanksgiving");
  ExpectHoldsEverythingOf(*old.store, BucketS());
}

}  // namespace
}  // namespace plansync

namespace plansync {
namespace {

// A device may not set where its change stands in the feed or when the
// server accepted it; the server stamps both, answers them in the push's
// result, and every reader gets the same receipt.
TEST_F(HostileClientTest, FeedReceiptsAreTheServersToSet) {
  const std::string replica = "guardian-phone";
  v1::Comment comment = CommentBy(guardian_, confirmation_,
                                  "plansync.v1.ImplementationConfirmation");
  v1::Change forged = LogChange(guardian_, replica, 1, comment);
  forged.set_feed_seq(1);
  ExpectRefused(guardian_, forged, v1::MALFORMED_CHANGE,
                "feed_seq and accepted_hlc are the server's to set");
  forged.clear_feed_seq();
  forged.set_accepted_hlc(HlcPack(clock_.NowMillis(), 0));
  ExpectRefused(guardian_, forged, v1::MALFORMED_CHANGE,
                "feed_seq and accepted_hlc are the server's to set");

  const v1::Change change = LogChange(guardian_, replica, 1, comment);
  clock_.Advance(5);
  std::vector<v1::ChangeResult> results = Push(guardian_, {change});
  ASSERT_EQ(results.size(), 1u);
  ASSERT_EQ(results[0].status(), v1::ChangeResult::ACCEPTED);
  EXPECT_GT(results[0].bucket_seq(), 0);
  // After the device's own stamp: the server observed it first.
  EXPECT_GT(results[0].accepted_hlc(), change.hlc());
  // The same change again: the same receipt.
  std::vector<v1::ChangeResult> again = Push(guardian_, {change});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].status(), v1::ChangeResult::DUPLICATE);
  EXPECT_EQ(again[0].bucket_seq(), results[0].bucket_seq());
  EXPECT_EQ(again[0].accepted_hlc(), results[0].accepted_hlc());

  // A reader's device keeps the receipt as it pulls the entry.
  SyncClean(cm_);
  auto receipts = cm_.store->FeedReceipts(BucketS());
  ASSERT_OK(receipts);
  ASSERT_TRUE(receipts->contains(comment.id()));
  EXPECT_EQ(receipts->at(comment.id()).feed_seq, results[0].bucket_seq());
  EXPECT_EQ(receipts->at(comment.id()).accepted_hlc, results[0].accepted_hlc());
  // The writer's own device keeps it from the push's result.
  auto teacher_receipts = teacher_device_.store->FeedReceipts(BucketS());
  ASSERT_OK(teacher_receipts);
  ASSERT_TRUE(teacher_receipts->contains(confirmation_));
  EXPECT_GT(teacher_receipts->at(confirmation_).feed_seq, 0);
  EXPECT_GT(teacher_receipts->at(confirmation_).accepted_hlc, 0u);
  SyncClean(cm_);
  EXPECT_EQ(cm_.store->FeedReceipts(BucketS())->at(confirmation_).feed_seq,
            teacher_receipts->at(confirmation_).feed_seq);
}

}  // namespace
}  // namespace plansync
