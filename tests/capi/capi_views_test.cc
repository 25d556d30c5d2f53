// The C API's screen-shaped reads, in process through libplansync alone:
// counting, listing page by page with a continuation cursor, and the plan in
// effect for a student on a day, whose expected contents below are worked
// out by hand from the rule of plans over time.
#include <plansync/plansync.h>
#include <plansync/plansync_record.h>

#include <cstring>
#include <string>
#include <vector>

#include "capi_fixture.h"
#include "gtest/gtest.h"
#include "wire.h"

namespace plansync_capi_test {
namespace {

// Field numbers and enum values of records.proto and views.proto.
enum {
  kPlanStudentId = 2,
  kPlanKind = 4,
  kPlanStatus = 5,
  kPlanVersion = 6,
  kPlanSupersedes = 7,
  kPlanJurisdiction = 8,
  kPlanStartDate = 11,
  kItemStudentId = 2,
  kItemPlanId = 4,
  kAccommodationKind = 5,
  kAccommodationCategory = 6,
  kAccommodationTitle = 7,
  kAccommodationStart = 12,
  kAccommodationEnd = 13,
  kServiceCategory = 5,
  kServiceType = 6,
  kServiceMinutes = 7,
  kServiceStart = 13,
  kGoalArea = 5,
  kGoalDescription = 6,
  kViewDay = 2,
  kViewPlan = 3,
  kViewAccommodations = 4,
  kViewServices = 5,
  kViewGoals = 6,
};

std::string Bytes(const wire_message& m) {
  return std::string(reinterpret_cast<const char*>(m.data), m.size);
}

// The ids of the records passed to plansync_list_page's callback, page by
// page, with `limit` a page.
std::vector<std::vector<std::string>> Pages(plansync_store* store,
                                            const char* field,
                                            const char* value, size_t limit) {
  std::vector<std::vector<std::string>> pages;
  char* after = nullptr;
  do {
    std::vector<std::string> ids;
    char* next = nullptr;
    plansync_error err{};
    EXPECT_EQ(
        plansync_list_page(
            store, "Student", field, value, 0, after, limit,
            [](void* c, const uint8_t* record, size_t size) {
              static_cast<std::vector<std::string>*>(c)->push_back(Field(
                  std::string(reinterpret_cast<const char*>(record), size),
                  kStudentId));
              return 0;
            },
            &ids, &next, &err),
        PLANSYNC_CODE_OK)
        << err.message;
    plansync_free(after);
    after = next;
    pages.push_back(ids);
  } while (after != nullptr && pages.size() < 100);
  plansync_free(after);
  return pages;
}

TEST_F(CApiTest, CountsAndPagesFollowTheListing) {
  std::vector<std::string> lincoln;
  for (int i = 0; i < 4; ++i) {
    lincoln.push_back(
        Create("Student", Student("L" + std::to_string(i), "Diaz", "Lincoln")));
  }
  for (int i = 0; i < 3; ++i) {
    ASSERT_FALSE(
        Create("Student", Student("R" + std::to_string(i), "Diaz", "Roosevelt"))
            .empty());
  }
  ASSERT_EQ(plansync_archive(store_, "Student", lincoln[0].c_str(), &err_),
            PLANSYNC_CODE_OK);

  auto count = [&](const char* field, const char* value, int archived) {
    int64_t n = -1;
    EXPECT_EQ(
        plansync_count(store_, "Student", field, value, archived, &n, &err_),
        PLANSYNC_CODE_OK)
        << err_.message;
    return n;
  };
  EXPECT_EQ(count(nullptr, nullptr, 0), 6);  // 7 made, 1 archived
  EXPECT_EQ(count(nullptr, nullptr, 1), 7);
  EXPECT_EQ(count("school", "Lincoln", 0), 3);
  EXPECT_EQ(count("school", "Lincoln", 1), 4);
  EXPECT_EQ(count("school", "Nowhere", 0), 0);

  // Pages of 4 over the 6 live students: 4, then 2 (short: the end).
  std::vector<std::string> all;
  for (const std::string& record : List("Student", nullptr, nullptr)) {
    all.push_back(Field(record, kStudentId));
  }
  ASSERT_EQ(all.size(), 6u);
  auto pages = Pages(store_, nullptr, nullptr, 4);
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[0], std::vector<std::string>(all.begin(), all.begin() + 4));
  EXPECT_EQ(pages[1], std::vector<std::string>(all.begin() + 4, all.end()));
  // Pages of 3: 3, 3, then an empty one (a full page may have had more).
  pages = Pages(store_, nullptr, nullptr, 3);
  ASSERT_EQ(pages.size(), 3u);
  EXPECT_TRUE(pages[2].empty());
  // Filtered, and no limit: one page.
  pages = Pages(store_, "school", "Lincoln", 0);
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].size(), 3u);

  // Bad input.
  int64_t n = 0;
  EXPECT_EQ(plansync_count(store_, "Student", "no_such", "x", 0, &n, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(err_.reason, PLANSYNC_REASON_UNKNOWN_FIELD);
  EXPECT_EQ(
      plansync_count(store_, "Student", nullptr, nullptr, 0, nullptr, &err_),
      PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(plansync_count(store_, "Nope", nullptr, nullptr, 0, &n, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(err_.reason, PLANSYNC_REASON_UNKNOWN_RECORD_TYPE);
  EXPECT_EQ(plansync_list_page(
                store_, "Student", nullptr, nullptr, 0, nullptr, 2,
                [](void*, const uint8_t*, size_t) { return 0; }, nullptr,
                nullptr, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
}

class PlanInEffectTest : public CApiTest {
 protected:
  std::string Make(const char* type, const wire_message& m) {
    const std::string id = Create(type, Bytes(m));
    EXPECT_FALSE(id.empty()) << type << ": " << err_.message;
    return id;
  }
  std::string Plan(const std::string& student, int version,
                   const std::string& supersedes, const char* start) {
    wire_message m{};
    wire_string(&m, kPlanStudentId, student.c_str());
    wire_int(&m, kPlanKind, 1);    // PLAN_KIND_IEP
    wire_int(&m, kPlanStatus, 2);  // PLAN_STATUS_ACTIVE
    wire_int(&m, kPlanVersion, version);
    if (!supersedes.empty()) {
      wire_string(&m, kPlanSupersedes, supersedes.c_str());
    }
    wire_string(&m, kPlanJurisdiction, "US-MO");
    wire_string(&m, kPlanStartDate, start);
    return Make("Plan", m);
  }
  std::string Accommodation(const std::string& student, const std::string& plan,
                            const char* title, const char* start,
                            const char* end) {
    wire_message m{};
    wire_string(&m, kItemStudentId, student.c_str());
    wire_string(&m, kItemPlanId, plan.c_str());
    wire_int(&m, kAccommodationKind, 1);      // ACCOMMODATION
    wire_int(&m, kAccommodationCategory, 4);  // TIMING_AND_SCHEDULING
    wire_string(&m, kAccommodationTitle, title);
    if (*start) wire_string(&m, kAccommodationStart, start);
    if (*end) wire_string(&m, kAccommodationEnd, end);
    return Make("Accommodation", m);
  }

  // The view on `day`: the plan's id ("" if none) and the ids of its lists.
  struct View {
    std::string day, plan;
    std::vector<std::string> accommodations, services, goals;
  };
  View On(const std::string& student, const char* day) {
    uint8_t* bytes = nullptr;
    size_t size = 0;
    View view;
    if (plansync_plan_in_effect(store_, student.c_str(), day, &bytes, &size,
                                &err_) != PLANSYNC_CODE_OK) {
      ADD_FAILURE() << day << ": " << err_.message;
      return view;
    }
    char text[128];
    if (wire_get_string(bytes, size, kViewDay, text, sizeof(text))) {
      view.day = text;
    }
    // Walk the top-level fields: each nested message's id is its field 1.
    size_t at = 0;
    while (at < size) {
      uint64_t tag = 0, length = 0;
      if (!wire_read_varint(bytes, size, &at, &tag)) break;
      if ((tag & 7) != 2 || !wire_read_varint(bytes, size, &at, &length)) {
        break;
      }
      const uint8_t* nested = bytes + at;
      at += length;
      if (!wire_get_string(nested, length, 1, text, sizeof(text))) continue;
      switch (tag >> 3) {
        case kViewPlan:
          view.plan = text;
          break;
        case kViewAccommodations:
          view.accommodations.push_back(text);
          break;
        case kViewServices:
          view.services.push_back(text);
          break;
        case kViewGoals:
          view.goals.push_back(text);
          break;
      }
    }
    plansync_free(bytes);
    return view;
  }
};

TEST_F(PlanInEffectTest, TheViewHoldsWhatThePlanInEffectHoldsThatDay) {
  const std::string student = Create("Student", Student("Maya", "Diaz"));
  ASSERT_FALSE(student.empty()) << err_.message;
  // The IEP from 2026-09-01; an amendment effective 2026-10-15 replaces it.
  const std::string v1 = Plan(student, 1, "", "2026-09-01");
  const std::string a1 = Accommodation(student, v1, "Extended time", "", "");
  wire_message goal{};
  wire_string(&goal, kItemStudentId, student.c_str());
  wire_string(&goal, kItemPlanId, v1.c_str());
  wire_string(&goal, kGoalArea, "Reading fluency");
  wire_string(&goal, kGoalDescription, "Reads grade-level text aloud");
  const std::string g1 = Make("Goal", goal);
  const std::string v2 = Plan(student, 2, v1, "2026-10-15");
  // On the amendment: an accommodation that ends 2026-11-30, and speech
  // from 2026-10-20.
  const std::string a2 =
      Accommodation(student, v2, "Breaks", "2026-10-15", "2026-11-30");
  wire_message service{};
  wire_string(&service, kItemStudentId, student.c_str());
  wire_string(&service, kItemPlanId, v2.c_str());
  wire_int(&service, kServiceCategory, 2);  // RELATED_SERVICE
  wire_string(&service, kServiceType, "Speech therapy");
  wire_int(&service, kServiceMinutes, 90);
  wire_string(&service, kServiceStart, "2026-10-20");
  const std::string s1 = Make("Service", service);

  // Before the IEP's first day: no plan.
  View view = On(student, "2026-08-31");
  EXPECT_EQ(view.day, "2026-08-31");
  EXPECT_EQ(view.plan, "");
  EXPECT_TRUE(view.accommodations.empty() && view.goals.empty());
  // The original plan, the day before the amendment takes effect.
  view = On(student, "2026-10-14");
  EXPECT_EQ(view.plan, v1);
  EXPECT_EQ(view.accommodations, std::vector<std::string>{a1});
  EXPECT_EQ(view.goals, std::vector<std::string>{g1});
  EXPECT_TRUE(view.services.empty());
  // The amendment from its effective day; speech not yet started.
  view = On(student, "2026-10-15");
  EXPECT_EQ(view.plan, v2);
  EXPECT_EQ(view.accommodations, std::vector<std::string>{a2});
  EXPECT_TRUE(view.services.empty());
  EXPECT_TRUE(view.goals.empty());
  view = On(student, "2026-10-20");
  EXPECT_EQ(view.services, std::vector<std::string>{s1});
  // After the accommodation's last day it is gone; speech goes on.
  view = On(student, "2026-12-01");
  EXPECT_EQ(view.plan, v2);
  EXPECT_TRUE(view.accommodations.empty());
  EXPECT_EQ(view.services, std::vector<std::string>{s1});

  // An archived accommodation is not shown.
  ASSERT_EQ(plansync_archive(store_, "Accommodation", a1.c_str(), &err_),
            PLANSYNC_CODE_OK);
  EXPECT_TRUE(On(student, "2026-10-14").accommodations.empty());

  // Bad input.
  uint8_t* bytes = nullptr;
  size_t size = 0;
  EXPECT_EQ(plansync_plan_in_effect(store_, student.c_str(), "2026-13-01",
                                    &bytes, &size, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(err_.reason, PLANSYNC_REASON_MALFORMED_DATE);
  EXPECT_EQ(
      plansync_plan_in_effect(store_, "0190ffff-0000-7000-8000-0000000000aa",
                              "2026-10-14", &bytes, &size, &err_),
      PLANSYNC_CODE_NOT_FOUND);
  EXPECT_EQ(err_.reason, PLANSYNC_REASON_UNKNOWN_RECORD);
  EXPECT_EQ(bytes, nullptr);
  EXPECT_EQ(
      plansync_plan_in_effect(store_, nullptr, nullptr, &bytes, &size, &err_),
      PLANSYNC_CODE_INVALID_ARGUMENT);
}

// The teacher's day through the C API: the serialized TeacherDay's day,
// teacher and counts (views.proto: 1, 2, 5, 6), before and after the
// teacher confirms; the full view is tested in tests/teacher_day_test.cc.
TEST_F(PlanInEffectTest, TheTeachersDayCountsWhatIsDueAndConfirmed) {
  const std::string student = Create("Student", Student("Maya", "Diaz"));
  const std::string plan = Plan(student, 1, "", "2026-09-01");
  const std::string extended =
      Accommodation(student, plan, "Extended time", "", "");
  Accommodation(student, plan, "Breaks", "", "2026-09-30");  // ended
  // The device's user teaches Maya: once the store knows it, the user may
  // confirm (and no longer write plans).
  plansync_record* assignment = nullptr;
  ASSERT_EQ(plansync_record_new("Assignment", &assignment, &err_),
            PLANSYNC_CODE_OK);
  plansync_record_set_string(assignment, "student_id", student.c_str(), &err_);
  plansync_record_set_string(assignment, "user_id", kUser, &err_);
  plansync_record_set_enum(assignment, "role", "TEACHER", &err_);
  plansync_record_set_string(assignment, "class_or_period", "Period 1", &err_);
  uint8_t* bytes = nullptr;
  size_t size = 0;
  ASSERT_EQ(plansync_record_bytes(assignment, &bytes, &size, &err_),
            PLANSYNC_CODE_OK);
  ASSERT_FALSE(
      Create("Assignment", std::string(reinterpret_cast<char*>(bytes), size))
          .empty())
      << err_.message;
  plansync_free(bytes);
  plansync_record_free(assignment);

  struct Counts {
    std::string day, teacher;
    int64_t needed = -1, confirmed = -1;
  };
  auto day = [&](const char* on) {
    Counts counts;
    uint8_t* view = nullptr;
    size_t view_size = 0;
    if (plansync_teacher_day(store_, on, nullptr, &view, &view_size, &err_) !=
        PLANSYNC_CODE_OK) {
      ADD_FAILURE() << on << ": " << err_.message;
      return counts;
    }
    char text[128];
    if (wire_get_string(view, view_size, 1, text, sizeof(text))) {
      counts.day = text;
    }
    if (wire_get_string(view, view_size, 2, text, sizeof(text))) {
      counts.teacher = text;
    }
    counts.needed = wire_get_int(view, view_size, 5);
    counts.confirmed = wire_get_int(view, view_size, 6);
    plansync_free(view);
    return counts;
  };
  Counts counts = day("2026-10-13");
  EXPECT_EQ(counts.day, "2026-10-13");
  EXPECT_EQ(counts.teacher, kUser);
  EXPECT_EQ(counts.needed, 1);  // extended time; breaks ended
  EXPECT_EQ(counts.confirmed, 0);

  plansync_record* confirmation = nullptr;
  ASSERT_EQ(
      plansync_record_new("ImplementationConfirmation", &confirmation, &err_),
      PLANSYNC_CODE_OK);
  plansync_record_set_string(confirmation, "student_id", student.c_str(),
                             &err_);
  plansync_record_set_string(confirmation, "accommodation_id", extended.c_str(),
                             &err_);
  plansync_record_set_string(confirmation, "day", "2026-10-13", &err_);
  plansync_record_set_string(confirmation, "class_or_period", "Period 1",
                             &err_);
  plansync_record_set_enum(confirmation, "status",
                           "CONFIRMATION_STATUS_PROVIDED", &err_);
  ASSERT_EQ(plansync_record_bytes(confirmation, &bytes, &size, &err_),
            PLANSYNC_CODE_OK);
  ASSERT_EQ(plansync_append(store_, "ImplementationConfirmation", bytes, size,
                            nullptr, &err_),
            PLANSYNC_CODE_OK)
      << err_.message;
  plansync_free(bytes);
  plansync_record_free(confirmation);
  counts = day("2026-10-13");
  EXPECT_EQ(counts.needed, 1);
  EXPECT_EQ(counts.confirmed, 1);
  EXPECT_EQ(day("2026-10-14").confirmed, 0);  // confirmations are per day

  // Bad input.
  uint8_t* view = nullptr;
  size_t view_size = 0;
  EXPECT_EQ(plansync_teacher_day(store_, "Tuesday", nullptr, &view, &view_size,
                                 &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(err_.reason, PLANSYNC_REASON_MALFORMED_DATE);
  EXPECT_EQ(view, nullptr);
  EXPECT_EQ(plansync_teacher_day(store_, "2026-10-13", nullptr, nullptr,
                                 &view_size, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(plansync_teacher_day(nullptr, "2026-10-13", nullptr, &view,
                                 &view_size, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
}

// A student's history through the C API: the serialized StudentHistory's
// student, window (views.proto 1 to 3; `from` defaults to August 1 of the
// school year) and entries (4), each entry's day (its field 1); the full view
// is tested in tests/student_history_test.cc.
TEST_F(PlanInEffectTest, TheStudentsHistoryHoldsTheWindowsEntries) {
  const std::string student = Create("Student", Student("Maya", "Diaz"));
  const std::string plan = Plan(student, 1, "", "2026-09-01");
  const std::string extended =
      Accommodation(student, plan, "Extended time", "", "");
  for (const char* day : {"2026-09-17", "2026-09-15", "2026-10-02"}) {
    plansync_record* lapse = nullptr;
    ASSERT_EQ(plansync_record_new("LapseReport", &lapse, &err_),
              PLANSYNC_CODE_OK);
    plansync_record_set_string(lapse, "student_id", student.c_str(), &err_);
    plansync_record_set_string(lapse, "accommodation_id", extended.c_str(),
                               &err_);
    plansync_record_set_string(lapse, "day", day, &err_);
    plansync_record_set_string(lapse, "what_happened", "No extended time",
                               &err_);
    uint8_t* bytes = nullptr;
    size_t size = 0;
    ASSERT_EQ(plansync_record_bytes(lapse, &bytes, &size, &err_),
              PLANSYNC_CODE_OK);
    ASSERT_EQ(
        plansync_append(store_, "LapseReport", bytes, size, nullptr, &err_),
        PLANSYNC_CODE_OK)
        << err_.message;
    plansync_free(bytes);
    plansync_record_free(lapse);
  }
  uint8_t* view = nullptr;
  size_t size = 0;
  ASSERT_EQ(plansync_student_history(store_, student.c_str(), nullptr,
                                     "2026-09-30", &view, &size, &err_),
            PLANSYNC_CODE_OK)
      << err_.message;
  char text[128];
  ASSERT_TRUE(wire_get_string(view, size, 1, text, sizeof(text)));
  EXPECT_EQ(std::string(text), student);
  ASSERT_TRUE(wire_get_string(view, size, 2, text, sizeof(text)));
  EXPECT_STREQ(text, "2026-08-01");
  ASSERT_TRUE(wire_get_string(view, size, 3, text, sizeof(text)));
  EXPECT_STREQ(text, "2026-09-30");
  // The entries, by day: 09-15 and 09-17 (10-02 is after the window).
  std::vector<std::string> days;
  size_t at = 0;
  while (at < size) {
    uint64_t tag = 0, length = 0;
    if (!wire_read_varint(view, size, &at, &tag)) break;
    if ((tag & 7) != 2 || !wire_read_varint(view, size, &at, &length)) break;
    if (tag >> 3 == 4 &&
        wire_get_string(view + at, length, 1, text, sizeof(text))) {
      days.push_back(text);
    }
    at += length;
  }
  plansync_free(view);
  EXPECT_EQ(days, (std::vector<std::string>{"2026-09-15", "2026-09-17"}));

  // Bad input.
  view = nullptr;
  EXPECT_EQ(plansync_student_history(store_, student.c_str(), "2026-10-01",
                                     "2026-09-30", &view, &size, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(view, nullptr);
  EXPECT_EQ(plansync_student_history(store_, student.c_str(), nullptr,
                                     "2026-09-31", &view, &size, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(err_.reason, PLANSYNC_REASON_MALFORMED_DATE);
  EXPECT_EQ(
      plansync_student_history(store_, "0190ffff-0000-7000-8000-0000000000aa",
                               nullptr, "2026-09-30", &view, &size, &err_),
      PLANSYNC_CODE_NOT_FOUND);
  EXPECT_EQ(plansync_student_history(store_, nullptr, nullptr, nullptr, &view,
                                     &size, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace plansync_capi_test
