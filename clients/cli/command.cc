#include "clients/cli/command.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "clients/cli/days.h"
#include "core/district.h"
#include "core/status_macros.h"

namespace plansync::cli {

std::string Command::FullName() const {
  return sub.empty() ? absl::StrCat("plansync ", name)
                     : absl::StrCat("plansync ", name, " ", sub);
}

std::string Command::Help() const {
  std::string out =
      absl::StrCat("usage: ", FullName(), synopsis.empty() ? "" : " ", synopsis,
                   "\n\n", summary, "\n");
  if (!description.empty()) absl::StrAppend(&out, "\n", description, "\n");
  size_t width = 0;
  auto label = [](const FlagSpec& flag) {
    return flag.value_name.empty()
               ? flag.name
               : absl::StrCat(flag.name, " ", flag.value_name);
  };
  for (const FlagSpec& flag : flags)
    width = std::max(width, label(flag).size());
  if (!flags.empty()) absl::StrAppend(&out, "\noptions:\n");
  for (const FlagSpec& flag : flags) {
    const std::string text = label(flag);
    absl::StrAppend(&out, "  ", text, std::string(width + 2 - text.size(), ' '),
                    flag.help, flag.repeated ? " (may be repeated)" : "", "\n");
  }
  if (!examples.empty()) absl::StrAppend(&out, "\nexamples:\n");
  for (const std::string& example : examples) {
    absl::StrAppend(&out, "  ", example, "\n");
  }
  if (audience != Audience::kDevice) {
    absl::StrAppend(
        &out,
        "\nWorks offline on the device's store (--db FILE or $PLANSYNC_DB); "
        "what it records\nreaches the others at the next `plansync sync`. "
        "Days are YYYY-MM-DD, today or\nyesterday; today is the system "
        "clock's day in the\ndistrict's time zone unless ",
        kTodayVariable, "=YYYY-MM-DD is set.\n");
  }
  return out;
}

absl::StatusOr<DeviceStore*> Context::Store() {
  if (store_ != nullptr) return store_.get();
  if (db_.empty()) {
    return absl::InvalidArgumentError(
        "no device store: give --db FILE or set PLANSYNC_DB");
  }
  if (::access(db_.c_str(), F_OK) != 0) {
    return absl::NotFoundError(
        absl::StrCat(db_, " does not exist; make it with: plansync --db ", db_,
                     " init --user USER_ID --server HOST:PORT"));
  }
  DeviceStoreOptions options;
  options.path = db_;
  options.check_roles = true;
  ASSIGN_OR_RETURN(store_, DeviceStore::Open(options));
  return store_.get();
}

absl::StatusOr<DeviceStore*> Context::CreateStore(
    const std::string& principal_id) {
  if (db_.empty()) {
    return absl::InvalidArgumentError(
        "no device store: give --db FILE or set PLANSYNC_DB");
  }
  DeviceStoreOptions options;
  options.path = db_;
  options.check_roles = true;
  options.principal_id = principal_id;
  ASSIGN_OR_RETURN(store_, DeviceStore::Open(options));
  return store_.get();
}

absl::Status Context::RemoveStore() {
  store_.reset();
  zone_.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string path = db_ + suffix;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return absl::InternalError(
          absl::StrCat("could not remove ", path, ": ", std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::TimeZone> Context::Zone() {
  if (zone_.has_value()) return *zone_;
  ASSIGN_OR_RETURN(DeviceStore * store, Store());
  ASSIGN_OR_RETURN(zone_, DistrictZoneOf(*store));
  return *zone_;
}

absl::StatusOr<std::string> Context::Today() {
  ASSIGN_OR_RETURN(std::optional<std::string> set, TodayFromEnvironment());
  if (set.has_value()) return *set;
  ASSIGN_OR_RETURN(const absl::TimeZone zone, Zone());
  return cli::Today(zone);
}

}  // namespace plansync::cli
