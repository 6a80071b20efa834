#include "bbp/http/pacing_transport.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "bbp/http/redact.hpp"

namespace bbp::http {

PacingTransport::PacingTransport(Transport& inner, std::uint32_t max_requests_per_hour,
                                 Sleeper& sleeper, const MonotonicClock& clock,
                                 const std::atomic<bool>* cancel)
    : inner_(inner), sleeper_(sleeper), clock_(clock), cancel_(cancel) {
  if (max_requests_per_hour > 0) {
    interval_ = std::chrono::nanoseconds(std::chrono::hours(1)) / max_requests_per_hour;
  }
}

Result PacingTransport::send(const Request& request) {
  if (interval_ == std::chrono::nanoseconds::zero()) {
    return inner_.send(request);
  }

  std::chrono::steady_clock::time_point now;
  std::chrono::steady_clock::time_point slot;
  {
    const std::lock_guard lock(mutex_);
    now = clock_.now();
    slot = last_slot_ ? std::max(now, *last_slot_ + interval_) : now;
    last_slot_ = slot;
  }

  if (slot > now) {
    // Round up so that the achieved rate never exceeds the limit.
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(slot - now);
    total_waited_ms_.fetch_add(wait.count(), std::memory_order_relaxed);
    spdlog::trace("pacing: waiting {} ms before {}", wait.count(), describe(request));
    sleeper_.sleep_for(wait);
  }

  if (cancel_ != nullptr && cancel_->load()) {
    return tl::unexpected(TransportError{TransportErrorKind::interrupted,
                                         "cancelled before sending " + describe(request)});
  }
  return inner_.send(request);
}

}  // namespace bbp::http
