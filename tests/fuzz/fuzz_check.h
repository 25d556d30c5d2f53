// What every fuzz target asserts besides "no crash": outside input never
// gets INTERNAL (or an error without a message). A violation aborts, so
// libFuzzer keeps the input as a crash.
#ifndef PLANSYNC_TESTS_FUZZ_FUZZ_CHECK_H_
#define PLANSYNC_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"

namespace plansync::fuzz {

inline void CheckRefusal(const absl::Status& status, const char* what) {
  if (status.ok()) return;
  if (status.code() == absl::StatusCode::kInternal ||
      status.message().empty()) {
    std::fprintf(stderr, "%s: outside input got %s\n", what,
                 status.ToString().c_str());
    std::abort();
  }
}

}  // namespace plansync::fuzz

#endif  // PLANSYNC_TESTS_FUZZ_FUZZ_CHECK_H_
