#include "bbp/http/cancellable_sleeper.hpp"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

namespace bbp::http {
namespace {

using namespace std::chrono_literals;

// These two tests sleep for real, briefly: they test the real sleeper itself.
TEST(HttpCancellableSleeper, SleepsForTheDurationWhenNotCancelled) {
  const std::atomic<bool> cancel{false};
  CancellableSleeper sleeper(cancel, 5ms);
  const auto start = std::chrono::steady_clock::now();
  sleeper.sleep_for(30ms);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 30ms);
}

TEST(HttpCancellableSleeper, WakesUpEarlyWhenCancelled) {
  std::atomic<bool> cancel{false};
  CancellableSleeper sleeper(cancel, 5ms);
  std::thread canceller([&] {
    std::this_thread::sleep_for(20ms);
    cancel = true;
  });
  const auto start = std::chrono::steady_clock::now();
  sleeper.sleep_for(60s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  canceller.join();
}

}  // namespace
}  // namespace bbp::http
