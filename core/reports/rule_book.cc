#include "core/reports/rule_book.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/reports/compliance_rules_data.h"
#include "google/protobuf/text_format.h"

namespace plansync::reports {
namespace {

// Why `rule` cannot be used, or "" if it can.
std::string RuleProblem(const v1::ComplianceRule& rule) {
  if (rule.id().empty()) return "has no id";
  if (rule.title().empty()) return "has no title";
  if (rule.anchor() == v1::RULE_ANCHOR_UNSPECIFIED) return "has no anchor";
  if (rule.amount() <= 0) return "needs a positive amount";
  if (rule.unit() == v1::RULE_UNIT_UNSPECIFIED) return "has no unit";
  if (rule.anchor() == v1::RULE_ANCHOR_MEETING_TRIGGER &&
      rule.meeting_type() == v1::MEETING_TYPE_UNSPECIFIED) {
    return "is anchored on a meeting but names no meeting_type";
  }
  if (rule.anchor() == v1::RULE_ANCHOR_NOTICE_SENT &&
      rule.notice_type() == v1::NOTICE_TYPE_UNSPECIFIED) {
    return "is anchored on a notice but names no notice_type";
  }
  const bool on_request = rule.anchor() == v1::RULE_ANCHOR_PARENT_REQUEST;
  if (on_request && rule.request_kinds().empty()) {
    return "is anchored on a parent's request but names no request_kinds";
  }
  if (!on_request && !rule.request_kinds().empty()) {
    return "names request_kinds but is not anchored on a parent's request";
  }
  if (!on_request && rule.due_before_meeting()) {
    return "is due before a meeting but is not anchored on a parent's request";
  }
  if (!on_request &&
      rule.completion() == v1::RULE_COMPLETION_RECORDS_RELEASED) {
    return "is completed by a records release but is not anchored on a "
           "parent's request";
  }
  // A meeting that names the request completes it, of any type unless the
  // rule names one.
  if (!on_request && rule.completion() == v1::RULE_COMPLETION_MEETING_HELD &&
      rule.completed_by_meeting() == v1::MEETING_TYPE_UNSPECIFIED) {
    return "is completed by a meeting but names no completed_by_meeting";
  }
  if (rule.completion() == v1::RULE_COMPLETION_NOTICE_SENT &&
      rule.completed_by_notice() == v1::NOTICE_TYPE_UNSPECIFIED) {
    return "is completed by a notice but names no completed_by_notice";
  }
  if (rule.skip_breaks_longer_than() < 0 || rule.warn_days() < 0) {
    return "has a negative day count";
  }
  return "";
}

const v1::RuleSet* FindSet(const v1::RuleBook& book,
                           absl::string_view jurisdiction) {
  for (const v1::RuleSet& set : book.sets()) {
    if (set.jurisdiction() == jurisdiction) return &set;
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<v1::RuleBook> ParseRuleBook(absl::string_view text) {
  v1::RuleBook book;
  google::protobuf::TextFormat::Parser parser;
  if (!parser.ParseFromString(std::string(text), &book)) {
    return absl::InvalidArgumentError(
        "the rule book is not a plansync.v1.RuleBook in text format");
  }
  for (const v1::RuleSet& set : book.sets()) {
    if (set.jurisdiction().empty()) {
      return absl::InvalidArgumentError("a rule set has no jurisdiction");
    }
    for (const v1::ComplianceRule& rule : set.rules()) {
      const std::string problem = RuleProblem(rule);
      if (!problem.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "rule \"", rule.id(), "\" of ", set.jurisdiction(), " ", problem));
      }
    }
  }
  if (FindSet(book, "US") == nullptr) {
    return absl::InvalidArgumentError(
        "the rule book has no federal (\"US\") rule set");
  }
  return book;
}

const v1::RuleBook& DefaultRuleBook() {
  static const v1::RuleBook* book = [] {
    auto parsed = ParseRuleBook(kComplianceRulesTextproto);
    // A unit test parses the same text: a broken data file never ships.
    return new v1::RuleBook(parsed.ok() ? *parsed : v1::RuleBook());
  }();
  return *book;
}

std::vector<ResolvedRule> RulesFor(const v1::RuleBook& book,
                                   absl::string_view jurisdiction) {
  std::vector<ResolvedRule> rules;
  if (const v1::RuleSet* federal = FindSet(book, "US")) {
    for (const v1::ComplianceRule& rule : federal->rules()) {
      rules.push_back({rule, "US"});
    }
  }
  const v1::RuleSet* state =
      jurisdiction == "US" ? nullptr : FindSet(book, jurisdiction);
  if (state == nullptr) return rules;
  std::erase_if(rules, [&](const ResolvedRule& resolved) {
    return std::find(state->removes().begin(), state->removes().end(),
                     resolved.rule.id()) != state->removes().end();
  });
  for (const v1::ComplianceRule& rule : state->rules()) {
    auto same = std::find_if(rules.begin(), rules.end(),
                             [&](const ResolvedRule& resolved) {
                               return resolved.rule.id() == rule.id();
                             });
    if (same != rules.end()) {
      *same = {rule, state->jurisdiction()};
    } else {
      rules.push_back({rule, state->jurisdiction()});
    }
  }
  return rules;
}

std::string RuleSetFor(const v1::RuleBook& book,
                       absl::string_view jurisdiction) {
  if (jurisdiction != "US" && FindSet(book, jurisdiction) != nullptr) {
    return std::string(jurisdiction);
  }
  return "US";
}

}  // namespace plansync::reports
