// The command table of `plansync`: each group of commands is made in its own
// file, named for the people who use it, and the table puts them together.
#ifndef PLANSYNC_CLIENTS_CLI_COMMANDS_H_
#define PLANSYNC_CLIENTS_CLI_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/cli/command.h"

namespace plansync::cli {

// init, sync, status, rejected and the generic record commands (add, set,
// archive, append, get, list): commands_device.cc.
std::vector<Command> DeviceCommands();
// lapse, plan (the plan in effect), history: commands_parent.cc.
std::vector<Command> ParentCommands();
// commands_requests.cc: a parent's written requests and their answers.
std::vector<Command> RequestCommands();
// commands_progress.cc: progress reports due, sent and missing.
std::vector<Command> ProgressCommands();
// commands_evidence.cc: the record of a window as one page.
std::vector<Command> EvidenceCommands();
// today, confirm: commands_teacher.cc.
std::vector<Command> TeacherCommands();
// session: commands_provider.cc.
std::vector<Command> ProviderCommands();
// plan create, plan amend: commands_plans.cc.
std::vector<Command> PlanCommands();
// commands_plan_compare.cc: `plan compare`, one of PlanCommands().
Command PlanCompareCommand();
// accommodation add, service add, goal add: commands_plan_records.cc.
std::vector<Command> PlanRecordCommands();
// meeting schedule|attend|decide|held, notice send: commands_meetings.cc.
std::vector<Command> MeetingCommands();
// respond, conflicts, resolve: commands_review.cc.
std::vector<Command> ReviewCommands();
// correct: commands_correct.cc.
std::vector<Command> CorrectionCommands();
// (The case manager's consolidated review, `plansync report`, comes as one
// more group: ReportCommands() in commands_report.cc, added to the table in
// command_table.cc.)

// report: commands_report.cc.
std::vector<Command> ReportCommands();

// Every command, in the order `plansync --help` lists them.
const std::vector<Command>& AllCommands();

// The command that `words` (the command line without global options) names,
// and how many of the words named it (1, or 2 with a subcommand).
// INVALID_ARGUMENT for an unknown command, or a command that needs a
// subcommand ("plansync meeting needs one of: schedule, ...").
absl::StatusOr<std::pair<const Command*, size_t>> FindCommand(
    const std::vector<std::string>& words);

// `plansync NAME --help` for a command made only of subcommands: the
// subcommands with their summaries. Empty if `name` has a command of its
// own.
std::string SubcommandHelp(const std::string& name);

// The command list of `plansync --help`, grouped by who uses them.
std::string CommandList();

}  // namespace plansync::cli

#endif  // PLANSYNC_CLIENTS_CLI_COMMANDS_H_
