#include "bbp/http/transport.hpp"

#include <algorithm>
#include <cctype>

namespace bbp::http {

std::string_view to_string(Method method) {
  switch (method) {
    case Method::get:
      return "GET";
    case Method::post:
      return "POST";
  }
  return "UNKNOWN";
}

std::string_view to_string(TransportErrorKind kind) {
  switch (kind) {
    case TransportErrorKind::timeout:
      return "timeout";
    case TransportErrorKind::connect:
      return "connect";
    case TransportErrorKind::tls:
      return "tls";
    case TransportErrorKind::dns:
      return "dns";
    case TransportErrorKind::too_large:
      return "too_large";
    case TransportErrorKind::interrupted:
      return "interrupted";
    case TransportErrorKind::local:
      return "local";
    case TransportErrorKind::other:
      return "other";
  }
  return "unknown";
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

std::optional<std::string> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace bbp::http
