// The per-field clocks of a mutable record, kept in one BLOB column of the
// record's row (not one row per field): for each written field, its number,
// the HLC of its current value and the index of the replica that wrote it.
#ifndef PLANSYNC_CORE_STORE_FIELD_CLOCKS_H_
#define PLANSYNC_CORE_STORE_FIELD_CLOCKS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "core/hlc.h"

namespace plansync::internal {

struct FieldClock {
  int field_number = 0;
  Hlc hlc = 0;
  uint32_t replica_index = 0;  // row of the store's replica table
};

class FieldClocks {
 public:
  // Parses the column's bytes; DATA_LOSS if they are not a clock list.
  static absl::StatusOr<FieldClocks> Decode(absl::string_view bytes);

  // The clock of `field_number`, or nullopt if the field was never written.
  std::optional<FieldClock> Get(int field_number) const;
  // Sets (or adds) the clock of `clock.field_number`.
  void Set(const FieldClock& clock);
  // The column's bytes: per field a varint number, 8 bytes of HLC (little
  // endian) and a varint replica index, in field-number order.
  std::string Encode() const;

 private:
  std::vector<FieldClock> clocks_;  // sorted by field_number
};

}  // namespace plansync::internal

#endif  // PLANSYNC_CORE_STORE_FIELD_CLOCKS_H_
