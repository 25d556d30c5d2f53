// Seeds for property tests: PLANSYNC_SEED replays one schedule,
// PLANSYNC_SCHEDULES sets how many run (the long mode), and a failing
// schedule prints the command line that replays it.
#ifndef PLANSYNC_TESTS_PROPERTY_H_
#define PLANSYNC_TESTS_PROPERTY_H_

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace plansync::testing {

// The seeds to run: PLANSYNC_SEED alone if set, else PLANSYNC_SCHEDULES (or
// `default_count`) seeds starting at `first`.
inline std::vector<uint64_t> PropertySeeds(uint64_t first,
                                           uint64_t default_count) {
  if (const char* seed = std::getenv("PLANSYNC_SEED")) {
    return {std::strtoull(seed, nullptr, 10)};
  }
  uint64_t count = default_count;
  if (const char* schedules = std::getenv("PLANSYNC_SCHEDULES")) {
    count = std::strtoull(schedules, nullptr, 10);
  }
  std::vector<uint64_t> seeds;
  for (uint64_t i = 0; i < count; ++i) seeds.push_back(first + i);
  return seeds;
}

inline std::string ReplayHint(const char* test_binary, const char* filter,
                              uint64_t seed) {
  return "replay with: PLANSYNC_SEED=" + std::to_string(seed) + " " +
         test_binary + " --gtest_filter=" + filter;
}

}  // namespace plansync::testing

#endif  // PLANSYNC_TESTS_PROPERTY_H_
