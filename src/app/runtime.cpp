#include "runtime.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <streambuf>
#include <vector>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "bbp/text/text.hpp"

namespace bbp::app {
namespace {

// True while a ProgressLine is drawing on stderr: log lines then clear it first, and the
// progress line is redrawn on its next tick.
std::atomic<bool> g_progress_visible{false};

// stderr sink that does not print over the progress line.
class StderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    if (g_progress_visible.load()) {
      std::fputs("\r\033[K", stderr);
    }
    std::fwrite(formatted.data(), 1, formatted.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

TransportStack::TransportStack(const ConnectionConfig& config, const std::atomic<bool>& cancel)
    : sleeper_(cancel),
      curl_(http::CurlTransportOptions{
          std::string("bbposture/") + BBP_VERSION,
          std::chrono::duration_cast<std::chrono::milliseconds>(config.timeout),
          std::chrono::milliseconds{10'000}, config.ca_bundle, std::size_t{64} * 1024 * 1024,
          &cancel}),
      counting_(curl_),
      pacing_(counting_, config.max_requests_per_hour, sleeper_, clock_, &cancel),
      retrying_(pacing_, sleeper_,
                [&] {
                  http::RetryOptions options;
                  options.policy.max_attempts = config.max_attempts;
                  options.policy.retry_rate_limited = false;
                  options.cancel = &cancel;
                  return options;
                }()),
      token_retrying_(pacing_, sleeper_,
                      [&] {
                        http::RetryOptions options;
                        options.policy.max_attempts = config.max_attempts;
                        options.cancel = &cancel;
                        return options;
                      }()),
      limiter_(sleeper_, clock_, rate_limit_settings(config), &cancel) {}

http::RateLimitSettings rate_limit_settings(const ConnectionConfig& config) {
  http::RateLimitSettings settings;
  settings.max_wait = config.max_wait;
  const char* probe = std::getenv("BBP_RATE_PROBE_MS");  // NOLINT(concurrency-mt-unsafe)
  if (probe != nullptr && *probe != '\0') {
    char* end = nullptr;
    const long base = std::strtol(probe, &end, 10);
    if (base > 0) {
      settings.probe_base = std::chrono::milliseconds(base);
      settings.probe_cap = settings.probe_base * 64;
    }
    if (end != nullptr && *end == ',') {
      const long cap = std::strtol(end + 1, nullptr, 10);
      if (cap > 0) {
        settings.probe_cap = std::chrono::milliseconds(cap);
      }
    }
  }
  return settings;
}

void setup_logging(const LogOptions& options) {
  auto logger = std::make_shared<spdlog::logger>("bbposture", std::make_shared<StderrSink>());
  spdlog::level::level_enum level = spdlog::level::warn;
  if (options.quiet) {
    level = spdlog::level::err;
  } else if (options.verbose == 1) {
    level = spdlog::level::info;
  } else if (options.verbose >= 2) {
    level = spdlog::level::debug;
  }
  if (!options.log_level.empty()) {
    level = spdlog::level::from_str(options.log_level);
  }
  // Every line starts with "bbposture:", like the tool's own error lines; with -v and more the
  // time follows, for lines read later from a cron log.
  logger->set_pattern(level <= spdlog::level::info ? "bbposture: %Y-%m-%dT%H:%M:%S.%e %^%l%$: %v"
                                                   : "bbposture: %^%l%$: %v");
  logger->set_level(level);
  spdlog::set_default_logger(logger);
}

tl::expected<core::TimePoint, std::string> run_clock_now() {
  const char* fixed = std::getenv("BBP_NOW");  // NOLINT(concurrency-mt-unsafe)
  if (fixed == nullptr || *fixed == '\0') {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
  const auto parsed = core::parse_timestamp(fixed);
  if (!parsed) {
    return tl::unexpected(std::string("BBP_NOW is not an RFC 3339 timestamp: ") + fixed);
  }
  return *parsed;
}

int say_auth_failure(const bitbucket::AuthFailure& failure,
                     const bitbucket::Credentials& credentials) {
  if (failure.unreachable) {
    std::cerr << "bbposture: " << failure.message
              << "\nbbposture: nothing was read; this is not a verdict on the credential: check "
                 "the network, --token-url and --ca-bundle, and run again\n";
    return kExitIncomplete;
  }
  std::cerr << "bbposture: authentication failed: " << failure.message << '\n'
            << "bbposture: the credential came from " << text::join(credentials.variables, " and ");
  if (!credentials.outranked.empty()) {
    std::cerr << " (it is used first; also set, and not used: "
              << text::join(credentials.outranked, ", ") << ")";
  }
  std::cerr << '\n';
  return kExitAuth;
}

int terminal_columns(int fd) {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
    return size.ws_col;
  }
  return 80;
}

bool stderr_is_tty() {
  return ::isatty(STDERR_FILENO) == 1;
}
bool stdout_is_tty() {
  return ::isatty(STDOUT_FILENO) == 1;
}

std::string progress_text_line(std::chrono::seconds elapsed, const std::string& text,
                               std::size_t columns) {
  const auto s = elapsed.count();
  std::string line("[");
  line.append(std::to_string(s / 60)).append("m").append(s % 60 < 10 ? "0" : "");
  line.append(std::to_string(s % 60)).append("s] ").append(text);
  if (columns > 1 && line.size() >= columns) {
    line.resize(columns - 1);  // the progress text is ASCII: no character is cut in two
  }
  return line;
}

ProgressLine::ProgressLine(bool enabled, Render render) {
  if (!enabled) {
    return;
  }
  g_progress_visible = true;
  thread_ = std::jthread([this, render = std::move(render)] {
    std::size_t last = 0;
    const auto started = std::chrono::steady_clock::now();
    while (!done_.load()) {
      std::string text =
          progress_text_line(std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::steady_clock::now() - started),
                             render(), static_cast<std::size_t>(terminal_columns(STDERR_FILENO)));
      const std::size_t len = text.size();
      if (len < last) {
        text += std::string(last - len, ' ');
      }
      std::fprintf(stderr, "\r%s", text.c_str());
      std::fflush(stderr);
      last = len;
      for (int i = 0; i < 5 && !done_.load(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds{50});
      }
    }
    std::fprintf(stderr, "\r%s\r", std::string(last, ' ').c_str());
    std::fflush(stderr);
  });
}

ProgressLine::~ProgressLine() {
  done_ = true;
}

}  // namespace bbp::app
