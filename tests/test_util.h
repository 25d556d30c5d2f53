// Helpers shared by the tests: temporary directories, stores on a fake clock,
// and records filled from the schema.
#ifndef PLANSYNC_TESTS_TEST_UTIL_H_
#define PLANSYNC_TESTS_TEST_UTIL_H_

#include <map>
#include <memory>
#include <random>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/clock.h"
#include "core/device_store.h"
#include "core/schema.h"
#include "google/protobuf/message.h"

namespace plansync::testing {

inline const absl::Status& StatusOf(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

// Assert/expect that an absl::Status or StatusOr is OK, printing it if not.
#define ASSERT_OK(expr)                                               \
  do {                                                                \
    const auto& plansync_result_ = (expr);                            \
    ASSERT_TRUE(::plansync::testing::StatusOf(plansync_result_).ok()) \
        << ::plansync::testing::StatusOf(plansync_result_);           \
  } while (0)
#define EXPECT_OK(expr)                                               \
  do {                                                                \
    const auto& plansync_result_ = (expr);                            \
    EXPECT_TRUE(::plansync::testing::StatusOf(plansync_result_).ok()) \
        << ::plansync::testing::StatusOf(plansync_result_);           \
  } while (0)

// 2026-09-08T12:00:00Z, a school day.
inline constexpr int64_t kStartMillis = 1788868800000;

// A fresh directory under the system's temporary directory, removed with
// everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Opens (or creates) a store at `path` for `principal` on `clock`.
std::unique_ptr<DeviceStore> OpenStore(const std::string& path,
                                       const std::string& principal,
                                       ClockSource* clock, uint64_t seed = 1);

// A new, empty message of `type`.
std::unique_ptr<google::protobuf::Message> NewRecord(const RecordType& type);

// Fills every writer-set field of `record` with a valid value derived from
// `variant`: the bucket key with `student_id`, each reference with the id in
// `existing` under its type's full name (left empty if there is none), dates
// and instants with well-formed values. Store-assigned fields and the id are
// left empty.
void FillRecord(const RecordType& type, const std::string& student_id,
                const std::map<std::string, std::string>& existing, int variant,
                google::protobuf::Message* record);

// Creates the mutable `record` (Append: appends the log entry `entry`) in
// `store` in its own transaction and returns its id; a failure is a test
// failure, and returns "".
std::string CreateRecord(DeviceStore& store, google::protobuf::Message& record);
std::string AppendEntry(DeviceStore& store, google::protobuf::Message& entry);

// Creates one record of every type in `store` for a new student, in an order
// that satisfies references, and returns the ids by type full name.
std::map<std::string, std::string> CreateOneOfEach(DeviceStore& store,
                                                   int variant = 1);

// Between 1 and 6 random local writes on `store`, each in its own
// transaction, advancing `clock` a little before each: edits of the Plan and
// Accommodation named in `ids` (concurrent with other devices' edits) and
// implementation confirmations.
absl::Status RandomWrites(DeviceStore& store, FakeClock& clock,
                          std::mt19937_64& rng,
                          const std::map<std::string, std::string>& ids);

}  // namespace plansync::testing

#endif  // PLANSYNC_TESTS_TEST_UTIL_H_
