// The sync side of the device store: merging remote changes, the outbox,
// pull cursors, re-stamping and eviction. See core/device_store.h.
#include "absl/strings/str_cat.h"
#include "core/change_check.h"
#include "core/device_store.h"
#include "core/errors.h"
#include "core/internal/sqlite.h"
#include "core/merge.h"
#include "core/status_macros.h"
#include "core/store/field_clocks.h"
#include "core/store/record_table.h"
#include "core/value.h"

namespace plansync {

using google::protobuf::Message;
using internal::FieldClock;
using internal::FieldClocks;
using internal::ScopedReset;

// --- Remote changes ----------------------------------------------------------

absl::StatusOr<std::vector<RemoteResult>> DeviceStore::ApplyRemote(
    absl::Span<const v1::Change> changes) {
  ASSIGN_OR_RETURN(WriteTransaction txn, BeginWrite());
  ASSIGN_OR_RETURN(std::vector<RemoteResult> results,
                   ApplyRemote(txn, changes));
  RETURN_IF_ERROR(txn.Commit());
  return results;
}

absl::StatusOr<std::vector<RemoteResult>> DeviceStore::ApplyRemote(
    WriteTransaction& txn, absl::Span<const v1::Change> changes) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  RETURN_IF_ERROR(CheckTransaction(txn));
  std::vector<RemoteResult> results(changes.size());
  for (size_t i = 0; i < changes.size(); ++i) {
    RETURN_IF_ERROR(ApplyOne(changes[i], &results[i]));
  }
  return results;
}

absl::StatusOr<std::vector<RemoteResult>> DeviceStore::ApplyRemote(
    WriteTransaction& txn,
    const google::protobuf::RepeatedPtrField<v1::Change>& changes) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  RETURN_IF_ERROR(CheckTransaction(txn));
  std::vector<RemoteResult> results(changes.size());
  for (int i = 0; i < changes.size(); ++i) {
    RETURN_IF_ERROR(ApplyOne(changes[i], &results[i]));
  }
  return results;
}

absl::Status DeviceStore::BeginBulkLoad() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  RETURN_IF_ERROR(Write([&](WriteTransaction&) -> absl::Status {
    for (auto& [descriptor, table] : tables_) {
      RETURN_IF_ERROR(table->DropIndexes());
    }
    return absl::OkStatus();
  }));
  return db_->Exec(kBulkLoadCacheSize);
}

absl::Status DeviceStore::EndBulkLoad() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  RETURN_IF_ERROR(Write([&](WriteTransaction&) -> absl::Status {
    for (auto& [descriptor, table] : tables_) {
      RETURN_IF_ERROR(table->CreateIndexes());
    }
    return absl::OkStatus();
  }));
  return db_->Exec(kCacheSize);
}

// Checks one change and merges it. A problem with the change itself goes
// into `result`; only a store failure is returned.
absl::Status DeviceStore::ApplyOne(const v1::Change& change,
                                   RemoteResult* result) {
  absl::StatusOr<CheckedChange> checked = CheckChange(change);
  if (!checked.ok()) {
    result->outcome = RemoteOutcome::kRejected;
    result->error = checked.status();
    return absl::OkStatus();
  }
  hlc_->Witness(change.hlc());
  NoteRoleSource(change.record_type());
  RETURN_IF_ERROR(checked->field != nullptr
                      ? ApplyFieldWrite(*checked, change, result)
                      : ApplyLogEntry(*checked, change, result));
  if (result->outcome == RemoteOutcome::kApplied) {
    NoteChanged(checked->type->full_name, change.record_id(), /*remote=*/true);
  }
  return absl::OkStatus();
}

absl::Status DeviceStore::ApplyFieldWrite(const CheckedChange& checked,
                                          const v1::Change& change,
                                          RemoteResult* result) {
  const RecordType& type = *checked.type;
  const FieldInfo& field = *checked.field;
  ASSIGN_OR_RETURN(internal::RecordTable * table, TableFor(type));
  std::unique_ptr<Message> current = NewRecordMessage(type);
  std::string clock_bytes;
  ASSIGN_OR_RETURN(
      bool found, table->Read(change.record_id(), current.get(), &clock_bytes));
  if (!found) {
    RETURN_IF_ERROR(
        table->InsertSkeleton(change.record_id(), checked.student_id));
  } else if (BucketOf(type, *current) != change.bucket()) {
    result->outcome = RemoteOutcome::kRejected;
    result->error =
        ReasonError(v1::MALFORMED_CHANGE,
                    absl::StrCat(type.short_name, " ", change.record_id(),
                                 " belongs to another bucket"));
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(FieldClocks clocks, FieldClocks::Decode(clock_bytes));
  std::optional<Stamp> stored;
  if (auto clock = clocks.Get(field.number); clock.has_value()) {
    stored = Stamp{clock->hlc, ReplicaIdAt(clock->replica_index)};
  }
  switch (MergeRegister(stored, Stamp{change.hlc(), change.replica_id()})) {
    case RegisterMerge::kKeepStored:
      result->outcome = RemoteOutcome::kSuperseded;
      return absl::OkStatus();
    case RegisterMerge::kSame:
      result->outcome = RemoteOutcome::kDuplicate;
      return absl::OkStatus();
    case RegisterMerge::kTakeIncoming:
      break;
  }
  ASSIGN_OR_RETURN(uint32_t replica, ReplicaIndex(change.replica_id()));
  clocks.Set({field.number, change.hlc(), replica});
  RETURN_IF_ERROR(table->WriteField(change.record_id(), field, *checked.record,
                                    clocks.Encode()));
  result->outcome = RemoteOutcome::kApplied;
  return absl::OkStatus();
}

absl::Status DeviceStore::ApplyLogEntry(const CheckedChange& checked,
                                        const v1::Change& change,
                                        RemoteResult* result) {
  const RecordType& type = *checked.type;
  ASSIGN_OR_RETURN(internal::RecordTable * table, TableFor(type));
  // Most entries are new: insert first, and compare only when the id is
  // taken.
  // The server's receipt, kept as the entry is applied (or found again).
  auto keep_receipt = [&]() -> absl::Status {
    if (change.feed_seq() <= 0) return absl::OkStatus();
    upsert_receipt_->BindText(1, change.record_id());
    upsert_receipt_->BindText(2, change.bucket());
    upsert_receipt_->BindInt(3, change.feed_seq());
    upsert_receipt_->BindInt(4, static_cast<int64_t>(change.accepted_hlc()));
    return upsert_receipt_->Run();
  };
  absl::Status inserted = table->Insert(*checked.record, {});
  if (inserted.ok()) {
    result->outcome = RemoteOutcome::kApplied;
    return keep_receipt();
  }
  if (inserted.code() != absl::StatusCode::kAlreadyExists) return inserted;
  std::unique_ptr<Message> stored = NewRecordMessage(type);
  ASSIGN_OR_RETURN(bool found,
                   table->Read(change.record_id(), stored.get(), nullptr));
  if (!found) return inserted;  // another constraint failed
  switch (MergeLogEntry(stored.get(), *checked.record)) {
    case LogMerge::kInsert:  // not reached: an entry is stored
    case LogMerge::kDuplicate:
      result->outcome = RemoteOutcome::kDuplicate;
      return keep_receipt();
    case LogMerge::kForged:
      result->outcome = RemoteOutcome::kRejected;
      result->error = ReasonError(
          v1::LOG_ENTRY_IMMUTABLE,
          absl::StrCat(type.short_name, " ", change.record_id(),
                       " already exists with different content; log entries "
                       "are never changed"));
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

namespace {

// Reads the outbox rows of `select` (seq, change[, reason, message]).
absl::StatusOr<std::vector<OutboxEntry>> ReadOutbox(internal::Statement& select,
                                                    bool with_reason) {
  std::vector<OutboxEntry> entries;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    OutboxEntry& entry = entries.emplace_back();
    entry.seq = static_cast<uint64_t>(select.ColumnInt(0));
    absl::string_view blob = select.ColumnBlob(1);
    if (!entry.change.ParseFromArray(blob.data(),
                                     static_cast<int>(blob.size()))) {
      return absl::DataLossError(
          absl::StrCat("outbox entry ", entry.seq, " is corrupt"));
    }
    if (with_reason) {
      const int64_t reason = select.ColumnInt(2);
      entry.reject_reason = v1::Reason_IsValid(static_cast<int>(reason))
                                ? static_cast<v1::Reason>(reason)
                                : v1::REASON_UNSPECIFIED;
      entry.reject_message = std::string(select.ColumnText(3));
    }
  }
  return entries;
}

}  // namespace

absl::StatusOr<std::vector<OutboxEntry>> DeviceStore::PendingChanges(
    size_t limit) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  ScopedReset reset(select_outbox_.get());
  select_outbox_->BindInt(1, static_cast<int64_t>(limit));
  return ReadOutbox(*select_outbox_, /*with_reason=*/false);
}

absl::StatusOr<std::vector<OutboxEntry>> DeviceStore::RejectedChanges() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  ScopedReset reset(select_rejected_.get());
  return ReadOutbox(*select_rejected_, /*with_reason=*/true);
}

absl::Status DeviceStore::MarkRejected(WriteTransaction& txn, uint64_t seq,
                                       v1::Reason reason,
                                       absl::string_view message) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  RETURN_IF_ERROR(CheckTransaction(txn));
  ASSIGN_OR_RETURN(std::optional<v1::Change> change, PendingChange(seq));
  if (!change.has_value()) {
    return absl::NotFoundError(absl::StrCat("no pending outbox entry ", seq));
  }
  reject_outbox_->BindInt(1, static_cast<int64_t>(seq));
  reject_outbox_->BindInt(2, reason);
  reject_outbox_->BindText(3, message);
  RETURN_IF_ERROR(reject_outbox_->Run());
  return RevertRefused(*change);
}

absl::StatusOr<std::optional<v1::Change>> DeviceStore::PendingChange(
    uint64_t seq) {
  ScopedReset reset(select_outbox_seq_.get());
  select_outbox_seq_->BindInt(1, static_cast<int64_t>(seq));
  ASSIGN_OR_RETURN(bool row, select_outbox_seq_->Step());
  if (!row) return std::nullopt;
  absl::string_view blob = select_outbox_seq_->ColumnBlob(0);
  v1::Change change;
  if (!change.ParseFromArray(blob.data(), static_cast<int>(blob.size()))) {
    return absl::DataLossError(
        absl::StrCat("outbox entry ", seq, " is corrupt"));
  }
  return change;
}

absl::Status DeviceStore::RevertRefused(const v1::Change& change) {
  const RecordType* type = Schema::Get().FindCanonical(change.record_type());
  if (type == nullptr) return absl::OkStatus();
  ASSIGN_OR_RETURN(internal::RecordTable * table, TableFor(*type));
  std::unique_ptr<Message> record = NewRecordMessage(*type);
  std::string clock_bytes;
  ASSIGN_OR_RETURN(bool found,
                   table->Read(change.record_id(), record.get(), &clock_bytes));
  if (!found) return absl::OkStatus();
  bool shown = change.has_log_entry();
  if (change.has_field_write()) {
    ASSIGN_OR_RETURN(FieldClocks clocks, FieldClocks::Decode(clock_bytes));
    const auto clock =
        clocks.Get(static_cast<int>(change.field_write().field_number()));
    shown = clock.has_value() && clock->hlc == change.hlc() &&
            clock->replica_index == local_replica_index_;
  }
  if (!shown) return absl::OkStatus();
  RETURN_IF_ERROR(table->Delete(change.record_id()));
  reference_buckets_.clear();
  NoteChanged(type->full_name, change.record_id(), /*remote=*/true);
  // The server never had a refused log entry; a register's row may hold
  // values the server does have, which only a whole resend restores.
  if (change.has_log_entry()) return absl::OkStatus();
  delete_cursor_->BindText(1, change.bucket());
  return delete_cursor_->Run();
}

absl::StatusOr<int64_t> DeviceStore::PendingCount() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  ScopedReset reset(count_outbox_.get());
  ASSIGN_OR_RETURN(bool row, count_outbox_->Step());
  return row ? count_outbox_->ColumnInt(0) : 0;
}

absl::Status DeviceStore::RecordFeedReceipt(WriteTransaction& txn,
                                            absl::string_view record_id,
                                            absl::string_view bucket,
                                            const FeedReceipt& receipt) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  RETURN_IF_ERROR(CheckTransaction(txn));
  upsert_receipt_->BindText(1, record_id);
  upsert_receipt_->BindText(2, bucket);
  upsert_receipt_->BindInt(3, receipt.feed_seq);
  upsert_receipt_->BindInt(4, static_cast<int64_t>(receipt.accepted_hlc));
  return upsert_receipt_->Run();
}

absl::StatusOr<absl::flat_hash_map<std::string, FeedReceipt>>
DeviceStore::FeedReceipts(absl::string_view bucket) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  ScopedReset reset(select_receipts_.get());
  select_receipts_->BindText(1, bucket);
  absl::flat_hash_map<std::string, FeedReceipt> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select_receipts_->Step());
    if (!row) break;
    out[select_receipts_->ColumnText(0)] =
        FeedReceipt{select_receipts_->ColumnInt(1),
                    static_cast<uint64_t>(select_receipts_->ColumnInt(2))};
  }
  return out;
}

absl::Status DeviceStore::Acknowledge(WriteTransaction& txn,
                                      absl::Span<const uint64_t> seqs) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  RETURN_IF_ERROR(CheckTransaction(txn));
  for (uint64_t seq : seqs) {
    delete_outbox_->BindInt(1, static_cast<int64_t>(seq));
    RETURN_IF_ERROR(delete_outbox_->Run());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<int64_t>> DeviceStore::Cursor(
    absl::string_view bucket) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  ScopedReset reset(select_cursor_.get());
  select_cursor_->BindText(1, bucket);
  ASSIGN_OR_RETURN(bool row, select_cursor_->Step());
  if (!row) return std::nullopt;
  return select_cursor_->ColumnInt(0);
}

absl::StatusOr<std::vector<std::pair<std::string, int64_t>>>
DeviceStore::Cursors() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  ScopedReset reset(select_cursors_.get());
  std::vector<std::pair<std::string, int64_t>> cursors;
  while (true) {
    ASSIGN_OR_RETURN(bool row, select_cursors_->Step());
    if (!row) return cursors;
    cursors.emplace_back(std::string(select_cursors_->ColumnText(0)),
                         select_cursors_->ColumnInt(1));
  }
}

absl::Status DeviceStore::SetCursor(WriteTransaction& txn,
                                    absl::string_view bucket, int64_t cursor) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  RETURN_IF_ERROR(CheckTransaction(txn));
  upsert_cursor_->BindText(1, bucket);
  upsert_cursor_->BindInt(2, cursor);
  return upsert_cursor_->Run();
}

absl::StatusOr<int64_t> DeviceStore::Restamp(WriteTransaction& txn,
                                             absl::Span<const uint64_t> seqs) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  RETURN_IF_ERROR(CheckTransaction(txn));
  int64_t restamped = 0;
  for (uint64_t seq : seqs) {
    ASSIGN_OR_RETURN(std::optional<v1::Change> pending, PendingChange(seq));
    if (!pending.has_value()) continue;
    v1::Change& change = *pending;
    const RecordType* type = Schema::Get().FindCanonical(change.record_type());
    if (type == nullptr) continue;
    ASSIGN_OR_RETURN(internal::RecordTable * table, TableFor(*type));
    const Hlc old_hlc = change.hlc();
    const Hlc new_hlc = hlc_->Now();
    change.set_hlc(new_hlc);
    std::unique_ptr<Message> record = NewRecordMessage(*type);
    std::string clock_bytes;
    ASSIGN_OR_RETURN(bool found, table->Read(change.record_id(), record.get(),
                                             &clock_bytes));
    const FieldInfo* field = change.has_field_write() && found
                                 ? type->FieldByNumber(static_cast<int>(
                                       change.field_write().field_number()))
                                 : nullptr;
    if (field != nullptr) {
      ASSIGN_OR_RETURN(FieldClocks clocks, FieldClocks::Decode(clock_bytes));
      std::optional<Stamp> held;
      if (auto clock = clocks.Get(field->number); clock.has_value()) {
        held = Stamp{clock->hlc, ReplicaIdAt(clock->replica_index)};
      }
      const RegisterMerge shown =
          MergeRegister(held, Stamp{old_hlc, replica_id_});
      if (shown == RegisterMerge::kKeepStored) {
        // A newer write (this device's or a pulled one) holds the register:
        // the refused one lost to it here, as it would have on the server.
        // Re-stamped, it would now beat the newer write there, and only
        // there; it is retired instead.
        delete_outbox_->BindInt(1, static_cast<int64_t>(seq));
        RETURN_IF_ERROR(delete_outbox_->Run());
        continue;
      }
      if (shown == RegisterMerge::kTakeIncoming) {
        // The row was rebuilt from the server without it (after an eviction
        // or a refusal): the write goes back in, as the server will hold it.
        RETURN_IF_ERROR(SetFieldValue(
            *type, *field, change.field_write().value(), record.get()));
        NoteChanged(type->full_name, change.record_id(), /*remote=*/true);
      }
      clocks.Set({field->number, new_hlc, local_replica_index_});
      RETURN_IF_ERROR(table->WriteField(change.record_id(), *field, *record,
                                        clocks.Encode()));
    } else if (change.has_log_entry()) {
      // The entry's recorded_hlc is its change's stamp (receivers check it),
      // so both move together, whether or not the row is still shown.
      const FieldInfo* recorded = type->FieldByName("recorded_hlc");
      std::unique_ptr<Message> entry = NewRecordMessage(*type);
      const std::string& bytes = change.log_entry();
      if (!entry->ParseFromArray(bytes.data(),
                                 static_cast<int>(bytes.size()))) {
        return absl::DataLossError(
            absl::StrCat("outbox entry ", seq, " holds a corrupt log entry"));
      }
      entry->GetReflection()->SetInt64(entry.get(), recorded->descriptor,
                                       static_cast<int64_t>(new_hlc));
      if (found) {
        RETURN_IF_ERROR(
            table->WriteField(change.record_id(), *recorded, *entry, {}));
        NoteChanged(type->full_name, change.record_id(), /*remote=*/true);
      }
      entry->SerializeToString(change.mutable_log_entry());
    }
    const std::string bytes = change.SerializeAsString();
    ScopedReset reset(update_outbox_.get());
    update_outbox_->BindInt(1, static_cast<int64_t>(seq));
    update_outbox_->BindBlobNoCopy(2, bytes);
    RETURN_IF_ERROR(update_outbox_->Step().status());
    ++restamped;
  }
  return restamped;
}

absl::Status DeviceStore::Hold(WriteTransaction& txn, const v1::Change& change,
                               const absl::Status& error) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  RETURN_IF_ERROR(CheckTransaction(txn));
  insert_held_->BindBlob(1, change.SerializeAsString());
  insert_held_->BindInt(2, ReasonOf(error));
  insert_held_->BindText(3, error.message());
  return insert_held_->Run();
}

absl::StatusOr<std::vector<OutboxEntry>> DeviceStore::HeldChanges() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  ScopedReset reset(select_held_.get());
  return ReadOutbox(*select_held_, /*with_reason=*/true);
}

absl::StatusOr<int64_t> DeviceStore::RetryHeld(WriteTransaction& txn) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  RETURN_IF_ERROR(CheckTransaction(txn));
  ASSIGN_OR_RETURN(std::vector<OutboxEntry> held, HeldChanges());
  int64_t applied = 0;
  for (const OutboxEntry& entry : held) {
    RemoteResult result;
    RETURN_IF_ERROR(ApplyOne(entry.change, &result));
    if (result.outcome == RemoteOutcome::kRejected) continue;
    delete_held_->BindInt(1, static_cast<int64_t>(entry.seq));
    RETURN_IF_ERROR(delete_held_->Run());
    ++applied;
  }
  return applied;
}

absl::Status DeviceStore::EvictBucket(WriteTransaction& txn,
                                      absl::string_view bucket) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  RETURN_IF_ERROR(CheckTransaction(txn));
  roles_valid_ = false;
  const absl::string_view student = StudentOfBucket(bucket);
  for (const auto& type : Schema::Get().types()) {
    const bool in_bucket = type->bucket_key == nullptr
                               ? bucket == kDirectoryBucket
                               : !student.empty();
    if (!in_bucket) continue;
    ASSIGN_OR_RETURN(internal::RecordTable * table, TableFor(*type));
    RETURN_IF_ERROR(table->DeleteBucket(student));
  }
  reference_buckets_.clear();
  delete_cursor_->BindText(1, bucket);
  RETURN_IF_ERROR(delete_cursor_->Run());
  delete_bucket_outbox_->BindText(1, bucket);
  RETURN_IF_ERROR(delete_bucket_outbox_->Run());
  delete_bucket_receipts_->BindText(1, bucket);
  RETURN_IF_ERROR(delete_bucket_receipts_->Run());
  if (observer_count_ > 0) notice_.evicted_buckets.emplace_back(bucket);
  return absl::OkStatus();
}

absl::StatusOr<std::string> DeviceStore::Setting(absl::string_view key) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  ScopedReset reset(select_setting_.get());
  select_setting_->BindText(1, absl::StrCat("setting.", key));
  ASSIGN_OR_RETURN(bool row, select_setting_->Step());
  return row ? std::string(select_setting_->ColumnText(0)) : std::string();
}

absl::Status DeviceStore::SetSetting(WriteTransaction& txn,
                                     absl::string_view key,
                                     absl::string_view value) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  RETURN_IF_ERROR(CheckTransaction(txn));
  upsert_setting_->BindText(1, absl::StrCat("setting.", key));
  upsert_setting_->BindText(2, value);
  return upsert_setting_->Run();
}

}  // namespace plansync
