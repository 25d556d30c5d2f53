#include "core/reports/queues.h"

#include <algorithm>
#include <map>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/hlc.h"
#include "core/plan_timeline.h"

namespace plansync::reports {
namespace {

constexpr int kNotSeenLatelyDays = 7;

std::string ParticipationName(v1::Participation participation) {
  switch (participation) {
    case v1::PARTICIPATION_IN_PERSON:
      return "in person";
    case v1::PARTICIPATION_PHONE:
      return "phone";
    case v1::PARTICIPATION_VIDEO:
      return "video";
    case v1::PARTICIPATION_EXCUSED_WITH_CONSENT:
      return "excused with consent";
    case v1::PARTICIPATION_IN_WRITING:
      return "in writing";
    default:
      return "participation not recorded";
  }
}

}  // namespace

v1::ConflictQueue BuildConflictQueue(
    const Caseload& caseload,
    absl::FunctionRef<std::optional<int64_t>(const v1::Conflict&)> field_hlc) {
  v1::ConflictQueue queue;
  for (const StudentRecords& records : caseload.students) {
    const PlanTimeline timeline(records.plans);
    for (const CompetingAmendments& competing : timeline.competing()) {
      v1::CompetingAmendments* item = queue.add_competing_amendments();
      item->set_student_id(records.student.id());
      item->set_superseded_plan_id(competing.superseded_plan_id);
      for (const std::string& id : competing.amendment_ids) {
        item->add_amendment_plan_ids(id);
      }
    }
  }
  for (const StudentRecords& records : caseload.students) {
    for (const v1::Conflict& conflict : records.conflicts) {
      const std::optional<int64_t> current = field_hlc(conflict);
      if (current.has_value() && *current > conflict.winner_hlc()) {
        queue.set_reviewed(queue.reviewed() + 1);
        continue;
      }
      v1::ConflictItem* item = queue.add_waiting();
      item->set_student_id(records.student.id());
      item->set_conflict_id(conflict.id());
      item->set_record_type(conflict.record_type());
      item->set_record_id(conflict.record_id());
      item->set_field_name(conflict.field_name());
      item->set_winning_value(conflict.winning_value());
      item->set_losing_value(conflict.losing_value());
      item->set_winner_user_id(conflict.winner_user_id());
      item->set_loser_user_id(conflict.loser_user_id());
      item->set_detected_at(absl::FormatTime(
          "%Y-%m-%dT%H:%M:%SZ",
          absl::FromUnixMillis(static_cast<int64_t>(
              HlcMillis(static_cast<Hlc>(conflict.recorded_hlc())))),
          absl::UTCTimeZone()));
    }
  }
  return queue;
}

v1::MeetingsAndNotices BuildMeetings(const Caseload& caseload) {
  v1::MeetingsAndNotices out;
  std::vector<v1::MeetingItem> meetings;
  for (const StudentRecords& records : caseload.students) {
    absl::flat_hash_set<std::string> noticed;
    for (const v1::Notice& notice : records.notices) {
      if (!notice.sent_date().empty())
        out.set_notices_sent(out.notices_sent() + 1);
      if (notice.notice_type() == v1::NOTICE_TYPE_PRIOR_WRITTEN_NOTICE &&
          !notice.meeting_decision_id().empty()) {
        noticed.insert(notice.meeting_decision_id());
      }
    }
    for (const v1::Meeting& meeting : records.meetings) {
      v1::MeetingItem item;
      item.set_student_id(records.student.id());
      item.set_meeting_id(meeting.id());
      item.set_type(meeting.meeting_type());
      item.set_scheduled_at(meeting.scheduled_at());
      item.set_held_at(meeting.held_at());
      for (const v1::MeetingAttendee& attendee : records.attendees) {
        if (attendee.meeting_id() != meeting.id()) continue;
        item.add_attendees(
            absl::StrCat(attendee.name_or_role(), " (",
                         ParticipationName(attendee.participation()), ")"));
      }
      for (const v1::MeetingDecision& decision : records.decisions) {
        if (decision.meeting_id() != meeting.id()) continue;
        v1::DecisionItem* d = item.add_decisions();
        d->set_decision_id(decision.id());
        d->set_description(decision.description());
        d->set_outcome(decision.outcome());
        d->set_reason(decision.reason());
        d->set_has_prior_written_notice(noticed.contains(decision.id()));
        // 34 CFR 300.503: notice is due when the school proposes or refuses
        // a change, whatever the parent's answer.
        const bool notice_due =
            decision.outcome() != v1::DECISION_OUTCOME_UNSPECIFIED;
        if (notice_due && !d->has_prior_written_notice()) {
          out.set_decisions_without_notice(out.decisions_without_notice() + 1);
        }
      }
      meetings.push_back(std::move(item));
    }
  }
  std::stable_sort(meetings.begin(), meetings.end(),
                   [](const v1::MeetingItem& a, const v1::MeetingItem& b) {
                     return a.scheduled_at() < b.scheduled_at();
                   });
  for (v1::MeetingItem& item : meetings) *out.add_meetings() = std::move(item);
  return out;
}

v1::SyncHealth BuildSyncHealth(const Caseload& caseload,
                               const DeviceSyncState& device, Day today) {
  v1::SyncHealth health;
  health.set_last_sync(device.last_sync);
  health.set_pending_changes(device.pending);
  health.set_held_changes(static_cast<int32_t>(device.held));
  for (const v1::RejectedItem& item : device.rejected) {
    *health.add_rejected() = item;
  }
  // Latest pull per accessor over every student (RFC 3339 UTC text sorts
  // in time order).
  std::map<std::string, std::string> last_pull;
  for (const StudentRecords& records : caseload.students) {
    for (const v1::AccessLogEntry& entry : records.access_log) {
      std::string& latest = last_pull[entry.accessor_user_id()];
      latest = std::max(latest, entry.last_pull_at());
    }
  }
  std::vector<v1::LastSeen> seen;
  for (const auto& [user, at] : last_pull) {
    v1::LastSeen item;
    item.set_user_id(user);
    item.set_name(UserName(caseload, user));
    item.set_last_pull_at(at);
    if (auto day = DayOfInstant(at)) {
      item.set_days_since(static_cast<int32_t>(today - *day));
    }
    if (item.days_since() > kNotSeenLatelyDays) {
      health.set_not_seen_lately(health.not_seen_lately() + 1);
    }
    seen.push_back(std::move(item));
  }
  std::stable_sort(seen.begin(), seen.end(),
                   [](const v1::LastSeen& a, const v1::LastSeen& b) {
                     return a.last_pull_at() < b.last_pull_at();
                   });
  for (v1::LastSeen& item : seen) *health.add_last_seen() = std::move(item);
  return health;
}

}  // namespace plansync::reports
