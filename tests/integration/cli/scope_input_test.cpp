// The real bbposture binary and what it is told to scan: a workspace Bitbucket does not know,
// filters that match nothing, and the caller's own SSH keys in a repository-scoped scan.
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_scan_fixture.hpp"
#include "scan_scenario.hpp"

namespace bbp::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class ScopeInput : public ::testing::Test {
 protected:
  RunResult scan(const std::vector<std::string>& args) const {
    std::vector<std::string> all{"-f", "json"};
    all.insert(all.end(), args.begin(), args.end());
    return bb_.scan(all);
  }

  static json parse(const RunResult& r) {
    auto j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
    return j;
  }

  std::size_t ssh_key_reads() const {
    std::size_t n = 0;
    for (const auto& rec : bb_.fake().requests()) {
      n += rec.path.find("/ssh-keys") != std::string::npos ? 1U : 0U;
    }
    return n;
  }

  FakeScanFixture bb_{BBP_BINARY, scan_scenario(), scan_credentials()};
};

TEST_F(ScopeInput, AnUnknownWorkspaceIsNamedWithTheVisibleOnesAndTheOthersAreScanned) {
  const auto r = scan({"-w", "acme", "-w", "acmee", "--allow-incomplete"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("bbposture: workspace 'acmee' was not found, or this credential "
                               "cannot see it (404); it can see: acme, globex"));
  const auto report = parse(r);
  bool acme_finding = false;
  for (const auto& f : report["findings"]) {
    acme_finding = acme_finding || f["workspace"] == "acme";
  }
  EXPECT_TRUE(acme_finding);
}

TEST_F(ScopeInput, APlanNamesAnUnknownWorkspaceAsTheScanDoes) {
  const auto r = bb_.run(bb_.scan_args({"--plan", "-w", "acme", "-w", "acmee"}));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("bbposture: workspace 'acmee' was not found, or this credential "
                               "cannot see it (404); it can see: acme, globex"));
}

TEST_F(ScopeInput, APlanIsATableOrJsonAndAnythingElseIsRefusedBeforeAnyRequest) {
  for (const auto& extra : std::vector<std::vector<std::string>>{
           {"-f", "html"}, {"-f", "sarif"}, {"-o", bb_.path("plan.html")}}) {
    std::vector<std::string> plan{"--plan"};
    plan.insert(plan.end(), extra.begin(), extra.end());
    const auto before = bb_.fake().request_count();
    const auto r = bb_.run(bb_.scan_args(plan));
    EXPECT_EQ(r.exit_code, 2) << extra.back();
    EXPECT_THAT(r.err, HasSubstr("--plan writes a table or JSON"));
    EXPECT_EQ(bb_.fake().request_count(), before);
    EXPECT_FALSE(std::filesystem::exists(bb_.path("plan.html")));
  }
  EXPECT_EQ(bb_.run(bb_.scan_args({"--plan", "-o", bb_.path("plan.json")})).exit_code, 0);
}

TEST_F(ScopeInput, RepeatedWorkspacesAreScannedOnce) {
  const auto once = parse(scan({"-w", "acme", "--allow-incomplete"}));
  const auto listings_once = bb_.fake().request_count("/2.0/repositories/acme");
  const auto twice = parse(scan({"-w", "acme,acme", "-w", "acme", "--allow-incomplete"}));
  EXPECT_EQ(twice["findings"], once["findings"]);
  EXPECT_EQ(bb_.fake().request_count("/2.0/repositories/acme"), 2 * listings_once);
}

TEST_F(ScopeInput, FiltersThatMatchNothingAreWarnedAbout) {
  const auto r = scan({"--repo", "fortres", "--repo", "website", "--exclude-repo", "nothing*",
                       "--project", "NOPE,WEB", "--allow-incomplete"});
  EXPECT_THAT(r.err, HasSubstr("--repo 'fortres' matched no repository"));
  EXPECT_THAT(r.err, HasSubstr("--exclude-repo 'nothing*' matched no repository"));
  EXPECT_THAT(r.err, HasSubstr("--project 'NOPE' matched no repository"));
  EXPECT_THAT(r.err, Not(HasSubstr("'website' matched")));
  EXPECT_THAT(r.err, Not(HasSubstr("'WEB' matched")));
}

TEST_F(ScopeInput, ARepositoryScopedScanLeavesTheCallersSshKeysOutUnlessAsked) {
  const auto narrowed = parse(scan({"--repo", "website", "--allow-incomplete"}));
  EXPECT_EQ(ssh_key_reads(), 0U);
  EXPECT_EQ(bb_.fake().request_count("/2.0/user"), 0U);
  for (const auto& u : narrowed["unknown"]) {
    EXPECT_NE(u["resource"]["type"], "user") << u;
  }
  for (const auto& f : narrowed["findings"]) {
    EXPECT_NE(f["resource"]["type"], "ssh_key") << f;
  }
  const auto asked =
      parse(scan({"--repo", "website", "--include-user-keys", "--allow-incomplete"}));
  EXPECT_EQ(ssh_key_reads(), 1U);
  bool ssh_finding = false;
  for (const auto& f : asked["findings"]) {
    ssh_finding = ssh_finding || f["resource"]["type"] == "ssh_key";
  }
  EXPECT_TRUE(ssh_finding);
}

TEST_F(ScopeInput, OfflineRunsGiveTheSameAnswerForTheSameScope) {
  const std::string snapshot = bb_.path("snap.json");
  ASSERT_NE(scan({"--save-snapshot", snapshot, "--allow-incomplete"}).exit_code, 2);
  for (const auto& flags : {std::vector<std::string>{"--repo", "website"},
                            std::vector<std::string>{"--repo", "website", "--include-user-keys"},
                            std::vector<std::string>{"--project", "plat"}}) {
    auto live_args = flags;
    live_args.emplace_back("--allow-incomplete");
    auto offline_args = live_args;
    offline_args.insert(offline_args.end(), {"--from-snapshot", snapshot});
    auto live = parse(scan(live_args));
    const auto offline_run = bb_.run(
        [&] {
          std::vector<std::string> all{"scan", "-f", "json"};
          all.insert(all.end(), offline_args.begin(), offline_args.end());
          return all;
        }(),
        {});
    auto offline = parse(offline_run);
    EXPECT_EQ(live["findings"], offline["findings"]) << flags[0];
    EXPECT_EQ(live["unknown"], offline["unknown"]) << flags[0];
  }
}

}  // namespace
}  // namespace bbp::test
