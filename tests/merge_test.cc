// The merge rules of core/merge.h, case by case.
#include "core/merge.h"

#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"

namespace plansync {
namespace {

TEST(MergeRegister, FirstWriteIsTaken) {
  EXPECT_EQ(MergeRegister(std::nullopt, Stamp{5, "a"}),
            RegisterMerge::kTakeIncoming);
}

TEST(MergeRegister, HigherClockWins) {
  EXPECT_EQ(MergeRegister(Stamp{5, "b"}, Stamp{6, "a"}),
            RegisterMerge::kTakeIncoming);
  EXPECT_EQ(MergeRegister(Stamp{6, "a"}, Stamp{5, "b"}),
            RegisterMerge::kKeepStored);
}

TEST(MergeRegister, EqualClocksAreOrderedByReplicaId) {
  EXPECT_EQ(MergeRegister(Stamp{5, "a"}, Stamp{5, "b"}),
            RegisterMerge::kTakeIncoming);
  EXPECT_EQ(MergeRegister(Stamp{5, "b"}, Stamp{5, "a"}),
            RegisterMerge::kKeepStored);
}

TEST(MergeRegister, SameStampIsTheSameWrite) {
  EXPECT_EQ(MergeRegister(Stamp{5, "a"}, Stamp{5, "a"}), RegisterMerge::kSame);
}

TEST(MergeLogEntry, InsertDuplicateAndForged) {
  v1::Comment stored;
  stored.set_id("01a080e3-ae00-7000-8000-000000000001");
  stored.set_text("Spoke with the teacher");
  v1::Comment same = stored;
  v1::Comment forged = stored;
  forged.set_text("Never spoke with anyone");
  EXPECT_EQ(MergeLogEntry(nullptr, stored), LogMerge::kInsert);
  EXPECT_EQ(MergeLogEntry(&stored, same), LogMerge::kDuplicate);
  EXPECT_EQ(MergeLogEntry(&stored, forged), LogMerge::kForged);
}

TEST(ConcurrentEdit, WriterWhoSawTheWinnerIsNotConcurrent) {
  EXPECT_FALSE(IsConcurrentEdit(Stamp{10, "a"}, /*base_hlc=*/10, "b"));
}

TEST(ConcurrentEdit, WriterWhoMissedAnotherReplicasWinnerIsConcurrent) {
  EXPECT_TRUE(IsConcurrentEdit(Stamp{10, "a"}, /*base_hlc=*/7, "b"));
  EXPECT_TRUE(IsConcurrentEdit(Stamp{10, "a"}, /*base_hlc=*/0, "b"));
}

TEST(ConcurrentEdit, FollowingOnesOwnEarlierWriteIsNotConcurrent) {
  EXPECT_FALSE(IsConcurrentEdit(Stamp{10, "a"}, /*base_hlc=*/7, "a"));
}

}  // namespace
}  // namespace plansync
