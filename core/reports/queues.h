// The case manager's queues: concurrent edits waiting for review, meetings
// with their decisions and notices, and sync health.
#ifndef PLANSYNC_CORE_REPORTS_QUEUES_H_
#define PLANSYNC_CORE_REPORTS_QUEUES_H_

#include <cstdint>
#include <optional>

#include "absl/functional/function_ref.h"
#include "core/reports/caseload.h"
#include "core/reports/school_calendar.h"
#include "plansync/v1/report.pb.h"

namespace plansync::reports {

// A conflict waits for review until its field is written again (review ends
// with an ordinary write): while the field's current
// HLC, which `field_hlc` returns (nullopt if the record is not here), is no
// newer than the conflict's winner.
v1::ConflictQueue BuildConflictQueue(
    const Caseload& caseload,
    absl::FunctionRef<std::optional<int64_t>(const v1::Conflict&)> field_hlc);

// Meetings by scheduled time with attendees and decisions; a decision
// proposed, agreed or refused needs a prior written notice naming it (34
// CFR 300.503: the school owes one when it proposes or refuses a change).
v1::MeetingsAndNotices BuildMeetings(const Caseload& caseload);

// What this device knows of its own sync state.
struct DeviceSyncState {
  std::string last_sync;  // RFC 3339, empty if never
  int64_t pending = 0;
  int64_t held = 0;
  std::vector<v1::RejectedItem> rejected;
};

// Sync health: this device's state, and when each other user's device last
// pulled a caseload student's records (from the access log). "Lately" is a
// week.
v1::SyncHealth BuildSyncHealth(const Caseload& caseload,
                               const DeviceSyncState& device, Day today);

}  // namespace plansync::reports

#endif  // PLANSYNC_CORE_REPORTS_QUEUES_H_
