// A `plansync` command: its name, the options it takes, its help, and the
// function that runs it with the parsed options and the device's store.
#ifndef PLANSYNC_CLIENTS_CLI_COMMAND_H_
#define PLANSYNC_CLIENTS_CLI_COMMAND_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clients/cli/flags.h"
#include "core/device_store.h"

namespace plansync::cli {

class Context;

// Who a command is for; the order of the groups in `plansync --help`.
enum class Audience {
  kParent,
  kTeacher,
  kProvider,
  kCaseManager,
  kDevice,  // setting up, syncing, and the generic record commands
};

struct Command {
  std::string name = {};  // "meeting"
  std::string sub = {};   // "schedule"; empty when the command has none
  // What follows "plansync NAME [SUB]" on the usage line, e.g.
  // "MEETING_ID --name TEXT [options]".
  std::string synopsis = {};
  // One line for `plansync --help`.
  std::string summary = {};
  // Paragraphs for `plansync NAME [SUB] --help`.
  std::string description = {};
  std::vector<FlagSpec> flags = {};
  // Positional arguments (record ids, TYPE, FIELD=VALUE ...): at least
  // min_args, at most max_args (-1: any number).
  int min_args = 0;
  int max_args = 0;
  std::vector<std::string> examples = {};
  Audience audience = Audience::kDevice;
  absl::Status (*run)(Context& context) = nullptr;

  // "plansync meeting schedule".
  std::string FullName() const;
  // The text `plansync NAME [SUB] --help` prints.
  std::string Help() const;
};

// What a running command works with: its parsed options and the device's
// store, opened on first use. Not thread-safe.
class Context {
 public:
  Context(std::string db, const Command& command, Flags flags)
      : db_(std::move(db)), command_(command), flags_(std::move(flags)) {}

  const std::string& db() const { return db_; }
  const Command& command() const { return command_; }
  const Flags& flags() const { return flags_; }

  // The device store at --db. NOT_FOUND (with the command that makes it) if
  // the file does not exist; the store's errors. Owned by the context.
  absl::StatusOr<DeviceStore*> Store();
  // Opens (or creates) the store for `principal_id`: `plansync init`.
  absl::StatusOr<DeviceStore*> CreateStore(const std::string& principal_id);
  // Closes the store and deletes its file (with its -wal and -shm): for an
  // init that turned out wrong before anything was recorded.
  absl::Status RemoveStore();

  // The district's time zone, from the store's District records (UTC when
  // there are none); INVALID_ARGUMENT if this machine does not know it.
  absl::StatusOr<absl::TimeZone> Zone();
  // Today, "YYYY-MM-DD": $PLANSYNC_TODAY when set (the store is then not
  // needed), otherwise the clock's day in Zone().
  absl::StatusOr<std::string> Today();

 private:
  std::string db_;
  const Command& command_;
  Flags flags_;
  std::unique_ptr<DeviceStore> store_;
  std::optional<absl::TimeZone> zone_;
};

}  // namespace plansync::cli

#endif  // PLANSYNC_CLIENTS_CLI_COMMAND_H_
