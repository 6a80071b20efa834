#include "bbp/http/counting_transport.hpp"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "bbp/http/retrying_transport.hpp"
#include "http_fakes.hpp"

namespace bbp::http {
namespace {

TEST(HttpCounting, CountsEveryRequestPassedDown) {
  fakes::FakeTransport fake([](const Request&) { return fakes::make_response(200); });
  CountingTransport counting(fake);
  EXPECT_EQ(counting.count(), 0u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(counting.send(Request{}));
  }
  EXPECT_EQ(counting.count(), 3u);
}

TEST(HttpCounting, CountsErrorsToo) {
  fakes::FakeTransport fake;
  fake.push_error(TransportErrorKind::tls);
  CountingTransport counting(fake);
  EXPECT_FALSE(counting.send(Request{}));
  EXPECT_EQ(counting.count(), 1u);
}

TEST(HttpCounting, InnermostCountingCountsRetries) {
  fakes::FakeTransport fake;
  fake.push_response(503);
  fake.push_error(TransportErrorKind::connect);
  fake.push_response(200);
  CountingTransport counting(fake);
  fakes::RecordingSleeper sleeper;
  RetryOptions options;
  options.jitter = [] { return 0.5; };
  RetryingTransport retrying(counting, sleeper, options);

  const auto result = retrying.send(Request{});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(counting.count(), 3u);
  EXPECT_EQ(retrying.retries(), 2u);
}

TEST(HttpCounting, IsThreadSafe) {
  fakes::FakeTransport fake([](const Request&) { return fakes::make_response(200); });
  CountingTransport counting(fake);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) {
        static_cast<void>(counting.send(Request{}));
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(counting.count(), 1000u);
}

}  // namespace
}  // namespace bbp::http
