#include "bbp/http/retrying_transport.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "bbp/http/redact.hpp"
#include "bbp/text/text.hpp"

namespace bbp::http {

namespace {

using std::chrono::milliseconds;

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](unsigned char c) { return std::isdigit(c) != 0; });
}

// Parses 1 to 9 digits; nullopt otherwise.
std::optional<long> parse_small_number(std::string_view text) {
  if (!all_digits(text) || text.size() > 9) {
    return std::nullopt;
  }
  long value = 0;
  for (const char c : text) {
    value = value * 10 + (c - '0');
  }
  return value;
}

std::optional<unsigned> parse_month(std::string_view token) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  if (token.size() != 3) {
    return std::nullopt;
  }
  const std::string lower = text::ascii_lower(token);
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == lower) {
      return static_cast<unsigned>(i + 1);
    }
  }
  return std::nullopt;
}

// IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" and
// asctime "Sun Nov  6 08:49:37 1994".
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  std::vector<std::string_view> tokens;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ' ' || text[i] == ',' || text[i] == '-') {
      if (i > start) {
        tokens.push_back(text.substr(start, i - start));
      }
      start = i + 1;
    }
  }

  std::optional<unsigned> month;
  std::vector<std::string_view> numbers;
  std::optional<std::chrono::seconds> time_of_day;
  for (const std::string_view token : tokens) {
    if (token.find(':') != std::string_view::npos) {
      if (token.size() != 8 || token[2] != ':' || token[5] != ':') {
        return std::nullopt;
      }
      const auto h = parse_small_number(token.substr(0, 2));
      const auto m = parse_small_number(token.substr(3, 2));
      const auto s = parse_small_number(token.substr(6, 2));
      if (!h || !m || !s || *h > 23 || *m > 59 || *s > 60) {
        return std::nullopt;
      }
      time_of_day = std::chrono::hours(*h) + std::chrono::minutes(*m) + std::chrono::seconds(*s);
    } else if (all_digits(token)) {
      numbers.push_back(token);
    } else if (const auto parsed = parse_month(token)) {
      month = parsed;
    }
    // Weekday names and "GMT" are ignored.
  }
  if (!month || !time_of_day || numbers.size() != 2) {
    return std::nullopt;
  }

  // The year is the 4-digit number; with two short numbers (RFC 850) the day comes first.
  std::string_view day_text = numbers[0];
  std::string_view year_text = numbers[1];
  if (numbers[0].size() == 4) {
    std::swap(day_text, year_text);
  }
  const auto day = parse_small_number(day_text);
  auto year = parse_small_number(year_text);
  if (!day || !year || day_text.size() > 2 || (year_text.size() != 2 && year_text.size() != 4)) {
    return std::nullopt;
  }
  if (year_text.size() == 2) {
    *year += *year >= 70 ? 1900 : 2000;
  }
  const std::chrono::year_month_day date{std::chrono::year(static_cast<int>(*year)),
                                         std::chrono::month(*month),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) {
    return std::nullopt;
  }
  return std::chrono::sys_days(date) + *time_of_day;
}

std::string describe_outcome(const Result& result) {
  if (result) {
    return "HTTP " + std::to_string(result->status);
  }
  return std::string(to_string(result.error().kind)) + " error (" + result.error().message + ")";
}

// What one attempt's result means for the retry loop.
struct Outcome {
  bool retryable = false;
  bool rate_limited = false;  // HTTP 429
  std::optional<milliseconds> retry_after;
};

// One finished attempt, as the give-up and retry log lines describe it.
struct Attempt {
  const Request& request;  // as first given, not as refreshed
  const Result& result;
  int number;
};

Outcome classify_response(const Response& response, const RetryOptions& options) {
  Outcome outcome;
  outcome.rate_limited = response.status == 429;
  outcome.retryable = is_retryable_status(response.status) &&
                      (!outcome.rate_limited || options.policy.retry_rate_limited);
  if (outcome.retryable) {
    if (const auto header = response.header("Retry-After")) {
      outcome.retry_after = parse_retry_after(*header, options.wall_clock());
    }
  }
  return outcome;
}

// Counts DNS failures in dns_failures, which lives across the attempts of one request.
bool is_retryable_error(TransportErrorKind kind, const RetryPolicy& policy, int& dns_failures) {
  switch (kind) {
    case TransportErrorKind::timeout:
    case TransportErrorKind::connect:
    case TransportErrorKind::other:
      return true;
    case TransportErrorKind::dns:
      return dns_failures++ < policy.max_dns_retries;
    case TransportErrorKind::tls:
    case TransportErrorKind::too_large:
    case TransportErrorKind::interrupted:
    case TransportErrorKind::local:
      return false;
  }
  return false;
}

Outcome classify_outcome(const Result& result, const RetryOptions& options, int& dns_failures) {
  if (result) {
    return classify_response(*result, options);
  }
  Outcome outcome;
  outcome.retryable = is_retryable_error(result.error().kind, options.policy, dns_failures);
  return outcome;
}

// Full jitter over the exponential cap; the cap saturates at max_delay. A Retry-After replaces
// it, and a 429 waits at least base_delay.
milliseconds compute_wait(const RetryPolicy& policy, int attempt, double jitter,
                          const Outcome& outcome) {
  milliseconds cap = policy.base_delay;
  for (int i = 1; i < attempt && cap < policy.max_delay; ++i) {
    cap *= 2;
  }
  cap = std::clamp(cap, milliseconds::zero(), std::max(policy.max_delay, milliseconds::zero()));
  auto wait = milliseconds(
      static_cast<milliseconds::rep>(std::floor(jitter * static_cast<double>(cap.count()))));
  if (outcome.retry_after) {
    wait = std::min(*outcome.retry_after, policy.max_delay);
  }
  if (outcome.rate_limited) {
    // Bitbucket's rate limit is a rolling window: retrying at once is pointless.
    wait =
        std::min(std::max(wait, policy.base_delay), std::max(policy.max_delay, policy.base_delay));
  }
  return std::max(wait, milliseconds::zero());
}

bool out_of_attempts(const Attempt& attempt, const RetryPolicy& policy) {
  if (attempt.number < policy.max_attempts) {
    return false;
  }
  spdlog::debug("giving up on {} after {} attempts: {}", describe(attempt.request), attempt.number,
                describe_outcome(attempt.result));
  return true;
}

bool exceeds_budget(const Attempt& attempt, const RetryPolicy& policy, milliseconds waited,
                    milliseconds wait) {
  if (waited + wait <= policy.max_total_wait) {
    return false;
  }
  spdlog::debug(
      "giving up on {} after {} attempts: {}; waiting {} ms more would exceed "
      "the {} ms retry budget",
      describe(attempt.request), attempt.number, describe_outcome(attempt.result), wait.count(),
      policy.max_total_wait.count());
  return true;
}

// "api.bitbucket.org" (with a port when the URL has one): the host a connection error is about.
// From the redacted URL: a user:password@ part never reaches the log.
std::string host_of(const std::string& url) {
  const std::string redacted = redact_url(url);
  std::string_view rest = redacted;
  const auto start = rest.find("://");
  rest.remove_prefix(start == std::string_view::npos ? 0 : start + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  return std::string(
      rest.substr(rest.find('@') == std::string_view::npos ? 0 : rest.find('@') + 1));
}

bool is_connection_error(TransportErrorKind kind) {
  return kind == TransportErrorKind::connect || kind == TransportErrorKind::dns ||
         kind == TransportErrorKind::tls || kind == TransportErrorKind::timeout;
}

// A host that cannot be reached is said at the default level, each time: a scan that waits on
// the network says so instead of sitting silent. Other retries are logged at debug level.
void log_retry(const Attempt& attempt, const RetryPolicy& policy, milliseconds wait,
               const Outcome& outcome) {
  if (!attempt.result && is_connection_error(attempt.result.error().kind)) {
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(wait).count();
    spdlog::warn("cannot reach {} ({} error: {}); retrying in {} s, attempt {} of {}",
                 host_of(attempt.request.url), to_string(attempt.result.error().kind),
                 without_request(attempt.result.error().message), seconds, attempt.number + 1,
                 policy.max_attempts);
    return;
  }
  spdlog::debug("retrying {} after {}: attempt {}/{} in {} ms{}", describe(attempt.request),
                describe_outcome(attempt.result), attempt.number + 1, policy.max_attempts,
                wait.count(), outcome.retry_after ? " (Retry-After)" : "");
}

}  // namespace

bool is_retryable_status(int status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              std::chrono::system_clock::time_point now) {
  value = text::trim(value);
  if (all_digits(value)) {
    // Anything beyond ~31 years is as good as "forever"; callers cap it anyway.
    if (value.size() > 9) {
      return milliseconds(std::chrono::seconds(999'999'999));
    }
    return milliseconds(std::chrono::seconds(*parse_small_number(value)));
  }
  const auto date = parse_http_date(value);
  if (!date) {
    return std::nullopt;
  }
  if (*date <= now) {
    return milliseconds::zero();
  }
  return std::chrono::ceil<milliseconds>(*date - now);
}

RetryingTransport::RetryingTransport(Transport& inner, Sleeper& sleeper, RetryOptions options)
    : inner_(inner), sleeper_(sleeper), options_(std::move(options)) {
  if (!options_.jitter) {
    rng_.seed(std::random_device{}());
  }
  if (!options_.wall_clock) {
    options_.wall_clock = [] { return std::chrono::system_clock::now(); };
  }
}

double RetryingTransport::next_jitter() {
  const std::lock_guard lock(jitter_mutex_);
  double value = 0.0;
  if (options_.jitter) {
    value = options_.jitter();
  } else {
    value = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  }
  if (!(value >= 0.0)) {  // also catches NaN
    return 0.0;
  }
  return std::min(value, 1.0);
}

bool RetryingTransport::cancelled() const {
  return options_.cancel != nullptr && options_.cancel->load();
}

bool RetryingTransport::back_off(milliseconds wait) {
  total_waited_ms_.fetch_add(wait.count(), std::memory_order_relaxed);
  sleeper_.sleep_for(wait);
  if (cancelled()) {
    return false;
  }
  retries_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

Result RetryingTransport::send(const Request& request) {
  const RetryPolicy& policy = options_.policy;
  int dns_failures = 0;
  milliseconds waited{0};
  Request current = request;
  for (int attempt = 1;; ++attempt) {
    if (attempt > 1 && current.refresh) {
      current.refresh(current);  // e.g. the token renewed while this request waited
    }
    Result result = inner_.send(current);
    const Outcome outcome = classify_outcome(result, options_, dns_failures);
    const Attempt finished{request, result, attempt};
    if (!outcome.retryable || out_of_attempts(finished, policy) || cancelled()) {
      return result;
    }
    const milliseconds wait = compute_wait(policy, attempt, next_jitter(), outcome);
    if (exceeds_budget(finished, policy, waited, wait)) {
      return result;
    }
    log_retry(finished, policy, wait, outcome);
    waited += wait;
    if (!back_off(wait)) {
      return result;
    }
  }
}

}  // namespace bbp::http
