#include "clients/report/tables.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/report/words.h"
#include "core/enum_words.h"

namespace plansync::report {
namespace {

using Names = absl::flat_hash_map<std::string, std::string>;

std::string NameOf(const Names& names, const std::string& id) {
  auto it = names.find(id);
  return it == names.end() ? id : it->second;
}

// The plans in effect over the window: "IEP", or "IEP v1 to 2026-10-16,
// then Section 504 plan v1 from 2026-10-19".
std::string PlansText(const v1::Report& report, const v1::ReportStudent& s) {
  if (s.plans().empty()) return "no plan in effect";
  // Nothing is counted after today.
  const std::string last = std::min(report.to_day(), report.as_of());
  std::vector<std::string> parts;
  for (const v1::PlanPeriod& period : s.plans()) {
    std::string text = PlanKindText(period.kind());
    if (s.plans_size() > 1) absl::StrAppend(&text, " v", period.version());
    if (period.first_day() > report.from_day()) {
      absl::StrAppend(&text, " from ", period.first_day());
    }
    if (period.last_day() < last) {
      absl::StrAppend(&text, " to ", period.last_day());
    }
    parts.push_back(std::move(text));
  }
  return absl::StrJoin(parts, ", then ");
}

Table Students(const v1::Report& report) {
  Table t{"students",
          "Caseload",
          "",
          {"student", "school", "grade", "plan", "jurisdiction"},
          {}};
  for (const v1::ReportStudent& s : report.students()) {
    t.row_student_ids.push_back(s.student_id());
    t.rows.push_back({s.name(), s.school(), s.grade(), PlansText(report, s),
                      s.jurisdiction()});
  }
  t.summary = absl::StrCat(report.students_size(), " students; ",
                           report.school_days(), " school days from ",
                           report.from_day(), " to ", report.to_day());
  return t;
}

Table Compliance(const v1::Report& report, const Names& names) {
  const v1::ComplianceCalendar& c = report.compliance();
  Table t{"compliance",
          "Compliance calendar",
          absl::StrCat(c.overdue(), " overdue, ", c.due_soon(), " due soon"),
          {"due", "days left", "state", "student", "deadline", "met", "rules",
           "source"},
          {}};
  for (const v1::Deadline& d : c.deadlines()) {
    // Days left count only toward a deadline still to be met.
    const bool open = d.state() == v1::Deadline::UPCOMING ||
                      d.state() == v1::Deadline::DUE_SOON ||
                      d.state() == v1::Deadline::OVERDUE;
    t.row_student_ids.push_back(d.student_id());
    t.rows.push_back({d.due_day(), open ? absl::StrCat(d.days_left()) : "-",
                      Words(d.state()), NameOf(names, d.student_id()),
                      d.title(), d.met_day(), d.jurisdiction(), d.source()});
  }
  return t;
}

std::vector<Table> Services(const v1::Report& report, const Names& names) {
  const v1::ServiceFidelity& f = report.service_fidelity();
  Table totals{
      "services",
      "Service fidelity",
      absl::StrCat(f.delivered_minutes(), " of ", f.mandated_minutes(),
                   " mandated minutes delivered"),
      {"student", "service", "mandate", "mandated", "delivered", "shortfall",
       "missed (made up)", "make-ups owed", "make-ups done"},
      {}};
  Table weeks{"service_weeks",
              "Service minutes by week",
              "",
              {"student", "service", "week", "to", "mandated", "delivered",
               "shortfall"},
              {}};
  Table months{"service_months",
               "Service minutes by month",
               "",
               {"student", "service", "month from", "to", "mandated",
                "delivered", "shortfall"},
               {}};
  for (const v1::ServiceFidelityRow& s : f.services()) {
    std::vector<std::string> missed;
    for (const v1::MissedSessions& m : s.missed_by_reason()) {
      missed.push_back(absl::StrCat(Words(m.outcome()), " ", m.sessions(), " (",
                                    m.made_up(), ")"));
    }
    const std::string student = NameOf(names, s.student_id());
    totals.row_student_ids.push_back(s.student_id());
    totals.rows.push_back(
        {student, s.service_type(),
         absl::StrCat(s.minutes_per_period(), " min per ", Words(s.period())),
         absl::StrCat(s.mandated_minutes()),
         absl::StrCat(s.delivered_minutes()),
         absl::StrCat(s.shortfall_minutes()),
         missed.empty() ? "none" : absl::StrJoin(missed, "; "),
         absl::StrCat(s.makeups_owed()), absl::StrCat(s.makeups_done())});
    for (const v1::MinutesInPeriod& p : s.weeks()) {
      weeks.row_student_ids.push_back(s.student_id());
      weeks.rows.push_back({student, s.service_type(), p.period_start(),
                            p.period_end(), absl::StrCat(p.mandated_minutes()),
                            absl::StrCat(p.delivered_minutes()),
                            absl::StrCat(p.shortfall_minutes())});
    }
    for (const v1::MinutesInPeriod& p : s.months()) {
      months.row_student_ids.push_back(s.student_id());
      months.rows.push_back({student, s.service_type(), p.period_start(),
                             p.period_end(), absl::StrCat(p.mandated_minutes()),
                             absl::StrCat(p.delivered_minutes()),
                             absl::StrCat(p.shortfall_minutes())});
    }
  }
  return {totals, weeks, months};
}

std::vector<Table> Accommodations(const v1::Report& report,
                                  const Names& names) {
  const v1::AccommodationMatrix& m = report.accommodation_matrix();
  const bool any = m.rate_by_week_size() > 0;
  Table rows{
      "accommodations",
      "Accommodation matrix",
      absl::StrCat("implementation rate ",
                   Percent(m.implementation_rate(), any), "; ",
                   m.nothing_logged(),
                   " accommodation-days with nothing logged. Days: P "
                   "provided, D offered and declined, A not "
                   "applicable, N not provided, . nothing logged, - "
                   "not due"),
      {"student", "accommodation", "teacher", "rate", "provided", "declined",
       "not applicable", "not provided", "nothing logged", "days"},
      {}};
  for (const v1::AccommodationRow& r : m.rows()) {
    const int due = r.provided() + r.declined() + r.not_provided();
    // A tests-only row says how many test days were recorded.
    const std::string title =
        r.tests_only()
            ? absl::StrCat(r.title(), " (tests only; ", r.test_days_recorded(),
                           " test day", r.test_days_recorded() == 1 ? "" : "s",
                           " recorded)")
            : r.title();
    rows.row_student_ids.push_back(r.student_id());
    rows.rows.push_back({NameOf(names, r.student_id()), title, r.teacher_name(),
                         Percent(r.implementation_rate(), due > 0),
                         absl::StrCat(r.provided()), absl::StrCat(r.declined()),
                         absl::StrCat(r.not_applicable()),
                         absl::StrCat(r.not_provided()),
                         absl::StrCat(r.nothing_logged()), r.days()});
  }
  Table weeks{"implementation_weeks",
              "Implementation rate by week",
              "",
              {"week", "rate", "provided", "declined", "not provided",
               "nothing logged"},
              {}};
  for (const v1::RatePoint& p : m.rate_by_week()) {
    const int due = p.provided() + p.declined() + p.not_provided();
    weeks.rows.push_back(
        {p.week_start(), Percent(p.implementation_rate(), due > 0),
         absl::StrCat(p.provided()), absl::StrCat(p.declined()),
         absl::StrCat(p.not_provided()), absl::StrCat(p.nothing_logged())});
  }
  return {rows, weeks};
}

Table Concerns(const v1::Report& report, const Names& names) {
  const v1::ParentConcerns& c = report.concerns();
  Table t{"concerns",
          "Parent concerns",
          absl::StrCat(c.open(), " open, ", c.disputed(), " disputed"),
          {"day", "age (days)", "student", "about", "what happened", "response",
           "remedy", "open", "dispute", "lapse id"},
          {}};
  for (const v1::Concern& k : c.concerns()) {
    t.row_student_ids.push_back(k.student_id());
    t.rows.push_back(
        {k.day(), absl::StrCat(k.age_days()), NameOf(names, k.student_id()),
         k.about(), k.what_happened(),
         k.response_status() == v1::LAPSE_RESPONSE_STATUS_UNSPECIFIED
             ? "no response yet"
             : Words(k.response_status()),
         Words(k.remedy()), k.open() ? "open" : "closed", k.dispute(),
         k.lapse_report_id()});
  }
  return t;
}

Table Conflicts(const v1::Report& report, const Names& names) {
  const v1::ConflictQueue& q = report.conflicts();
  Table t{
      "conflicts",
      "Conflicts waiting for review",
      absl::StrCat(q.waiting_size(), " waiting, ", q.reviewed(), " reviewed"),
      {"detected", "student", "record", "field", "kept value", "other value",
       "conflict id"},
      {}};
  for (const v1::ConflictItem& i : q.waiting()) {
    std::string type = i.record_type();
    if (auto dot = type.rfind('.'); dot != std::string::npos) {
      type = type.substr(dot + 1);
    }
    t.row_student_ids.push_back(i.student_id());
    t.rows.push_back({i.detected_at(), NameOf(names, i.student_id()), type,
                      i.field_name(), i.winning_value(), i.losing_value(),
                      i.conflict_id()});
  }
  // Competing amendments: the plan-in-effect rule settles each day; the
  // case manager decides which stands.
  for (const v1::CompetingAmendments& c : q.competing_amendments()) {
    t.row_student_ids.push_back(c.student_id());
    t.rows.push_back({"", NameOf(names, c.student_id()), "Plan",
                      "competing amendments",
                      absl::StrJoin(c.amendment_plan_ids(), ", "), "",
                      c.superseded_plan_id()});
  }
  if (q.competing_amendments_size() > 0) {
    absl::StrAppend(&t.summary, "; ", q.competing_amendments_size(),
                    " plan version(s) amended twice, apart: end or archive "
                    "the amendment that should not stand");
  }
  return t;
}

Table Meetings(const v1::Report& report, const Names& names) {
  const v1::MeetingsAndNotices& m = report.meetings();
  Table t{"meetings",
          "Meetings and notices",
          absl::StrCat(m.notices_sent(), " notices sent; ",
                       m.decisions_without_notice(),
                       " decisions without prior written notice"),
          {"scheduled", "held", "student", "meeting", "attendees", "decisions",
           "meeting id"},
          {}};
  for (const v1::MeetingItem& i : m.meetings()) {
    std::vector<std::string> decisions;
    for (const v1::DecisionItem& d : i.decisions()) {
      decisions.push_back(absl::StrCat(
          d.description(), ": ", Words(d.outcome()),
          d.has_prior_written_notice() ? "" : " (no prior written notice)",
          " [decision ", d.decision_id(), "]"));
    }
    t.row_student_ids.push_back(i.student_id());
    t.rows.push_back({i.scheduled_at(),
                      i.held_at().empty() ? "not yet" : i.held_at(),
                      NameOf(names, i.student_id()), Words(i.type()),
                      absl::StrJoin(i.attendees(), "; "),
                      absl::StrJoin(decisions, "; "), i.meeting_id()});
  }
  return t;
}

std::vector<Table> Sync(const v1::Report& report) {
  const v1::SyncHealth& h = report.sync_health();
  Table device{
      "sync",
      "Sync health",
      absl::StrCat("last sync ",
                   h.last_sync().empty() ? "never" : h.last_sync(), "; ",
                   h.pending_changes(), " changes pending, ", h.rejected_size(),
                   " rejected, ", h.held_changes(), " held; ",
                   h.not_seen_lately(), " users not seen for over a week"),
      {"rejected record", "id", "reason", "message"},
      {}};
  for (const v1::RejectedItem& r : h.rejected()) {
    device.rows.push_back(
        {r.record_type(), r.record_id(), r.reason(), r.message()});
  }
  Table seen{"last_seen",
             "Devices last seen (from the access log)",
             "",
             {"user", "last pull", "days since"},
             {}};
  for (const v1::LastSeen& s : h.last_seen()) {
    seen.rows.push_back(
        {s.name(), s.last_pull_at(), absl::StrCat(s.days_since())});
  }
  return {device, seen};
}

}  // namespace

std::vector<Table> Tables(const v1::Report& report, Section section) {
  const Names names = StudentNames(report);
  std::vector<Table> tables;
  auto add = [&](std::vector<Table> more) {
    for (Table& t : more) tables.push_back(std::move(t));
  };
  const bool all = section == Section::kAll;
  if (all) tables.push_back(Students(report));
  if (all || section == Section::kCompliance) {
    tables.push_back(Compliance(report, names));
  }
  if (all || section == Section::kServices) add(Services(report, names));
  if (all || section == Section::kAccommodations) {
    add(Accommodations(report, names));
  }
  if (all || section == Section::kConcerns) {
    tables.push_back(Concerns(report, names));
  }
  if (all || section == Section::kConflicts) {
    tables.push_back(Conflicts(report, names));
  }
  if (all || section == Section::kMeetings) {
    tables.push_back(Meetings(report, names));
  }
  if (all || section == Section::kSync) add(Sync(report));
  return tables;
}

}  // namespace plansync::report
