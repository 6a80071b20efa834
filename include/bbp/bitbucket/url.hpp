// The few URL operations the API client needs: origins, loopback checks, query encoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace bbp::bitbucket {

struct Origin {
  std::string scheme;  // lower case: "https" or "http"
  std::string host;    // lower case, without brackets for IPv6
  int port = 0;        // explicit or the scheme's default

  bool operator==(const Origin&) const = default;
};

// Parses "scheme://[userinfo@]host[:port]/…". nullopt for anything that is not an absolute
// http(s) URL.
std::optional<Origin> origin_of(std::string_view url);

// localhost, 127.0.0.0/8 and ::1.
bool is_loopback_host(std::string_view host);

// Accepts an https URL, or an http URL whose host is loopback (for the fake server). Returns
// the URL without a trailing slash, or a message saying why it was refused.
tl::expected<std::string, std::string> validate_service_url(std::string_view url,
                                                            std::string_view what);

// Percent-encodes everything except unreserved characters (RFC 3986).
std::string percent_encode(std::string_view text);

// Appends "name=value" (value percent-encoded) with '?' or '&' as needed.
std::string with_query(std::string url, std::string_view name, std::string_view value);

// The path of a URL without scheme, host and query ("/2.0/repositories/acme").
std::string path_of(std::string_view url);

}  // namespace bbp::bitbucket
