// Timestamps and the injected clock. Rules never read the wall clock themselves.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace bbp::core {

using TimePoint = std::chrono::sys_time<std::chrono::microseconds>;

// Parses RFC 3339 / ISO 8601 date-times as Bitbucket writes them:
// "2023-04-28T21:27:23.979085+00:00", "2023-04-28T21:27:23Z", any fraction length, any offset.
// Returns nullopt for anything else (never throws).
std::optional<TimePoint> parse_timestamp(std::string_view text);

// "2026-11-28T01:31:27Z", with ".ffffff" when the time has a sub-second part.
std::string format_timestamp(TimePoint time);

// Whole days elapsed from `earlier` to `later` (floored; negative when `earlier` is later).
long long whole_days_between(TimePoint earlier, TimePoint later);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
};

class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint time) : time_(time) {}
  TimePoint now() const override { return time_; }

 private:
  TimePoint time_;
};

}  // namespace bbp::core
