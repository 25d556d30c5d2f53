#include "core/hash64.h"

#include <bit>
#include <cstring>

namespace plansync {
namespace {

// The `count` (at most 8) bytes at `at` as a little-endian integer.
uint64_t LoadLittleEndian(const char* at, size_t count) {
  uint64_t word = 0;
  for (size_t i = 0; i < count; ++i) {
    word |= static_cast<uint64_t>(static_cast<unsigned char>(at[i])) << (8 * i);
  }
  return word;
}

// The eight bytes at `at` as a little-endian integer, in one load.
uint64_t LoadLittleEndian8(const char* at) {
  uint64_t word;
  std::memcpy(&word, at, sizeof word);
  if constexpr (std::endian::native == std::endian::big) {
    word = __builtin_bswap64(word);
  }
  return word;
}

}  // namespace

Hash64& Hash64::AddBytes(absl::string_view bytes) {
  AddInt(bytes.size());
  const char* at = bytes.data();
  size_t left = bytes.size();
  for (; left >= 8; at += 8, left -= 8) AddInt(LoadLittleEndian8(at));
  if (left > 0) AddInt(LoadLittleEndian(at, left));
  return *this;
}

uint64_t Hash64::Finish() const {
  uint64_t h = state_;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 33);
}

}  // namespace plansync
