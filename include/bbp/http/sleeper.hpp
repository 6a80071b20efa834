// Waiting and monotonic time, injected so tests never sleep for real.
#pragma once

#include <chrono>

namespace bbp::http {

class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

class MonotonicClock {
 public:
  virtual ~MonotonicClock() = default;
  virtual std::chrono::steady_clock::time_point now() const = 0;
};

class RealMonotonicClock final : public MonotonicClock {
 public:
  std::chrono::steady_clock::time_point now() const override {
    return std::chrono::steady_clock::now();
  }
};

}  // namespace bbp::http
