// Fault injection: canned answers, latency, dropped connections and malformed bodies, matched
// against each request in order.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace bbp::fake_dc::detail {

enum class FaultKind {
  status,     // a canned answer
  latency,    // a delay, then the normal answer (or another fault's)
  drop,       // a 200 header, part of a body, then the connection is cut
  malformed,  // a body that is not JSON (200 by default)
};

struct Fault {
  FaultKind kind = FaultKind::status;
  std::string path = "*";  // exact path or glob ('*' = any run of characters)
  std::string method;      // empty = any method
  std::int64_t skip = 0;   // let this many matching requests through first
  std::int64_t times = 1;  // affect this many matching requests; -1 = always

  int status = 500;  // status, malformed
  std::string body;  // status, malformed
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::int64_t ms = 0;  // latency
};

// Throws std::invalid_argument when `spec` is not a valid fault.
Fault parse_fault(const nlohmann::json& spec);

struct FaultDecision {
  std::chrono::milliseconds delay{0};  // from matching latency faults
  std::optional<Fault> fault;          // the fault that answers this request, if any
};

class FaultInjector {
 public:
  void add(Fault fault);
  // Thread-safe; updates the skip/times counters.
  FaultDecision evaluate(std::string_view method, std::string_view path);

 private:
  struct Entry {
    Fault fault;
    std::int64_t seen = 0;
    std::int64_t fired = 0;
  };

  std::mutex mutex_;
  std::vector<Entry> entries_;
};

}  // namespace bbp::fake_dc::detail
