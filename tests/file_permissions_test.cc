// Files with student data are owner-only: the store, its WAL and its shared
// memory file, whatever the process umask.
#include <sys/stat.h>

#include "core/device_store.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

TEST(FilePermissions, StoreWalAndShmAreOwnerOnly) {
  const mode_t old_umask = umask(0);  // the most permissive a caller could set
  testing::TempDir dir;
  FakeClock clock(testing::kStartMillis);
  const std::string path = dir.File("device.db");
  auto store = testing::OpenStore(path, "user-cm", &clock);
  ASSERT_NE(store, nullptr);
  testing::CreateOneOfEach(*store);  // the WAL now holds student data
  for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
    struct stat info;
    ASSERT_EQ(stat(file.c_str(), &info), 0) << file;
    EXPECT_EQ(info.st_mode & 0777, 0600u) << file;
  }
  umask(old_umask);
}

}  // namespace
}  // namespace plansync
