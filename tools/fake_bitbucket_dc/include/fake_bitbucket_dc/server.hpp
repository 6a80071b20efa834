// A fake Bitbucket Data Center (9.x) REST server for tests, demos and benchmarks.
//
// It serves a JSON "scenario" (users, groups, projects, repositories, branch restrictions,
// access keys, pull-request and build settings) over HTTP on the loopback interface under
// /rest, imitating Data Center's authentication (HTTP access tokens, passwords, anonymous
// access), effective permissions, offset paging, error bodies and the quirks clients meet
// (401 for authenticated non-admins, unknown Bearer tokens served as anonymous, endpoints that
// differ between versions). It can inject faults and rate-limit each user. Read-only: it
// answers GET. See README.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace bbp::fake_dc {

// One request as the fake saw it. `status` is 0 when the connection was dropped on purpose.
struct RequestRecord {
  std::string method;
  std::string path;         // decoded path, without the query
  std::string query;        // raw query string as sent (without '?')
  std::string auth_scheme;  // "Bearer", "Basic" or ""
  int status = 0;
  std::string user;  // the authenticated user's name; "" for anonymous (or refused) callers
  // A write: a POST, PUT, PATCH or DELETE under /rest (the fake refuses them all with 405).
  bool write = false;
  std::string body;  // the request body as sent, for writes only
};

class FakeDataCenter {
 public:
  // Throws std::invalid_argument naming the entry when the scenario is malformed.
  explicit FakeDataCenter(nlohmann::json scenario);
  // Throws std::invalid_argument when the file cannot be read, parsed or validated.
  static FakeDataCenter from_file(const std::string& path);

  FakeDataCenter(FakeDataCenter&&) noexcept;
  FakeDataCenter& operator=(FakeDataCenter&&) noexcept;
  FakeDataCenter(const FakeDataCenter&) = delete;
  FakeDataCenter& operator=(const FakeDataCenter&) = delete;
  ~FakeDataCenter();

  // Serve HTTPS with this PEM certificate (chain) and private key from the next start() on.
  void use_tls(std::string certificate_file, std::string private_key_file);

  // Binds and returns once the server accepts connections; port 0 picks a free port.
  // Throws std::runtime_error when the address cannot be bound, the TLS certificate or key
  // cannot be loaded, or the server already runs.
  void start(const std::string& host = "127.0.0.1", int port = 0);
  // Idempotent; also called by the destructor.
  void stop();

  int port() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT" (https with use_tls); REST under /rest

  // Thread-safe counters and request log.
  std::size_t request_count() const;
  std::size_t request_count(std::string_view path) const;  // exact decoded path, no query
  std::vector<RequestRecord> requests() const;             // the most recent 100000 at most
  std::vector<RequestRecord> write_requests() const;       // the writes among them
  void reset_counters();

  // Appends a fault, same shape as an entry of the scenario's "faults" array.
  // Throws std::invalid_argument when the fault is malformed.
  void add_fault(nlohmann::json fault);
  // Added to every request, on top of the scenario's "latency_ms". Latency waits end early
  // when the server stops.
  void set_latency(std::chrono::milliseconds latency);
  // Called after each request is answered (from a server thread). Pass {} to remove.
  void set_request_observer(std::function<void(const RequestRecord&)> observer);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bbp::fake_dc
