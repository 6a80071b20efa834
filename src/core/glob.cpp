#include "bbp/core/glob.hpp"

#include <string>
#include <vector>

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

// One path segment against one pattern segment: `*` and `?` never meet a `/` here.
bool segment_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
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

// Whether the pattern's segments match a suffix of the ref's: a table over (pattern segments
// consumed, ref segments consumed), so a pattern of many `**` costs their product, no more.
bool segments_match_suffix(const std::vector<std::string_view>& pattern,
                           const std::vector<std::string_view>& ref) {
  const std::size_t np = pattern.size();
  const std::size_t nr = ref.size();
  // can[i][j]: pattern[i..] matches ref[j..] exactly.
  std::vector<std::vector<bool>> can(np + 1, std::vector<bool>(nr + 1, false));
  can[np][nr] = true;
  for (std::size_t i = np; i-- > 0;) {
    for (std::size_t j = nr + 1; j-- > 0;) {
      if (pattern[i] == "**") {
        can[i][j] = can[i + 1][j] || (j < nr && can[i][j + 1]);
      } else {
        can[i][j] = j < nr && segment_match(pattern[i], ref[j]) && can[i + 1][j + 1];
      }
    }
  }
  for (std::size_t j = 0; j <= nr; ++j) {
    if (can[0][j]) {
      return true;
    }
  }
  return false;
}

std::vector<std::string_view> segments(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '/') {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

}  // namespace

bool ref_pattern_match(std::string_view pattern, std::string_view branch) {
  if (pattern.empty() || branch.empty()) {
    return false;
  }
  std::string full_pattern(pattern);
  if (full_pattern.back() == '/') {
    full_pattern += "**";
  }
  const std::string ref = "refs/heads/" + std::string(branch);
  return segments_match_suffix(segments(full_pattern), segments(ref));
}

bool glob_match(std::string_view pattern, std::string_view text) {
  return match(pattern, text, [](char a, char b) { return a == b; });
}

bool glob_match_ignoring_case(std::string_view pattern, std::string_view text) {
  return match(pattern, text,
               [](char a, char b) { return text::ascii_lower(a) == text::ascii_lower(b); });
}

}  // namespace bbp::core
