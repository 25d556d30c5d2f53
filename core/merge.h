// The merge rules (README, "Sync"), as pure functions. The device store
// and the server both merge through these, so a change merges the same way
// wherever it is applied. Every rule is commutative, associative and
// idempotent over a set of changes (tests/merge_property_test.cc).
#ifndef PLANSYNC_CORE_MERGE_H_
#define PLANSYNC_CORE_MERGE_H_

#include <optional>
#include "absl/strings/string_view.h"

#include "core/hlc.h"
#include "google/protobuf/message.h"

namespace plansync {

// Who wrote a register value, and when.
struct Stamp {
  Hlc hlc = 0;
  absl::string_view replica_id;
};

// Total order of stamps: by HLC, then by replica id (bytewise).
bool StampLess(const Stamp& a, const Stamp& b);

enum class RegisterMerge {
  kTakeIncoming,  // the incoming write is newer: store it
  kKeepStored,    // the stored value is newer: ignore the incoming write
  kSame,          // the same write seen again: nothing to do
};

// Case: a write arrives for a register field.
// Resolution: with no stored value, take it. Otherwise the higher
// (hlc, replica_id) wins; an equal stamp is the same write delivered again
// (a replica never stamps two writes of one field with one HLC).
RegisterMerge MergeRegister(const std::optional<Stamp>& stored,
                            const Stamp& incoming);

enum class LogMerge {
  kInsert,     // new entry: insert it
  kDuplicate,  // identical entry already stored: nothing to do
  kForged,     // same id, different content: reject the incoming entry
};

// Case: a log entry arrives.
// Resolution: insert if no entry has its id; an identical duplicate is a
// no-op; the same id with different content is refused as forged or
// corrupted, and the stored entry stays as it was.
LogMerge MergeLogEntry(const google::protobuf::Message* stored,
                       const google::protobuf::Message& incoming);

// Case: a register write whose author saw the value stamped `base_hlc`,
// arriving where the current winner is `stored`.
// Resolution: it is a concurrent edit (to be recorded as a conflict for the
// case manager) when the author had not seen the stored winner — base_hlc is
// older than it — and the winner was written by another replica. A write
// that saw the winner, or that follows its own replica's earlier write, is an
// ordinary overwrite.
bool IsConcurrentEdit(const Stamp& stored, Hlc base_hlc,
                      absl::string_view incoming_replica);

}  // namespace plansync

#endif  // PLANSYNC_CORE_MERGE_H_
