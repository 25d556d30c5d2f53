#include "core/reports/service_fidelity.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/container/flat_hash_set.h"

namespace plansync::reports {
namespace {

// Minutes one school day owes under `service`, given the school days of the
// day's calendar month.
double DailyMandate(const v1::Service& service, int school_days_in_month) {
  const double minutes = service.minutes_per_period();
  switch (service.period()) {
    case v1::SERVICE_PERIOD_DAY:
      return minutes;
    case v1::SERVICE_PERIOD_WEEK:
      return minutes / 5;
    case v1::SERVICE_PERIOD_MONTH:
      return school_days_in_month > 0 ? minutes / school_days_in_month : 0;
    case v1::SERVICE_PERIOD_QUARTER:
      return minutes / 45;
    case v1::SERVICE_PERIOD_YEAR:
      return minutes / 180;
    default:
      return 0;
  }
}

// Accumulates mandated (fractional) and delivered minutes of one period.
struct Tally {
  Day start, end;
  double mandated = 0;
  int delivered = 0;
};

// The tally of `key` in `periods`, made for [start, end] if new.
template <typename Key>
Tally& Slot(std::map<Key, Tally>& periods, Key key, Day start, Day end) {
  auto [it, fresh] = periods.try_emplace(key);
  if (fresh) {
    it->second.start = start;
    it->second.end = end;
  }
  return it->second;
}

v1::MinutesInPeriod ToProto(const Tally& tally) {
  v1::MinutesInPeriod period;
  period.set_period_start(FormatDay(tally.start));
  period.set_period_end(FormatDay(tally.end));
  const int mandated = static_cast<int>(std::lround(tally.mandated));
  period.set_mandated_minutes(mandated);
  period.set_delivered_minutes(tally.delivered);
  period.set_shortfall_minutes(std::max(0, mandated - tally.delivered));
  return period;
}

}  // namespace

bool IsMissed(v1::SessionOutcome outcome) {
  return outcome == v1::SESSION_OUTCOME_STUDENT_ABSENT ||
         outcome == v1::SESSION_OUTCOME_PROVIDER_ABSENT ||
         outcome == v1::SESSION_OUTCOME_CANCELLED_SCHOOL_EVENT;
}

v1::ServiceFidelityRow ServiceFidelityOf(
    const StudentRecords& records, const PlanItems<v1::Service>& services,
    const PlanItems<v1::Service>::Chain& chain, const SchoolCalendar& calendar,
    Day from, Day to) {
  const v1::Service& latest = *chain.latest;
  v1::ServiceFidelityRow row;
  row.set_student_id(records.student.id());
  row.set_service_id(latest.id());
  row.set_service_type(latest.service_type());
  row.set_provider_role(latest.provider_role());
  row.set_minutes_per_period(latest.minutes_per_period());
  row.set_period(latest.period());

  std::map<Day, Tally> weeks;                // by Monday
  std::map<absl::CivilMonth, Tally> months;  // by month
  auto week_of = [&](Day day) -> Tally& {
    const Day monday = MondayOf(day);
    return Slot(weeks, monday, std::max(monday, from),
                std::min(monday + 6, to));
  };
  auto month_of = [&](Day day) -> Tally& {
    const absl::CivilMonth month(day);
    return Slot(months, month, std::max(Day(month), from),
                std::min(Day(month + 1) - 1, to));
  };
  std::map<absl::CivilMonth, int> month_days;
  double mandated_total = 0;
  for (Day day = from; day <= to; ++day) {
    if (!calendar.IsSchoolDay(day)) continue;
    const v1::Service* service = services.InEffectOn(chain, day);
    if (service == nullptr) continue;
    const absl::CivilMonth month(day);
    auto [days, fresh] = month_days.try_emplace(month, 0);
    if (fresh) {
      days->second = static_cast<int>(
          calendar.SchoolDays(Day(month), Day(month + 1) - 1).size());
    }
    const double owed = DailyMandate(*service, days->second);
    mandated_total += owed;
    week_of(day).mandated += owed;
    month_of(day).mandated += owed;
  }

  auto in_chain = [&](const v1::ServiceSession& session) {
    return services.RootOf(session.service_id()) == chain.root;
  };
  absl::flat_hash_set<std::string> made_up;
  for (const v1::ServiceSession& session : records.sessions) {
    if (session.outcome() == v1::SESSION_OUTCOME_MAKE_UP && in_chain(session)) {
      made_up.insert(session.makeup_of_session_id());
    }
  }
  int delivered_total = 0;
  std::map<int, v1::MissedSessions> missed;
  for (const v1::ServiceSession& session : records.sessions) {
    if (!in_chain(session)) continue;
    auto day = ParseDay(session.day());
    if (!day || *day < from || *day > to) continue;
    const int minutes = std::max(0, session.minutes_delivered());
    delivered_total += minutes;
    if (minutes > 0) {
      week_of(*day).delivered += minutes;
      month_of(*day).delivered += minutes;
    }
    if (session.outcome() == v1::SESSION_OUTCOME_MAKE_UP) {
      row.set_makeups_done(row.makeups_done() + 1);
    } else if (IsMissed(session.outcome())) {
      v1::MissedSessions& reason = missed[session.outcome()];
      reason.set_outcome(session.outcome());
      reason.set_sessions(reason.sessions() + 1);
      const bool was_made_up = made_up.contains(session.id());
      if (was_made_up) reason.set_made_up(reason.made_up() + 1);
      const bool schools_reason =
          session.outcome() != v1::SESSION_OUTCOME_STUDENT_ABSENT;
      if (schools_reason && !was_made_up) {
        row.set_makeups_owed(row.makeups_owed() + 1);
      }
    }
  }
  for (const auto& [monday, tally] : weeks) *row.add_weeks() = ToProto(tally);
  for (const auto& [month, tally] : months) {
    *row.add_months() = ToProto(tally);
  }
  for (auto& [outcome, reason] : missed) *row.add_missed_by_reason() = reason;
  const int mandated = static_cast<int>(std::lround(mandated_total));
  row.set_mandated_minutes(mandated);
  row.set_delivered_minutes(delivered_total);
  row.set_shortfall_minutes(std::max(0, mandated - delivered_total));
  return row;
}

v1::ServiceFidelity BuildServiceFidelity(const Caseload& caseload, Day from,
                                         Day to) {
  v1::ServiceFidelity fidelity;
  for (const StudentRecords& records : caseload.students) {
    const PlanTimeline timeline(records.plans);
    const PlanItems<v1::Service> services(records.services, timeline, from, to);
    const SchoolCalendar calendar(records.student.school(), caseload.holidays);
    for (const PlanItems<v1::Service>::Chain& chain : services.chains()) {
      v1::ServiceFidelityRow row =
          ServiceFidelityOf(records, services, chain, calendar, from, to);
      fidelity.set_mandated_minutes(fidelity.mandated_minutes() +
                                    row.mandated_minutes());
      fidelity.set_delivered_minutes(fidelity.delivered_minutes() +
                                     row.delivered_minutes());
      *fidelity.add_services() = std::move(row);
    }
  }
  return fidelity;
}

}  // namespace plansync::reports
