#include "clients/cli/flags.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "clients/cli/record_args.h"
#include "core/enum_words.h"

namespace plansync::cli {

absl::StatusOr<Flags> Flags::Parse(const std::string& command,
                                   const std::vector<FlagSpec>& specs,
                                   const std::vector<std::string>& args) {
  Flags flags;
  flags.command_ = command;
  flags.specs_ = specs;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 3 || arg.rfind("--", 0) != 0) {
      flags.args_.push_back(arg);
      continue;
    }
    const size_t equals = arg.find('=');
    // Options are written with hyphens; the underscore spelling the server's
    // flag library also takes (--token_file) is the same option.
    const std::string name =
        absl::StrReplaceAll(arg.substr(0, equals), {{"_", "-"}});
    const FlagSpec* spec = flags.Spec(name);
    if (spec == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          command, " takes no option ", name, "; see ", command, " --help"));
    }
    std::string value;
    if (spec->value_name.empty()) {
      if (equals != std::string::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, " takes no value (", arg, ")"));
      }
    } else if (equals != std::string::npos) {
      value = arg.substr(equals + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " needs a value: ", name, " ", spec->value_name));
    }
    std::vector<std::string>& values = flags.values_[name];
    if (!values.empty() && !spec->repeated && !spec->value_name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " was given twice (\"", values.front(),
                       "\" and \"", value, "\"); give it once"));
    }
    values.push_back(std::move(value));
  }
  return flags;
}

const FlagSpec* Flags::Spec(absl::string_view name) const {
  for (const FlagSpec& spec : specs_) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

bool Flags::Has(absl::string_view name) const {
  return values_.find(name) != values_.end();
}

std::string Flags::Get(absl::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? "" : it->second.back();
}

std::vector<std::string> Flags::GetAll(absl::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

absl::StatusOr<std::string> Flags::Require(absl::string_view name) const {
  std::string value = Get(name);
  if (value.empty()) {
    const FlagSpec* spec = Spec(name);
    return absl::InvalidArgumentError(absl::StrCat(
        command_, " needs ", name, " ", spec == nullptr ? "" : spec->value_name,
        "; see ", command_, " --help"));
  }
  return value;
}

absl::StatusOr<std::optional<int64_t>> Flags::Int(absl::string_view name,
                                                  int64_t min,
                                                  int64_t max) const {
  if (!Has(name)) return std::nullopt;
  const std::string text = Get(name);
  int64_t number = 0;
  if (!absl::SimpleAtoi(text, &number) || number < min || number > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " takes a whole number from ", min, " to ", max,
                     "; got \"", text, "\""));
  }
  return number;
}

absl::StatusOr<std::optional<double>> Flags::Number(
    absl::string_view name) const {
  if (!Has(name)) return std::nullopt;
  const std::string text = Get(name);
  double number = 0;
  if (!absl::SimpleAtod(text, &number) || !std::isfinite(number)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " takes a number; got \"", text, "\""));
  }
  return number;
}

std::string EnumFlagWord(const google::protobuf::EnumDescriptor& type,
                         int number) {
  const auto* value = type.FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat(number);
  return absl::StrReplaceAll(
      absl::AsciiStrToLower(ShortEnumName(type, value->name())), {{"_", "-"}});
}

absl::StatusOr<std::optional<int>> Flags::Enum(
    absl::string_view name, const google::protobuf::EnumDescriptor& type,
    const std::map<std::string, int>& aliases) const {
  if (!Has(name)) return std::nullopt;
  const std::string text = absl::AsciiStrToLower(Get(name));
  const std::string word = absl::StrReplaceAll(text, {{"_", "-"}, {" ", "-"}});
  std::vector<std::string> words;
  for (int i = 0; i < type.value_count(); ++i) {
    const int number = type.value(i)->number();
    if (number == 0) continue;
    words.push_back(EnumFlagWord(type, number));
    if (word == words.back()) return number;
  }
  for (const auto& [alias, number] : aliases) {
    if (word == alias) return number;
  }
  return absl::InvalidArgumentError(absl::StrCat(name, ": \"", Get(name),
                                                 "\" is not one of ",
                                                 absl::StrJoin(words, ", ")));
}

}  // namespace plansync::cli
