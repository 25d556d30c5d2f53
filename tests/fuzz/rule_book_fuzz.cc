// A rule book in protobuf text format, as a district would supply one:
// parsed and checked, then resolved for a few jurisdictions.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "core/reports/rule_book.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace plansync;
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto book = reports::ParseRuleBook(text);
  fuzz::CheckRefusal(book.status(), "ParseRuleBook");
  if (!book.ok()) return 0;
  for (const char* jurisdiction : {"US", "US-MO", "US-CA", ""}) {
    reports::RulesFor(*book, jurisdiction);
  }
  return 0;
}
