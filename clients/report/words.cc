#include "clients/report/words.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/descriptor.h"

namespace plansync::report {

std::string EnumWords(const google::protobuf::EnumDescriptor* type, int value) {
  if (value == 0) return "";
  const google::protobuf::EnumValueDescriptor* found =
      type->FindValueByNumber(value);
  if (found == nullptr) return absl::StrCat(value);
  std::string name = found->name();
  // The value prefix is the enum's name in upper snake case.
  std::string prefix;
  for (char c : type->name()) {
    if (absl::ascii_isupper(c) && !prefix.empty()) prefix += '_';
    prefix += absl::ascii_toupper(c);
  }
  prefix += '_';
  if (absl::StartsWith(name, prefix)) name = name.substr(prefix.size());
  return absl::StrReplaceAll(absl::AsciiStrToLower(name), {{"_", " "}});
}

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
