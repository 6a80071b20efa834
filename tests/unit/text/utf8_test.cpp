#include "bbp/text/utf8.hpp"

#include <string_view>

#include <gtest/gtest.h>

namespace bbp::text {
namespace {

TEST(Utf8Test, DecodesEveryLengthToItsCodePoint) {
  EXPECT_EQ(decode_utf8("a", 0).code_point, U'a');
  const std::string_view text = "\xC3\xA9\xE2\x9C\x93\xF0\x9F\x94\x92";  // é ✓ 🔒
  const auto e = decode_utf8(text, 0);
  EXPECT_EQ(e.code_point, U'\u00E9');
  EXPECT_EQ(e.length, 2U);
  const auto check = decode_utf8(text, 2);
  EXPECT_EQ(check.code_point, U'\u2713');
  EXPECT_EQ(check.length, 3U);
  const auto lock = decode_utf8(text, 5);
  EXPECT_EQ(lock.code_point, U'\U0001F512');
  EXPECT_EQ(lock.length, 4U);
  EXPECT_TRUE(lock.valid);
}

// What is not UTF-8 is one U+FFFD per byte, so every byte is consumed exactly once.
TEST(Utf8Test, RefusesWhatRfc3629Refuses) {
  for (const std::string_view bad :
       {"\xFF", "\x80", "\xC3", "\xE6\x97", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80",
        "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xC3("}) {
    const auto c = decode_utf8(bad, 0);
    EXPECT_FALSE(c.valid) << bad.size();
    EXPECT_EQ(c.code_point, U'\uFFFD');
    EXPECT_EQ(c.length, 1U);
  }
  EXPECT_TRUE(decode_utf8("\xED\x9F\xBF", 0).valid);        // U+D7FF, just below the surrogates
  EXPECT_TRUE(decode_utf8("\xF4\x8F\xBF\xBF", 0).valid);    // U+10FFFF, the last code point
  EXPECT_EQ(decode_utf8("\xC2\x9B", 0).code_point, 0x9BU);  // a C1 control is still a character
}

}  // namespace
}  // namespace bbp::text
