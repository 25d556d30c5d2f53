#include "core/reports/concerns.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"

namespace plansync::reports {
namespace {

// Why the record disagrees with `lapse`, or "" if it does not.
std::string Dispute(const Caseload& caseload, const StudentRecords& records,
                    const v1::LapseReport& lapse,
                    const v1::LapseResponse* response) {
  if (response != nullptr &&
      response->response() == v1::LAPSE_RESPONSE_STATUS_DISPUTED) {
    return "the school disputes the report";
  }
  if (!lapse.accommodation_id().empty()) {
    for (const v1::ImplementationConfirmation& c : records.confirmations) {
      if (c.accommodation_id() == lapse.accommodation_id() &&
          c.day() == lapse.day() &&
          c.status() == v1::CONFIRMATION_STATUS_PROVIDED) {
        return absl::StrCat(UserName(caseload, c.author_id()),
                            " confirmed it provided that day");
      }
    }
  }
  if (!lapse.service_id().empty()) {
    for (const v1::ServiceSession& s : records.sessions) {
      if (s.service_id() == lapse.service_id() && s.day() == lapse.day() &&
          (s.outcome() == v1::SESSION_OUTCOME_DELIVERED ||
           s.outcome() == v1::SESSION_OUTCOME_MAKE_UP)) {
        return absl::StrCat(UserName(caseload, s.author_id()),
                            " logged a session delivered that day");
      }
    }
  }
  return "";
}

std::string About(const StudentRecords& records, const v1::LapseReport& lapse) {
  for (const v1::Accommodation& a : records.accommodations) {
    if (a.id() == lapse.accommodation_id()) return a.title();
  }
  for (const v1::Service& s : records.services) {
    if (s.id() == lapse.service_id()) return s.service_type();
  }
  return "";
}

}  // namespace

v1::ParentConcerns BuildParentConcerns(const Caseload& caseload, Day today) {
  v1::ParentConcerns concerns;
  std::vector<v1::Concern> all;
  for (const StudentRecords& records : caseload.students) {
    for (const v1::LapseReport& lapse : records.lapses) {
      const v1::LapseResponse* latest = nullptr;
      for (const v1::LapseResponse& response : records.responses) {
        if (response.lapse_report_id() == lapse.id() &&
            (latest == nullptr ||
             response.recorded_hlc() > latest->recorded_hlc())) {
          latest = &response;
        }
      }
      v1::Concern concern;
      concern.set_student_id(records.student.id());
      concern.set_lapse_report_id(lapse.id());
      concern.set_day(lapse.day());
      concern.set_accommodation_id(lapse.accommodation_id());
      concern.set_service_id(lapse.service_id());
      concern.set_about(About(records, lapse));
      concern.set_what_happened(lapse.what_happened());
      concern.set_author_user_id(lapse.author_id());
      if (auto day = ParseDay(lapse.day())) {
        concern.set_age_days(static_cast<int32_t>(today - *day));
      }
      if (latest != nullptr) {
        concern.set_response_status(latest->response());
        concern.set_response_note(latest->note());
        concern.set_remedy(latest->remedy());
      }
      concern.set_open(latest == nullptr ||
                       latest->response() !=
                           v1::LAPSE_RESPONSE_STATUS_RESOLVED);
      const std::string dispute = Dispute(caseload, records, lapse, latest);
      concern.set_disputed(!dispute.empty());
      concern.set_dispute(dispute);
      if (concern.open()) concerns.set_open(concerns.open() + 1);
      if (concern.disputed()) concerns.set_disputed(concerns.disputed() + 1);
      all.push_back(std::move(concern));
    }
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const v1::Concern& a, const v1::Concern& b) {
                     if (a.open() != b.open()) return a.open();
                     return a.day() < b.day();
                   });
  for (v1::Concern& concern : all)
    *concerns.add_concerns() = std::move(concern);
  return concerns;
}

}  // namespace plansync::reports
