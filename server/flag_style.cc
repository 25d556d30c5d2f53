#include "server/flag_style.h"

#include <algorithm>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace plansync::server {

std::string FlagWithUnderscores(absl::string_view arg) {
  if (!absl::StartsWith(arg, "--") || arg.size() == 2) return std::string(arg);
  const size_t eq = std::min(arg.find('='), arg.size());
  return absl::StrCat("--",
                      absl::StrReplaceAll(arg.substr(2, eq - 2), {{"-", "_"}}),
                      arg.substr(eq));
}

std::string ServerHelp() {
  std::vector<const absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    // The server's own flags, not those of the libraries it links.
    if (absl::EndsWith(flag->Filename(), "server/main.cc")) {
      flags.push_back(flag);
    }
  }
  std::sort(flags.begin(), flags.end(),
            [](const auto* a, const auto* b) { return a->Name() < b->Name(); });
  std::string out =
      "usage: plansync-server --db=FILE [--listen=HOST:PORT] [flags]\n"
      "       plansync-server admin COMMAND --db FILE ...   (users, students, "
      "assignments, tokens; admin --help)\n\n"
      "Serves sync to devices over gRPC from the store FILE. Flags (the "
      "underscore spelling, --max_batch, works too):\n";
  for (const absl::CommandLineFlag* flag : flags) {
    const std::string name = absl::StrReplaceAll(flag->Name(), {{"_", "-"}});
    const std::string value = flag->DefaultValue();
    absl::StrAppend(&out, "  --", name, "=",
                    value.empty() ? std::string("...") : value, "\n      ",
                    flag->Help(), "\n");
  }
  return out;
}

}  // namespace plansync::server
