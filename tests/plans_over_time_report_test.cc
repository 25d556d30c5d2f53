// The report over plans that change: a mid-week amendment with catch-up
// entries for days before it, and an IEP that ends on a Friday with a 504
// plan following on the Monday. Every figure is worked out by hand in the
// comments; none comes from the code under test.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/device_store.h"
#include "core/reports/report.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

using testing::AppendEntry;
using testing::CreateRecord;

constexpr char kTeacher[] = "01966f4e-2b7a-7c1e-9d3a-5f0e6a7b8c01";
// 2026-10-23 (a Friday), 12:00 UTC.
constexpr int64_t kFriday = 1792756800000;

class PlansOverTimeReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cm_ = testing::OpenStore(dir_.File("cm.db"), "cm", &clock_, 1);
    teacher_ = testing::OpenStore(":memory:", kTeacher, &clock_, 2);
    provider_ = testing::OpenStore(":memory:", "provider", &clock_, 3);
    MakeAvery();
    MakeBlake();
    Deliver(*cm_, *teacher_);
    Deliver(*cm_, *provider_);
    RecordAvery();
    RecordBlake();
    Deliver(*teacher_, *cm_);
    Deliver(*provider_, *cm_);
  }

  void Deliver(DeviceStore& from, DeviceStore& to) {
    auto pending = from.PendingChanges(100000);
    ASSERT_OK(pending);
    std::vector<v1::Change> changes;
    for (auto& entry : *pending) changes.push_back(entry.change);
    auto results = to.ApplyRemote(changes);
    ASSERT_OK(results);
    for (const RemoteResult& result : *results) {
      ASSERT_NE(result.outcome, RemoteOutcome::kRejected) << result.error;
    }
  }

  std::string Student(const char* given, const char* school) {
    v1::Student student;
    student.set_given_name(given);
    student.set_family_name("Diaz");
    student.set_school(school);
    return CreateRecord(*cm_, student);
  }
  std::string Plan(const std::string& student, v1::PlanKind kind, int version,
                   v1::PlanStatus status, const char* start,
                   const char* end = "", const std::string& supersedes = "") {
    v1::Plan plan;
    plan.set_student_id(student);
    plan.set_kind(kind);
    plan.set_version(version);
    plan.set_status(status);
    plan.set_jurisdiction("US-MO");
    plan.set_start_date(start);
    plan.set_end_date(end);
    plan.set_supersedes_plan_id(supersedes);
    return CreateRecord(*cm_, plan);
  }
  std::string Accommodation(const std::string& student, const std::string& plan,
                            const char* title,
                            const std::string& continues = "") {
    v1::Accommodation a;
    a.set_student_id(student);
    a.set_plan_id(plan);
    a.set_kind(v1::ACCOMMODATION_KIND_ACCOMMODATION);
    a.set_category(v1::ACCOMMODATION_CATEGORY_PRESENTATION);
    a.set_title(title);
    a.set_continues_id(continues);
    return CreateRecord(*cm_, a);
  }
  std::string Service(const std::string& student, const std::string& plan,
                      const char* type, int minutes_per_week,
                      const std::string& continues = "") {
    v1::Service s;
    s.set_student_id(student);
    s.set_plan_id(plan);
    s.set_service_category(v1::SERVICE_CATEGORY_RELATED_SERVICE);
    s.set_service_type(type);
    s.set_minutes_per_period(minutes_per_week);
    s.set_period(v1::SERVICE_PERIOD_WEEK);
    s.set_continues_id(continues);
    return CreateRecord(*cm_, s);
  }
  void Teaches(const std::string& student) {
    v1::Assignment a;
    a.set_student_id(student);
    a.set_user_id(kTeacher);
    a.set_role(v1::TEACHER);
    a.set_start_date("2026-09-01");
    CreateRecord(*cm_, a);
  }
  std::string Confirm(const std::string& student,
                      const std::string& accommodation, const std::string& day,
                      v1::ConfirmationStatus status) {
    v1::ImplementationConfirmation c;
    c.set_student_id(student);
    c.set_accommodation_id(accommodation);
    c.set_day(day);
    c.set_status(status);
    const std::string id = AppendEntry(*teacher_, c);
    clock_.Advance(1000);
    return id;
  }
  std::string Session(const std::string& student, const std::string& service,
                      const std::string& day, int minutes) {
    v1::ServiceSession s;
    s.set_student_id(student);
    s.set_service_id(service);
    s.set_day(day);
    s.set_outcome(v1::SESSION_OUTCOME_DELIVERED);
    s.set_minutes_delivered(minutes);
    const std::string id = AppendEntry(*provider_, s);
    clock_.Advance(1000);
    return id;
  }

  // Avery: an IEP from 1 September, amended with effect from Wednesday 14
  // October: speech 60 -> 90 minutes a week, extended time carried forward,
  // read-aloud dropped, preferential seating added.
  void MakeAvery() {
    avery_ = Student("Avery", "Lincoln");
    Teaches(avery_);
    const std::string v1 = Plan(avery_, v1::PLAN_KIND_IEP, 1,
                                v1::PLAN_STATUS_SUPERSEDED, "2026-09-01");
    speech1_ = Service(avery_, v1, "Speech therapy", 60);
    extended1_ = Accommodation(avery_, v1, "Extended time");
    read_aloud_ = Accommodation(avery_, v1, "Read aloud");
    const std::string v2 = Plan(avery_, v1::PLAN_KIND_IEP, 2,
                                v1::PLAN_STATUS_ACTIVE, "2026-10-14", "", v1);
    speech2_ = Service(avery_, v2, "Speech therapy", 90, speech1_);
    extended2_ = Accommodation(avery_, v2, "Extended time", extended1_);
    seating_ = Accommodation(avery_, v2, "Preferential seating");
  }

  // Blake: an IEP ended on Friday 16 October (OT 50 minutes a week, breaks);
  // a 504 plan from Monday 19 October carries the breaks forward.
  void MakeBlake() {
    blake_ = Student("Blake", "Lincoln");
    Teaches(blake_);
    const std::string iep =
        Plan(blake_, v1::PLAN_KIND_IEP, 1, v1::PLAN_STATUS_ENDED, "2026-09-01",
             "2026-10-16");
    ot_ = Service(blake_, iep, "Occupational therapy", 50);
    breaks_iep_ = Accommodation(blake_, iep, "Breaks");
    const std::string plan504 = Plan(blake_, v1::PLAN_KIND_SECTION_504, 1,
                                     v1::PLAN_STATUS_ACTIVE, "2026-10-19");
    breaks_504_ = Accommodation(blake_, plan504, "Breaks", breaks_iep_);
  }

  void RecordAvery() {
    // Speech: 30 + 30 in the week of the 5th against version 1; a catch-up
    // entry for Tuesday the 13th (version 1 was in effect) made after the
    // amendment; 45 three times against version 2.
    Session(avery_, speech1_, "2026-10-06", 30);
    Session(avery_, speech1_, "2026-10-08", 30);
    Session(avery_, speech2_, "2026-10-15", 45);
    Session(avery_, speech1_, "2026-10-13", 30);
    session_20th_ = Session(avery_, speech2_, "2026-10-20", 45);
    Session(avery_, speech2_, "2026-10-22", 45);
    // Extended time provided every day but the 21st, named by the version
    // in effect that day (the 12th and 13th as catch-up entries).
    for (const char* day :
         {"2026-10-05", "2026-10-06", "2026-10-07", "2026-10-08", "2026-10-09",
          "2026-10-12", "2026-10-13"}) {
      Confirm(avery_, extended1_, day, v1::CONFIRMATION_STATUS_PROVIDED);
    }
    for (const char* day : {"2026-10-14", "2026-10-15", "2026-10-16",
                            "2026-10-19", "2026-10-20", "2026-10-22"}) {
      Confirm(avery_, extended2_, day, v1::CONFIRMATION_STATUS_PROVIDED);
    }
    confirmation_23rd_ = Confirm(avery_, extended2_, "2026-10-23",
                                 v1::CONFIRMATION_STATUS_PROVIDED);
    Confirm(avery_, read_aloud_, "2026-10-05",
            v1::CONFIRMATION_STATUS_PROVIDED);
    Confirm(avery_, seating_, "2026-10-14",
            v1::CONFIRMATION_STATUS_NOT_PROVIDED);
  }

  void RecordBlake() {
    Session(blake_, ot_, "2026-10-07", 50);
    Confirm(blake_, breaks_504_, "2026-10-20",
            v1::CONFIRMATION_STATUS_PROVIDED);
  }

  v1::Report Build() {
    ReportRequest request;
    request.today = "2026-10-23";
    request.from = "2026-10-05";
    auto report = BuildReport(*cm_, request);
    EXPECT_OK(report);
    return report.ok() ? *report : v1::Report();
  }

  const v1::ServiceFidelityRow* ServiceRow(const v1::Report& report,
                                           const std::string& student) {
    const v1::ServiceFidelityRow* found = nullptr;
    for (const auto& row : report.service_fidelity().services()) {
      if (row.student_id() != student) continue;
      EXPECT_EQ(found, nullptr) << "two service rows for one student";
      found = &row;
    }
    return found;
  }
  const v1::AccommodationRow* MatrixRow(const v1::Report& report,
                                        const std::string& student,
                                        const std::string& title) {
    const v1::AccommodationRow* found = nullptr;
    for (const auto& row : report.accommodation_matrix().rows()) {
      if (row.student_id() != student || row.title() != title) continue;
      EXPECT_EQ(found, nullptr) << "two rows for " << title;
      found = &row;
    }
    return found;
  }

  testing::TempDir dir_;
  FakeClock clock_{kFriday};
  std::unique_ptr<DeviceStore> cm_, teacher_, provider_;
  std::string avery_, speech1_, speech2_, extended1_, extended2_, read_aloud_,
      seating_;
  std::string blake_, ot_, breaks_iep_, breaks_504_;
  std::string session_20th_, confirmation_23rd_;
};

TEST_F(PlansOverTimeReportTest,
       MandatedMinutesFollowTheVersionInEffectEachDay) {
  const v1::Report report = Build();
  const v1::ServiceFidelityRow* speech = ServiceRow(report, avery_);
  ASSERT_NE(speech, nullptr);
  // The row is named by the latest version.
  EXPECT_EQ(speech->service_id(), speech2_);
  EXPECT_EQ(speech->minutes_per_period(), 90);
  ASSERT_EQ(speech->weeks_size(), 3);
  // Week of the 5th: 60 under version 1. Week of the 12th: Monday and
  // Tuesday a fifth of 60 (12 + 12), Wednesday to Friday a fifth of 90
  // (18 * 3): 78. Week of the 19th: 90.
  EXPECT_EQ(speech->weeks(0).mandated_minutes(), 60);
  EXPECT_EQ(speech->weeks(1).mandated_minutes(), 78);
  EXPECT_EQ(speech->weeks(2).mandated_minutes(), 90);
  // Sessions against either version count: 60, 30 + 45, 90.
  EXPECT_EQ(speech->weeks(0).delivered_minutes(), 60);
  EXPECT_EQ(speech->weeks(1).delivered_minutes(), 75);
  EXPECT_EQ(speech->weeks(1).shortfall_minutes(), 3);
  EXPECT_EQ(speech->weeks(2).delivered_minutes(), 90);
  EXPECT_EQ(speech->mandated_minutes(), 228);
  EXPECT_EQ(speech->delivered_minutes(), 225);
  EXPECT_EQ(speech->shortfall_minutes(), 3);
}

TEST_F(PlansOverTimeReportTest, AnEndedIepOwesNoMinutesAfterItsLastDay) {
  const v1::Report report = Build();
  const v1::ServiceFidelityRow* ot = ServiceRow(report, blake_);
  ASSERT_NE(ot, nullptr);
  ASSERT_EQ(ot->weeks_size(), 2);  // nothing owed in the week of the 19th
  EXPECT_EQ(ot->weeks(0).mandated_minutes(), 50);
  EXPECT_EQ(ot->weeks(1).mandated_minutes(), 50);
  EXPECT_EQ(ot->mandated_minutes(), 100);
  EXPECT_EQ(ot->delivered_minutes(), 50);
}

TEST_F(PlansOverTimeReportTest,
       TheMatrixCountsEachAccommodationOnlyWhileItIsInEffect) {
  const v1::Report report = Build();
  ASSERT_EQ(report.accommodation_matrix().school_days_size(), 15);
  // Extended time: due all 15 days; 14 confirmations across both versions,
  // the 21st (the 13th school day) without one.
  const v1::AccommodationRow* extended =
      MatrixRow(report, avery_, "Extended time");
  ASSERT_NE(extended, nullptr);
  EXPECT_EQ(extended->days(), "PPPPPPPPPPPP.PP");
  EXPECT_EQ(extended->provided(), 14);
  EXPECT_EQ(extended->nothing_logged(), 1);
  // Read aloud: due 5-13 October (7 school days), not due once version 2
  // dropped it.
  const v1::AccommodationRow* read_aloud =
      MatrixRow(report, avery_, "Read aloud");
  ASSERT_NE(read_aloud, nullptr);
  EXPECT_EQ(read_aloud->days(), "P......--------");
  EXPECT_EQ(read_aloud->provided(), 1);
  EXPECT_EQ(read_aloud->nothing_logged(), 6);
  // Preferential seating: due from the 14th (8 school days).
  const v1::AccommodationRow* seating =
      MatrixRow(report, avery_, "Preferential seating");
  ASSERT_NE(seating, nullptr);
  EXPECT_EQ(seating->days(), "-------N.......");
  EXPECT_EQ(seating->not_provided(), 1);
  EXPECT_EQ(seating->nothing_logged(), 7);
  // Blake's breaks: one row through the IEP and the 504 plan that carried
  // them forward; due every day except the weekend between (not a school
  // day anyway).
  const v1::AccommodationRow* breaks = MatrixRow(report, blake_, "Breaks");
  ASSERT_NE(breaks, nullptr);
  EXPECT_EQ(breaks->accommodation_id(), breaks_504_);
  EXPECT_EQ(breaks->days(), "...........P...");
  EXPECT_EQ(breaks->provided(), 1);
  EXPECT_EQ(breaks->nothing_logged(), 14);
}

TEST_F(PlansOverTimeReportTest, TheCaseloadShowsEachPlanInEffectOverTheWindow) {
  const v1::Report report = Build();
  ASSERT_EQ(report.students_size(), 2);
  for (const v1::ReportStudent& student : report.students()) {
    ASSERT_EQ(student.plans_size(), 2) << student.name();
    if (student.student_id() == avery_) {
      EXPECT_EQ(student.plan_kind(), v1::PLAN_KIND_IEP);
      EXPECT_EQ(student.plans(0).version(), 1);
      EXPECT_EQ(student.plans(0).first_day(), "2026-10-05");
      EXPECT_EQ(student.plans(0).last_day(), "2026-10-13");
      EXPECT_EQ(student.plans(1).version(), 2);
      EXPECT_EQ(student.plans(1).first_day(), "2026-10-14");
      EXPECT_EQ(student.plans(1).last_day(), "2026-10-23");
    } else {
      EXPECT_EQ(student.plan_kind(), v1::PLAN_KIND_SECTION_504);
      EXPECT_EQ(student.plans(0).kind(), v1::PLAN_KIND_IEP);
      EXPECT_EQ(student.plans(0).last_day(), "2026-10-16");
      EXPECT_EQ(student.plans(1).kind(), v1::PLAN_KIND_SECTION_504);
      EXPECT_EQ(student.plans(1).first_day(), "2026-10-19");
    }
  }
}

// The compliance calendar follows the versions: the annual review runs from
// the IEP's first version (the amendment does not restart it); the 504 plan
// that followed an ended IEP is a new plan, reviewed a year from its start.
TEST_F(PlansOverTimeReportTest, DeadlinesFollowThePlanVersions) {
  const v1::Report report = Build();
  const v1::Deadline* review = nullptr;
  const v1::Deadline* review504 = nullptr;
  for (const v1::Deadline& d : report.compliance().deadlines()) {
    if (d.student_id() == avery_ && d.rule_id() == "annual_review") {
      review = &d;
    }
    if (d.student_id() == blake_ && d.rule_id() == "section_504_review") {
      review504 = &d;
    }
  }
  ASSERT_NE(review, nullptr);
  EXPECT_EQ(review->anchor_day(), "2026-09-01");
  EXPECT_EQ(review->due_day(), "2027-09-01");
  ASSERT_NE(review504, nullptr);
  EXPECT_EQ(review504->anchor_day(), "2026-10-19");
  EXPECT_EQ(review504->due_day(), "2027-10-19");
}

// Two amendments of Avery's version 2, made apart: both stand (each until
// the next one starts) and the report's conflict queue lists them.
TEST_F(PlansOverTimeReportTest, CompetingAmendmentsWaitInTheConflictQueue) {
  const std::vector<v1::Plan> plans = *cm_->ListByStudent<v1::Plan>(avery_);
  std::string v2;
  for (const v1::Plan& p : plans) {
    if (p.version() == 2) v2 = p.id();
  }
  const std::string a = Plan(avery_, v1::PLAN_KIND_IEP, 3,
                             v1::PLAN_STATUS_ACTIVE, "2026-10-19", "", v2);
  const std::string b = Plan(avery_, v1::PLAN_KIND_IEP, 3,
                             v1::PLAN_STATUS_ACTIVE, "2026-10-21", "", v2);
  const v1::Report report = Build();
  ASSERT_EQ(report.conflicts().competing_amendments_size(), 1);
  const v1::CompetingAmendments& c = report.conflicts().competing_amendments(0);
  EXPECT_EQ(c.student_id(), avery_);
  EXPECT_EQ(c.superseded_plan_id(), v2);
  std::vector<std::string> expected = {a, b};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(std::vector<std::string>(c.amendment_plan_ids().begin(),
                                     c.amendment_plan_ids().end()),
            expected);
  // Each is in effect until the next starts.
  bool found = false;
  for (const v1::ReportStudent& student : report.students()) {
    if (student.student_id() != avery_) continue;
    found = true;
    ASSERT_EQ(student.plans_size(), 4);
    EXPECT_EQ(student.plans(2).plan_id(), a);
    EXPECT_EQ(student.plans(2).last_day(), "2026-10-20");
    EXPECT_EQ(student.plans(3).plan_id(), b);
  }
  EXPECT_TRUE(found);
}

// Where and when an accommodation applies: another subject's is never due in
// an ELA class; a tests-only one is due on the days the teacher recorded a
// test, and its row says how many.
TEST_F(PlansOverTimeReportTest,
       SubjectAndTestsOnlyAccommodationsAreDueWhereTheyApply) {
  const std::string casey = Student("Casey", "Lincoln");
  v1::Assignment ela;
  ela.set_student_id(casey);
  ela.set_user_id(kTeacher);
  ela.set_role(v1::TEACHER);
  ela.set_class_or_period("Period 5 ELA");
  ela.set_subject("ELA");
  CreateRecord(*cm_, ela);
  const std::string plan = Plan(casey, v1::PLAN_KIND_SECTION_504, 1,
                                v1::PLAN_STATUS_ACTIVE, "2026-09-01");
  auto add = [&](const char* title, v1::AppliesTo applies_to,
                 const char* subject) {
    v1::Accommodation a;
    a.set_student_id(casey);
    a.set_plan_id(plan);
    a.set_kind(v1::ACCOMMODATION_KIND_ACCOMMODATION);
    a.set_category(v1::ACCOMMODATION_CATEGORY_PRESENTATION);
    a.set_title(title);
    a.set_applies_to(applies_to);
    a.set_subject(subject);
    CreateRecord(*cm_, a);
  };
  add("Calculator", v1::APPLIES_TO_SUBJECT, "Mathematics");
  add("Spelling aids", v1::APPLIES_TO_SUBJECT, "ela");
  add("Read aloud", v1::APPLIES_TO_TESTS_ONLY, "");
  Deliver(*cm_, *teacher_);
  for (const char* day : {"2026-10-07", "2026-10-21"}) {
    v1::ClassTest test;
    test.set_student_id(casey);
    test.set_class_or_period("Period 5 ELA");
    test.set_day(day);
    AppendEntry(*teacher_, test);
  }
  Deliver(*teacher_, *cm_);

  const v1::Report report = Build();
  EXPECT_EQ(MatrixRow(report, casey, "Calculator"), nullptr);
  const v1::AccommodationRow* spelling =
      MatrixRow(report, casey, "Spelling aids");
  ASSERT_NE(spelling, nullptr);
  EXPECT_EQ(spelling->nothing_logged(), 15);
  EXPECT_FALSE(spelling->tests_only());
  const v1::AccommodationRow* read_aloud =
      MatrixRow(report, casey, "Read aloud");
  ASSERT_NE(read_aloud, nullptr);
  EXPECT_TRUE(read_aloud->tests_only());
  EXPECT_EQ(read_aloud->test_days_recorded(), 2);
  EXPECT_EQ(read_aloud->days(), "--.---------.--");
  EXPECT_EQ(read_aloud->nothing_logged(), 2);
}

// A corrected session counts with its corrected minutes, and a withdrawn
// confirmation no longer counts; both stay in the record.
TEST_F(PlansOverTimeReportTest, CorrectionsAreHonouredByEveryFigure) {
  v1::Correction minutes;
  minutes.set_student_id(avery_);
  minutes.set_corrected_entry_id(session_20th_);
  minutes.set_corrected_entry_type("plansync.v1.ServiceSession");
  minutes.set_field_name("minutes_delivered");
  minutes.set_corrected_value("30");
  minutes.set_reason("The session ended early");
  AppendEntry(*cm_, minutes);
  v1::Correction withdrawn;
  withdrawn.set_student_id(avery_);
  withdrawn.set_corrected_entry_id(confirmation_23rd_);
  withdrawn.set_corrected_entry_type("plansync.v1.ImplementationConfirmation");
  withdrawn.set_reason("Avery was absent on the 23rd");
  AppendEntry(*cm_, withdrawn);

  const v1::Report report = Build();
  const v1::ServiceFidelityRow* speech = ServiceRow(report, avery_);
  ASSERT_NE(speech, nullptr);
  // Week of the 19th: 30 + 45 instead of 45 + 45.
  EXPECT_EQ(speech->weeks(2).delivered_minutes(), 75);
  EXPECT_EQ(speech->delivered_minutes(), 210);
  const v1::AccommodationRow* extended =
      MatrixRow(report, avery_, "Extended time");
  ASSERT_NE(extended, nullptr);
  EXPECT_EQ(extended->days(), "PPPPPPPPPPPP.P.");
  EXPECT_EQ(extended->provided(), 13);
  // Both entries are still held.
  EXPECT_EQ(cm_->ListByStudent<v1::ServiceSession>(avery_)->size(), 6u);
}

}  // namespace
}  // namespace plansync
