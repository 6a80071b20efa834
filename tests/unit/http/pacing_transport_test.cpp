#include "bbp/http/pacing_transport.hpp"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "http_fakes.hpp"

namespace bbp::http {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// Requests per hour achieved between the first and the last request.
double achieved_rate(int requests, std::chrono::steady_clock::duration span) {
  const double hours = std::chrono::duration<double, std::ratio<3600>>(span).count();
  return static_cast<double>(requests - 1) / hours;
}

class HttpPacing : public ::testing::Test {
 protected:
  fakes::FakeMonotonicClock clock;
  fakes::RecordingSleeper sleeper{&clock};
  std::vector<std::chrono::steady_clock::time_point> sent_at;
  fakes::FakeTransport fake{[this](const Request&) {
    sent_at.push_back(clock.now());
    return fakes::make_response(200);
  }};
};

TEST_F(HttpPacing, ZeroMeansUnlimitedAndNeverWaits) {
  PacingTransport pacing(fake, 0, sleeper, clock);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(pacing.send(Request{}));
  }
  EXPECT_EQ(fake.request_count(), 1000u);
  EXPECT_EQ(sleeper.count(), 0u);
  EXPECT_EQ(pacing.total_waited(), 0ms);
  EXPECT_EQ(pacing.interval(), std::chrono::nanoseconds::zero());
}

TEST_F(HttpPacing, FirstRequestGoesImmediately) {
  PacingTransport pacing(fake, 10, sleeper, clock);
  ASSERT_TRUE(pacing.send(Request{}));
  EXPECT_EQ(sleeper.count(), 0u);
}

TEST_F(HttpPacing, AchievedRateIsWithinFivePercentOfTheLimit) {
  for (const std::uint32_t rate : {1000u, 3600u, 7u, 997u, 60000u}) {
    SCOPED_TRACE(rate);
    sent_at.clear();
    PacingTransport pacing(fake, rate, sleeper, clock);
    constexpr int kRequests = 300;
    for (int i = 0; i < kRequests; ++i) {
      ASSERT_TRUE(pacing.send(Request{}));
    }
    const double achieved = achieved_rate(kRequests, sent_at.back() - sent_at.front());
    EXPECT_LE(achieved, rate * 1.0001);
    EXPECT_GE(achieved, rate * 0.95);
    // Smooth: no two requests closer than the interval (minus rounding to 1 ms).
    for (std::size_t i = 1; i < sent_at.size(); ++i) {
      ASSERT_GE(sent_at[i] - sent_at[i - 1], pacing.interval() - 1ms);
    }
  }
}

TEST_F(HttpPacing, RateHoldsWhenRequestsTakeTime) {
  // Each request takes 400 ms; the limit allows one every 1.2 s.
  fakes::FakeTransport slow([this](const Request&) {
    sent_at.push_back(clock.now());
    clock.advance(400ms);
    return fakes::make_response(200);
  });
  PacingTransport pacing(slow, 3000, sleeper, clock);
  constexpr int kRequests = 100;
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_TRUE(pacing.send(Request{}));
  }
  const double achieved = achieved_rate(kRequests, sent_at.back() - sent_at.front());
  EXPECT_NEAR(achieved, 3000.0, 3000.0 * 0.05);
  EXPECT_LE(achieved, 3000.0 * 1.0001);
  EXPECT_EQ(sleeper.waits().at(0), 800ms);
}

TEST_F(HttpPacing, NoWaitWhenRequestsAreAlreadySlowerThanTheLimit) {
  PacingTransport pacing(fake, 3600, sleeper, clock);  // one per second
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(pacing.send(Request{}));
    clock.advance(2s);
  }
  EXPECT_EQ(sleeper.count(), 0u);
}

TEST_F(HttpPacing, NoBurstAfterAnIdlePeriod) {
  PacingTransport pacing(fake, 3600, sleeper, clock);  // one per second
  ASSERT_TRUE(pacing.send(Request{}));
  clock.advance(1h);  // idle: unused slots must not accumulate
  ASSERT_TRUE(pacing.send(Request{}));
  ASSERT_TRUE(pacing.send(Request{}));
  ASSERT_TRUE(pacing.send(Request{}));
  EXPECT_EQ(sleeper.waits(), (std::vector<milliseconds>{1000ms, 1000ms}));
  EXPECT_EQ(pacing.total_waited(), 2000ms);
}

TEST_F(HttpPacing, ConcurrentRequestsReserveDistinctSlots) {
  // The clock stands still, so the waits are exactly the slot offsets 0, I, 2I, ...
  fakes::RecordingSleeper still;  // not linked to the clock
  fakes::FakeTransport ok([](const Request&) { return fakes::make_response(200); });
  PacingTransport pacing(ok, 3600, still, clock);  // I = 1 s
  constexpr int kThreads = 8;
  constexpr int kPerThread = 5;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        EXPECT_TRUE(pacing.send(Request{}));
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  auto waits = still.waits();
  std::sort(waits.begin(), waits.end());
  ASSERT_EQ(waits.size(), static_cast<std::size_t>(kThreads * kPerThread - 1));
  for (std::size_t i = 0; i < waits.size(); ++i) {
    EXPECT_EQ(waits[i], std::chrono::seconds(i + 1));
  }
  EXPECT_EQ(ok.request_count(), static_cast<std::size_t>(kThreads * kPerThread));
}

TEST_F(HttpPacing, CancellationDuringTheWaitSkipsTheRequest) {
  std::atomic<bool> cancel{false};
  sleeper.set_on_sleep([&](milliseconds) { cancel = true; });
  PacingTransport pacing(fake, 3600, sleeper, clock, &cancel);
  ASSERT_TRUE(pacing.send(Request{}));
  const auto result = pacing.send(Request{});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, TransportErrorKind::interrupted);
  EXPECT_EQ(fake.request_count(), 1u);
}

}  // namespace
}  // namespace bbp::http
