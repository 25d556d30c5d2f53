#include "core/device_store.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/change_check.h"
#include "core/district.h"
#include "core/errors.h"
#include "core/hash64.h"
#include "core/internal/sqlite.h"
#include "core/merge.h"
#include "core/permissions.h"
#include "core/status_macros.h"
#include "core/store/field_clocks.h"
#include "core/store/migrations.h"
#include "core/store/record_table.h"
#include "core/validate.h"
#include "core/value.h"
#include "google/protobuf/message.h"

namespace plansync {
namespace {

using google::protobuf::Message;
using internal::FieldClock;
using internal::FieldClocks;
using internal::ScopedReset;

// Bound on DeviceStore::reference_buckets_ (entries).
constexpr size_t kReferenceCacheLimit = 4096;

const std::string& IdOf(const Message& record) {
  const auto* id = record.GetDescriptor()->FindFieldByNumber(1);
  return record.GetReflection()->GetStringReference(record, id, nullptr);
}

}  // namespace

// --- WriteTransaction --------------------------------------------------------

WriteTransaction::WriteTransaction(WriteTransaction&& other) noexcept
    : store_(other.store_) {
  other.store_ = nullptr;
}

// store_ is set only while this transaction is open, that is while its
// thread holds the store's lock: once it ends, another thread's transaction
// may set the store's in_transaction_, which this one must not touch.
WriteTransaction::~WriteTransaction() {
  if (store_ != nullptr && store_->in_transaction_) {
    store_->Rollback().IgnoreError();
  }
}

absl::Status WriteTransaction::Commit() {
  if (store_ == nullptr || !store_->in_transaction_) {
    return absl::FailedPreconditionError("the transaction is not open");
  }
  DeviceStore* store = store_;
  store_ = nullptr;
  absl::Status status = store->commit_->Run();
  if (!status.ok()) {
    store->Rollback().IgnoreError();
    return status;
  }
  store->in_transaction_ = false;
  ChangeNotice notice = std::move(store->notice_);
  store->notice_ = ChangeNotice();
  store->noted_.clear();
  store->mu_.unlock();
  if (!notice.empty()) store->Notify(notice);
  return absl::OkStatus();
}

// --- Opening -----------------------------------------------------------------

absl::StatusOr<std::unique_ptr<DeviceStore>> DeviceStore::Open(
    const DeviceStoreOptions& options) {
  std::unique_ptr<DeviceStore> store(new DeviceStore());
  RETURN_IF_ERROR(store->Initialize(options));
  return store;
}

DeviceStore::~DeviceStore() = default;

absl::Status DeviceStore::Initialize(const DeviceStoreOptions& options) {
  path_ = options.path;
  check_roles_ = options.check_roles;
  hlc_ = std::make_unique<HybridClock>(options.clock);
  ids_ = std::make_unique<IdGenerator>(
      options.clock,
      options.seed != 0 ? options.seed : IdGenerator::RandomSeed());
  ASSIGN_OR_RETURN(db_, internal::Database::Open(options.path));
  // Reading the header first turns "not a database" into a clear error.
  RETURN_IF_ERROR(db_->Exec("PRAGMA busy_timeout = 5000"));
  absl::Status status = db_->Exec("PRAGMA journal_mode = WAL");
  if (absl::IsDataLoss(status)) {
    return absl::DataLossError(
        absl::StrCat("the file is not a plansync store: ", status.message()));
  }
  if (!status.ok()) {
    return absl::Status(status.code(), absl::StrCat("cannot open the store: ",
                                                    status.message()));
  }
  RETURN_IF_ERROR(db_->Exec(options.durable ? "PRAGMA synchronous = FULL"
                                            : "PRAGMA synchronous = NORMAL"));
  RETURN_IF_ERROR(db_->Exec("PRAGMA temp_store = MEMORY"));
  RETURN_IF_ERROR(db_->Exec(kCacheSize));
  RETURN_IF_ERROR(internal::MigrateDeviceStore(*db_));

  ASSIGN_OR_RETURN(begin_, db_->Prepare("BEGIN IMMEDIATE"));
  ASSIGN_OR_RETURN(commit_, db_->Prepare("COMMIT"));
  ASSIGN_OR_RETURN(rollback_, db_->Prepare("ROLLBACK"));

  // Identity: made on first open, checked on every later one.
  RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(auto get,
                     db_->Prepare("SELECT value FROM meta WHERE key = ?1"));
    ASSIGN_OR_RETURN(
        auto put,
        db_->Prepare("INSERT INTO meta (key, value) VALUES (?1, ?2)"));
    auto read = [&](absl::string_view key) -> absl::StatusOr<std::string> {
      ScopedReset reset(get.get());
      get->BindText(1, key);
      ASSIGN_OR_RETURN(bool row, get->Step());
      return row ? std::string(get->ColumnText(0)) : std::string();
    };
    auto write = [&](absl::string_view key, absl::string_view value) {
      put->BindText(1, key);
      put->BindText(2, value);
      return put->Run();
    };
    ASSIGN_OR_RETURN(replica_id_, read("replica_id"));
    if (replica_id_.empty()) {
      replica_id_ = ids_->Next();
      RETURN_IF_ERROR(write("replica_id", replica_id_));
    }
    ASSIGN_OR_RETURN(principal_id_, read("principal_id"));
    if (principal_id_.empty()) {
      if (options.principal_id.empty()) {
        return absl::InvalidArgumentError(
            "a new device store needs the principal (user id) of its user");
      }
      principal_id_ = options.principal_id;
      RETURN_IF_ERROR(write("principal_id", principal_id_));
    } else if (!options.principal_id.empty() &&
               principal_id_ != options.principal_id) {
      return absl::FailedPreconditionError(
          "this store file belongs to another user of this device");
    }
    for (const auto& type : Schema::Get().types()) {
      ASSIGN_OR_RETURN(auto table,
                       internal::RecordTable::Open(db_.get(), *type));
      tables_[type->descriptor] = std::move(table);
    }
    return absl::OkStatus();
  }();
  if (!status.ok()) {
    db_->Exec("ROLLBACK").IgnoreError();
    return status;
  }
  RETURN_IF_ERROR(db_->Exec("COMMIT"));

  ASSIGN_OR_RETURN(select_replicas_,
                   db_->Prepare("SELECT idx, replica_id FROM replicas"));
  ASSIGN_OR_RETURN(select_last_seq_,
                   db_->Prepare("SELECT COALESCE((SELECT seq FROM "
                                "sqlite_sequence WHERE name = 'outbox'), 0)"));
  ASSIGN_OR_RETURN(
      insert_replica_,
      db_->Prepare("INSERT INTO replicas (replica_id) VALUES (?1)"));
  ASSIGN_OR_RETURN(insert_outbox_,
                   db_->Prepare("INSERT INTO outbox (seq, bucket, change) "
                                "VALUES (?1, ?2, ?3)"));
  ASSIGN_OR_RETURN(select_outbox_,
                   db_->Prepare("SELECT seq, change FROM outbox WHERE "
                                "state = 0 ORDER BY seq LIMIT ?1"));
  ASSIGN_OR_RETURN(delete_outbox_,
                   db_->Prepare("DELETE FROM outbox WHERE seq = ?1"));
  ASSIGN_OR_RETURN(count_outbox_,
                   db_->Prepare("SELECT COUNT(*) FROM outbox WHERE state = 0"));
  ASSIGN_OR_RETURN(reject_outbox_,
                   db_->Prepare("UPDATE outbox SET state = 1, reject_reason = "
                                "?2, reject_message = ?3 WHERE seq = ?1 AND "
                                "state = 0"));
  ASSIGN_OR_RETURN(select_rejected_,
                   db_->Prepare("SELECT seq, change, reject_reason, "
                                "reject_message FROM outbox WHERE state = 1 "
                                "ORDER BY seq"));
  ASSIGN_OR_RETURN(
      select_cursor_,
      db_->Prepare("SELECT cursor FROM cursors WHERE bucket = ?1"));
  ASSIGN_OR_RETURN(select_cursors_,
                   db_->Prepare("SELECT bucket, cursor FROM cursors ORDER BY "
                                "bucket"));
  ASSIGN_OR_RETURN(upsert_cursor_,
                   db_->Prepare("INSERT INTO cursors (bucket, cursor) "
                                "VALUES (?1, ?2) ON CONFLICT (bucket) "
                                "DO UPDATE SET cursor = excluded.cursor"));
  ASSIGN_OR_RETURN(delete_cursor_,
                   db_->Prepare("DELETE FROM cursors WHERE bucket = ?1"));
  ASSIGN_OR_RETURN(
      upsert_receipt_,
      db_->Prepare("INSERT INTO feed_receipts (record_id, bucket, feed_seq, "
                   "accepted_hlc) VALUES (?1, ?2, ?3, ?4) ON CONFLICT "
                   "(record_id) DO UPDATE SET feed_seq = excluded.feed_seq, "
                   "accepted_hlc = excluded.accepted_hlc"));
  ASSIGN_OR_RETURN(select_receipts_,
                   db_->Prepare("SELECT record_id, feed_seq, accepted_hlc FROM "
                                "feed_receipts WHERE bucket = ?1"));
  ASSIGN_OR_RETURN(delete_bucket_receipts_,
                   db_->Prepare("DELETE FROM feed_receipts WHERE bucket = ?1"));
  ASSIGN_OR_RETURN(select_outbox_seq_,
                   db_->Prepare("SELECT change FROM outbox WHERE seq = ?1 AND "
                                "state = 0"));
  ASSIGN_OR_RETURN(
      update_outbox_,
      db_->Prepare("UPDATE outbox SET change = ?2 WHERE seq = ?1"));
  ASSIGN_OR_RETURN(delete_bucket_outbox_,
                   db_->Prepare("DELETE FROM outbox WHERE bucket = ?1"));
  ASSIGN_OR_RETURN(insert_held_,
                   db_->Prepare("INSERT INTO held (change, reason, message) "
                                "VALUES (?1, ?2, ?3)"));
  ASSIGN_OR_RETURN(select_held_,
                   db_->Prepare("SELECT seq, change, reason, message FROM held "
                                "ORDER BY seq"));
  ASSIGN_OR_RETURN(delete_held_,
                   db_->Prepare("DELETE FROM held WHERE seq = ?1"));
  ASSIGN_OR_RETURN(select_setting_,
                   db_->Prepare("SELECT value FROM meta WHERE key = ?1"));
  ASSIGN_OR_RETURN(upsert_setting_,
                   db_->Prepare("INSERT INTO meta (key, value) VALUES (?1, ?2) "
                                "ON CONFLICT (key) DO UPDATE SET value = "
                                "excluded.value"));
  RETURN_IF_ERROR(LoadReplicas());
  RETURN_IF_ERROR(Write(
      [&](WriteTransaction&) { return ReplicaIndex(replica_id_).status(); }));
  local_replica_index_ = replica_indexes_[replica_id_];
  return absl::OkStatus();
}

absl::Status DeviceStore::LoadReplicas() {
  replica_ids_.assign(1, std::string());
  replica_indexes_.clear();
  internal::Statement* select = select_replicas_.get();
  ScopedReset reset(select);
  while (true) {
    ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) break;
    const auto index = static_cast<uint32_t>(select->ColumnInt(0));
    if (replica_ids_.size() <= index) replica_ids_.resize(index + 1);
    replica_ids_[index] = std::string(select->ColumnText(1));
    replica_indexes_[replica_ids_[index]] = index;
  }
  ScopedReset reset_seq(select_last_seq_.get());
  ASSIGN_OR_RETURN(bool row, select_last_seq_->Step());
  next_seq_ =
      static_cast<uint64_t>(row ? select_last_seq_->ColumnInt(0) : 0) + 1;
  return absl::OkStatus();
}

absl::StatusOr<uint32_t> DeviceStore::ReplicaIndex(
    absl::string_view replica_id) {
  auto it = replica_indexes_.find(replica_id);
  if (it != replica_indexes_.end()) return it->second;
  ScopedReset reset(insert_replica_.get());
  insert_replica_->BindText(1, replica_id);
  RETURN_IF_ERROR(insert_replica_->Step().status());
  const auto index =
      static_cast<uint32_t>(sqlite3_last_insert_rowid(db_->handle()));
  if (replica_ids_.size() <= index) replica_ids_.resize(index + 1);
  replica_ids_[index] = std::string(replica_id);
  replica_indexes_[replica_ids_[index]] = index;
  return index;
}

absl::string_view DeviceStore::ReplicaIdAt(uint32_t index) const {
  return index < replica_ids_.size() ? absl::string_view(replica_ids_[index])
                                     : absl::string_view();
}

absl::StatusOr<internal::RecordTable*> DeviceStore::TableFor(
    const google::protobuf::Descriptor* descriptor) {
  auto it = tables_.find(descriptor);
  if (it == tables_.end()) {
    return ReasonError(v1::UNKNOWN_RECORD_TYPE,
                       absl::StrCat(descriptor->full_name(),
                                    " is not a plansync record type"));
  }
  return it->second.get();
}

absl::StatusOr<internal::RecordTable*> DeviceStore::TableFor(
    const RecordType& type) {
  return TableFor(type.descriptor);
}

// --- Transactions ------------------------------------------------------------

absl::StatusOr<WriteTransaction> DeviceStore::BeginWrite() {
  mu_.lock();  // held until the transaction ends
  if (in_transaction_) {
    mu_.unlock();
    return absl::FailedPreconditionError(
        "a write transaction is already open on this store");
  }
  absl::Status status = begin_->Run();
  if (!status.ok()) {
    mu_.unlock();
    return status;
  }
  in_transaction_ = true;
  return WriteTransaction(this);
}

absl::Status DeviceStore::Write(
    absl::FunctionRef<absl::Status(WriteTransaction&)> body) {
  ASSIGN_OR_RETURN(WriteTransaction txn, BeginWrite());
  RETURN_IF_ERROR(body(txn));
  return txn.Commit();
}

absl::Status DeviceStore::CheckTransaction(const WriteTransaction& txn) const {
  if (txn.store_ != this || !in_transaction_) {
    return absl::FailedPreconditionError(
        "the write needs an open transaction of this store");
  }
  return absl::OkStatus();
}

absl::Status DeviceStore::Rollback() {
  in_transaction_ = false;
  DropNotes(0, 0);
  absl::Status status = rollback_->Run();
  // Sequence numbers, replica rows and records of the transaction are gone.
  reference_buckets_.clear();
  roles_valid_ = false;
  absl::Status reload = LoadReplicas();
  mu_.unlock();
  return status.ok() ? reload : status;
}

absl::Status DeviceStore::Atomically(WriteTransaction& txn,
                                     absl::FunctionRef<absl::Status()> op) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  RETURN_IF_ERROR(CheckTransaction(txn));
  // The store's writes check everything before they write anything, so an op
  // that fails has written nothing, unless the disk failed under it. That is
  // cheaper to tell (SQLite's count of changed rows) than a savepoint per op.
  const int64_t changes_before = db_->TotalChanges();
  const size_t records = notice_.records.size();
  const size_t evicted = notice_.evicted_buckets.size();
  absl::Status status = op();
  if (status.ok()) return status;
  if (db_->TotalChanges() == changes_before) {
    DropNotes(records, evicted);
    return status;
  }
  Rollback().IgnoreError();
  return absl::Status(
      status.code(),
      absl::StrCat(status.message(),
                   "; the write failed halfway, so its whole transaction was "
                   "rolled back"));
}

// --- Observers ---------------------------------------------------------------

uint64_t DeviceStore::AddObserver(ChangeObserver observer) {
  auto slot = std::make_shared<ObserverSlot>();
  slot->observer = std::move(observer);
  std::lock_guard<std::mutex> lock(observers_mu_);
  const uint64_t handle = next_observer_++;
  observers_.emplace(handle, std::move(slot));
  observer_count_ = observers_.size();
  return handle;
}

void DeviceStore::RemoveObserver(uint64_t handle) {
  std::unique_lock<std::mutex> lock(observers_mu_);
  auto it = observers_.find(handle);
  if (it == observers_.end()) return;
  std::shared_ptr<ObserverSlot> slot = it->second;
  observers_.erase(it);
  observer_count_ = observers_.size();
  // Wait for deliveries on other threads; one on this thread (the observer
  // removing itself) is the caller.
  const std::thread::id self = std::this_thread::get_id();
  observers_idle_.wait(lock, [&] {
    return std::all_of(slot->active.begin(), slot->active.end(),
                       [&](std::thread::id id) { return id == self; });
  });
}

void DeviceStore::Notify(const ChangeNotice& notice) {
  std::vector<uint64_t> handles;
  {
    std::lock_guard<std::mutex> lock(observers_mu_);
    for (const auto& [handle, slot] : observers_) handles.push_back(handle);
  }
  const std::thread::id self = std::this_thread::get_id();
  for (uint64_t handle : handles) {
    std::shared_ptr<ObserverSlot> slot;
    {
      std::lock_guard<std::mutex> lock(observers_mu_);
      auto it = observers_.find(handle);
      if (it == observers_.end()) continue;  // removed meanwhile
      slot = it->second;
      slot->active.push_back(self);
    }
    slot->observer(notice);
    {
      std::lock_guard<std::mutex> lock(observers_mu_);
      slot->active.erase(
          std::find(slot->active.begin(), slot->active.end(), self));
    }
    observers_idle_.notify_all();
  }
}

void DeviceStore::NoteChanged(absl::string_view type, absl::string_view id,
                              bool remote) {
  if (observer_count_ == 0) return;
  if (!noted_.insert(absl::StrCat(type, "/", id)).second) return;
  notice_.records.push_back(
      ChangedRecord{std::string(type), std::string(id), remote});
}

void DeviceStore::DropNotes(size_t records, size_t evicted) {
  for (size_t i = records; i < notice_.records.size(); ++i) {
    noted_.erase(
        absl::StrCat(notice_.records[i].type, "/", notice_.records[i].id));
  }
  notice_.records.resize(std::min(records, notice_.records.size()));
  notice_.evicted_buckets.resize(
      std::min(evicted, notice_.evicted_buckets.size()));
}

// --- Local writes ------------------------------------------------------------

absl::Status DeviceStore::ValidateRefs(const RecordType& type,
                                       const Message& record,
                                       const FieldInfo* only,
                                       absl::string_view bucket) {
  return ValidateReferences(
      type, record, only, bucket,
      [&](const RecordType& target,
          absl::string_view id) -> absl::StatusOr<std::optional<std::string>> {
        std::string key = absl::StrCat(target.table, "/", id);
        auto cached = reference_buckets_.find(key);
        if (cached != reference_buckets_.end()) return cached->second;
        ASSIGN_OR_RETURN(internal::RecordTable * table, TableFor(target));
        ASSIGN_OR_RETURN(std::optional<std::string> found, table->BucketOf(id));
        if (found.has_value()) {
          if (reference_buckets_.size() >= kReferenceCacheLimit) {
            reference_buckets_.clear();
          }
          reference_buckets_.emplace(std::move(key), *found);
        }
        return found;
      });
}

void DeviceStore::NoteRoleSource(absl::string_view record_type) {
  if (record_type == "plansync.v1.User" ||
      record_type == "plansync.v1.Assignment" ||
      record_type == "plansync.v1.District") {
    roles_valid_ = false;
  }
}

absl::Status DeviceStore::CheckLocalWrite(const RecordType& type,
                                          absl::string_view bucket) {
  if (!check_roles_) return absl::OkStatus();
  if (!roles_valid_) {
    v1::User user;
    absl::Status found = Get(principal_id_, &user);
    if (found.ok()) {
      role_user_ = std::move(user);
    } else if (ReasonOf(found) == v1::UNKNOWN_RECORD) {
      role_user_.reset();
    } else {
      return found;
    }
    ASSIGN_OR_RETURN(role_assignments_,
                     List<v1::Assignment>("user_id", principal_id_));
    ASSIGN_OR_RETURN(role_zone_, DistrictZoneOf(*this));
    roles_valid_ = true;
  }
  // Not yet synced: the server decides.
  if (!role_user_.has_value()) return absl::OkStatus();
  const std::string today = DayAt(hlc_->source()->NowMillis(), role_zone_);
  return AuthorizeWrite(
      type, RolesOnDay(*role_user_, role_assignments_, bucket, today));
}

uint64_t DeviceStore::LastChangeSeq() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  return next_seq_ - 1;
}

absl::Status DeviceStore::RecordChange(v1::Change& change) {
  NoteRoleSource(change.record_type());
  change.set_replica_id(replica_id_);
  change.set_replica_seq(next_seq_);
  change.set_author_id(principal_id_);
  const std::string bytes = change.SerializeAsString();
  ScopedReset reset(insert_outbox_.get());
  insert_outbox_->BindInt(1, static_cast<int64_t>(next_seq_));
  insert_outbox_->BindTextNoCopy(2, change.bucket());
  insert_outbox_->BindBlobNoCopy(3, bytes);
  RETURN_IF_ERROR(insert_outbox_->Step().status());
  ++next_seq_;
  NoteChanged(change.record_type(), change.record_id(), /*remote=*/false);
  return absl::OkStatus();
}

absl::StatusOr<std::string> DeviceStore::Create(WriteTransaction& txn,
                                                Message& record) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  RETURN_IF_ERROR(CheckTransaction(txn));
  ASSIGN_OR_RETURN(internal::RecordTable * table,
                   TableFor(record.GetDescriptor()));
  const RecordType& type = table->type();
  if (type.is_log()) {
    return absl::FailedPreconditionError(absl::StrCat(
        type.short_name, " is a log entry: append it, do not create it"));
  }
  const FieldInfo& id_field = type.fields.front();
  if (IdOf(record).empty()) {
    record.GetReflection()->SetString(&record, id_field.descriptor,
                                      ids_->Next());
  }
  const std::string id = IdOf(record);
  RETURN_IF_ERROR(ValidateNewRecord(type, record));
  const std::string bucket = BucketOf(type, record);
  ASSIGN_OR_RETURN(std::optional<std::string> existing, table->BucketOf(id));
  if (existing.has_value()) {
    return ReasonError(v1::DUPLICATE_ID, absl::StrCat(type.short_name, " ", id,
                                                      " already exists"));
  }
  RETURN_IF_ERROR(ValidateRefs(type, record, nullptr, bucket));
  RETURN_IF_ERROR(CheckLocalWrite(type, bucket));

  const Hlc hlc = hlc_->Now();
  FieldClocks clocks;
  std::vector<v1::Change> changes;
  auto add_write = [&](const FieldInfo& field) {
    clocks.Set({field.number, hlc, local_replica_index_});
    v1::Change& change = changes.emplace_back();
    change.set_record_type(type.full_name);
    change.set_record_id(id);
    change.set_bucket(bucket);
    change.set_hlc(hlc);
    v1::FieldWrite* write = change.mutable_field_write();
    write->set_field_number(field.number);
    *write->mutable_value() = GetFieldValue(record, field);
  };
  // Every set field is a register write; a record with nothing set but its id
  // still sends `deleted = false`, so that it exists everywhere.
  for (const FieldInfo& field : type.fields) {
    if (!field.is_id && !IsDefaultValue(record, field)) add_write(field);
  }
  if (changes.empty()) add_write(*type.FieldByName("deleted"));
  RETURN_IF_ERROR(table->Insert(record, clocks.Encode()));
  for (v1::Change& change : changes) RETURN_IF_ERROR(RecordChange(change));
  return id;
}

absl::Status DeviceStore::Update(WriteTransaction& txn, const Message& values,
                                 absl::Span<const absl::string_view> fields) {
  return UpdateFields(txn, values, fields, /*rewrite_unchanged=*/false);
}

absl::Status DeviceStore::UpdateFields(
    WriteTransaction& txn, const Message& values,
    absl::Span<const absl::string_view> fields, bool rewrite_unchanged) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  RETURN_IF_ERROR(CheckTransaction(txn));
  ASSIGN_OR_RETURN(internal::RecordTable * table,
                   TableFor(values.GetDescriptor()));
  const RecordType& type = table->type();
  if (type.is_log()) {
    return ReasonError(
        v1::LOG_ENTRY_IMMUTABLE,
        absl::StrCat(type.short_name,
                     " is a log entry and cannot be changed; append a "
                     "Correction that points at it"));
  }
  const std::string& id = IdOf(values);
  std::unique_ptr<Message> current = NewRecordMessage(type);
  std::string clock_bytes;
  ASSIGN_OR_RETURN(bool found, table->Read(id, current.get(), &clock_bytes));
  if (!found) {
    return ReasonError(v1::UNKNOWN_RECORD,
                       absl::StrCat("there is no ", type.short_name, " ", id));
  }
  const std::string bucket = BucketOf(type, *current);
  RETURN_IF_ERROR(CheckNoUnknownFields(type, values));

  // Check everything before writing anything.
  std::vector<const FieldInfo*> changed;
  for (absl::string_view name : fields) {
    const FieldInfo* field = type.FieldByName(name);
    if (field == nullptr) {
      return ReasonError(
          v1::UNKNOWN_FIELD,
          absl::StrCat(type.short_name, " has no field \"", name, "\""));
    }
    if (!rewrite_unchanged && SameValue(GetFieldValue(values, *field),
                                        GetFieldValue(*current, *field))) {
      continue;
    }
    RETURN_IF_ERROR(CheckFieldChange(type, *field));
    RETURN_IF_ERROR(ValidateField(type, *field, values));
    if (field->required && IsDefaultValue(values, *field)) {
      return ReasonError(v1::MISSING_REQUIRED_FIELD,
                         absl::StrCat(type.short_name, ".", field->name,
                                      " is required and cannot be cleared"));
    }
    RETURN_IF_ERROR(ValidateRefs(type, values, field, bucket));
    changed.push_back(field);
  }
  if (changed.empty()) return absl::OkStatus();
  RETURN_IF_ERROR(CheckLocalWrite(type, bucket));

  ASSIGN_OR_RETURN(FieldClocks clocks, FieldClocks::Decode(clock_bytes));
  // The new write must order after the values it overwrites, even when this
  // process's clock started behind them (a restart, a clock set back).
  for (const FieldInfo* field : changed) {
    if (auto base = clocks.Get(field->number)) hlc_->Witness(base->hlc);
  }
  const Hlc hlc = hlc_->Now();
  std::vector<v1::Change> changes;
  for (const FieldInfo* field : changed) {
    std::optional<FieldClock> base = clocks.Get(field->number);
    clocks.Set({field->number, hlc, local_replica_index_});
    v1::Change& change = changes.emplace_back();
    change.set_record_type(type.full_name);
    change.set_record_id(id);
    change.set_bucket(bucket);
    change.set_hlc(hlc);
    v1::FieldWrite* write = change.mutable_field_write();
    write->set_field_number(field->number);
    *write->mutable_value() = GetFieldValue(values, *field);
    write->set_base_hlc(base.has_value() ? base->hlc : 0);
  }
  const std::string encoded = clocks.Encode();
  for (const FieldInfo* field : changed) {
    RETURN_IF_ERROR(table->WriteField(id, *field, values, encoded));
  }
  for (v1::Change& change : changes) RETURN_IF_ERROR(RecordChange(change));
  return absl::OkStatus();
}

absl::Status DeviceStore::UpdateField(WriteTransaction& txn,
                                      const RecordType& type,
                                      absl::string_view id,
                                      absl::string_view field_name,
                                      const v1::Value& value) {
  return WriteOneField(txn, type, id, field_name, value,
                       /*rewrite_unchanged=*/false);
}

absl::Status DeviceStore::RewriteField(WriteTransaction& txn,
                                       const RecordType& type,
                                       absl::string_view id,
                                       absl::string_view field_name,
                                       const v1::Value& value) {
  return WriteOneField(txn, type, id, field_name, value,
                       /*rewrite_unchanged=*/true);
}

absl::Status DeviceStore::WriteOneField(WriteTransaction& txn,
                                        const RecordType& type,
                                        absl::string_view id,
                                        absl::string_view field_name,
                                        const v1::Value& value,
                                        bool rewrite_unchanged) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  RETURN_IF_ERROR(CheckTransaction(txn));
  if (type.is_log()) {
    return ReasonError(
        v1::LOG_ENTRY_IMMUTABLE,
        absl::StrCat(type.short_name,
                     " is a log entry and cannot be changed; append a "
                     "Correction that points at it"));
  }
  const FieldInfo* field = type.FieldByName(field_name);
  if (field == nullptr) {
    return ReasonError(
        v1::UNKNOWN_FIELD,
        absl::StrCat(type.short_name, " has no field \"", field_name, "\""));
  }
  std::unique_ptr<Message> values = NewRecordMessage(type);
  RETURN_IF_ERROR(Get(id, values.get()));
  RETURN_IF_ERROR(SetFieldValue(type, *field, value, values.get()));
  const absl::string_view names[] = {field->name};
  return UpdateFields(txn, *values, names, rewrite_unchanged);
}

absl::Status DeviceStore::Archive(WriteTransaction& txn, const RecordType& type,
                                  absl::string_view id) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  v1::Value archived;
  archived.set_bool_value(true);
  return UpdateField(txn, type, id, "deleted", archived);
}

absl::StatusOr<std::string> DeviceStore::Append(WriteTransaction& txn,
                                                Message& entry) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  RETURN_IF_ERROR(CheckTransaction(txn));
  ASSIGN_OR_RETURN(internal::RecordTable * table,
                   TableFor(entry.GetDescriptor()));
  const RecordType& type = table->type();
  if (!type.is_log()) {
    return absl::FailedPreconditionError(absl::StrCat(
        type.short_name, " is a mutable record: create it, do not append it"));
  }
  const auto* reflection = entry.GetReflection();
  const bool caller_chose_id = !IdOf(entry).empty();
  if (!caller_chose_id) {
    reflection->SetString(&entry, type.fields.front().descriptor, ids_->Next());
  }
  const Hlc hlc = hlc_->Now();
  for (const FieldInfo& field : type.fields) {
    if (field.name == "author_id") {
      reflection->SetString(&entry, field.descriptor, principal_id_);
    } else if (field.name == "recorded_hlc") {
      reflection->SetInt64(&entry, field.descriptor, static_cast<int64_t>(hlc));
    }
  }
  const std::string id = IdOf(entry);
  RETURN_IF_ERROR(ValidateNewRecord(type, entry));
  const std::string bucket = BucketOf(type, entry);
  RETURN_IF_ERROR(ValidateRefs(type, entry, nullptr, bucket));
  RETURN_IF_ERROR(CheckLocalWrite(type, bucket));
  // Inserted without a lookup first: only an id the caller chose can be
  // taken, and the primary key then refuses the row (nothing written).
  absl::Status inserted = table->Insert(entry, {});
  if (absl::IsAlreadyExists(inserted)) {
    return ReasonError(v1::DUPLICATE_ID, absl::StrCat(type.short_name, " ", id,
                                                      " already exists"));
  }
  RETURN_IF_ERROR(inserted);
  v1::Change change;
  change.set_record_type(type.full_name);
  change.set_record_id(id);
  change.set_bucket(bucket);
  change.set_hlc(hlc);
  entry.SerializeToString(change.mutable_log_entry());
  RETURN_IF_ERROR(RecordChange(change));
  return id;
}

// --- Reads -------------------------------------------------------------------

absl::StatusOr<std::string> DeviceStore::ResolveId(const RecordType& type,
                                                   absl::string_view text) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  constexpr size_t kShortest = 8;
  const bool prefix =
      text.size() >= kShortest && text.size() < 36 &&
      std::all_of(text.begin(), text.end(), [](char c) {
        return (absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f')) || c == '-';
      });
  if (!prefix) return std::string(text);
  ASSIGN_OR_RETURN(internal::RecordTable * table, TableFor(type));
  ASSIGN_OR_RETURN(std::vector<std::string> ids,
                   table->IdsWithPrefix(text, /*limit=*/4));
  if (ids.empty()) return std::string(text);
  if (ids.size() == 1) return ids.front();
  if (ids.size() > 3) ids.back() = "...";
  return absl::InvalidArgumentError(
      absl::StrCat("the id \"", text, "\" could be any of several ",
                   type.short_name, " records (", absl::StrJoin(ids, ", "),
                   "); give more of its characters"));
}

absl::Status DeviceStore::Get(absl::string_view id, Message* out) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  ASSIGN_OR_RETURN(internal::RecordTable * table,
                   TableFor(out->GetDescriptor()));
  ASSIGN_OR_RETURN(bool found, table->Read(id, out, nullptr));
  if (!found) {
    return ReasonError(
        v1::UNKNOWN_RECORD,
        absl::StrCat("there is no ", table->type().short_name, " ", id));
  }
  return absl::OkStatus();
}

absl::StatusOr<const FieldInfo*> DeviceStore::TextFieldOf(
    const RecordType& type, absl::string_view field) const {
  if (field.empty()) return nullptr;
  const FieldInfo* info = type.FieldByName(field);
  if (info == nullptr || info->column_type != ColumnType::kText) {
    return ReasonError(
        v1::UNKNOWN_FIELD,
        absl::StrCat(type.short_name, " has no text field \"", field, "\""));
  }
  return info;
}

absl::Status DeviceStore::Scan(
    const RecordType& type, absl::string_view field, absl::string_view value,
    bool include_archived,
    absl::FunctionRef<absl::Status(const Message&)> visit) {
  return ScanPage(type, field, value, include_archived, /*after=*/"",
                  /*limit=*/0, visit);
}

absl::Status DeviceStore::ScanPage(
    const RecordType& type, absl::string_view field, absl::string_view value,
    bool include_archived, absl::string_view after, size_t limit,
    absl::FunctionRef<absl::Status(const Message&)> visit) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  ASSIGN_OR_RETURN(internal::RecordTable * table, TableFor(type));
  ASSIGN_OR_RETURN(const FieldInfo* where, TextFieldOf(type, field));
  return table->Scan(where, value, include_archived, after, limit, visit);
}

absl::StatusOr<int64_t> DeviceStore::CountWhere(const RecordType& type,
                                                absl::string_view field,
                                                absl::string_view value,
                                                bool include_archived) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  ASSIGN_OR_RETURN(internal::RecordTable * table, TableFor(type));
  ASSIGN_OR_RETURN(const FieldInfo* where, TextFieldOf(type, field));
  return table->Count(where, value, include_archived);
}

absl::StatusOr<std::optional<FieldStamp>> DeviceStore::CurrentStamp(
    const RecordType& type, absl::string_view id, absl::string_view field) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (type.is_log()) {
    return absl::FailedPreconditionError(absl::StrCat(
        type.short_name, " is a log entry: its fields are not registers"));
  }
  const FieldInfo* info = type.FieldByName(field);
  if (info == nullptr) {
    return ReasonError(
        v1::UNKNOWN_FIELD,
        absl::StrCat(type.short_name, " has no field \"", field, "\""));
  }
  ASSIGN_OR_RETURN(internal::RecordTable * table, TableFor(type));
  std::unique_ptr<Message> record = NewRecordMessage(type);
  std::string clock_bytes;
  ASSIGN_OR_RETURN(bool found, table->Read(id, record.get(), &clock_bytes));
  if (!found) {
    return ReasonError(v1::UNKNOWN_RECORD,
                       absl::StrCat("there is no ", type.short_name, " ", id));
  }
  ASSIGN_OR_RETURN(FieldClocks clocks, FieldClocks::Decode(clock_bytes));
  std::optional<FieldClock> clock = clocks.Get(info->number);
  if (!clock.has_value()) return std::nullopt;
  return FieldStamp{clock->hlc, std::string(ReplicaIdAt(clock->replica_index))};
}

absl::StatusOr<int64_t> DeviceStore::Count(const RecordType& type) {
  return CountWhere(type, /*field=*/"", /*value=*/"",
                    /*include_archived=*/true);
}

// --- Whole-store checks ------------------------------------------------------

absl::StatusOr<uint64_t> DeviceStore::ContentHash() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  Hash64 hash;
  for (const auto& type : Schema::Get().types()) {
    hash.AddBytes(type->table);
    ASSIGN_OR_RETURN(internal::RecordTable * table, TableFor(*type));
    RETURN_IF_ERROR(table->HashRows(hash));
  }
  return hash.Finish();
}

absl::StatusOr<std::string> DeviceStore::IntegrityCheck() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  ASSIGN_OR_RETURN(auto check, db_->Prepare("PRAGMA integrity_check"));
  std::string out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, check->Step());
    if (!row) break;
    if (!out.empty()) out += "\n";
    absl::StrAppend(&out, check->ColumnText(0));
  }
  return out;
}

}  // namespace plansync
