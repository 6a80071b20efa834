#include "bbp/http/rate_limiter.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <iterator>
#include <string>

#include <spdlog/spdlog.h>

#include "bbp/http/retrying_transport.hpp"
#include "bbp/text/text.hpp"

namespace bbp::http {
namespace {

using std::chrono::milliseconds;

std::optional<std::uint64_t> positive_number(const std::optional<std::string>& text) {
  if (!text || text->empty() || text->size() > 12) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (const char c : *text) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
      return std::nullopt;
    }
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value > 0 ? std::optional(value) : std::nullopt;
}

bool is_true(const std::optional<std::string>& value) {
  return value && text::iequals(text::trim(*value), "true");
}

milliseconds to_ms(std::chrono::steady_clock::duration d) {
  return std::chrono::ceil<milliseconds>(d);
}

// "14:05:09": the local time `from_now` from now, for log lines.
std::string wall_time_in(std::chrono::steady_clock::duration from_now) {
  const auto at = std::chrono::system_clock::to_time_t(
      std::chrono::system_clock::now() +
      std::chrono::duration_cast<std::chrono::system_clock::duration>(from_now));
  std::tm local{};
  localtime_r(&at, &local);
  char text[16];
  std::strftime(text, sizeof text, "%H:%M:%S", &local);
  return text;
}

}  // namespace

RateLimiter::RateLimiter(Sleeper& sleeper, const MonotonicClock& clock, RateLimitSettings settings,
                         const std::atomic<bool>* cancel)
    : sleeper_(sleeper), clock_(clock), settings_(std::move(settings)), cancel_(cancel) {
  if (!settings_.jitter) {
    rng_.seed(std::random_device{}());
  }
  settings_.probe_base = std::max(settings_.probe_base, milliseconds(1));
  settings_.probe_cap = std::max(settings_.probe_cap, settings_.probe_base);
}

tl::expected<RateLimiter::Ticket, RateLimitRefusal> RateLimiter::acquire() {
  for (;;) {
    std::unique_lock lock(mutex_);
    const auto now = clock_.now();
    const Plan plan = plan_locked(now);
    switch (plan.step) {
      case Step::refuse_budget:
        return tl::unexpected(RateLimitRefusal::budget_exhausted);
      case Step::refuse_cancel:
        return tl::unexpected(RateLimitRefusal::interrupted);
      case Step::wait_for_probe:
        // Not a timer: the probe's answer (or its abandonment) wakes everybody.
        probe_settled_.wait(lock, [this] { return !closed_ || !probe_out_; });
        continue;
      case Step::go:
        break;
    }
    lock.unlock();
    if (plan.ticket.slot > now) {
      sleeper_.sleep_for(to_ms(plan.ticket.slot - now));
    }
    if (cancelled()) {
      const std::lock_guard relock(mutex_);
      forget_locked(plan.ticket.slot);
      if (plan.ticket.probe) {
        probe_out_ = false;
        probe_settled_.notify_all();
      }
      return tl::unexpected(RateLimitRefusal::interrupted);
    }
    return plan.ticket;
  }
}

// What a request asking now may do: go (at a slot, perhaps later), wait for the probe, or be
// refused. A slot handed out is counted at once, so that the next caller plans around it.
RateLimiter::Plan RateLimiter::plan_locked(TimePoint now) {
  if (cancelled()) {
    return {Step::refuse_cancel, {}};
  }
  prune_locked(now);
  if (closed_ && probe_out_) {
    return {Step::wait_for_probe, {}};
  }
  if (closed_) {
    const TimePoint at = probe_time_locked(now);
    if (!hold_locked(now, at)) {
      return {Step::refuse_budget, {}};
    }
    probe_out_ = true;
    next_probe_ = at;
    counted_.insert(at);
    spdlog::info("rate limit: next try at {} (in {} s)", wall_time_in(at - now),
                 to_ms(at - now).count() / 1000);
    return {Step::go, {at, true}};
  }
  const TimePoint slot = std::max(now, window_slot_locked(now).value_or(now));
  if (!hold_locked(now, slot)) {
    return {Step::refuse_budget, {}};
  }
  counted_.insert(slot);
  return {Step::go, {slot, false}};
}

// The earliest time at which one more request fits the learned window: the N-th most recent
// slot plus W. Slots are handed out in non-decreasing order, so this never undercuts one.
std::optional<RateLimiter::TimePoint> RateLimiter::window_slot_locked(TimePoint now) const {
  if (!limit_ || !window_ || counted_.size() < *limit_) {
    return std::nullopt;
  }
  const auto nth = std::prev(counted_.end(), static_cast<std::ptrdiff_t>(*limit_));
  return std::max(now, *nth + *window_);
}

RateLimiter::TimePoint RateLimiter::probe_time_locked(TimePoint now) {
  milliseconds cap = settings_.probe_base;
  for (int i = 0; i < failed_probes_ && cap < settings_.probe_cap; ++i) {
    cap *= 2;
  }
  cap = std::min(cap, settings_.probe_cap);
  const double factor = 0.5 + 0.5 * jitter_locked();
  TimePoint at =
      now + milliseconds(static_cast<milliseconds::rep>(factor * static_cast<double>(cap.count())));
  if (retry_after_) {
    at = std::max(at, now + *retry_after_);
    retry_after_.reset();
  }
  if (failed_probes_ == 0) {
    // The learned window says when the oldest request it holds expires: probe then.
    at = std::max(at, window_slot_locked(now).value_or(at));
  }
  return at;
}

// Records that requests are held back from now until `until`; false (and exhausted from then
// on) when that would take the union of all such waits beyond max_wait.
bool RateLimiter::hold_locked(TimePoint now, TimePoint until) {
  if (until <= now) {
    return true;
  }
  if (exhausted_) {
    return false;
  }
  const TimePoint from = std::max(now, held_until_);
  if (until > from) {
    if (held_ + (until - from) > settings_.max_wait) {
      exhausted_ = true;
      spdlog::warn(
          "rate limit: waiting longer would exceed --max-wait ({} s); what is not read "
          "yet is reported as unknown",
          settings_.max_wait.count() / 1000);
      return false;
    }
    held_ += until - from;
    held_until_ = until;
  }
  return true;
}

void RateLimiter::settle(const Ticket& ticket, const Response& response) {
  const std::lock_guard lock(mutex_);
  const auto now = clock_.now();
  learn_from_headers_locked(response, now);
  if (response.status == 429) {
    forget_locked(ticket.slot);  // a refused request does not count against the window
    ++rejections_;
    if (const auto header = response.header("Retry-After")) {
      retry_after_ = parse_retry_after(*header, std::chrono::system_clock::now());
    }
    if (ticket.probe) {
      ++failed_probes_;
      probe_out_ = false;
      next_probe_.reset();
      probe_settled_.notify_all();
    } else if (!closed_) {
      close_locked(now, response);
    }
    return;
  }
  if (ticket.probe) {
    if (!limit_ || !window_) {
      learn_window_locked(ticket.slot);
    }
    epoch_ = ticket.slot;
    spdlog::info("rate limit: the window has opened again; resuming");
    closed_ = false;
    probe_out_ = false;
    failed_probes_ = 0;
    next_probe_.reset();
    probe_settled_.notify_all();
  }
}

// The window the server has shown: what it accepted before the wall, and how long it took the
// oldest of those to expire. A handful of requests says nothing (the window may have been
// spent by another client before the scan began): then the scan goes on probing at each wall.
void RateLimiter::learn_window_locked(TimePoint reopened) {
  constexpr std::uint64_t kEnoughToLearn = 10;
  const auto first = counted_.lower_bound(epoch_);
  const auto accepted =
      static_cast<std::uint64_t>(std::distance(first, counted_.upper_bound(closed_at_)));
  if (accepted < kEnoughToLearn) {
    return;
  }
  limit_ = accepted;
  window_ = std::max<std::chrono::steady_clock::duration>(reopened - *first, milliseconds(1));
  spdlog::info("rate limit: the window allows about {} requests per {} s", *limit_,
               to_ms(*window_).count() / 1000);
}

void RateLimiter::abandon(const Ticket& ticket) {
  const std::lock_guard lock(mutex_);
  if (ticket.probe) {
    probe_out_ = false;
    next_probe_.reset();
    probe_settled_.notify_all();
  }
}

void RateLimiter::close_locked(TimePoint now, const Response& response) {
  closed_ = true;
  closed_at_ = now;
  failed_probes_ = 0;
  // A learned window is kept: a wall it did not foresee (another client spending the same
  // budget, a server that counts differently) costs this pause and its probes, no more.
  // The first wall of a scan is worth a line at the default level (a scan that needs several
  // hours should say why it is slow); the later ones are expected.
  spdlog::log(rejections_ == 1 ? spdlog::level::warn : spdlog::level::info,
              "rate limit reached (HTTP 429{}): every request waits until a probe gets through; "
              "the scan goes on by itself (at most --max-wait)",
              response.header("Retry-After") ? ", Retry-After" : "");
}

void RateLimiter::learn_from_headers_locked(const Response& response, TimePoint now) {
  if (const auto limit = positive_number(response.header("X-RateLimit-Limit"))) {
    if (!limit_from_header_ || limit_ != limit) {
      limit_ = limit;
      window_ = settings_.header_window;
      limit_from_header_ = true;
      spdlog::info("rate limit: the server allows {} requests per {} s", *limit,
                   settings_.header_window.count() / 1000);
    }
    return;
  }
  if (is_true(response.header("X-RateLimit-NearLimit")) && limit_ && window_) {
    limit_ = std::max<std::uint64_t>(1, std::min(*limit_, in_window_locked(now)));
  }
}

void RateLimiter::forget_locked(TimePoint slot) {
  if (const auto it = counted_.find(slot); it != counted_.end()) {
    counted_.erase(it);
  }
}

// Slots that left the learned window no longer constrain anything.
void RateLimiter::prune_locked(TimePoint now) {
  if (!window_ || closed_) {
    return;
  }
  counted_.erase(counted_.begin(), counted_.upper_bound(now - *window_));
}

std::uint64_t RateLimiter::in_window_locked(TimePoint now) const {
  if (!window_) {
    return counted_.size();
  }
  const auto from = counted_.upper_bound(now - *window_);
  const auto to = counted_.upper_bound(now);
  return static_cast<std::uint64_t>(std::distance(from, to));
}

double RateLimiter::jitter_locked() {
  double value = settings_.jitter ? settings_.jitter()
                                  : std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  if (!(value >= 0.0)) {
    return 0.0;
  }
  return std::min(value, 1.0);
}

RateLimitStatus RateLimiter::status() const {
  const std::lock_guard lock(mutex_);
  RateLimitStatus s;
  s.closed = closed_;
  s.next_probe = next_probe_;
  s.window_requests = limit_;
  if (window_) {
    s.window = to_ms(*window_);
  }
  s.rejections = rejections_;
  s.held = to_ms(held_);
  s.exhausted = exhausted_;
  return s;
}

}  // namespace bbp::http
