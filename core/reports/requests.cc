#include "core/reports/requests.h"

#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/district.h"
#include "core/enum_words.h"
#include "core/reports/compliance.h"

namespace plansync::reports {

std::vector<v1::RequestAnswer> RequestAnswers(const StudentRecords& records,
                                              const std::string& request_id,
                                              const absl::TimeZone& zone) {
  std::vector<v1::RequestAnswer> answers;
  auto add = [&](const std::string& day, const char* type,
                 const std::string& id, std::string description) {
    v1::RequestAnswer& answer = answers.emplace_back();
    answer.set_day(day);
    answer.set_record_type(type);
    answer.set_record_id(id);
    answer.set_description(std::move(description));
  };
  for (const v1::Notice& notice : records.notices) {
    if (notice.parent_request_id() != request_id) continue;
    if (!ParseDay(notice.sent_date()).has_value()) continue;  // not sent yet
    std::string what =
        EnumWords(*v1::NoticeType_descriptor(), notice.notice_type());
    if (notice.proposed_or_refused() != v1::NOTICE_ACTION_UNSPECIFIED) {
      absl::StrAppend(&what, " (",
                      EnumWords(*v1::NoticeAction_descriptor(),
                                notice.proposed_or_refused()),
                      ")");
    }
    add(notice.sent_date(), "Notice", notice.id(), std::move(what));
  }
  for (const v1::Meeting& meeting : records.meetings) {
    if (meeting.parent_request_id() != request_id) continue;
    const std::optional<Day> held = DayOfInstantIn(meeting.held_at(), zone);
    if (!held.has_value()) continue;  // scheduled, not yet held
    add(FormatDay(*held), "Meeting", meeting.id(),
        absl::StrCat(
            EnumWords(*v1::MeetingType_descriptor(), meeting.meeting_type()),
            " meeting held"));
  }
  for (const v1::RecordsRelease& release : records.releases) {
    if (release.parent_request_id() != request_id) continue;
    std::string what = "records released";
    if (release.released_via() != v1::REQUEST_CHANNEL_UNSPECIFIED) {
      absl::StrAppend(
          &what, " (",
          EnumWords(*v1::RequestChannel_descriptor(), release.released_via()),
          ")");
    }
    add(release.released_date(), "RecordsRelease", release.id(),
        std::move(what));
  }
  std::stable_sort(answers.begin(), answers.end(),
                   [](const v1::RequestAnswer& a, const v1::RequestAnswer& b) {
                     return a.day() < b.day();
                   });
  return answers;
}

std::vector<v1::RequestStatus> StudentRequests(const Caseload& caseload,
                                               const StudentRecords& records,
                                               const v1::RuleBook& book,
                                               Day today) {
  std::vector<v1::RequestStatus> out;
  const absl::TimeZone zone = ZoneOrUtc(caseload.district.time_zone());
  for (const v1::ParentRequest& request : records.requests) {
    v1::RequestStatus& status = out.emplace_back();
    *status.mutable_request() = request;
    if (auto received = RequestReceivedDay(records, request)) {
      status.set_received_day(FormatDay(*received));
    }
    for (v1::RequestAnswer& answer :
         RequestAnswers(records, request.id(), zone)) {
      *status.add_answers() = std::move(answer);
    }
    if (auto start = RequestClockStart(records, request)) {
      status.set_clock_start_day(FormatDay(*start));
    }
    RequestClocks clocks =
        ClocksOfRequest(caseload, records, request, book, today);
    status.set_jurisdiction(clocks.jurisdiction);
    for (v1::Deadline& deadline : clocks.deadlines) {
      *status.add_clocks() = std::move(deadline);
    }
  }
  std::stable_sort(
      out.begin(), out.end(),
      [](const v1::RequestStatus& a, const v1::RequestStatus& b) {
        return std::make_pair(a.request().sent_date(), a.request().id()) <
               std::make_pair(b.request().sent_date(), b.request().id());
      });
  return out;
}

}  // namespace plansync::reports
