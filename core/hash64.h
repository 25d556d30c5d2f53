// A 64-bit hash of byte strings and integers, streamed, with the same value
// on every machine and in every process (unlike absl::Hash, which is seeded
// per process): for digests that are stored or compared across devices.
// Eight bytes a step (little-endian loads, multiply-xorshift mixing,
// MurmurHash3's final avalanche). Not for adversaries: collisions can be
// forged.
//
// Its values are part of stored data (the server's change digests): changing
// the algorithm needs a new name, not an edit.
#ifndef PLANSYNC_CORE_HASH64_H_
#define PLANSYNC_CORE_HASH64_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace plansync {

class Hash64 {
 public:
  Hash64() = default;

  // Adds `bytes`, preceded by their length, so that ("ab", "c") and
  // ("a", "bc") hash differently.
  Hash64& AddBytes(absl::string_view bytes);
  // Adds one 64-bit integer.
  Hash64& AddInt(uint64_t value) {
    state_ = Mix(state_ ^ value);
    return *this;
  }
  uint64_t Finish() const;

  // The hash of `bytes` alone.
  static uint64_t Of(absl::string_view bytes) {
    return Hash64().AddBytes(bytes).Finish();
  }

 private:
  static uint64_t Mix(uint64_t h) {
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 32);
  }

  uint64_t state_ = 0x9e3779b97f4a7c15ULL;
};

}  // namespace plansync

#endif  // PLANSYNC_CORE_HASH64_H_
