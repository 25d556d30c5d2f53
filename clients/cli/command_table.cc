// The command table: every group of commands, in the order of
// `plansync --help`, and the lookup of a command line's command in it.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/commands.h"

namespace plansync::cli {

const std::vector<Command>& AllCommands() {
  static const std::vector<Command>* const table = [] {
    auto* all = new std::vector<Command>();
    for (std::vector<Command> group :
         {ParentCommands(), RequestCommands(), ProgressCommands(),
          EvidenceCommands(), TeacherCommands(), ProviderCommands(),
          PlanCommands(), PlanRecordCommands(), MeetingCommands(),
          ReviewCommands(), CorrectionCommands(), ReportCommands(),
          DeviceCommands()}) {
      for (Command& command : group) all->push_back(std::move(command));
    }
    return all;
  }();
  return *table;
}

absl::StatusOr<std::pair<const Command*, size_t>> FindCommand(
    const std::vector<std::string>& words) {
  if (words.empty()) {
    return absl::InvalidArgumentError("no command; see plansync --help");
  }
  const Command* plain = nullptr;
  std::vector<std::string> subs;
  for (const Command& command : AllCommands()) {
    if (command.name != words[0]) continue;
    if (command.sub.empty()) {
      plain = &command;
    } else if (words.size() > 1 && words[1] == command.sub) {
      return std::make_pair(&command, size_t{2});
    } else {
      subs.push_back(command.sub);
    }
  }
  if (plain != nullptr) return std::make_pair(plain, size_t{1});
  if (!subs.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "plansync ", words[0], " needs one of: ", absl::StrJoin(subs, ", "),
        "; see plansync ", words[0], " --help"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown command \"", words[0], "\"; see plansync --help"));
}

std::string SubcommandHelp(const std::string& name) {
  std::string out;
  for (const Command& command : AllCommands()) {
    if (command.name != name || command.sub.empty()) continue;
    absl::StrAppend(&out, "  ", command.FullName(), " ", command.synopsis,
                    "\n      ", command.summary, "\n");
  }
  if (out.empty()) return out;
  return absl::StrCat("subcommands (each has --help):\n", out);
}

std::string CommandList() {
  struct Group {
    Audience audience;
    const char* title;
  };
  const Group groups[] = {
      {Audience::kParent, "for parents"},
      {Audience::kTeacher, "for teachers"},
      {Audience::kProvider, "for service providers"},
      {Audience::kCaseManager, "for case managers"},
      {Audience::kDevice, "the device and its records"},
  };
  std::string out;
  for (const Group& group : groups) {
    absl::StrAppend(&out, group.title, ":\n");
    for (const Command& command : AllCommands()) {
      if (command.audience != group.audience) continue;
      std::string name = command.name;
      if (!command.sub.empty()) absl::StrAppend(&name, " ", command.sub);
      absl::StrAppend(&out, "  ", name,
                      std::string(name.size() < 20 ? 20 - name.size() : 1, ' '),
                      command.summary, "\n");
    }
  }
  return out;
}

}  // namespace plansync::cli
