// Enum values of the schema as people and command lines write them.
#ifndef PLANSYNC_CORE_ENUM_WORDS_H_
#define PLANSYNC_CORE_ENUM_WORDS_H_

#include <string>

#include "google/protobuf/descriptor.h"
#include "plansync/v1/records.pb.h"

namespace plansync {

// `name` (a value name of `type`) without the prefix made of the enum's name
// in upper snake case: ("SessionOutcome", "SESSION_OUTCOME_PROVIDER_ABSENT")
// -> "PROVIDER_ABSENT". A name without the prefix is returned whole.
std::string ShortEnumName(const google::protobuf::EnumDescriptor& type,
                          const std::string& name);

// Value `number` of `type` in lower-case words: "provider absent"; "" for 0;
// the number itself if `type` has no such value.
std::string EnumWords(const google::protobuf::EnumDescriptor& type, int number);

// A plan's kind as people write it: "IEP", "Section 504 plan"; "plan" when
// unset.
std::string PlanKindText(v1::PlanKind kind);

}  // namespace plansync

#endif  // PLANSYNC_CORE_ENUM_WORDS_H_
