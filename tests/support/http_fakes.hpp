// Test doubles for the HTTP seam (bbp::http::Transport, Sleeper, MonotonicClock).
//
// Header-only and gtest-free so that any test can use them:
//
//   bbp::fakes::FakeMonotonicClock clock;
//   bbp::fakes::RecordingSleeper sleeper(&clock);  // sleeping advances the clock, instantly
//   bbp::fakes::FakeTransport transport;
//   transport.push_response(503);
//   transport.push_response(200, R"({"values": []})", {{"Content-Type", "application/json"}});
//   ... code under test calls transport.send(...) ...
//   EXPECT_EQ(transport.request_count(), 2u);
//   EXPECT_EQ(transport.requests()[0].url, "https://api.bitbucket.org/2.0/...");
//   EXPECT_EQ(sleeper.waits(), (std::vector<std::chrono::milliseconds>{...}));
//
// All classes are thread-safe, except ScopedLogCapture which replaces the process-wide default
// logger and so must be created and destroyed on the test's main thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "bbp/http/sleeper.hpp"
#include "bbp/http/transport.hpp"

namespace bbp::fakes {

// Builds a Response.
inline http::Response make_response(int status, std::string body = {}, http::Headers headers = {}) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return response;
}

// Builds a failed Result.
inline http::Result make_error(http::TransportErrorKind kind, std::string message = "scripted") {
  return tl::unexpected(http::TransportError{kind, std::move(message)});
}

// A Transport answering from a script and recording every Request it receives.
//
// Answers come first from the queue (push/push_response/push_error, FIFO); when the queue is
// empty, from the handler if one is set; otherwise send() returns a TransportError of kind
// `other` whose message starts with "FakeTransport: nothing scripted", which makes an
// unexpected extra request visible in test failures.
class FakeTransport final : public http::Transport {
 public:
  using Handler = std::function<http::Result(const http::Request&)>;

  FakeTransport() = default;
  explicit FakeTransport(Handler handler) : handler_(std::move(handler)) {}

  // Scripting.
  void push(http::Result result) {
    const std::lock_guard lock(mutex_);
    queue_.push_back(std::move(result));
  }
  void push_response(int status, std::string body = {}, http::Headers headers = {}) {
    push(make_response(status, std::move(body), std::move(headers)));
  }
  void push_error(http::TransportErrorKind kind, std::string message = "scripted") {
    push(make_error(kind, std::move(message)));
  }
  // The handler is called (without the internal lock held) once the queue is exhausted.
  void set_handler(Handler handler) {
    const std::lock_guard lock(mutex_);
    handler_ = std::move(handler);
  }

  http::Result send(const http::Request& request) override {
    Handler handler;
    {
      const std::lock_guard lock(mutex_);
      requests_.push_back(request);
      if (!queue_.empty()) {
        http::Result result = std::move(queue_.front());
        queue_.pop_front();
        return result;
      }
      handler = handler_;
    }
    if (handler) {
      return handler(request);
    }
    return make_error(http::TransportErrorKind::other,
                      "FakeTransport: nothing scripted for " +
                          std::string(http::to_string(request.method)) + " " + request.url);
  }

  // Inspection.
  std::vector<http::Request> requests() const {
    const std::lock_guard lock(mutex_);
    return requests_;
  }
  std::size_t request_count() const {
    const std::lock_guard lock(mutex_);
    return requests_.size();
  }
  // Precondition: at least one request was received.
  http::Request last_request() const {
    const std::lock_guard lock(mutex_);
    return requests_.back();
  }
  // Scripted results not consumed yet.
  std::size_t pending() const {
    const std::lock_guard lock(mutex_);
    return queue_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::deque<http::Result> queue_;
  Handler handler_;
  std::vector<http::Request> requests_;
};

// A MonotonicClock that only moves when told to. Starts at an arbitrary non-zero time point.
class FakeMonotonicClock final : public http::MonotonicClock {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  FakeMonotonicClock() = default;
  explicit FakeMonotonicClock(time_point start) : now_(start) {}

  time_point now() const override {
    const std::lock_guard lock(mutex_);
    return now_;
  }
  void advance(std::chrono::steady_clock::duration by) {
    const std::lock_guard lock(mutex_);
    now_ += by;
  }
  void set(time_point to) {
    const std::lock_guard lock(mutex_);
    now_ = to;
  }
  // Time elapsed since `since` (handy: auto t0 = clock.now(); ...; clock.elapsed(t0)).
  std::chrono::steady_clock::duration elapsed(time_point since) const { return now() - since; }

 private:
  mutable std::mutex mutex_;
  time_point now_ = time_point{} + std::chrono::hours(1000);
};

// A Sleeper that never sleeps: it records each requested wait and, when linked to a
// FakeMonotonicClock, advances that clock by the requested duration.
class RecordingSleeper final : public http::Sleeper {
 public:
  explicit RecordingSleeper(FakeMonotonicClock* clock = nullptr) : clock_(clock) {}

  void sleep_for(std::chrono::milliseconds duration) override {
    {
      const std::lock_guard lock(mutex_);
      waits_.push_back(duration);
    }
    if (clock_ != nullptr && duration > std::chrono::milliseconds::zero()) {
      clock_->advance(duration);
    }
    if (on_sleep_) {
      on_sleep_(duration);
    }
  }

  // Optional hook run after each recorded wait (e.g. to raise a cancellation flag). Set it
  // before the code under test runs.
  void set_on_sleep(std::function<void(std::chrono::milliseconds)> hook) {
    on_sleep_ = std::move(hook);
  }

  std::vector<std::chrono::milliseconds> waits() const {
    const std::lock_guard lock(mutex_);
    return waits_;
  }
  std::size_t count() const {
    const std::lock_guard lock(mutex_);
    return waits_.size();
  }
  std::chrono::milliseconds total() const {
    const std::lock_guard lock(mutex_);
    std::chrono::milliseconds sum{0};
    for (const auto wait : waits_) {
      sum += wait;
    }
    return sum;
  }

 private:
  FakeMonotonicClock* clock_;
  std::function<void(std::chrono::milliseconds)> on_sleep_;
  mutable std::mutex mutex_;
  std::vector<std::chrono::milliseconds> waits_;
};

// Captures everything logged through spdlog's default logger (at `level` and above) for the
// lifetime of the object, then restores the previous default logger and level:
//
//   bbp::fakes::ScopedLogCapture log;  // trace level
//   ... code under test ...
//   EXPECT_EQ(log.text().find("s3cr3t"), std::string::npos);
class ScopedLogCapture {
 public:
  explicit ScopedLogCapture(spdlog::level::level_enum level = spdlog::level::trace)
      : previous_(spdlog::default_logger()),
        previous_level_(spdlog::get_level()),
        sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_)) {
    auto logger = std::make_shared<spdlog::logger>("capture", sink_);
    logger->set_level(level);
    spdlog::set_default_logger(std::move(logger));
    spdlog::set_level(level);
  }
  ~ScopedLogCapture() {
    spdlog::set_default_logger(previous_);
    spdlog::set_level(previous_level_);
  }
  ScopedLogCapture(const ScopedLogCapture&) = delete;
  ScopedLogCapture& operator=(const ScopedLogCapture&) = delete;
  ScopedLogCapture(ScopedLogCapture&&) = delete;
  ScopedLogCapture& operator=(ScopedLogCapture&&) = delete;

  // Everything logged so far. Call it once the threads that log have finished.
  std::string text() const {
    sink_->flush();
    return stream_.str();
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  spdlog::level::level_enum previous_level_;
  std::ostringstream stream_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

}  // namespace bbp::fakes
