#include "bbp/http/transport.hpp"

#include <array>

#include "bbp/text/names.hpp"

namespace bbp::http {
namespace {

using text::Named;

constexpr std::array<Named<Method>, 4> kMethods{{
    {Method::get, "GET"},
    {Method::post, "POST"},
    {Method::put, "PUT"},
    {Method::del, "DELETE"},
}};

constexpr std::array<Named<TransportErrorKind>, 8> kErrorKinds{{
    {TransportErrorKind::timeout, "timeout"},
    {TransportErrorKind::connect, "connect"},
    {TransportErrorKind::tls, "tls"},
    {TransportErrorKind::dns, "dns"},
    {TransportErrorKind::too_large, "too_large"},
    {TransportErrorKind::interrupted, "interrupted"},
    {TransportErrorKind::local, "local"},
    {TransportErrorKind::other, "other"},
}};

}  // namespace

std::string_view to_string(Method method) {
  return text::name_of(kMethods, method);
}

std::string_view to_string(TransportErrorKind kind) {
  return text::name_of(kErrorKinds, kind);
}

std::optional<std::string> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (text::iequals(key, name)) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace bbp::http
