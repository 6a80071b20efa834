// The real bbposture binary against the fake Bitbucket Cloud server: exact findings, unknowns,
// exit codes and request counts.
#include <set>

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

class ScanEndToEnd : public ::testing::Test {
 protected:
  RunResult scan(const std::vector<std::string>& args) { return bb_.scan(args); }
  // With these credentials instead of the scenario's OAuth client.
  RunResult scan(const std::vector<std::string>& args, std::vector<std::string> env) {
    env.push_back(std::string("BBP_NOW=") + kScenarioNow);
    return bb_.scan(args, env);
  }

  static json parse(const RunResult& r) {
    auto j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
    return j;
  }

  static std::set<std::string> findings_of(const json& report) {
    std::set<std::string> out;
    for (const auto& f : report["findings"]) {
      out.insert(f["rule"].get<std::string>() + " " + f["resource"]["name"].get<std::string>());
    }
    return out;
  }

  FakeScanFixture bb_{BBP_BINARY, scan_scenario(), scan_credentials()};
};

const std::set<std::string> kExpectedFindings = {
    // paged: only force and delete protect main (on the second page of restrictions)
    "pr-review-not-required acme/paged", "direct-push-allowed acme/paged",
    "stale-approvals-kept acme/paged", "passing-builds-not-required acme/paged",
    "merge-checks-not-enforced acme/paged",
    // website: public; a push restriction that exempts a user and a group
    "public-repository acme/website", "pr-review-not-required acme/website",
    "direct-push-allowed acme/website", "stale-approvals-kept acme/website",
    "force-push-allowed acme/website", "passing-builds-not-required acme/website",
    "branch-deletion-allowed acme/website", "merge-checks-not-enforced acme/website",
    "old-key old-deploy",
    // legacy: stale (its branch rules are unknown, never findings)
    "stale-repository acme/legacy",
    // modelled: production tracks main (force applies), development is "develop" (delete not)
    "direct-push-allowed acme/modelled", "stale-approvals-kept acme/modelled",
    "passing-builds-not-required acme/modelled", "branch-deletion-allowed acme/modelled",
    "merge-checks-not-enforced acme/modelled",
    // the key shared by fortress and project PLAT: once, as the project key
    "old-key shared-ci",
    // globex/infra: approvals 0 do not count
    "pr-review-not-required globex/infra", "direct-push-allowed globex/infra",
    "stale-approvals-kept globex/infra", "passing-builds-not-required globex/infra",
    "branch-deletion-allowed globex/infra", "merge-checks-not-enforced globex/infra",
    // globex/tools: exactly 365 days old is not stale; nothing protects main
    "pr-review-not-required globex/tools", "direct-push-allowed globex/tools",
    "stale-approvals-kept globex/tools", "force-push-allowed globex/tools",
    "no-default-branch-protection globex/tools", "passing-builds-not-required globex/tools",
    "branch-deletion-allowed globex/tools", "merge-checks-not-enforced globex/tools",
    // the caller's old SSH key
    "old-key laptop"};

TEST_F(ScanEndToEnd, FindsExactlyWhatTheScenarioHoldsWithExactRequestCount) {
  const auto r = scan({"-f", "json", "--concurrency", "1"});
  EXPECT_EQ(r.exit_code, 3) << r.err;  // legacy's branch rules are unknown
  const auto report = parse(r);
  EXPECT_EQ(findings_of(report), kExpectedFindings);

  // Unknowns: the eight branch rules of acme/legacy, with the scope Bitbucket named.
  ASSERT_EQ(report["unknown"].size(), 8U);
  for (const auto& u : report["unknown"]) {
    EXPECT_EQ(u["repository"], "acme/legacy");
    EXPECT_EQ(u["reason"], "missing_scope");
    EXPECT_THAT(u["detail"].get<std::string>(), HasSubstr("repository:admin"));
  }
  ASSERT_EQ(report["errors"].size(), 1U);
  EXPECT_EQ(report["errors"][0]["http_status"], 403);
  EXPECT_EQ(report["errors"][0]["endpoint"], "/2.0/repositories/acme/legacy/branch-restrictions");

  const auto& scan = report["scan"];
  EXPECT_EQ(scan["complete"], false);
  EXPECT_EQ(scan["workspaces"], json::array({"acme", "globex"}));
  EXPECT_EQ(scan["repositories"], 8);
  EXPECT_EQ(scan["keys"], 5);  // fresh, old-deploy, shared-ci (once), laptop, desktop
  EXPECT_EQ(report["summary"]["total"], kExpectedFindings.size());
  EXPECT_EQ(report["summary"]["Critical"], 1);
  EXPECT_EQ(report["summary"]["unknown"], 8);

  // Requests: token 1, /user 1, /user/workspaces 1, 2 repository pages, per repository
  // restrictions + deploy keys (paged: 2 restriction pages; modelled: + branching model;
  // empty: no restrictions), 3 project key lists, 1 SSH key list = 26; plus the 429 and 500
  // retried (2), the expired token's 401 and the new token (2) = 30.
  EXPECT_EQ(scan["api_requests"], 30);
  EXPECT_EQ(bb_.fake().request_count(), 30U);
  EXPECT_EQ(bb_.fake().token_requests(), 2U);
  EXPECT_EQ(bb_.fake().request_count("/2.0/repositories/acme/paged/branch-restrictions"), 2U);
  EXPECT_EQ(bb_.fake().request_count("/2.0/repositories/acme/modelled/effective-branching-model"),
            1U);
  EXPECT_EQ(bb_.fake().request_count("/2.0/repositories/acme/fortress/effective-branching-model"),
            0U);
  EXPECT_EQ(bb_.fake().request_count("/2.0/repositories/acme/empty/branch-restrictions"), 0U);
  EXPECT_EQ(bb_.fake().request_count("/2.0/repositories/acme/fortress"), 0U);  // no per-repo GET
  // Without the four requests the faults add, within the documented bound
  // 2N + ceil(N/100) + 2P + W + 5 (+1 per branching-model read): N 8, P 3, W 2, one model.
  const auto unfaulted = scan["api_requests"].get<int>() - 4;
  EXPECT_EQ(unfaulted, 26);
  EXPECT_LE(unfaulted, 2 * 8 + 1 + 2 * 3 + 2 + 5 + 1);
}

TEST_F(ScanEndToEnd, EveryRequestAsksForFullPages) {
  scan({"-f", "json", "--concurrency", "1"});
  for (const auto& rec : bb_.fake().requests()) {
    if (rec.path.starts_with("/2.0/") && rec.path != "/2.0/user" &&
        rec.path.find("effective-branching-model") == std::string::npos) {
      EXPECT_THAT(rec.query, HasSubstr("pagelen=100")) << rec.path;
    }
  }
}

TEST_F(ScanEndToEnd, EvidenceExplainsTheFindings) {
  const auto report = parse(scan({"-f", "json", "--concurrency", "1"}));
  bool saw_push = false;
  bool saw_model = false;
  for (const auto& f : report["findings"]) {
    if (f["rule"] == "direct-push-allowed" && f["repository"] == "acme/website") {
      saw_push = true;
      EXPECT_EQ(f["evidence"]["allowed_to_push"]["users"][0]["name"], "Release Bot");
      EXPECT_EQ(f["evidence"]["allowed_to_push"]["groups"][0]["name"], "admins");
      EXPECT_EQ(f["evidence"]["restrictions_applied"][0]["match"], "glob 'ma*'");
      EXPECT_EQ(f["resource"]["type"], "repository");
      EXPECT_EQ(f["project"], "WEB");
    }
    if (f["rule"] == "branch-deletion-allowed" && f["repository"] == "acme/modelled") {
      saw_model = true;
      EXPECT_THAT(f["evidence"]["restrictions_applied"].dump(),
                  HasSubstr("branching model: production"));
    }
    if (f["rule"] == "old-key" && f["resource"]["name"] == "shared-ci") {
      EXPECT_EQ(f["resource"]["type"], "project_deploy_key");
      EXPECT_EQ(f["resource"]["id"], "21");
      EXPECT_EQ(f["repository"], nullptr);
      EXPECT_EQ(f["project"], "PLAT");
    }
    EXPECT_EQ(f["fingerprint"].get<std::string>().size(), 16U);
  }
  EXPECT_TRUE(saw_push);
  EXPECT_TRUE(saw_model);
}

TEST_F(ScanEndToEnd, ConcurrentScanFindsTheSameAndFingerprintsAreStable) {
  const auto serial = parse(scan({"-f", "json", "--concurrency", "1"}));
  bb_.start(scan_scenario());
  const auto parallel = parse(scan({"-f", "json", "--concurrency", "8"}));
  EXPECT_EQ(findings_of(parallel), kExpectedFindings);
  EXPECT_EQ(serial["findings"], parallel["findings"]);  // same order, fingerprints, evidence
  EXPECT_EQ(serial["unknown"], parallel["unknown"]);
}

TEST_F(ScanEndToEnd, ExitCodesFollowTheContract) {
  EXPECT_EQ(scan({"-f", "json", "--allow-incomplete"}).exit_code, 1);
  EXPECT_EQ(scan({"-f", "json", "--allow-incomplete", "--fail-on", "none"}).exit_code, 0);
  EXPECT_EQ(scan({"-f", "json", "--allow-incomplete", "--fail-on", "critical"}).exit_code, 1);
  EXPECT_EQ(scan({"-f", "json", "--exclude-repo", "legacy"}).exit_code, 1);  // complete now
  EXPECT_EQ(scan({"-f", "json", "--exclude-repo", "acme/website", "--exclude-repo", "legacy",
                  "--fail-on", "critical"})
                .exit_code,
            0);
}

TEST_F(ScanEndToEnd, RuleSelectionReadsOnlyWhatTheRulesNeed) {
  const auto r = scan({"-f", "json", "--rule", "public-repository"});
  EXPECT_EQ(r.exit_code, 1);
  const auto report = parse(r);
  EXPECT_EQ(findings_of(report), (std::set<std::string>{"public-repository acme/website"}));
  EXPECT_TRUE(report["unknown"].empty());
  // token, /user/workspaces, one repository page per workspace: nothing per repository.
  EXPECT_EQ(report["scan"]["api_requests"], 4);
}

TEST_F(ScanEndToEnd, SkipRuleByIdAndMinSeverity) {
  const auto r = scan({"-f", "json", "--skip-rule", "0a135600-a109-434f-877c-1a6594dcd76d",
                       "--min-severity", "high", "--allow-incomplete"});
  const auto report = parse(r);
  for (const auto& f : report["findings"]) {
    EXPECT_NE(f["rule"], "old-key");
    EXPECT_THAT(f["severity"].get<std::string>(), ::testing::AnyOf("Critical", "High"));
  }
  EXPECT_EQ(report["summary"]["total"], 5);  // website public + 4 review findings
  EXPECT_EQ(bb_.fake().request_count("/2.0/users/{u-dana}/ssh-keys"), 0U);
}

TEST_F(ScanEndToEnd, RepositoryFiltersApplyBeforeAnyPerRepositoryRequest) {
  const auto r = scan({"-f", "json", "-w", "acme", "--project", "WEB", "--exclude-repo", "empty"});
  const auto report = parse(r);
  EXPECT_EQ(report["scan"]["workspaces"], json::array({"acme"}));
  EXPECT_EQ(report["scan"]["repositories"], 2);  // website, modelled
  EXPECT_EQ(bb_.fake().request_count("/2.0/user/workspaces"), 0U);
  EXPECT_EQ(bb_.fake().request_count("/2.0/repositories/acme/fortress/deploy-keys"), 0U);
  EXPECT_EQ(bb_.fake().request_count("/2.0/repositories/acme/empty/deploy-keys"), 0U);
  EXPECT_EQ(bb_.fake().request_count("/2.0/workspaces/acme/projects/PLAT/deploy-keys"), 0U);
  EXPECT_EQ(bb_.fake().request_count("/2.0/workspaces/acme/projects/WEB/deploy-keys"), 1U);
}

TEST_F(ScanEndToEnd, TableIsReadableInEightyColumnsAndWarnsAboutUnknowns) {
  const auto r = scan({"--concurrency", "2"});
  EXPECT_EQ(r.exit_code, 3);
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::size_t columns = 0;
    for (const char c : line) {
      columns += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
    }
    EXPECT_LE(columns, 80U) << line;
  }
  EXPECT_THAT(r.out, HasSubstr("public-repository"));
  EXPECT_THAT(r.out, HasSubstr("WARNING"));
  EXPECT_THAT(r.out, HasSubstr("repository:admin"));
  EXPECT_THAT(r.out, Not(HasSubstr("\033[")));  // not a TTY: no colour
}

TEST_F(ScanEndToEnd, AccessTokenSkipsTheUserAndSshKeys) {
  // The expiry fault would expire this fixed token for good (it cannot be renewed): drop it.
  auto scenario = scan_scenario();
  scenario["faults"].erase(3);
  bb_.start(scenario);
  const auto r =
      scan({"-f", "json", "--concurrency", "1"}, {"BITBUCKET_ACCESS_TOKEN=access-token-value"});
  EXPECT_EQ(bb_.fake().request_count("/2.0/user"), 0U);
  EXPECT_EQ(bb_.fake().token_requests(), 0U);
  // The access token cannot list workspaces (no account scope): nothing was read, so no report
  // (one would say "no findings"), the cause on stderr, exit 3.
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("missing scope: account"));
  EXPECT_THAT(r.err, HasSubstr("nothing was read"));
  const auto with_ws = scan({"-f", "json", "-w", "acme", "-w", "globex", "--allow-incomplete"},
                            {"BITBUCKET_ACCESS_TOKEN=access-token-value"});
  const auto full = parse(with_ws);
  auto expected = kExpectedFindings;
  expected.erase("old-key laptop");  // SSH keys are not applicable to access tokens
  EXPECT_EQ(findings_of(full), expected);
}

// An API nobody answers: whatever the credential, nothing is read, so no report is written (one
// would say "no findings") and the exit code is 3, with the cause on stderr.
TEST_F(ScanEndToEnd, NothingReadIsNeverACleanReportForAnyCredentialKind) {
  const std::vector<std::vector<std::string>> credentials{
      {"BITBUCKET_ACCESS_TOKEN=access-token-value"},
      {"BITBUCKET_EMAIL=dev@example.com", "BITBUCKET_API_TOKEN=api-token-value"},
      {"BITBUCKET_CLIENT_ID=scan-client", "BITBUCKET_CLIENT_SECRET=scan-secret-value"}};
  for (const auto& env : credentials) {
    for (const auto* format : {"json", "table", "sarif"}) {
      const auto r = bb_.run(
          {"scan", "--api-url", "http://127.0.0.1:1/2.0", "--token-url", "http://127.0.0.1:1/token",
           "--max-attempts", "1", "-w", "acme", "-f", format, "--no-progress"},
          env);
      EXPECT_EQ(r.exit_code, 3) << env.front() << " " << format << ": " << r.err;
      EXPECT_EQ(r.out, "") << env.front() << " " << format;
      EXPECT_THAT(r.err, HasSubstr("nothing was read")) << env.front();
    }
  }
}

TEST_F(ScanEndToEnd, WrongSecretIsAnAuthenticationFailure) {
  const auto r = scan({"-f", "json"},
                      {"BITBUCKET_CLIENT_ID=scan-client", "BITBUCKET_CLIENT_SECRET=not-the-secret",
                       "BITBUCKET_API_TOKEN=unused-api-token"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_THAT(r.err, Not(HasSubstr("unused-api-token")));
  EXPECT_THAT(r.err, HasSubstr("authentication failed"));
  EXPECT_THAT(r.err, HasSubstr("unauthorized_client"));
  EXPECT_THAT(r.err, Not(HasSubstr("not-the-secret")));
  EXPECT_TRUE(r.out.empty());
  // The message names where the credential came from, and what it outranked.
  EXPECT_THAT(r.err, HasSubstr("the credential came from BITBUCKET_CLIENT_ID and "
                               "BITBUCKET_CLIENT_SECRET (it is used first; also set, and not "
                               "used: BITBUCKET_API_TOKEN)"));
}

TEST_F(ScanEndToEnd, SecretsNeverReachLogsEvenAtTrace) {
  const auto r = scan({"-f", "json", "--log-level", "trace", "--concurrency", "2"});
  // The trace log did run: debug lines name GET requests too, only trace prints the headers.
  EXPECT_THAT(r.err, HasSubstr("trace:   < Content-Type"));
  EXPECT_THAT(r.err, Not(HasSubstr("scan-secret-value")));
  EXPECT_THAT(r.out, Not(HasSubstr("scan-secret-value")));
  // Minted tokens are random: no Bearer value may appear either.
  EXPECT_THAT(r.err, Not(::testing::ContainsRegex("Bearer [A-Za-z0-9]")));
  EXPECT_THAT(r.err, Not(::testing::ContainsRegex("Basic [A-Za-z0-9]")));
}

}  // namespace
}  // namespace bbp::test
