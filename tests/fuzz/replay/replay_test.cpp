// Replays the committed fuzz inputs through the fuzz targets' entry points, so every run of the
// normal suite (and of its ASan/UBSan build) checks that no seed or past crash breaks again.
// A target signals a broken invariant by aborting, which fails the test with the input's path
// printed just before it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

using Entry = int (*)(const std::uint8_t*, std::size_t);

#define BBP_FUZZ_ENTRIES(X) \
  X(repository)             \
  X(restriction)            \
  X(branching_model)        \
  X(key)                    \
  X(page)                   \
  X(error)                  \
  X(token)                  \
  X(glob)                   \
  X(pipeline)

#define BBP_DECLARE(name) extern "C" int bbp_fuzz_##name(const std::uint8_t*, std::size_t);
BBP_FUZZ_ENTRIES(BBP_DECLARE)
#undef BBP_DECLARE

namespace {

namespace fs = std::filesystem;

struct Target {
  const char* name;
  Entry entry;
};

#define BBP_ROW(name) Target{#name, &bbp_fuzz_##name},
const std::vector<Target> kTargets = {BBP_FUZZ_ENTRIES(BBP_ROW)};
#undef BBP_ROW

const fs::path kFuzzDir = BBP_FUZZ_DIR;

std::vector<fs::path> inputs_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) {
    return out;
  }
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && !entry.path().filename().string().starts_with(".")) {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t replay(const Target& target, const fs::path& dir) {
  const auto inputs = inputs_in(dir);
  for (const auto& path : inputs) {
    std::cout << "replaying " << path.string() << std::endl;
    const auto bytes = read_bytes(path);
    EXPECT_EQ(target.entry(bytes.data(), bytes.size()), 0) << path;
  }
  return inputs.size();
}

class FuzzReplay : public ::testing::TestWithParam<Target> {};

TEST_P(FuzzReplay, EverySeedInputPasses) {
  EXPECT_GE(replay(GetParam(), kFuzzDir / "corpus" / GetParam().name), 3u)
      << "each fuzz target keeps a handful of seed inputs in tests/fuzz/corpus/" << GetParam().name;
}

// The targets whose fuzzing has kept no input yet. Every other target has a folder in
// tests/fuzz/regressions/, so a folder that goes missing is noticed rather than not replayed.
const std::set<std::string> kNoRegressionsYet = {"repository", "restriction", "branching_model",
                                                 "token", "glob"};

TEST_P(FuzzReplay, EveryRegressionInputPasses) {
  const auto dir = kFuzzDir / "regressions" / GetParam().name;
  if (kNoRegressionsYet.contains(GetParam().name)) {
    EXPECT_FALSE(fs::exists(dir)) << dir << " exists: take " << GetParam().name
                                  << " off kNoRegressionsYet";
    return;
  }
  EXPECT_GE(replay(GetParam(), dir), 1U)
      << dir << " is missing or empty; a target without regressions is listed in kNoRegressionsYet";
}

TEST_P(FuzzReplay, TheEmptyInputPasses) {
  EXPECT_EQ(GetParam().entry(nullptr, 0), 0);
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplay, ::testing::ValuesIn(kTargets),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

// A corpus or regression folder without a replayed target would silently go untested.
TEST(FuzzReplayLayout, EveryInputFolderBelongsToATarget) {
  std::set<std::string> names;
  for (const auto& target : kTargets) {
    names.insert(target.name);
  }
  for (const char* kind : {"corpus", "regressions"}) {
    if (!fs::is_directory(kFuzzDir / kind)) {
      continue;
    }
    for (const auto& entry : fs::directory_iterator(kFuzzDir / kind)) {
      if (entry.is_directory()) {
        EXPECT_TRUE(names.contains(entry.path().filename().string()))
            << entry.path() << " has no target in replay_test.cpp";
      }
    }
  }
}

TEST(FuzzReplayLayout, EveryTargetHasAFuzzSource) {
  for (const auto& target : kTargets) {
    EXPECT_TRUE(fs::exists(kFuzzDir / (std::string(target.name) + "_fuzz.cpp"))) << target.name;
  }
}

}  // namespace
