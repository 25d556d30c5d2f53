// Hash64's values are stored (the server's change digests), so they must not
// drift: the expected values were computed by an independent implementation
// of the documented algorithm (a few lines of Python), not by this code.
#include "core/hash64.h"

#include "gtest/gtest.h"

namespace plansync {
namespace {

TEST(Hash64Test, ValuesAreFixedAcrossVersionsAndMachines) {
  EXPECT_EQ(Hash64::Of(""), 0x2f29cd921e2bb333ULL);
  EXPECT_EQ(Hash64::Of("plansync"), 0xf912c11570574ba5ULL);  // one word
  EXPECT_EQ(Hash64::Of("IEP and 504 plans"), 0x5001987fb0b56d43ULL);  // tail
  EXPECT_EQ(Hash64().AddInt(1).AddInt(2).Finish(), 0xd594415b427e94e4ULL);
}

TEST(Hash64Test, BoundariesAndOrderMatter) {
  EXPECT_EQ(Hash64().AddBytes("ab").AddBytes("c").Finish(),
            0xd34d7a0de2003357ULL);
  EXPECT_EQ(Hash64().AddBytes("a").AddBytes("bc").Finish(),
            0x9da57a6f2fab2321ULL);
  EXPECT_NE(Hash64().AddInt(1).AddInt(2).Finish(),
            Hash64().AddInt(2).AddInt(1).Finish());
  // A trailing zero byte is not the same as its absence.
  EXPECT_NE(Hash64::Of(std::string("a\0", 2)), Hash64::Of("a"));
}

}  // namespace
}  // namespace plansync
