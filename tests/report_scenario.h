// A caseload for the report tests: records written by a case manager, a
// teacher, a provider, a parent and the server, each on its own store and
// merged into the case manager's store as a sync would. The figures the
// tests expect are worked out by hand from the comments here.
#ifndef PLANSYNC_TESTS_REPORT_SCENARIO_H_
#define PLANSYNC_TESTS_REPORT_SCENARIO_H_

#include <memory>
#include <string>
#include <vector>

#include "core/device_store.h"
#include "core/reports/report.h"
#include "core/schema.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/test_util.h"

namespace plansync::testing {

// 2026-11-24 (a Tuesday), 12:00 UTC.
inline constexpr int64_t kNoon = 1795521600000;
inline constexpr char kTeacher[] = "01966f4e-2b7a-7c1e-9d3a-5f0e6a7b8c01";

class ReportScenario : public ::testing::Test {
 protected:
  void SetUp() override {
    cm_ = OpenStore(dir_.File("cm.db"), "cm", &clock_, 1);
    teacher_ = OpenStore(":memory:", kTeacher, &clock_, 2);
    provider_ = OpenStore(":memory:", "provider", &clock_, 3);
    parent_ = OpenStore(":memory:", "parent", &clock_, 4);
    server_ = OpenStore(":memory:", "server", &clock_, 5);
    MakeCaseload();
  }

  // Applies `from`'s local changes to `to`, as a sync through the server
  // would deliver them.
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

  void Confirm(const std::string& day, v1::ConfirmationStatus status) {
    v1::ImplementationConfirmation c;
    c.set_student_id(lincoln_);
    c.set_accommodation_id(extended_time_);
    c.set_day(day);
    c.set_status(status);
    AppendEntry(*teacher_, c);
    clock_.Advance(1000);
  }
  std::string Session(const std::string& day, v1::SessionOutcome outcome,
                      int minutes, const std::string& makeup_of = "") {
    v1::ServiceSession s;
    s.set_student_id(lincoln_);
    s.set_service_id(speech_);
    s.set_day(day);
    s.set_outcome(outcome);
    s.set_minutes_delivered(minutes);
    s.set_makeup_of_session_id(makeup_of);
    return AppendEntry(*provider_, s);
  }

  void MakeCaseload() {
    // Directory: the teacher's name, Thanksgiving for every school, and a
    // day Lincoln alone is closed.
    v1::User teacher;
    teacher.set_id(kTeacher);
    teacher.set_display_name("Ms. Rivera");
    CreateRecord(*server_, teacher);
    for (const char* day : {"2026-11-26", "2026-11-27"}) {
      v1::SchoolHoliday holiday;
      holiday.set_day(day);
      holiday.set_name("Thanksgiving");
      CreateRecord(*server_, holiday);
    }
    v1::SchoolHoliday lincoln_only;
    lincoln_only.set_school("Lincoln");
    lincoln_only.set_day("2026-11-23");
    CreateRecord(*server_, lincoln_only);

    // Student 1: an IEP under Missouri's rules at Lincoln.
    v1::Student a;
    a.set_given_name("Avery");
    a.set_family_name("Diaz");
    a.set_school("Lincoln");
    lincoln_ = CreateRecord(*cm_, a);
    v1::Plan iep;
    iep.set_student_id(lincoln_);
    iep.set_kind(v1::PLAN_KIND_IEP);
    iep.set_status(v1::PLAN_STATUS_ACTIVE);
    iep.set_version(1);
    iep.set_jurisdiction("US-MO");
    iep.set_start_date("2025-12-01");            // annual review due 2026-12-01
    iep.set_last_evaluation_date("2023-11-01");  // reevaluation 2026-11-01
    iep_ = CreateRecord(*cm_, iep);
    v1::Accommodation accommodation;
    accommodation.set_student_id(lincoln_);
    accommodation.set_plan_id(iep_);
    accommodation.set_kind(v1::ACCOMMODATION_KIND_ACCOMMODATION);
    accommodation.set_category(
        v1::ACCOMMODATION_CATEGORY_TIMING_AND_SCHEDULING);
    accommodation.set_title("Extended time");
    accommodation.set_description("1.5x on tests");
    extended_time_ = CreateRecord(*cm_, accommodation);
    v1::Service speech;
    speech.set_student_id(lincoln_);
    speech.set_plan_id(iep_);
    speech.set_service_category(v1::SERVICE_CATEGORY_RELATED_SERVICE);
    speech.set_service_type("Speech therapy");
    speech.set_minutes_per_period(60);
    speech.set_period(v1::SERVICE_PERIOD_WEEK);
    speech.set_start_date("2026-09-01");
    speech_ = CreateRecord(*cm_, speech);
    v1::Assignment teaches;
    teaches.set_student_id(lincoln_);
    teaches.set_user_id(kTeacher);
    teaches.set_role(v1::TEACHER);
    teaches.set_start_date("2026-11-01");
    CreateRecord(*cm_, teaches);
    v1::Meeting review;
    review.set_student_id(lincoln_);
    review.set_meeting_type(v1::MEETING_TYPE_ANNUAL_REVIEW);
    review.set_scheduled_at("2026-12-01T15:00:00Z");
    review.set_plan_id(iep_);
    const std::string meeting = CreateRecord(*cm_, review);
    v1::MeetingAttendee mom;
    mom.set_student_id(lincoln_);
    mom.set_meeting_id(meeting);
    mom.set_name_or_role("Parent");
    mom.set_participation(v1::PARTICIPATION_IN_PERSON);
    CreateRecord(*cm_, mom);
    v1::MeetingDecision keep, add;
    for (auto* decision : {&keep, &add}) {
      decision->set_student_id(lincoln_);
      decision->set_meeting_id(meeting);
      decision->set_outcome(v1::DECISION_OUTCOME_AGREED);
    }
    keep.set_description("Continue extended time");
    add.set_description("Add 30 speech minutes");
    CreateRecord(*cm_, keep);
    const std::string added = CreateRecord(*cm_, add);
    // A Notice of Action for one of the two decisions, sent 2026-11-20:
    // Missouri's waiting period ends 2026-11-30.
    v1::Notice notice;
    notice.set_student_id(lincoln_);
    notice.set_notice_type(v1::NOTICE_TYPE_PRIOR_WRITTEN_NOTICE);
    notice.set_meeting_decision_id(added);
    notice.set_sent_date("2026-11-20");
    CreateRecord(*cm_, notice);

    // Student 2: a 504 plan at Roosevelt (open on 2026-11-23).
    v1::Student b;
    b.set_given_name("Blake");
    b.set_family_name("Lee");
    b.set_school("Roosevelt");
    roosevelt_ = CreateRecord(*cm_, b);
    v1::Plan plan504;
    plan504.set_student_id(roosevelt_);
    plan504.set_kind(v1::PLAN_KIND_SECTION_504);
    plan504.set_status(v1::PLAN_STATUS_ACTIVE);
    plan504.set_version(1);
    plan504.set_jurisdiction("US-CA");
    plan504.set_start_date("2026-08-20");
    plan504.set_annual_review_due("2027-08-20");
    CreateRecord(*cm_, plan504);

    Deliver(*server_, *cm_);
    Deliver(*cm_, *server_);
    for (DeviceStore* device :
         {teacher_.get(), provider_.get(), parent_.get()}) {
      Deliver(*server_, *device);
      Deliver(*cm_, *device);
    }

    // The teacher, 16-24 November: a later "provided" replaces the 17th's
    // "not provided"; nothing on the 20th; the 23rd is Lincoln's holiday.
    Confirm("2026-11-16", v1::CONFIRMATION_STATUS_PROVIDED);
    Confirm("2026-11-17", v1::CONFIRMATION_STATUS_NOT_PROVIDED);
    Confirm("2026-11-17", v1::CONFIRMATION_STATUS_PROVIDED);
    Confirm("2026-11-18", v1::CONFIRMATION_STATUS_NOT_PROVIDED);
    Confirm("2026-11-19", v1::CONFIRMATION_STATUS_NOT_APPLICABLE);
    Confirm("2026-11-24", v1::CONFIRMATION_STATUS_OFFERED_AND_DECLINED);
    Deliver(*teacher_, *cm_);

    // Speech: 30 minutes, a session the provider missed and made up, and
    // one the student missed.
    Session("2026-11-17", v1::SESSION_OUTCOME_DELIVERED, 30);
    const std::string missed =
        Session("2026-11-19", v1::SESSION_OUTCOME_PROVIDER_ABSENT, 0);
    Session("2026-11-20", v1::SESSION_OUTCOME_MAKE_UP, 30, missed);
    Session("2026-11-24", v1::SESSION_OUTCOME_STUDENT_ABSENT, 0);
    Deliver(*provider_, *cm_);

    // The parent: extended time missing on the 17th (the teacher says
    // provided: a dispute), speech missing on the 19th (resolved).
    v1::LapseReport quiz;
    quiz.set_student_id(lincoln_);
    quiz.set_accommodation_id(extended_time_);
    quiz.set_day("2026-11-17");
    quiz.set_what_happened("No \"extra time\" on the quiz, <again>");
    quiz_lapse_ = AppendEntry(*parent_, quiz);
    v1::LapseReport no_speech;
    no_speech.set_student_id(lincoln_);
    no_speech.set_service_id(speech_);
    no_speech.set_day("2026-11-19");
    no_speech.set_what_happened("No speech today");
    const std::string speech_lapse = AppendEntry(*parent_, no_speech);
    Deliver(*parent_, *cm_);
    v1::LapseResponse resolved;
    resolved.set_student_id(lincoln_);
    resolved.set_lapse_report_id(speech_lapse);
    resolved.set_response(v1::LAPSE_RESPONSE_STATUS_RESOLVED);
    resolved.set_remedy(v1::REMEDY_MAKE_UP);
    AppendEntry(*cm_, resolved);

    // The server: the teacher's pulls in the access log (last 10 November),
    // and a conflict on the accommodation's description.
    v1::AccessLogEntry pulled;
    pulled.set_student_id(lincoln_);
    pulled.set_accessor_user_id(kTeacher);
    pulled.set_accessor_role(v1::TEACHER);
    pulled.set_day("2026-11-10");
    pulled.set_pull_count(3);
    pulled.set_last_pull_at("2026-11-10T12:00:00Z");
    CreateRecord(*server_, pulled);
    auto current = cm_->CurrentStamp(*Schema::Get().Find("Accommodation"),
                                     extended_time_, "description");
    ASSERT_OK(current);
    ASSERT_TRUE(current->has_value());
    v1::Conflict conflict;
    conflict.set_student_id(lincoln_);
    conflict.set_record_type("plansync.v1.Accommodation");
    conflict.set_record_id(extended_time_);
    conflict.set_field_name("description");
    conflict.set_winning_value("1.5x on tests");
    conflict.set_losing_value("2x on tests");
    conflict.set_winner_hlc(static_cast<int64_t>((*current)->hlc));
    conflict.set_loser_hlc(static_cast<int64_t>((*current)->hlc) - 1);
    AppendEntry(*server_, conflict);
    Deliver(*server_, *cm_);
  }

  v1::Report Build(const std::string& from = "2026-11-16") {
    ReportRequest request;
    request.today = "2026-11-24";
    request.from = from;
    auto report = BuildReport(*cm_, request);
    EXPECT_OK(report);
    return report.ok() ? *report : v1::Report();
  }

  TempDir dir_;
  FakeClock clock_{kNoon};
  std::unique_ptr<DeviceStore> cm_, teacher_, provider_, parent_, server_;
  std::string lincoln_, roosevelt_, iep_, extended_time_, speech_, quiz_lapse_;
};

}  // namespace plansync::testing

#endif  // PLANSYNC_TESTS_REPORT_SCENARIO_H_
