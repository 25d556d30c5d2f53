// The report as tables of words, one or more per section: what the text, CSV
// and HTML renderers lay out, so the three show the same figures.
#ifndef PLANSYNC_CLIENTS_REPORT_TABLES_H_
#define PLANSYNC_CLIENTS_REPORT_TABLES_H_

#include <string>
#include <vector>

#include "clients/report/render.h"
#include "plansync/v1/report.pb.h"

namespace plansync::report {

struct Table {
  std::string id;       // e.g. "compliance"; CSV and HTML anchors
  std::string title;    // e.g. "Compliance calendar"
  std::string summary;  // one line of totals, may be empty
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  // The student each row is about, by id, in row order; empty for a table
  // whose rows are not a student's (sync health).
  std::vector<std::string> row_student_ids = {};
};

std::vector<Table> Tables(const v1::Report& report, Section section);

}  // namespace plansync::report

#endif  // PLANSYNC_CLIENTS_REPORT_TABLES_H_
