#include "core/student_history.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/corrections.h"
#include "core/day.h"
#include "core/schema.h"
#include "core/status_macros.h"

namespace plansync {
namespace {

// The title of accommodation `id`, or the type of service `id`; `id` itself
// if the store does not hold it.
template <typename T>
std::string SubjectOf(DeviceStore& store, const std::string& id) {
  absl::StatusOr<T> record = store.Get<T>(id);
  if (!record.ok()) return id;
  if constexpr (std::is_same_v<T, v1::Accommodation>) {
    return record->title();
  } else {
    return record->service_type();
  }
}

// Adds the entries of type T (each with a `day`) in [from, to] to `out`,
// corrected; `fill` sets the entry's record and subject.
template <typename T, typename Fill>
absl::Status AddEntries(DeviceStore& store, absl::string_view student_id,
                        absl::string_view from, absl::string_view to,
                        const CorrectionIndex& index,
                        std::vector<v1::HistoryEntry>& out, Fill fill) {
  const RecordType& type = *Schema::Get().For(T::descriptor());
  ASSIGN_OR_RETURN(std::vector<T> entries, store.ListByStudent<T>(student_id));
  for (T& entry : entries) {
    const bool kept = index.Apply(type, &entry);
    if (entry.day() < from || to < entry.day()) continue;
    v1::HistoryEntry& item = out.emplace_back();
    item.set_day(entry.day());
    item.set_withdrawn(!kept);
    if (const auto* trail = index.Of(entry.id())) {
      for (const v1::Correction* c : *trail) *item.add_corrections() = *c;
    }
    RETURN_IF_ERROR(fill(std::move(entry), item));
  }
  return absl::OkStatus();
}

// When `entry` was recorded.
int64_t RecordedHlc(const v1::HistoryEntry& entry) {
  switch (entry.entry_case()) {
    case v1::HistoryEntry::kConfirmation:
      return entry.confirmation().recorded_hlc();
    case v1::HistoryEntry::kSession:
      return entry.session().recorded_hlc();
    case v1::HistoryEntry::kLapse:
      return entry.lapse().recorded_hlc();
    default:
      return 0;
  }
}

}  // namespace

std::string SchoolYearStartOf(absl::string_view day) {
  const std::optional<Day> on = ParseDay(day);
  return on.has_value() ? FormatDay(SchoolYearStart(*on)) : "";
}

absl::StatusOr<v1::StudentHistory> StudentHistoryOf(
    DeviceStore& store, absl::string_view student_id, absl::string_view from,
    absl::string_view to) {
  RETURN_IF_ERROR(RequireDay(from).status());
  RETURN_IF_ERROR(RequireDay(to).status());
  if (from > to) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the history's first day ", from, " is after its last day ", to));
  }
  RETURN_IF_ERROR(store.Get<v1::Student>(student_id).status());
  ASSIGN_OR_RETURN(const std::vector<v1::Correction> corrections,
                   store.ListByStudent<v1::Correction>(student_id));
  const CorrectionIndex index(corrections);
  std::vector<v1::HistoryEntry> entries;
  RETURN_IF_ERROR(AddEntries<v1::ImplementationConfirmation>(
      store, student_id, from, to, index, entries,
      [&](v1::ImplementationConfirmation c, v1::HistoryEntry& item) {
        item.set_subject(
            SubjectOf<v1::Accommodation>(store, c.accommodation_id()));
        *item.mutable_confirmation() = std::move(c);
        return absl::OkStatus();
      }));
  RETURN_IF_ERROR(AddEntries<v1::ServiceSession>(
      store, student_id, from, to, index, entries,
      [&](v1::ServiceSession s, v1::HistoryEntry& item) {
        item.set_subject(SubjectOf<v1::Service>(store, s.service_id()));
        *item.mutable_session() = std::move(s);
        return absl::OkStatus();
      }));
  RETURN_IF_ERROR(AddEntries<v1::LapseReport>(
      store, student_id, from, to, index, entries,
      [&](v1::LapseReport l, v1::HistoryEntry& item) -> absl::Status {
        item.set_subject(
            l.accommodation_id().empty()
                ? SubjectOf<v1::Service>(store, l.service_id())
                : SubjectOf<v1::Accommodation>(store, l.accommodation_id()));
        ASSIGN_OR_RETURN(
            std::vector<v1::LapseResponse> responses,
            store.List<v1::LapseResponse>("lapse_report_id", l.id()));
        std::sort(responses.begin(), responses.end(),
                  [](const auto& a, const auto& b) {
                    return a.recorded_hlc() < b.recorded_hlc();
                  });
        for (auto& r : responses) *item.add_responses() = std::move(r);
        *item.mutable_lapse() = std::move(l);
        return absl::OkStatus();
      }));
  std::stable_sort(entries.begin(), entries.end(),
                   [](const v1::HistoryEntry& a, const v1::HistoryEntry& b) {
                     return std::make_tuple(a.day(), RecordedHlc(a)) <
                            std::make_tuple(b.day(), RecordedHlc(b));
                   });
  v1::StudentHistory history;
  history.set_student_id(std::string(student_id));
  history.set_from(std::string(from));
  history.set_to(std::string(to));
  for (auto& entry : entries) *history.add_entries() = std::move(entry);
  return history;
}

}  // namespace plansync
