// Golden files for the report tests: compare an output with tests/data/golden/NAME, or rewrite
// it when BBP_UPDATE_GOLDEN=1 (on purpose, after a change whose diff has been read), and the
// environment and address normalisation the scans against the fake server share.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include <gtest/gtest.h>

#include "process.hpp"

namespace bbp::report::testing {

// The fake's address changes with every run; golden files hold this instead.
inline const std::string kGoldenPlaceholder = "http://fake-bitbucket.test";

inline bool updating_golden() {
  const char* value = std::getenv("BBP_UPDATE_GOLDEN");  // NOLINT(concurrency-mt-unsafe)
  return value != nullptr && std::string(value) == "1";
}

inline std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos)) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
  return text;
}

// `text` with the fake server's address (`base_url`) replaced by kGoldenPlaceholder.
inline std::string normalise(const std::string& text, const std::string& base_url) {
  return replace_all(text, base_url, kGoldenPlaceholder);
}

// The environment of a scan against the fake: these OAuth credentials, the frozen clock, and
// none of the other credential variables or NO_COLOR the test process may have.
inline EnvChanges golden_env(const std::string& client, const std::string& secret) {
  return {{"BITBUCKET_CLIENT_ID", client},          {"BITBUCKET_CLIENT_SECRET", secret},
          {"BBP_NOW", "2026-11-28T00:00:00Z"},      {"NO_COLOR", std::nullopt},
          {"BITBUCKET_ACCESS_TOKEN", std::nullopt}, {"BITBUCKET_EMAIL", std::nullopt},
          {"BITBUCKET_API_TOKEN", std::nullopt}};
}

// Compares `actual` with tests/data/golden/`name`, or rewrites it under BBP_UPDATE_GOLDEN=1;
// a difference is reported with the first differing byte and the text around it.
inline void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(BBP_TEST_DATA_DIR) + "/golden/" + name;
  if (updating_golden()) {
    write_file(path, actual);
    std::cout << "rewrote " << path << '\n';
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing; run with BBP_UPDATE_GOLDEN=1";
  const auto expected = read_file(path);
  if (expected != actual) {
    std::size_t at = 0;
    while (at < expected.size() && at < actual.size() && expected[at] == actual[at]) {
      ++at;
    }
    const auto context = [&](const std::string& s) {
      const auto from = at < 80 ? 0 : at - 80;
      return s.substr(from, 160);
    };
    ADD_FAILURE() << name << " differs from the golden file at byte " << at
                  << " (BBP_UPDATE_GOLDEN=1 rewrites it on purpose)\n--- expected ---\n"
                  << context(expected) << "\n--- actual ---\n"
                  << context(actual);
  }
}

}  // namespace bbp::report::testing
