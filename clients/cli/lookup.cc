#include "clients/cli/lookup.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/days.h"
#include "clients/cli/output.h"
#include "core/plan_timeline.h"
#include "core/status_macros.h"

namespace plansync::cli {
namespace {

// "case manager", "provider or case manager", "teacher, provider or case
// manager": the roles of `roles`, any one of them.
std::string RolesPhrase(RoleSet roles) {
  std::vector<std::string> names;
  for (int role = v1::Role_MIN; role <= v1::Role_MAX; ++role) {
    if (role != v1::ROLE_UNSPECIFIED &&
        (roles & RoleBit(static_cast<v1::Role>(role))) != 0) {
      names.push_back(RoleName(static_cast<v1::Role>(role)));
    }
  }
  if (names.size() < 2) return absl::StrJoin(names, "");
  const std::string last = names.back();
  names.pop_back();
  return absl::StrCat(absl::StrJoin(names, ", "), " or ", last);
}

// The candidates whose key matches `text`: exactly (any case) if some do,
// else those containing it.
template <typename T>
std::vector<const T*> Match(const std::vector<T>& candidates,
                            absl::string_view text,
                            std::string (*key)(const T&)) {
  std::vector<const T*> exact, partial;
  for (const T& candidate : candidates) {
    const std::string name = key(candidate);
    if (absl::EqualsIgnoreCase(name, text)) exact.push_back(&candidate);
    if (absl::StrContains(absl::AsciiStrToLower(name),
                          absl::AsciiStrToLower(text))) {
      partial.push_back(&candidate);
    }
  }
  return exact.empty() ? partial : exact;
}

std::string TitleOf(const v1::Accommodation& a) { return a.title(); }
std::string TypeOf(const v1::Service& s) { return s.service_type(); }

template <typename T>
std::string Names(const std::vector<T>& records, std::string (*key)(const T&)) {
  std::vector<std::string> names;
  for (const T& record : records) names.push_back(Quoted(key(record)));
  return names.empty() ? "none" : absl::StrJoin(names, ", ");
}

// Finds the record of a plan named by `text` (see FindAccommodation).
template <typename T>
absl::StatusOr<T> FindInPlan(DeviceStore& store, const v1::Student& student,
                             const v1::Plan& plan, absl::string_view text,
                             absl::string_view day, absl::string_view what,
                             const std::vector<T>& applying,
                             std::string (*key)(const T&)) {
  ASSIGN_OR_RETURN(const std::string id,
                   store.ResolveId(*Schema::Get().For(T::descriptor()), text));
  absl::StatusOr<T> by_id = store.Get<T>(id);
  if (by_id.ok() && by_id->student_id() == student.id() && !by_id->deleted()) {
    if (!Applies(by_id->start_date(), by_id->end_date(), day)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the ", what, " ", Quoted(key(*by_id)), " applies from ",
          by_id->start_date().empty() ? "the plan's start"
                                      : by_id->start_date(),
          " to ",
          by_id->end_date().empty() ? "the plan's end" : by_id->end_date(),
          ", not on ", day));
    }
    return by_id;
  }
  std::vector<const T*> found = Match(applying, text, key);
  if (found.size() == 1) return *found.front();
  if (found.empty()) {
    return absl::NotFoundError(
        absl::StrCat("no ", what, " \"", text, "\" in ", StudentName(student),
                     "'s ", PlanKindText(plan.kind()), "; the ", what,
                     "s are: ", Names(applying, key)));
  }
  std::vector<std::string> names;
  for (const T* record : found) names.push_back(Quoted(key(*record)));
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text, "\" could be any of ",
                   absl::StrJoin(names, ", "), "; say which"));
}

}  // namespace

bool InForce(const v1::Assignment& assignment, absl::string_view day) {
  return !assignment.deleted() &&
         Applies(assignment.start_date(), assignment.end_date(), day);
}

bool Applies(absl::string_view start, absl::string_view end,
             absl::string_view day) {
  if (day.empty()) return true;
  return (start.empty() || start <= day) && (end.empty() || day <= end);
}

absl::StatusOr<std::vector<v1::Assignment>> MyAssignments(
    DeviceStore& store, RoleSet roles, absl::string_view day) {
  ASSIGN_OR_RETURN(std::vector<v1::Assignment> all,
                   store.List<v1::Assignment>("user_id", store.principal_id()));
  std::vector<v1::Assignment> mine;
  for (v1::Assignment& assignment : all) {
    if ((roles & RoleBit(assignment.role())) != 0 && InForce(assignment, day)) {
      mine.push_back(std::move(assignment));
    }
  }
  return mine;
}

absl::StatusOr<RoleSet> MyRolesOn(DeviceStore& store,
                                  absl::string_view student_id,
                                  absl::string_view day) {
  ASSIGN_OR_RETURN(std::vector<v1::Assignment> mine,
                   MyAssignments(store, kAllRoles, day));
  RoleSet roles = 0;
  for (const v1::Assignment& assignment : mine) {
    if (assignment.student_id() == student_id) {
      roles |= RoleBit(assignment.role());
    }
  }
  return roles;
}

absl::Status RequireRole(DeviceStore& store, const v1::Student& student,
                         RoleSet roles, absl::string_view day) {
  ASSIGN_OR_RETURN(RoleSet held, MyRolesOn(store, student.id(), day));
  if ((held & roles) != 0) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "you are not the ", RolesPhrase(roles), " of ", StudentName(student),
      " on ", day,
      held == 0 ? "" : absl::StrCat(" (you are their ", RoleSetName(held), ")"),
      "; nothing recorded"));
}

absl::StatusOr<std::vector<v1::Student>> MyStudents(DeviceStore& store,
                                                    RoleSet roles,
                                                    absl::string_view day) {
  ASSIGN_OR_RETURN(std::vector<v1::Assignment> mine,
                   MyAssignments(store, roles, day));
  std::vector<v1::Student> students;
  for (const v1::Assignment& assignment : mine) {
    if (std::any_of(students.begin(), students.end(), [&](const auto& s) {
          return s.id() == assignment.student_id();
        })) {
      continue;
    }
    absl::StatusOr<v1::Student> student =
        store.Get<v1::Student>(assignment.student_id());
    if (student.ok() && !student->deleted()) {
      students.push_back(*std::move(student));
    }
  }
  return students;
}

absl::StatusOr<std::vector<v1::Student>> ResolveStudents(
    DeviceStore& store, absl::string_view text, RoleSet roles,
    absl::string_view day) {
  if (!text.empty()) {
    ASSIGN_OR_RETURN(v1::Student student,
                     ResolveStudent(store, text, roles, day));
    return std::vector<v1::Student>{std::move(student)};
  }
  ASSIGN_OR_RETURN(std::vector<v1::Student> students,
                   MyStudents(store, roles, day));
  if (students.empty()) return ResolveStudent(store, text, roles, day).status();
  return students;
}

absl::StatusOr<v1::Student> ResolveStudent(DeviceStore& store,
                                           absl::string_view text,
                                           RoleSet roles,
                                           absl::string_view day) {
  ASSIGN_OR_RETURN(std::vector<v1::Student> students,
                   MyStudents(store, roles, day));
  std::vector<std::string> names;
  for (const v1::Student& student : students) {
    names.push_back(StudentName(student));
  }
  const std::string whose =
      absl::StrCat("you are the ", RolesPhrase(roles), " of ");
  if (text.empty()) {
    if (students.size() == 1) return students.front();
    if (students.empty()) {
      return absl::NotFoundError(absl::StrCat(
          "you are not the ", RolesPhrase(roles), " of any student on ", day,
          " as far as this device knows; sync, then try again"));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        whose, absl::StrJoin(names, ", "), "; say which with --student NAME"));
  }
  std::vector<const v1::Student*> found;
  for (const v1::Student& student : students) {
    const std::string family = absl::StrCat(" ", student.family_name());
    if (student.id() == text || student.local_id() == text ||
        absl::EqualsIgnoreCase(StudentName(student), text) ||
        absl::EqualsIgnoreCase(student.given_name() + family, text) ||
        absl::EqualsIgnoreCase(student.given_name(), text) ||
        absl::EqualsIgnoreCase(student.preferred_name(), text)) {
      found.push_back(&student);
    }
  }
  if (found.size() == 1) return *found.front();
  if (found.empty()) {
    return absl::NotFoundError(
        absl::StrCat("no student \"", text, "\" of yours: ", whose,
                     names.empty() ? "no student on this device"
                                   : absl::StrJoin(names, ", ")));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text,
                   "\" names more than one of your students; "
                   "give the student's id or full name"));
}

std::string StudentNameOf(DeviceStore& store, absl::string_view id) {
  absl::StatusOr<v1::Student> student = store.Get<v1::Student>(id);
  return student.ok() ? StudentName(*student) : std::string(id);
}

std::string UserName(DeviceStore& store, absl::string_view user_id) {
  if (user_id.empty()) return "(nobody)";
  absl::StatusOr<v1::User> user = store.Get<v1::User>(user_id);
  return user.ok() && !user->display_name().empty() ? user->display_name()
                                                    : std::string(user_id);
}

absl::StatusOr<std::optional<v1::Plan>> PlanOn(DeviceStore& store,
                                               absl::string_view student_id,
                                               absl::string_view day) {
  ASSIGN_OR_RETURN(std::vector<v1::Plan> plans,
                   store.ListByStudent<v1::Plan>(student_id));
  const PlanTimeline timeline(plans);
  const v1::Plan* plan = timeline.InEffectOn(day);
  if (plan == nullptr) return std::nullopt;
  return *plan;
}

absl::StatusOr<v1::Plan> RequirePlanOn(DeviceStore& store,
                                       const v1::Student& student,
                                       absl::string_view day) {
  ASSIGN_OR_RETURN(std::optional<v1::Plan> plan,
                   PlanOn(store, student.id(), day));
  if (!plan.has_value()) {
    return absl::NotFoundError(absl::StrCat(StudentName(student),
                                            " has no plan in effect on ",
                                            DayText(day), " on this device"));
  }
  return *std::move(plan);
}

absl::StatusOr<std::string> PlanDaysText(DeviceStore& store,
                                         const v1::Plan& plan) {
  ASSIGN_OR_RETURN(std::vector<v1::Plan> plans,
                   store.ListByStudent<v1::Plan>(plan.student_id()));
  const PlanTimeline timeline(plans);
  std::vector<std::string> spans;
  for (const PlanSpan& span : timeline.spans()) {
    if (span.plan->id() != plan.id()) continue;
    spans.push_back(
        absl::StrCat(span.first == kBeforeAnyDay
                         ? "before any stated day"
                         : absl::StrCat("from ", FormatDay(span.first)),
                     span.last ? absl::StrCat(" to ", FormatDay(*span.last))
                               : std::string(" until replaced or ended")));
  }
  if (spans.empty()) {
    return std::string(
        "never (a draft, archived, or replaced before its first day)");
  }
  return absl::StrJoin(spans, ", then ");
}

std::string PriorNoticeName(absl::string_view jurisdiction) {
  return jurisdiction == "US-MO" ? "Notice of Action" : "prior written notice";
}

absl::StatusOr<std::vector<v1::Accommodation>> AccommodationsOf(
    DeviceStore& store, absl::string_view plan_id, absl::string_view day) {
  ASSIGN_OR_RETURN(std::vector<v1::Accommodation> all,
                   store.List<v1::Accommodation>("plan_id", plan_id));
  std::vector<v1::Accommodation> out;
  for (v1::Accommodation& a : all) {
    if (Applies(a.start_date(), a.end_date(), day)) out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.title() < b.title(); });
  return out;
}

absl::StatusOr<std::vector<v1::Service>> ServicesOf(DeviceStore& store,
                                                    absl::string_view plan_id,
                                                    absl::string_view day) {
  ASSIGN_OR_RETURN(std::vector<v1::Service> all,
                   store.List<v1::Service>("plan_id", plan_id));
  std::vector<v1::Service> out;
  for (v1::Service& s : all) {
    if (Applies(s.start_date(), s.end_date(), day)) out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.service_type() < b.service_type();
  });
  return out;
}

absl::StatusOr<std::vector<v1::Goal>> GoalsOf(DeviceStore& store,
                                              absl::string_view plan_id) {
  ASSIGN_OR_RETURN(std::vector<v1::Goal> goals,
                   store.List<v1::Goal>("plan_id", plan_id));
  std::sort(goals.begin(), goals.end(),
            [](const auto& a, const auto& b) { return a.area() < b.area(); });
  return goals;
}

absl::StatusOr<v1::Accommodation> FindAccommodation(DeviceStore& store,
                                                    const v1::Student& student,
                                                    const v1::Plan& plan,
                                                    absl::string_view text,
                                                    absl::string_view day) {
  ASSIGN_OR_RETURN(std::vector<v1::Accommodation> applying,
                   AccommodationsOf(store, plan.id(), day));
  return FindInPlan(store, student, plan, text, day, "accommodation", applying,
                    &TitleOf);
}

absl::StatusOr<v1::Service> FindService(DeviceStore& store,
                                        const v1::Student& student,
                                        const v1::Plan& plan,
                                        absl::string_view text,
                                        absl::string_view day) {
  ASSIGN_OR_RETURN(std::vector<v1::Service> applying,
                   ServicesOf(store, plan.id(), day));
  return FindInPlan(store, student, plan, text, day, "service", applying,
                    &TypeOf);
}

std::string RecordLabel(DeviceStore& store, const RecordType& type,
                        absl::string_view id) {
  std::unique_ptr<google::protobuf::Message> record = NewRecordMessage(type);
  if (!store.Get(id, record.get()).ok()) return "";
  if (const auto* student = dynamic_cast<const v1::Student*>(record.get())) {
    return StudentName(*student);
  }
  if (const auto* plan = dynamic_cast<const v1::Plan*>(record.get())) {
    return absl::StrCat(PlanKindText(plan->kind()), " version ",
                        plan->version());
  }
  for (const char* name : {"title", "service_type", "area", "display_name",
                           "name_or_role", "description"}) {
    const FieldInfo* field = type.FieldByName(name);
    if (field == nullptr) continue;
    std::string text =
        record->GetReflection()->GetString(*record, field->descriptor);
    if (text.size() > 60) {
      size_t cut = 57;  // not inside a UTF-8 sequence
      while (cut > 0 &&
             (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;
      }
      text = absl::StrCat(text.substr(0, cut), "...");
    }
    if (!text.empty()) return text;
  }
  return "";
}

absl::Status NotHeld(absl::string_view what, absl::string_view id) {
  return absl::NotFoundError(
      absl::StrCat("there is no ", what, " ", id,
                   " on this device (sync first if it was just made "
                   "elsewhere)"));
}

}  // namespace plansync::cli
