// The records the reports read, loaded once from a device store: the
// caseload's students (one, or every student on the device) and their
// records, plus the directory. Report sections are pure functions of a
// Caseload, tested without a store.
#ifndef PLANSYNC_CORE_REPORTS_CASELOAD_H_
#define PLANSYNC_CORE_REPORTS_CASELOAD_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/device_store.h"
#include "plansync/v1/records.pb.h"

namespace plansync::reports {

// One student's records (archived mutable records left out). Log entries are
// as corrected (core/corrections.h): a corrected field holds its latest
// corrected value, and withdrawn entries are left out; `corrections` holds
// the trail.
struct StudentRecords {
  v1::Student student;
  std::vector<v1::Plan> plans;
  std::vector<v1::Accommodation> accommodations;
  std::vector<v1::Service> services;
  std::vector<v1::Goal> goals;
  std::vector<v1::Assignment> assignments;
  std::vector<v1::Meeting> meetings;
  std::vector<v1::MeetingAttendee> attendees;
  std::vector<v1::MeetingDecision> decisions;
  std::vector<v1::Notice> notices;
  std::vector<v1::ImplementationConfirmation> confirmations;
  std::vector<v1::LapseReport> lapses;
  std::vector<v1::LapseResponse> responses;
  std::vector<v1::ServiceSession> sessions;
  std::vector<v1::Conflict> conflicts;
  std::vector<v1::AccessLogEntry> access_log;
  std::vector<v1::Correction> corrections;
  std::vector<v1::ClassTest> class_tests;
  std::vector<v1::ParentRequest> requests;
  std::vector<v1::RequestReceipt> receipts;
  std::vector<v1::RecordsRelease> releases;
  std::vector<v1::ProgressReport> progress_reports;
};

struct Caseload {
  std::vector<StudentRecords> students;  // by student id
  std::vector<v1::SchoolHoliday> holidays;
  // Display names of the directory's users, by id.
  absl::flat_hash_map<std::string, std::string> user_names;
  // The District record that counts (core/district.h); empty if none: its
  // jurisdiction holds the requests of a student with no plan, its
  // report-card days the goals reported with report cards.
  v1::District district;
};

// Loads the records of `student_id`, or of every student on the device if
// it is empty. NOT_FOUND (UNKNOWN_RECORD) for a student not on the device.
absl::StatusOr<Caseload> LoadCaseload(DeviceStore& store,
                                      absl::string_view student_id);

// "Given Family" (the preferred name in place of the given one if set).
std::string StudentName(const v1::Student& student);

// The display name of `user_id`, or the id itself if the directory does not
// hold it.
std::string UserName(const Caseload& caseload, const std::string& user_id);

}  // namespace plansync::reports

#endif  // PLANSYNC_CORE_REPORTS_CASELOAD_H_
