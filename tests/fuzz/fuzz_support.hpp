// Helpers shared by the libFuzzer targets in tests/fuzz and by their replay test.
//
// Every target is a plain `LLVMFuzzerTestOneInput`: built with -fsanitize=fuzzer it is a fuzzer,
// linked with regression/replay_test.cpp it replays the committed corpus and regressions.
// A target reports a broken invariant through `require`, which aborts: libFuzzer saves the
// input as a crash, and the replay test dies (and so fails) on it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace bbp::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return size == 0 ? std::string_view{}
                   : std::string_view(reinterpret_cast<const char*>(data), size);
}

// The input as JSON, or a discarded value when it is not JSON (never throws).
inline nlohmann::json parse_json(std::string_view text) {
  return nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

// Logging off: the code under test logs at info level, which would only slow the fuzzer down.
inline void quiet() {
  static const bool done = [] {
    spdlog::set_level(spdlog::level::off);
    return true;
  }();
  (void)done;
}

[[noreturn]] inline void fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", file, line, what);
  std::abort();
}

// Whether `text` is valid UTF-8 (what every JSON report needs of every string it prints).
inline bool valid_utf8(std::string_view text) {
  try {
    (void)nlohmann::json(std::string(text)).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

}  // namespace bbp::fuzz

#define BBP_FUZZ_REQUIRE(condition)                      \
  do {                                                   \
    if (!(condition)) {                                  \
      ::bbp::fuzz::fail(#condition, __FILE__, __LINE__); \
    }                                                    \
  } while (false)
