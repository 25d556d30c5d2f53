// Corrections of log entries. A log entry is never changed; a Correction
// entry names it (corrected_entry_id, corrected_entry_type) and either
// withdraws it (no field_name) or gives one field a new value (field_name,
// corrected_value). Every view shows the entry as corrected, with its trail.
// Pure functions: no store, no clock.
#ifndef PLANSYNC_CORE_CORRECTIONS_H_
#define PLANSYNC_CORE_CORRECTIONS_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/permissions.h"
#include "core/schema.h"
#include "google/protobuf/message.h"
#include "plansync/v1/change.pb.h"
#include "plansync/v1/records.pb.h"

namespace plansync {

// True if `field` of a log entry may be corrected: not the id, the student,
// a store-set field, a reference or a type name.
bool IsCorrectable(const FieldInfo& field);

// The value `text` gives `field`: a number, a day, an enum value's name,
// true or false, or the text itself. WRONG_VALUE_TYPE if it is none of
// these for the field's type.
absl::StatusOr<v1::Value> ParseCorrectedValue(const FieldInfo& field,
                                              absl::string_view text);

// The record rule of a Correction (device and server): `field_name`, if
// set, names a correctable field of `corrected_entry_type` (UNKNOWN_FIELD)
// and `corrected_value` is a valid value of it (that field's own reasons:
// VALUE_OUT_OF_RANGE, MALFORMED_DATE, ...). A correction with no field_name
// withdraws the entry. An unknown corrected_entry_type is left to the
// field's own check.
absl::Status CheckCorrection(const v1::Correction& correction);

// Who may correct an entry: its author; for an entry of a type no guardian
// writes (confirmations, sessions, progress points, lapse responses), also
// a case manager of the student. NOT_ENTRY_AUTHOR otherwise, saying who
// may. `corrector_roles` are the corrector's roles on the entry's student.
absl::Status MayCorrect(const RecordType& entry_type,
                        absl::string_view entry_author,
                        absl::string_view corrector, RoleSet corrector_roles);

// The corrections of a student's entries, by the entry they correct.
class CorrectionIndex {
 public:
  explicit CorrectionIndex(const std::vector<v1::Correction>& corrections);

  // The corrections of entry `id`, oldest first (recorded_hlc, then id);
  // null if none.
  const std::vector<const v1::Correction*>* Of(absl::string_view id) const;

  // Applies the corrections of `entry` (of `type`) to it in order, so the
  // latest of a field wins. False if the entry is withdrawn. Corrections
  // that name another type, or a field or value that is not valid, change
  // nothing.
  bool Apply(const RecordType& type, google::protobuf::Message* entry) const;

  // Applies every entry's corrections and removes withdrawn entries.
  template <typename T>
  void ApplyAll(std::vector<T>* entries) const {
    const RecordType& type =
        *Schema::Get().FindCanonical(T::descriptor()->full_name());
    std::vector<T> kept;
    kept.reserve(entries->size());
    for (T& entry : *entries) {
      if (Apply(type, &entry)) kept.push_back(std::move(entry));
    }
    *entries = std::move(kept);
  }

 private:
  absl::flat_hash_map<std::string, std::vector<const v1::Correction*>> by_id_;
};

}  // namespace plansync

#endif  // PLANSYNC_CORE_CORRECTIONS_H_
