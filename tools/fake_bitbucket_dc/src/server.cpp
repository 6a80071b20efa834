// FakeDataCenter: wires the scenario, authentication, rate limit, router and fault injector to
// cpp-httplib.
#include "fake_bitbucket_dc/server.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
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

namespace bbp::fake_dc {
namespace {

using detail::Reply;
using nlohmann::json;

constexpr std::size_t kMaxLogEntries = 100000;

std::string raw_query_of(const std::string& target) {
  const auto pos = target.find('?');
  return pos == std::string::npos ? std::string{} : target.substr(pos + 1);
}

std::string raw_path_of(const std::string& target) {
  return target.substr(0, target.find('?'));
}

bool is_rest_path(const std::string& path) {
  return path == "/rest" || path.rfind("/rest/", 0) == 0;
}

bool is_write_method(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
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

// Announces a body, sends only its first part, then makes httplib abort the connection.
void write_dropped_body(httplib::Response& res) {
  static const std::string kPartial =
      R"({"size": 25, "limit": 25, "start": 0, "isLastPage": false, "values": [{"slug": ")";
  res.status = 200;
  res.set_content_provider(kPartial.size() * 4, "application/json",
                           [](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                             if (offset == 0) {
                               sink.write(kPartial.data(), kPartial.size());
                             }
                             return false;  // abort: the client sees a truncated response
                           });
}

void inject(const detail::Fault& fault, httplib::Response& res) {
  using detail::FaultKind;
  switch (fault.kind) {
    case FaultKind::status: {
      Reply reply = Reply::text(fault.status, fault.body, fault.content_type);
      reply.headers = fault.headers;
      write_reply(reply, res);
      break;
    }
    case FaultKind::malformed:
      write_reply(Reply::text(fault.status, fault.body, fault.content_type), res);
      break;
    case FaultKind::drop:
      write_dropped_body(res);
      break;
    case FaultKind::latency:  // never terminal; handled by the delay
      break;
  }
}

Reply rate_limited(long long retry_after) {
  Reply reply =
      Reply::json(429, detail::dc_error("You have been rate limited. Please wait and try again.",
                                        "com.atlassian.bitbucket.throttle.RateLimitedException"));
  reply.headers.emplace_back("Retry-After", std::to_string(retry_after));
  return reply;
}

}  // namespace

class FakeDataCenter::Impl {
 public:
  explicit Impl(const json& document)
      : scenario_(detail::Scenario::parse(document)),
        router_(scenario_),
        limiter_(scenario_.rate_limit) {
    for (const auto& fault : scenario_.faults) {
      add_fault(fault);
    }
    extra_latency_ms_ = scenario_.latency_ms;
  }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() { stop(); }

  void start(const std::string& host, int port);
  void stop();

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
  void add_fault(const json& spec) { faults_.add(detail::parse_fault(spec)); }
  void set_latency(std::chrono::milliseconds latency) {
    extra_latency_ms_ = scenario_.latency_ms + static_cast<std::int64_t>(latency.count());
  }

 private:
  void handle(const httplib::Request& req, httplib::Response& res);
  Reply answer(const httplib::Request& req, RequestRecord& record);
  void finish(const RequestRecord& record);

  detail::Scenario scenario_;
  detail::Router router_;
  detail::RateLimiter limiter_;
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

void FakeDataCenter::Impl::start(const std::string& host, int port) {
  const std::lock_guard lock(lifecycle_mutex_);
  if (server_) {
    throw std::runtime_error("fake_bitbucket_dc: already started");
  }
  std::unique_ptr<httplib::Server> server;
  if (tls_) {
    auto secure = std::make_unique<httplib::SSLServer>(tls_->first.c_str(), tls_->second.c_str());
    if (!secure->is_valid()) {
      throw std::runtime_error("fake_bitbucket_dc: cannot load the TLS certificate " + tls_->first +
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
  // Each keep-alive connection holds a worker: the pool bounds the concurrent connections.
  const auto threads = static_cast<std::size_t>(scenario_.server.threads);
  server->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server->set_keep_alive_max_count(static_cast<std::size_t>(scenario_.server.keep_alive_max_count));
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
    throw std::runtime_error("fake_bitbucket_dc: cannot listen on " + host + ":" +
                             std::to_string(port));
  }
  detail::widen_listen_backlog(listening_fd);
  host_ = host;
  port_ = bound;
  server_ = std::move(server);
  thread_ = std::thread([server = server_.get()] { server->listen_after_bind(); });
  // Wait until the accept loop runs, so that a stop() right after start() is not lost.
  while (!server_->is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void FakeDataCenter::Impl::stop() {
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

void FakeDataCenter::Impl::handle(const httplib::Request& req, httplib::Response& res) {
  const std::string authorization = req.get_header_value("Authorization");
  RequestRecord record;
  record.method = req.method;
  record.path = req.path;
  record.query = raw_query_of(req.target);
  record.auth_scheme = detail::auth_scheme(authorization);
  record.write = is_write_method(req.method) && is_rest_path(req.path);
  if (record.write) {
    record.body = req.body;
  }
  {
    const std::lock_guard lock(stats_mutex_);
    ++total_;
    ++per_path_[req.path];
  }
  const auto decision = faults_.evaluate(req.method, req.path);
  const auto delay = std::chrono::milliseconds(extra_latency_ms_.load()) + decision.delay;
  if (delay.count() > 0) {
    std::unique_lock sleep_lock(sleep_mutex_);
    sleep_cv_.wait_for(sleep_lock, delay, [this] { return stopping_; });
  }
  if (decision.fault) {
    inject(*decision.fault, res);
  } else {
    write_reply(answer(req, record), res);
  }
  const bool dropped = decision.fault && decision.fault->kind == detail::FaultKind::drop;
  record.status = dropped ? 0 : res.status;
  finish(record);
}

// Order of checks: /rest at all, credentials (401), the caller's rate limit (429), the method
// (405), then the route; authenticated answers name the user in X-AUSERNAME.
Reply FakeDataCenter::Impl::answer(const httplib::Request& req, RequestRecord& record) {
  if (!is_rest_path(req.path)) {
    return Reply::json(404, detail::dc_error("The requested resource does not exist."));
  }
  auto identity = detail::authenticate(scenario_, req.get_header_value("Authorization"));
  if (auto* refused = std::get_if<Reply>(&identity)) {
    return std::move(*refused);
  }
  const detail::User* user = std::get<const detail::User*>(identity);
  Reply reply;
  if (user != nullptr) {
    record.user = user->name;
  }
  if (const auto wait = user == nullptr ? std::nullopt : limiter_.take(user->name)) {
    reply = rate_limited(*wait);
  } else if (req.method != "GET" && req.method != "HEAD") {
    reply = Reply::json(405, detail::dc_error("The fake Data Center server only answers GET."));
  } else {
    const std::string base =
        req.has_header("Host") ? scheme() + "://" + req.get_header_value("Host") : base_url();
    reply =
        router_.dispatch(raw_path_of(req.target), detail::parse_query(record.query), base, user);
  }
  if (user != nullptr) {
    reply.headers.emplace_back("X-AUSERNAME", user->name);
  }
  return reply;
}

void FakeDataCenter::Impl::finish(const RequestRecord& record) {
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

// NOLINTNEXTLINE(performance-unnecessary-value-param): the public signature takes a value.
FakeDataCenter::FakeDataCenter(json scenario) : impl_(std::make_unique<Impl>(scenario)) {}

FakeDataCenter FakeDataCenter::from_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::invalid_argument("fake_bitbucket_dc: cannot read scenario file " + path);
  }
  json document;
  try {
    document = json::parse(in);
  } catch (const json::parse_error& error) {
    throw std::invalid_argument("fake_bitbucket_dc: " + path + ": " + error.what());
  }
  return FakeDataCenter(std::move(document));
}

FakeDataCenter::FakeDataCenter(FakeDataCenter&&) noexcept = default;
FakeDataCenter& FakeDataCenter::operator=(FakeDataCenter&&) noexcept = default;
FakeDataCenter::~FakeDataCenter() = default;

void FakeDataCenter::start(const std::string& host, int port) {
  impl_->start(host, port);
}
void FakeDataCenter::stop() {
  if (impl_) {
    impl_->stop();
  }
}
int FakeDataCenter::port() const {
  return impl_->port();
}
std::string FakeDataCenter::base_url() const {
  return impl_->base_url();
}
std::size_t FakeDataCenter::request_count() const {
  return impl_->request_count();
}
std::size_t FakeDataCenter::request_count(std::string_view path) const {
  return impl_->request_count(path);
}
std::vector<RequestRecord> FakeDataCenter::requests() const {
  return impl_->requests();
}
std::vector<RequestRecord> FakeDataCenter::write_requests() const {
  return impl_->write_requests();
}
void FakeDataCenter::reset_counters() {
  impl_->reset_counters();
}
// NOLINTNEXTLINE(performance-unnecessary-value-param): the public signature takes a value.
void FakeDataCenter::add_fault(json fault) {
  impl_->add_fault(fault);
}
// NOLINTNEXTLINE(performance-unnecessary-value-param): the public signature takes values.
void FakeDataCenter::use_tls(std::string certificate_file, std::string private_key_file) {
  impl_->use_tls(std::move(certificate_file), std::move(private_key_file));
}
void FakeDataCenter::set_latency(std::chrono::milliseconds latency) {
  impl_->set_latency(latency);
}
void FakeDataCenter::set_request_observer(std::function<void(const RequestRecord&)> observer) {
  impl_->set_observer(std::move(observer));
}

}  // namespace bbp::fake_dc
