// For teachers: `today` (the accommodations each of my students needs on a
// school day, by class, with what I already confirmed) and `confirm` (one
// or many confirmations, in one transaction).
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/commands.h"
#include "clients/cli/days.h"
#include "clients/cli/describe.h"
#include "clients/cli/lookup.h"
#include "clients/cli/output.h"
#include "core/accommodation_scope.h"
#include "core/status_macros.h"
#include "core/teacher_day.h"

namespace plansync::cli {
namespace {

constexpr RoleSet kTeacher = RoleBit(v1::TEACHER);

// Splits `all` (the plan's accommodations that apply on the day) by where
// and when they apply in the class (core/accommodation_scope.h): those due,
// and the tests-only ones waiting for a test. Other subjects' are dropped.
void SplitByScope(std::vector<v1::Accommodation> all, absl::string_view subject,
                  bool test_day, std::vector<v1::Accommodation>* due,
                  std::vector<v1::Accommodation>* no_test) {
  for (v1::Accommodation& a : all) {
    switch (ScopeOf(a, subject, test_day)) {
      case AccommodationScope::kDue:
        due->push_back(std::move(a));
        break;
      case AccommodationScope::kNoTest:
        if (no_test != nullptr) no_test->push_back(std::move(a));
        break;
      case AccommodationScope::kOtherSubject:
        break;
    }
  }
}

// The classes of `assignments`, sorted, once each: "Period 2 Math, Period 4
// Science", or "none".
std::string YourClasses(const std::vector<v1::Assignment>& assignments) {
  std::vector<std::string> classes;
  for (const v1::Assignment& a : assignments) {
    if (!a.class_or_period().empty()) classes.push_back(a.class_or_period());
  }
  std::sort(classes.begin(), classes.end());
  classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
  return classes.empty() ? "none" : absl::StrJoin(classes, ", ");
}

absl::Status Today(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(const std::string day,
                   DayFlag(flags, "--day", today, today));
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(std::vector<v1::Assignment> assignments,
                   MyAssignments(*store, kTeacher, day));
  if (flags.Has("--class")) {
    const std::string yours = YourClasses(assignments);
    std::erase_if(assignments, [&](const v1::Assignment& a) {
      return !absl::EqualsIgnoreCase(a.class_or_period(), flags.Get("--class"));
    });
    if (assignments.empty()) {
      return absl::NotFoundError(absl::StrCat("you teach no class \"",
                                              flags.Get("--class"), "\" on ",
                                              day, "; your classes: ", yours));
    }
  }
  ASSIGN_OR_RETURN(const v1::TeacherDay view,
                   TeacherDayOn(*store, day, flags.Get("--class")));
  const int needed = view.accommodations_needed();
  const int confirmed = view.accommodations_confirmed();
  const auto& classes = view.classes();
  const std::optional<std::string> no_school =
      view.no_school().empty() ? std::nullopt
                               : std::optional<std::string>(view.no_school());

  if (flags.Has("--json")) {
    JsonObject out;
    PutText(out, "day", day);
    PutText(out, "teacher_user_id", store->principal_id());
    PutBool(out, "school_day", !no_school.has_value());
    if (no_school.has_value()) PutText(out, "no_school", *no_school);
    PutInt(out, "accommodations_needed", needed);
    PutInt(out, "accommodations_confirmed", confirmed);
    JsonList* class_list = PutList(out, "classes");
    for (const v1::TeacherClass& teacher_class : classes) {
      JsonObject* item = AddObject(*class_list);
      PutText(*item, "class_or_period", teacher_class.class_or_period());
      JsonList* student_list = PutList(*item, "students");
      for (const v1::TeacherDayStudent& s : teacher_class.students()) {
        JsonObject* st = AddObject(*student_list);
        PutText(*st, "student_id", s.student().id());
        PutText(*st, "name", StudentName(s.student()));
        PutBool(*st, "school_day", s.no_school().empty());
        if (!s.no_school().empty()) PutText(*st, "no_school", s.no_school());
        if (s.has_plan()) {
          PutText(*st, "plan_id", s.plan().id());
          PutText(*st, "plan_kind", v1::PlanKind_Name(s.plan().kind()));
        }
        PutBool(*st, "test_day", s.test_day());
        JsonList* waiting = PutList(*st, "tests_only_not_due");
        for (const v1::Accommodation& a : s.tests_only_not_due()) {
          JsonObject* item = AddObject(*waiting);
          PutText(*item, "accommodation_id", a.id());
          PutText(*item, "title", a.title());
        }
        JsonList* list = PutList(*st, "accommodations");
        for (const v1::DueAccommodation& due : s.accommodations()) {
          const v1::Accommodation& a = due.accommodation();
          JsonObject* acc = AddObject(*list);
          PutText(*acc, "accommodation_id", a.id());
          PutText(*acc, "title", a.title());
          PutText(*acc, "where", WhereApplies(a));
          PutText(*acc, "description", a.description());
          PutBool(*acc, "confirmed", due.confirmations_size() > 0);
          JsonList* confirmations = PutList(*acc, "confirmations");
          if (due.confirmations().empty()) continue;
          PutText(
              *acc, "status",
              v1::ConfirmationStatus_Name(
                  due.confirmations(due.confirmations_size() - 1).status()));
          for (const auto& c : due.confirmations()) {
            JsonObject* conf = AddObject(*confirmations);
            PutText(*conf, "id", c.id());
            PutText(*conf, "status", v1::ConfirmationStatus_Name(c.status()));
            PutText(*conf, "note", c.note());
          }
        }
      }
    }
    PrintJson(out);
    return absl::OkStatus();
  }

  if (no_school.has_value()) {
    std::printf("%s: no school (%s).\n", DayText(day).c_str(),
                no_school->c_str());
    return absl::OkStatus();
  }
  if (classes.empty()) {
    std::printf(
        "%s: you have no students as a teacher on this device; sync to "
        "receive your classes.\n",
        DayText(day).c_str());
    return absl::OkStatus();
  }
  std::printf("%s: your students' accommodations\n", DayText(day).c_str());
  for (const v1::TeacherClass& teacher_class : classes) {
    const std::string& name = teacher_class.class_or_period();
    std::printf("\n%s\n", name.empty() ? "(no class named)" : name.c_str());
    for (const v1::TeacherDayStudent& s : teacher_class.students()) {
      const std::string student_name = StudentName(s.student());
      if (!s.no_school().empty()) {
        std::printf("  %s: no school at %s (%s)\n", student_name.c_str(),
                    s.student().school().c_str(), s.no_school().c_str());
        continue;
      }
      if (!s.has_plan()) {
        std::printf("  %s: no plan in effect\n", student_name.c_str());
        continue;
      }
      std::printf("  %s (%s)\n", student_name.c_str(),
                  PlanKindText(s.plan().kind()).c_str());
      if (s.accommodations().empty()) std::printf("    no accommodations\n");
      for (const v1::DueAccommodation& due : s.accommodations()) {
        const v1::Accommodation& a = due.accommodation();
        const std::string status =
            due.confirmations().empty()
                ? "not confirmed"
                : ConfirmationText(
                      due.confirmations(due.confirmations_size() - 1).status());
        const std::string where = WhereApplies(a);
        std::printf(
            "    %-21s %s%s\n", status.c_str(), a.title().c_str(),
            where.empty() ? "" : absl::StrCat(" (", where, ")").c_str());
      }
      if (!s.tests_only_not_due().empty()) {
        std::vector<std::string> titles;
        for (const auto& a : s.tests_only_not_due())
          titles.push_back(a.title());
        std::printf(
            "    not due (tests only; no test recorded for this class): %s\n",
            absl::StrJoin(titles, ", ").c_str());
      }
    }
  }
  std::printf("\n%d accommodations, %d confirmed.\n", needed, confirmed);
  if (confirmed < needed) {
    std::printf(
        "Confirm a whole class with: plansync confirm --class CLASS --all "
        "--status provided\n  (one student: --student NAME instead of "
        "--class%s)\n",
        classes.size() > 1 ? ", with --class CLASS when you teach them in "
                             "several"
                           : "");
  }
  return absl::OkStatus();
}

// The class in which I teach `student` on `day`: the one named by `wanted`
// (any case), or my only one.
absl::StatusOr<std::string> ClassOf(const std::vector<v1::Assignment>& mine,
                                    const v1::Student& student,
                                    absl::string_view wanted,
                                    absl::string_view day) {
  std::vector<std::string> classes;
  for (const v1::Assignment& a : mine) {
    if (a.student_id() != student.id()) continue;
    if (!wanted.empty() &&
        absl::EqualsIgnoreCase(a.class_or_period(), wanted)) {
      return a.class_or_period();
    }
    classes.push_back(a.class_or_period());
  }
  if (classes.empty()) {
    return absl::PermissionDeniedError(
        absl::StrCat("you are not the teacher of ", StudentName(student),
                     " on ", day, "; nothing recorded"));
  }
  if (!wanted.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "you do not teach ", StudentName(student), " in \"", wanted,
        "\"; you teach them in: ", absl::StrJoin(classes, ", ")));
  }
  if (classes.size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "you teach ", StudentName(student), " in ",
        absl::StrJoin(classes, " and "), "; say which with --class"));
  }
  return classes.front();
}

// The subject of my class `class_or_period` of `student` ("" if not stated).
std::string SubjectOf(const std::vector<v1::Assignment>& mine,
                      const v1::Student& student,
                      absl::string_view class_or_period) {
  for (const v1::Assignment& a : mine) {
    if (a.student_id() == student.id() &&
        a.class_or_period() == class_or_period) {
      return a.subject();
    }
  }
  return "";
}

absl::Status Confirm(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(const std::string day,
                   DayFlag(flags, "--day", today, today));
  RETURN_IF_ERROR(NotAfterToday("--day", day, today));
  const bool all = flags.Has("--all");
  const std::vector<std::string> named = flags.GetAll("--accommodation");
  if (all == !named.empty()) {
    return absl::InvalidArgumentError(
        "say what to confirm: --all, or one or more --accommodation A (not "
        "both); see plansync confirm --help");
  }
  if (!flags.Has("--status")) {
    return absl::InvalidArgumentError(
        "plansync confirm needs --status provided, declined, not-applicable "
        "or not-provided");
  }
  ASSIGN_OR_RETURN(std::optional<int> status_number,
                   flags.Enum("--status", *v1::ConfirmationStatus_descriptor(),
                              {{"declined", 2}, {"n/a", 3}}));
  const auto status = static_cast<v1::ConfirmationStatus>(*status_number);
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(std::vector<v1::Assignment> mine,
                   MyAssignments(*store, kTeacher, day));

  // The students: the one named, else (with --class and --all) every
  // student of mine in that class, else my only student.
  std::vector<v1::Student> students;
  if (flags.Has("--student") || !flags.Has("--class") || !all) {
    ASSIGN_OR_RETURN(
        v1::Student student,
        ResolveStudent(*store, flags.Get("--student"), kTeacher, day));
    students.push_back(std::move(student));
  } else {
    for (const v1::Assignment& a : mine) {
      if (!absl::EqualsIgnoreCase(a.class_or_period(), flags.Get("--class"))) {
        continue;
      }
      absl::StatusOr<v1::Student> student =
          store->Get<v1::Student>(a.student_id());
      if (student.ok()) students.push_back(*std::move(student));
    }
    if (students.empty()) {
      return absl::NotFoundError(absl::StrCat(
          "you teach no student in \"", flags.Get("--class"), "\" on ", day,
          "; your classes: ", YourClasses(mine), "; nothing recorded"));
    }
  }

  struct Line {
    std::string student, title;
  };
  std::vector<v1::ImplementationConfirmation> entries;
  std::vector<Line> lines;
  // A class-wide confirmation is never blocked by one student: one with no
  // school or no plan in effect that day is skipped, and said so.
  const bool several = students.size() > 1;
  std::vector<std::string> skipped;
  for (const v1::Student& student : students) {
    ASSIGN_OR_RETURN(const std::string class_or_period,
                     ClassOf(mine, student, flags.Get("--class"), day));
    ASSIGN_OR_RETURN(std::optional<std::string> no_school,
                     NoSchoolReason(*store, student.school(), day));
    if (no_school.has_value()) {
      absl::Status why = absl::InvalidArgumentError(
          absl::StrCat(DayText(day), " is not a school day at ",
                       student.school().empty() ? "school" : student.school(),
                       " (", *no_school, ")"));
      if (!several) {
        return absl::Status(why.code(),
                            absl::StrCat(why.message(), "; nothing recorded"));
      }
      skipped.push_back(
          absl::StrCat(StudentName(student), ": ", why.message()));
      continue;
    }
    absl::StatusOr<v1::Plan> in_effect = RequirePlanOn(*store, student, day);
    if (!in_effect.ok()) {
      if (!several || !absl::IsNotFound(in_effect.status())) {
        return in_effect.status();
      }
      skipped.push_back(std::string(in_effect.status().message()));
      continue;
    }
    const v1::Plan& plan = *in_effect;
    std::vector<v1::Accommodation> accommodations;
    if (all) {
      // Only those due in this class that day: not another subject's, and
      // tests-only ones only on a test day.
      ASSIGN_OR_RETURN(std::vector<v1::Accommodation> applying,
                       AccommodationsOf(*store, plan.id(), day));
      ASSIGN_OR_RETURN(const bool test_day,
                       IsTestDay(*store, student.id(), class_or_period, day));
      SplitByScope(std::move(applying),
                   SubjectOf(mine, student, class_or_period), test_day,
                   &accommodations, nullptr);
    } else {
      for (const std::string& text : named) {
        ASSIGN_OR_RETURN(v1::Accommodation a,
                         FindAccommodation(*store, student, plan, text, day));
        if (std::none_of(accommodations.begin(), accommodations.end(),
                         [&](const auto& b) { return b.id() == a.id(); })) {
          accommodations.push_back(std::move(a));
        }
      }
    }
    for (const v1::Accommodation& a : accommodations) {
      v1::ImplementationConfirmation& entry = entries.emplace_back();
      entry.set_student_id(student.id());
      entry.set_accommodation_id(a.id());
      entry.set_day(day);
      entry.set_class_or_period(class_or_period);
      entry.set_status(status);
      entry.set_note(flags.Get("--note"));
      lines.push_back({StudentName(student), a.title()});
    }
  }
  if (entries.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "no accommodations apply on ", day,
        skipped.empty() ? ""
                        : absl::StrCat(" (", absl::StrJoin(skipped, "; "), ")"),
        "; nothing recorded"));
  }
  std::vector<std::string> ids;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    for (v1::ImplementationConfirmation& entry : entries) {
      ASSIGN_OR_RETURN(std::string id, store->Append(txn, entry));
      ids.push_back(std::move(id));
    }
    return absl::OkStatus();
  }));
  // The class, when all of them were in one.
  const bool one_class =
      std::all_of(entries.begin(), entries.end(), [&](const auto& entry) {
        return entry.class_or_period() == entries.front().class_or_period();
      });
  const std::string in_class =
      one_class && !entries.front().class_or_period().empty()
          ? absl::StrCat(", ", entries.front().class_or_period())
          : "";
  std::printf("Recorded %zu confirmation%s for %s%s: %s.\n", entries.size(),
              entries.size() == 1 ? "" : "s", DayText(day).c_str(),
              in_class.c_str(), ConfirmationText(status).c_str());
  for (size_t i = 0; i < entries.size(); ++i) {
    std::printf("  %s: %s (confirmation %s)\n", lines[i].student.c_str(),
                lines[i].title.c_str(), ids[i].c_str());
  }
  if (flags.Has("--note")) {
    std::printf("  note: %s\n", Quoted(flags.Get("--note")).c_str());
  }
  for (const std::string& line : skipped) {
    std::printf("  skipped %s\n", line.c_str());
  }
  return absl::OkStatus();
}

absl::Status RecordTest(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(const std::string day,
                   DayFlag(flags, "--day", today, today));
  RETURN_IF_ERROR(NotAfterToday("--day", day, today));
  ASSIGN_OR_RETURN(const std::string wanted, flags.Require("--class"));
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(std::vector<v1::Assignment> mine,
                   MyAssignments(*store, kTeacher, day));
  std::vector<v1::ClassTest> entries;
  std::vector<std::string> names, classes;
  for (const v1::Assignment& a : mine) {
    classes.push_back(a.class_or_period());
    if (!absl::EqualsIgnoreCase(a.class_or_period(), wanted)) continue;
    absl::StatusOr<v1::Student> student =
        store->Get<v1::Student>(a.student_id());
    if (!student.ok()) continue;  // not pulled yet
    ASSIGN_OR_RETURN(std::optional<std::string> no_school,
                     NoSchoolReason(*store, student->school(), day));
    if (no_school.has_value()) continue;
    v1::ClassTest& entry = entries.emplace_back();
    entry.set_student_id(student->id());
    entry.set_class_or_period(a.class_or_period());
    entry.set_day(day);
    entry.set_note(flags.Get("--note"));
    names.push_back(StudentName(*student));
  }
  if (entries.empty()) {
    std::sort(classes.begin(), classes.end());
    classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
    return absl::NotFoundError(
        absl::StrCat("you teach no student with school in \"", wanted, "\" on ",
                     day, "; your classes: ",
                     classes.empty() ? "none" : absl::StrJoin(classes, ", "),
                     "; nothing recorded"));
  }
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    for (v1::ClassTest& entry : entries) {
      RETURN_IF_ERROR(store->Append(txn, entry).status());
    }
    return absl::OkStatus();
  }));
  std::printf(
      "Recorded a test in %s on %s for %zu student%s: %s.\n"
      "  Their tests-only accommodations are due in this class that day.\n",
      entries.front().class_or_period().c_str(), DayText(day).c_str(),
      entries.size(), entries.size() == 1 ? "" : "s",
      absl::StrJoin(names, ", ").c_str());
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> TeacherCommands() {
  std::vector<Command> commands;
  commands.push_back(
      {.name = "test",
       .synopsis = "--class P [--day D] [--note T]",
       .summary = "record that a class had a test or quiz",
       .description =
           "Tests-only accommodations are due in a class on the days a test "
           "is recorded for it,\nand only then (plansync today lists them "
           "apart; confirm --all confirms them\nonly on a test day).",
       .flags = {{"--class", "P", "the class or period"},
                 {"--day", "D", "the school day (default: today)"},
                 {"--note", "T", "what the test was"}},
       .examples = {"plansync test --class \"Period 2 Math\" --note \"Unit 2 "
                    "quiz\""},
       .audience = Audience::kTeacher,
       .run = RecordTest});
  commands.push_back(
      {.name = "today",
       .synopsis = "[--day D] [--class P] [--json]",
       .summary = "the accommodations each of your students needs that day",
       .description =
           "Lists, class by class, the accommodations of the plan in effect "
           "for each student\nyou teach (your teacher assignments), and what "
           "you already confirmed that day.\nOn a weekend or a school "
           "holiday it says there is no school.",
       .flags = {{"--day", "D", "the day (default: today)"},
                 {"--class", "P", "only this class or period"},
                 {"--json", "", "print JSON"}},
       .examples = {"plansync today",
                    "plansync today --class \"Period 2 "
                    "Math\" --json"},
       .audience = Audience::kTeacher,
       .run = Today});
  commands.push_back(
      {.name = "confirm",
       .synopsis = "[--student S] (--all | --accommodation A...) --status "
                   "STATUS [--note T] [--class P] [--day D]",
       .summary = "confirm accommodations you provided (one or many at once)",
       .description =
           "Records what you did with each accommodation on a school day: "
           "provided,\ndeclined (offered and declined by the student), "
           "not-applicable (no occasion\nfor it) or not-provided. --all "
           "confirms every accommodation of the student's\nplan that "
           "applies that day; with --class and no --student, of every "
           "student\nof yours in that class. All of them are recorded "
           "together, or none.",
       .flags = {{"--student", "S", "the student, by name or id"},
                 {"--all", "", "every accommodation that applies that day"},
                 {"--accommodation", "A", "an accommodation, by title or id",
                  true},
                 {"--status", "STATUS",
                  "provided, declined, not-applicable or not-provided"},
                 {"--note", "T", "a note, e.g. what the test was"},
                 {"--class", "P",
                  "the class or period (default: yours with "
                  "the student)"},
                 {"--day", "D", "the school day (default: today)"}},
       .examples = {"plansync confirm --student Maya --all --status provided",
                    "plansync confirm --student Maya --accommodation "
                    "\"Extended time\" --accommodation Seating --status "
                    "declined --note \"Unit 2 test\"",
                    "plansync confirm --class \"Period 2 Math\" --all "
                    "--status provided"},
       .audience = Audience::kTeacher,
       .run = Confirm});
  return commands;
}

}  // namespace plansync::cli
