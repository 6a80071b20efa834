// What every networked command needs: the transport stack, logging, output, progress.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include <tl/expected.hpp>

#include "bbp/bitbucket/credentials.hpp"
#include "bbp/bitbucket/token_source.hpp"
#include "bbp/core/time.hpp"
#include "bbp/http/cancellable_sleeper.hpp"
#include "bbp/http/counting_transport.hpp"
#include "bbp/http/curl_transport.hpp"
#include "bbp/http/pacing_transport.hpp"
#include "bbp/http/rate_limiter.hpp"
#include "bbp/http/retrying_transport.hpp"
#include "options.hpp"

namespace bbp::app {

// Documented exit codes; precedence when several apply: 4, 2, 3, 1, 0.
enum ExitCode : int {
  kExitClean = 0,
  kExitFindings = 1,
  kExitUsage = 2,
  kExitIncomplete = 3,
  kExitAuth = 4,
};

// curl → count → pace → retry. Every attempt, retries included, is counted and paced. API
// requests retry 5xx and network errors here and leave 429s to the scan-wide rate limiter (the
// ApiClient asks it for every request); token requests retry 429s here as well.
class TransportStack {
 public:
  TransportStack(const ConnectionConfig& config, const std::atomic<bool>& cancel);

  http::Transport& transport() { return retrying_; }
  http::Transport& token_transport() { return token_retrying_; }
  http::RateLimiter& limiter() { return limiter_; }
  const http::RateLimiter& limiter() const { return limiter_; }
  std::uint64_t requests() const { return counting_.count(); }
  std::uint64_t retries() const { return retrying_.retries() + token_retrying_.retries(); }
  std::chrono::milliseconds waited() const {
    return retrying_.total_waited() + token_retrying_.total_waited() + pacing_.total_waited() +
           limiter_.status().held;
  }
  const http::MonotonicClock& clock() const { return clock_; }

 private:
  http::RealMonotonicClock clock_;
  http::CancellableSleeper sleeper_;
  http::CurlTransport curl_;
  http::CountingTransport counting_;
  http::PacingTransport pacing_;
  http::RetryingTransport retrying_;
  http::RetryingTransport token_retrying_;
  http::RateLimiter limiter_;
};

// The rate limiter's settings for this run: --max-wait, and for tests and the benchmark the
// probe timing from BBP_RATE_PROBE_MS ("BASE" or "BASE,CAP" in milliseconds).
http::RateLimitSettings rate_limit_settings(const ConnectionConfig& config);

// Logs go to stderr only. Level: --log-level, else -q (error), -v (info), -vv (debug), or warn.
void setup_logging(const LogOptions& options);

// The time the run uses for age rules and report timestamps: the wall clock, or BBP_NOW
// (RFC 3339) when set, so golden files and tests are reproducible.
tl::expected<core::TimePoint, std::string> run_clock_now();

// Says why a command could not go on and returns its exit code: Bitbucket could not be reached
// (3, like any scan that read nothing), or the credential was rejected (4), naming the variables
// it came from and those it outranked.
int say_auth_failure(const bitbucket::AuthFailure& failure,
                     const bitbucket::Credentials& credentials);

// "[12m05s] scanning: …": the elapsed time, then `text`, cut to fit `columns` so that the line
// never wraps (one column is left for the cursor).
std::string progress_text_line(std::chrono::seconds elapsed, const std::string& text,
                               std::size_t columns);

// A one-line progress display on stderr, refreshed a few times a second, only on a TTY.
class ProgressLine {
 public:
  using Render = std::function<std::string()>;
  ProgressLine(bool enabled, Render render);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  ProgressLine(ProgressLine&&) = delete;
  ProgressLine& operator=(ProgressLine&&) = delete;

 private:
  std::atomic<bool> done_{false};
  std::jthread thread_;
};

bool stderr_is_tty();
// The width of the terminal on `fd`, or 80 when it is not a terminal or does not say.
int terminal_columns(int fd);
bool stdout_is_tty();

}  // namespace bbp::app
