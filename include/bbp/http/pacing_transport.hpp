// Decorator implementing --max-requests-per-hour by smooth scheduling.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

#include "bbp/http/sleeper.hpp"
#include "bbp/http/transport.hpp"

namespace bbp::http {

// Each request reserves the next free slot, next = max(now, last_slot + 3600 s / R), under a
// mutex, then waits (outside the lock) until its slot. The first request goes immediately and
// there are no bursts, so over a run the achieved rate never exceeds R (plus at most the 1 ms
// rounding of the Sleeper per request). R = 0 means unlimited: a pure pass-through.
//
// When a cancellation flag is given and it is set after the wait, the request is not sent and
// TransportErrorKind::interrupted is returned. Thread-safe. inner, sleeper and clock must
// outlive this object.
class PacingTransport final : public Transport {
 public:
  PacingTransport(Transport& inner, std::uint32_t max_requests_per_hour, Sleeper& sleeper,
                  const MonotonicClock& clock, const std::atomic<bool>* cancel = nullptr);

  Result send(const Request& request) override;

  // Interval between two slots; zero when unlimited.
  std::chrono::nanoseconds interval() const { return interval_; }

  // Sum of all waits requested so far (across threads).
  std::chrono::milliseconds total_waited() const {
    return std::chrono::milliseconds(total_waited_ms_.load(std::memory_order_relaxed));
  }

 private:
  Transport& inner_;
  Sleeper& sleeper_;
  const MonotonicClock& clock_;
  const std::atomic<bool>* cancel_;
  std::chrono::nanoseconds interval_{0};

  std::mutex mutex_;
  std::optional<std::chrono::steady_clock::time_point> last_slot_;  // guarded by mutex_

  std::atomic<std::int64_t> total_waited_ms_{0};
};

}  // namespace bbp::http
