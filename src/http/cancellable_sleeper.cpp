#include "bbp/http/cancellable_sleeper.hpp"

#include <algorithm>
#include <thread>

namespace bbp::http {

void CancellableSleeper::sleep_for(std::chrono::milliseconds duration) {
  const auto deadline = std::chrono::steady_clock::now() + duration;
  const auto slice = std::max(slice_, std::chrono::milliseconds(1));
  while (!cancel_.load(std::memory_order_relaxed)) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return;
    }
    const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - now);
    std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(left, slice));
  }
}

}  // namespace bbp::http
