#include "util.hpp"

#include <array>
#include <cctype>

namespace bbp::fake_dc::detail {

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matcher with single-star backtracking: linear in practice, no recursion.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
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

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// Reads `count` digits at `pos` of `text`; nullopt when any is not a digit.
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t count) {
  if (pos + count > text.size()) {
    return std::nullopt;
  }
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) {
      return std::nullopt;
    }
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// The offset part of an RFC 3339 date-time ("Z", "+hh:mm", "-hh:mm") in minutes.
std::optional<int> offset_minutes(std::string_view rest) {
  if (rest == "Z" || rest == "z") {
    return 0;
  }
  if (rest.size() != 6 || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':') {
    return std::nullopt;
  }
  const auto hours = digits(rest, 1, 2);
  const auto minutes = digits(rest, 4, 2);
  if (!hours || !minutes) {
    return std::nullopt;
  }
  const int total = *hours * 60 + *minutes;
  return rest[0] == '-' ? -total : total;
}

}  // namespace

std::string url_decode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return out;
}

QueryPairs parse_query(std::string_view raw) {
  QueryPairs pairs;
  for (const auto& item : split(raw, '&')) {
    if (item.empty()) {
      continue;
    }
    const auto eq = item.find('=');
    if (eq == std::string::npos) {
      pairs.emplace_back(url_decode(item, true), "");
    } else {
      pairs.emplace_back(url_decode(std::string_view(item).substr(0, eq), true),
                         url_decode(std::string_view(item).substr(eq + 1), true));
    }
  }
  return pairs;
}

std::optional<std::string> query_value(const QueryPairs& pairs, std::string_view key) {
  for (const auto& [k, v] : pairs) {
    if (k == key) {
      return v;
    }
  }
  return std::nullopt;
}

std::string base64_decode(std::string_view text) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    if (c == '=') {
      break;
    }
    const auto pos = kAlphabet.find(c);
    if (pos == std::string_view::npos) {
      continue;  // tolerate whitespace, as lenient servers do
    }
    buffer = (buffer << 6U) | static_cast<std::uint32_t>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU));
    }
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && to_lower(a) == to_lower(b);
}

bool icontains(std::string_view haystack, std::string_view needle) {
  return to_lower(haystack).find(to_lower(needle)) != std::string::npos;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto pos = text.find(separator, start);
    if (pos == std::string_view::npos) {
      parts.emplace_back(text.substr(start));
      return parts;
    }
    parts.emplace_back(text.substr(start, pos - start));
    start = pos + 1;
  }
}

std::optional<std::int64_t> rfc3339_to_millis(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS, then an optional fraction, then the offset.
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  const std::array<std::optional<int>, 6> parts = {digits(text, 0, 4),  digits(text, 5, 2),
                                                   digits(text, 8, 2),  digits(text, 11, 2),
                                                   digits(text, 14, 2), digits(text, 17, 2)};
  for (const auto& part : parts) {
    if (!part) {
      return std::nullopt;
    }
  }
  if (*parts[1] < 1 || *parts[1] > 12 || *parts[2] < 1 || *parts[2] > 31 || *parts[3] > 23 ||
      *parts[4] > 59 || *parts[5] > 60) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t millis = 0;
  if (text[pos] == '.') {
    std::int64_t scale = 100;
    for (++pos; pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) != 0;
         ++pos) {
      millis += (text[pos] - '0') * scale;
      scale /= 10;
    }
  }
  const auto offset = offset_minutes(text.substr(pos));
  if (!offset) {
    return std::nullopt;
  }
  const std::int64_t days = days_from_civil(*parts[0], static_cast<unsigned>(*parts[1]),
                                            static_cast<unsigned>(*parts[2]));
  const std::int64_t seconds = days * 86400 + std::int64_t{*parts[3]} * 3600 +
                               std::int64_t{*parts[4]} * 60 + *parts[5] -
                               static_cast<std::int64_t>(*offset) * 60;
  return seconds * 1000 + millis;
}

nlohmann::json dc_error(std::string_view message, std::string_view exception) {
  nlohmann::json entry = {{"context", nullptr}, {"message", message}};
  entry["exceptionName"] =
      exception.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::string(exception));
  return {{"errors", nlohmann::json::array({entry})}};
}

}  // namespace bbp::fake_dc::detail
