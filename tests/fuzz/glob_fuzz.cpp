// Fuzzes the branch-restriction glob matcher against a straightforward dynamic-programming
// reference. Input: "pattern\ntext" (without a newline the input is both pattern and text).
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bbp/core/glob.hpp"
#include "fuzz_support.hpp"

namespace {

// Anchored glob where '*' matches any run of characters: table[i][j] says whether
// pattern[i..] matches text[j..].
bool reference(std::string_view pattern, std::string_view text, bool ignore_case) {
  const auto same = [ignore_case](char a, char b) {
    if (!ignore_case) {
      return a == b;
    }
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  };
  const std::size_t width = text.size() + 1;
  std::vector<char> table((pattern.size() + 1) * width, 0);
  const auto at = [&](std::size_t i, std::size_t j) -> char& { return table[i * width + j]; };
  at(pattern.size(), text.size()) = 1;
  for (std::size_t i = pattern.size(); i-- > 0;) {
    for (std::size_t j = text.size() + 1; j-- > 0;) {
      if (pattern[i] == '*') {
        at(i, j) = static_cast<char>(at(i + 1, j) || (j < text.size() && at(i, j + 1)));
      } else {
        at(i, j) =
            static_cast<char>(j < text.size() && same(pattern[i], text[j]) && at(i + 1, j + 1));
      }
    }
  }
  return at(0, 0) != 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto input = bbp::fuzz::as_text(data, size);
  const auto newline = input.find('\n');
  const std::string_view pattern = input.substr(0, newline);
  const std::string_view text =
      newline == std::string_view::npos ? input : input.substr(newline + 1);

  const bool matched = bbp::core::glob_match(pattern, text);
  const bool matched_ignoring_case = bbp::core::glob_match_ignoring_case(pattern, text);
  if (pattern.size() <= 1024 && text.size() <= 1024) {
    BBP_FUZZ_REQUIRE(matched == reference(pattern, text, false));
    BBP_FUZZ_REQUIRE(matched_ignoring_case == reference(pattern, text, true));
  }
  BBP_FUZZ_REQUIRE(!matched || matched_ignoring_case);
  BBP_FUZZ_REQUIRE(bbp::core::glob_match(pattern, pattern));
  BBP_FUZZ_REQUIRE(bbp::core::glob_match(text, text));
  BBP_FUZZ_REQUIRE(bbp::core::glob_match("*", text));
  if (matched) {
    const std::string starred = "*" + std::string(pattern) + "*";
    BBP_FUZZ_REQUIRE(bbp::core::glob_match(starred, text));
  }
  if (pattern.find('*') == std::string_view::npos) {
    BBP_FUZZ_REQUIRE(matched == (pattern == text));
  }
  return 0;
}
