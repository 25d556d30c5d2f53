#include "clients/cli/requests_text.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "clients/cli/days.h"
#include "clients/cli/lookup.h"
#include "core/enum_words.h"

namespace plansync::cli {
namespace {

std::string DaysText(int n) {
  return absl::StrCat(n, n == 1 ? " day" : " days");
}

}  // namespace

std::string RequestKindText(v1::RequestKind kind) {
  if (kind == v1::REQUEST_KIND_PLAN_MEETING) return "IEP or 504 meeting";
  if (kind == v1::REQUEST_KIND_SECTION_504_EVALUATION) {
    return "Section 504 evaluation";
  }
  if (kind == v1::REQUEST_KIND_INDEPENDENT_EVALUATION) {
    return "independent educational evaluation";
  }
  return EnumWords(*v1::RequestKind_descriptor(), kind);
}

std::string ClockStateText(const v1::Deadline& clock) {
  switch (clock.state()) {
    case v1::Deadline::MET:
      return absl::StrCat("met on ", DayText(clock.met_day()));
    case v1::Deadline::MET_LATE:
      return absl::StrCat("met late on ", DayText(clock.met_day()), " (due ",
                          DayText(clock.due_day()), ")");
    case v1::Deadline::OVERDUE:
      return absl::StrCat("OVERDUE by ", DaysText(-clock.days_left()), " (due ",
                          DayText(clock.due_day()), ")");
    default:
      if (clock.days_left() == 0) {
        return absl::StrCat("due today, ", DayText(clock.due_day()));
      }
      return absl::StrCat("due ", DayText(clock.due_day()), ": ",
                          DaysText(clock.days_left()), " left");
  }
}

void PrintClocks(const v1::RequestStatus& status, const char* indent) {
  if (status.clocks().empty()) {
    std::printf(
        "%sclock: none fixed by the %s rules for this kind of request\n",
        indent, status.jurisdiction().c_str());
    return;
  }
  for (const v1::Deadline& clock : status.clocks()) {
    std::printf("%sclock: %s (%s, %s), from %s\n%s  %s\n", indent,
                clock.title().c_str(), clock.jurisdiction().c_str(),
                clock.source().c_str(), clock.anchor_day().c_str(), indent,
                ClockStateText(clock).c_str());
  }
}

void PrintRequest(DeviceStore& store, const v1::RequestStatus& status) {
  const v1::ParentRequest& request = status.request();
  std::printf(
      "  %s: %s, sent by %s (request %s, recorded by %s)\n",
      request.sent_date().c_str(),
      RequestKindText(request.request_kind()).c_str(),
      EnumWords(*v1::RequestChannel_descriptor(), request.sent_via()).c_str(),
      request.id().c_str(), UserName(store, request.author_id()).c_str());
  std::printf("    %s\n", Quoted(request.text()).c_str());
  if (status.received_day().empty()) {
    std::printf("    no receipt recorded by the school\n");
  } else {
    std::printf("    received by the school %s\n",
                DayText(status.received_day()).c_str());
  }
  PrintClocks(status, "    ");
  if (status.answers().empty()) std::printf("    no answer recorded yet\n");
  for (const v1::RequestAnswer& answer : status.answers()) {
    std::printf("    answered %s: %s (%s %s)\n", DayText(answer.day()).c_str(),
                answer.description().c_str(), answer.record_type().c_str(),
                answer.record_id().c_str());
  }
}

JsonObject RequestObject(const v1::RequestStatus& status) {
  JsonObject out;
  *PutObject(out, "request") = RecordObject(status.request());
  PutText(out, "kind_text", RequestKindText(status.request().request_kind()));
  PutText(out, "received_day", status.received_day());
  PutText(out, "clock_start_day", status.clock_start_day());
  PutText(out, "jurisdiction", status.jurisdiction());
  JsonList* clocks = PutList(out, "clocks");
  for (const v1::Deadline& clock : status.clocks()) {
    JsonObject* item = AddObject(*clocks);
    *item = RecordObject(clock);
    PutText(*item, "state_text", ClockStateText(clock));
  }
  JsonList* answers = PutList(out, "answers");
  for (const v1::RequestAnswer& answer : status.answers()) {
    *AddObject(*answers) = RecordObject(answer);
  }
  return out;
}

}  // namespace plansync::cli
