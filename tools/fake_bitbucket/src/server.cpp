// FakeBitbucket: wires the scenario, authenticator, router and fault injector to cpp-httplib.
#include "fake_bitbucket/server.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <variant>

#include "auth.hpp"
#include "connections.hpp"
#include "faults.hpp"
#include "reply.hpp"
#include "routes.hpp"
#include "scenario.hpp"
#include "util.hpp"

namespace bbp::fake {
namespace {

using detail::Reply;
using nlohmann::json;

constexpr std::string_view kTokenPath = "/site/oauth2/access_token";
constexpr std::size_t kMaxLogEntries = 100000;

std::string raw_query_of(const std::string& target) {
  const auto pos = target.find('?');
  return pos == std::string::npos ? std::string{} : target.substr(pos + 1);
}

std::string raw_path_of(const std::string& target) {
  return target.substr(0, target.find('?'));
}

void write_reply(const Reply& reply, httplib::Response& res) {
  res.status = reply.status;
  for (const auto& [name, value] : reply.headers) {
    res.set_header(name, value);
  }
  if (reply.status != 204) {  // No Content: no body, no Content-Type
    res.set_content(reply.body, reply.content_type);
  }
}

bool is_api_path(const std::string& path) {
  return path == "/2.0" || path.rfind("/2.0/", 0) == 0;
}

constexpr std::size_t kChunk = std::size_t{64} * 1024;  // bytes per write of a streamed body

// Bytes [offset, offset + length) of a `total`-byte body of valid-looking JSON: a page whose one
// value has a long padding string (only spaces when `total` is too small for the frame).
std::string huge_piece(std::size_t total, std::size_t offset, std::size_t length) {
  static constexpr std::string_view kPrefix =
      R"({"pagelen": 10, "page": 1, "size": 1, "values": [{"type": "repository", "description": ")";
  static constexpr std::string_view kSuffix = R"("}]})";
  const std::size_t end = std::min(total, offset + length);
  const bool framed = total >= kPrefix.size() + kSuffix.size();
  std::string piece(end > offset ? end - offset : 0, framed ? 'x' : ' ');
  if (framed) {
    for (std::size_t i = offset; i < std::min(end, kPrefix.size()); ++i) {
      piece[i - offset] = kPrefix[i];
    }
    const std::size_t suffix_start = total - kSuffix.size();
    for (std::size_t i = std::max(offset, suffix_start); i < end; ++i) {
      piece[i - offset] = kSuffix[i - suffix_start];
    }
  }
  return piece;
}

// Streams `total` bytes of valid-looking JSON, announced with Content-Length or, when
// `chunked`, with chunked transfer encoding (so the client learns the size only by reading).
void write_huge_body(std::size_t total, bool chunked, httplib::Response& res) {
  res.status = 200;
  if (chunked) {
    res.set_chunked_content_provider("application/json",
                                     [total](std::size_t offset, httplib::DataSink& sink) {
                                       if (offset >= total) {
                                         sink.done();
                                         return true;
                                       }
                                       const std::string piece = huge_piece(total, offset, kChunk);
                                       return sink.write(piece.data(), piece.size());
                                     });
    return;
  }
  res.set_content_provider(
      total, "application/json",
      [total](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        const std::string piece = huge_piece(total, offset, std::min(length, kChunk));
        return sink.write(piece.data(), piece.size());
      });
}

// Announces a body, sends only its first part, then makes httplib abort the connection.
void write_dropped_body(httplib::Response& res) {
  static const std::string kPartial =
      R"({"pagelen": 10, "page": 1, "size": 42, "values": [{"type": "repository", "full_name": ")";
  res.status = 200;
  res.set_content_provider(kPartial.size() * 4, "application/json",
                           [](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                             if (offset == 0) {
                               sink.write(kPartial.data(), kPartial.size());
                             }
                             return false;  // abort: the client sees a truncated response
                           });
}

}  // namespace

class FakeBitbucket::Impl {
 public:
  explicit Impl(const json& document)
      : scenario_(detail::Scenario::parse(document)), auth_(scenario_), router_(scenario_, auth_) {
    for (const auto& fault : scenario_.faults) {
      add_fault(fault);
    }
    extra_latency_ms_ = scenario_.latency_ms;
  }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() { stop(); }

  void start(const std::string& host, int port) {
    const std::lock_guard lock(lifecycle_mutex_);
    if (server_) {
      throw std::runtime_error("fake_bitbucket: already started");
    }
    std::unique_ptr<httplib::Server> server;
    if (tls_) {
      auto secure = std::make_unique<httplib::SSLServer>(tls_->first.c_str(), tls_->second.c_str());
      if (!secure->is_valid()) {
        throw std::runtime_error("fake_bitbucket: cannot load the TLS certificate " + tls_->first +
                                 " or key " + tls_->second);
      }
      server = std::move(secure);
    } else {
      server = std::make_unique<httplib::Server>();
    }
    {
      const std::lock_guard sleep_lock(sleep_mutex_);
      stopping_ = false;
    }
    const auto threads = static_cast<std::size_t>(scenario_.server.threads);
    server->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server->set_keep_alive_max_count(
        static_cast<std::size_t>(scenario_.server.keep_alive_max_count));
    server->set_keep_alive_timeout(static_cast<time_t>(scenario_.server.keep_alive_timeout_s));
    server->set_tcp_nodelay(true);
    int listening_fd = -1;
    server->set_socket_options([&listening_fd](socket_t sock) {
      httplib::default_socket_options(sock);
      listening_fd = sock;  // the last socket created is the one that got bound
    });
    const auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      handle(req, res);
    };
    server->Get(".*", handler);
    server->Post(".*", handler);
    server->Put(".*", handler);
    server->Patch(".*", handler);
    server->Delete(".*", handler);
    server->Options(".*", handler);

    const int bound =
        port == 0 ? server->bind_to_any_port(host) : (server->bind_to_port(host, port) ? port : -1);
    if (bound <= 0) {
      throw std::runtime_error("fake_bitbucket: cannot listen on " + host + ":" +
                               std::to_string(port));
    }
    detail::widen_listen_backlog(listening_fd);
    host_ = host;
    port_ = bound;
    server_ = std::move(server);
    thread_ = std::thread([server = server_.get()] { server->listen_after_bind(); });
    // The socket already accepts connections; wait until the accept loop runs so that
    // stop() (which is a no-op before that point) cannot be lost.
    while (!server_->is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  void stop() {
    const std::lock_guard lock(lifecycle_mutex_);
    if (!server_) {
      return;
    }
    {
      // Latency waits end at once: a handler still sleeping would hold up the shutdown.
      const std::lock_guard sleep_lock(sleep_mutex_);
      stopping_ = true;
    }
    sleep_cv_.notify_all();
    server_->stop();
    detail::shutdown_server_connections(port_);
    if (thread_.joinable()) {
      thread_.join();
    }
    server_.reset();
  }

  int port() const { return port_; }

  std::string base_url() const {
    std::string host = host_;
    if (host.empty() || host == "0.0.0.0") {
      host = "127.0.0.1";
    } else if (host.find(':') != std::string::npos) {
      host = "[" + host + "]";  // IPv6 literal
    }
    return scheme() + "://" + host + ":" + std::to_string(port_);
  }

  std::string scheme() const { return tls_ ? "https" : "http"; }

  void use_tls(std::string certificate, std::string key) {
    const std::lock_guard lock(lifecycle_mutex_);
    tls_.emplace(std::move(certificate), std::move(key));
  }

  std::size_t request_count() const {
    const std::lock_guard lock(stats_mutex_);
    return total_;
  }
  std::size_t request_count(std::string_view path) const {
    const std::lock_guard lock(stats_mutex_);
    const auto it = per_path_.find(std::string(path));
    return it == per_path_.end() ? 0 : it->second;
  }
  std::size_t token_requests() const { return request_count(kTokenPath); }
  std::vector<RequestRecord> requests() const {
    const std::lock_guard lock(stats_mutex_);
    return {log_.begin(), log_.end()};
  }
  std::vector<RequestRecord> write_requests() const {
    const std::lock_guard lock(stats_mutex_);
    std::vector<RequestRecord> writes;
    std::copy_if(log_.begin(), log_.end(), std::back_inserter(writes),
                 [](const RequestRecord& record) { return record.write; });
    return writes;
  }
  void reset_counters() {
    const std::lock_guard lock(stats_mutex_);
    total_ = 0;
    per_path_.clear();
    log_.clear();
  }
  void set_observer(std::function<void(const RequestRecord&)> observer) {
    const std::lock_guard lock(stats_mutex_);
    observer_ = std::move(observer);
  }

  void add_fault(const json& spec) {
    detail::Fault fault = detail::parse_fault(spec);
    if (fault.kind == detail::FaultKind::drift) {
      router_.check_drift(fault.change);
    }
    faults_.add(std::move(fault));
  }
  void expire_all_tokens() { auth_.expire_all(); }
  std::vector<std::string> issued_tokens() const { return auth_.issued(); }
  void set_latency(std::chrono::milliseconds latency) {
    extra_latency_ms_ = scenario_.latency_ms + static_cast<std::int64_t>(latency.count());
  }

 private:
  void handle(const httplib::Request& req, httplib::Response& res) {
    const std::string authorization = req.get_header_value("Authorization");
    RequestRecord record{req.method,
                         req.path,
                         raw_query_of(req.target),
                         detail::auth_scheme(authorization),
                         0,
                         detail::is_write_method(req.method) && is_api_path(req.path),
                         ""};
    if (record.write) {
      record.body = req.body;
    }
    {
      const std::lock_guard lock(stats_mutex_);
      ++total_;
      ++per_path_[req.path];
    }

    auto delay = std::chrono::milliseconds(extra_latency_ms_.load());
    const auto decision = faults_.evaluate(req.method, req.path);
    delay += decision.delay;
    if (delay.count() > 0) {
      std::unique_lock sleep_lock(sleep_mutex_);
      sleep_cv_.wait_for(sleep_lock, delay, [this] { return stopping_; });
    }

    if (decision.fault) {
      inject(*decision.fault, res);
    } else if (req.path == kTokenPath) {
      write_reply(req.method == "POST" ? auth_.mint(authorization, req.body)
                                       : Reply::json(405, detail::error_body("Method not allowed")),
                  res);
    } else if (is_api_path(req.path)) {
      detail::ApiRequest api{
          req.method,
          raw_path_of(req.target),
          record.query,
          detail::parse_query(record.query),
          authorization,
          req.has_header("Host") ? scheme() + "://" + req.get_header_value("Host") : base_url(),
          req.body};
      write_reply(router_.dispatch(api), res);
    } else {
      write_reply(Reply::json(404, detail::error_body("Resource not found")), res);
    }
    if (!decision.rate_limit_headers.empty() && uses_access_token(authorization)) {
      for (const auto& [name, value] : decision.rate_limit_headers) {
        res.set_header(name, value);
      }
    }

    for (const auto& drift : decision.drifts) {  // after the answer: the next request sees it
      router_.apply_drift(drift.change);
    }
    record.status =
        decision.fault && decision.fault->kind == detail::FaultKind::drop ? 0 : res.status;
    finish(record);
  }

  // Whether the request authenticates with one of the scenario's access tokens (Bitbucket
  // sends X-RateLimit-* headers to those only).
  bool uses_access_token(const std::string& authorization) const {
    const auto authenticated = auth_.authenticate(authorization);
    const auto* principal = std::get_if<detail::Principal>(&authenticated);
    return principal != nullptr && principal->kind == detail::CredentialKind::access_token;
  }

  void inject(const detail::Fault& fault, httplib::Response& res) {
    using detail::FaultKind;
    switch (fault.kind) {
      case FaultKind::status:
      case FaultKind::refuse_write: {
        Reply reply = Reply::text(fault.status, fault.body, fault.content_type);
        reply.headers = fault.headers;
        write_reply(reply, res);
        break;
      }
      case FaultKind::malformed:
        write_reply(Reply::text(fault.status, fault.body, fault.content_type), res);
        break;
      case FaultKind::expire_tokens:
        auth_.expire_all();
        write_reply(Reply::json(401, detail::error_body("Access token expired.")), res);
        break;
      case FaultKind::huge:
        write_huge_body(static_cast<std::size_t>(fault.bytes), fault.chunked, res);
        break;
      case FaultKind::drop:
        write_dropped_body(res);
        break;
      case FaultKind::rate_limit:
        write_reply(Reply::text(429, "Rate limit for this resource has been exceeded"), res);
        break;
      case FaultKind::latency:  // never terminal; handled by the delay
      case FaultKind::drift:    // never terminal; applied after the answer
        break;
    }
  }

  void finish(const RequestRecord& record) {
    std::function<void(const RequestRecord&)> observer;
    {
      const std::lock_guard lock(stats_mutex_);
      log_.push_back(record);
      if (log_.size() > kMaxLogEntries) {
        log_.pop_front();
      }
      observer = observer_;
    }
    if (observer) {
      observer(record);
    }
  }

  detail::Scenario scenario_;
  detail::Authenticator auth_;
  detail::Router router_;
  detail::FaultInjector faults_;
  std::atomic<std::int64_t> extra_latency_ms_{0};

  std::mutex lifecycle_mutex_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string host_;
  int port_ = 0;
  std::optional<std::pair<std::string, std::string>> tls_;  // certificate and key files

  std::mutex sleep_mutex_;
  std::condition_variable sleep_cv_;
  bool stopping_ = false;  // guarded by sleep_mutex_; ends latency waits during stop()

  mutable std::mutex stats_mutex_;
  std::size_t total_ = 0;
  std::unordered_map<std::string, std::size_t> per_path_;
  std::deque<RequestRecord> log_;
  std::function<void(const RequestRecord&)> observer_;
};

// NOLINTNEXTLINE(performance-unnecessary-value-param): the public signature takes a value.
FakeBitbucket::FakeBitbucket(json scenario) : impl_(std::make_unique<Impl>(scenario)) {}

FakeBitbucket FakeBitbucket::from_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::invalid_argument("fake_bitbucket: cannot read scenario file " + path);
  }
  json document;
  try {
    document = json::parse(in);
  } catch (const json::parse_error& error) {
    throw std::invalid_argument("fake_bitbucket: " + path + ": " + error.what());
  }
  return FakeBitbucket(std::move(document));
}

FakeBitbucket::FakeBitbucket(FakeBitbucket&&) noexcept = default;
FakeBitbucket& FakeBitbucket::operator=(FakeBitbucket&&) noexcept = default;
FakeBitbucket::~FakeBitbucket() = default;

void FakeBitbucket::start(const std::string& host, int port) {
  impl_->start(host, port);
}
void FakeBitbucket::stop() {
  if (impl_) {
    impl_->stop();
  }
}
int FakeBitbucket::port() const {
  return impl_->port();
}
std::string FakeBitbucket::base_url() const {
  return impl_->base_url();
}
std::string FakeBitbucket::api_url() const {
  return base_url() + "/2.0";
}
std::string FakeBitbucket::token_url() const {
  return base_url() + std::string(kTokenPath);
}
std::size_t FakeBitbucket::request_count() const {
  return impl_->request_count();
}
std::size_t FakeBitbucket::request_count(std::string_view path) const {
  return impl_->request_count(path);
}
std::size_t FakeBitbucket::token_requests() const {
  return impl_->token_requests();
}
std::vector<RequestRecord> FakeBitbucket::requests() const {
  return impl_->requests();
}
std::vector<RequestRecord> FakeBitbucket::write_requests() const {
  return impl_->write_requests();
}
void FakeBitbucket::reset_counters() {
  impl_->reset_counters();
}
// NOLINTNEXTLINE(performance-unnecessary-value-param): the public signature takes a value.
void FakeBitbucket::add_fault(json fault) {
  impl_->add_fault(fault);
}
void FakeBitbucket::expire_all_tokens() {
  impl_->expire_all_tokens();
}
std::vector<std::string> FakeBitbucket::issued_tokens() const {
  return impl_->issued_tokens();
}
// NOLINTNEXTLINE(performance-unnecessary-value-param): the public signature takes values.
void FakeBitbucket::use_tls(std::string certificate_file, std::string private_key_file) {
  impl_->use_tls(std::move(certificate_file), std::move(private_key_file));
}
void FakeBitbucket::set_latency(std::chrono::milliseconds latency) {
  impl_->set_latency(latency);
}
void FakeBitbucket::set_request_observer(std::function<void(const RequestRecord&)> observer) {
  impl_->set_observer(std::move(observer));
}

}  // namespace bbp::fake
