#include "core/merge.h"

#include "google/protobuf/util/message_differencer.h"

namespace plansync {

bool StampLess(const Stamp& a, const Stamp& b) {
  if (a.hlc != b.hlc) return a.hlc < b.hlc;
  return a.replica_id < b.replica_id;
}

RegisterMerge MergeRegister(const std::optional<Stamp>& stored,
                            const Stamp& incoming) {
  if (!stored.has_value()) return RegisterMerge::kTakeIncoming;
  if (StampLess(*stored, incoming)) return RegisterMerge::kTakeIncoming;
  if (StampLess(incoming, *stored)) return RegisterMerge::kKeepStored;
  return RegisterMerge::kSame;
}

LogMerge MergeLogEntry(const google::protobuf::Message* stored,
                       const google::protobuf::Message& incoming) {
  if (stored == nullptr) return LogMerge::kInsert;
  return google::protobuf::util::MessageDifferencer::Equals(*stored, incoming)
             ? LogMerge::kDuplicate
             : LogMerge::kForged;
}

bool IsConcurrentEdit(const Stamp& stored, Hlc base_hlc,
                      absl::string_view incoming_replica) {
  return base_hlc < stored.hlc && stored.replica_id != incoming_replica;
}

}  // namespace plansync
