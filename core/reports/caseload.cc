#include "core/reports/caseload.h"

#include "absl/strings/str_cat.h"
#include "core/corrections.h"
#include "core/district.h"
#include "core/status_macros.h"

namespace plansync::reports {
namespace {

// Reads every record of T for the student into `out`.
template <typename T>
absl::Status Load(DeviceStore& store, const std::string& student_id,
                  std::vector<T>* out) {
  ASSIGN_OR_RETURN(*out, store.ListByStudent<T>(student_id));
  return absl::OkStatus();
}

absl::StatusOr<StudentRecords> LoadStudent(DeviceStore& store,
                                           const v1::Student& student) {
  StudentRecords r;
  r.student = student;
  const std::string& id = student.id();
  RETURN_IF_ERROR(Load(store, id, &r.plans));
  RETURN_IF_ERROR(Load(store, id, &r.accommodations));
  RETURN_IF_ERROR(Load(store, id, &r.services));
  RETURN_IF_ERROR(Load(store, id, &r.goals));
  RETURN_IF_ERROR(Load(store, id, &r.assignments));
  RETURN_IF_ERROR(Load(store, id, &r.meetings));
  RETURN_IF_ERROR(Load(store, id, &r.attendees));
  RETURN_IF_ERROR(Load(store, id, &r.decisions));
  RETURN_IF_ERROR(Load(store, id, &r.notices));
  RETURN_IF_ERROR(Load(store, id, &r.confirmations));
  RETURN_IF_ERROR(Load(store, id, &r.lapses));
  RETURN_IF_ERROR(Load(store, id, &r.responses));
  RETURN_IF_ERROR(Load(store, id, &r.sessions));
  RETURN_IF_ERROR(Load(store, id, &r.conflicts));
  RETURN_IF_ERROR(Load(store, id, &r.access_log));
  RETURN_IF_ERROR(Load(store, id, &r.corrections));
  RETURN_IF_ERROR(Load(store, id, &r.class_tests));
  RETURN_IF_ERROR(Load(store, id, &r.requests));
  RETURN_IF_ERROR(Load(store, id, &r.receipts));
  RETURN_IF_ERROR(Load(store, id, &r.releases));
  RETURN_IF_ERROR(Load(store, id, &r.progress_reports));
  const CorrectionIndex corrections(r.corrections);
  corrections.ApplyAll(&r.confirmations);
  corrections.ApplyAll(&r.lapses);
  corrections.ApplyAll(&r.responses);
  corrections.ApplyAll(&r.sessions);
  corrections.ApplyAll(&r.requests);
  corrections.ApplyAll(&r.receipts);
  corrections.ApplyAll(&r.releases);
  corrections.ApplyAll(&r.progress_reports);
  return r;
}

}  // namespace

absl::StatusOr<Caseload> LoadCaseload(DeviceStore& store,
                                      absl::string_view student_id) {
  Caseload caseload;
  std::vector<v1::Student> students;
  if (student_id.empty()) {
    ASSIGN_OR_RETURN(students, store.List<v1::Student>("", ""));
  } else {
    ASSIGN_OR_RETURN(v1::Student student, store.Get<v1::Student>(student_id));
    students.push_back(std::move(student));
  }
  for (const v1::Student& student : students) {
    ASSIGN_OR_RETURN(StudentRecords records, LoadStudent(store, student));
    caseload.students.push_back(std::move(records));
  }
  ASSIGN_OR_RETURN(caseload.holidays, store.List<v1::SchoolHoliday>("", ""));
  ASSIGN_OR_RETURN(std::vector<v1::User> users,
                   store.List<v1::User>("", "", /*include_archived=*/true));
  for (const v1::User& user : users) {
    caseload.user_names[user.id()] = user.display_name();
  }
  ASSIGN_OR_RETURN(std::vector<v1::District> districts,
                   store.List<v1::District>("", ""));
  if (const v1::District* district = CountingDistrict(districts)) {
    caseload.district = *district;
  }
  return caseload;
}

std::string StudentName(const v1::Student& student) {
  return absl::StrCat(student.preferred_name().empty()
                          ? student.given_name()
                          : student.preferred_name(),
                      " ", student.family_name());
}

std::string UserName(const Caseload& caseload, const std::string& user_id) {
  auto it = caseload.user_names.find(user_id);
  return it == caseload.user_names.end() || it->second.empty() ? user_id
                                                               : it->second;
}

}  // namespace plansync::reports
