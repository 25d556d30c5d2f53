// UUIDv7 record and replica ids (RFC 9562): 48 bits of Unix milliseconds, then
// random bits, so ids made later sort later and B-tree inserts stay local.
#ifndef PLANSYNC_CORE_UUID_H_
#define PLANSYNC_CORE_UUID_H_

#include <cstdint>
#include <random>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "core/clock.h"

namespace plansync {

// Makes UUIDv7 ids from an injected clock and a seeded generator, so tests are
// reproducible. Thread-safe.
class IdGenerator {
 public:
  // `clock` is not owned and must outlive the generator.
  IdGenerator(ClockSource* clock, uint64_t seed) : clock_(clock), rng_(seed) {}

  // A new id in canonical text form: 36 lowercase characters, 8-4-4-4-12.
  std::string Next();

  // A seed from the operating system's entropy source, for production use.
  static uint64_t RandomSeed();

 private:
  ClockSource* const clock_;
  absl::Mutex mu_;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
};

// True if `text` is a UUID in canonical text form (any version, lowercase or
// uppercase hex).
bool IsUuid(absl::string_view text);

}  // namespace plansync

#endif  // PLANSYNC_CORE_UUID_H_
