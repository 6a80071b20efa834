#include "bbp/text/text.hpp"

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "bbp/text/base64.hpp"
#include "bbp/text/names.hpp"

namespace bbp::text {
namespace {

TEST(TextTest, TrimTakesAsciiWhiteSpaceFromBothEndsOnly) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim("\v\fx\f"), "x");
  EXPECT_EQ(trim(" \t "), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("\xC2\xA0x"), "\xC2\xA0x");  // a no-break space is not ASCII white space
}

TEST(TextTest, IequalsIgnoresAsciiCaseOnly) {
  EXPECT_TRUE(iequals("Retry-After", "retry-after"));
  EXPECT_FALSE(iequals("Retry-After", "Retry-Afte"));
  EXPECT_FALSE(iequals("\xC3\x89", "\xC3\xA9"));  // É and é: bytes compared as they are
  EXPECT_EQ(ascii_lower("HeLLo-1"), "hello-1");
  EXPECT_EQ(ascii_upper("HeLLo-1"), "HELLO-1");
  EXPECT_EQ(ascii_upper("\xC3\xA9"), "\xC3\xA9");  // é stays é: ASCII only, whatever the locale
}

// RFC 4648 section 10's test vectors, padded and unpadded, and back.
TEST(TextTest, Base64FollowsRfc4648) {
  const std::array<std::pair<std::string_view, std::string_view>, 6> vectors{
      {{"f", "Zg=="},
       {"fo", "Zm8="},
       {"foo", "Zm9v"},
       {"foob", "Zm9vYg=="},
       {"fooba", "Zm9vYmE="},
       {"foobar", "Zm9vYmFy"}}};
  for (const auto& [bytes, encoded] : vectors) {
    EXPECT_EQ(base64_encode(bytes), encoded);
    std::string unpadded(encoded);
    unpadded.erase(unpadded.find_last_not_of('=') + 1);
    EXPECT_EQ(base64_encode(bytes, /*padded=*/false), unpadded);
    EXPECT_EQ(base64_decode(encoded), bytes);
    EXPECT_EQ(base64_decode(unpadded), bytes);
  }
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_decode(""), std::nullopt);
  EXPECT_EQ(base64_decode("Zm9v!"), std::nullopt);
  EXPECT_EQ(base64_decode("Zg=v"), std::nullopt);
  EXPECT_EQ(base64_decode("Zg==="), std::nullopt);
}

TEST(TextTest, JoinPutsTheSeparatorBetweenItemsOnly) {
  EXPECT_EQ(join(std::vector<std::string>{}), "");
  EXPECT_EQ(join(std::vector<std::string>{"a"}), "a");
  EXPECT_EQ(join(std::vector<std::string_view>{"a", "b", "c"}, " "), "a b c");
  EXPECT_EQ(join(std::vector<std::string>{"", "b"}), ", b");
}

enum class Colour { red, green, blue };

constexpr std::array<Named<Colour>, 2> kColours{{{Colour::red, "red"}, {Colour::green, "green"}}};

TEST(NamesTest, BothDirectionsReadTheSameTable) {
  EXPECT_EQ(name_of(kColours, Colour::green), "green");
  EXPECT_EQ(value_of(kColours, "red"), Colour::red);
  EXPECT_FALSE(value_of(kColours, "RED"));
  EXPECT_EQ(value_of(kColours, "RED", Case::insensitive), Colour::red);
  EXPECT_FALSE(value_of(kColours, "blue"));
  EXPECT_EQ(name_of(kColours, Colour::blue), "unknown");  // missing from the table
  static_assert(name_of(kColours, Colour::red) == "red");
}

}  // namespace
}  // namespace bbp::text
