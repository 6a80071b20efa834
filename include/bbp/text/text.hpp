#pragma once
// Small ASCII text helpers shared by every layer: the one trim, the one lower and upper case,
// the one case-insensitive compare, the one join. ASCII only on purpose: HTTP header names, scheme
// and host names, enum names and slugs are ASCII, and a locale must never change how they compare.

#include <algorithm>
#include <string>
#include <string_view>

namespace bbp::text {

constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return ascii_lower(c); });
  return out;
}

constexpr char ascii_upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

inline std::string ascii_upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return ascii_upper(c); });
  return out;
}

constexpr bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

// Without leading and trailing ASCII white space (space, \\t, \\n, \\v, \\f, \\r).
constexpr std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

// The items with the separator between them; items are anything a std::string appends.
template <typename Range>
std::string join(const Range& items, std::string_view separator = ", ") {
  std::string out;
  bool first = true;
  for (const auto& item : items) {
    if (!first) {
      out.append(separator);
    }
    out.append(item);
    first = false;
  }
  return out;
}

}  // namespace bbp::text
