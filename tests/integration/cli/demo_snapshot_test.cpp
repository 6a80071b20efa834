// The bundled demo workspace, scanned live and from the committed snapshot.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>

#include "cli_runner.hpp"
#include "fake_scan_fixture.hpp"

namespace bbp::test {
namespace {

using nlohmann::json;

const std::string kDemoScenario = std::string(BBP_SOURCE_DIR) + "/examples/demo-workspace.json";
const std::string kDemoSnapshot = std::string(BBP_SOURCE_DIR) + "/examples/demo-snapshot.json";

RunResult live_demo_scan(const std::vector<std::string>& extra) {
  const FakeScanFixture demo(BBP_BINARY, scenario_file(kDemoScenario),
                             client_credentials("demo-client", "demo-secret"));
  std::vector<std::string> args{"-f", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return demo.scan(args);
}

TEST(DemoSnapshot, CommittedSnapshotGivesTheSameFindingsAsTheLiveDemoScan) {
  const auto live = live_demo_scan({});
  const auto offline =
      run_cli(BBP_BINARY, {"scan", "--from-snapshot", kDemoSnapshot, "-f", "json"});
  EXPECT_EQ(live.exit_code, 3) << live.err;  // one repository's restrictions are unreadable
  EXPECT_EQ(offline.exit_code, live.exit_code) << offline.err;
  const auto a = json::parse(live.out);
  const auto b = json::parse(offline.out);
  EXPECT_EQ(a["findings"], b["findings"]);
  EXPECT_EQ(a["unknown"], b["unknown"]);
  EXPECT_EQ(a["summary"], b["summary"]);
  EXPECT_EQ(a["summary"]["total"], 42);
  EXPECT_EQ(b["scan"]["api_requests"], 0);
}

TEST(DemoSnapshot, SavedSnapshotRoundTripsThroughTheCli) {
  const std::string path = "/tmp/bbp_demo_snapshot_" + std::to_string(::getpid()) + ".json";
  const auto live = live_demo_scan({"--save-snapshot", path});
  const auto offline = run_cli(BBP_BINARY, {"scan", "--from-snapshot", path, "-f", "json"});
  EXPECT_EQ(json::parse(live.out)["findings"], json::parse(offline.out)["findings"]);
  // The snapshot records the credential kind, so the offline report names the same one.
  EXPECT_EQ(json::parse(live.out)["scan"]["credential"], "client_credentials");
  EXPECT_EQ(json::parse(offline.out)["scan"]["credential"], "client_credentials");
  const auto html = run_cli(BBP_BINARY, {"scan", "--from-snapshot", path, "-f", "html"});
  EXPECT_THAT(html.out, ::testing::HasSubstr("<dd id=\"credential\">OAuth client credentials<"));
  std::remove(path.c_str());
}

// The committed snapshot was saved before the credential kind was recorded: it loads, and the
// reports say the kind is not known rather than guess one.
TEST(DemoSnapshot, SnapshotWithoutACredentialKindSaysItWasNotRecorded) {
  const auto offline =
      run_cli(BBP_BINARY, {"scan", "--from-snapshot", kDemoSnapshot, "-f", "json"});
  EXPECT_FALSE(json::parse(offline.out)["scan"].contains("credential")) << offline.err;
  const auto html = run_cli(BBP_BINARY, {"scan", "--from-snapshot", kDemoSnapshot, "-f", "html"});
  EXPECT_THAT(html.out, ::testing::HasSubstr("<dd id=\"credential\">not recorded<"));
}

TEST(DemoSnapshot, UnknownCredentialKindIsAUsageError) {
  const std::string path = "/tmp/bbp_demo_credential_" + std::to_string(::getpid()) + ".json";
  auto snapshot = json::parse(read_file(kDemoSnapshot));
  snapshot["credential"] = "password";
  std::ofstream(path) << snapshot.dump();
  const auto offline = run_cli(BBP_BINARY, {"scan", "--from-snapshot", path, "-f", "json"});
  EXPECT_EQ(offline.exit_code, 2);
  EXPECT_THAT(offline.err, ::testing::HasSubstr("'credential' is not a credential kind"));
  std::remove(path.c_str());
}

TEST(DemoSnapshot, OfflineEvaluationUsesTheCurrentThresholdsAndFilters) {
  const auto relaxed =
      run_cli(BBP_BINARY, {"scan", "--from-snapshot", kDemoSnapshot, "-f", "json",
                           "--key-max-age-days", "5000", "--exclude-repo", "data-pipeline"});
  const auto report = json::parse(relaxed.out);
  for (const auto& f : report["findings"]) {
    EXPECT_NE(f["rule"], "old-key");
  }
  EXPECT_TRUE(report["unknown"].empty());
  EXPECT_EQ(relaxed.exit_code, 1);
}

TEST(DemoSnapshot, BrokenSnapshotIsAUsageError) {
  const auto missing = run_cli(BBP_BINARY, {"scan", "--from-snapshot", "/nonexistent.json"});
  EXPECT_EQ(missing.exit_code, 2);
  const auto wrong = run_cli(BBP_BINARY, {"scan", "--from-snapshot", kDemoScenario});
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_THAT(wrong.err, ::testing::HasSubstr("snapshot_version"));
}

}  // namespace
}  // namespace bbp::test
