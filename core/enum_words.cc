#include "core/enum_words.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace plansync {

std::string ShortEnumName(const google::protobuf::EnumDescriptor& type,
                          const std::string& name) {
  std::string prefix;
  for (char c : type.name()) {
    if (absl::ascii_isupper(c) && !prefix.empty()) prefix.push_back('_');
    prefix.push_back(absl::ascii_toupper(c));
  }
  prefix.push_back('_');
  return absl::StartsWith(name, prefix) ? name.substr(prefix.size()) : name;
}

std::string EnumWords(const google::protobuf::EnumDescriptor& type,
                      int number) {
  if (number == 0) return "";
  const google::protobuf::EnumValueDescriptor* value =
      type.FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat(number);
  return absl::StrReplaceAll(
      absl::AsciiStrToLower(ShortEnumName(type, value->name())), {{"_", " "}});
}

std::string PlanKindText(v1::PlanKind kind) {
  switch (kind) {
    case v1::PLAN_KIND_IEP:
      return "IEP";
    case v1::PLAN_KIND_SECTION_504:
      return "Section 504 plan";
    default:
      return "plan";
  }
}

}  // namespace plansync
