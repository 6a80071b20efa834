// The whole decorator stack, logging at trace level, must never write a credential.
#include <atomic>

#include <gtest/gtest.h>

#include "bbp/http/counting_transport.hpp"
#include "bbp/http/pacing_transport.hpp"
#include "bbp/http/redact.hpp"
#include "bbp/http/retrying_transport.hpp"
#include "http_fakes.hpp"

namespace bbp::http {
namespace {

constexpr const char* kSecrets[] = {"BEARER-SECRET-42", "hunter2",  "URL-TOKEN-77",
                                    "CLIENT-SECRET-9",  "COOKIE-5", "AUTHCODE-3"};

TEST(HttpLogging, RetriedExchangeLogsNoSecrets) {
  fakes::ScopedLogCapture log(spdlog::level::trace);

  fakes::FakeTransport fake;
  fake.push_response(503, "", {{"Retry-After", "1"}, {"Set-Cookie", "sid=COOKIE-5"}});
  fake.push_error(TransportErrorKind::connect, "Connection refused (POST https://bitbucket.org/)");
  fake.push_response(429);
  fake.push_response(200, R"({"access_token": "x"})", {{"Set-Cookie", "sid=COOKIE-5"}});

  fakes::FakeMonotonicClock clock;
  fakes::RecordingSleeper sleeper(&clock);
  CountingTransport counting(fake);
  PacingTransport pacing(counting, 1800, sleeper, clock);  // one request per 2 s
  RetryOptions options;
  options.jitter = [] { return 0.5; };
  RetryingTransport retrying(pacing, sleeper, options);

  Request request;
  request.method = Method::post;
  request.url =
      "https://me:hunter2@bitbucket.org/site/oauth2/access_token?access_token=URL-TOKEN-77";
  request.headers = {{"Authorization", "Bearer BEARER-SECRET-42"},
                     {"Cookie", "sid=COOKIE-5"},
                     {"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = "grant_type=authorization_code&code=AUTHCODE-3&client_secret=CLIENT-SECRET-9";

  const auto result = retrying.send(request);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(counting.count(), 4u);
  EXPECT_EQ(retrying.retries(), 3u);

  // What a caller would log at trace level for the response.
  for (const auto& [name, value] : redact_headers(result->headers)) {
    spdlog::trace("< {}: {}", name, value);
  }

  const std::string text = log.text();
  EXPECT_NE(
      text.find("retrying POST https://bitbucket.org/site/oauth2/access_token?access_token=***"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("HTTP 503"), std::string::npos) << text;
  EXPECT_NE(text.find("connect error"), std::string::npos) << text;
  EXPECT_NE(text.find("1000 ms"), std::string::npos) << text;
  EXPECT_NE(text.find("pacing: waiting"), std::string::npos) << text;
  for (const char* secret : kSecrets) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " leaked into:\n" << text;
  }
}

}  // namespace
}  // namespace bbp::http
