// Where and when an accommodation applies in one class on one school day
// (its `applies_to`): in every class; only in classes of its subject; only
// on the days the class has a test. Pure: the caller says the class's
// subject and whether a test is recorded that day.
#ifndef PLANSYNC_CORE_ACCOMMODATION_SCOPE_H_
#define PLANSYNC_CORE_ACCOMMODATION_SCOPE_H_

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "plansync/v1/records.pb.h"

namespace plansync {

enum class AccommodationScope {
  kDue,           // it applies in this class that day
  kOtherSubject,  // for another subject than the class's
  kNoTest,        // tests only, and no test is recorded for the class
};

// `class_subject`: the class's subject (the teacher's Assignment.subject);
// empty when not stated, and then every subject accommodation applies.
// `test_day`: a ClassTest is recorded for the class on the day.
inline AccommodationScope ScopeOf(const v1::Accommodation& accommodation,
                                  absl::string_view class_subject,
                                  bool test_day) {
  switch (accommodation.applies_to()) {
    case v1::APPLIES_TO_SUBJECT:
      if (class_subject.empty() ||
          absl::EqualsIgnoreCase(
              absl::StripAsciiWhitespace(accommodation.subject()),
              absl::StripAsciiWhitespace(class_subject))) {
        return AccommodationScope::kDue;
      }
      return AccommodationScope::kOtherSubject;
    case v1::APPLIES_TO_TESTS_ONLY:
      return test_day ? AccommodationScope::kDue : AccommodationScope::kNoTest;
    default:
      return AccommodationScope::kDue;
  }
}

}  // namespace plansync

#endif  // PLANSYNC_CORE_ACCOMMODATION_SCOPE_H_
