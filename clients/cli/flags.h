// The options of one command ("--student S", "--json"), parsed against the
// command's list of the options it takes, and typed reads of them that say
// in plain words what is wrong with a bad value.
#ifndef PLANSYNC_CLIENTS_CLI_FLAGS_H_
#define PLANSYNC_CLIENTS_CLI_FLAGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace plansync::cli {

// One option a command takes.
struct FlagSpec {
  std::string name = {};        // "--student"
  std::string value_name = {};  // "S"; empty for a switch such as --json
  std::string help = {};        // one line
  bool repeated = false;        // may be given more than once
};

// The parsed options and positional arguments of one command line.
class Flags {
 public:
  // Parses `args` (what follows the command's name) against `specs`.
  // INVALID_ARGUMENT naming `command` (e.g. "plansync lapse") for an option
  // the command does not take, a missing value, a switch given a value, or a
  // single option given twice.
  static absl::StatusOr<Flags> Parse(const std::string& command,
                                     const std::vector<FlagSpec>& specs,
                                     const std::vector<std::string>& args);

  bool Has(absl::string_view name) const;
  // The value of option `name`, or "" if it was not given.
  std::string Get(absl::string_view name) const;
  // Every value of a repeated option, in order.
  std::vector<std::string> GetAll(absl::string_view name) const;
  // The value of `name`; INVALID_ARGUMENT ("plansync lapse needs --what
  // TEXT") if it is missing or empty.
  absl::StatusOr<std::string> Require(absl::string_view name) const;
  // The value of `name` as a whole number in [min, max], or nullopt if the
  // option was not given. INVALID_ARGUMENT for anything else.
  absl::StatusOr<std::optional<int64_t>> Int(absl::string_view name,
                                             int64_t min, int64_t max) const;
  // The value of `name` as a number, or nullopt if it was not given.
  absl::StatusOr<std::optional<double>> Number(absl::string_view name) const;
  // The value of `name` as a value of `type`, written as the value's name
  // after the enum's prefix, lowercase, with '-' for '_' ("tests-only" for
  // APPLIES_TO_TESTS_ONLY), or as one of `aliases` ({"504",
  // PLAN_KIND_SECTION_504}); nullopt if the option was not given.
  // INVALID_ARGUMENT listing the accepted words otherwise.
  absl::StatusOr<std::optional<int>> Enum(
      absl::string_view name, const google::protobuf::EnumDescriptor& type,
      const std::map<std::string, int>& aliases = {}) const;
  // The positional arguments, in order.
  const std::vector<std::string>& args() const { return args_; }

  // "plansync lapse", for messages.
  const std::string& command() const { return command_; }

 private:
  const FlagSpec* Spec(absl::string_view name) const;

  std::string command_;
  std::vector<FlagSpec> specs_;
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
  std::vector<std::string> args_;
};

// The word for enum value `number` of `type` as Flags::Enum reads it:
// "tests-only".
std::string EnumFlagWord(const google::protobuf::EnumDescriptor& type,
                         int number);

}  // namespace plansync::cli

#endif  // PLANSYNC_CLIENTS_CLI_FLAGS_H_
