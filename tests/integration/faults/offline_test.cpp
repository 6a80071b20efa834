// Live and offline runs with the same flags give the same answer: every scope and rule filter is
// run against the fake server and against a snapshot of everything, and the reports compared.
// A snapshot that lacks what a rule needs answers unknown, never a pass.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_bitbucket/server.hpp"
#include "fault_support.hpp"

namespace bbp::test {
namespace {

using ::testing::HasSubstr;

class Offline : public ::testing::Test {
 protected:
  void SetUp() override {
    // One failed read that only the branch rules need.
    bb_.fake().add_fault({{"kind", "status"},
                          {"path", "/2.0/repositories/acme/web/branch-restrictions"},
                          {"times", -1},
                          {"status", 403},
                          {"body", "Forbidden"}});
  }

  RunResult live(const std::vector<std::string>& extra, const std::string& save = "") const {
    std::vector<std::string> args{"-f", "json", "--fail-on", "low", "--no-progress"};
    if (!save.empty()) {
      args.insert(args.end(), {"--save-snapshot", save});
    }
    args.insert(args.end(), extra.begin(), extra.end());
    return bb_.scan(args);
  }

  RunResult offline(const std::string& snapshot, const std::vector<std::string>& extra) const {
    std::vector<std::string> args{
        "scan", "-f", "json", "--fail-on", "low", "--no-progress", "--from-snapshot", snapshot};
    args.insert(args.end(), extra.begin(), extra.end());
    return bb_.run(args, {std::string("BBP_NOW=") + kNow});
  }

  // The report without what differs between a live and an offline run by design (timing,
  // request count; an offline run is evaluated as of the snapshot's time, which BBP_NOW fixes).
  static json comparable(const std::string& text) {
    auto report = json::parse(text, nullptr, false);
    EXPECT_TRUE(report.is_object()) << text;
    if (!report.is_object()) {
      return json();
    }
    for (const char* volatile_field :
         {"started_at", "finished_at", "duration_ms", "api_requests", "source", "api_url"}) {
      report["scan"].erase(volatile_field);
    }
    // How each was made differs by design: the offline one names its snapshot, and the identity
    // the wider scan behind the snapshot read (GET /user) which a narrower live scan may not.
    report["scan"]["selection"].erase("snapshot");
    report["scan"]["selection"].erase("identity");
    return report;
  }

  FakeScanFixture bb_{BBP_BINARY, fault_scenario(), client_env()};
};

TEST_F(Offline, EveryFilterGivesTheSameReportLiveAndFromASnapshot) {
  const std::string snapshot = bb_.path("all.json");
  ASSERT_EQ(live({}, snapshot).exit_code, 3);
  const std::vector<std::vector<std::string>> filters = {
      {},
      {"-w", "acme"},
      {"-w", "globex"},
      {"--repo", "a*"},
      {"--repo", "acme/*", "--exclude-repo", "acme/web"},
      {"--project", "plat"},
      {"--rule", "public-repository"},
      {"--rule", "old-key"},
      {"--skip-rule", "old-key"},
      {"--rule", "force-push-allowed", "-w", "acme", "--exclude-repo", "keys"},
  };
  for (const auto& filter : filters) {
    std::string name;
    for (const auto& part : filter) {
      name += part + " ";
    }
    SCOPED_TRACE(name);
    const auto online = live(filter);
    const auto saved = offline(snapshot, filter);
    EXPECT_EQ(saved.exit_code, online.exit_code) << saved.err;
    EXPECT_EQ(comparable(saved.out), comparable(online.out));
  }
}

// The failed restrictions read is no business of a scan that never needs restrictions.
TEST_F(Offline, ARuleThatNeedsNoBranchDataIgnoresABranchGap) {
  const std::string snapshot = bb_.path("all.json");
  live({}, snapshot);
  const auto r = offline(snapshot, {"--rule", "public-repository"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(json::parse(r.out)["errors"].size(), 0U);
}

TEST_F(Offline, AWorkspaceNotInTheSnapshotIsAnError) {
  const std::string snapshot = bb_.path("all.json");
  live({}, snapshot);
  const auto r = offline(snapshot, {"-w", "initech"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("workspace 'initech' is not in the snapshot"));
}

// Keys a snapshot never read are unknown offline, not silently passed.
TEST_F(Offline, KeysASnapshotNeverReadAreUnknown) {
  const std::string snapshot = bb_.path("no-keys.json");
  live({"--skip-rule", "old-key"}, snapshot);
  const auto r = offline(snapshot, {});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto report = json::parse(r.out);
  std::size_t key_unknowns = 0;
  for (const auto& u : report["unknown"]) {
    if (u["rule"] == "old-key") {
      key_unknowns += 1;
      EXPECT_EQ(u["detail"], "not collected in this snapshot") << u.dump();
    }
  }
  // Every repository, every project and the caller's SSH keys.
  EXPECT_GE(key_unknowns, 5U + 1U + 1U);
  for (const auto& f : report["findings"]) {
    EXPECT_NE(f["rule"], "old-key");
  }
}

}  // namespace
}  // namespace bbp::test
