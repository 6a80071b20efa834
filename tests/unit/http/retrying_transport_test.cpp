#include "bbp/http/retrying_transport.hpp"

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "http_fakes.hpp"

namespace bbp::http {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using Waits = std::vector<milliseconds>;

// Fixed "now" for HTTP-date tests: Sun, 06 Nov 1994 08:49:37 GMT.
std::chrono::system_clock::time_point fixed_now() {
  return std::chrono::sys_days(std::chrono::year(1994) / 11 / 6) + 8h + 49min + 37s;
}

class HttpRetry : public ::testing::Test {
 protected:
  RetryingTransport make(double jitter = 0.999, RetryPolicy policy = {}) {
    RetryOptions options;
    options.policy = policy;
    options.jitter = [jitter] { return jitter; };
    options.wall_clock = fixed_now;
    return RetryingTransport(fake, sleeper, std::move(options));
  }

  fakes::FakeTransport fake;
  fakes::FakeMonotonicClock clock;
  fakes::RecordingSleeper sleeper{&clock};
};

TEST_F(HttpRetry, EachRetryableStatusIsRetriedThenSucceeds) {
  for (const int status : {429, 500, 502, 503, 504}) {
    SCOPED_TRACE(status);
    fakes::FakeTransport transport;
    transport.push_response(status);
    transport.push_response(status);
    transport.push_response(200, "done");
    fakes::RecordingSleeper waits;
    RetryOptions options;
    options.jitter = [] { return 0.5; };
    RetryingTransport retrying(transport, waits, options);

    const auto result = retrying.send(Request{});
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(result->body, "done");
    EXPECT_EQ(transport.request_count(), 3u);
    EXPECT_EQ(retrying.retries(), 2u);
    EXPECT_EQ(waits.count(), 2u);
  }
}

TEST_F(HttpRetry, NonRetryableStatusesAreReturnedAtOnce) {
  for (const int status : {200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 409, 410, 422, 501}) {
    SCOPED_TRACE(status);
    fakes::FakeTransport transport;
    transport.push_response(status, "body");
    fakes::RecordingSleeper waits;
    RetryingTransport retrying(transport, waits);
    const auto result = retrying.send(Request{});
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, status);
    EXPECT_EQ(transport.request_count(), 1u);
    EXPECT_EQ(waits.count(), 0u);
    EXPECT_EQ(retrying.retries(), 0u);
  }
}

TEST_F(HttpRetry, GivesUpAfterMaxAttemptsAndReturnsTheLastResponse) {
  for (int i = 0; i < 6; ++i) {
    fake.push_response(503, "attempt " + std::to_string(i + 1));
  }
  fake.push_response(200);  // never reached
  auto retrying = make();
  const auto result = retrying.send(Request{});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 503);
  EXPECT_EQ(result->body, "attempt 6");
  EXPECT_EQ(fake.request_count(), 6u);
  EXPECT_EQ(retrying.retries(), 5u);
  EXPECT_EQ(sleeper.count(), 5u);
}

TEST_F(HttpRetry, WaitsFollowExponentialCapsWithFullJitter) {
  fake.set_handler([](const Request&) { return fakes::make_response(500); });
  auto retrying = make(0.999);
  static_cast<void>(retrying.send(Request{}));
  // floor(0.999 * 1000 * 2^(n-1))
  EXPECT_EQ(sleeper.waits(), (Waits{999ms, 1998ms, 3996ms, 7992ms, 15984ms}));
  EXPECT_EQ(retrying.total_waited(), 30969ms);
  EXPECT_EQ(sleeper.total(), 30969ms);
}

TEST_F(HttpRetry, JitterScalesTheWaitDownToZero) {
  fake.set_handler([](const Request&) { return fakes::make_response(502); });
  auto half = make(0.5);
  static_cast<void>(half.send(Request{}));
  EXPECT_EQ(sleeper.waits(), (Waits{500ms, 1000ms, 2000ms, 4000ms, 8000ms}));

  fakes::RecordingSleeper zero_waits;
  RetryOptions options;
  options.jitter = [] { return 0.0; };
  RetryingTransport zero(fake, zero_waits, options);
  static_cast<void>(zero.send(Request{}));
  EXPECT_EQ(zero_waits.waits(), (Waits{0ms, 0ms, 0ms, 0ms, 0ms}));
}

TEST_F(HttpRetry, WaitsAreCappedAtMaxDelay) {
  fake.set_handler([](const Request&) { return fakes::make_response(503); });
  RetryPolicy policy;
  policy.max_attempts = 10;
  policy.max_delay = 5s;
  policy.max_total_wait = 1h;
  auto retrying = make(0.999, policy);
  static_cast<void>(retrying.send(Request{}));
  EXPECT_EQ(sleeper.waits(),
            (Waits{999ms, 1998ms, 3996ms, 4995ms, 4995ms, 4995ms, 4995ms, 4995ms, 4995ms}));
  EXPECT_EQ(fake.request_count(), 10u);
}

TEST_F(HttpRetry, DefaultCapIsSixtySeconds) {
  fake.set_handler([](const Request&) { return fakes::make_response(503); });
  RetryPolicy policy;
  policy.max_attempts = 10;
  policy.max_total_wait = 1h;
  auto retrying = make(0.999, policy);
  static_cast<void>(retrying.send(Request{}));
  const auto waits = sleeper.waits();
  ASSERT_EQ(waits.size(), 9u);
  EXPECT_EQ(waits[5], 31968ms);
  EXPECT_EQ(waits[6], 59940ms);
  EXPECT_EQ(waits[8], 59940ms);
}

TEST_F(HttpRetry, TooManyRequestsWaitsAtLeastTheBaseDelay) {
  fake.set_handler([](const Request&) { return fakes::make_response(429); });
  auto retrying = make(0.0);
  static_cast<void>(retrying.send(Request{}));
  EXPECT_EQ(sleeper.waits(), (Waits{1s, 1s, 1s, 1s, 1s}));
}

TEST_F(HttpRetry, RetryAfterSecondsIsHonoured) {
  fake.push_response(429, "", {{"Retry-After", "7"}});
  fake.push_response(503, "", {{"retry-after", " 3 "}});
  fake.push_response(200);
  auto retrying = make(0.999);
  const auto result = retrying.send(Request{});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(sleeper.waits(), (Waits{7s, 3s}));
}

TEST_F(HttpRetry, RetryAfterIsCappedAtMaxDelay) {
  fake.push_response(503, "", {{"Retry-After", "3600"}});
  fake.push_response(200);
  auto retrying = make(0.999);
  ASSERT_TRUE(retrying.send(Request{}));
  EXPECT_EQ(sleeper.waits(), (Waits{60s}));
}

TEST_F(HttpRetry, RetryAfterHttpDateIsHonoured) {
  fake.push_response(503, "", {{"Retry-After", "Sun, 06 Nov 1994 08:50:07 GMT"}});  // now + 30 s
  fake.push_response(429, "", {{"Retry-After", "Sun, 06 Nov 1994 09:49:37 GMT"}});  // now + 1 h
  fake.push_response(200);
  auto retrying = make(0.999);
  ASSERT_TRUE(retrying.send(Request{}));
  EXPECT_EQ(sleeper.waits(), (Waits{30s, 60s}));
}

TEST_F(HttpRetry, RetryAfterZeroOrPastDateStillWaitsBaseDelayFor429) {
  fake.push_response(429, "", {{"Retry-After", "0"}});
  fake.push_response(503, "", {{"Retry-After", "Sat, 05 Nov 1994 08:49:37 GMT"}});
  fake.push_response(200);
  auto retrying = make(0.999);
  ASSERT_TRUE(retrying.send(Request{}));
  EXPECT_EQ(sleeper.waits(), (Waits{1s, 0s}));
}

TEST_F(HttpRetry, UnparsableRetryAfterFallsBackToBackoff) {
  fake.push_response(503, "", {{"Retry-After", "soon"}});
  fake.push_response(200);
  auto retrying = make(0.5);
  ASSERT_TRUE(retrying.send(Request{}));
  EXPECT_EQ(sleeper.waits(), (Waits{500ms}));
}

TEST_F(HttpRetry, RetryableTransportErrorsAreRetried) {
  for (const auto kind :
       {TransportErrorKind::timeout, TransportErrorKind::connect, TransportErrorKind::other}) {
    SCOPED_TRACE(std::string(to_string(kind)));
    fakes::FakeTransport transport;
    transport.push_error(kind);
    transport.push_error(kind);
    transport.push_response(200);
    fakes::RecordingSleeper waits;
    RetryingTransport retrying(transport, waits);
    const auto result = retrying.send(Request{});
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(transport.request_count(), 3u);
  }
}

TEST_F(HttpRetry, TlsTooLargeInterruptedAndLocalAreNeverRetried) {
  for (const auto kind : {TransportErrorKind::tls, TransportErrorKind::too_large,
                          TransportErrorKind::interrupted, TransportErrorKind::local}) {
    SCOPED_TRACE(std::string(to_string(kind)));
    fakes::FakeTransport transport;
    transport.push_error(kind, "boom");
    transport.push_response(200);
    fakes::RecordingSleeper waits;
    RetryingTransport retrying(transport, waits);
    const auto result = retrying.send(Request{});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, kind);
    EXPECT_EQ(result.error().message, "boom");
    EXPECT_EQ(transport.request_count(), 1u);
    EXPECT_EQ(waits.count(), 0u);
  }
}

TEST_F(HttpRetry, DnsErrorsAreRetriedAtMostTwice) {
  fake.set_handler(
      [](const Request&) { return fakes::make_error(TransportErrorKind::dns, "no such host"); });
  auto retrying = make(0.5);
  const auto result = retrying.send(Request{});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::dns);
  EXPECT_EQ(fake.request_count(), 3u);
  EXPECT_EQ(retrying.retries(), 2u);
}

TEST_F(HttpRetry, GivesUpWithTheLastErrorAfterMaxAttempts) {
  for (int i = 0; i < 5; ++i) {
    fake.push_response(503);
  }
  fake.push_error(TransportErrorKind::timeout, "last");
  auto retrying = make(0.1);
  const auto result = retrying.send(Request{});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::timeout);
  EXPECT_EQ(result.error().message, "last");
}

TEST_F(HttpRetry, MaxAttemptsOfOneDisablesRetries) {
  fake.push_response(503);
  RetryPolicy policy;
  policy.max_attempts = 1;
  auto retrying = make(0.5, policy);
  const auto result = retrying.send(Request{});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 503);
  EXPECT_EQ(fake.request_count(), 1u);
}

TEST_F(HttpRetry, StopsWhenTheTotalWaitBudgetWouldBeExceeded) {
  fake.set_handler([](const Request&) { return fakes::make_response(503); });
  RetryPolicy policy;
  policy.max_attempts = 20;
  policy.max_total_wait = 10s;
  auto retrying = make(0.999, policy);
  const auto result = retrying.send(Request{});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 503);
  // 999 + 1998 + 3996 = 6993 ms; the next wait (7992 ms) would exceed 10 s.
  EXPECT_EQ(sleeper.waits(), (Waits{999ms, 1998ms, 3996ms}));
  EXPECT_EQ(fake.request_count(), 4u);
  EXPECT_LE(sleeper.total(), policy.max_total_wait);
}

TEST_F(HttpRetry, DefaultBudgetIsFiveMinutes) {
  fake.set_handler([](const Request&) {
    return fakes::make_response(429, "", {{"Retry-After", "100"}});
  });
  RetryPolicy policy;
  policy.max_attempts = 100;
  auto retrying = make(0.5, policy);
  static_cast<void>(retrying.send(Request{}));
  EXPECT_EQ(sleeper.waits(), (Waits{60s, 60s, 60s, 60s, 60s}));
}

TEST_F(HttpRetry, StopsRetryingWhenCancelled) {
  std::atomic<bool> cancel{false};
  fake.set_handler([](const Request&) { return fakes::make_response(503, "busy"); });
  sleeper.set_on_sleep([&](milliseconds) { cancel = true; });
  RetryOptions options;
  options.jitter = [] { return 0.5; };
  options.cancel = &cancel;
  RetryingTransport retrying(fake, sleeper, options);
  const auto result = retrying.send(Request{});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 503);
  EXPECT_EQ(fake.request_count(), 1u);  // cancelled during the first back-off
  EXPECT_EQ(retrying.retries(), 0u);

  // Already cancelled: one attempt, no wait.
  const auto again = retrying.send(Request{});
  ASSERT_TRUE(again);
  EXPECT_EQ(fake.request_count(), 2u);
  EXPECT_EQ(sleeper.count(), 1u);
}

TEST_F(HttpRetry, OutOfRangeJitterIsClamped) {
  fake.set_handler([](const Request&) { return fakes::make_response(500); });
  RetryPolicy policy;
  policy.max_attempts = 3;
  auto big = make(7.0, policy);
  static_cast<void>(big.send(Request{}));
  EXPECT_EQ(sleeper.waits(), (Waits{1s, 2s}));
  fakes::RecordingSleeper negative_waits;
  RetryOptions options;
  options.policy = policy;
  options.jitter = [] { return -3.0; };
  RetryingTransport negative(fake, negative_waits, options);
  static_cast<void>(negative.send(Request{}));
  EXPECT_EQ(negative_waits.waits(), (Waits{0ms, 0ms}));
}

TEST_F(HttpRetry, DefaultJitterStaysWithinTheCap) {
  fake.set_handler([](const Request&) { return fakes::make_response(503); });
  RetryingTransport retrying(fake, sleeper);
  for (int i = 0; i < 20; ++i) {
    static_cast<void>(retrying.send(Request{}));
  }
  const auto waits = sleeper.waits();
  ASSERT_EQ(waits.size(), 100u);
  for (std::size_t i = 0; i < waits.size(); ++i) {
    const auto cap = milliseconds(1000 << (i % 5));
    EXPECT_GE(waits[i], 0ms);
    EXPECT_LT(waits[i], cap);
  }
}

TEST_F(HttpRetry, IsThreadSafe) {
  // The first attempt for each URL fails, the second succeeds.
  std::mutex mutex;
  std::set<std::string> seen;
  fake.set_handler([&](const Request& request) {
    const std::lock_guard lock(mutex);
    return seen.insert(request.url).second ? fakes::make_response(503) : fakes::make_response(200);
  });
  RetryingTransport retrying(fake, sleeper);  // default, mutex-protected jitter source
  std::vector<std::thread> threads;
  std::atomic<int> successes{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        Request request;
        request.url = "https://example.test/" + std::to_string(t) + "/" + std::to_string(i);
        const auto result = retrying.send(request);
        if (result && result->status == 200) {
          ++successes;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(successes.load(), 200);
  EXPECT_EQ(retrying.retries(), 200u);
  EXPECT_EQ(fake.request_count(), 400u);
  EXPECT_EQ(sleeper.count(), 200u);
}

TEST(HttpRetryAfter, ParsesDeltaSeconds) {
  const auto now = fixed_now();
  EXPECT_EQ(parse_retry_after("0", now), 0ms);
  EXPECT_EQ(parse_retry_after("120", now), 120s);
  EXPECT_EQ(parse_retry_after("  5 ", now), 5s);
  EXPECT_GE(parse_retry_after("99999999999999999999", now), std::chrono::hours(24 * 365));
}

TEST(HttpRetryAfter, ParsesTheThreeHttpDateFormats) {
  const auto now = fixed_now();
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now), 10s);
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:49:47 GMT", now), 10s);
  EXPECT_EQ(parse_retry_after("Sun Nov  6 08:49:47 1994", now), 10s);
  EXPECT_EQ(parse_retry_after("Mon, 07 Nov 1994 08:49:37 GMT", now), 24h);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), 0ms);
  EXPECT_EQ(parse_retry_after("Sat, 01 Jan 1994 00:00:00 GMT", now), 0ms);
}

TEST(HttpRetryAfter, RejectsGarbage) {
  const auto now = fixed_now();
  for (const char* value :
       {"", "soon", "-5", "1.5", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1994", "06 Nov 1994 8:49:37 GMT"}) {
    SCOPED_TRACE(value);
    EXPECT_EQ(parse_retry_after(value, now), std::nullopt);
  }
}

TEST(HttpRetryAfter, RetryableStatuses) {
  for (const int status : {429, 500, 502, 503, 504}) {
    EXPECT_TRUE(is_retryable_status(status)) << status;
  }
  for (const int status : {200, 301, 400, 401, 403, 404, 410, 501, 505}) {
    EXPECT_FALSE(is_retryable_status(status)) << status;
  }
}

}  // namespace
}  // namespace bbp::http
