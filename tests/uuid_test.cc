#include "core/uuid.h"

#include <set>

#include "gtest/gtest.h"

namespace plansync {
namespace {

TEST(Uuid, HasVersion7AndRfcVariantInCanonicalForm) {
  FakeClock clock(1788868800000);
  IdGenerator ids(&clock, 42);
  const std::string id = ids.Next();
  ASSERT_EQ(id.size(), 36u);
  EXPECT_TRUE(IsUuid(id));
  EXPECT_EQ(id[14], '7');
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
  // The first 48 bits are the milliseconds.
  EXPECT_EQ(id.substr(0, 8) + id.substr(9, 4), "01a080e3ae00");
}

TEST(Uuid, LaterIdsSortLater) {
  FakeClock clock(1788868800000);
  IdGenerator ids(&clock, 7);
  std::string previous = ids.Next();
  for (int i = 0; i < 100; ++i) {
    clock.Advance(1);
    const std::string next = ids.Next();
    EXPECT_LT(previous, next);
    previous = next;
  }
}

TEST(Uuid, SameSeedSameIdsDifferentSeedDifferentIds) {
  FakeClock clock(1788868800000);
  IdGenerator a(&clock, 1), b(&clock, 1), c(&clock, 2);
  const std::string first = a.Next();
  EXPECT_EQ(first, b.Next());
  EXPECT_NE(first, c.Next());
}

TEST(Uuid, NoCollisionsWithinOneMillisecond) {
  FakeClock clock(1788868800000);
  IdGenerator ids(&clock, 3);
  std::set<std::string> seen;
  for (int i = 0; i < 100000; ++i) ASSERT_TRUE(seen.insert(ids.Next()).second);
}

TEST(Uuid, IsUuidRejectsMalformedText) {
  EXPECT_FALSE(IsUuid(""));
  EXPECT_FALSE(IsUuid("not-a-uuid"));
  EXPECT_FALSE(IsUuid("01a080e3-ae00-7000-8000-00000000000"));      // short
  EXPECT_FALSE(IsUuid("01a080e3-ae00-7000-8000-00000000000g"));     // not hex
  EXPECT_FALSE(IsUuid("01a080e3ae00-7000-8000-0000-00000000000"));  // dashes
  EXPECT_TRUE(IsUuid("01A080E3-AE00-7000-8000-000000000000"));
}

}  // namespace
}  // namespace plansync
