// The real bbposture binary with a config file: `config example` and `config check`, a scan whose
// file settings a flag overrides, ./bbposture.yaml found on its own, and a bad file refused
// before the first request.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"  // shell_quote
#include "fake_scan_fixture.hpp"
#include "scan_scenario.hpp"

namespace bbp::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class ConfigCli : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = std::filesystem::current_path();
    // Every run below starts in a folder of its own, where ./bbposture.yaml may be.
    std::filesystem::current_path(bb_.dir().path());
  }
  void TearDown() override { std::filesystem::current_path(previous_); }

  void start_fake() { bb_.start(scan_scenario()); }

  static void write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
  }

  RunResult scan(const std::vector<std::string>& args) const { return bb_.scan(args); }
  // The binary without credentials (`config`, an offline scan).
  RunResult run(const std::vector<std::string>& args,
                const std::vector<std::string>& env = {}) const {
    return bb_.run(args, env);
  }

  static std::set<std::string> workspaces_in(const std::string& report) {
    std::set<std::string> seen;
    const auto j = json::parse(report, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << report;
    if (!j.is_discarded()) {
      for (const auto& f : j["findings"]) {
        if (f["workspace"].is_string()) {  // the caller's SSH keys belong to no workspace
          seen.insert(f["workspace"].get<std::string>());
        }
      }
    }
    return seen;
  }

  std::filesystem::path previous_;
  FakeScanFixture bb_{BBP_BINARY, scan_credentials()};  // the fake starts in start_fake()
};

TEST_F(ConfigCli, CheckAcceptsWhatExamplePrints) {
  const auto example = run({"config", "example"});
  ASSERT_EQ(example.exit_code, 0) << example.err;
  write("example.yaml", example.out);
  const auto check = run({"config", "check", "example.yaml"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_THAT(check.out, StartsWith("# example.yaml is valid."));
  EXPECT_THAT(check.out, HasSubstr("\nfail_on: low  # example.yaml:"));
  EXPECT_THAT(check.out, HasSubstr("# ignore: 0 entries"));
}

TEST_F(ConfigCli, CheckReadsStandardInput) {
  const std::string command = shell_quote(BBP_BINARY) + " config example | " +
                              shell_quote(BBP_BINARY) + " config check - >/dev/null 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0);  // NOLINT(concurrency-mt-unsafe)
}

TEST_F(ConfigCli, CheckPrintsTheEffectiveSettingsSuppressionsAndDeclarations) {
  write("bbposture.yaml", R"(fail_on: high
ignore:
  - rule: public-repository
    repository: acme/website
    reason: public on purpose
    expires: 2027-06-30
declared_restrictions:
  - project: PLAT
    restrictions:
      require_approvals_to_merge: 2
      push: {users: [release-bot]}
    reason: project-level
)");
  const auto check = run({"config", "check"});  // ./bbposture.yaml
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_THAT(check.out, HasSubstr("\nfail_on: high  # bbposture.yaml:1\n"));
  EXPECT_THAT(check.out, HasSubstr("\nstale_days: 365  # default\n"));
  EXPECT_THAT(check.out,
              HasSubstr("#   bbposture.yaml:3: rule public-repository "
                        "(be273f0a-678e-49af-b9f8-8f3913acef97), repository acme/website; reason "
                        "\"public on purpose\"; expires 2027-06-30 (applies through that day, "
                        "UTC)\n"));
  EXPECT_THAT(check.out, HasSubstr("#   bbposture.yaml:8: project PLAT, the default branch: "
                                   "require_approvals_to_merge 2, push (users: release-bot; "
                                   "groups: none); reason \"project-level\"\n"));
}

TEST_F(ConfigCli, CheckRefusesABadOrMissingFileWithExit2) {
  write("bad.yaml", "fail_on: high\nfail_onn: low\n");
  const auto bad = run({"config", "check", "bad.yaml"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "bbposture: bad.yaml:2:1: unknown key 'fail_onn'; did you mean 'fail_on'?\n");
  EXPECT_TRUE(bad.out.empty());
  const auto missing = run({"config", "check"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("bbposture.yaml: no such config file"));
}

TEST_F(ConfigCli, AScanTakesTheFileAndAFlagOverridesIt) {
  start_fake();
  write("settings.yaml",
        "format: csv\nworkspaces: [globex]\nallow_incomplete: true\nfail_on: none\n");
  const auto from_file = scan({"--config", "settings.yaml", "-f", "json"});
  EXPECT_EQ(from_file.exit_code, 0) << from_file.err;  // fail_on: none, from the file
  EXPECT_EQ(workspaces_in(from_file.out), std::set<std::string>{"globex"});
  const auto overridden =
      scan({"--config", "settings.yaml", "-f", "json", "--fail-on", "low", "-w", "acme"});
  EXPECT_EQ(overridden.exit_code, 1) << overridden.err;  // --fail-on low wins over none
  EXPECT_EQ(workspaces_in(overridden.out), std::set<std::string>{"acme"});
}

TEST_F(ConfigCli, BbpostureYamlInTheCurrentFolderIsUsedAndSaidUnlessNoConfig) {
  start_fake();
  write("bbposture.yaml", "workspaces: globex\nallow_incomplete: true\nformat: json\n");
  const auto found = scan({"-v"});
  EXPECT_EQ(found.exit_code, 1) << found.err;
  EXPECT_THAT(found.err, HasSubstr("info: using config bbposture.yaml"));
  EXPECT_EQ(workspaces_in(found.out), std::set<std::string>{"globex"});
  // -v as above, so that the line's absence means the file was not used, not a quieter log.
  const auto ignored = scan({"--no-config", "-f", "json", "--allow-incomplete", "-v"});
  EXPECT_THAT(ignored.err, HasSubstr("info: "));
  EXPECT_THAT(ignored.err, Not(HasSubstr("using config")));
  EXPECT_EQ(workspaces_in(ignored.out), (std::set<std::string>{"acme", "globex"}));
}

TEST_F(ConfigCli, ABadConfigFailsWithExit2BeforeAnyRequest) {
  start_fake();
  write("bbposture.yaml", "fail_on: high\nconcurrency: many\n");
  const auto auto_found = scan({});
  EXPECT_EQ(auto_found.exit_code, 2);
  EXPECT_EQ(auto_found.err,
            "bbposture: bbposture.yaml:2:14: 'concurrency' must be a whole number, not 'many'; "
            "e.g. concurrency: 8\n");
  write("creds.yaml", "workspaces: [acme]\nbitbucket:\n  client_secret: do-not-echo-me\n");
  const auto credential = scan({"--config", "creds.yaml"});
  EXPECT_EQ(credential.exit_code, 2);
  EXPECT_THAT(credential.err, StartsWith("bbposture: creds.yaml:3:3: 'client_secret' looks like a "
                                         "credential"));
  EXPECT_THAT(credential.err, Not(HasSubstr("do-not-echo-me")));
  const auto missing = scan({"--config", "nowhere.yaml"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("nowhere.yaml: no such config file"));
  write("syntax.yaml", "workspaces: [acme\n");
  const auto syntax = scan({"--config", "syntax.yaml"});
  EXPECT_EQ(syntax.exit_code, 2);
  EXPECT_THAT(syntax.err, StartsWith("bbposture: syntax.yaml:2:1: not valid YAML"));
  EXPECT_EQ(bb_.fake().request_count(), 0U);
}

// Issue-level end to end: a config file's suppression and declarations change a real scan of the
// fake server exactly as documented, and a re-evaluation of the saved snapshot agrees.
constexpr const char* kLivingConfig = R"(fail_on: critical
allow_incomplete: true
ignore:
  - rule: public-repository
    repository: acme/website
    reason: the public website, on purpose
  - rule: stale-repository
    repository: acme/nothing-here
    reason: a stale entry
declared_restrictions:
  - repository: globex/tools
    restrictions:
      push: {}
      force: true
      delete: true
  - project: PLAT
    restrictions:
      push: {}
)";

std::set<std::string> rules_of(const json& list, const std::string& repository) {
  std::set<std::string> out;
  for (const auto& e : list) {
    if (e["repository"] == repository) {
      out.insert(e["rule"].get<std::string>());
    }
  }
  return out;
}

TEST_F(ConfigCli, SuppressionsAndDeclarationsFromTheFileChangeTheScanAsDocumented) {
  start_fake();
  write("bbposture.yaml", kLivingConfig);
  // Without the file, the public website is a Critical finding: exit 1.
  EXPECT_EQ(scan({"--no-config", "--fail-on", "critical", "--allow-incomplete", "-q"}).exit_code,
            1);
  const auto r = scan({"-f", "json", "-o", "live.json", "--save-snapshot", "snapshot.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;                 // the only Critical finding is suppressed
  EXPECT_THAT(r.err, HasSubstr("bbposture.yaml:7"));  // the entry that matched nothing
  EXPECT_THAT(r.err, HasSubstr("matched no finding"));
  std::ifstream in("live.json");
  const auto report = json::parse(in);
  EXPECT_EQ(report["summary"]["Critical"], 0);
  EXPECT_EQ(report["summary"]["suppressed"], 1);
  for (const auto& f : report["findings"]) {
    EXPECT_EQ(f.contains("suppressed"), f["rule"] == "public-repository") << f.dump();
    if (f.contains("suppressed")) {
      EXPECT_EQ(f["suppressed"]["source"], "bbposture.yaml:4");
    }
  }
  // globex/tools is unprotected: what the declaration gives passes, naming it; the rest fails.
  const auto& declared = report["declared_passes"];
  EXPECT_EQ(rules_of(declared, "globex/tools"),
            (std::set<std::string>{"direct-push-allowed", "force-push-allowed",
                                   "branch-deletion-allowed", "no-default-branch-protection"}));
  EXPECT_THAT(rules_of(report["findings"], "globex/tools"),
              ::testing::Contains("pr-review-not-required"));
  for (const auto& p : declared) {
    EXPECT_EQ(p["outcome"], "pass");
    EXPECT_THAT(p["evidence"].dump(), HasSubstr("declared in bbposture.yaml:1"));
  }
  // PLAT's fortress needs no declaration; legacy's restrictions could not be read: unknown.
  EXPECT_TRUE(rules_of(declared, "acme/fortress").empty());
  EXPECT_TRUE(rules_of(declared, "acme/legacy").empty());
  EXPECT_THAT(rules_of(report["unknown"], "acme/legacy"),
              ::testing::Contains("direct-push-allowed"));
  EXPECT_THAT(rules_of(declared, "acme/paged"), ::testing::Contains("direct-push-allowed"));
  // The snapshot holds what was read, never a declaration; offline gives the same answer.
  std::ifstream snapshot_in("snapshot.json");
  const std::string snapshot((std::istreambuf_iterator<char>(snapshot_in)), {});
  EXPECT_THAT(snapshot, Not(HasSubstr("declared")));
  const auto offline = run({"scan", "--from-snapshot", "snapshot.json", "-f", "json", "-q"},
                           {std::string("BBP_NOW=") + kScenarioNow});
  ASSERT_EQ(offline.exit_code, 0) << offline.err;
  const auto again = json::parse(offline.out);
  EXPECT_EQ(again["declared_passes"], report["declared_passes"]);
  EXPECT_EQ(again["findings"], report["findings"]);
  EXPECT_EQ(again["summary"]["suppressed"], 1);
}

TEST_F(ConfigCli, AuthCheckTakesTheConnectionKeys) {
  start_fake();
  write("bbposture.yaml", "api_url: " + bb_.fake().api_url() + "\ntoken_url: " +
                              bb_.fake().token_url() + "\nworkspaces: [globex]\n");
  const auto r =
      run({"auth", "check", "-f", "json"},
          {"BITBUCKET_CLIENT_ID=scan-client", "BITBUCKET_CLIENT_SECRET=scan-secret-value"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(bb_.fake().token_requests(), 0U);
  write("bbposture.yaml", "timeout: 0\n");
  const auto bad = run({"auth", "check"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, StartsWith("bbposture: bbposture.yaml:1:10: 'timeout' must be between 1 "
                                  "and 3600, not 0; e.g. timeout: 30"));
}

}  // namespace
}  // namespace bbp::test
