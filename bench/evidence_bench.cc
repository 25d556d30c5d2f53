// The evidence packet of one student over a school year (a target in
// BENCHMARKS.md):
//
//   evidence_bench [--quick]
//
// One student with an IEP (5 accommodations, 2 services, 2 goals reported
// quarterly) and a school year, 18 August 2025 to 5 June 2026, of records
// on a device's store (a real SQLite file): daily confirmations of every
// accommodation, a speech session every school day and an OT session on
// Tuesdays and Thursdays, two lapse reports with a response on four school
// days of five, a correction of every tenth session, twenty records
// requests with receipts and ten releases, ten notices and meetings, and
// progress reports; every log entry with its feed receipt. The packet holds
// about 2,000 entries (--quick: a tenth of the year). The timed part runs,
// five times, BuildEvidencePacket and the HTML page's rendering.
//
// Metric evidence_packet_s: the median wall time of one such run.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "bench/harness.h"
#include "clients/report/render_evidence.h"
#include "core/day.h"
#include "core/device_store.h"
#include "core/reports/evidence.h"
#include "core/status_macros.h"
#include "plansync/v1/records.pb.h"

namespace plansync::bench {
namespace {

constexpr char kUser[] = "01966f4e-2b7a-7c1e-9d3a-5f0e6a7b8c00";
constexpr char kToday[] = "2026-06-05";
constexpr int kAccommodations = 5;

struct Plan {
  std::string student, plan;
  std::vector<std::string> accommodations, services, goals;
};

absl::StatusOr<Plan> MakePlan(DeviceStore& store, WriteTransaction& txn) {
  Plan out;
  v1::Student student;
  student.set_given_name("Maya");
  student.set_family_name("Bench");
  student.set_school("Lincoln");
  ASSIGN_OR_RETURN(out.student, store.Create(txn, student));
  v1::Plan plan;
  plan.set_student_id(out.student);
  plan.set_kind(v1::PLAN_KIND_IEP);
  plan.set_status(v1::PLAN_STATUS_ACTIVE);
  plan.set_version(1);
  plan.set_jurisdiction("US-MO");
  plan.set_start_date("2025-08-18");
  ASSIGN_OR_RETURN(out.plan, store.Create(txn, plan));
  for (int a = 0; a < kAccommodations; ++a) {
    v1::Accommodation accommodation;
    accommodation.set_student_id(out.student);
    accommodation.set_plan_id(out.plan);
    accommodation.set_kind(v1::ACCOMMODATION_KIND_ACCOMMODATION);
    accommodation.set_category(v1::ACCOMMODATION_CATEGORY_SETTING);
    accommodation.set_title(absl::StrCat("Accommodation ", a));
    ASSIGN_OR_RETURN(std::string id, store.Create(txn, accommodation));
    out.accommodations.push_back(id);
  }
  for (int k = 0; k < 2; ++k) {
    v1::Service service;
    service.set_student_id(out.student);
    service.set_plan_id(out.plan);
    service.set_service_category(k == 0
                                     ? v1::SERVICE_CATEGORY_RELATED_SERVICE
                                     : v1::SERVICE_CATEGORY_SPECIAL_EDUCATION);
    service.set_service_type(k == 0 ? "Speech therapy" : "Reading");
    service.set_minutes_per_period(k == 0 ? 150 : 90);
    service.set_period(v1::SERVICE_PERIOD_WEEK);
    ASSIGN_OR_RETURN(std::string id, store.Create(txn, service));
    out.services.push_back(id);
  }
  for (int g = 0; g < 2; ++g) {
    v1::Goal goal;
    goal.set_student_id(out.student);
    goal.set_plan_id(out.plan);
    goal.set_area(g == 0 ? "Reading fluency" : "Articulation");
    goal.set_description("Measurable annual goal");
    goal.set_report_cadence(v1::REPORT_CADENCE_QUARTERLY);
    ASSIGN_OR_RETURN(std::string id, store.Create(txn, goal));
    out.goals.push_back(id);
  }
  return out;
}

// A school year of records for `p`, written on `store`; the ids of its log
// entries in `entries`.
absl::Status WriteYear(DeviceStore& store, const Plan& p, Day last,
                       std::vector<std::string>* entries) {
  auto append = [&](WriteTransaction& txn,
                    google::protobuf::Message& entry) -> absl::Status {
    ASSIGN_OR_RETURN(std::string id, store.Append(txn, entry));
    entries->push_back(id);
    return absl::OkStatus();
  };
  return store.Write([&](WriteTransaction& txn) -> absl::Status {
    int index = 0;
    for (Day day(2025, 8, 18); day <= last; ++day) {
      if (!IsWeekday(day)) continue;
      const std::string text = FormatDay(day);
      ++index;
      for (const std::string& accommodation : p.accommodations) {
        v1::ImplementationConfirmation c;
        c.set_student_id(p.student);
        c.set_accommodation_id(accommodation);
        c.set_day(text);
        c.set_status(v1::CONFIRMATION_STATUS_PROVIDED);
        RETURN_IF_ERROR(append(txn, c));
      }
      const absl::Weekday weekday = absl::GetWeekday(day);
      for (size_t k = 0; k < p.services.size(); ++k) {
        if (k == 1 && weekday != absl::Weekday::tuesday &&
            weekday != absl::Weekday::thursday) {
          continue;
        }
        v1::ServiceSession session;
        session.set_student_id(p.student);
        session.set_service_id(p.services[k]);
        session.set_day(text);
        session.set_outcome(v1::SESSION_OUTCOME_DELIVERED);
        session.set_minutes_delivered(30);
        ASSIGN_OR_RETURN(std::string id, store.Append(txn, session));
        entries->push_back(id);
        if (index % 10 == 0 && k == 0) {
          v1::Correction correction;
          correction.set_student_id(p.student);
          correction.set_corrected_entry_id(id);
          correction.set_corrected_entry_type("plansync.v1.ServiceSession");
          correction.set_field_name("minutes_delivered");
          correction.set_corrected_value("25");
          correction.set_reason("the session ended early");
          RETURN_IF_ERROR(append(txn, correction));
        }
      }
      if (index % 5 != 0) {
        for (int l = 0; l < 2; ++l) {
          v1::LapseReport lapse;
          lapse.set_student_id(p.student);
          lapse.set_accommodation_id(
              p.accommodations[(index + l) % kAccommodations]);
          lapse.set_day(text);
          lapse.set_what_happened("Not provided in class");
          ASSIGN_OR_RETURN(std::string id, store.Append(txn, lapse));
          entries->push_back(id);
          v1::LapseResponse response;
          response.set_student_id(p.student);
          response.set_lapse_report_id(id);
          response.set_response(v1::LAPSE_RESPONSE_STATUS_INVESTIGATING);
          RETURN_IF_ERROR(append(txn, response));
        }
      }
      if (index % 9 == 0) {
        v1::ParentRequest request;
        request.set_student_id(p.student);
        request.set_request_kind(v1::REQUEST_KIND_RECORDS_ACCESS);
        request.set_sent_via(v1::REQUEST_CHANNEL_EMAIL);
        request.set_sent_date(text);
        request.set_text("A copy of the file, please");
        ASSIGN_OR_RETURN(std::string id, store.Append(txn, request));
        entries->push_back(id);
        v1::RequestReceipt receipt;
        receipt.set_student_id(p.student);
        receipt.set_parent_request_id(id);
        receipt.set_received_date(text);
        RETURN_IF_ERROR(append(txn, receipt));
        if (index % 18 == 0) {
          v1::RecordsRelease release;
          release.set_student_id(p.student);
          release.set_parent_request_id(id);
          release.set_released_date(text);
          release.set_description("the full file");
          RETURN_IF_ERROR(append(txn, release));
        }
      }
      if (index % 19 == 0) {
        v1::Meeting meeting;
        meeting.set_student_id(p.student);
        meeting.set_meeting_type(v1::MEETING_TYPE_AMENDMENT);
        meeting.set_scheduled_at(text + "T15:00:00Z");
        meeting.set_held_at(text + "T15:05:00Z");
        RETURN_IF_ERROR(store.Create(txn, meeting).status());
        v1::Notice notice;
        notice.set_student_id(p.student);
        notice.set_notice_type(v1::NOTICE_TYPE_MEETING_NOTICE);
        notice.set_sent_date(text);
        RETURN_IF_ERROR(store.Create(txn, notice).status());
      }
    }
    for (const char* due : {"2025-11-18", "2026-02-18", "2026-05-18"}) {
      for (const std::string& goal : p.goals) {
        v1::ProgressReport report;
        report.set_student_id(p.student);
        report.set_goal_id(goal);
        report.set_due_day(due);
        report.set_sent_date(due);
        report.set_summary("On track");
        RETURN_IF_ERROR(append(txn, report));
      }
    }
    return absl::OkStatus();
  });
}

int Run(const Flags& flags) {
  auto dir = ScratchDir::Make("plansync-evidence-bench");
  if (!dir.ok()) return 1;
  FakeClock clock(1754049600000);  // 2025-08-01
  DeviceStoreOptions options;
  options.path = dir->File("device.db");
  options.principal_id = kUser;
  options.clock = &clock;
  options.seed = 1;
  options.durable = false;
  auto store = DeviceStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  DeviceStore& device = **store;
  Timer setup;
  absl::StatusOr<Plan> plan = absl::UnknownError("not made");
  absl::Status status = device.Write([&](WriteTransaction& txn) {
    plan = MakePlan(device, txn);
    return plan.status();
  });
  const Day last = flags.quick ? Day(2025, 9, 19) : Day(2026, 6, 5);
  std::vector<std::string> entries;
  if (status.ok()) status = WriteYear(device, *plan, last, &entries);
  // Every entry as the server would have placed it in the feed.
  if (status.ok()) {
    status = device.Write([&](WriteTransaction& txn) -> absl::Status {
      int64_t seq = 100;
      for (const std::string& id : entries) {
        RETURN_IF_ERROR(device.RecordFeedReceipt(
            txn, id, StudentBucket(plan->student),
            {++seq, (static_cast<uint64_t>(1754049600000 + seq) << 16)}));
      }
      return absl::OkStatus();
    });
  }
  if (!status.ok()) {
    std::fprintf(stderr, "setup failed: %s\n", status.ToString().c_str());
    return 1;
  }
  std::printf(
      "evidence_bench: %zu log entries on the device, set up in "
      "%.1f s\n",
      entries.size(), setup.Seconds());

  std::vector<double> runs;
  size_t bytes = 0;
  int packet_entries = 0;
  for (int i = 0; i < 5; ++i) {
    Timer timer;
    EvidenceRequest request;
    request.student_id = plan->student;
    request.from = "2025-08-01";
    request.to = kToday;
    request.today = kToday;
    auto packet = BuildEvidencePacket(device, request);
    if (!packet.ok()) {
      std::fprintf(stderr, "%s\n", packet.status().ToString().c_str());
      return 1;
    }
    bytes = report::RenderEvidenceHtml(*packet).size();
    runs.push_back(timer.Seconds());
    packet_entries = packet->entries_size();
  }
  std::printf("  packet: %d entries, page %zu bytes\n", packet_entries, bytes);
  PrintMetric("evidence_packet_entries", packet_entries, "", 0);
  PrintMetric("evidence_packet_s", Percentile(runs, 50), "s", 3);
  return 0;
}

}  // namespace
}  // namespace plansync::bench

int main(int argc, char** argv) {
  plansync::bench::Flags flags;
  if (!plansync::bench::ParseFlags(argc, argv, &flags)) return 2;
  return plansync::bench::Run(flags);
}
