#include "clients/report/words.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace plansync::report {

std::string Percent(double rate, bool any) {
  if (!any) return "-";
  return absl::StrCat(std::lround(rate * 100), "%");
}

absl::flat_hash_map<std::string, std::string> StudentNames(
    const v1::Report& report) {
  absl::flat_hash_map<std::string, std::string> names;
  for (const v1::ReportStudent& student : report.students()) {
    names[student.student_id()] = student.name();
  }
  return names;
}

}  // namespace plansync::report
