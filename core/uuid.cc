#include "core/uuid.h"

#include <array>

#include "absl/strings/ascii.h"

namespace plansync {

std::string IdGenerator::Next() {
  const uint64_t millis = static_cast<uint64_t>(clock_->NowMillis());
  uint64_t rand_hi = 0;
  uint64_t rand_lo = 0;
  {
    absl::MutexLock lock(&mu_);
    rand_hi = rng_();
    rand_lo = rng_();
  }
  std::array<uint8_t, 16> bytes;
  for (int i = 0; i < 6; ++i) bytes[i] = (millis >> (40 - 8 * i)) & 0xFF;
  bytes[6] = 0x70 | ((rand_hi >> 8) & 0x0F);  // version 7 + rand_a
  bytes[7] = rand_hi & 0xFF;
  bytes[8] = 0x80 | ((rand_lo >> 56) & 0x3F);  // variant 10 + rand_b
  for (int i = 9; i < 16; ++i) bytes[i] = (rand_lo >> (8 * (15 - i))) & 0xFF;

  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0x0F]);
  }
  return out;
}

uint64_t IdGenerator::RandomSeed() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

bool IsUuid(absl::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position ? text[i] != '-' : !absl::ascii_isxdigit(text[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace plansync
