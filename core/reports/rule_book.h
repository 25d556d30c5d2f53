// The compliance rule book: the deadline rules as data
// (data/compliance_rules.textproto, compiled in), resolved per jurisdiction.
#ifndef PLANSYNC_CORE_REPORTS_RULE_BOOK_H_
#define PLANSYNC_CORE_REPORTS_RULE_BOOK_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "plansync/v1/rules.pb.h"

namespace plansync::reports {

// The built-in book. Parsed once; never destroyed; thread-safe.
const v1::RuleBook& DefaultRuleBook();

// Parses a book in protobuf text format and checks each rule: an id, a
// title, an anchor, a positive amount and a unit, the meeting or notice type
// its anchor and completion need. INVALID_ARGUMENT saying what is wrong (and
// where) otherwise.
absl::StatusOr<v1::RuleBook> ParseRuleBook(absl::string_view text);

struct ResolvedRule {
  v1::ComplianceRule rule;
  std::string jurisdiction;  // the set that supplied it
};

// The rules for `jurisdiction` ("US-MO"): the federal set ("US"), with the
// state set's rules replacing federal rules of the same id and its removals
// applied. An unknown or empty jurisdiction gets the federal set.
std::vector<ResolvedRule> RulesFor(const v1::RuleBook& book,
                                   absl::string_view jurisdiction);

// The set RulesFor takes a state's rules from: `jurisdiction` if the book
// has a set for it, else "US".
std::string RuleSetFor(const v1::RuleBook& book,
                       absl::string_view jurisdiction);

}  // namespace plansync::reports

#endif  // PLANSYNC_CORE_REPORTS_RULE_BOOK_H_
