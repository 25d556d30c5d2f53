#include "server/merger.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "core/change_check.h"
#include "core/corrections.h"
#include "core/errors.h"
#include "core/hash64.h"
#include "core/merge.h"
#include "core/permissions.h"
#include "core/status_macros.h"
#include "core/validate.h"
#include "core/value.h"
#include "plansync/v1/records.pb.h"

namespace plansync::server {
namespace {

// `bucket_seq`: where the change's item went in its bucket's feed (0: none).
v1::ChangeResult Accepted(int64_t bucket_seq, Hlc accepted) {
  v1::ChangeResult result;
  result.set_status(v1::ChangeResult::ACCEPTED);
  result.set_bucket_seq(bucket_seq);
  result.set_accepted_hlc(accepted);
  return result;
}

// A change received again; for a log entry, with its place and acceptance
// (`stored`: its item).
v1::ChangeResult Duplicate(const std::optional<StoredItem>& stored) {
  v1::ChangeResult result;
  result.set_status(v1::ChangeResult::DUPLICATE);
  if (stored.has_value()) {
    result.set_bucket_seq(stored->seq);
    result.set_accepted_hlc(stored->change.accepted_hlc());
  }
  return result;
}

// Appends Change.accepted_hlc = `accepted` to the serialized change `bytes`
// (a serialized message followed by another of the same type parses as
// their merge), so the stored change carries when the server accepted it.
// Written as the wire format has it: the key (field 11, varint), then the
// value as a varint; no message is built.
void StampAccepted(Hlc accepted, std::string* bytes) {
  constexpr uint32_t kAcceptedHlcField = 11;
  static_assert(v1::Change::kAcceptedHlcFieldNumber == kAcceptedHlcField);
  bytes->push_back(static_cast<char>(kAcceptedHlcField << 3));  // varint
  uint64_t value = accepted;
  while (value >= 0x80) {
    bytes->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  bytes->push_back(static_cast<char>(value));
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

// Record homes by record id.
using HomeCache = absl::flat_hash_map<std::string, RecordHome>;

// CROSS_STUDENT_REFERENCE if a reference of the change names a record held
// in another bucket; UNKNOWN_REFERENCE if it names a record of another type.
// Typed references (a Comment's about_record_id) are checked against the
// type their record names. A reference to a record the server does not hold
// is let through: the device checked it when writing, and the record may be
// one whose own push was refused for a passing reason (clock drift) and will
// come again.
// `homes` holds the homes found so far in the batch: a home never changes
// once stored, so each is read once per batch.
absl::Status CheckReferences(const CheckedChange& checked,
                             const v1::Change& change, ServerTransaction& txn,
                             HomeCache& homes) {
  const RecordType& type = *checked.type;
  const google::protobuf::Message& record = *checked.record;
  const auto* reflection = record.GetReflection();
  for (const FieldInfo& field : type.fields) {
    if (field.is_bucket_key) continue;
    if (checked.field != nullptr && checked.field != &field) continue;
    const RecordType* target_type = field.ref;
    if (field.ref_type_field != nullptr) {
      target_type = Schema::Get().FindCanonical(reflection->GetStringReference(
          record, field.ref_type_field->descriptor, nullptr));
    }
    if (target_type == nullptr) continue;
    const std::string& target =
        reflection->GetStringReference(record, field.descriptor, nullptr);
    if (target.empty()) continue;
    const RecordHome* home = nullptr;
    if (auto cached = homes.find(target); cached != homes.end()) {
      home = &cached->second;
    } else {
      ASSIGN_OR_RETURN(std::optional<RecordHome> stored,
                       txn.GetRecordHome(target));
      if (!stored.has_value()) continue;
      home = &homes.try_emplace(target, *std::move(stored)).first->second;
    }
    if (home->bucket != change.bucket()) {
      return ReasonError(
          v1::CROSS_STUDENT_REFERENCE,
          absl::StrCat(type.short_name, ".", field.name, " names ",
                       target_type->short_name, " ", target,
                       ", which belongs to another student"));
    }
    if (home->record_type != target_type->full_name) {
      return ReasonError(
          v1::UNKNOWN_REFERENCE,
          absl::StrCat(type.short_name, ".", field.name, " names ", target,
                       " as a ", target_type->short_name,
                       ", but that id is not a ", target_type->short_name));
    }
  }
  return absl::OkStatus();
}

// NOT_ENTRY_AUTHOR if the change is a Correction of an entry its author may
// not correct (core/corrections.h, MayCorrect). An entry the server does not
// hold is let through, as a reference to it would be.
absl::Status CheckCorrector(const CheckedChange& checked,
                            const v1::Change& change, const Access& access,
                            ServerTransaction& txn) {
  const auto* correction =
      dynamic_cast<const v1::Correction*>(checked.record.get());
  if (correction == nullptr) return absl::OkStatus();
  const RecordType* entry_type =
      Schema::Get().FindCanonical(correction->corrected_entry_type());
  if (entry_type == nullptr) return absl::OkStatus();
  ASSIGN_OR_RETURN(
      std::optional<StoredItem> entry,
      txn.GetItem(entry_type->full_name, correction->corrected_entry_id(), 0));
  if (!entry.has_value()) return absl::OkStatus();
  return MayCorrect(*entry_type, entry->change.author_id(),
                    access.principal_id(), access.RolesOn(change.bucket()));
}

// WRONG_BUCKET if the change's record lives in another bucket; DUPLICATE_ID if
// its id belongs to a record of another type. Records never move.
absl::Status CheckHome(const CheckedChange& checked, const v1::Change& change,
                       const RecordHome& home) {
  if (home.bucket != change.bucket()) {
    return ReasonError(
        v1::WRONG_BUCKET,
        absl::StrCat(checked.type->short_name, " ", change.record_id(),
                     " belongs to another bucket; a record stays in the "
                     "bucket it was made in"));
  }
  if (home.record_type != change.record_type()) {
    const RecordType* other = Schema::Get().FindCanonical(home.record_type);
    return ReasonError(
        v1::DUPLICATE_ID,
        absl::StrCat("the id ", change.record_id(), " belongs to a ",
                     other != nullptr ? other->short_name : "record",
                     ", not a ", checked.type->short_name));
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

uint64_t ChangeDigest(absl::string_view bytes) { return Hash64::Of(bytes); }

uint64_t Fnv1a(absl::string_view bytes) {
  uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

absl::StatusOr<bool> Merger::BindServerReplica(ServerTransaction& txn) {
  if (server_replica_bound_.load(std::memory_order_acquire)) return false;
  ASSIGN_OR_RETURN(std::optional<std::string> owner,
                   txn.ReplicaOwner(replica_id_));
  if (owner.has_value()) {
    server_replica_bound_.store(true, std::memory_order_release);
    return false;
  }
  RETURN_IF_ERROR(txn.BindReplica(replica_id_, kServerPrincipal));
  return true;
}

void Merger::ServerReplicaCommitted() {
  server_replica_bound_.store(true, std::memory_order_release);
}

absl::StatusOr<BatchOutcome> Merger::Apply(
    const Access& access,
    const google::protobuf::RepeatedPtrField<v1::Change>& changes) {
  return RetryAborted([&] { return ApplyOnce(access, changes); });
}

absl::StatusOr<BatchOutcome> Merger::ApplyOnce(
    const Access& access,
    const google::protobuf::RepeatedPtrField<v1::Change>& changes) {
  BatchOutcome outcome;
  outcome.results.reserve(changes.size());
  ASSIGN_OR_RETURN(std::unique_ptr<ServerTransaction> txn, store_->Begin());
  // The changes' own text fields, checked before any of them is used to
  // look something up (a database may refuse such bytes).
  std::vector<absl::Status> text(changes.size());
  for (int i = 0; i < changes.size(); ++i) {
    text[i] = CheckChangeText(changes[i]);
  }
  // The buckets the batch writes, locked (in order) before anything is read.
  std::vector<std::string> buckets;
  for (int i = 0; i < changes.size(); ++i) {
    if (text[i].ok()) buckets.push_back(changes[i].bucket());
  }
  std::sort(buckets.begin(), buckets.end());
  buckets.erase(std::unique(buckets.begin(), buckets.end()), buckets.end());
  RETURN_IF_ERROR(txn->LockBuckets(buckets));
  RETURN_IF_ERROR(txn->Prefetch(changes));
  ASSIGN_OR_RETURN(const bool bound_server_replica, BindServerReplica(*txn));
  // What the batch knows of each replica id it names: its owner (nullopt
  // while unbound; an unbound replica is bound to the caller with its first
  // accepted change) and the highest sequence number applied of it.
  struct Replica {
    std::optional<std::string> owner;
    std::optional<int64_t> last_applied;
  };
  absl::flat_hash_map<std::string, Replica> replicas;
  HomeCache homes;
  auto put = [&](const v1::Change& change, int field,
                 absl::string_view bytes) -> absl::StatusOr<int64_t> {
    ASSIGN_OR_RETURN(int64_t seq, txn->PutItem(change, field, bytes));
    outcome.changed_buckets[change.bucket()] = seq;
    return seq;
  };
  std::string bytes;
  for (int i = 0; i < changes.size(); ++i) {
    const v1::Change& change = changes[i];
    if (!text[i].ok()) {
      outcome.results.push_back(Rejected(text[i]));
      continue;
    }
    if (change.feed_seq() != 0 || change.accepted_hlc() != 0) {
      outcome.results.push_back(Rejected(ReasonError(
          v1::MALFORMED_CHANGE,
          "feed_seq and accepted_hlc are the server's to set; a device sends "
          "them empty")));
      continue;
    }
    bytes.clear();
    change.SerializeToString(&bytes);
    const size_t size = bytes.size();
    if (size > max_change_bytes_) {
      outcome.results.push_back(Rejected(
          ReasonError(v1::BATCH_TOO_LARGE,
                      absl::StrCat("the change is ", size,
                                   " bytes; the server accepts "
                                   "at most ",
                                   max_change_bytes_, " bytes per change"))));
      continue;
    }
    // A replica id belongs to the principal that first used it.
    auto [entry, first_seen] = replicas.try_emplace(change.replica_id());
    Replica& replica = entry->second;
    if (first_seen) {
      ASSIGN_OR_RETURN(replica.owner, txn->ReplicaOwner(change.replica_id()));
      ASSIGN_OR_RETURN(replica.last_applied,
                       txn->LastApplied(change.replica_id()));
    }
    if (replica.owner.has_value() && *replica.owner != access.principal_id()) {
      outcome.results.push_back(Rejected(ReasonError(
          v1::REPLICA_NOT_OWNED,
          "the change's replica (device) id belongs to another user; a "
          "device writes under its own replica id")));
      continue;
    }
    // Idempotence by change id: a change numbered above the replica's last
    // applied one is new; only one at or below it is looked up.
    const uint64_t digest = ChangeDigest(bytes);
    const auto key = static_cast<int64_t>(change.replica_seq());
    std::optional<uint64_t> applied;
    if (replica.last_applied.has_value() && key <= *replica.last_applied) {
      ASSIGN_OR_RETURN(applied, txn->AppliedDigest(change.replica_id(),
                                                   change.replica_seq()));
    }
    if (applied.has_value()) {
      // Rows stored by earlier servers hold FNV-1a digests.
      const bool same = *applied == digest || *applied == Fnv1a(bytes);
      std::optional<StoredItem> entry;
      if (same && change.has_log_entry()) {
        ASSIGN_OR_RETURN(
            entry, txn->GetItem(change.record_type(), change.record_id(), 0));
      }
      outcome.results.push_back(
          same ? Duplicate(entry)
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
      absl::Status refs = CheckReferences(*checked, change, *txn, homes);
      if (!refs.ok() && ReasonOf(refs) == v1::REASON_UNSPECIFIED) return refs;
      valid = refs;
    }
    if (valid.ok() && !access.unrestricted() &&
        checked->type->descriptor == v1::Correction::descriptor()) {
      absl::Status corrector = CheckCorrector(*checked, change, access, *txn);
      if (!corrector.ok() && ReasonOf(corrector) == v1::REASON_UNSPECIFIED) {
        return corrector;
      }
      valid = corrector;
    }
    if (valid.ok()) valid = clock_->Observe(change.hlc());
    if (!valid.ok()) {
      outcome.results.push_back(Rejected(valid));
      continue;
    }
    const Hlc accepted = clock_->Now();
    StampAccepted(accepted, &bytes);
    const int field = checked->field != nullptr ? checked->field->number : 0;
    // A record keeps its type and bucket. A register write reads its item
    // first, to merge against it; a log entry is inserted at once where
    // nothing is stored (a new entry, the common case), and otherwise reads
    // what is there.
    bool inserted = false;
    int64_t receipt = 0;  // the feed sequence of the item the change wrote
    Hlc receipt_hlc = accepted;
    std::optional<StoredItem> stored;
    if (field != 0) {
      ASSIGN_OR_RETURN(stored, txn->GetItem(change.record_type(),
                                            change.record_id(), field));
    } else {
      ASSIGN_OR_RETURN(std::optional<int64_t> seq,
                       txn->InsertItem(change, 0, bytes));
      if (seq.has_value()) {
        outcome.changed_buckets[change.bucket()] = *seq;
        receipt = *seq;
      }
      inserted = seq.has_value();
    }
    if (!inserted) {
      std::optional<RecordHome> home;
      if (stored.has_value()) {
        home = RecordHome{change.record_type(), stored->bucket};
      } else {
        ASSIGN_OR_RETURN(home, txn->GetRecordHome(change.record_id()));
      }
      if (home.has_value()) valid = CheckHome(*checked, change, *home);
      if (valid.ok() && field == 0) {
        ASSIGN_OR_RETURN(
            stored, txn->GetItem(change.record_type(), change.record_id(), 0));
      }
      if (valid.ok() && stored.has_value() && field != 0) {
        valid = CheckFieldChange(*checked->type, *checked->field);
      }
    }
    if (!valid.ok()) {
      outcome.results.push_back(Rejected(valid));
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
        ASSIGN_OR_RETURN(receipt, put(change, field, bytes));
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
        std::string conflict_bytes = conflict.SerializeAsString();
        StampAccepted(clock_->Now(), &conflict_bytes);
        RETURN_IF_ERROR(put(conflict, 0, conflict_bytes).status());
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
      switch (inserted ? LogMerge::kInsert
                       : MergeLogEntry(stored_entry.get(), *checked->record)) {
        case LogMerge::kInsert:
          if (!inserted) {
            // InsertItem refuses only where an item or another home is.
            return absl::InternalError(
                "the store refused a log entry it does not hold");
          }
          break;
        case LogMerge::kDuplicate:  // the entry, sent again: its place
          receipt = stored->seq;
          receipt_hlc = stored->change.accepted_hlc();
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
    if (!replica.last_applied.has_value() || key > *replica.last_applied) {
      replica.last_applied = key;
    }
    if (!replica.owner.has_value()) {
      RETURN_IF_ERROR(
          txn->BindReplica(change.replica_id(), access.principal_id()));
      replica.owner = access.principal_id();
    }
    outcome.results.push_back(
        Accepted(receipt, receipt != 0 ? receipt_hlc : 0));
  }
  RETURN_IF_ERROR(txn->Commit());
  if (bound_server_replica) ServerReplicaCommitted();
  return outcome;
}

}  // namespace plansync::server
