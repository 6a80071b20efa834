#include "bbp/core/glob.hpp"

#include "bbp/text/text.hpp"

namespace bbp::core {
namespace {

// Iterative matcher with single-star backtracking: O(|pattern| * |text|) worst case, no
// recursion, so hostile patterns cannot blow the stack.
template <typename Equal>
bool match(std::string_view pattern, std::string_view text, Equal equal) {
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && equal(pattern[p], text[t])) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  return match(pattern, text, [](char a, char b) { return a == b; });
}

bool glob_match_ignoring_case(std::string_view pattern, std::string_view text) {
  return match(pattern, text,
               [](char a, char b) { return text::ascii_lower(a) == text::ascii_lower(b); });
}

}  // namespace bbp::core
