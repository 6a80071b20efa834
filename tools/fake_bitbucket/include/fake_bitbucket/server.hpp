// A fake Bitbucket Cloud REST API 2.0 server for tests, demos and benchmarks.
//
// It serves a JSON "scenario" (workspaces, repositories, keys, credentials) over HTTP on the
// loopback interface, imitating the real API's authentication, scope checks, pagination,
// partial responses and error bodies, accepts the remediation writes (branch restrictions,
// repository visibility and fork policy, deploy-key deletion) and keeps their effect in memory,
// and it can inject faults (status codes, latency, dropped connections, malformed bodies, token
// expiry, rate limiting, refused writes, state drift). See README.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace bbp::fake {

// One request as the fake saw it. `status` is 0 when the connection was dropped on purpose.
struct RequestRecord {
  std::string method;
  std::string path;         // decoded path, without the query
  std::string query;        // raw query string as sent (without '?')
  std::string auth_scheme;  // "Bearer", "Basic" or ""
  int status = 0;
  // A write: a POST, PUT, PATCH or DELETE to the API (/2.0), whatever its answer (refused,
  // faulted or done). The token endpoint's POST is not one.
  bool write = false;
  std::string body;  // the request body as sent, for writes only
};

class FakeBitbucket {
 public:
  // Throws std::invalid_argument when the scenario is malformed.
  explicit FakeBitbucket(nlohmann::json scenario);
  // Throws std::invalid_argument when the file cannot be read or parsed.
  static FakeBitbucket from_file(const std::string& path);

  FakeBitbucket(FakeBitbucket&&) noexcept;
  FakeBitbucket& operator=(FakeBitbucket&&) noexcept;
  FakeBitbucket(const FakeBitbucket&) = delete;
  FakeBitbucket& operator=(const FakeBitbucket&) = delete;
  ~FakeBitbucket();

  // Serve HTTPS (cpp-httplib SSLServer) with this PEM certificate (chain) and private key from
  // the next start() on; base_url() and the `next` links then use https.
  void use_tls(std::string certificate_file, std::string private_key_file);

  // Binds and returns once the server accepts connections; port 0 picks a free port.
  // Throws std::runtime_error when the address cannot be bound, the TLS certificate or key
  // cannot be loaded, or the server already runs.
  void start(const std::string& host = "127.0.0.1", int port = 0);
  // Idempotent; also called by the destructor.
  void stop();

  int port() const;
  std::string base_url() const;   // "http://127.0.0.1:PORT" (https with use_tls)
  std::string api_url() const;    // base_url() + "/2.0"
  std::string token_url() const;  // base_url() + "/site/oauth2/access_token"

  // Thread-safe counters and request log.
  std::size_t request_count() const;                       // every request (API + token)
  std::size_t request_count(std::string_view path) const;  // exact decoded path, no query
  std::size_t token_requests() const;
  std::vector<RequestRecord> requests() const;  // the most recent 100000 at most
  // The writes among requests(), oldest first: tests assert that none was made, or how many.
  std::vector<RequestRecord> write_requests() const;
  void reset_counters();

  // Appends a fault, same shape as an entry of the scenario's "faults" array.
  // Throws std::invalid_argument when the fault is malformed (or a drift's repository unknown).
  void add_fault(nlohmann::json fault);
  // Every bearer token (minted or configured) becomes invalid: 401 on use.
  void expire_all_tokens();
  // Every access token the token endpoint minted so far (expired ones too), oldest first:
  // lets tests check that no token value leaks into logs or reports.
  std::vector<std::string> issued_tokens() const;
  // Added to every request, on top of the scenario's "latency_ms". Latency waits (these and
  // latency faults) end early when the server stops.
  void set_latency(std::chrono::milliseconds latency);
  // Called after each request is answered (from a server thread). Pass {} to remove.
  void set_request_observer(std::function<void(const RequestRecord&)> observer);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bbp::fake
