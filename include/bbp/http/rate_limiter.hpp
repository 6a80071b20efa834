// One rate-limit state for the whole scan: every API request asks it for a slot first.
//
// Bitbucket Cloud counts requests in a rolling one-hour window and answers 429 (text/plain, no
// Retry-After) once the window is full. Retrying each request on its own cannot ride that out:
// the window can stay closed for most of an hour, and every worker hammering it only adds 429s.
// So the limit is shared state, and its policy is:
//
//   * Open. Requests go as fast as the scan makes them, until the window is known; after that a
//     request waits for its slot in the learned rolling window (at most N requests in any W).
//   * Closed, after a 429. Everybody pauses. One request at a time is the probe: it waits
//     (probe_base, doubling, jittered into [1/2, 1] of that, capped at probe_cap; Retry-After
//     when the server sends one; the learned window's next slot when one is known), then goes.
//     The others wait for its answer, not for a timer. A 429 to the probe makes the next wait
//     longer; any other answer opens the window again.
//   * Learning. At the first 429, N is the number of requests the server accepted so far, and at
//     the reopening W is the time from the oldest of them to the successful probe: the window
//     the server has shown (counted from the last reopening, and not learned from fewer than
//     ten requests: the budget may have been spent by someone else before the scan began). A later
//     429 the model did not foresee closes the window again and keeps the model. X-RateLimit-Limit
//     (sent to access tokens) sets N per `header_window` (an hour) outright; X-RateLimit-NearLimit:
//     true without it caps N at what the window holds. Replaying the accepted pattern one window
//     later is what a rolling window allows: a scan needing k windows' worth of requests ends close
//     to (k - 1) * W.
//   * A 429 is not an error. The caller sends the same request again with a new slot, for as long
//     as the scan may wait: `max_wait` bounds the wall time during which requests were held
//     back by the limit (the union of all waits, not their sum over threads). Once a wait would
//     exceed it, acquire() refuses with `budget_exhausted`, at once, for every later request that
//     would have to wait.
//
// Thread-safe. sleeper and clock must outlive this object.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <set>

#include <tl/expected.hpp>

#include "bbp/http/sleeper.hpp"
#include "bbp/http/transport.hpp"

namespace bbp::http {

struct RateLimitSettings {
  std::chrono::milliseconds max_wait{std::chrono::hours(12)};
  std::chrono::milliseconds probe_base{2'000};
  std::chrono::milliseconds probe_cap{120'000};
  // The window an X-RateLimit-Limit value refers to ("requests permitted per hour").
  std::chrono::milliseconds header_window{std::chrono::hours(1)};
  // Jitter in [0, 1); called under the limiter's mutex. Default: std::mt19937_64.
  std::function<double()> jitter;
};

enum class RateLimitRefusal {
  budget_exhausted,  // waiting longer would exceed max_wait
  interrupted,       // the scan is being cancelled
};

// What the limiter knows, for progress lines, logs and the report.
struct RateLimitStatus {
  bool closed = false;  // paused after a 429, waiting for a probe to succeed
  std::optional<std::chrono::steady_clock::time_point> next_probe;
  std::optional<std::uint64_t> window_requests;     // N of the learned or announced window
  std::optional<std::chrono::milliseconds> window;  // W
  std::uint64_t rejections = 0;                     // 429 answers received
  std::chrono::milliseconds held{0};                // wall time requests were held back
  bool exhausted = false;                           // max_wait ran out
};

class RateLimiter {
 public:
  struct Ticket {
    std::chrono::steady_clock::time_point slot;
    bool probe = false;
  };

  RateLimiter(Sleeper& sleeper, const MonotonicClock& clock, RateLimitSettings settings = {},
              const std::atomic<bool>* cancel = nullptr);

  // Waits for this request's turn. Every ticket must be given back with settle() or abandon().
  tl::expected<Ticket, RateLimitRefusal> acquire();
  // The request got this answer: a 429 closes the window (the caller then sends it again with a
  // new ticket); anything else counts against the window and, for a probe, reopens it.
  void settle(const Ticket& ticket, const Response& response);
  // The request got no answer (transport error) or was not sent.
  void abandon(const Ticket& ticket);

  RateLimitStatus status() const;
  const RateLimitSettings& settings() const { return settings_; }

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  enum class Step { go, wait_for_probe, refuse_budget, refuse_cancel };
  struct Plan {
    Step step = Step::go;
    Ticket ticket;
  };

  Plan plan_locked(TimePoint now);
  std::optional<TimePoint> window_slot_locked(TimePoint now) const;
  TimePoint probe_time_locked(TimePoint now);
  bool hold_locked(TimePoint now, TimePoint until);
  void close_locked(TimePoint now, const Response& response);
  void learn_window_locked(TimePoint reopened);
  void learn_from_headers_locked(const Response& response, TimePoint now);
  void forget_locked(TimePoint slot);
  void prune_locked(TimePoint now);
  std::uint64_t in_window_locked(TimePoint now) const;
  double jitter_locked();
  bool cancelled() const { return cancel_ != nullptr && cancel_->load(); }

  Sleeper& sleeper_;
  const MonotonicClock& clock_;
  RateLimitSettings settings_;
  const std::atomic<bool>* cancel_;

  mutable std::mutex mutex_;
  std::condition_variable probe_settled_;
  std::multiset<TimePoint> counted_;  // slots of requests the server has (or may have) counted
  std::optional<std::uint64_t> limit_;
  std::optional<std::chrono::steady_clock::duration> window_;
  bool limit_from_header_ = false;
  bool closed_ = false;
  bool probe_out_ = false;
  int failed_probes_ = 0;
  TimePoint closed_at_{};
  TimePoint epoch_{};  // the last reopening: what was accepted since then shows the window
  std::optional<std::chrono::milliseconds> retry_after_;
  std::optional<TimePoint> next_probe_;
  TimePoint held_until_{};
  std::chrono::steady_clock::duration held_{0};
  bool exhausted_ = false;
  std::uint64_t rejections_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace bbp::http
