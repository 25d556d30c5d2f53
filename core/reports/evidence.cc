#include "core/reports/evidence.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/corrections.h"
#include "core/district.h"
#include "core/enum_words.h"
#include "core/errors.h"
#include "core/hlc.h"
#include "core/plan_timeline.h"
#include "core/reports/caseload.h"
#include "core/reports/compliance.h"
#include "core/reports/plan_compare.h"
#include "core/reports/progress_reports.h"
#include "core/reports/requests.h"
#include "core/reports/rule_book.h"
#include "core/reports/service_fidelity.h"
#include "core/status_macros.h"

namespace plansync {
namespace {

using reports::Caseload;
using reports::StudentRecords;

std::string Instant(uint64_t hlc) {
  if (hlc == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixMillis(HlcMillis(hlc)),
                          absl::UTCTimeZone());
}

std::string Quote(absl::string_view text) {
  return absl::StrCat("\"", text, "\"");
}

// A student's log entries of T as recorded, each with its corrections
// applied, and whether a correction withdrew it.
template <typename T>
struct Entries {
  std::vector<T> entries;
  std::vector<bool> withdrawn;
};

template <typename T>
absl::StatusOr<Entries<T>> LoadEntries(DeviceStore& store,
                                       const std::string& student_id,
                                       const CorrectionIndex& corrections) {
  Entries<T> out;
  ASSIGN_OR_RETURN(out.entries, store.ListByStudent<T>(student_id));
  const RecordType& type = *Schema::Get().For(T::descriptor());
  for (T& entry : out.entries) {
    out.withdrawn.push_back(!corrections.Apply(type, &entry));
  }
  return out;
}

// Builds the packet's entries.
class EntryMaker {
 public:
  EntryMaker(const Caseload& caseload, const StudentRecords& records,
             const absl::flat_hash_map<std::string, FeedReceipt>& receipts,
             const absl::TimeZone& zone, std::string from, std::string to)
      : caseload_(caseload),
        records_(records),
        receipts_(receipts),
        zone_(zone),
        from_(std::move(from)),
        to_(std::move(to)) {}

  // A new entry of `record` (a log entry: author and recorded stamp taken
  // from it), or null if `day` is outside the window, unless `always` (a
  // response to a lapse of the window, a correction of one of its entries).
  template <typename T>
  v1::EvidenceEntry* Log(const T& record, const char* topic,
                         const std::string& day, bool withdrawn,
                         bool always = false) {
    v1::EvidenceEntry* entry =
        Mutable(record.id(), T::descriptor(), topic, day, always);
    if (entry == nullptr) return nullptr;
    entry->set_author_id(record.author_id());
    entry->set_author_name(reports::UserName(caseload_, record.author_id()));
    entry->set_recorded_at(
        Instant(static_cast<uint64_t>(record.recorded_hlc())));
    entry->set_withdrawn(withdrawn);
    return entry;
  }

  // A new entry of a mutable record, or null outside the window.
  v1::EvidenceEntry* Mutable(const std::string& id,
                             const google::protobuf::Descriptor* type,
                             const char* topic, const std::string& day,
                             bool always = false) {
    if (!always && (day.empty() || day < from_ || day > to_)) return nullptr;
    v1::EvidenceEntry& entry = entries_.emplace_back();
    ids_.insert(id);
    entry.set_id(id);
    entry.set_record_type(type->name());
    entry.set_topic(topic);
    entry.set_day(day);
    auto it = receipts_.find(id);
    if (it != receipts_.end()) {
      entry.set_feed_seq(it->second.feed_seq);
      entry.set_accepted_at(Instant(it->second.accepted_hlc));
    }
    return &entry;
  }

  // The day, in the district's zone, of an HLC stamp.
  std::string DayOf(int64_t hlc) const {
    return DayAt(HlcMillis(static_cast<uint64_t>(hlc)), zone_);
  }
  std::string DayOfInstant(const std::string& instant) const {
    absl::Time time;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, instant, &time, &error)) {
      return "";
    }
    return absl::FormatCivilTime(absl::ToCivilDay(time, zone_));
  }

  std::string AccommodationTitle(const std::string& id) const {
    for (const v1::Accommodation& a : records_.accommodations) {
      if (a.id() == id) return a.title();
    }
    return id;
  }
  std::string ServiceType(const std::string& id) const {
    for (const v1::Service& s : records_.services) {
      if (s.id() == id) return s.service_type();
    }
    return id;
  }

  std::vector<v1::EvidenceEntry>& entries() { return entries_; }
  // True if an entry of record `id` was made.
  bool Holds(const std::string& id) const { return ids_.contains(id); }

 private:
  const Caseload& caseload_;
  const StudentRecords& records_;
  const absl::flat_hash_map<std::string, FeedReceipt>& receipts_;
  absl::TimeZone zone_;
  std::string from_, to_;
  std::vector<v1::EvidenceEntry> entries_;
  std::set<std::string> ids_;
};

std::string Words(const google::protobuf::EnumDescriptor* type, int value) {
  return EnumWords(*type, value);
}

}  // namespace

absl::StatusOr<v1::EvidencePacket> BuildEvidencePacket(
    DeviceStore& store, const EvidenceRequest& request) {
  ASSIGN_OR_RETURN(const Day from, RequireDay(request.from));
  ASSIGN_OR_RETURN(const Day to, RequireDay(request.to));
  ASSIGN_OR_RETURN(const Day today, RequireDay(request.today));
  if (from > to) {
    return absl::InvalidArgumentError(
        absl::StrCat("the window ends (", request.to, ") before it starts (",
                     request.from, ")"));
  }
  const v1::RuleBook& book =
      request.rules != nullptr ? *request.rules : reports::DefaultRuleBook();
  ASSIGN_OR_RETURN(const Caseload caseload,
                   reports::LoadCaseload(store, request.student_id));
  const StudentRecords& records = caseload.students.front();
  const std::string& student_id = records.student.id();
  ASSIGN_OR_RETURN(const absl::TimeZone zone,
                   LoadDistrictZone(caseload.district.time_zone()));
  ASSIGN_OR_RETURN(const auto receipts,
                   store.FeedReceipts(StudentBucket(student_id)));

  v1::EvidencePacket packet;
  packet.set_student_id(student_id);
  packet.set_student_name(reports::StudentName(records.student));
  packet.set_school(records.student.school());
  packet.set_from_day(request.from);
  packet.set_to_day(request.to);
  packet.set_as_of(request.today);
  packet.set_made_by_user_id(store.principal_id());
  packet.set_made_by_name(reports::UserName(caseload, store.principal_id()));

  // Plans in effect, and what changed between them.
  const PlanTimeline timeline(records.plans);
  const std::vector<PlanSpan> spans = timeline.SpansWithin(from, to);
  for (size_t i = 0; i < spans.size(); ++i) {
    const v1::Plan& plan = *spans[i].plan;
    v1::PlanPeriod& period = *packet.add_plans();
    period.set_plan_id(plan.id());
    period.set_kind(plan.kind());
    period.set_version(plan.version());
    period.set_first_day(FormatDay(spans[i].first));
    period.set_last_day(FormatDay(spans[i].last.value_or(to)));
    period.set_jurisdiction(plan.jurisdiction());
    const v1::Plan* before = nullptr;
    if (i > 0) {
      before = spans[i - 1].plan;
    } else if (spans[i].first > from) {
      before = reports::PreviousPlan(records, plan);
    }
    if (before != nullptr && before->id() != plan.id()) {
      *packet.add_plan_changes() =
          reports::ComparePlans(records, *before, plan);
    }
  }

  // Log entries as recorded, corrections applied, withdrawn ones kept.
  const CorrectionIndex corrections(records.corrections);
  ASSIGN_OR_RETURN(auto lapses, LoadEntries<v1::LapseReport>(store, student_id,
                                                             corrections));
  ASSIGN_OR_RETURN(auto responses, LoadEntries<v1::LapseResponse>(
                                       store, student_id, corrections));
  ASSIGN_OR_RETURN(auto confirmations,
                   LoadEntries<v1::ImplementationConfirmation>(
                       store, student_id, corrections));
  ASSIGN_OR_RETURN(auto sessions, LoadEntries<v1::ServiceSession>(
                                      store, student_id, corrections));
  ASSIGN_OR_RETURN(auto requests, LoadEntries<v1::ParentRequest>(
                                      store, student_id, corrections));
  ASSIGN_OR_RETURN(auto request_receipts, LoadEntries<v1::RequestReceipt>(
                                              store, student_id, corrections));
  ASSIGN_OR_RETURN(auto releases, LoadEntries<v1::RecordsRelease>(
                                      store, student_id, corrections));
  ASSIGN_OR_RETURN(auto progress, LoadEntries<v1::ProgressReport>(
                                      store, student_id, corrections));

  EntryMaker make(caseload, records, receipts, zone, request.from, request.to);

  // Lapses, the days they name, and the accommodations said not provided.
  std::set<std::string> lapse_days;
  std::set<std::pair<std::string, std::string>> lapsed;  // (accommodation, day)
  for (size_t i = 0; i < lapses.entries.size(); ++i) {
    const v1::LapseReport& l = lapses.entries[i];
    if (l.day() < request.from || l.day() > request.to) continue;
    lapse_days.insert(l.day());
    if (!lapses.withdrawn[i] && !l.accommodation_id().empty()) {
      lapsed.insert({l.accommodation_id(), l.day()});
    }
  }
  // Confirmations that the same accommodation was provided the same day.
  std::set<std::pair<std::string, std::string>> confirmed;
  for (size_t i = 0; i < confirmations.entries.size(); ++i) {
    const v1::ImplementationConfirmation& c = confirmations.entries[i];
    if (!confirmations.withdrawn[i] &&
        c.status() == v1::CONFIRMATION_STATUS_PROVIDED) {
      confirmed.insert({c.accommodation_id(), c.day()});
    }
  }
  std::set<std::string> answered;
  for (const v1::LapseResponse& r : responses.entries) {
    answered.insert(r.lapse_report_id());
  }
  for (size_t i = 0; i < lapses.entries.size(); ++i) {
    const v1::LapseReport& l = lapses.entries[i];
    v1::EvidenceEntry* e = make.Log(l, "lapse", l.day(), lapses.withdrawn[i]);
    if (e == nullptr) continue;
    const std::string subject =
        l.accommodation_id().empty()
            ? make.ServiceType(l.service_id())
            : make.AccommodationTitle(l.accommodation_id());
    e->set_summary(absl::StrCat(
        Quote(subject), " not provided",
        l.class_or_period().empty() ? "" : ", " + l.class_or_period(), ": ",
        Quote(l.what_happened())));
    const bool disputed = !l.accommodation_id().empty() &&
                          !lapses.withdrawn[i] &&
                          confirmed.contains({l.accommodation_id(), l.day()});
    e->set_disputed(disputed);
    if (!lapses.withdrawn[i]) {
      packet.set_lapses(packet.lapses() + 1);
      if (disputed) packet.set_disputes(packet.disputes() + 1);
      if (!answered.contains(l.id())) {
        packet.set_unanswered_lapses(packet.unanswered_lapses() + 1);
      }
    }
  }
  for (size_t i = 0; i < responses.entries.size(); ++i) {
    const v1::LapseResponse& r = responses.entries[i];
    v1::EvidenceEntry* e =
        make.Log(r, "response", make.DayOf(r.recorded_hlc()),
                 responses.withdrawn[i], make.Holds(r.lapse_report_id()));
    if (e == nullptr) continue;
    std::string words =
        Words(v1::LapseResponseStatus_descriptor(), r.response());
    if (r.remedy() != v1::REMEDY_UNSPECIFIED) {
      absl::StrAppend(&words,
                      ", remedy: ", Words(v1::Remedy_descriptor(), r.remedy()));
    }
    e->set_summary(
        absl::StrCat("response to lapse report ", r.lapse_report_id(), ": ",
                     words, r.note().empty() ? "" : ": " + Quote(r.note())));
    e->set_related_id(r.lapse_report_id());
  }
  for (size_t i = 0; i < confirmations.entries.size(); ++i) {
    const v1::ImplementationConfirmation& c = confirmations.entries[i];
    if (!lapse_days.contains(c.day())) continue;  // the days lapses name
    v1::EvidenceEntry* e =
        make.Log(c, "confirmation", c.day(), confirmations.withdrawn[i]);
    if (e == nullptr) continue;
    e->set_summary(absl::StrCat(
        Quote(make.AccommodationTitle(c.accommodation_id())), ": ",
        Words(v1::ConfirmationStatus_descriptor(), c.status()),
        c.class_or_period().empty() ? "" : ", " + c.class_or_period()));
    if (!c.note().empty()) e->add_details("note: " + Quote(c.note()));
    e->set_disputed(!confirmations.withdrawn[i] &&
                    c.status() == v1::CONFIRMATION_STATUS_PROVIDED &&
                    lapsed.contains({c.accommodation_id(), c.day()}));
  }
  for (size_t i = 0; i < sessions.entries.size(); ++i) {
    const v1::ServiceSession& s = sessions.entries[i];
    v1::EvidenceEntry* e =
        make.Log(s, "session", s.day(), sessions.withdrawn[i]);
    if (e == nullptr) continue;
    e->set_summary(
        absl::StrCat(Quote(make.ServiceType(s.service_id())), ": ",
                     Words(v1::SessionOutcome_descriptor(), s.outcome()), ", ",
                     s.minutes_delivered(), " minutes"));
    if (!s.note().empty()) e->add_details("note: " + Quote(s.note()));
    if (!s.makeup_of_session_id().empty()) {
      e->set_related_id(s.makeup_of_session_id());
    }
  }
  for (size_t i = 0; i < requests.entries.size(); ++i) {
    const v1::ParentRequest& r = requests.entries[i];
    v1::EvidenceEntry* e =
        make.Log(r, "request", r.sent_date(), requests.withdrawn[i]);
    if (e == nullptr) continue;
    e->set_summary(absl::StrCat(
        "request for ", Words(v1::RequestKind_descriptor(), r.request_kind()),
        ", sent by ", Words(v1::RequestChannel_descriptor(), r.sent_via()),
        ": ", Quote(r.text())));
  }
  for (size_t i = 0; i < request_receipts.entries.size(); ++i) {
    const v1::RequestReceipt& r = request_receipts.entries[i];
    v1::EvidenceEntry* e = make.Log(r, "receipt", r.received_date(),
                                    request_receipts.withdrawn[i]);
    if (e == nullptr) continue;
    e->set_summary(absl::StrCat("request ", r.parent_request_id(),
                                " received by the school"));
    if (!r.note().empty()) e->add_details("note: " + Quote(r.note()));
    e->set_related_id(r.parent_request_id());
  }
  for (size_t i = 0; i < releases.entries.size(); ++i) {
    const v1::RecordsRelease& r = releases.entries[i];
    v1::EvidenceEntry* e =
        make.Log(r, "release", r.released_date(), releases.withdrawn[i]);
    if (e == nullptr) continue;
    const std::string via =
        Words(v1::RequestChannel_descriptor(), r.released_via());
    e->set_summary(absl::StrCat("records released",
                                via.empty() ? "" : " by " + via, ": ",
                                Quote(r.description())));
    e->set_related_id(r.parent_request_id());
  }
  for (size_t i = 0; i < progress.entries.size(); ++i) {
    const v1::ProgressReport& p = progress.entries[i];
    v1::EvidenceEntry* e =
        make.Log(p, "progress", p.sent_date(), progress.withdrawn[i]);
    if (e == nullptr) continue;
    std::string area = p.goal_id();
    for (const v1::Goal& g : records.goals) {
      if (g.id() == p.goal_id()) area = g.area();
    }
    e->set_summary(absl::StrCat("progress report on ", Quote(area),
                                " for the reporting day ", p.due_day(), ": ",
                                Quote(p.summary())));
  }
  for (const v1::Correction& c : records.corrections) {
    v1::EvidenceEntry* e =
        make.Log(c, "correction", make.DayOf(c.recorded_hlc()), false,
                 make.Holds(c.corrected_entry_id()));
    if (e == nullptr) continue;
    const std::string type = c.corrected_entry_type().substr(
        c.corrected_entry_type().rfind('.') + 1);
    e->set_summary(c.field_name().empty()
                       ? absl::StrCat("withdraws ", type, " ",
                                      c.corrected_entry_id(), ": ",
                                      Quote(c.reason()))
                       : absl::StrCat("corrects ", c.field_name(), " of ", type,
                                      " ", c.corrected_entry_id(), " to ",
                                      Quote(c.corrected_value()), ": ",
                                      Quote(c.reason())));
    e->set_related_id(c.corrected_entry_id());
    packet.set_corrections(packet.corrections() + 1);
  }
  for (const v1::Notice& n : records.notices) {
    v1::EvidenceEntry* e =
        make.Mutable(n.id(), v1::Notice::descriptor(), "notice", n.sent_date());
    if (e == nullptr) continue;
    std::string words = Words(v1::NoticeType_descriptor(), n.notice_type());
    if (n.proposed_or_refused() != v1::NOTICE_ACTION_UNSPECIFIED) {
      absl::StrAppend(&words, ": the school ",
                      n.proposed_or_refused() == v1::NOTICE_ACTION_PROPOSED
                          ? "proposes"
                          : "refuses",
                      " ", Quote(n.action_description()));
    }
    e->set_summary(words);
    if (!n.reason().empty()) e->add_details("because " + Quote(n.reason()));
    if (n.consent() != v1::CONSENT_STATUS_UNSPECIFIED) {
      e->add_details(absl::StrCat(
          "consent: ", Words(v1::ConsentStatus_descriptor(), n.consent()),
          n.consent_date().empty() ? "" : " on " + n.consent_date()));
    }
    e->set_related_id(n.parent_request_id());
  }
  absl::flat_hash_map<std::string, std::string> meeting_days;
  for (const v1::Meeting& m : records.meetings) {
    const bool held = !m.held_at().empty();
    const std::string day =
        make.DayOfInstant(held ? m.held_at() : m.scheduled_at());
    meeting_days[m.id()] = day;
    v1::EvidenceEntry* e =
        make.Mutable(m.id(), v1::Meeting::descriptor(), "meeting", day);
    if (e == nullptr) continue;
    e->set_summary(
        absl::StrCat(Words(v1::MeetingType_descriptor(), m.meeting_type()),
                     " meeting ", held ? "held" : "scheduled",
                     m.place().empty() ? "" : ", " + m.place()));
    for (const v1::MeetingAttendee& a : records.attendees) {
      if (a.meeting_id() != m.id()) continue;
      e->add_details(absl::StrCat(
          "attended: ", a.name_or_role(), " (",
          Words(v1::Participation_descriptor(), a.participation()), ")"));
    }
    e->set_related_id(m.parent_request_id());
  }
  for (const v1::MeetingDecision& d : records.decisions) {
    auto day = meeting_days.find(d.meeting_id());
    v1::EvidenceEntry* e =
        make.Mutable(d.id(), v1::MeetingDecision::descriptor(), "decision",
                     day == meeting_days.end() ? "" : day->second);
    if (e == nullptr) continue;
    e->set_summary(
        absl::StrCat(Words(v1::DecisionOutcome_descriptor(), d.outcome()), ": ",
                     Quote(d.description())));
    if (!d.reason().empty()) e->add_details("because " + Quote(d.reason()));
    e->set_related_id(d.meeting_id());
  }
  std::vector<v1::EvidenceEntry>& entries = make.entries();
  std::stable_sort(entries.begin(), entries.end(),
                   [](const v1::EvidenceEntry& a, const v1::EvidenceEntry& b) {
                     return std::tie(a.day(), a.recorded_at(), a.id()) <
                            std::tie(b.day(), b.recorded_at(), b.id());
                   });
  for (v1::EvidenceEntry& entry : entries) {
    *packet.add_entries() = std::move(entry);
  }

  // Minutes mandated and delivered, up to today.
  const Day minutes_to = std::min(to, today);
  if (from <= minutes_to) {
    *packet.mutable_service_minutes() =
        reports::BuildServiceFidelity(caseload, from, minutes_to);
  }
  for (v1::RequestStatus& status :
       reports::StudentRequests(caseload, records, book, today)) {
    if (status.request().sent_date() <= request.to) {
      *packet.add_requests() = std::move(status);
    }
  }
  const v1::ComplianceCalendar calendar =
      reports::BuildComplianceCalendar(caseload, book, today);
  for (const v1::Deadline& deadline : calendar.deadlines()) {
    if (deadline.due_day() < request.from || deadline.due_day() > request.to) {
      continue;
    }
    // A request's clocks are shown with the request.
    const bool of_request =
        std::any_of(records.requests.begin(), records.requests.end(),
                    [&](const v1::ParentRequest& r) {
                      return r.id() == deadline.record_id();
                    });
    if (!of_request && (deadline.state() == v1::Deadline::OVERDUE ||
                        deadline.state() == v1::Deadline::MET_LATE)) {
      *packet.add_missed_deadlines() = deadline;
    }
  }
  for (v1::ProgressReportDue& due : reports::ProgressReportSchedule(
           records, caseload.district.report_card_days(), from, to, today)) {
    *packet.add_progress_reports() = std::move(due);
  }
  std::vector<v1::AccessLogEntry> access = records.access_log;
  std::stable_sort(
      access.begin(), access.end(),
      [](const v1::AccessLogEntry& a, const v1::AccessLogEntry& b) {
        return a.day() < b.day();
      });
  for (const v1::AccessLogEntry& a : access) {
    if (a.day() >= request.from && a.day() <= request.to) {
      *packet.add_access_log() = a;
    }
  }
  return packet;
}

}  // namespace plansync
