// The school-year scenario through the real binaries and a real server, from
// September 1 to October 31, 2026, with two school holidays (Labor Day,
// Monday September 7, for every school; Indigenous Peoples' Day, Monday
// October 12, for Lincoln):
//
// - Maya Diaz's IEP from Tuesday September 1: speech 60 minutes a week,
//   preferential seating and frequent breaks. A Notice of Action is sent on
//   October 2; the IEP is amended on Thursday October 15 with the effective
//   day back-dated to Wednesday October 14: speech 90 minutes a week, graphic
//   organizers added, frequent breaks removed. A manifestation determination
//   is triggered on October 9 and held on October 26.
// - Leo Brandt's IEP from September 1 ends on Friday October 16 after a
//   Notice of Action (October 6); his Section 504 plan follows it from Monday
//   October 19, carrying his two accommodations forward.
// - The teacher confirms every accommodation of the class on every school day
//   (one day forgotten for good, one "not provided", one "declined"); the
//   days October 8 to 15 are caught up on October 16, after the amendment, so
//   those before its effective day are recorded against version 1. The
//   speech therapist logs Maya's sessions (one missed by her and made up, one
//   missed by Maya, two caught up after the amendment, one typed 300 for 30
//   and corrected).
//
// The report is then checked figure by figure against values worked out by
// hand below, from the rules the report states: a weekly mandate owes a fifth
// of its minutes per school day from the version in effect that day
// (core/reports/service_fidelity.h); the matrix counts the latest status per
// accommodation, teacher and school day, '-' where no plan in effect carries
// the accommodation (core/reports/accommodation_matrix.cc); the compliance
// clocks are those of data/compliance_rules.textproto for the plan in effect
// today (core/reports/compliance.cc). No expected figure is computed by
// plansync code.
#include <stdlib.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "plansync/v1/report.pb.h"
#include "tests/cli_roles_fixture.h"

namespace plansync::testing {
namespace {

// The school days from September 1 to October 31, 2026, by hand: weekdays
// without Labor Day (Sep 7) and Indigenous Peoples' Day (Oct 12). 21 in
// September and 21 in October, 42 in all; grouped by week.
constexpr const char* kSchoolDays[] = {
    "2026-09-01", "2026-09-02", "2026-09-03", "2026-09-04",  // Tue-Fri
    "2026-09-08", "2026-09-09", "2026-09-10", "2026-09-11",  // Tue-Fri
    "2026-09-14", "2026-09-15", "2026-09-16", "2026-09-17", "2026-09-18",
    "2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24", "2026-09-25",
    "2026-09-28", "2026-09-29", "2026-09-30", "2026-10-01", "2026-10-02",
    "2026-10-05", "2026-10-06", "2026-10-07", "2026-10-08", "2026-10-09",
    "2026-10-13", "2026-10-14", "2026-10-15", "2026-10-16",  // Tue-Fri
    "2026-10-19", "2026-10-20", "2026-10-21", "2026-10-22", "2026-10-23",
    "2026-10-26", "2026-10-27", "2026-10-28", "2026-10-29", "2026-10-30",
};

constexpr char kClass[] = "Period 2 Math";

// A week or month of the speech service, as the report should give it.
struct Minutes {
  const char* start;
  const char* end;
  int mandated, delivered, shortfall;
};

// A row of the accommodation matrix, as the report should give it.
struct MatrixRow {
  bool maya;  // else Leo
  const char* title;
  const char* days;
  int provided, declined, not_applicable, not_provided, nothing_logged;
  double rate;
};

// A week of the matrix's implementation rate.
struct RateWeek {
  const char* week_start;
  int provided, declined, not_provided, nothing_logged;
  double rate;
};

class SchoolYearCliTest : public CliRolesTest {
 protected:
  static void SetToday(const std::string& day) {
    setenv("PLANSYNC_TODAY", day.c_str(), 1);  // TearDown unsets it
  }

  // The teacher's class-wide confirmation of every accommodation due on
  // `day` (today if empty): two for each student, whichever plan is in
  // effect.
  void ConfirmClass(const std::string& day = "") {
    std::vector<std::string> args = {"confirm", "--class",  kClass,
                                     "--all",   "--status", "provided"};
    if (!day.empty()) {
      args.push_back("--day");
      args.push_back(day);
    }
    const std::string out = Ok("teacher", args);
    EXPECT_NE(out.find("Recorded 4 confirmations"), std::string::npos)
        << day << "\n"
        << out;
  }

  // A speech session of Maya's logged by the speech therapist; its id.
  std::string Speech(std::vector<std::string> args) {
    args.insert(args.begin(), {"session", "--service", "Speech"});
    return IdIn(Ok("slp", args));
  }

  template <typename T>
  std::vector<T> OfPlan(const std::string& device, const std::string& plan) {
    std::vector<T> out;
    for (T& record : Records<T>(device)) {
      if (record.plan_id() == plan && !record.deleted()) {
        out.push_back(std::move(record));
      }
    }
    return out;
  }

  static v1::Report ParseReport(const std::string& json) {
    v1::Report report;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &report).ok())
        << json;
    return report;
  }

  static const v1::Deadline* DeadlineOf(const v1::ComplianceCalendar& calendar,
                                        const std::string& student,
                                        const std::string& rule) {
    for (const v1::Deadline& deadline : calendar.deadlines()) {
      if (deadline.student_id() == student && deadline.rule_id() == rule) {
        return &deadline;
      }
    }
    return nullptr;
  }

  // Runs the two months of the scenario (above), ending on Saturday
  // October 31 with every device synced.
  void RunTheYear();

  // The report of the case manager's device on October 31, over the window.
  std::string Report(const std::vector<std::string>& format) {
    std::vector<std::string> args = {"report", "--from", "2026-09-01", "--to",
                                     "2026-10-31"};
    args.insert(args.end(), format.begin(), format.end());
    return Ok("cm", args);
  }

  std::string maya_, leo_;                     // the students
  std::string maya_v1_, maya_v2_, speech_v2_;  // Maya's IEP versions
  std::string organizers_;                     // added by version 2
  std::string leo_iep_, leo_504_;              // Leo's plans
  std::string maya_notice_, leo_notice_, meeting_;
};

void SchoolYearCliTest::RunTheYear() {
  // ---- September 1: the caseload, the calendar and both IEPs -------------
  SetToday("2026-09-01");
  server_ = std::make_unique<ServerProcess>(Db("server"), Log());
  maya_ = Student();  // Maya Diaz, Lincoln, grade 5
  leo_ = Admin({"add-student", "--given", "Leo", "--family", "Brandt",
                "--school", "Lincoln", "--grade", "5"});
  Admin({"add-holiday", "--day", "2026-09-07", "--name", "Labor Day"});
  Admin({"add-holiday", "--day", "2026-10-12", "--school", "Lincoln", "--name",
         "Indigenous Peoples' Day"});
  cm_ = AddUser("Ms. Okafor", {"case-manager"});
  Admin({"assign", "--user", cm_, "--student", leo_, "--role", "case-manager"});
  teacher_ = Admin({"add-user", "--name", "Mr. Lee"});
  for (const std::string& student : {maya_, leo_}) {
    Admin({"assign", "--user", teacher_, "--student", student, "--role",
           "teacher", "--class", kClass});
  }
  slp_ = AddUser("Ms. Park", {"provider"});  // Maya's speech therapist
  Init("cm", cm_, *server_);
  Init("teacher", teacher_, *server_);
  Init("slp", slp_, *server_);
  Ok("cm", {"sync"});

  // Maya's IEP: no annual review day stated (so it is due a year from the
  // start), last evaluated 2023-12-10.
  maya_v1_ = IdIn(Ok("cm", {"plan", "create", "--student", "Maya", "--kind",
                            "iep", "--jurisdiction", "US-MO", "--start",
                            "2026-09-01", "--last-evaluation", "2023-12-10"}));
  const std::string seating =
      IdIn(Ok("cm", {"accommodation", "add", "--student", "Maya", "--title",
                     "Preferential seating", "--category", "setting",
                     "--applies-to", "all-classes"}));
  const std::string breaks =
      IdIn(Ok("cm", {"accommodation", "add", "--student", "Maya", "--title",
                     "Frequent breaks", "--category", "timing", "--applies-to",
                     "all-classes"}));
  const std::string speech = IdIn(Ok(
      "cm", {"service", "add", "--student", "Maya", "--type",
             "Speech-language therapy", "--category", "related-service",
             "--minutes", "60", "--per", "week", "--delivery", "individual"}));
  // Leo's IEP: its reevaluation would be overdue by October 31 (due
  // 2026-10-20), but it is not the plan in effect then.
  leo_iep_ = IdIn(Ok("cm", {"plan", "create", "--student", "Leo", "--kind",
                            "iep", "--jurisdiction", "US-MO", "--start",
                            "2026-09-01", "--last-evaluation", "2023-10-20"}));
  IdIn(Ok("cm", {"accommodation", "add", "--student", "Leo", "--title",
                 "Preferential seating", "--category", "setting",
                 "--applies-to", "all-classes"}));
  IdIn(Ok("cm", {"accommodation", "add", "--student", "Leo", "--title",
                 "Daily check-in with the counselor", "--category",
                 "behavioral", "--applies-to", "all-classes"}));
  SyncAll({"cm", "teacher", "slp"});

  // ---- Every school day of September and October -------------------------
  // Speech sessions delivered, logged on their day: Tuesdays and Thursdays
  // under version 1 (60 a week), Mondays, Wednesdays and Fridays under
  // version 2 (90 a week). Oct 21 is typed 300 for 30 (corrected Oct 22).
  // Sep 24 (provider absent), Sep 28 (its make-up), Oct 13 and 14 (caught up
  // on Oct 16) and Oct 30 (Maya absent) are logged apart below.
  const std::map<std::string, std::string> delivered = {
      {"2026-09-01", "30"}, {"2026-09-03", "30"},  {"2026-09-08", "30"},
      {"2026-09-10", "30"}, {"2026-09-15", "30"},  {"2026-09-17", "30"},
      {"2026-09-22", "30"}, {"2026-09-29", "30"},  {"2026-10-01", "30"},
      {"2026-10-06", "30"}, {"2026-10-08", "30"},  {"2026-10-16", "30"},
      {"2026-10-19", "30"}, {"2026-10-21", "300"}, {"2026-10-23", "30"},
      {"2026-10-26", "30"}, {"2026-10-28", "30"},
  };
  // Days the teacher confirms only on October 16, after the amendment.
  const std::set<std::string> caught_up = {
      "2026-10-08", "2026-10-09", "2026-10-13", "2026-10-14", "2026-10-15"};
  // The day the teacher never confirms.
  const std::string forgotten = "2026-09-30";

  std::string missed, typo;
  for (const char* school_day : kSchoolDays) {
    const std::string day = school_day;
    SetToday(day);

    // The case manager's work of the day.
    if (day == "2026-10-02") {
      maya_notice_ = IdIn(
          Ok("cm", {"notice", "send", "--type", "notice-of-action", "--plan",
                    maya_v1_, "--action", "proposed", "--description",
                    "Speech 90 minutes a week; graphic organizers instead of "
                    "frequent breaks",
                    "--reason", "Progress data of September"}));
    }
    if (day == "2026-10-06") {
      // Ten days before the IEP's change: it ends after Friday October 16.
      leo_notice_ = IdIn(Ok(
          "cm", {"notice", "send", "--type", "notice-of-action", "--plan",
                 leo_iep_, "--action", "proposed", "--description",
                 "End the IEP after 2026-10-16; a Section 504 plan from "
                 "2026-10-19",
                 "--reason",
                 "The reevaluation found him no longer eligible under IDEA"}));
    }
    if (day == "2026-10-09") {
      meeting_ =
          IdIn(Ok("cm", {"meeting", "schedule", "--student", "Maya", "--type",
                         "manifestation", "--at", "2026-10-20T15:00:00Z",
                         "--trigger-date", "2026-10-09"}));
    }
    if (day == "2026-10-15") {
      // Thursday: the amendment, effective from Wednesday.
      const std::string out =
          Ok("cm", {"plan", "amend", maya_v1_, "--effective", "2026-10-14"});
      maya_v2_ = IdIn(out);
      EXPECT_NE(out.find("version 2 is plan " + maya_v2_ +
                         ", in effect from 2026-10-14; version 1 (plan " +
                         maya_v1_ + ") is in effect to 2026-10-13."),
                std::string::npos)
          << out;
      EXPECT_NE(out.find("carried forward to version 2: 2 accommodations, 1 "
                         "service, 0 goals"),
                std::string::npos)
          << out;
      // The Notice of Action of October 2 names the plan, and the change
      // starts after its 10 days (Oct 12): no warning.
      EXPECT_EQ(out.find("warning"), std::string::npos) << out;
      std::string breaks_v2;
      for (const auto& a : OfPlan<v1::Accommodation>("cm", maya_v2_)) {
        if (a.continues_id() == breaks) breaks_v2 = a.id();
      }
      const auto services = OfPlan<v1::Service>("cm", maya_v2_);
      ASSERT_EQ(services.size(), 1u);
      EXPECT_EQ(services[0].continues_id(), speech);
      speech_v2_ = services[0].id();
      ASSERT_FALSE(breaks_v2.empty());
      Ok("cm", {"set", "Service", speech_v2_, "minutes_per_period=90"});
      Ok("cm", {"archive", "Accommodation", breaks_v2});
      organizers_ =
          IdIn(Ok("cm", {"accommodation", "add", "--plan", maya_v2_, "--title",
                         "Graphic organizers", "--category", "presentation",
                         "--applies-to", "all-classes"}));
      Ok("cm", {"sync"});
    }
    if (day == "2026-10-16") {
      // Friday: Leo's IEP ends today; his 504 plan follows from Monday.
      const std::string ended =
          Ok("cm", {"plan", "end", leo_iep_, "--day", "2026-10-16", "--reason",
                    "No longer eligible under IDEA; a Section 504 plan "
                    "follows"});
      EXPECT_NE(ended.find("its last day in effect is 2026-10-16"),
                std::string::npos)
          << ended;
      // Its Notice of Action (Oct 6) was sent 10 days before the change
      // (from Oct 17): no warning.
      EXPECT_EQ(ended.find("warning"), std::string::npos) << ended;
      const std::string created =
          Ok("cm", {"plan", "create", "--student", "Leo", "--kind", "504",
                    "--jurisdiction", "US-MO", "--start", "2026-10-19",
                    "--follows", leo_iep_});
      leo_504_ = IdIn(created);
      EXPECT_NE(created.find("carried forward: 2 accommodations, 0 services, "
                             "0 goals"),
                std::string::npos)
          << created;
      SyncAll({"cm", "teacher", "slp"});

      // Catch-up entries for past days, made after the amendment.
      ExpectRefused("teacher",
                    {"confirm", "--class", kClass, "--all", "--status",
                     "provided", "--day", "2026-10-12"},
                    "no accommodations apply on 2026-10-12");
      for (const std::string& past : caught_up) ConfirmClass(past);
      const std::string before_amendment = Speech(
          {"--minutes", "30", "--outcome", "delivered", "--day", "2026-10-13"});
      const std::string after_amendment = Speech(
          {"--minutes", "30", "--outcome", "delivered", "--day", "2026-10-14"});
      // Each is recorded against the version in effect on its day: Maya's
      // Tuesday against version 1's seating and breaks, her Wednesday against
      // version 2's seating and organizers.
      std::string seating_v2;
      for (const auto& a : OfPlan<v1::Accommodation>("teacher", maya_v2_)) {
        if (a.continues_id() == seating) seating_v2 = a.id();
      }
      std::set<std::string> tuesday, wednesday;
      for (const auto& c : Records<v1::ImplementationConfirmation>("teacher")) {
        if (c.student_id() != maya_) continue;
        if (c.day() == "2026-10-13") tuesday.insert(c.accommodation_id());
        if (c.day() == "2026-10-14") wednesday.insert(c.accommodation_id());
      }
      EXPECT_EQ(tuesday, (std::set<std::string>{seating, breaks}));
      EXPECT_EQ(wednesday, (std::set<std::string>{seating_v2, organizers_}));
      std::map<std::string, std::string> service_of;
      for (const auto& session : Records<v1::ServiceSession>("slp")) {
        service_of[session.id()] = session.service_id();
      }
      EXPECT_EQ(service_of[before_amendment], speech);
      EXPECT_EQ(service_of[after_amendment], speech_v2_);
    }
    if (day == "2026-10-23") {
      // Friday: three days before its due day (2026-10-26, below), the
      // manifestation determination is due soon: within its 3 warning days.
      v1::ComplianceCalendar due;
      const std::string json = Ok("cm", {"report", "compliance", "--json"});
      ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &due).ok())
          << json;
      const v1::Deadline* md =
          DeadlineOf(due, maya_, "manifestation_determination");
      ASSERT_NE(md, nullptr) << json;
      EXPECT_EQ(md->due_day(), "2026-10-26");
      EXPECT_EQ(md->days_left(), 3);  // Oct 23 -> Oct 26
      EXPECT_EQ(md->state(), v1::Deadline::DUE_SOON);
      // Due soon: it and Maya's reevaluation (2026-12-10: Oct 23 -> Oct 31 =
      // 8, + 30 in November, + 10 = 48 days left, within its 60).
      EXPECT_EQ(due.due_soon(), 2);
      EXPECT_EQ(due.overdue(), 0);
    }
    if (day == "2026-10-26") {
      Ok("cm", {"meeting", "held", meeting_, "--at", "2026-10-26T15:00:00Z"});
    }

    // The teacher's confirmations of the day.
    if (day != forgotten && caught_up.count(day) == 0) ConfirmClass();
    if (day == "2026-09-22") {
      // A substitute did not seat Maya: the later status of the day wins.
      Ok("teacher", {"confirm", "--student", "Maya", "--accommodation",
                     "Preferential seating", "--status", "not-provided"});
    }
    if (day == "2026-10-22") {
      Ok("teacher", {"confirm", "--student", "Leo", "--accommodation",
                     "check-in", "--status", "declined"});
    }

    // The speech therapist's sessions of the day.
    if (auto found = delivered.find(day); found != delivered.end()) {
      const std::string id = Speech(
          {"--minutes", found->second, "--outcome", "delivered", "--day", day});
      if (day == "2026-10-21") typo = id;
    }
    if (day == "2026-09-24") {
      missed = Speech({"--outcome", "provider-absent"});
    }
    if (day == "2026-09-28") {
      Speech(
          {"--minutes", "30", "--outcome", "make-up", "--makeup-of", missed});
    }
    if (day == "2026-10-22") {
      const std::string out = Ok("slp", {"correct", typo, "--minutes", "30",
                                         "--why", "typed 300 for 30"});
      EXPECT_NE(out.find("minutes_delivered: 300 -> 30"), std::string::npos)
          << out;
    }
    if (day == "2026-10-30") {
      Speech({"--outcome", "student-absent"});
    }
  }

  // ---- Saturday October 31: everyone syncs; the case manager's report ----
  SetToday("2026-10-31");
  SyncAll({"teacher", "slp", "cm"});
  const std::string versions =
      Ok("cm", {"plan", "versions", "--student", "Maya"});
  EXPECT_NE(versions.find("in effect 2026-09-01 to 2026-10-13"),
            std::string::npos)
      << versions;
  EXPECT_NE(versions.find("in effect 2026-10-14 to (open)"), std::string::npos)
      << versions;
  const std::string leo_versions =
      Ok("cm", {"plan", "versions", "--student", "Leo"});
  EXPECT_NE(leo_versions.find("in effect 2026-09-01 to 2026-10-16"),
            std::string::npos)
      << leo_versions;
  EXPECT_NE(leo_versions.find("in effect 2026-10-19 to (open)"),
            std::string::npos)
      << leo_versions;
}

TEST_F(SchoolYearCliTest, TheReportMatchesTheYearFigureByFigure) {
  ASSERT_NO_FATAL_FAILURE(RunTheYear());
  const v1::Report report = ParseReport(Report({"--json"}));
  EXPECT_EQ(report.as_of(), "2026-10-31");
  EXPECT_EQ(report.from_day(), "2026-09-01");
  EXPECT_EQ(report.to_day(), "2026-10-31");
  // 21 school days in September + 21 in October.
  EXPECT_EQ(report.school_days(), 42);

  // -- Students and the plans in effect over the window --
  ASSERT_EQ(report.students_size(), 2);
  for (const v1::ReportStudent& student : report.students()) {
    SCOPED_TRACE(student.name());
    if (student.student_id() == maya_) {
      EXPECT_EQ(student.name(), "Maya Diaz");
      EXPECT_EQ(student.plan_kind(), v1::PLAN_KIND_IEP);
      EXPECT_EQ(student.plan_id(), maya_v2_);
      ASSERT_EQ(student.plans_size(), 2);
      EXPECT_EQ(student.plans(0).plan_id(), maya_v1_);
      EXPECT_EQ(student.plans(0).version(), 1);
      EXPECT_EQ(student.plans(0).first_day(), "2026-09-01");
      EXPECT_EQ(student.plans(0).last_day(), "2026-10-13");
      EXPECT_EQ(student.plans(1).plan_id(), maya_v2_);
      EXPECT_EQ(student.plans(1).version(), 2);
      EXPECT_EQ(student.plans(1).first_day(), "2026-10-14");
      EXPECT_EQ(student.plans(1).last_day(), "2026-10-31");
    } else {
      EXPECT_EQ(student.student_id(), leo_);
      EXPECT_EQ(student.name(), "Leo Brandt");
      EXPECT_EQ(student.plan_kind(), v1::PLAN_KIND_SECTION_504);
      EXPECT_EQ(student.plan_id(), leo_504_);
      ASSERT_EQ(student.plans_size(), 2);
      EXPECT_EQ(student.plans(0).plan_id(), leo_iep_);
      EXPECT_EQ(student.plans(0).kind(), v1::PLAN_KIND_IEP);
      EXPECT_EQ(student.plans(0).first_day(), "2026-09-01");
      EXPECT_EQ(student.plans(0).last_day(), "2026-10-16");
      EXPECT_EQ(student.plans(1).plan_id(), leo_504_);
      EXPECT_EQ(student.plans(1).kind(), v1::PLAN_KIND_SECTION_504);
      EXPECT_EQ(student.plans(1).version(), 1);
      EXPECT_EQ(student.plans(1).first_day(), "2026-10-19");
      EXPECT_EQ(student.plans(1).last_day(), "2026-10-31");
    }
  }

  // -- Service fidelity: Maya's speech, 60 a week to Oct 13, then 90 --
  // A weekly mandate owes a fifth per school day: 60 / 5 = 12 a day under
  // version 1, 90 / 5 = 18 a day under version 2.
  const v1::ServiceFidelity& fidelity = report.service_fidelity();
  ASSERT_EQ(fidelity.services_size(), 1);
  const v1::ServiceFidelityRow& row = fidelity.services(0);
  EXPECT_EQ(row.student_id(), maya_);
  EXPECT_EQ(row.service_id(), speech_v2_);  // named by the latest version
  EXPECT_EQ(row.service_type(), "Speech-language therapy");
  EXPECT_EQ(row.minutes_per_period(), 90);
  EXPECT_EQ(row.period(), v1::SERVICE_PERIOD_WEEK);
  const Minutes kWeeks[] = {
      // Tue Sep 1 - Fri Sep 4 (the window starts on a Tuesday): 4 days x 12
      // = 48. Delivered Tue 1 + Thu 3 = 30 + 30 = 60.
      {"2026-09-01", "2026-09-06", 48, 60, 0},
      // Labor Day: Tue 8 - Fri 11, 4 x 12 = 48. Tue 8 + Thu 10 = 60.
      {"2026-09-07", "2026-09-13", 48, 60, 0},
      // 5 x 12 = 60. Tue 15 + Thu 17 = 60.
      {"2026-09-14", "2026-09-20", 60, 60, 0},
      // 5 x 12 = 60. Tue 22 = 30; Thu 24 provider absent = 0. 60 - 30 = 30
      // short.
      {"2026-09-21", "2026-09-27", 60, 30, 30},
      // 5 x 12 = 60. Mon 28 make-up 30 + Tue 29 30 + Thu Oct 1 30 = 90.
      {"2026-09-28", "2026-10-04", 60, 90, 0},
      // 5 x 12 = 60. Tue 6 + Thu 8 = 60.
      {"2026-10-05", "2026-10-11", 60, 60, 0},
      // Mon 12 holiday; Tue 13 under v1 (1 x 12 = 12) + Wed-Fri under v2
      // (3 x 18 = 54) = 66. Tue 13 + Wed 14 (both caught up) + Fri 16 = 90.
      {"2026-10-12", "2026-10-18", 66, 90, 0},
      // 5 x 18 = 90. Mon 19 + Wed 21 (300 corrected to 30) + Fri 23 = 90.
      {"2026-10-19", "2026-10-25", 90, 90, 0},
      // 5 x 18 = 90; the window ends Saturday Oct 31. Mon 26 + Wed 28 = 60;
      // Fri 30 Maya absent = 0. 90 - 60 = 30 short.
      {"2026-10-26", "2026-10-31", 90, 60, 30},
  };
  ASSERT_EQ(row.weeks_size(), 9);
  for (int i = 0; i < 9; ++i) {
    SCOPED_TRACE(kWeeks[i].start);
    EXPECT_EQ(row.weeks(i).period_start(), kWeeks[i].start);
    EXPECT_EQ(row.weeks(i).period_end(), kWeeks[i].end);
    EXPECT_EQ(row.weeks(i).mandated_minutes(), kWeeks[i].mandated);
    EXPECT_EQ(row.weeks(i).delivered_minutes(), kWeeks[i].delivered);
    EXPECT_EQ(row.weeks(i).shortfall_minutes(), kWeeks[i].shortfall);
  }
  const Minutes kMonths[] = {
      // 21 school days x 12 = 252. Sessions of 30 on Sep 1, 3, 8, 10, 15,
      // 17, 22, 28 (make-up), 29 = 9 x 30 = 270.
      {"2026-09-01", "2026-09-30", 252, 270, 0},
      // Oct 1-13 under v1: 8 days (1, 2, 5-9, 13) x 12 = 96; Oct 14-30 under
      // v2: 13 days (14-16, 19-23, 26-30) x 18 = 234; 96 + 234 = 330.
      // Sessions of 30 on Oct 1, 6, 8, 13, 14, 16, 19, 21, 23, 26, 28 = 11 x
      // 30 = 330.
      {"2026-10-01", "2026-10-31", 330, 330, 0},
  };
  ASSERT_EQ(row.months_size(), 2);
  for (int i = 0; i < 2; ++i) {
    SCOPED_TRACE(kMonths[i].start);
    EXPECT_EQ(row.months(i).period_start(), kMonths[i].start);
    EXPECT_EQ(row.months(i).period_end(), kMonths[i].end);
    EXPECT_EQ(row.months(i).mandated_minutes(), kMonths[i].mandated);
    EXPECT_EQ(row.months(i).delivered_minutes(), kMonths[i].delivered);
    EXPECT_EQ(row.months(i).shortfall_minutes(), kMonths[i].shortfall);
  }
  // 29 days x 12 + 13 days x 18 = 348 + 234 = 582 mandated; 270 + 330 = 600
  // delivered; no shortfall over the window.
  EXPECT_EQ(row.mandated_minutes(), 582);
  EXPECT_EQ(row.delivered_minutes(), 600);
  EXPECT_EQ(row.shortfall_minutes(), 0);
  EXPECT_EQ(fidelity.mandated_minutes(), 582);
  EXPECT_EQ(fidelity.delivered_minutes(), 600);
  // Missed, by outcome: Maya absent Oct 30 (not made up, not owed); the
  // therapist absent Sep 24, made up Sep 28.
  ASSERT_EQ(row.missed_by_reason_size(), 2);
  EXPECT_EQ(row.missed_by_reason(0).outcome(),
            v1::SESSION_OUTCOME_STUDENT_ABSENT);
  EXPECT_EQ(row.missed_by_reason(0).sessions(), 1);
  EXPECT_EQ(row.missed_by_reason(0).made_up(), 0);
  EXPECT_EQ(row.missed_by_reason(1).outcome(),
            v1::SESSION_OUTCOME_PROVIDER_ABSENT);
  EXPECT_EQ(row.missed_by_reason(1).sessions(), 1);
  EXPECT_EQ(row.missed_by_reason(1).made_up(), 1);
  EXPECT_EQ(row.makeups_owed(), 0);
  EXPECT_EQ(row.makeups_done(), 1);

  // -- The accommodation matrix --
  const v1::AccommodationMatrix& matrix = report.accommodation_matrix();
  ASSERT_EQ(matrix.school_days_size(), 42);
  for (int i = 0; i < 42; ++i) {
    EXPECT_EQ(matrix.school_days(i), kSchoolDays[i]) << i;
  }
  // Days by week, as kSchoolDays: Sep 1-4 | 8-11 | 14-18 | 21-25 |
  // Sep 28-Oct 2 | Oct 5-9 | 13-16 | 19-23 | 26-30. Sep 30 is never
  // confirmed ('.'); every other day is confirmed "provided" class-wide.
  const MatrixRow kRows[] = {
      // Both versions: every school day. Sep 22 not provided (the later
      // confirmation of the day). 42 - 1 - 1 = 40 provided; 40 / (40 + 1).
      {true, "Preferential seating",
       "PPPP"
       "PPPP"
       "PPPPP"
       "PNPPP"
       "PP.PP"
       "PPPPP"
       "PPPP"
       "PPPPP"
       "PPPPP",
       40, 0, 0, 1, 1, 40.0 / 41},
      // Version 1 only: Sep 1 - Oct 13 = 21 + 8 = 29 days (Oct 8, 9 and 13
      // caught up against version 1), not due from Oct 14. 29 - 1 = 28.
      {true, "Frequent breaks",
       "PPPP"
       "PPPP"
       "PPPPP"
       "PPPPP"
       "PP.PP"
       "PPPPP"
       "P---"
       "-----"
       "-----",
       28, 0, 0, 0, 1, 1.0},
      // Version 2 only: Oct 14-16 + 19-23 + 26-30 = 3 + 5 + 5 = 13.
      {true, "Graphic organizers",
       "----"
       "----"
       "-----"
       "-----"
       "-----"
       "-----"
       "-PPP"
       "PPPPP"
       "PPPPP",
       13, 0, 0, 0, 0, 1.0},
      // IEP to Oct 16, 504 from Oct 19 (carried forward): every school day.
      // 42 - 1 = 41.
      {false, "Preferential seating",
       "PPPP"
       "PPPP"
       "PPPPP"
       "PPPPP"
       "PP.PP"
       "PPPPP"
       "PPPP"
       "PPPPP"
       "PPPPP",
       41, 0, 0, 0, 1, 1.0},
      // The same, declined on Thu Oct 22: 42 - 1 - 1 = 40 provided, 1
      // declined; (40 + 1) / (40 + 1) = 1.
      {false, "Daily check-in with the counselor",
       "PPPP"
       "PPPP"
       "PPPPP"
       "PPPPP"
       "PP.PP"
       "PPPPP"
       "PPPP"
       "PPPDP"
       "PPPPP",
       40, 1, 0, 0, 1, 1.0},
  };
  EXPECT_EQ(matrix.rows_size(), 5);
  for (const MatrixRow& want : kRows) {
    SCOPED_TRACE(std::string(want.maya ? "Maya: " : "Leo: ") + want.title);
    const std::string& student = want.maya ? maya_ : leo_;
    const v1::AccommodationRow* got = nullptr;
    for (const v1::AccommodationRow& r : matrix.rows()) {
      if (r.student_id() == student && r.title() == want.title) got = &r;
    }
    ASSERT_NE(got, nullptr);
    if (std::string(want.title) == "Graphic organizers") {
      EXPECT_EQ(got->accommodation_id(), organizers_);
    }
    EXPECT_EQ(got->teacher_user_id(), teacher_);
    EXPECT_EQ(got->teacher_name(), "Mr. Lee");
    EXPECT_EQ(got->days(), want.days);
    EXPECT_EQ(got->provided(), want.provided);
    EXPECT_EQ(got->declined(), want.declined);
    EXPECT_EQ(got->not_applicable(), want.not_applicable);
    EXPECT_EQ(got->not_provided(), want.not_provided);
    EXPECT_EQ(got->nothing_logged(), want.nothing_logged);
    EXPECT_NEAR(got->implementation_rate(), want.rate, 1e-9);
  }
  // Week by week over the five rows (Maya's seating, breaks, organizers;
  // Leo's seating, check-in).
  const RateWeek kRateWeeks[] = {
      // 4 days x 4 rows (no organizers yet).
      {"2026-08-31", 16, 0, 0, 0, 1.0},
      {"2026-09-07", 16, 0, 0, 0, 1.0},
      // 5 x 4.
      {"2026-09-14", 20, 0, 0, 0, 1.0},
      // 5 x 4 - Maya's seating on Sep 22 = 19 provided, 1 not: 19 / 20.
      {"2026-09-21", 19, 0, 1, 0, 19.0 / 20},
      // 4 x 4 provided; Sep 30 nothing logged for 4 rows.
      {"2026-09-28", 16, 0, 0, 4, 1.0},
      {"2026-10-05", 20, 0, 0, 0, 1.0},
      // Seating 4 + breaks 1 (Oct 13) + organizers 3 + Leo 4 + 4 = 16.
      {"2026-10-12", 16, 0, 0, 0, 1.0},
      // 5 x 4 (seating, organizers, Leo's two) - Leo's declined = 19, 1.
      {"2026-10-19", 19, 1, 0, 0, 1.0},
      {"2026-10-26", 20, 0, 0, 0, 1.0},
  };
  ASSERT_EQ(matrix.rate_by_week_size(), 9);
  for (int i = 0; i < 9; ++i) {
    SCOPED_TRACE(kRateWeeks[i].week_start);
    const v1::RatePoint& point = matrix.rate_by_week(i);
    EXPECT_EQ(point.week_start(), kRateWeeks[i].week_start);
    EXPECT_EQ(point.provided(), kRateWeeks[i].provided);
    EXPECT_EQ(point.declined(), kRateWeeks[i].declined);
    EXPECT_EQ(point.not_provided(), kRateWeeks[i].not_provided);
    EXPECT_EQ(point.nothing_logged(), kRateWeeks[i].nothing_logged);
    EXPECT_NEAR(point.implementation_rate(), kRateWeeks[i].rate, 1e-9);
  }
  // 40 + 28 + 13 + 41 + 40 = 162 provided, 1 declined, 1 not provided:
  // (162 + 1) / 164. Nothing logged: Sep 30 for the 4 rows then due.
  EXPECT_NEAR(matrix.implementation_rate(), 163.0 / 164, 1e-9);
  EXPECT_EQ(matrix.nothing_logged(), 4);

  // -- The compliance calendar, as of Saturday October 31 --
  const v1::ComplianceCalendar& calendar = report.compliance();
  struct Want {
    bool maya;
    const char* rule;
    const char* jurisdiction;
    const char* anchor;
    const char* due;
    int days_left;
    v1::Deadline::State state;
    const char* met;
  };
  const Want kDeadlines[] = {
      // Maya's Notice of Action sent Oct 2: earliest start Oct 2 + 10
      // calendar days = Oct 12 (Missouri); Oct 12 - Oct 31 = -19. A date.
      {true, "notice_of_action_waiting_period", "US-MO", "2026-10-02",
       "2026-10-12", -19, v1::Deadline::DATE, ""},
      // Leo's Notice of Action sent Tue Oct 6: + 10 = Oct 16, the IEP's last
      // day (the change takes effect from Oct 17); Oct 16 - Oct 31 = -15.
      {false, "notice_of_action_waiting_period", "US-MO", "2026-10-06",
       "2026-10-16", -15, v1::Deadline::DATE, ""},
      // Triggered Fri Oct 9: 10 school days, Mon Oct 12 a holiday: Oct 13,
      // 14, 15, 16, 19, 20, 21, 22, 23, 26 -> due Oct 26; held Oct 26, on
      // the due day: met. Oct 26 - Oct 31 = -5.
      {true, "manifestation_determination", "US", "2026-10-09", "2026-10-26",
       -5, v1::Deadline::MET, "2026-10-26"},
      // Last evaluated 2023-12-10 + 3 years = 2026-12-10; Oct 31 -> Nov 30
      // = 30, + 10 = 40 days left, within the 60 warning days.
      {true, "reevaluation", "US", "2023-12-10", "2026-12-10", 40,
       v1::Deadline::DUE_SOON, ""},
      // From the first version's start (Sep 1), not the amendment's: Sep 1
      // 2027. Days left: Nov 30, Dec 31, Jan 31, Feb 28, Mar 31, Apr 30,
      // May 31, Jun 30, Jul 31, Aug 31 = 304, + 1 = 305.
      {true, "annual_review", "US", "2026-09-01", "2027-09-01", 305,
       v1::Deadline::UPCOMING, ""},
      // The 504 plan is a new plan: its yearly review runs from its own
      // start, Oct 19, to 2027-10-19; 365 - 12 = 353 days left.
      {false, "section_504_review", "US", "2026-10-19", "2027-10-19", 353,
       v1::Deadline::UPCOMING, ""},
  };
  // By due day. Leo's IEP rules (his reevaluation) do not apply: his plan
  // in effect is the 504 plan.
  ASSERT_EQ(calendar.deadlines_size(), 6);
  for (int i = 0; i < 6; ++i) {
    const Want& want = kDeadlines[i];
    const v1::Deadline& got = calendar.deadlines(i);
    SCOPED_TRACE(std::string(want.maya ? "Maya: " : "Leo: ") + want.rule);
    EXPECT_EQ(got.student_id(), want.maya ? maya_ : leo_);
    EXPECT_EQ(got.rule_id(), want.rule);
    EXPECT_EQ(got.jurisdiction(), want.jurisdiction);
    EXPECT_EQ(got.anchor_day(), want.anchor);
    EXPECT_EQ(got.due_day(), want.due);
    EXPECT_EQ(got.days_left(), want.days_left);
    EXPECT_EQ(got.state(), want.state);
    EXPECT_EQ(got.met_day(), want.met);
  }
  // The records each clock runs from.
  EXPECT_EQ(calendar.deadlines(0).record_id(), maya_notice_);
  EXPECT_EQ(calendar.deadlines(1).record_id(), leo_notice_);
  EXPECT_EQ(calendar.deadlines(2).record_id(), meeting_);
  EXPECT_EQ(calendar.deadlines(5).record_id(), leo_504_);
  EXPECT_EQ(calendar.overdue(), 0);
  EXPECT_EQ(calendar.due_soon(), 1);

  // -- The same figures in the text report --
  const std::string text = Report({});
  for (const char* line : {
           "2 students; 42 school days from 2026-09-01 to 2026-10-31",
           "0 overdue, 1 due soon",
           "600 of 582 mandated minutes delivered",
           // 163 / 164 = 99.4%, rounded.
           "implementation rate 99%; 4 accommodation-days with nothing logged",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
}

// The caseload table names the plans in effect over the window in the words
// every CLI view uses ("IEP", "Section 504 plan"), each with its days.
TEST_F(SchoolYearCliTest, TheCaseloadTableNamesEachPlanInEffectAsDocumented) {
  ASSERT_NO_FATAL_FAILURE(RunTheYear());
  const std::string text = Report({});
  for (const char* plans : {
           // Maya: version 1 to the day before the amendment's effective day.
           "IEP v1 to 2026-10-13, then IEP v2 from 2026-10-14",
           // Leo: the IEP's last day, then the 504 plan from the Monday after.
           "IEP v1 to 2026-10-16, then Section 504 plan v1 from 2026-10-19",
       }) {
    EXPECT_NE(text.find(plans), std::string::npos) << plans << "\n" << text;
  }
}

}  // namespace
}  // namespace plansync::testing
