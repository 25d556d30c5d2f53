// The case manager's report over a year of records (a target in BENCHMARKS.md):
//
//   report_bench [--quick]
//
// A caseload of 40 students (5 with --quick) at one school, each with an IEP
// of 10 accommodations and 2 services, one teacher per 10 students, and one
// school year (1 August 2025 to 5 June 2026, holidays off) of daily
// confirmations of every accommodation (about 72,000 entries), two sessions
// a week per service and three lapse reports with responses. The records are
// written on the teachers', provider's and parent's own stores and merged
// into the case manager's store (a real SQLite file) as a sync would; then
// the timed part opens nothing new and runs, five times, every report
// (BuildReport) and every rendering (text, JSON, CSV, HTML).
//
// Metric report_caseload_s: the median wall time of one such run.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/harness.h"
#include "clients/report/render.h"
#include "core/device_store.h"
#include "core/reports/report.h"
#include "core/reports/school_calendar.h"
#include "core/status_macros.h"
#include "plansync/v1/records.pb.h"

namespace plansync::bench {
namespace {

constexpr int kAccommodations = 10;
constexpr int kStudentsPerTeacher = 10;
constexpr char kToday[] = "2026-06-05";

absl::StatusOr<std::unique_ptr<DeviceStore>> Open(const std::string& path,
                                                  const std::string& user,
                                                  ClockSource* clock,
                                                  uint64_t seed) {
  DeviceStoreOptions options;
  options.path = path;
  options.principal_id = user;
  options.clock = clock;
  options.seed = seed;
  options.durable = false;
  return DeviceStore::Open(options);
}

// Moves `from`'s pending changes into each of `to` (as pulled from the
// server) and acknowledges them on `from`.
absl::Status Deliver(DeviceStore& from, const std::vector<DeviceStore*>& to) {
  while (true) {
    ASSIGN_OR_RETURN(std::vector<OutboxEntry> pending,
                     from.PendingChanges(20000));
    if (pending.empty()) return absl::OkStatus();
    std::vector<v1::Change> changes;
    std::vector<uint64_t> seqs;
    for (OutboxEntry& entry : pending) {
      seqs.push_back(entry.seq);
      changes.push_back(std::move(entry.change));
    }
    for (DeviceStore* store : to) {
      ASSIGN_OR_RETURN(auto results, store->ApplyRemote(changes));
      for (const RemoteResult& result : results) {
        if (result.outcome == RemoteOutcome::kRejected) return result.error;
      }
    }
    RETURN_IF_ERROR(from.Write(
        [&](WriteTransaction& txn) { return from.Acknowledge(txn, seqs); }));
  }
}

struct Caseload {
  std::vector<std::string> students;
  std::vector<std::vector<std::string>> accommodations;  // per student
  std::vector<std::vector<std::string>> services;        // per student
};

absl::StatusOr<Caseload> MakePlans(DeviceStore& cm, int students,
                                   const std::vector<std::string>& teachers) {
  Caseload caseload;
  RETURN_IF_ERROR(cm.Write([&](WriteTransaction& txn) -> absl::Status {
    for (int s = 0; s < students; ++s) {
      v1::Student student;
      student.set_given_name(absl::StrCat("Student ", s));
      student.set_family_name("Bench");
      student.set_school("Lincoln");
      ASSIGN_OR_RETURN(std::string id, cm.Create(txn, student));
      caseload.students.push_back(id);
      v1::Plan plan;
      plan.set_student_id(id);
      plan.set_kind(v1::PLAN_KIND_IEP);
      plan.set_status(v1::PLAN_STATUS_ACTIVE);
      plan.set_version(1);
      plan.set_jurisdiction(s % 2 == 0 ? "US-MO" : "US-CA");
      plan.set_start_date("2025-09-01");
      plan.set_last_evaluation_date("2023-10-01");
      ASSIGN_OR_RETURN(std::string plan_id, cm.Create(txn, plan));
      caseload.accommodations.emplace_back();
      for (int a = 0; a < kAccommodations; ++a) {
        v1::Accommodation accommodation;
        accommodation.set_student_id(id);
        accommodation.set_plan_id(plan_id);
        accommodation.set_kind(v1::ACCOMMODATION_KIND_ACCOMMODATION);
        accommodation.set_category(v1::ACCOMMODATION_CATEGORY_SETTING);
        accommodation.set_title(absl::StrCat("Accommodation ", a));
        ASSIGN_OR_RETURN(std::string acc, cm.Create(txn, accommodation));
        caseload.accommodations.back().push_back(acc);
      }
      caseload.services.emplace_back();
      for (int k = 0; k < 2; ++k) {
        v1::Service service;
        service.set_student_id(id);
        service.set_plan_id(plan_id);
        service.set_service_category(v1::SERVICE_CATEGORY_RELATED_SERVICE);
        service.set_service_type(k == 0 ? "Speech therapy" : "OT");
        service.set_minutes_per_period(k == 0 ? 60 : 120);
        service.set_period(k == 0 ? v1::SERVICE_PERIOD_WEEK
                                  : v1::SERVICE_PERIOD_MONTH);
        ASSIGN_OR_RETURN(std::string svc, cm.Create(txn, service));
        caseload.services.back().push_back(svc);
      }
      // One amendment per student, mid-week in January: version 2 carries
      // every accommodation and service forward (speech 60 -> 90 minutes a
      // week); confirmations keep naming version 1's items, which count
      // toward the same items through their lineage.
      v1::Plan amended = plan;
      amended.clear_id();
      amended.set_version(2);
      amended.set_supersedes_plan_id(plan_id);
      amended.set_start_date("2026-01-14");
      ASSIGN_OR_RETURN(std::string v2, cm.Create(txn, amended));
      for (const std::string& item : caseload.accommodations.back()) {
        ASSIGN_OR_RETURN(v1::Accommodation copy,
                         cm.Get<v1::Accommodation>(item));
        copy.clear_id();
        copy.set_plan_id(v2);
        copy.set_continues_id(item);
        RETURN_IF_ERROR(cm.Create(txn, copy).status());
      }
      for (const std::string& item : caseload.services.back()) {
        ASSIGN_OR_RETURN(v1::Service copy, cm.Get<v1::Service>(item));
        copy.clear_id();
        copy.set_plan_id(v2);
        copy.set_continues_id(item);
        if (copy.service_type() == "Speech therapy") {
          copy.set_minutes_per_period(90);
        }
        RETURN_IF_ERROR(cm.Create(txn, copy).status());
      }
      v1::Assignment teaches;
      teaches.set_student_id(id);
      teaches.set_user_id(teachers[s / kStudentsPerTeacher]);
      teaches.set_role(v1::TEACHER);
      RETURN_IF_ERROR(cm.Create(txn, teaches).status());
      v1::Meeting review;
      review.set_student_id(id);
      review.set_meeting_type(v1::MEETING_TYPE_ANNUAL_REVIEW);
      review.set_scheduled_at("2026-08-20T15:00:00Z");
      RETURN_IF_ERROR(cm.Create(txn, review).status());
    }
    // The school year's closures.
    for (const char* day :
         {"2025-09-01", "2025-11-27", "2025-11-28", "2025-12-22",
          "2025-12-23", "2025-12-24", "2025-12-25", "2025-12-26",
          "2025-12-29", "2025-12-30", "2025-12-31", "2026-01-01",
          "2026-01-19", "2026-02-16", "2026-03-16", "2026-03-17",
          "2026-03-18", "2026-03-19", "2026-03-20", "2026-05-25"}) {
      v1::SchoolHoliday holiday;
      holiday.set_day(day);
      RETURN_IF_ERROR(cm.Create(txn, holiday).status());
    }
    return absl::OkStatus();
  }));
  return caseload;
}

int Run(const Flags& flags) {
  const int students = flags.quick ? 5 : 40;
  auto dir = ScratchDir::Make("plansync-report-bench");
  if (!dir.ok()) return 1;
  FakeClock clock(1754049600000);  // 2025-08-01
  auto cm = Open(dir->File("cm.db"), "01966f4e-2b7a-7c1e-9d3a-5f0e6a7b8c00",
                 &clock, 1);
  if (!cm.ok()) {
    std::fprintf(stderr, "%s\n", cm.status().ToString().c_str());
    return 1;
  }
  std::vector<std::unique_ptr<DeviceStore>> teachers;
  std::vector<std::string> teacher_ids;
  for (int t = 0; t * kStudentsPerTeacher < students; ++t) {
    teacher_ids.push_back(
        absl::StrCat("01966f4e-2b7a-7c1e-9d3a-5f0e6a7b8d", 10 + t));
    auto store = Open(":memory:", teacher_ids.back(), &clock, 10 + t);
    if (!store.ok()) return 1;
    teachers.push_back(std::move(*store));
  }
  auto others =
      Open(":memory:", "01966f4e-2b7a-7c1e-9d3a-5f0e6a7b8e00", &clock, 99);
  if (!others.ok()) return 1;

  Timer setup;
  auto caseload = MakePlans(**cm, students, teacher_ids);
  absl::Status status = caseload.status();
  std::vector<DeviceStore*> readers = {others->get()};
  for (auto& teacher : teachers) readers.push_back(teacher.get());
  if (status.ok()) status = Deliver(**cm, readers);
  // A school year of days, confirmations on school days.
  const reports::SchoolCalendar calendar("Lincoln", {});
  int64_t entries = 0;
  for (reports::Day day(2025, 8, 18);
       status.ok() && day <= reports::Day(2026, 6, 5); ++day) {
    if (!reports::IsWeekday(day)) continue;
    const std::string text = reports::FormatDay(day);
    for (int s = 0; status.ok() && s < students; ++s) {
      DeviceStore& teacher = *teachers[s / kStudentsPerTeacher];
      status = teacher.Write([&](WriteTransaction& txn) -> absl::Status {
        for (int a = 0; a < kAccommodations; ++a) {
          v1::ImplementationConfirmation c;
          c.set_student_id(caseload->students[s]);
          c.set_accommodation_id(caseload->accommodations[s][a]);
          c.set_day(text);
          const int roll = (s * 31 + a * 7 + static_cast<int>(day.day())) % 20;
          c.set_status(roll == 0 ? v1::CONFIRMATION_STATUS_NOT_PROVIDED
                       : roll == 1
                           ? v1::CONFIRMATION_STATUS_OFFERED_AND_DECLINED
                       : roll == 2 ? v1::CONFIRMATION_STATUS_NOT_APPLICABLE
                                   : v1::CONFIRMATION_STATUS_PROVIDED);
          RETURN_IF_ERROR(teacher.Append(txn, c).status());
          ++entries;
        }
        // Sessions on Tuesdays and Thursdays, lapses now and then.
        const absl::Weekday weekday = absl::GetWeekday(day);
        if (weekday != absl::Weekday::tuesday &&
            weekday != absl::Weekday::thursday) {
          return absl::OkStatus();
        }
        return others->get()->Write(
            [&](WriteTransaction& other) -> absl::Status {
              for (const std::string& service : caseload->services[s]) {
                v1::ServiceSession session;
                session.set_student_id(caseload->students[s]);
                session.set_service_id(service);
                session.set_day(text);
                const bool missed = (s + static_cast<int>(day.day())) % 9 == 0;
                session.set_outcome(missed ? v1::SESSION_OUTCOME_PROVIDER_ABSENT
                                           : v1::SESSION_OUTCOME_DELIVERED);
                session.set_minutes_delivered(missed ? 0 : 30);
                RETURN_IF_ERROR(others->get()->Append(other, session).status());
              }
              if (day.day() == 2 && weekday == absl::Weekday::tuesday) {
                v1::LapseReport lapse;
                lapse.set_student_id(caseload->students[s]);
                lapse.set_accommodation_id(caseload->accommodations[s][0]);
                lapse.set_day(text);
                lapse.set_what_happened("Not provided in class");
                RETURN_IF_ERROR(others->get()->Append(other, lapse).status());
              }
              return absl::OkStatus();
            });
      });
    }
    clock.Advance(86'400'000);
  }
  for (auto& teacher : teachers) {
    if (status.ok()) status = Deliver(*teacher, {cm->get()});
  }
  if (status.ok()) status = Deliver(**others, {cm->get()});
  if (!status.ok()) {
    std::fprintf(stderr, "setup failed: %s\n", status.ToString().c_str());
    return 1;
  }
  std::printf(
      "report_bench: %d students, %lld confirmations, set up in %.1f s\n",
      students, static_cast<long long>(entries), setup.Seconds());

  std::vector<double> runs, builds;
  size_t bytes = 0;
  v1::Report last;
  for (int i = 0; i < 5; ++i) {
    Timer timer;
    ReportRequest request;
    request.today = kToday;
    auto report = BuildReport(**cm, request);
    if (!report.ok()) {
      std::fprintf(stderr, "%s\n", report.status().ToString().c_str());
      return 1;
    }
    builds.push_back(timer.Seconds());
    bytes = 0;
    for (report::Format format :
         {report::Format::kText, report::Format::kJson, report::Format::kCsv,
          report::Format::kHtml}) {
      bytes += report::Render(*report, format, report::Section::kAll).size();
    }
    runs.push_back(timer.Seconds());
    last = std::move(*report);
  }
  const v1::AccommodationMatrix& matrix = last.accommodation_matrix();
  std::printf(
      "  report: %d matrix rows over %d school days, implementation "
      "rate %.3f, %d deadlines, %d service rows, %d concerns\n",
      matrix.rows_size(), matrix.school_days_size(),
      matrix.implementation_rate(), last.compliance().deadlines_size(),
      last.service_fidelity().services_size(), last.concerns().concerns_size());
  std::printf(
      "  one run: every report built in %.3f s (median), rendered as "
      "text, JSON, CSV and HTML (%zu bytes)\n",
      Percentile(builds, 50), bytes);
  PrintMetric("report_caseload_s", Percentile(runs, 50), "s", 3);
  return 0;
}

}  // namespace
}  // namespace plansync::bench

int main(int argc, char** argv) {
  plansync::bench::Flags flags;
  if (!plansync::bench::ParseFlags(argc, argv, &flags)) return 2;
  return plansync::bench::Run(flags);
}
