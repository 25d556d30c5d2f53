// plansync: the command-line device. Each invocation opens one device store
// (--db FILE, or $PLANSYNC_DB), works offline, and syncs on `sync`. The
// commands live in the command table (clients/cli/commands.h), one file per
// group of users; this file reads the global options and dispatches.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/cli/command.h"
#include "clients/cli/commands.h"
#include "clients/cli/days.h"
#include "core/errors.h"
#include "plansync/v1/errors.pb.h"

namespace plansync::cli {
namespace {

constexpr char kUsageHead[] =
    R"(plansync: a plansync device on the command line.

usage: plansync --db FILE COMMAND [ARGS...]      (or set PLANSYNC_DB=FILE)
       plansync COMMAND --help                   a command's options, with examples

Every command works offline on the device's own store; `plansync sync`
sends what it recorded and brings everyone else's. Days are YYYY-MM-DD,
today or yesterday; today is the system clock's day in the district's time
zone (set by the district administrator) unless the environment sets
PLANSYNC_TODAY=YYYY-MM-DD. Listings take --json.

)";

constexpr char kUsageTail[] = R"(
examples:
  plansync --db mom.db init --user $U --server 127.0.0.1:7443 --token-file diaz.token
  plansync --db mom.db lapse --accommodation "Extended time" \
      --what "The math quiz was collected at the bell"
  plansync --db lee.db today
  plansync --db lee.db confirm --student Maya --all --status provided
  plansync --db park.db session --service Speech --minutes 30 --outcome delivered
  plansync --db okafor.db conflicts
  plansync --db mom.db sync
)";

// The command line with the global options taken out.
struct CommandLine {
  std::string db;
  bool help = false;
  std::vector<std::string> words;
};

absl::StatusOr<CommandLine> ReadCommandLine(int argc, char** argv) {
  CommandLine line;
  if (const char* db = std::getenv("PLANSYNC_DB")) line.db = db;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--db") {
      if (i + 1 >= argc) {
        return absl::InvalidArgumentError("--db needs a value: --db FILE");
      }
      line.db = argv[++i];
    } else if (arg.rfind("--db=", 0) == 0) {
      line.db = arg.substr(5);
    } else if (arg == "--token" || arg.rfind("--token=", 0) == 0) {
      return absl::InvalidArgumentError(
          "a token is never taken on the command line, where other users "
          "and shell history can read it: give --token-file FILE to init, or "
          "set PLANSYNC_TOKEN");
    } else if (arg == "--help" || arg == "-h" ||
               (arg == "help" && line.words.empty())) {
      line.help = true;
    } else {
      line.words.push_back(arg);
    }
  }
  return line;
}

// Prints the help the command line asks for; returns the exit code.
int PrintHelp(const CommandLine& line) {
  if (line.words.empty()) {
    std::printf("%s%s%s", kUsageHead, CommandList().c_str(), kUsageTail);
    return 0;
  }
  absl::StatusOr<std::pair<const Command*, size_t>> found =
      FindCommand(line.words);
  const std::string subs = SubcommandHelp(line.words[0]);
  if (!found.ok()) {
    if (subs.empty()) {
      std::fprintf(stderr, "plansync: %s\n",
                   std::string(found.status().message()).c_str());
      return 2;
    }
    std::printf("plansync %s: choose one.\n\n%s", line.words[0].c_str(),
                subs.c_str());
    return 0;
  }
  const Command& command = *found->first;
  std::printf("%s", command.Help().c_str());
  if (command.sub.empty() && !subs.empty()) std::printf("\n%s", subs.c_str());
  return 0;
}

// The message for a failed command: the status's message, with the reason
// when the store or the schema gave one.
std::string ErrorText(const absl::Status& status) {
  const v1::Reason reason = ReasonOf(status);
  if (reason == v1::REASON_UNSPECIFIED) return std::string(status.message());
  return absl::StrCat(status.message(), " (", v1::Reason_Name(reason), ")");
}

int Run(int argc, char** argv) {
  absl::StatusOr<CommandLine> line = ReadCommandLine(argc, argv);
  absl::Status status = line.status();
  if (status.ok() && line->help) return PrintHelp(*line);
  if (status.ok() && line->words.empty()) {
    std::fprintf(stderr, "%s%s%s", kUsageHead, CommandList().c_str(),
                 kUsageTail);
    return 2;
  }
  if (status.ok()) {
    absl::StatusOr<std::pair<const Command*, size_t>> found =
        FindCommand(line->words);
    status = found.status();
    if (status.ok()) {
      const Command& command = *found->first;
      const std::vector<std::string> rest(line->words.begin() + found->second,
                                          line->words.end());
      absl::StatusOr<Flags> flags =
          Flags::Parse(command.FullName(), command.flags, rest);
      status = flags.status();
      if (status.ok()) {
        const int count = static_cast<int>(flags->args().size());
        if (count < command.min_args ||
            (command.max_args >= 0 && count > command.max_args)) {
          status = absl::InvalidArgumentError(
              absl::StrCat("usage: ", command.FullName(), " ", command.synopsis,
                           "\n(see ", command.FullName(), " --help)"));
        }
      }
      if (status.ok()) {
        Context context(line->db, command, *std::move(flags));
        status = command.run(context);
      }
    }
  }
  if (!status.ok()) {
    std::fprintf(stderr, "plansync: %s\n", ErrorText(status).c_str());
    return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  return 0;
}

}  // namespace
}  // namespace plansync::cli

int main(int argc, char** argv) { return plansync::cli::Run(argc, argv); }
