// The watch hub's fan-out: a publication reaches the streams watching its
// buckets (and unrestricted ones), follows a change of a principal's
// buckets, and nothing after a stream is removed.
#include "server/watch_hub.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace plansync::server {
namespace {

class RecordingListener final : public WatchListener {
 public:
  RecordingListener(std::string principal, std::vector<std::string> buckets,
                    bool everything = false)
      : principal_(std::move(principal)),
        buckets_(std::move(buckets)),
        everything_(everything) {}

  void OnBucketChanged(const std::string& bucket, int64_t seq) override {
    heard[bucket] = seq;
  }
  void OnRevoked() override { revoked = true; }
  void OnBucketsChanged(
      const absl::flat_hash_set<std::string>& buckets) override {
    buckets_.assign(buckets.begin(), buckets.end());
  }
  std::vector<std::string> WatchedBuckets() override {
    return everything_ ? std::vector<std::string>() : buckets_;
  }
  bool WatchesEverything() const override { return everything_; }
  const std::string& replica_id() const override { return replica_; }
  void OnPulled(
      const std::vector<std::pair<std::string, int64_t>>& cursors) override {
    pulled = cursors;
  }
  const std::string& principal_id() const override { return principal_; }
  const std::string& token_id() const override { return token_; }

  std::map<std::string, int64_t> heard;
  bool revoked = false;
  std::vector<std::pair<std::string, int64_t>> pulled;
  std::string replica_;

 private:
  const std::string principal_;
  const std::string token_ = "token";
  std::vector<std::string> buckets_;
  const bool everything_;
};

TEST(WatchHub, PublicationsReachTheStreamsWatchingTheirBuckets) {
  WatchHub hub;
  RecordingListener teacher("t", {"student/a", "directory"});
  RecordingListener parent("p", {"student/b"});
  RecordingListener admin("x", {}, /*everything=*/true);
  hub.Add(&teacher);
  hub.Add(&parent);
  hub.Add(&admin);
  EXPECT_EQ(hub.size(), 3u);
  std::vector<std::string> watched = hub.WatchedBuckets();
  std::sort(watched.begin(), watched.end());
  EXPECT_EQ(watched,
            (std::vector<std::string>{"directory", "student/a", "student/b"}));

  hub.Publish({{"student/a", 7}});
  EXPECT_EQ(teacher.heard, (std::map<std::string, int64_t>{{"student/a", 7}}));
  EXPECT_TRUE(parent.heard.empty());
  EXPECT_EQ(admin.heard, (std::map<std::string, int64_t>{{"student/a", 7}}));

  // The teacher is moved from student a to student b.
  hub.SetBuckets("t", {"student/b"});
  teacher.heard.clear();
  hub.Publish({{"student/a", 8}, {"student/b", 3}});
  EXPECT_EQ(teacher.heard, (std::map<std::string, int64_t>{{"student/b", 3}}));
  EXPECT_EQ(parent.heard, (std::map<std::string, int64_t>{{"student/b", 3}}));
  EXPECT_EQ(admin.heard.size(), 2u);
  watched = hub.WatchedBuckets();
  std::sort(watched.begin(), watched.end());
  EXPECT_EQ(watched, (std::vector<std::string>{"student/b"}));

  // Removed streams hear nothing more.
  hub.Remove(&parent);
  hub.Remove(&admin);
  parent.heard.clear();
  admin.heard.clear();
  hub.Publish({{"student/b", 4}});
  EXPECT_TRUE(parent.heard.empty());
  EXPECT_TRUE(admin.heard.empty());
  EXPECT_EQ(teacher.heard.at("student/b"), 4);
  EXPECT_EQ(hub.size(), 1u);

  // A pull is told to the streams of the same replica alone.
  RecordingListener phone("t", {"student/b"});
  phone.replica_ = "r1";
  hub.Add(&phone);
  hub.Pulled("r1", {{"student/b", 41}});
  hub.Pulled("r2", {{"student/b", 42}});
  EXPECT_EQ(phone.pulled,
            (std::vector<std::pair<std::string, int64_t>>{{"student/b", 41}}));
  EXPECT_TRUE(teacher.pulled.empty());
  hub.Remove(&phone);
  hub.Pulled("r1", {{"student/b", 43}});
  EXPECT_EQ(phone.pulled.front().second, 41);

  hub.Revoke({"token"});
  EXPECT_TRUE(teacher.revoked);
  EXPECT_FALSE(parent.revoked);
}

}  // namespace
}  // namespace plansync::server
