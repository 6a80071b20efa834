#include "bbp/bitbucket/url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "bbp/text/text.hpp"

namespace bbp::bitbucket {

std::optional<Origin> origin_of(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return std::nullopt;
  }
  Origin origin;
  origin.scheme = text::ascii_lower(url.substr(0, scheme_end));
  if (origin.scheme != "https" && origin.scheme != "http") {
    return std::nullopt;
  }
  std::string_view rest = url.substr(scheme_end + 3);
  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') {
        return std::nullopt;
      }
      port = authority.substr(close + 2);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) {
    return std::nullopt;
  }
  origin.host = text::ascii_lower(host);
  if (port.empty()) {
    origin.port = origin.scheme == "https" ? 443 : 80;
  } else {
    const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), origin.port);
    if (ec != std::errc{} || ptr != port.data() + port.size() || origin.port <= 0 ||
        origin.port > 65535) {
      return std::nullopt;
    }
  }
  return origin;
}

bool is_loopback_host(std::string_view host) {
  const std::string h = text::ascii_lower(host);
  if (h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1") {
    return true;
  }
  // 127.0.0.0/8 written as a dotted quad.
  if (!h.starts_with("127.")) {
    return false;
  }
  int parts = 0;
  std::size_t pos = 0;
  while (pos <= h.size()) {
    const auto dot = std::min(h.find('.', pos), h.size());
    const std::string_view part(h.data() + pos, dot - pos);
    int value = -1;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || ec != std::errc{} || ptr != part.data() + part.size() || value < 0 ||
        value > 255) {
      return false;
    }
    ++parts;
    pos = dot + 1;
  }
  return parts == 4;
}

tl::expected<std::string, std::string> validate_service_url(std::string_view url,
                                                            std::string_view what) {
  const auto origin = origin_of(url);
  if (!origin) {
    return tl::unexpected(std::string(what) + " must be an absolute https:// URL");
  }
  if (origin->scheme == "http" && !is_loopback_host(origin->host)) {
    return tl::unexpected(std::string(what) +
                          " uses plain http://, which is refused for hosts other than loopback "
                          "(use https://)");
  }
  std::string out(url);
  while (out.ends_with('/')) {
    out.pop_back();
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4U]);
      out.push_back(kHex[c & 0x0FU]);
    }
  }
  return out;
}

std::string with_query(std::string url, std::string_view name, std::string_view value) {
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += name;
  url += '=';
  url += percent_encode(value);
  return url;
}

std::string path_of(std::string_view url) {
  const auto scheme_end = url.find("://");
  std::string_view rest = scheme_end == std::string_view::npos ? url : url.substr(scheme_end + 3);
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) {
    return "/";
  }
  rest = rest.substr(slash);
  return std::string(rest.substr(0, rest.find_first_of("?#")));
}

}  // namespace bbp::bitbucket
