// Timestamps. Rules never read the wall clock: the time of a run is passed in (see
// app::run_clock_now, which BBP_NOW can freeze).
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

}  // namespace bbp::core
