// CurlTransport against an in-process cpp-httplib server on 127.0.0.1. No other network.
#include "bbp/http/curl_transport.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

#include "bbp/http/counting_transport.hpp"
#include "bbp/http/redact.hpp"
#include "bbp/http/retrying_transport.hpp"
#include "http_fakes.hpp"

namespace bbp::http {
namespace {

using namespace std::chrono_literals;

CurlGlobal& curl_global() {
  static CurlGlobal global;
  return global;
}

// A port on 127.0.0.1 that nothing listens on.
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = 0;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t length = sizeof(address);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

class HttpCurlTransport : public ::testing::Test {
 protected:
  void SetUp() override {
    curl_global();
    server_.set_keep_alive_max_count(1000);
    server_.set_tcp_nodelay(true);  // avoids 40 ms Nagle/delayed-ACK stalls on reused connections

    server_.Get("/hello", [this](const httplib::Request& req, httplib::Response& res) {
      record(req);
      res.set_header("X-Custom", "abc");
      res.set_header("X-Request-Id", req.get_header_value("X-Request-Id"));
      res.set_content("hello", "text/plain");
    });
    server_.Post("/form", [this](const httplib::Request& req, httplib::Response& res) {
      record(req);
      res.status = 201;
      res.set_content(req.get_header_value("Content-Type") + "|" + req.body, "text/plain");
    });
    // Echoes what a write carried: method, Content-Type, Content-Length (none: "-") and body.
    const auto echo = [this](const httplib::Request& req, httplib::Response& res) {
      record(req);
      const std::string length =
          req.has_header("Content-Length") ? req.get_header_value("Content-Length") : "-";
      res.set_content(
          req.method + "|" + req.get_header_value("Content-Type") + "|" + length + "|" + req.body,
          "text/plain");
    };
    server_.Put("/echo", echo);
    server_.Delete("/echo", echo);
    server_.Get("/redirect", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/target", 302);
    });
    server_.Get("/target", [this](const httplib::Request&, httplib::Response& res) {
      target_hits_++;
      res.set_content("target", "text/plain");
    });
    server_.Get(R"(/status/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
      res.status = std::stoi(req.matches[1]);
      res.set_content("status body", "text/plain");
    });
    server_.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      wait_or_stop(3s);
      res.set_content("slow", "text/plain");
    });
    server_.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(4096, 'x'), "application/octet-stream");
    });
    server_.Get("/big-chunked", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("application/octet-stream",
                                       [](size_t offset, httplib::DataSink& sink) {
                                         if (offset >= 8192) {
                                           sink.done();
                                           return true;
                                         }
                                         const std::string chunk(1024, 'y');
                                         return sink.write(chunk.data(), chunk.size());
                                       });
    });
    server_.Get("/json", [this](const httplib::Request& req, httplib::Response& res) {
      record(req);
      res.set_content(compressible_json(), "application/json");
    });
    server_.Get("/cookie", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Set-Cookie", "session=COOKIE-SECRET-5; HttpOnly");
      res.set_header("X-Access-Token", "HEADER-TOKEN-6");
      res.set_content("{}", "application/json");
    });

    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(2ms);
    }
    ASSERT_TRUE(server_.is_running());
  }

  void TearDown() override {
    stopping_ = true;
    server_.stop();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  static Request get(std::string target) {
    Request request;
    request.url = std::move(target);
    return request;
  }

  static CurlTransportOptions options() {
    CurlTransportOptions result;
    result.user_agent = "bbposture/test";
    result.timeout = 5s;
    result.connect_timeout = 2s;
    return result;
  }

  static const std::string& compressible_json() {
    static const std::string json = [] {
      std::string text = "[";
      for (int i = 0; i < 2000; ++i) {
        text += R"({"name": "repository", "is_private": true},)";
      }
      text += "{}]";
      return text;
    }();
    return json;
  }

  void record(const httplib::Request& req) {
    const std::lock_guard lock(mutex_);
    remote_ports_.insert(req.remote_port);
    user_agents_.push_back(req.get_header_value("User-Agent"));
    accept_encodings_.push_back(req.get_header_value("Accept-Encoding"));
    evil_headers_ += req.has_header("X-Evil") ? 1 : 0;
    requests_++;
  }

  void wait_or_stop(std::chrono::milliseconds duration) const {
    const auto deadline = std::chrono::steady_clock::now() + duration;
    while (!stopping_ && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
  }

  std::set<int> remote_ports() const {
    const std::lock_guard lock(mutex_);
    return remote_ports_;
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> target_hits_{0};

  mutable std::mutex mutex_;
  std::set<int> remote_ports_;
  std::vector<std::string> user_agents_;
  std::vector<std::string> accept_encodings_;
  int evil_headers_ = 0;
  int requests_ = 0;
};

TEST_F(HttpCurlTransport, GetReturnsStatusHeadersAndBody) {
  CurlTransport transport(options());
  Request request = get(url("/hello"));
  request.headers = {{"X-Request-Id", "r-17"}, {"Accept", "text/plain"}};
  const auto result = transport.send(request);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "hello");
  EXPECT_EQ(result->header("x-custom"), "abc");
  EXPECT_EQ(result->header("X-Request-Id"), "r-17");
  EXPECT_EQ(result->header("content-type"), "text/plain");
  // Names are kept as received.
  bool exact_name = false;
  for (const auto& [name, value] : result->headers) {
    exact_name = exact_name || (name == "X-Custom" && value == "abc");
    EXPECT_EQ(name.find(':'), std::string::npos);
    EXPECT_EQ(name.find_first_of("\r\n"), std::string::npos);
    EXPECT_EQ(value.find_first_of("\r\n"), std::string::npos);
  }
  EXPECT_TRUE(exact_name);
}

TEST_F(HttpCurlTransport, SendsTheUserAgent) {
  CurlTransport transport(options());
  ASSERT_TRUE(transport.send(get(url("/hello"))));
  const std::lock_guard lock(mutex_);
  ASSERT_EQ(user_agents_.size(), 1u);
  EXPECT_EQ(user_agents_[0], "bbposture/test");
}

TEST_F(HttpCurlTransport, PostsAFormBody) {
  CurlTransport transport(options());
  Request request;
  request.method = Method::post;
  request.url = url("/form");
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = "grant_type=client_credentials&scope=repository";
  const auto result = transport.send(request);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->status, 201);
  EXPECT_EQ(result->body,
            "application/x-www-form-urlencoded|grant_type=client_credentials&scope=repository");
}

TEST_F(HttpCurlTransport, PutsAJsonBody) {
  CurlTransport transport(options());
  Request request;
  request.method = Method::put;
  request.url = url("/echo");
  request.headers = {{"Content-Type", "application/json"}};
  request.body = R"({"is_private": true})";
  const auto result = transport.send(request);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, R"(PUT|application/json|20|{"is_private": true})");
}

TEST_F(HttpCurlTransport, PutWithoutABodySendsAnEmptyOne) {
  CurlTransport transport(options());
  Request request;
  request.method = Method::put;
  request.url = url("/echo");
  const auto result = transport.send(request);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->body.substr(0, 4), "PUT|");
  EXPECT_NE(result->body.find("|0|"), std::string::npos) << result->body;
}

TEST_F(HttpCurlTransport, DeletesWithAndWithoutABody) {
  CurlTransport transport(options());
  Request request;
  request.method = Method::del;
  request.url = url("/echo");
  request.headers = {{"Content-Type", "application/json"}};
  request.body = R"({"reason": "unused"})";
  const auto with_body = transport.send(request);
  ASSERT_TRUE(with_body) << with_body.error().message;
  EXPECT_EQ(with_body->status, 200);
  EXPECT_EQ(with_body->body, R"(DELETE|application/json|20|{"reason": "unused"})");

  request.headers.clear();
  request.body.clear();
  const auto without_body = transport.send(request);
  ASSERT_TRUE(without_body) << without_body.error().message;
  EXPECT_EQ(without_body->body, "DELETE||-|");
}

// A handle that sent a PUT or a DELETE goes back to the pool: the next GET must be a GET.
TEST_F(HttpCurlTransport, APooledHandleForgetsTheMethodOfItsLastRequest) {
  CurlTransport transport(options());
  Request request;
  request.method = Method::del;
  request.url = url("/echo");
  ASSERT_TRUE(transport.send(request));
  const auto result = transport.send(get(url("/hello")));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "hello");
}

TEST_F(HttpCurlTransport, InterimContinueResponseIsNotTheResult) {
  CurlTransport transport(options());
  Request request;
  request.method = Method::post;
  request.url = url("/form");
  request.headers = {{"Content-Type", "text/plain"}, {"Expect", "100-continue"}};
  request.body = std::string(2048, 'b');
  const auto result = transport.send(request);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->status, 201);
  EXPECT_EQ(result->body, "text/plain|" + request.body);
  EXPECT_EQ(result->header("Content-Type"), "text/plain");
  for (const auto& [name, value] : result->headers) {
    EXPECT_NE(name.rfind("HTTP/", 0), 0u) << name;
  }
}

TEST_F(HttpCurlTransport, HttpErrorStatusesAreData) {
  CurlTransport transport(options());
  for (const int status : {400, 401, 403, 404, 429, 500, 503}) {
    const auto result = transport.send(get(url("/status/" + std::to_string(status))));
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->status, status);
    EXPECT_EQ(result->body, "status body");
  }
}

TEST_F(HttpCurlTransport, RedirectsAreReturnedNotFollowed) {
  CurlTransport transport(options());
  const auto result = transport.send(get(url("/redirect")));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->status, 302);
  EXPECT_EQ(result->header("Location"), "/target");
  EXPECT_EQ(target_hits_.load(), 0);
}

TEST_F(HttpCurlTransport, TimesOut) {
  CurlTransport transport(options());
  Request request = get(url("/slow"));
  request.timeout = 250ms;
  const auto start = std::chrono::steady_clock::now();
  const auto result = transport.send(request);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::timeout) << result.error().message;
  EXPECT_GE(elapsed, 200ms);
  EXPECT_LT(elapsed, 2s);
}

TEST_F(HttpCurlTransport, DefaultTimeoutApplies) {
  auto opts = options();
  opts.timeout = 300ms;
  CurlTransport transport(opts);
  const auto result = transport.send(get(url("/slow")));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::timeout);
}

TEST_F(HttpCurlTransport, ClosedPortIsAConnectError) {
  CurlTransport transport(options());
  const auto result =
      transport.send(get("http://127.0.0.1:" + std::to_string(closed_port()) + "/x"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::connect) << result.error().message;
}

TEST_F(HttpCurlTransport, ErrorMessagesContainNoCredentials) {
  CurlTransport transport(options());
  const std::string target = "http://me:hunter2@127.0.0.1:" + std::to_string(closed_port()) +
                             "/x?access_token=URL-TOKEN-77";
  const auto result = transport.send(get(target));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message.find("hunter2"), std::string::npos) << result.error().message;
  EXPECT_EQ(result.error().message.find("URL-TOKEN-77"), std::string::npos)
      << result.error().message;
  EXPECT_NE(result.error().message.find("127.0.0.1"), std::string::npos) << result.error().message;
}

TEST_F(HttpCurlTransport, TooLargeBodyWithContentLengthIsAnError) {
  auto opts = options();
  opts.max_response_bytes = 1024;
  CurlTransport transport(opts);
  const auto result = transport.send(get(url("/big")));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::too_large) << result.error().message;
}

TEST_F(HttpCurlTransport, TooLargeChunkedBodyIsAnError) {
  auto opts = options();
  opts.max_response_bytes = 3000;
  CurlTransport transport(opts);
  const auto result = transport.send(get(url("/big-chunked")));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::too_large) << result.error().message;
}

TEST_F(HttpCurlTransport, BodyAtTheCapIsAccepted) {
  auto opts = options();
  opts.max_response_bytes = 4096;
  CurlTransport transport(opts);
  const auto big = transport.send(get(url("/big")));
  ASSERT_TRUE(big) << big.error().message;
  EXPECT_EQ(big->body.size(), 4096u);
}

TEST_F(HttpCurlTransport, ContentEncodingIsNegotiatedAndDecoded) {
  CurlTransport transport(options());
  const auto result = transport.send(get(url("/json")));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->body, compressible_json());
  EXPECT_TRUE(result->header("Content-Encoding").has_value());
  const std::lock_guard lock(mutex_);
  ASSERT_EQ(accept_encodings_.size(), 1u);
  EXPECT_NE(accept_encodings_[0].find("gzip"), std::string::npos) << accept_encodings_[0];
}

TEST_F(HttpCurlTransport, SizeCapAppliesToTheDecodedBody) {
  auto opts = options();
  opts.max_response_bytes = 16 * 1024;  // compressed it is smaller, decoded much larger
  CurlTransport transport(opts);
  const auto result = transport.send(get(url("/json")));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::too_large) << result.error().message;
}

TEST_F(HttpCurlTransport, ReusesTheConnectionForSequentialRequests) {
  CurlTransport transport(options());
  for (int i = 0; i < 5; ++i) {
    const auto result = transport.send(get(url("/hello")));
    ASSERT_TRUE(result) << result.error().message;
  }
  EXPECT_EQ(remote_ports().size(), 1u);
}

TEST_F(HttpCurlTransport, ConcurrentSendsAllSucceed) {
  CurlTransport transport(options());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Request request = get(url("/hello"));
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        request.headers = {{"X-Request-Id", id}};
        const auto result = transport.send(request);
        if (result && result->status == 200 && result->body == "hello" &&
            result->header("X-Request-Id") == id) {
          ++ok;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  // At most one pooled handle, hence one connection, per concurrent caller.
  EXPECT_LE(remote_ports().size(), static_cast<std::size_t>(kThreads));
}

TEST_F(HttpCurlTransport, CancellationAbortsAnInFlightRequest) {
  std::atomic<bool> cancel{false};
  auto opts = options();
  opts.cancel = &cancel;
  CurlTransport transport(opts);
  std::thread canceller([&] {
    std::this_thread::sleep_for(200ms);
    cancel = true;
  });
  const auto start = std::chrono::steady_clock::now();
  const auto result = transport.send(get(url("/slow")));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  canceller.join();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::interrupted) << result.error().message;
  EXPECT_LT(elapsed, 2500ms);  // abandoned well before the 3 s answer

  // Once cancelled, nothing more is sent.
  const auto after = transport.send(get(url("/hello")));
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().kind, TransportErrorKind::interrupted);
}

TEST_F(HttpCurlTransport, OnlyHttpAndHttpsAreAllowed) {
  CurlTransport transport(options());
  for (const std::string& target :
       {std::string("file:///etc/passwd"), "ftp://127.0.0.1:" + std::to_string(port_) + "/",
        "dict://127.0.0.1:" + std::to_string(port_) + "/"}) {
    SCOPED_TRACE(target);
    const auto result = transport.send(get(target));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, TransportErrorKind::other) << result.error().message;
  }
}

TEST_F(HttpCurlTransport, TlsToAPlainHttpServerIsATlsError) {
  CurlTransport transport(options());
  const auto result = transport.send(get("https://127.0.0.1:" + std::to_string(port_) + "/hello"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::tls) << result.error().message;
}

TEST_F(HttpCurlTransport, HeaderInjectionIsRefused) {
  CurlTransport transport(options());
  Request request = get(url("/hello"));
  request.headers = {{"X-Request-Id", "a\r\nX-Evil: 1"}};
  const auto result = transport.send(request);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::local);
  const std::lock_guard lock(mutex_);
  EXPECT_EQ(requests_, 0);
  EXPECT_EQ(evil_headers_, 0);
}

TEST_F(HttpCurlTransport, TraceLoggingOfARetriedExchangeContainsNoSecrets) {
  fakes::ScopedLogCapture log(spdlog::level::trace);
  {
    CurlTransport curl(options());
    CountingTransport counting(curl);
    fakes::RecordingSleeper sleeper;
    RetryOptions retry_options;
    retry_options.jitter = [] { return 0.0; };
    RetryingTransport retrying(counting, sleeper, retry_options);

    Request request =
        get(url("/status/503").insert(7, "me:hunter2@") + "?access_token=URL-TOKEN-77");
    request.headers = {{"Authorization", "Bearer BEARER-SECRET-42"}, {"Cookie", "c=COOKIE-IN-1"}};
    const auto failing = retrying.send(request);
    ASSERT_TRUE(failing) << failing.error().message;
    EXPECT_EQ(failing->status, 503);
    EXPECT_EQ(counting.count(), 6u);

    request.url = url("/cookie");
    const auto cookie = retrying.send(request);
    ASSERT_TRUE(cookie) << cookie.error().message;
    EXPECT_EQ(find_header(cookie->headers, "Set-Cookie"), "session=COOKIE-SECRET-5; HttpOnly");
  }
  const std::string text = log.text();
  EXPECT_NE(text.find("-> 503"), std::string::npos) << text;
  EXPECT_NE(text.find("retrying GET http://127.0.0.1"), std::string::npos) << text;
  EXPECT_NE(text.find("Set-Cookie: ***"), std::string::npos) << text;
  for (const char* secret : {"hunter2", "URL-TOKEN-77", "BEARER-SECRET-42", "COOKIE-IN-1",
                             "COOKIE-SECRET-5", "HEADER-TOKEN-6"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " leaked into:\n" << text;
  }
}

}  // namespace
}  // namespace bbp::http
