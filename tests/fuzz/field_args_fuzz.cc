// The CLI's record arguments, as a user types them: the first line names a
// record type ("Plan", "plans", "plansync.v1.Plan"), each further line is a
// "field=value" argument.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "clients/cli/record_args.h"
#include "google/protobuf/message.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace plansync;
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  auto type = cli::FindType(lines.front());
  fuzz::CheckRefusal(type.status(), "FindType");
  if (!type.ok()) return 0;
  std::unique_ptr<google::protobuf::Message> record(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype((*type)->descriptor)
          ->New());
  const std::vector<std::string> args(lines.begin() + 1, lines.end());
  auto set = cli::SetFields(**type, args, record.get());
  fuzz::CheckRefusal(set.status(), "SetFields");
  if (set.ok()) cli::RecordToText(**type, *record);
  return 0;
}
