#include "core/hlc.h"

#include "core/errors.h"
#include "gtest/gtest.h"

namespace plansync {
namespace {

constexpr int64_t kStart = 1788868800000;

TEST(Hlc, PacksMillisAndCounter) {
  const Hlc hlc = HlcPack(kStart, 7);
  EXPECT_EQ(HlcMillis(hlc), kStart);
  EXPECT_EQ(HlcCounter(hlc), 7);
  EXPECT_LT(HlcPack(kStart, 0xFFFF), HlcPack(kStart + 1, 0));
}

TEST(Hlc, NowIsStrictlyIncreasingWhilePhysicalTimeStandsStill) {
  FakeClock physical(kStart);
  HybridClock clock(&physical);
  Hlc previous = clock.Now();
  EXPECT_EQ(previous, HlcPack(kStart, 0));
  for (int i = 0; i < 1000; ++i) {
    const Hlc next = clock.Now();
    EXPECT_GT(next, previous);
    previous = next;
  }
  EXPECT_EQ(HlcMillis(previous), kStart);
  EXPECT_EQ(HlcCounter(previous), 1000);
}

TEST(Hlc, FollowsPhysicalTimeWhenItMovesForward) {
  FakeClock physical(kStart);
  HybridClock clock(&physical);
  clock.Now();
  clock.Now();
  physical.Advance(5);
  EXPECT_EQ(clock.Now(), HlcPack(kStart + 5, 0));
}

TEST(Hlc, StaysMonotonicWhenPhysicalClockStepsBack) {
  FakeClock physical(kStart);
  HybridClock clock(&physical);
  const Hlc before = clock.Now();
  physical.Set(kStart - 60'000);  // the device's clock is set back a minute
  const Hlc after = clock.Now();
  EXPECT_GT(after, before);
  EXPECT_EQ(HlcMillis(after), kStart);
}

TEST(Hlc, CounterOverflowCarriesIntoMillis) {
  FakeClock physical(kStart);
  HybridClock clock(&physical);
  ASSERT_TRUE(clock.Observe(HlcPack(kStart, 0xFFFF)).ok());
  const Hlc next = clock.Now();
  EXPECT_EQ(next, HlcPack(kStart + 1, 0));
}

TEST(Hlc, ObserveMovesPastARemoteStampFromASkewedClock) {
  FakeClock physical(kStart);
  HybridClock clock(&physical);
  const Hlc remote = HlcPack(kStart + 90'000, 3);  // 90 s ahead, within bound
  ASSERT_TRUE(clock.Observe(remote).ok());
  EXPECT_GT(clock.Now(), remote);
}

TEST(Hlc, ObserveRefusesStampsBeyondTheDriftBoundAndStaysPut) {
  FakeClock physical(kStart);
  HybridClock clock(&physical, /*max_drift_millis=*/5 * 60 * 1000);
  const Hlc before = clock.Now();
  const absl::Status status =
      clock.Observe(HlcPack(kStart + 5 * 60 * 1000 + 1, 0));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(status), v1::CLOCK_DRIFT);
  EXPECT_NE(status.message().find("limit is 300000 ms"),
            absl::string_view::npos)
      << status;
  EXPECT_EQ(clock.Last(), before);
  // Exactly at the bound is accepted.
  EXPECT_TRUE(clock.Observe(HlcPack(kStart + 5 * 60 * 1000, 0)).ok());
}

}  // namespace
}  // namespace plansync
