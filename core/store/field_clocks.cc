#include "core/store/field_clocks.h"

#include <algorithm>

#include "absl/status/status.h"

namespace plansync::internal {
namespace {

void PutVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

bool GetVarint(absl::string_view* in, uint64_t* value) {
  *value = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    const uint8_t byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    *value |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<FieldClocks> FieldClocks::Decode(absl::string_view bytes) {
  FieldClocks clocks;
  while (!bytes.empty()) {
    uint64_t field = 0, replica = 0;
    if (!GetVarint(&bytes, &field) || bytes.size() < 8) {
      return absl::DataLossError("a record's field clocks are corrupt");
    }
    Hlc hlc = 0;
    for (int i = 0; i < 8; ++i) {
      hlc |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
    }
    bytes.remove_prefix(8);
    if (!GetVarint(&bytes, &replica)) {
      return absl::DataLossError("a record's field clocks are corrupt");
    }
    clocks.clocks_.push_back(
        {static_cast<int>(field), hlc, static_cast<uint32_t>(replica)});
  }
  return clocks;
}

std::optional<FieldClock> FieldClocks::Get(int field_number) const {
  for (const FieldClock& clock : clocks_) {
    if (clock.field_number == field_number) return clock;
  }
  return std::nullopt;
}

void FieldClocks::Set(const FieldClock& clock) {
  auto it = std::lower_bound(
      clocks_.begin(), clocks_.end(), clock.field_number,
      [](const FieldClock& c, int number) { return c.field_number < number; });
  if (it != clocks_.end() && it->field_number == clock.field_number) {
    *it = clock;
  } else {
    clocks_.insert(it, clock);
  }
}

std::string FieldClocks::Encode() const {
  std::string out;
  out.reserve(clocks_.size() * 11);
  for (const FieldClock& clock : clocks_) {
    PutVarint(static_cast<uint64_t>(clock.field_number), &out);
    for (int i = 0; i < 8; ++i) {
      out.push_back(static_cast<char>((clock.hlc >> (8 * i)) & 0xFF));
    }
    PutVarint(clock.replica_index, &out);
  }
  return out;
}

}  // namespace plansync::internal
