// The one seam between bbposture and the network.
//
// HTTP status codes are data (a 403 is a Response); only failures to get a response at all
// are TransportErrors. CurlTransport is the only implementation that touches the network;
// retries, pacing, counting and authentication are decorators around it.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace bbp::http {

// `del` because `delete` is a keyword.
enum class Method { get, post, put, del };

std::string_view to_string(Method method);

using Headers = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive header lookup; returns the first match.
std::optional<std::string> find_header(const Headers& headers, std::string_view name);

struct Request {
  Method method = Method::get;
  std::string url;  // absolute URL
  Headers headers;
  std::string body;
  // Overrides the transport's default timeout for this request when set.
  std::optional<std::chrono::milliseconds> timeout;
  // When set, a decorator that sends the request again after a wait calls this first, so that
  // what may have changed meanwhile (the token in Authorization) is current when it is resent.
  std::function<void(Request&)> refresh;
};

struct Response {
  int status = 0;
  Headers headers;
  std::string body;

  std::optional<std::string> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

enum class TransportErrorKind {
  timeout,      // no complete answer within the per-request timeout
  connect,      // TCP connection refused / reset / unreachable
  tls,          // certificate or handshake failure (never retried around by weakening TLS)
  dns,          // host name did not resolve
  too_large,    // response body exceeded the size cap
  interrupted,  // the scan is being cancelled (SIGINT/SIGTERM)
  local,        // the request could not be made here (an invalid header value, a libcurl setup
                // failure): sending it again cannot succeed, so it is never retried
  other,
};

std::string_view to_string(TransportErrorKind kind);

struct TransportError {
  TransportErrorKind kind = TransportErrorKind::other;
  std::string message;  // already redacted: never contains credentials
};

using Result = tl::expected<Response, TransportError>;

// Implementations must be safe to call from several threads at once.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual Result send(const Request& request) = 0;
};

}  // namespace bbp::http
