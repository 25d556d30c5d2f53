// IsValidUtf8 (core/utf8.h) against RFC 3629's well-formed byte sequences.
#include "core/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace plansync {
namespace {

TEST(Utf8Test, WellFormedTextIsAccepted) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("Extended time (1.5x) on tests and quizzes"));
  EXPECT_TRUE(IsValidUtf8("Se\xc3\xb1ora L\xc3\xb3pez"));  // U+00F1
  EXPECT_TRUE(IsValidUtf8("\xe2\x82\xac 20"));             // U+20AC
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x93\x9a notes"));      // U+1F4DA
  EXPECT_TRUE(IsValidUtf8("\xed\x9f\xbf"));                // U+D7FF
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));            // U+10FFFF
  // Past the eight-byte ASCII steps, at every offset.
  for (int pad = 0; pad < 9; ++pad) {
    EXPECT_TRUE(IsValidUtf8(std::string(pad, 'a') + "\xc3\xa9" + "bcdefghij"));
  }
}

TEST(Utf8Test, MalformedSequencesAreRefused) {
  EXPECT_FALSE(IsValidUtf8("\xff"));              // never in UTF-8
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong, 3 bytes
  EXPECT_FALSE(IsValidUtf8("\xf0\x80\x80\xaf"));  // overlong, 4 bytes
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xc3\x28"));          // bad continuation
  // A bad byte after, or inside, a run of ASCII.
  for (int pad = 0; pad < 17; ++pad) {
    EXPECT_FALSE(IsValidUtf8(std::string(pad, 'a') + "\xfe" + "abcdefgh"))
        << pad;
  }
}

}  // namespace
}  // namespace plansync
