// The libcurl-backed Transport: the only code in bbposture that talks to the network.
//
// libcurl's header is included only by src/http/curl_transport.cpp; this one exposes none of it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "bbp/http/transport.hpp"

namespace bbp::http {

// Initialises libcurl globally (curl_global_init) for its lifetime. Create exactly one, in
// main, before any thread is started and before any CurlTransport; destroy it last.
// Throws std::runtime_error when initialisation fails.
class CurlGlobal {
 public:
  CurlGlobal();
  ~CurlGlobal();
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
  CurlGlobal(CurlGlobal&&) = delete;
  CurlGlobal& operator=(CurlGlobal&&) = delete;
};

struct CurlTransportOptions {
  // Sent as User-Agent, e.g. "bbposture/0.1.0".
  std::string user_agent;
  // Whole-transfer timeout, unless Request::timeout overrides it.
  std::chrono::milliseconds timeout{30'000};
  std::chrono::milliseconds connect_timeout{10'000};
  // PEM CA bundle (--ca-bundle); the system store when unset. TLS peer and host verification
  // are always on; there is deliberately no way to turn them off.
  std::optional<std::string> ca_bundle;
  // Larger (decoded) bodies fail with TransportErrorKind::too_large; never truncated.
  std::size_t max_response_bytes = std::size_t{64} * 1024 * 1024;
  // When set, in-flight transfers abort promptly (within ~100 ms) once it becomes true, with
  // TransportErrorKind::interrupted. Must outlive the transport.
  const std::atomic<bool>* cancel = nullptr;
};

// HTTP/1.1 or HTTP/2 (negotiated over TLS) client built on libcurl easy handles.
//
// - Thread-safe: send() may be called concurrently. Handles are kept in a mutex-protected pool
//   and reused, so connections are kept alive across requests; DNS and TLS sessions are shared
//   between handles through a share handle.
// - Redirects are never followed (a 3xx is returned as a Response); only http/https.
// - Proxies come from the usual environment variables (http_proxy, https_proxy, no_proxy...).
// - Content-Encoding is negotiated and decoded by libcurl.
// - Response headers are those of the final response only, names as received.
// - Error messages are curl's plus the redacted URL; they never contain credentials.
class CurlTransport final : public Transport {
 public:
  // Requires a live CurlGlobal. Throws std::runtime_error if libcurl cannot be set up.
  explicit CurlTransport(CurlTransportOptions options);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;
  CurlTransport(CurlTransport&&) = delete;
  CurlTransport& operator=(CurlTransport&&) = delete;

  Result send(const Request& request) override;

 private:
  struct Impl;
  CurlTransportOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bbp::http
