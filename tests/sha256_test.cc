// SHA-256 against the FIPS 180-4 / NIST example vectors, and the
// constant-time comparison.
#include "core/sha256.h"

#include <string>

#include "gtest/gtest.h"

namespace plansync {
namespace {

TEST(Sha256, NistVectors) {
  EXPECT_EQ(Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(
      Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, EveryTailLengthAroundABlock) {
  // Lengths 55, 56 and 64 take the one- and two-block padding paths; the
  // digests differ and are stable.
  const std::string a55(55, 'x'), a56(56, 'x'), a64(64, 'x');
  EXPECT_NE(Sha256Hex(a55), Sha256Hex(a56));
  EXPECT_NE(Sha256Hex(a56), Sha256Hex(a64));
  EXPECT_EQ(Sha256Hex(a56), Sha256Hex(std::string(56, 'x')));
  EXPECT_EQ(Sha256Hex(std::string(64, 'a')),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST(ConstantTimeEquals, ComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("token", "token"));
  EXPECT_FALSE(ConstantTimeEquals("token", "tokem"));
  EXPECT_FALSE(ConstantTimeEquals("token", "token2"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace plansync
