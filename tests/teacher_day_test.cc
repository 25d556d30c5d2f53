// The teacher's-day view (core/teacher_day.h) on a small school worked out
// by hand: which classes, students and accommodations a teacher sees on a
// day, which of them are due in each class (subject and tests-only scopes,
// plan items' own days), closed schools, and the teacher's own
// confirmations.
#include "core/teacher_day.h"

#include <string>
#include <vector>

#include "core/errors.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

class TeacherDayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cm_ = testing::OpenStore(":memory:", "user-cm", &clock_, 1);
    teacher_ = testing::OpenStore(":memory:", "user-teacher", &clock_, 2);
    maya_ = MakeStudent("Maya", "Lincoln");
    leo_ = MakeStudent("Leo", "Roosevelt");
    const std::string maya_plan = MakePlan(maya_);
    extended_ = MakeAccommodation(maya_, maya_plan, "Extended time",
                                  v1::APPLIES_TO_ALL_CLASSES, "", "");
    calculator_ = MakeAccommodation(maya_, maya_plan, "Calculator",
                                    v1::APPLIES_TO_SUBJECT, "Math", "");
    MakeAccommodation(maya_, maya_plan, "Read aloud", v1::APPLIES_TO_SUBJECT,
                      "Science", "");
    separate_ = MakeAccommodation(maya_, maya_plan, "Separate setting",
                                  v1::APPLIES_TO_TESTS_ONLY, "", "");
    MakeAccommodation(maya_, maya_plan, "Breaks", v1::APPLIES_TO_ALL_CLASSES,
                      "", "2026-09-30");
    seating_ = MakeAccommodation(leo_, MakePlan(leo_), "Preferential seating",
                                 v1::APPLIES_TO_ALL_CLASSES, "", "");
    Write([&](WriteTransaction& txn) {
      v1::SchoolHoliday holiday;
      holiday.set_day("2026-10-12");
      holiday.set_school("roosevelt");  // any case
      holiday.set_name("Teacher workday");
      return cm_->Create(txn, holiday).status();
    });
    Write([&](WriteTransaction& txn) {
      v1::ClassTest test;
      test.set_student_id(maya_);
      test.set_class_or_period("period 2 math");  // any case
      test.set_day("2026-10-13");
      return cm_->Append(txn, test).status();
    });
    MakeAssignment(maya_, "Period 2 Math", "Math", "");
    MakeAssignment(leo_, "Period 4 Science", "Science", "");
    MakeAssignment(maya_, "Period 6 Art", "Art", "2026-09-30");  // ended
    // The case manager's own confirmation of Maya's extended time: not the
    // teacher's, so not shown.
    Confirm(*cm_, extended_, "2026-10-12", "Period 2 Math",
            v1::CONFIRMATION_STATUS_PROVIDED);
    auto pending = cm_->PendingChanges(10000);
    ASSERT_TRUE(pending.ok());
    std::vector<v1::Change> changes;
    for (auto& entry : *pending) changes.push_back(std::move(entry.change));
    ASSERT_TRUE(teacher_->ApplyRemote(changes).ok());
  }

  void Write(const std::function<absl::Status(WriteTransaction&)>& body) {
    absl::Status status = cm_->Write(body);
    ASSERT_TRUE(status.ok()) << status;
  }
  std::string MakeStudent(const std::string& name, const std::string& school) {
    std::string id;
    Write([&](WriteTransaction& txn) -> absl::Status {
      v1::Student student;
      student.set_given_name(name);
      student.set_family_name("Diaz");
      student.set_school(school);
      auto made = cm_->Create(txn, student);
      if (made.ok()) id = *made;
      return made.status();
    });
    return id;
  }
  std::string MakePlan(const std::string& student) {
    std::string id;
    Write([&](WriteTransaction& txn) -> absl::Status {
      v1::Plan plan;
      plan.set_student_id(student);
      plan.set_kind(v1::PLAN_KIND_IEP);
      plan.set_status(v1::PLAN_STATUS_ACTIVE);
      plan.set_version(1);
      plan.set_jurisdiction("US-MO");
      plan.set_start_date("2026-09-01");
      auto made = cm_->Create(txn, plan);
      if (made.ok()) id = *made;
      return made.status();
    });
    return id;
  }
  std::string MakeAccommodation(const std::string& student,
                                const std::string& plan,
                                const std::string& title,
                                v1::AppliesTo applies_to,
                                const std::string& subject,
                                const std::string& end) {
    std::string id;
    Write([&](WriteTransaction& txn) -> absl::Status {
      v1::Accommodation a;
      a.set_student_id(student);
      a.set_plan_id(plan);
      a.set_kind(v1::ACCOMMODATION_KIND_ACCOMMODATION);
      a.set_category(v1::ACCOMMODATION_CATEGORY_PRESENTATION);
      a.set_title(title);
      a.set_applies_to(applies_to);
      a.set_subject(subject);
      a.set_end_date(end);
      auto made = cm_->Create(txn, a);
      if (made.ok()) id = *made;
      return made.status();
    });
    return id;
  }
  void MakeAssignment(const std::string& student, const std::string& class_name,
                      const std::string& subject, const std::string& end) {
    Write([&](WriteTransaction& txn) {
      v1::Assignment a;
      a.set_student_id(student);
      a.set_user_id("user-teacher");
      a.set_role(v1::TEACHER);
      a.set_class_or_period(class_name);
      a.set_subject(subject);
      a.set_end_date(end);
      return cm_->Create(txn, a).status();
    });
  }
  void Confirm(DeviceStore& store, const std::string& accommodation,
               const std::string& day, const std::string& class_name,
               v1::ConfirmationStatus status) {
    clock_.Advance(1000);  // later writes stamp later
    absl::Status written = store.Write([&](WriteTransaction& txn) {
      v1::ImplementationConfirmation c;
      c.set_student_id(maya_);
      c.set_accommodation_id(accommodation);
      c.set_day(day);
      c.set_class_or_period(class_name);
      c.set_status(status);
      return store.Append(txn, c).status();
    });
    ASSERT_TRUE(written.ok()) << written;
  }
  static std::vector<std::string> Titles(const v1::TeacherDayStudent& s) {
    std::vector<std::string> out;
    for (const auto& due : s.accommodations()) {
      out.push_back(due.accommodation().title());
    }
    return out;
  }

  FakeClock clock_{testing::kStartMillis};
  std::unique_ptr<DeviceStore> cm_, teacher_;
  std::string maya_, leo_, extended_, calculator_, separate_, seating_;
};

TEST_F(TeacherDayTest, AMondayWithOneSchoolClosed) {
  Confirm(*teacher_, extended_, "2026-10-12", "Period 2 Math",
          v1::CONFIRMATION_STATUS_NOT_PROVIDED);
  Confirm(*teacher_, extended_, "2026-10-12", "Period 2 Math",
          v1::CONFIRMATION_STATUS_PROVIDED);
  Confirm(*teacher_, extended_, "2026-10-12", "Period 6 Art",
          v1::CONFIRMATION_STATUS_PROVIDED);  // another class
  Confirm(*teacher_, calculator_, "2026-10-09", "Period 2 Math",
          v1::CONFIRMATION_STATUS_PROVIDED);  // another day

  auto view = TeacherDayOn(*teacher_, "2026-10-12");
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(view->day(), "2026-10-12");
  EXPECT_EQ(view->teacher_user_id(), "user-teacher");
  EXPECT_EQ(view->no_school(), "");
  // Art ended on 2026-09-30: two classes, by name.
  ASSERT_EQ(view->classes_size(), 2);
  const v1::TeacherClass& math = view->classes(0);
  EXPECT_EQ(math.class_or_period(), "Period 2 Math");
  ASSERT_EQ(math.students_size(), 1);
  const v1::TeacherDayStudent& maya = math.students(0);
  EXPECT_EQ(maya.student().id(), maya_);
  EXPECT_EQ(maya.subject(), "Math");
  EXPECT_TRUE(maya.has_plan());
  EXPECT_FALSE(maya.test_day());
  // Due in Math: the calculator (Math) and extended time (every class), by
  // title; not read-aloud (Science), not breaks (ended 2026-09-30); the
  // tests-only setting waits for a test.
  EXPECT_EQ(Titles(maya),
            (std::vector<std::string>{"Calculator", "Extended time"}));
  ASSERT_EQ(maya.tests_only_not_due_size(), 1);
  EXPECT_EQ(maya.tests_only_not_due(0).id(), separate_);
  EXPECT_EQ(maya.accommodations(0).confirmations_size(), 0);
  // Extended time: the teacher's two in Math that day, oldest first.
  const v1::DueAccommodation& extended = maya.accommodations(1);
  ASSERT_EQ(extended.confirmations_size(), 2);
  EXPECT_EQ(extended.confirmations(0).status(),
            v1::CONFIRMATION_STATUS_NOT_PROVIDED);
  EXPECT_EQ(extended.confirmations(1).status(),
            v1::CONFIRMATION_STATUS_PROVIDED);
  // Roosevelt is closed: Leo is listed with why, and nothing is due.
  const v1::TeacherClass& science = view->classes(1);
  EXPECT_EQ(science.class_or_period(), "Period 4 Science");
  ASSERT_EQ(science.students_size(), 1);
  EXPECT_EQ(science.students(0).no_school(), "Teacher workday");
  EXPECT_FALSE(science.students(0).has_plan());
  EXPECT_EQ(science.students(0).accommodations_size(), 0);
  // Due: 2 for Maya; confirmed: extended time.
  EXPECT_EQ(view->accommodations_needed(), 2);
  EXPECT_EQ(view->accommodations_confirmed(), 1);
}

TEST_F(TeacherDayTest, ATestDayAWeekendAndOneClass) {
  // Tuesday: Maya has a test in Math, so the separate setting is due; both
  // schools are open.
  auto view = TeacherDayOn(*teacher_, "2026-10-13");
  ASSERT_TRUE(view.ok()) << view.status();
  ASSERT_EQ(view->classes_size(), 2);
  const v1::TeacherDayStudent& maya = view->classes(0).students(0);
  EXPECT_TRUE(maya.test_day());
  EXPECT_EQ(Titles(maya),
            (std::vector<std::string>{"Calculator", "Extended time",
                                      "Separate setting"}));
  EXPECT_EQ(maya.tests_only_not_due_size(), 0);
  const v1::TeacherDayStudent& leo = view->classes(1).students(0);
  EXPECT_EQ(leo.no_school(), "");
  ASSERT_EQ(leo.accommodations_size(), 1);
  EXPECT_EQ(leo.accommodations(0).accommodation().id(), seating_);
  EXPECT_EQ(view->accommodations_needed(), 4);
  EXPECT_EQ(view->accommodations_confirmed(), 0);

  // One class only (any case): its students and counts alone.
  view = TeacherDayOn(*teacher_, "2026-10-13", "period 4 SCIENCE");
  ASSERT_TRUE(view.ok()) << view.status();
  ASSERT_EQ(view->classes_size(), 1);
  EXPECT_EQ(view->classes(0).class_or_period(), "Period 4 Science");
  EXPECT_EQ(view->accommodations_needed(), 1);

  // Saturday: no school for anyone.
  view = TeacherDayOn(*teacher_, "2026-10-17");
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(view->no_school(), "a Saturday");
  EXPECT_EQ(view->accommodations_needed(), 0);

  // Before Maya's plan began (2026-09-01) there is no plan; Art was still
  // taught.
  view = TeacherDayOn(*teacher_, "2026-08-31");
  ASSERT_TRUE(view.ok()) << view.status();
  ASSERT_EQ(view->classes_size(), 3);
  EXPECT_EQ(view->classes(0).class_or_period(), "Period 2 Math");
  EXPECT_FALSE(view->classes(0).students(0).has_plan());
  EXPECT_EQ(view->classes(2).class_or_period(), "Period 6 Art");

  // A malformed day.
  view = TeacherDayOn(*teacher_, "2026-10-32");
  EXPECT_EQ(view.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(view.status()), v1::MALFORMED_DATE);

  // The case manager teaches nothing: an empty day.
  view = TeacherDayOn(*cm_, "2026-10-13");
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(view->classes_size(), 0);
  EXPECT_EQ(view->no_school(), "");
}

}  // namespace
}  // namespace plansync
