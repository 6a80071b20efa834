// Decorator retrying transient failures with exponential back-off and full jitter.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>

#include "bbp/http/sleeper.hpp"
#include "bbp/http/transport.hpp"

namespace bbp::http {

struct RetryPolicy {
  int max_attempts = 6;  // including the first attempt; <= 1 disables retries
  std::chrono::milliseconds base_delay{1000};
  std::chrono::milliseconds max_delay{60'000};        // cap of a single wait
  std::chrono::milliseconds max_total_wait{300'000};  // budget over all waits of one request
  int max_dns_retries = 2;  // DNS failures are retried at most this many times
  // False where a RateLimiter above this transport owns 429s: they are handed up at once.
  bool retry_rate_limited = true;
};

struct RetryOptions {
  RetryPolicy policy;
  // Jitter source returning a value in [0, 1). Called under an internal mutex, so it need not
  // be thread-safe. Default: std::mt19937_64 seeded from std::random_device.
  std::function<double()> jitter;
  // Wall clock used to interpret an HTTP-date Retry-After. Default: system_clock::now.
  std::function<std::chrono::system_clock::time_point()> wall_clock;
  // When set and true, no further attempt is made (checked before and after every wait).
  const std::atomic<bool>* cancel = nullptr;
};

// Retries HTTP 429 (unless policy.retry_rate_limited is false), 500, 502, 503 and 504, and
// transport errors of kind timeout, connect and other; dns at most policy.max_dns_retries times;
// never tls, too_large, interrupted or local.
//
// Wait before retry n (n = 1, 2, ...): uniform(0, min(max_delay, base_delay * 2^(n-1))) (full
// jitter). For 429 the wait is at least base_delay. A Retry-After header (delta-seconds or
// HTTP-date) replaces the computed wait, capped at max_delay. If a wait would exceed the
// remaining max_total_wait budget, it gives up. Giving up returns the last Response/error.
// Before each retry the request's `refresh` (when set) brings it up to date.
//
// Thread-safe. inner and sleeper must outlive this object.
class RetryingTransport final : public Transport {
 public:
  RetryingTransport(Transport& inner, Sleeper& sleeper, RetryOptions options = {});

  Result send(const Request& request) override;

  // Retries performed (attempts beyond the first), across all requests and threads.
  std::uint64_t retries() const { return retries_.load(std::memory_order_relaxed); }
  // Sum of all back-off waits.
  std::chrono::milliseconds total_waited() const {
    return std::chrono::milliseconds(total_waited_ms_.load(std::memory_order_relaxed));
  }

 private:
  double next_jitter();
  bool cancelled() const;
  // Sleeps before a retry and counts it; false when cancelled meanwhile.
  bool back_off(std::chrono::milliseconds wait);

  Transport& inner_;
  Sleeper& sleeper_;
  RetryOptions options_;

  std::mutex jitter_mutex_;
  std::mt19937_64 rng_;  // guarded by jitter_mutex_; used when options_.jitter is empty

  std::atomic<std::uint64_t> retries_{0};
  std::atomic<std::int64_t> total_waited_ms_{0};
};

// True for the HTTP statuses RetryingTransport retries (429, 500, 502, 503, 504).
bool is_retryable_status(int status);

// Parses a Retry-After value: delta-seconds ("120") or an HTTP-date (IMF-fixdate, RFC 850 or
// asctime format, always GMT). Returns the delay relative to `now` (zero for a date in the
// past), or nullopt when the value is not understood.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace bbp::http
