// `bbposture auth check` against the fake server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_scan_fixture.hpp"
#include "scan_scenario.hpp"

namespace bbp::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class AuthCheck : public ::testing::Test {
 protected:
  // The scan scenario without its faults, and an OAuth client without the admin scopes.
  static nlohmann::json scenario() {
    auto scenario = scan_scenario();
    scenario["faults"] = nlohmann::json::array();
    scenario["oauth_clients"].push_back({{"client_id", "narrow"},
                                         {"client_secret", "narrow-secret"},
                                         {"scopes", {"account", "repository", "project"}}});
    return scenario;
  }
  // `bbposture auth check` against the fake with these credentials.
  RunResult check(const std::vector<std::string>& env,
                  const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args{"auth", "check"};
    const auto conn = bb_.connection();
    args.insert(args.end(), conn.begin(), conn.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return bb_.run(args, env);
  }
  FakeScanFixture bb_{BBP_BINARY, scenario()};
};

TEST_F(AuthCheck, FullCredentialCanEvaluateEveryRule) {
  const auto r =
      check({"BITBUCKET_CLIENT_ID=scan-client", "BITBUCKET_CLIENT_SECRET=scan-secret-value"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("Dana"));
  EXPECT_THAT(r.out, HasSubstr("repository:admin"));  // granted scopes are listed
  EXPECT_THAT(r.out, HasSubstr("Every rule can be evaluated"));
  EXPECT_THAT(r.out, Not(HasSubstr("scan-secret-value")));
}

TEST_F(AuthCheck, MissingAdminScopesAreNamedWithTheRulesTheyBlock) {
  const auto r = check({"BITBUCKET_CLIENT_ID=narrow", "BITBUCKET_CLIENT_SECRET=narrow-secret"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("missing for a full scan: project:admin repository:admin"));
  EXPECT_THAT(r.out, HasSubstr("FAILED  branch restrictions"));
  EXPECT_THAT(r.out, HasSubstr("no-default-branch-protection"));
  EXPECT_THAT(r.out, HasSubstr("old-key"));
}

TEST_F(AuthCheck, RejectedCredentialExitsFour) {
  const auto r = check({"BITBUCKET_CLIENT_ID=scan-client", "BITBUCKET_CLIENT_SECRET=wrong"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_THAT(r.err, HasSubstr("authentication failed"));
}

TEST_F(AuthCheck, AnUnknownWorkspaceIsNamedNotBlamedOnTheCredential) {
  const auto r =
      check({"BITBUCKET_CLIENT_ID=scan-client", "BITBUCKET_CLIENT_SECRET=scan-secret-value"},
            {"-w", "nope"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("workspace 'nope' was not found, or this credential cannot see it"));
  EXPECT_THAT(r.out, HasSubstr("pass -w with a workspace this credential can see"));
  EXPECT_THAT(r.out, Not(HasSubstr("These rules cannot be evaluated")));
  EXPECT_THAT(r.err, Not(HasSubstr("authentication failed")));
}

TEST_F(AuthCheck, AnAccessTokenWithoutWorkspaceIsToldToPassOne) {
  const auto r = check({"BITBUCKET_ACCESS_TOKEN=access-token-value"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("an access token cannot list workspaces: pass -w WORKSPACE"));
  EXPECT_EQ(bb_.fake().request_count("/2.0/user/workspaces"), 0U);
}

TEST_F(AuthCheck, JsonForScripts) {
  const auto r = check({"BITBUCKET_CLIENT_ID=narrow", "BITBUCKET_CLIENT_SECRET=narrow-secret"},
                       {"-f", "json"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto doc = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << r.out;
  EXPECT_EQ(doc["credential"]["kind"], "client_credentials");
  EXPECT_EQ(doc["identity"]["display_name"], "Dana");
  EXPECT_EQ(doc["scopes"]["missing"], (nlohmann::json{"project:admin", "repository:admin"}));
  EXPECT_TRUE(doc["blocked_rules"].is_array());
  EXPECT_FALSE(doc["blocked_rules"].empty());
  bool failed_probe = false;
  for (const auto& p : doc["probes"]) {
    failed_probe = failed_probe || p["status"] == "FAILED";
  }
  EXPECT_TRUE(failed_probe);
  EXPECT_EQ(doc["exit_code"], 3);
  EXPECT_EQ(r.out.find("Probes:"), std::string::npos);  // no text mixed in
}

TEST_F(AuthCheck, ApiTokenWithoutCredentialsInArgv) {
  const auto r = check({"BITBUCKET_EMAIL=nobody@example.com", "BITBUCKET_API_TOKEN=nope"});
  EXPECT_EQ(r.exit_code, 4);
}

}  // namespace
}  // namespace bbp::test

namespace bbp::test {
namespace {

// When /user fails for a reason other than the credential, auth check says so, instead of
// explaining that access tokens have no SSH keys.
TEST_F(AuthCheck, AFailedUserReadIsNamedAsSuch) {
  bb_.fake().add_fault({{"kind", "status"}, {"path", "/2.0/user"}, {"times", -1}, {"status", 500}});
  const auto r =
      check({"BITBUCKET_CLIENT_ID=scan-client", "BITBUCKET_CLIENT_SECRET=scan-secret-value"},
            {"--max-attempts", "1"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("FAILED  your SSH keys: not probed: GET /user failed (HTTP 500"));
  EXPECT_THAT(r.out, Not(HasSubstr("access tokens and app users have no SSH keys")));
  EXPECT_THAT(r.out, HasSubstr("old-key"));
}

// The repository probed is one the scan would read: not an empty one, whose branch restrictions
// a scan never asks for.
TEST_F(AuthCheck, ProbesARepositoryWithADefaultBranch) {
  auto scenario = scan_scenario();
  scenario["workspaces"].push_back(
      {{"slug", "hollow"},
       {"name", "Hollow"},
       {"repositories", nlohmann::json::array(
                            {{{"slug", "aaa-empty"}, {"is_private", true}, {"mainbranch", nullptr}},
                             {{"slug", "zzz-full"}, {"is_private", true}}})}});
  bb_.start(scenario);
  const auto r =
      check({"BITBUCKET_CLIENT_ID=scan-client", "BITBUCKET_CLIENT_SECRET=scan-secret-value"},
            {"-w", "hollow"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("branch restrictions of hollow/zzz-full"));
  EXPECT_EQ(bb_.fake().request_count("/2.0/repositories/hollow/aaa-empty/branch-restrictions"), 0U);
}

}  // namespace
}  // namespace bbp::test
