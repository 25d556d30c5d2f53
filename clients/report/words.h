// Words for report values, shared by the renderers: enum values as plain
// words, student names by id, percentages.
#ifndef PLANSYNC_CLIENTS_REPORT_WORDS_H_
#define PLANSYNC_CLIENTS_REPORT_WORDS_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "core/enum_words.h"
#include "google/protobuf/generated_enum_reflection.h"
#include "plansync/v1/report.pb.h"

namespace plansync::report {

// An enum value in words (core/enum_words.h): "provider absent".
template <typename E>
std::string Words(E value) {
  return EnumWords(*google::protobuf::GetEnumDescriptor<E>(),
                   static_cast<int>(value));
}

// "75%" (rounded); "-" when nothing was due.
std::string Percent(double rate, bool any);

// Student names by id, from report.students.
absl::flat_hash_map<std::string, std::string> StudentNames(
    const v1::Report& report);

}  // namespace plansync::report

#endif  // PLANSYNC_CLIENTS_REPORT_WORDS_H_
