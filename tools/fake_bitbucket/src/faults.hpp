// Fault injection: canned errors, latency, dropped connections, malformed or huge bodies,
// token expiry, rate limiting, refused writes and state drift, matched against each request in
// order.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace bbp::fake::detail {

enum class FaultKind {
  status,
  latency,
  drop,
  malformed,
  expire_tokens,
  huge,
  rate_limit,
  refuse_write,  // a canned answer (403 by default) to write requests only
  drift,         // changes the scenario's state after answering; never answers itself
};

// POST, PUT, PATCH or DELETE (case-insensitive): the methods that change state.
bool is_write_method(std::string_view method);

struct Fault {
  FaultKind kind = FaultKind::status;
  std::string path = "*";  // exact path or glob ('*' = any run of characters)
  std::string method;      // empty = any method
  std::int64_t skip = 0;   // let this many matching requests through first
  std::int64_t times = 1;  // affect this many matching requests; -1 = always

  int status = 500;  // status, malformed, refuse_write
  std::string body;  // status, malformed, refuse_write
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::int64_t ms = 0;         // latency
  std::int64_t bytes = 0;      // huge
  bool chunked = false;        // huge: chunked transfer encoding, no Content-Length
  std::int64_t budget = 0;     // rate_limit
  std::int64_t window_ms = 0;  // rate_limit
  bool rate_headers = false;   // rate_limit: X-RateLimit-* headers for access tokens
  nlohmann::json change;       // drift: the whole fault object (repository, add/update/remove)
};

// Throws std::invalid_argument when `spec` is not a valid fault.
Fault parse_fault(const nlohmann::json& spec);

struct FaultDecision {
  std::chrono::milliseconds delay{0};  // from matching latency faults
  std::optional<Fault> fault;          // the fault that answers this request, if any
  std::vector<Fault> drifts;           // drift faults to apply once the request is answered
  // X-RateLimit-* headers from a rate_limit fault with `headers`, for the server to add when
  // the request is authenticated with an access token; empty otherwise.
  std::vector<std::pair<std::string, std::string>> rate_limit_headers;
};

class FaultInjector {
 public:
  void add(Fault fault);
  // Thread-safe; updates skip/times counters and rate-limit windows.
  FaultDecision evaluate(std::string_view method, std::string_view path);

 private:
  struct Entry {
    Fault fault;
    std::int64_t seen = 0;
    std::int64_t fired = 0;
    std::deque<std::chrono::steady_clock::time_point> admitted;  // rate_limit window
  };

  std::mutex mutex_;
  std::vector<Entry> entries_;
};

}  // namespace bbp::fake::detail
