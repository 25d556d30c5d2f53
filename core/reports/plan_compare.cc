#include "core/reports/plan_compare.h"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/enum_words.h"
#include "core/item_lineage.h"
#include "core/reports/school_calendar.h"

namespace plansync::reports {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

std::string Label(const v1::Service& s) { return s.service_type(); }
std::string Label(const v1::Accommodation& a) { return a.title(); }
std::string Label(const v1::Goal& g) { return g.area(); }

std::string WhatItIs(const v1::Service& s) {
  switch (s.service_category()) {
    case v1::SERVICE_CATEGORY_SPECIAL_EDUCATION:
      return "specially designed instruction";
    case v1::SERVICE_CATEGORY_RELATED_SERVICE:
      return "related service";
    case v1::SERVICE_CATEGORY_SUPPLEMENTARY_AID:
      return "supplementary aid or service";
    case v1::SERVICE_CATEGORY_SCHOOL_PERSONNEL_SUPPORT:
      return "support for school personnel";
    default:
      return "service";
  }
}
std::string WhatItIs(const v1::Accommodation& a) {
  return a.kind() == v1::ACCOMMODATION_KIND_MODIFICATION ? "modification"
                                                         : "accommodation";
}
std::string WhatItIs(const v1::Goal&) { return "goal"; }

const char* TypeName(const v1::Service&) { return "Service"; }
const char* TypeName(const v1::Accommodation&) { return "Accommodation"; }
const char* TypeName(const v1::Goal&) { return "Goal"; }

// "150 per week"; "none stated".
std::string MinutesWords(const v1::Service& s) {
  if (s.minutes_per_period() == 0) return "none stated";
  const std::string period =
      EnumWords(*v1::ServicePeriod_descriptor(), s.period());
  return absl::StrCat(s.minutes_per_period(),
                      period.empty() ? "" : absl::StrCat(" per ", period));
}

// Field `name` of `message` as words: text as written, numbers, enum values
// in words, yes/no.
std::string FieldWords(const Message& message, const std::string& name) {
  const FieldDescriptor* field = message.GetDescriptor()->FindFieldByName(name);
  const auto* reflection = message.GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return reflection->GetString(message, field);
    case FieldDescriptor::CPPTYPE_ENUM:
      return EnumWords(*field->enum_type(),
                       reflection->GetEnumValue(message, field));
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(reflection->GetInt32(message, field));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(reflection->GetDouble(message, field));
    case FieldDescriptor::CPPTYPE_BOOL:
      return reflection->GetBool(message, field) ? "yes" : "no";
    default:
      return "";
  }
}

// "NAME: OLD -> NEW" for each of `fields` that differs ("(none)" for an
// empty value), the name's underscores as spaces.
std::vector<std::string> FieldChanges(const Message& old_item,
                                      const Message& new_item,
                                      const std::vector<std::string>& fields) {
  std::vector<std::string> lines;
  for (const std::string& name : fields) {
    const std::string before = FieldWords(old_item, name);
    const std::string after = FieldWords(new_item, name);
    if (before == after) continue;
    std::string words = name;
    std::replace(words.begin(), words.end(), '_', ' ');
    lines.push_back(absl::StrCat(words, ": ",
                                 before.empty() ? "(none)" : before, " -> ",
                                 after.empty() ? "(none)" : after));
  }
  return lines;
}

// The terms of an item removed or added, one line each: a service's
// minutes, where an accommodation applies, a goal's statement.
std::vector<std::string> Terms(const v1::Service& s) {
  return {absl::StrCat("minutes: ", MinutesWords(s))};
}
std::vector<std::string> Terms(const v1::Accommodation& a) {
  const std::string where =
      EnumWords(*v1::AppliesTo_descriptor(), a.applies_to());
  if (where.empty()) return {};
  return {absl::StrCat("applies to: ", where,
                       a.subject().empty() ? "" : " (" + a.subject() + ")")};
}
std::vector<std::string> Terms(const v1::Goal& g) {
  return {absl::StrCat("goal: ", g.description())};
}

// What changed between two versions of an item, and whether it is less
// support.
struct Difference {
  std::vector<std::string> details;
  bool reduction = false;
};

Difference Differ(const v1::Service& a, const v1::Service& b) {
  Difference d;
  if (MinutesWords(a) != MinutesWords(b)) {
    d.details.push_back(
        absl::StrCat("minutes: ", MinutesWords(a), " -> ", MinutesWords(b)));
    const std::optional<double> before = WeeklyMinutes(a);
    const std::optional<double> after = WeeklyMinutes(b);
    if (before && after && *after < *before) {
      d.reduction = true;
      if (a.period() != b.period()) {
        d.details.back() +=
            absl::StrCat(" (a week: about ", static_cast<int>(*before + 0.5),
                         " -> ", static_cast<int>(*after + 0.5), ")");
      }
    }
  }
  for (std::string& line :
       FieldChanges(a, b,
                    {"service_type", "service_category", "delivery", "setting",
                     "location", "provider_role", "start_date", "end_date"})) {
    d.details.push_back(std::move(line));
  }
  return d;
}

Difference Differ(const v1::Accommodation& a, const v1::Accommodation& b) {
  Difference d;
  d.details = FieldChanges(
      a, b,
      {"title", "kind", "category", "applies_to", "subject", "description",
       "responsible_role", "start_date", "end_date"});
  d.reduction = a.applies_to() == v1::APPLIES_TO_ALL_CLASSES &&
                b.applies_to() != v1::APPLIES_TO_ALL_CLASSES &&
                b.applies_to() != v1::APPLIES_TO_UNSPECIFIED;
  return d;
}

Difference Differ(const v1::Goal& a, const v1::Goal& b) {
  Difference d;
  d.details =
      FieldChanges(a, b,
                   {"area", "description", "baseline", "target", "criterion",
                    "measurement_method", "reporting_schedule", "unit"});
  return d;
}

// Appends to `changes` how the items of `all` differ from `old_plan` to
// `new_plan`; counts the unchanged ones in `*unchanged`.
template <typename T>
void CompareItems(const std::vector<T>& all, const std::string& old_plan,
                  const std::string& new_plan,
                  std::vector<v1::ItemChange>* changes, int* unchanged) {
  std::vector<const T*> olds, news;
  for (const T& item : all) {
    if (item.plan_id() == old_plan) olds.push_back(&item);
    if (item.plan_id() == new_plan) news.push_back(&item);
  }
  const ItemLineage lineage(all);
  std::vector<bool> old_matched(olds.size(), false);
  std::vector<const T*> match_of(news.size(), nullptr);
  // By lineage, then by label.
  const std::vector<std::function<bool(const T&, const T&)>> same = {
      [&](const T& o, const T& n) {
        return lineage.RootOf(o.id()) == lineage.RootOf(n.id());
      },
      [](const T& o, const T& n) {
        return absl::AsciiStrToLower(Label(o)) ==
               absl::AsciiStrToLower(Label(n));
      }};
  for (const auto& rule : same) {
    for (size_t j = 0; j < news.size(); ++j) {
      if (match_of[j] != nullptr) continue;
      for (size_t i = 0; i < olds.size(); ++i) {
        if (old_matched[i] || !rule(*olds[i], *news[j])) continue;
        old_matched[i] = true;
        match_of[j] = olds[i];
        break;
      }
    }
  }
  auto make = [&](v1::ItemChange::Change kind, const T* before,
                  const T* after) -> v1::ItemChange& {
    v1::ItemChange& change = changes->emplace_back();
    const T& shown = after != nullptr ? *after : *before;
    change.set_change(kind);
    change.set_item_type(TypeName(shown));
    if (before != nullptr) change.set_old_id(before->id());
    if (after != nullptr) change.set_new_id(after->id());
    change.set_label(Label(shown));
    change.set_what_it_is(WhatItIs(shown));
    return change;
  };
  for (size_t i = 0; i < olds.size(); ++i) {
    if (old_matched[i]) continue;
    v1::ItemChange& change = make(v1::ItemChange::REMOVED, olds[i], nullptr);
    change.set_reduction(true);
    for (std::string& line : Terms(*olds[i])) change.add_details(line);
  }
  for (size_t j = 0; j < news.size(); ++j) {
    if (match_of[j] == nullptr) {
      v1::ItemChange& change = make(v1::ItemChange::ADDED, nullptr, news[j]);
      for (std::string& line : Terms(*news[j])) change.add_details(line);
      continue;
    }
    Difference d = Differ(*match_of[j], *news[j]);
    if (d.details.empty()) {
      ++*unchanged;
      continue;
    }
    v1::ItemChange& change =
        make(v1::ItemChange::CHANGED, match_of[j], news[j]);
    for (std::string& line : d.details) change.add_details(std::move(line));
    change.set_reduction(d.reduction);
  }
}

// The order of changes in a comparison: removed, changed, added.
int ChangeOrder(v1::ItemChange::Change change) {
  return change == v1::ItemChange::REMOVED   ? 0
         : change == v1::ItemChange::CHANGED ? 1
                                             : 2;
}

// The order of item types in a comparison.
int TypeOrder(const std::string& type) {
  return type == "Service" ? 0 : type == "Accommodation" ? 1 : 2;
}

// True if `notice` proposes an action about `plan_id` (directly, or through
// a meeting about it).
bool NoticeAbout(const StudentRecords& records, const v1::Notice& notice,
                 const std::string& plan_id) {
  if (notice.plan_id() == plan_id) return true;
  if (notice.meeting_id().empty()) return false;
  return std::any_of(records.meetings.begin(), records.meetings.end(),
                     [&](const v1::Meeting& meeting) {
                       return meeting.id() == notice.meeting_id() &&
                              meeting.plan_id() == plan_id;
                     });
}

}  // namespace

std::optional<double> WeeklyMinutes(const v1::Service& service) {
  const double m = service.minutes_per_period();
  switch (service.period()) {
    case v1::SERVICE_PERIOD_DAY:
      return m * 5;
    case v1::SERVICE_PERIOD_WEEK:
      return m;
    case v1::SERVICE_PERIOD_MONTH:
      return m * 12 / 52;
    case v1::SERVICE_PERIOD_QUARTER:
      return m / 9;
    case v1::SERVICE_PERIOD_YEAR:
      return m / 36;
    default:
      return std::nullopt;
  }
}

const v1::Plan* PreviousPlan(const StudentRecords& records,
                             const v1::Plan& plan) {
  const std::string& previous = plan.supersedes_plan_id().empty()
                                    ? plan.follows_plan_id()
                                    : plan.supersedes_plan_id();
  if (previous.empty()) return nullptr;
  for (const v1::Plan& other : records.plans) {
    if (other.id() == previous) return &other;
  }
  return nullptr;
}

v1::PlanComparison ComparePlans(const StudentRecords& records,
                                const v1::Plan& old_plan,
                                const v1::Plan& new_plan) {
  v1::PlanComparison out;
  out.set_student_id(records.student.id());
  *out.mutable_old_plan() = old_plan;
  *out.mutable_new_plan() = new_plan;
  out.set_kind_changed(old_plan.kind() != new_plan.kind());
  std::vector<v1::ItemChange> changes;
  int unchanged = 0;
  CompareItems(records.services, old_plan.id(), new_plan.id(), &changes,
               &unchanged);
  CompareItems(records.accommodations, old_plan.id(), new_plan.id(), &changes,
               &unchanged);
  CompareItems(records.goals, old_plan.id(), new_plan.id(), &changes,
               &unchanged);
  std::stable_sort(changes.begin(), changes.end(),
                   [](const v1::ItemChange& a, const v1::ItemChange& b) {
                     return std::make_tuple(ChangeOrder(a.change()),
                                            TypeOrder(a.item_type()),
                                            absl::AsciiStrToLower(a.label())) <
                            std::make_tuple(ChangeOrder(b.change()),
                                            TypeOrder(b.item_type()),
                                            absl::AsciiStrToLower(b.label()));
                   });
  // The notice that proposed the new plan: the latest on or before its
  // first day, else the earliest after it.
  const std::optional<Day> first = ParseDay(new_plan.start_date());
  const std::optional<Day> old_first = ParseDay(old_plan.start_date());
  constexpr int kEndingNoticeDays = 60;
  const v1::Notice* timely = nullptr;
  const v1::Notice* late = nullptr;
  for (const v1::Notice& notice : records.notices) {
    if (notice.notice_type() != v1::NOTICE_TYPE_PRIOR_WRITTEN_NOTICE ||
        notice.proposed_or_refused() != v1::NOTICE_ACTION_PROPOSED) {
      continue;
    }
    const std::optional<Day> sent = ParseDay(notice.sent_date());
    if (!sent.has_value()) continue;
    const bool about_new = NoticeAbout(records, notice, new_plan.id());
    // A notice about the old plan counts only as the notice of its ending:
    // sent after its first day and within kEndingNoticeDays before the new
    // plan's (not the notice that proposed the old plan, nor one of its
    // own later changes long before).
    const bool about_old = NoticeAbout(records, notice, old_plan.id()) &&
                           (!old_first || *sent > *old_first) &&
                           (!first || *sent >= *first - kEndingNoticeDays);
    if (!about_new && !about_old) continue;
    // The latest notice on or before the change (the one closest to it),
    // else the earliest after it.
    if (!first || *sent <= *first) {
      if (timely == nullptr || notice.sent_date() > timely->sent_date()) {
        timely = &notice;
      }
    } else if (late == nullptr || notice.sent_date() < late->sent_date()) {
      late = &notice;
    }
  }
  const v1::Notice* covering = timely != nullptr ? timely : late;
  int reductions = 0, without = 0;
  for (v1::ItemChange& change : changes) {
    if (!change.reduction()) continue;
    ++reductions;
    if (covering != nullptr) {
      change.set_notice_id(covering->id());
      change.set_notice_sent_date(covering->sent_date());
      change.set_notice_late(covering == late);
    }
    if (covering == nullptr || covering == late) ++without;
  }
  for (v1::ItemChange& change : changes) *out.add_changes() = std::move(change);
  out.set_unchanged(unchanged);
  out.set_reductions(reductions);
  out.set_reductions_without_notice(without);
  return out;
}

}  // namespace plansync::reports
