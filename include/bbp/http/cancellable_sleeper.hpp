// A real Sleeper that wakes up early when a cancellation flag is raised.
#pragma once

#include <atomic>
#include <chrono>

#include "bbp/http/sleeper.hpp"

namespace bbp::http {

// Sleeps in short slices and returns as soon as *cancel becomes true, so that a long
// back-off or pacing wait does not delay shutdown on SIGINT/SIGTERM. Callers check the flag
// after sleep_for returns. Thread-safe (stateless apart from the referenced flag).
class CancellableSleeper final : public Sleeper {
 public:
  explicit CancellableSleeper(const std::atomic<bool>& cancel,
                              std::chrono::milliseconds slice = std::chrono::milliseconds(50))
      : cancel_(cancel), slice_(slice) {}

  void sleep_for(std::chrono::milliseconds duration) override;

 private:
  const std::atomic<bool>& cancel_;
  std::chrono::milliseconds slice_;
};

}  // namespace bbp::http
