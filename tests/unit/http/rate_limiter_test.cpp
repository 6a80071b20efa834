#include "bbp/http/rate_limiter.hpp"

#include <atomic>
#include <deque>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "http_fakes.hpp"

namespace bbp::http {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using TimePoint = std::chrono::steady_clock::time_point;

// A rolling window like Bitbucket's: at most `limit` accepted requests in any `window`; a
// refused request does not count. Answers as of the fake clock's time.
class RollingWindow {
 public:
  RollingWindow(std::size_t limit, std::chrono::steady_clock::duration window, Headers headers = {})
      : limit_(limit), window_(window), headers_(std::move(headers)) {}

  Response answer(TimePoint now) {
    while (!accepted_.empty() && now - accepted_.front() >= window_) {
      accepted_.pop_front();
    }
    if (accepted_.size() >= limit_) {
      ++refused_;
      return fakes::make_response(429, "Rate limit for this resource has been exceeded",
                                  {{"Content-Type", "text/plain"}});
    }
    accepted_.push_back(now);
    return fakes::make_response(200, "{}", headers_);
  }
  int refused() const { return refused_; }

 private:
  std::size_t limit_;
  std::chrono::steady_clock::duration window_;
  Headers headers_;
  std::deque<TimePoint> accepted_;
  int refused_ = 0;
};

class HttpRateLimiter : public ::testing::Test {
 protected:
  RateLimitSettings settings(milliseconds max_wait = 12h) {
    RateLimitSettings s;
    s.max_wait = max_wait;
    s.jitter = [] { return 0.0; };  // every probe waits half its cap: 1 s, 2 s, 4 s, ...
    return s;
  }

  // Sends `count` requests one after the other through `limiter`, each sent again after a
  // 429 like the ApiClient does. Returns how many were refused by the limiter.
  int send_all(RateLimiter& limiter, RollingWindow& server, int count) {
    int refused = 0;
    for (int i = 0; i < count; ++i) {
      for (;;) {
        auto ticket = limiter.acquire();
        if (!ticket) {
          ++refused;
          break;
        }
        const auto response = server.answer(clock.now());
        limiter.settle(*ticket, response);
        if (response.status != 429) {
          break;
        }
      }
    }
    return refused;
  }

  fakes::FakeMonotonicClock clock;
  fakes::RecordingSleeper sleeper{&clock};
};

TEST_F(HttpRateLimiter, WithoutA429NobodyWaits) {
  RateLimiter limiter(sleeper, clock, settings());
  RollingWindow server(1000, 1h);
  EXPECT_EQ(send_all(limiter, server, 500), 0);
  EXPECT_EQ(sleeper.count(), 0U);
  EXPECT_EQ(limiter.status().held, 0ms);
  EXPECT_FALSE(limiter.status().window_requests);
}

TEST_F(HttpRateLimiter, AScanOfThreeWindowsFinishesNearTheFloorWithFewRefusals) {
  RateLimiter limiter(sleeper, clock, settings());
  RollingWindow server(100, 60s);
  const auto start = clock.now();
  EXPECT_EQ(send_all(limiter, server, 300), 0);
  // The floor a rolling window of 100 per 60 s sets for 300 requests is two windows.
  const auto elapsed = clock.now() - start;
  EXPECT_GE(elapsed, 120s);
  EXPECT_LE(elapsed, 150s);  // 1.25 x the floor
  // The first wall, then the probes that found it still closed (sent 1, 3, 7, 15 and 31 s in;
  // the one at 63 s gets through); the learned window then keeps the scan off the wall.
  EXPECT_EQ(server.refused(), 6);
  const auto status = limiter.status();
  EXPECT_EQ(status.rejections, 6U);
  EXPECT_EQ(status.window_requests, 100U);
  ASSERT_TRUE(status.window);
  EXPECT_GE(*status.window, 60s);
  EXPECT_FALSE(status.closed);
}

TEST_F(HttpRateLimiter, AWindowSpentBeforeTheScanBeganIsLearnedFromTheNextWholeWindow) {
  RateLimiter limiter(sleeper, clock, settings());
  RollingWindow server(20, 60s);
  for (int i = 0; i < 18; ++i) {
    server.answer(clock.now());  // another client of the same budget
  }
  EXPECT_EQ(send_all(limiter, server, 30), 0);
  // Two requests before the first wall are no measure of the window; the twenty between the
  // reopening and the second wall are.
  EXPECT_EQ(limiter.status().window_requests, 20U);
  ASSERT_TRUE(limiter.status().window);
  EXPECT_GE(*limiter.status().window, 60s);
  EXPECT_LE(*limiter.status().window, 70s);
}

TEST_F(HttpRateLimiter, ProbeWaitsGrowAndAreCapped) {
  auto s = settings();
  s.probe_cap = 5s;
  RateLimiter limiter(sleeper, clock, s);
  RollingWindow server(1, 1h);
  ASSERT_EQ(send_all(limiter, server, 2), 0);
  // Half of each cap (jitter 0): 1, 2, then 2.5 s from then on.
  const auto waits = sleeper.waits();
  ASSERT_GE(waits.size(), 5U);
  EXPECT_EQ(waits[0], 1000ms);
  EXPECT_EQ(waits[1], 2000ms);
  EXPECT_EQ(waits[2], 2500ms);  // the third cap, 8 s, is above 5 s
  EXPECT_EQ(waits[3], 2500ms);
  EXPECT_EQ(waits.back(), 2500ms);
}

TEST_F(HttpRateLimiter, MaxWaitZeroRefusesAtTheFirstWall) {
  RateLimiter limiter(sleeper, clock, settings(0ms));
  RollingWindow server(10, 1h);
  EXPECT_EQ(send_all(limiter, server, 25), 15);
  EXPECT_EQ(sleeper.count(), 0U);
  EXPECT_TRUE(limiter.status().exhausted);
}

TEST_F(HttpRateLimiter, ShortMaxWaitBoundsTheTimeHeldAndThenRefusesAtOnce) {
  RateLimiter limiter(sleeper, clock, settings(10s));
  RollingWindow server(10, 1h);
  const auto start = clock.now();
  EXPECT_EQ(send_all(limiter, server, 30), 20);
  EXPECT_LE(limiter.status().held, 10s);
  EXPECT_LE(clock.now() - start, 10s);
  EXPECT_TRUE(limiter.status().exhausted);
}

TEST_F(HttpRateLimiter, XRateLimitLimitSetsTheWindowBeforeAnyWall) {
  RateLimiter limiter(sleeper, clock, settings());
  RollingWindow server(50, 1h, {{"X-RateLimit-Limit", "50"}});
  const auto start = clock.now();
  EXPECT_EQ(send_all(limiter, server, 120), 0);
  EXPECT_EQ(server.refused(), 0);  // honoured: the wall is never hit
  EXPECT_EQ(limiter.status().window_requests, 50U);
  EXPECT_GE(clock.now() - start, 2h);
  EXPECT_LE(clock.now() - start, 2h + 1s);
}

TEST_F(HttpRateLimiter, NearLimitLowersTheLearnedWindow) {
  RateLimiter limiter(sleeper, clock, settings());
  RollingWindow server(20, 60s);
  ASSERT_EQ(send_all(limiter, server, 25), 0);  // learns about 20 per window
  ASSERT_EQ(limiter.status().window_requests, 20U);
  auto ticket = limiter.acquire();
  ASSERT_TRUE(ticket);
  limiter.settle(*ticket, fakes::make_response(200, "{}", {{"X-RateLimit-NearLimit", "true"}}));
  EXPECT_LT(*limiter.status().window_requests, 20U);
}

TEST_F(HttpRateLimiter, RetryAfterDelaysTheProbe) {
  RateLimiter limiter(sleeper, clock, settings());
  auto ticket = limiter.acquire();
  ASSERT_TRUE(ticket);
  limiter.settle(*ticket, fakes::make_response(429, "", {{"Retry-After", "30"}}));
  ticket = limiter.acquire();
  ASSERT_TRUE(ticket);
  EXPECT_TRUE(ticket->probe);
  EXPECT_EQ(sleeper.waits(), std::vector<milliseconds>{30s});
}

TEST_F(HttpRateLimiter, CancellationEndsAWaitAndRefusesAfterwards) {
  std::atomic<bool> cancel{false};
  RateLimiter limiter(sleeper, clock, settings(), &cancel);
  auto ticket = limiter.acquire();
  ASSERT_TRUE(ticket);
  limiter.settle(*ticket, fakes::make_response(429));
  sleeper.set_on_sleep([&](milliseconds) { cancel = true; });
  const auto probe = limiter.acquire();
  ASSERT_FALSE(probe);
  EXPECT_EQ(probe.error(), RateLimitRefusal::interrupted);
  EXPECT_EQ(limiter.acquire().error(), RateLimitRefusal::interrupted);
}

// While the probe is out, nobody else gets a slot; they go once it has come back.
TEST_F(HttpRateLimiter, EveryoneWaitsForTheProbe) {
  RateLimiter limiter(sleeper, clock, settings());
  auto first = limiter.acquire();
  ASSERT_TRUE(first);
  limiter.settle(*first, fakes::make_response(429));
  auto probe = limiter.acquire();
  ASSERT_TRUE(probe);
  ASSERT_TRUE(probe->probe);
  const auto probe_sent = clock.now();

  std::atomic<int> granted{0};
  std::vector<std::jthread> others;
  std::vector<TimePoint> slots(4);
  for (std::size_t i = 0; i < slots.size(); ++i) {
    others.emplace_back([&, i] {
      auto ticket = limiter.acquire();
      ASSERT_TRUE(ticket);
      EXPECT_FALSE(ticket->probe);
      slots[i] = ticket->slot;
      granted += 1;
      limiter.settle(*ticket, fakes::make_response(200));
    });
  }
  EXPECT_EQ(granted.load(), 0);  // nothing can be granted while the probe is out
  limiter.settle(*probe, fakes::make_response(200));
  others.clear();  // joins
  EXPECT_EQ(granted.load(), 4);
  for (const auto slot : slots) {
    EXPECT_GE(slot, probe_sent);
  }
  EXPECT_FALSE(limiter.status().closed);
}

TEST_F(HttpRateLimiter, AnAbandonedProbeHandsTheRoleOn) {
  RateLimiter limiter(sleeper, clock, settings());
  auto first = limiter.acquire();
  ASSERT_TRUE(first);
  limiter.settle(*first, fakes::make_response(429));
  auto probe = limiter.acquire();
  ASSERT_TRUE(probe && probe->probe);
  limiter.abandon(*probe);  // e.g. a network error
  auto next = limiter.acquire();
  ASSERT_TRUE(next);
  EXPECT_TRUE(next->probe);
  EXPECT_TRUE(limiter.status().closed);
}

}  // namespace
}  // namespace bbp::http
