// The PostgreSQL of the tests: a real server, never a mock. Under ctest it
// is the cluster the `pg_cluster` fixture started (its URI in the file
// PLANSYNC_PG_URI_FILE names); a test binary run by hand starts its own
// (scripts/pg-cluster) and stops it at exit. PLANSYNC_PG_URI names any
// other server to use instead. The PostgreSQL tests are skipped only when
// PLANSYNC_SKIP_PG=1 says so; otherwise a missing server fails them.
#ifndef PLANSYNC_TESTS_PG_TEST_UTIL_H_
#define PLANSYNC_TESTS_PG_TEST_UTIL_H_

#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace plansync::testing {

// The URI of a new, empty database on the tests' server.
absl::StatusOr<std::string> NewPgDatabase();

// True if PLANSYNC_SKIP_PG=1.
bool SkipPg();

}  // namespace plansync::testing

// Sets `uri` (a std::string) to a new database, or skips the test (when
// PLANSYNC_SKIP_PG=1) or fails it.
#define PLANSYNC_PG_DATABASE(uri)                                        \
  std::string uri;                                                       \
  do {                                                                   \
    auto pg_database_ = ::plansync::testing::NewPgDatabase();            \
    if (!pg_database_.ok()) {                                            \
      if (::plansync::testing::SkipPg()) {                               \
        GTEST_SKIP() << "PLANSYNC_SKIP_PG=1: " << pg_database_.status(); \
      }                                                                  \
      FAIL() << "no PostgreSQL for the tests (PLANSYNC_SKIP_PG=1 skips " \
                "them): "                                                \
             << pg_database_.status();                                   \
    }                                                                    \
    uri = *pg_database_;                                                 \
  } while (0)

#endif  // PLANSYNC_TESTS_PG_TEST_UTIL_H_
