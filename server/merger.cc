#include "server/merger.h"

#include "absl/strings/str_cat.h"
#include "core/change_check.h"
#include "core/errors.h"
#include "core/merge.h"
#include "core/permissions.h"
#include "core/status_macros.h"
#include "core/value.h"
#include "plansync/v1/records.pb.h"

namespace plansync::server {
namespace {

v1::ChangeResult Accepted() {
  v1::ChangeResult result;
  result.set_status(v1::ChangeResult::ACCEPTED);
  return result;
}

v1::ChangeResult Duplicate() {
  v1::ChangeResult result;
  result.set_status(v1::ChangeResult::DUPLICATE);
  return result;
}

v1::ChangeResult Rejected(const absl::Status& error) {
  v1::ChangeResult result;
  result.set_status(v1::ChangeResult::REJECTED);
  v1::Reason reason = ReasonOf(error);
  result.set_reason(reason == v1::REASON_UNSPECIFIED ? v1::MALFORMED_CHANGE
                                                     : reason);
  result.set_message(std::string(error.message()));
  return result;
}

// The Conflict entry for a concurrent edit of one register.
v1::Change ConflictChange(const CheckedChange& checked,
                          const v1::Change& incoming, const StoredItem& stored,
                          bool incoming_wins, Hlc now, IdGenerator& ids,
                          const std::string& server_replica) {
  const v1::Change& winner = incoming_wins ? incoming : stored.change;
  const v1::Change& loser = incoming_wins ? stored.change : incoming;
  v1::Conflict conflict;
  conflict.set_id(ids.Next());
  conflict.set_student_id(checked.student_id);
  conflict.set_author_id(std::string(kServerPrincipal));
  conflict.set_recorded_hlc(static_cast<int64_t>(now));
  conflict.set_record_type(checked.type->short_name);
  conflict.set_record_id(incoming.record_id());
  conflict.set_field_name(checked.field->name);
  conflict.set_winning_value(ValueToText(winner.field_write().value()));
  conflict.set_losing_value(ValueToText(loser.field_write().value()));
  conflict.set_winner_user_id(winner.author_id());
  conflict.set_loser_user_id(loser.author_id());
  conflict.set_winner_hlc(static_cast<int64_t>(winner.hlc()));
  conflict.set_loser_hlc(static_cast<int64_t>(loser.hlc()));

  v1::Change change;
  change.set_replica_id(server_replica);
  change.set_replica_seq(now);  // unique and increasing for the server
  change.set_record_type(std::string(v1::Conflict::descriptor()->full_name()));
  change.set_record_id(conflict.id());
  change.set_bucket(incoming.bucket());
  change.set_author_id(std::string(kServerPrincipal));
  change.set_hlc(now);
  conflict.SerializeToString(change.mutable_log_entry());
  return change;
}

// CROSS_STUDENT_REFERENCE if a reference of the change names a record held
// in another bucket. A reference to a record the server does not hold is let
// through: the device checked it when writing, and the record may be one
// whose own push was refused for a passing reason (clock drift) and will
// come again.
absl::Status CheckReferences(const CheckedChange& checked,
                             const v1::Change& change, ServerTransaction& txn) {
  const RecordType& type = *checked.type;
  for (const FieldInfo& field : type.fields) {
    if (field.ref == nullptr || field.is_bucket_key) continue;
    if (checked.field != nullptr && checked.field != &field) continue;
    const std::string& target =
        checked.record->GetReflection()->GetStringReference(
            *checked.record, field.descriptor, nullptr);
    if (target.empty()) continue;
    ASSIGN_OR_RETURN(std::optional<std::string> bucket,
                     txn.RecordBucket(field.ref->full_name, target));
    if (bucket.has_value() && *bucket != change.bucket()) {
      return ReasonError(
          v1::CROSS_STUDENT_REFERENCE,
          absl::StrCat(type.short_name, ".", field.name, " names ",
                       field.ref->short_name, " ", target,
                       ", which belongs to another student"));
    }
  }
  return absl::OkStatus();
}

// Keeps the grant row of an Assignment or User in step with a winning write.
absl::Status UpdateGrant(const CheckedChange& checked, const v1::Change& change,
                         ServerTransaction& txn) {
  ASSIGN_OR_RETURN(std::optional<Grant> stored,
                   txn.GetGrant(change.record_id()));
  Grant grant;
  if (stored.has_value()) {
    grant = *std::move(stored);
  } else {
    grant.id = change.record_id();
    grant.student_id = checked.student_id;
  }
  ApplyToGrant(*checked.type, *checked.field, change.field_write().value(),
               &grant);
  return txn.PutGrant(grant);
}

}  // namespace

uint64_t Fnv1a(absl::string_view bytes) {
  uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

absl::StatusOr<BatchOutcome> Merger::Apply(
    const Access& access,
    const google::protobuf::RepeatedPtrField<v1::Change>& changes) {
  BatchOutcome outcome;
  outcome.results.reserve(changes.size());
  ASSIGN_OR_RETURN(std::unique_ptr<ServerTransaction> txn, store_->Begin());
  auto put = [&](const v1::Change& change, int field,
                 absl::string_view bytes) -> absl::Status {
    ASSIGN_OR_RETURN(int64_t seq, txn->PutItem(change, field, bytes));
    outcome.changed_buckets[change.bucket()] = seq;
    return absl::OkStatus();
  };
  std::string bytes;
  for (const v1::Change& change : changes) {
    // Idempotence by change id.
    bytes.clear();
    change.SerializeToString(&bytes);
    const uint64_t digest = Fnv1a(bytes);
    ASSIGN_OR_RETURN(
        std::optional<uint64_t> applied,
        txn->AppliedDigest(change.replica_id(), change.replica_seq()));
    if (applied.has_value()) {
      outcome.results.push_back(
          *applied == digest
              ? Duplicate()
              : Rejected(ReasonError(
                    v1::CHANGE_ID_REUSED,
                    absl::StrCat("change ", change.replica_seq(),
                                 " of this device was already received with "
                                 "different content"))));
      continue;
    }
    absl::StatusOr<CheckedChange> checked = CheckChange(change);
    absl::Status valid = checked.status();
    if (valid.ok() && !access.unrestricted()) {
      valid = AuthorizeChange(*checked, change, access.principal_id(),
                              access.RolesOn(change.bucket()));
    }
    if (valid.ok()) {
      absl::Status refs = CheckReferences(*checked, change, *txn);
      if (!refs.ok() && ReasonOf(refs) == v1::REASON_UNSPECIFIED) return refs;
      valid = refs;
    }
    if (valid.ok()) valid = clock_->Observe(change.hlc());
    if (!valid.ok()) {
      outcome.results.push_back(Rejected(valid));
      continue;
    }
    const int field = checked->field != nullptr ? checked->field->number : 0;
    ASSIGN_OR_RETURN(
        std::optional<StoredItem> stored,
        txn->GetItem(change.record_type(), change.record_id(), field));
    // A record stays in the bucket it was made in. A log entry has one item,
    // so with none stored there is nothing else to check.
    std::optional<std::string> bucket;
    if (stored.has_value()) {
      bucket = stored->bucket;
    } else if (field != 0) {
      ASSIGN_OR_RETURN(
          bucket, txn->RecordBucket(change.record_type(), change.record_id()));
    }
    if (bucket.has_value() && *bucket != change.bucket()) {
      outcome.results.push_back(Rejected(ReasonError(
          v1::MALFORMED_CHANGE,
          absl::StrCat(checked->type->short_name, " ", change.record_id(),
                       " belongs to another bucket"))));
      continue;
    }

    if (field != 0) {
      // A register write.
      std::optional<Stamp> stored_stamp;
      if (stored.has_value()) {
        stored_stamp = Stamp{stored->hlc, stored->replica_id};
      }
      const Stamp incoming{change.hlc(), change.replica_id()};
      const RegisterMerge merge = MergeRegister(stored_stamp, incoming);
      if (merge == RegisterMerge::kTakeIncoming) {
        RETURN_IF_ERROR(put(change, field, bytes));
        if (ConfersRights(*checked->type)) {
          RETURN_IF_ERROR(UpdateGrant(*checked, change, *txn));
        }
      }
      if (stored.has_value() && merge != RegisterMerge::kSame &&
          !checked->student_id.empty() &&
          IsConcurrentEdit(*stored_stamp, change.field_write().base_hlc(),
                           change.replica_id()) &&
          !SameValue(stored->change.field_write().value(),
                     change.field_write().value())) {
        const v1::Change conflict = ConflictChange(
            *checked, change, *stored, merge == RegisterMerge::kTakeIncoming,
            clock_->Now(), *ids_, replica_id_);
        RETURN_IF_ERROR(put(conflict, 0, conflict.SerializeAsString()));
      }
    } else {
      // A log entry.
      std::unique_ptr<google::protobuf::Message> stored_entry;
      if (stored.has_value()) {
        stored_entry = NewRecordMessage(*checked->type);
        const std::string& entry = stored->change.log_entry();
        if (!stored_entry->ParseFromArray(entry.data(),
                                          static_cast<int>(entry.size()))) {
          return absl::DataLossError("a stored log entry is corrupt");
        }
      }
      switch (MergeLogEntry(stored_entry.get(), *checked->record)) {
        case LogMerge::kInsert:
          RETURN_IF_ERROR(put(change, 0, bytes));
          break;
        case LogMerge::kDuplicate:
          break;
        case LogMerge::kForged:
          outcome.results.push_back(Rejected(ReasonError(
              v1::LOG_ENTRY_IMMUTABLE,
              absl::StrCat(checked->type->short_name, " ", change.record_id(),
                           " already exists with different content; log "
                           "entries are never changed"))));
          continue;
      }
    }
    RETURN_IF_ERROR(
        txn->RecordApplied(change.replica_id(), change.replica_seq(), digest));
    outcome.results.push_back(Accepted());
  }
  RETURN_IF_ERROR(txn->Commit());
  return outcome;
}

}  // namespace plansync::server
