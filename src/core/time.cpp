#include "bbp/core/time.hpp"

#include <charconv>
#include <cstdio>

namespace bbp::core {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// Reads exactly `width` decimal digits at `pos`.
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) {
    return std::nullopt;
  }
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
  }
  return value;
}

bool expect(std::string_view text, std::size_t pos, char wanted) {
  return pos < text.size() && text[pos] == wanted;
}

}  // namespace

std::optional<TimePoint> parse_timestamp(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS
  const auto year = digits(text, 0, 4);
  const auto month = digits(text, 5, 2);
  const auto day = digits(text, 8, 2);
  const auto hour = digits(text, 11, 2);
  const auto minute = digits(text, 14, 2);
  const auto second = digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || !expect(text, 4, '-') ||
      !expect(text, 7, '-') || !(expect(text, 10, 'T') || expect(text, 10, 't')) ||
      !expect(text, 13, ':') || !expect(text, 16, ':')) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year{*year},
                                         std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  long long micros = 0;
  if (expect(text, pos, '.')) {
    ++pos;
    const std::size_t start = pos;
    long long scale = 100000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      micros += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) {
      return std::nullopt;
    }
  }
  minutes offset{0};
  if (expect(text, pos, 'Z') || expect(text, pos, 'z')) {
    ++pos;
  } else if (expect(text, pos, '+') || expect(text, pos, '-')) {
    const bool negative = text[pos] == '-';
    const auto off_h = digits(text, pos + 1, 2);
    const auto off_m = digits(text, pos + 4, 2);
    if (!off_h || !off_m || !expect(text, pos + 3, ':') || *off_h > 23 || *off_m > 59) {
      return std::nullopt;
    }
    offset = hours{*off_h} + minutes{*off_m};
    if (negative) {
      offset = -offset;
    }
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) {
    return std::nullopt;
  }
  const auto local = std::chrono::sys_days{date} + hours{*hour} + minutes{*minute} +
                     seconds{*second} + microseconds{micros};
  const TimePoint time{local - offset};
  // An offset can move a time just outside years 0000-9999, which format_timestamp cannot
  // write back (a saved snapshot would then not load): refuse those.
  static const TimePoint first{std::chrono::sys_days{std::chrono::year{0} / 1 / 1}};
  static const TimePoint end{std::chrono::sys_days{std::chrono::year{10000} / 1 / 1}};
  if (time < first || time >= end) {
    return std::nullopt;
  }
  return time;
}

std::string format_timestamp(TimePoint time) {
  const auto day_point = std::chrono::floor<days>(time);
  const std::chrono::year_month_day date{day_point};
  const std::chrono::hh_mm_ss<microseconds> clock_time{time - day_point};
  char buffer[40];
  const auto micros = clock_time.subseconds().count();
  if (micros == 0) {
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ",
                  static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                  static_cast<unsigned>(date.day()),
                  static_cast<long long>(clock_time.hours().count()),
                  static_cast<long long>(clock_time.minutes().count()),
                  static_cast<long long>(clock_time.seconds().count()));
  } else {
    std::snprintf(
        buffer, sizeof buffer, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ",
        static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
        static_cast<unsigned>(date.day()), static_cast<long long>(clock_time.hours().count()),
        static_cast<long long>(clock_time.minutes().count()),
        static_cast<long long>(clock_time.seconds().count()), static_cast<long long>(micros));
  }
  return buffer;
}

long long whole_days_between(TimePoint earlier, TimePoint later) {
  return std::chrono::floor<days>(later - earlier).count();
}

}  // namespace bbp::core
