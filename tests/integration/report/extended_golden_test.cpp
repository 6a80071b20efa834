// The extended rule pack end to end: the real bbposture binary against an in-process fake
// Bitbucket serving tests/data/scenarios/extended.json (webhooks, Pipelines variables at three
// levels, members with and without two-step verification, owners, forking settings) with a
// frozen clock. Every format is compared with tests/data/golden/extended.<format>;
// BBP_UPDATE_GOLDEN=1 rewrites them. Also: no unsecured variable's value reaches any output,
// the exact request counts, missing scopes, the offline answer and `auth check --rule-set`.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fake_scan_fixture.hpp"
#include "golden.hpp"
#include "process.hpp"

namespace bbp::report::testing {
namespace {

const std::string kData = BBP_TEST_DATA_DIR;
const std::string kBinary = BBPOSTURE_BINARY;
// Every unsecured variable's value (and the one webhook secret) in the scenario starts so.
const std::string kPlanted = "PLANTED-";
const std::vector<std::string> kFormats{"json", "jsonl", "sarif", "csv", "table", "html", "junit"};

// The golden file of a format: extended.json, …, extended.junit.xml.
std::string golden_name(const std::string& format) {
  return "extended." + format + (format == "junit" ? ".xml" : "");
}

using test::FakeScanFixture;

class ExtendedRulesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    bb_ = new FakeScanFixture(kBinary, test::scenario_file(kData + "/scenarios/extended.json"),
                              credentials());
  }
  static void TearDownTestSuite() {
    delete bb_;
    bb_ = nullptr;
  }

  // The scenario's OAuth client with every scope, or another one.
  static std::vector<std::string> credentials(const std::string& client = "extended-client",
                                              const std::string& secret = "extended-secret") {
    return test::client_credentials(client, secret);
  }

  // One request at a time, so the request count and the order are the same on every run.
  static test::RunResult scan(const std::vector<std::string>& extra,
                              const std::vector<std::string>& env = credentials()) {
    std::vector<std::string> args{"--concurrency", "1", "--no-progress"};
    args.insert(args.end(), extra.begin(), extra.end());
    return bb_->scan(args, env);
  }
  // The binary with `args`, not a scan of the fake.
  static test::RunResult run(const std::vector<std::string>& args,
                             const std::vector<std::string>& env = credentials()) {
    return bb_->run(args, env);
  }

  static std::string normalise(const std::string& text) {
    return testing::normalise(text, bb_->fake().base_url());
  }
  static std::string path(const std::string& name) { return bb_->path(name); }

  // The API requests a JSON report says the scan made.
  static std::uint64_t requests_of(const std::vector<std::string>& extra) {
    std::vector<std::string> args{"-f", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = scan(args);
    const auto doc = nlohmann::json::parse(r.out);
    return doc.at("scan").at("api_requests").get<std::uint64_t>();
  }

  static FakeScanFixture* bb_;
};

FakeScanFixture* ExtendedRulesTest::bb_ = nullptr;

TEST_F(ExtendedRulesTest, EveryFormatMatchesItsGolden) {
  for (const auto& format : kFormats) {
    const auto r = scan({"--rule-set", "extended", "-f", format});
    EXPECT_EQ(r.exit_code, 1) << format << ": findings, and every read succeeded\n" << r.err;
    expect_golden(golden_name(format), normalise(r.out));
  }
}

TEST_F(ExtendedRulesTest, EveryExtendedRuleFailsAtLeastOnceAndNothingIsUnknown) {
  const auto doc = nlohmann::json::parse(read_file(kData + "/golden/extended.json"));
  std::set<std::string> rules;
  std::set<std::string> types;
  for (const auto& f : doc.at("findings")) {
    rules.insert(f.at("rule").get<std::string>());
    types.insert(f.at("resource").at("type").get<std::string>());
  }
  EXPECT_EQ(rules, (std::set<std::string>{"private-repository-forkable", "webhook-without-secret",
                                          "webhook-over-http", "unsecured-secret-variable",
                                          "member-without-2fa", "workspace-owner-count"}));
  EXPECT_EQ(types,
            (std::set<std::string>{"repository", "webhook", "pipeline_variable", "workspace"}));
  EXPECT_TRUE(doc.at("unknown").empty());
  EXPECT_TRUE(doc.at("scan").at("complete").get<bool>());
  EXPECT_EQ(doc.at("scan").at("settings").at("max_owners"), 3);
}

// The API returns the values of unsecured variables; none may reach a report, the snapshot or
// the log, at the most verbose level.
TEST_F(ExtendedRulesTest, NoVariableValueReachesAnyOutputTheSnapshotOrTheLog) {
  const auto snapshot = path("planted.snapshot.json");
  for (const auto& format : kFormats) {
    const auto r = scan(
        {"--rule-set", "all", "-f", format, "--log-level", "trace", "--save-snapshot", snapshot});
    ASSERT_NE(r.exit_code, 2) << r.err;
    // There is a report and a trace log to look in, so nothing found is not nothing written.
    EXPECT_NE(r.out.find("core-api"), std::string::npos) << format;
    EXPECT_NE(r.err.find(" trace: "), std::string::npos) << format;
    EXPECT_EQ(r.out.find(kPlanted), std::string::npos) << format;
    EXPECT_EQ(r.err.find(kPlanted), std::string::npos) << format << " log";
    EXPECT_EQ(read_file(snapshot).find(kPlanted), std::string::npos) << format << " snapshot";
    EXPECT_NE(read_file(snapshot).find("DEPLOY_TOKEN"), std::string::npos)
        << "the variable's key is kept";
  }
}

// Exact request counts: the default set makes none of the extended reads, and --rule-set all
// adds exactly them. The scenario: workspaces bluefin (4 repositories; core-api has two
// deployment environments) and sandbox (1 repository), every list one page.
TEST_F(ExtendedRulesTest, RequestCountsAreExact) {
  const auto casb = requests_of({});
  const auto all = requests_of({"--rule-set", "all"});
  const auto extended = requests_of({"--rule-set", "extended"});
  // The extended reads: per repository its hooks, variables and environments (5 x 3 = 15), per
  // environment its variables (2), per workspace its settings, hooks, variables, members and
  // owners (2 x 5 = 10): 27, whatever else is selected.
  EXPECT_EQ(all - casb, 27U);
  // extended alone: the token, /user/workspaces, the 2 listings, and the 27.
  EXPECT_EQ(extended, 31U);
  EXPECT_EQ(casb, requests_of({"--rule-set", "casb"}));
  // Naming one extended rule reads only what it needs: the workspace settings (2 requests).
  EXPECT_EQ(requests_of({"--rule", "private-repository-forkable"}), 4U + 2U);
}

// --plan counts the extended reads it can foresee: 3 per repository, 5 per workspace (the
// variables of each deployment environment are not known before the scan).
TEST_F(ExtendedRulesTest, PlanCountsTheExtendedReads) {
  const auto all = scan({"--plan", "--rule-set", "all", "-f", "json"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(nlohmann::json::parse(all.out).at("requests").at("extended_rules"), 5 * 3 + 2 * 5);
  const auto casb = scan({"--plan", "-f", "json"});
  ASSERT_EQ(casb.exit_code, 0) << casb.err;
  EXPECT_FALSE(nlohmann::json::parse(casb.out).at("requests").contains("extended_rules"));
}

// A credential without the webhook and pipeline scopes: those rules are unknown with the
// missing scope named, never a pass; the others still run.
TEST_F(ExtendedRulesTest, MissingScopesMakeTheirRulesUnknown) {
  const auto r =
      scan({"--rule-set", "extended", "-f", "json"}, credentials("narrow-client", "narrow-secret"));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  std::set<std::string> unknown_rules;
  for (const auto& u : doc.at("unknown")) {
    EXPECT_EQ(u.at("reason"), "missing_scope") << u.dump();
    unknown_rules.insert(u.at("rule").get<std::string>());
  }
  EXPECT_EQ(unknown_rules, (std::set<std::string>{"webhook-without-secret", "webhook-over-http",
                                                  "unsecured-secret-variable"}));
  std::set<std::string> found;
  for (const auto& f : doc.at("findings")) {
    found.insert(f.at("rule").get<std::string>());
  }
  EXPECT_TRUE(found.count("member-without-2fa"));
  EXPECT_FALSE(found.count("webhook-over-http"));
}

// The snapshot of an extended scan re-evaluates to the same findings offline; a snapshot of a
// default scan lacks the extended data, so the extended rules are unknown from it, never passed.
TEST_F(ExtendedRulesTest, OfflineGivesTheSameAnswerAndNeverPassesUnreadData) {
  const auto extended_snapshot = path("extended.snapshot.json");
  const auto live =
      scan({"--rule-set", "extended", "-f", "json", "--save-snapshot", extended_snapshot});
  const auto offline =
      run({"scan", "--from-snapshot", extended_snapshot, "--rule-set", "extended", "-f", "json"});
  EXPECT_EQ(offline.exit_code, live.exit_code) << offline.err;
  EXPECT_EQ(nlohmann::json::parse(offline.out).at("findings"),
            nlohmann::json::parse(live.out).at("findings"));

  const auto default_snapshot = path("default.snapshot.json");
  scan({"-f", "json", "--save-snapshot", default_snapshot});
  const auto unread =
      run({"scan", "--from-snapshot", default_snapshot, "--rule-set", "extended", "-f", "json"});
  EXPECT_EQ(unread.exit_code, 3) << unread.err;
  const auto doc = nlohmann::json::parse(unread.out);
  EXPECT_TRUE(doc.at("findings").empty()) << doc.at("findings").dump(1);
  EXPECT_FALSE(doc.at("unknown").empty());
  for (const auto& u : doc.at("unknown")) {
    EXPECT_NE(u.at("detail").get<std::string>().find("not collected"), std::string::npos)
        << u.dump();
  }
}

TEST_F(ExtendedRulesTest, AuthCheckNamesTheExtendedRulesACredentialCannotEvaluate) {
  const auto base = std::vector<std::string>{
      "auth", "check", "--api-url", bb_->fake().api_url(), "--token-url", bb_->fake().token_url(),
      "-f",   "json"};
  auto narrow_all = base;
  narrow_all.insert(narrow_all.end(), {"--rule-set", "all"});
  const auto narrow = run(narrow_all, credentials("narrow-client", "narrow-secret"));
  EXPECT_EQ(narrow.exit_code, 3) << narrow.out << narrow.err;
  const auto doc = nlohmann::json::parse(narrow.out);
  EXPECT_EQ(doc.at("scopes").at("missing"), (nlohmann::json{"pipeline", "webhook"}));
  const auto blocked = doc.at("blocked_rules").get<std::set<std::string>>();
  EXPECT_EQ(blocked, (std::set<std::string>{"unsecured-secret-variable", "webhook-over-http",
                                            "webhook-without-secret"}));

  const auto casb_only = run(base, credentials("narrow-client", "narrow-secret"));
  EXPECT_EQ(casb_only.exit_code, 0) << "the default set needs none of the extended scopes\n"
                                    << casb_only.out;
  auto full_all = base;
  full_all.insert(full_all.end(), {"--rule-set", "all"});
  EXPECT_EQ(run(full_all).exit_code, 0);
  auto bad = base;
  bad.insert(bad.end(), {"--rule-set", "everything"});
  EXPECT_EQ(run(bad).exit_code, 2);
}

TEST_F(ExtendedRulesTest, ABadRuleSetIsAUsageErrorBeforeAnyRequest) {
  const auto before = bb_->fake().request_count();
  const auto r = scan({"--rule-set", "everything"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--rule-set must be one of casb, extended, all, not 'everything'"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(bb_->fake().request_count(), before);
}

}  // namespace
}  // namespace bbp::report::testing
