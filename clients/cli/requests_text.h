// A parent's requests in words, for `plansync request` and `requests`: the
// kind of request, each clock's state ("due Thursday 2026-10-08: 3 days
// left", "overdue by 4 days", "met on 2026-10-05"), its answers, and the
// JSON form.
#ifndef PLANSYNC_CLIENTS_CLI_REQUESTS_TEXT_H_
#define PLANSYNC_CLIENTS_CLI_REQUESTS_TEXT_H_

#include <string>

#include "clients/cli/output.h"
#include "core/device_store.h"
#include "plansync/v1/report.pb.h"

namespace plansync::cli {

// "records access", "initial evaluation", ...
std::string RequestKindText(v1::RequestKind kind);
// A clock's state: "due Thursday 2026-10-08: 3 days left", "due today",
// "overdue by 4 days (due Monday 2026-10-05)", "met on 2026-10-05", "met
// late on 2026-10-09 (due 2026-10-05)".
std::string ClockStateText(const v1::Deadline& clock);
// Prints the request's clocks, one a line, each after `indent`; or that
// its jurisdiction sets no fixed period for it.
void PrintClocks(const v1::RequestStatus& status, const char* indent);
// Prints the whole request: what, when sent and received, the text, the
// clocks and the answers.
void PrintRequest(DeviceStore& store, const v1::RequestStatus& status);
// The request as JSON: the request record, received_day, clock_start_day,
// jurisdiction, clocks (each with "state_text") and answers.
JsonObject RequestObject(const v1::RequestStatus& status);

}  // namespace plansync::cli

#endif  // PLANSYNC_CLIENTS_CLI_REQUESTS_TEXT_H_
