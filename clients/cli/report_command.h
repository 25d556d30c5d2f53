// `plansync report`: the case manager's review, computed from the device's
// own store (works offline) and rendered as text, JSON, CSV or HTML.
#ifndef PLANSYNC_CLIENTS_CLI_REPORT_COMMAND_H_
#define PLANSYNC_CLIENTS_CLI_REPORT_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/device_store.h"

namespace plansync::cli {

inline constexpr char kReportUsage[] =
    R"(usage: plansync report [SECTION] [--format text|json|csv|html] [--json]
                       [--out FILE] [--student ID] [--from DAY] [--to DAY]
                       [--rules FILE]

The case manager's consolidated review of the students on this device,
computed from this device's records (no network needed):
  compliance      deadlines from the plan's jurisdiction rules: due, days
                  left, overdue, met
  services        minutes mandated against delivered, by week and month;
                  missed sessions by reason; make-ups owed and done
  accommodations  accommodation x school day x teacher; implementation rate;
                  days with nothing logged
  concerns        parents' lapse reports, their age and response; disputes
  conflicts       concurrent edits waiting for review
  meetings        meetings, attendees, decisions without prior written notice
  sync            this device's pending and rejected changes; users not seen
  all             every section (the default)

--format html writes one self-contained page with charts (use --out).
--json is --format json. --out writes the file owner-only (student data).
The window is --from .. --to (default: 1 August of this school year to
today). Today is the system's date, or $PLANSYNC_TODAY (YYYY-MM-DD).
--rules FILE loads a compliance rule book (plansync.v1.RuleBook, text
format) instead of the built-in one.

examples:
  plansync --db cm.db report
  plansync --db cm.db report services --from 2026-09-01 --format csv
  plansync --db cm.db report --format html --out caseload.html
  plansync --db cm.db report concerns --student $S --json
)";

// Runs `plansync report` with the arguments after "report". Says what it
// wrote on stderr (progress, and the file written with --out); the report
// goes to stdout without --out.
absl::Status RunReport(DeviceStore& store,
                       const std::vector<std::string>& args);

// Today's day: $PLANSYNC_TODAY if set (INVALID_ARGUMENT if malformed), else
// the system clock's UTC day.
absl::StatusOr<std::string> Today();

}  // namespace plansync::cli

#endif  // PLANSYNC_CLIENTS_CLI_REPORT_COMMAND_H_
