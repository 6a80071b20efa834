#include "bbp/http/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "bbp/text/text.hpp"

namespace bbp::http {

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

// Percent- and plus-decoding, good enough to compare parameter names.
std::string decode_component(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i] == '+' ? ' ' : text[i]);
  }
  return out;
}

bool is_secret_param(std::string_view raw_name) {
  const std::string name = text::ascii_lower(decode_component(raw_name));
  static constexpr std::array<std::string_view, 8> kExact = {
      "code", "sig", "pwd", "jwt", "auth", "session", "sessionid", "state"};
  static constexpr std::array<std::string_view, 7> kContains = {
      "token", "secret", "passw", "key", "signature", "credential", "assertion"};
  if (std::find(kExact.begin(), kExact.end(), name) != kExact.end()) {
    return true;
  }
  return std::any_of(kContains.begin(), kContains.end(),
                     [&](std::string_view part) { return name.find(part) != std::string::npos; });
}

// Masks secret values in "a=1&b=2" (also used for fragments).
std::string redact_params(std::string_view params) {
  std::string out;
  out.reserve(params.size());
  std::size_t start = 0;
  while (start <= params.size()) {
    std::size_t end = params.find('&', start);
    if (end == std::string_view::npos) {
      end = params.size();
    }
    const std::string_view pair = params.substr(start, end - start);
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && is_secret_param(pair.substr(0, eq))) {
      out.append(pair.substr(0, eq + 1));
      out.append(kRedacted);
    } else {
      out.append(pair);
    }
    if (end == params.size()) {
      break;
    }
    out.push_back('&');
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string redact_url(std::string_view url) {
  std::string out;
  out.reserve(url.size());

  // Scheme and authority.
  std::size_t authority_start = 0;
  const std::size_t scheme_end = url.find("://");
  const std::size_t first_delim = url.find_first_of("/?#");
  // "://" belongs to the scheme only if it comes before any '/', '?' or '#'.
  if (scheme_end != std::string_view::npos && scheme_end < first_delim) {
    authority_start = scheme_end + 3;
  }
  out.append(url.substr(0, authority_start));
  std::size_t authority_end = url.find_first_of("/?#", authority_start);
  if (authority_end == std::string_view::npos) {
    authority_end = url.size();
  }
  std::string_view authority = url.substr(authority_start, authority_end - authority_start);
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    authority.remove_prefix(at + 1);  // drop userinfo entirely
  }
  out.append(authority);

  // Path.
  std::size_t path_end = url.find_first_of("?#", authority_end);
  if (path_end == std::string_view::npos) {
    path_end = url.size();
  }
  out.append(url.substr(authority_end, path_end - authority_end));
  if (path_end == url.size()) {
    return out;
  }

  // Query and fragment.
  std::size_t fragment_start = url.find('#', path_end);
  if (url[path_end] == '?') {
    const std::size_t query_end =
        fragment_start == std::string_view::npos ? url.size() : fragment_start;
    out.push_back('?');
    out.append(redact_params(url.substr(path_end + 1, query_end - path_end - 1)));
  } else {
    fragment_start = path_end;
  }
  if (fragment_start != std::string_view::npos) {
    out.push_back('#');
    out.append(redact_params(url.substr(fragment_start + 1)));
  }
  return out;
}

bool is_sensitive_header(std::string_view name) {
  const std::string lower = text::ascii_lower(name);
  if (lower == "authorization" || lower == "proxy-authorization" || lower == "cookie" ||
      lower == "set-cookie") {
    return true;
  }
  static constexpr std::array<std::string_view, 5> kContains = {"token", "secret", "password",
                                                                "api-key", "apikey"};
  return std::any_of(kContains.begin(), kContains.end(),
                     [&](std::string_view part) { return lower.find(part) != std::string::npos; });
}

Headers redact_headers(const Headers& headers) {
  Headers out;
  out.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    if (!is_sensitive_header(name)) {
      out.emplace_back(name, value);
      continue;
    }
    std::string masked(kRedacted);
    const std::string lower = text::ascii_lower(name);
    if (lower == "authorization" || lower == "proxy-authorization") {
      // Keep a plain scheme token ("Bearer", "Basic") in front of the mask.
      const std::size_t space = value.find(' ');
      if (space != std::string::npos && space > 0 &&
          std::all_of(value.begin(), value.begin() + static_cast<std::ptrdiff_t>(space),
                      [](unsigned char c) { return std::isalnum(c) || c == '-'; })) {
        masked = value.substr(0, space) + " " + std::string(kRedacted);
      }
    }
    out.emplace_back(name, std::move(masked));
  }
  return out;
}

std::string describe(const Request& request) {
  std::string out(to_string(request.method));
  out.push_back(' ');
  out.append(redact_url(request.url));
  return out;
}

std::string_view without_request(std::string_view message) {
  if (!message.ends_with(')')) {
    return message;
  }
  for (const std::string_view method : {" (GET ", " (POST ", " (PUT ", " (DELETE "}) {
    if (const auto at = message.rfind(method); at != std::string_view::npos) {
      return message.substr(0, at);
    }
  }
  return message;
}

}  // namespace bbp::http
