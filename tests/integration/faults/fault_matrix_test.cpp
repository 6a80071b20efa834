// The fault matrix: the real bbposture binary against a fake Bitbucket that misbehaves in one
// way per test. Each case asserts what the user sees (exit code, findings, unknowns and their
// reasons, errors) and that the report still accounts for everything that could be read.
// docs/reliability.md describes the same matrix in prose; keep them in step.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_bitbucket/server.hpp"
#include "fault_support.hpp"

namespace bbp::test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using Unknowns = std::map<std::string, std::string>;

// What the undisturbed scenario finds: web is unprotected, docs is public, keys has an old
// deploy key. Everything else passes.
std::set<std::string> baseline_findings() {
  std::set<std::string> out{"public-repository acme/docs", "old-key old-deploy"};
  for (const auto& rule : branch_rules()) {
    out.insert(rule + " acme/web");
  }
  return out;
}

std::set<std::string> without(std::set<std::string> set, const std::set<std::string>& removed) {
  for (const auto& r : removed) {
    set.erase(r);
  }
  return set;
}

std::set<std::string> without_repo(std::set<std::string> set, const std::string& repo) {
  std::erase_if(set, [&](const std::string& f) { return f.ends_with(" " + repo); });
  return set;
}

class FaultMatrix : public ::testing::Test {
 protected:
  std::string api() const { return bb_.fake().api_url(); }
  std::string path(const std::string& tail) const { return "/2.0" + tail; }

  // A JSON scan that does not fail on findings: exit 0 means complete, 3 incomplete.
  RunResult scan(const std::vector<std::string>& extra = {}, Millis limit = Millis{60'000}) {
    return bb_.scan(json_scan(extra), client_env(), limit);
  }
  static std::vector<std::string> json_scan(const std::vector<std::string>& extra) {
    std::vector<std::string> args{"-f", "json", "--fail-on", "none", "--no-progress"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  static json report_of(const RunResult& r) {
    auto j = json::parse(r.out, nullptr, false);
    EXPECT_TRUE(j.is_object()) << "stdout: " << r.out << "\nstderr: " << r.err;
    return j.is_object() ? j
                         : json{{"findings", json::array()},
                                {"unknown", json::array()},
                                {"errors", json::array()},
                                {"scan", json::object()}};
  }

  // The checks every case shares: the exit code, the exact findings and unknowns (so nothing
  // the scan could read is missing from the report), `complete`, and the scanned scope.
  json expect_report(const RunResult& r, int exit_code, const std::set<std::string>& findings,
                     const Unknowns& unknown, std::size_t repositories = 5) {
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, exit_code) << r.err;
    const json report = report_of(r);
    EXPECT_EQ(findings_of(report), findings);
    EXPECT_EQ(unknown_of(report), unknown);
    const bool complete = unknown.empty() && report["errors"].empty();
    EXPECT_EQ(report["scan"]["complete"], complete);
    EXPECT_EQ(report["scan"]["workspaces"], json::array({"acme", "globex"}));
    EXPECT_EQ(report["scan"]["repositories"], repositories);
    EXPECT_EQ(report["summary"]["unknown"], unknown.size());
    return report;
  }

  // The one error entry of the report, checked for its endpoint and status.
  static json single_error(const json& report, const std::string& endpoint,
                           std::optional<int> status) {
    EXPECT_EQ(report["errors"].size(), 1U) << report["errors"].dump(2);
    if (report["errors"].empty()) {
      return json::object();
    }
    const json& e = report["errors"][0];
    EXPECT_EQ(e["endpoint"], endpoint);
    EXPECT_EQ(e["http_status"], status ? json(*status) : json(nullptr));
    return e;
  }

  FakeScanFixture bb_{BBP_BINARY, fault_scenario(), client_env()};
};

TEST_F(FaultMatrix, BaselineIsCompleteWithExactlyTheExpectedFindings) {
  const auto r = scan();
  const auto report = expect_report(r, 0, baseline_findings(), {});
  EXPECT_THAT(report["errors"], IsEmpty());
  EXPECT_EQ(report["scan"]["keys"], 3);  // old-deploy, plat-ci, laptop
  EXPECT_THAT(r.err, IsEmpty());
}

// ---- 429 ------------------------------------------------------------------------------------

TEST_F(FaultMatrix, RateLimitStormWithRetryAfterIsWaitedOutAndTheScanCompletes) {
  // Every repository's restrictions answer 429 at once, asking for two seconds.
  bb_.fake().add_fault({{"kind", "status"},
                        {"path", "/2.0/repositories/acme/*/branch-restrictions"},
                        {"times", 4},
                        {"status", 429},
                        {"headers", {{"Retry-After", "2"}}},
                        {"body", "Rate limit for this resource has been exceeded"}});
  const auto r = scan();
  expect_report(r, 0, baseline_findings(), {});
  // Each 429 was sent again until it got through: the four refused plus one success each.
  std::size_t restrictions = 0;
  for (const char* repo : {"api", "web", "keys", "docs"}) {
    restrictions +=
        bb_.fake().request_count(path("/repositories/acme/") + repo + "/branch-restrictions");
  }
  EXPECT_EQ(restrictions, 8U);
  // Retry-After was honoured: without it the first probe waits at most two seconds.
  EXPECT_GE(r.elapsed, Millis{2000});
}

// The API requests of the undisturbed scan (the token endpoint is not rate limited).
std::size_t api_requests(const fake::FakeBitbucket& fake) {
  return fake.request_count() - fake.token_requests();
}

std::size_t rejections(const fake::FakeBitbucket& fake) {
  std::size_t rejected = 0;
  for (const auto& rec : fake.requests()) {
    rejected += rec.status == 429 ? 1U : 0U;
  }
  return rejected;
}

TEST_F(FaultMatrix, AScanNeedingThreeWindowsRidesThemOutWithAFew429sPerWindow) {
  ASSERT_EQ(scan().exit_code, 0);
  const std::size_t needed = api_requests(bb_.fake());
  bb_.fake().reset_counters();
  const std::size_t budget = (needed + 2) / 3;
  bb_.fake().add_fault({{"kind", "rate_limit"}, {"budget", budget}, {"window_ms", 1500}});
  auto env = client_env();
  env.emplace_back("BBP_RATE_PROBE_MS=100");
  const auto r = bb_.scan(json_scan({"--concurrency", "4"}), env, Millis{60'000});
  expect_report(r, 0, baseline_findings(), {});
  EXPECT_EQ(api_requests(bb_.fake()) - rejections(bb_.fake()), needed);  // nothing read twice
  // Per window: the requests in flight when it closed and the probes that found it closed
  // (waits of 50-100 ms, doubling: at most five in 1.5 s). Not one per worker per retry.
  EXPECT_GT(rejections(bb_.fake()), 0U);
  EXPECT_LE(rejections(bb_.fake()), 3U * (4U + 5U));
}

TEST_F(FaultMatrix, MaxWaitZeroLeavesWhatTheWindowRefusedUnknownAsRateLimited) {
  bb_.fake().add_fault({{"kind", "rate_limit"}, {"budget", 8}, {"window_ms", 3'600'000}});
  const auto r = scan({"--max-wait", "0", "--concurrency", "1"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto report = report_of(r);
  EXPECT_EQ(report["scan"]["complete"], false);
  ASSERT_FALSE(report["unknown"].empty());
  for (const auto& u : report["unknown"]) {
    EXPECT_EQ(u["reason"], "rate_limited") << u.dump();
  }
  ASSERT_FALSE(report["errors"].empty());
  for (const auto& e : report["errors"]) {
    EXPECT_THAT(e["message"].get<std::string>(), HasSubstr("--max-wait")) << e.dump();
  }
  EXPECT_EQ(rejections(bb_.fake()), 1U);  // never waits, so never asks again
  EXPECT_THAT(r.err, HasSubstr("--max-wait"));
}

TEST_F(FaultMatrix, ShortMaxWaitWaitsThatLongThenReportsTheRestAsRateLimited) {
  bb_.fake().add_fault({{"kind", "rate_limit"}, {"budget", 8}, {"window_ms", 3'600'000}});
  auto env = client_env();
  env.emplace_back("BBP_RATE_PROBE_MS=200");
  const auto r =
      bb_.scan(json_scan({"--max-wait", "2s", "--concurrency", "1"}), env, Millis{60'000});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto report = report_of(r);
  ASSERT_FALSE(report["unknown"].empty());
  for (const auto& u : report["unknown"]) {
    EXPECT_EQ(u["reason"], "rate_limited") << u.dump();
  }
  // The first 429, then probes 100-200, 200-400, 400-800 ms apart (perhaps one more of
  // 800-1600) until the next wait would take the time held past two seconds: at least the
  // first three waits, 700 ms, whatever the jitter.
  EXPECT_GE(rejections(bb_.fake()), 2U);
  EXPECT_LE(rejections(bb_.fake()), 6U);
  EXPECT_GE(r.elapsed, Millis{700});
  EXPECT_LT(r.elapsed, Millis{20'000});
}

// An access token is told its hourly allowance with every answer: the scan stays under it
// instead of finding the wall. With six requests an hour and no time to wait, the seventh is
// never sent, so Bitbucket never answers 429.
TEST_F(FaultMatrix, XRateLimitLimitIsHonouredBeforeAnyWall) {
  auto scenario = fault_scenario();
  scenario["access_tokens"] = json::array(
      {{{"token", "at-fault"},
        {"scopes", {"account", "repository", "repository:admin", "project", "project:admin"}}}});
  bb_.start(scenario);
  bb_.fake().add_fault(
      {{"kind", "rate_limit"}, {"budget", 6}, {"window_ms", 3'600'000}, {"headers", true}});
  const auto r =
      bb_.run({"scan", "-f", "json", "--fail-on", "none", "--no-progress", "-w", "acme",
               "--max-wait", "1s", "--concurrency", "1", "--api-url", api()},
              {"BITBUCKET_ACCESS_TOKEN=at-fault", std::string("BBP_NOW=") + kNow}, Millis{60'000});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(rejections(bb_.fake()), 0U);
  EXPECT_EQ(bb_.fake().request_count(), 6U);
  const auto report = report_of(r);
  ASSERT_FALSE(report["unknown"].empty());
  for (const auto& u : report["unknown"]) {
    EXPECT_EQ(u["reason"], "rate_limited") << u.dump();
  }
}

TEST_F(FaultMatrix, RollingRateLimitWindowSlowsTheScanButItCompletes) {
  bb_.fake().add_fault({{"kind", "rate_limit"}, {"budget", 6}, {"window_ms", 1000}});
  auto env = client_env();
  env.emplace_back("BBP_RATE_PROBE_MS=100");
  const auto r = bb_.scan(json_scan({"--concurrency", "4"}), env, Millis{60'000});
  expect_report(r, 0, baseline_findings(), {});
  EXPECT_GT(rejections(bb_.fake()), 0U);  // the storm did happen
}

// ---- 5xx ------------------------------------------------------------------------------------

TEST_F(FaultMatrix, EachRetryableServerErrorThenSuccessIsInvisible) {
  const std::vector<std::pair<std::string, int>> cases = {
      {"api", 500}, {"web", 502}, {"keys", 503}, {"docs", 504}};
  for (const auto& [repo, status] : cases) {
    bb_.fake().add_fault({{"kind", "status"},
                          {"path", "/2.0/repositories/acme/" + repo + "/branch-restrictions"},
                          {"status", status},
                          {"content_type", "text/html"},
                          {"body", "<html><body>" + std::to_string(status) + "</body></html>"}});
  }
  const auto r = scan();
  expect_report(r, 0, baseline_findings(), {});
  for (const auto& [repo, status] : cases) {
    EXPECT_EQ(bb_.fake().request_count(path("/repositories/acme/" + repo + "/branch-restrictions")),
              2U)
        << status;
  }
}

TEST_F(FaultMatrix, ServerErrorUntilGiveUpMakesThatRepositoryUnknown) {
  bb_.fake().add_fault({{"kind", "status"},
                        {"path", "/2.0/repositories/acme/web/branch-restrictions"},
                        {"times", -1},
                        {"status", 503},
                        {"content_type", "text/html"},
                        {"body", "<html><body><h1>503 Service Unavailable</h1></body></html>"}});
  const auto r = scan({"--max-attempts", "3"});
  const auto report = expect_report(r, 3, without_repo(baseline_findings(), "acme/web"),
                                    branch_unknowns("acme/web", "api_error"));
  const auto e = single_error(report, path("/repositories/acme/web/branch-restrictions"), 503);
  EXPECT_EQ(e["message"], "HTTP 503");  // an HTML body is not quoted
  EXPECT_EQ(e["repository"], "acme/web");
  EXPECT_EQ(bb_.fake().request_count(path("/repositories/acme/web/branch-restrictions")), 3U);
  for (const auto& u : report["unknown"]) {
    EXPECT_EQ(u["detail"], "HTTP 503");
  }
}

// ---- Transport ------------------------------------------------------------------------------

TEST_F(FaultMatrix, ConnectionResetMidBodyOnceIsRetried) {
  bb_.fake().add_fault({{"kind", "drop"}, {"path", "/2.0/repositories/acme/keys/deploy-keys"}});
  const auto r = scan();
  expect_report(r, 0, baseline_findings(), {});
  EXPECT_EQ(bb_.fake().request_count(path("/repositories/acme/keys/deploy-keys")), 2U);
}

TEST_F(FaultMatrix, ConnectionResetMidBodyEveryTimeMakesTheKeysUnknown) {
  bb_.fake().add_fault(
      {{"kind", "drop"}, {"path", "/2.0/repositories/acme/keys/deploy-keys"}, {"times", -1}});
  const auto r = scan({"--max-attempts", "2"});
  const auto report = expect_report(r, 3, without(baseline_findings(), {"old-key old-deploy"}),
                                    {{"old-key acme/keys", "api_error"}});
  const auto e = single_error(report, path("/repositories/acme/keys/deploy-keys"), std::nullopt);
  EXPECT_THAT(e["message"].get<std::string>(), HasSubstr("connect error"));
  EXPECT_EQ(bb_.fake().request_count(path("/repositories/acme/keys/deploy-keys")), 2U);
}

TEST_F(FaultMatrix, SlowServerPastTimeoutIsATimeoutUnknownWithinTheBound) {
  bb_.fake().add_fault({{"kind", "latency"},
                        {"path", "/2.0/repositories/acme/web/branch-restrictions"},
                        {"times", -1},
                        {"ms", 10'000}});
  const auto r = scan({"--timeout", "1", "--max-attempts", "2"});
  const auto report = expect_report(r, 3, without_repo(baseline_findings(), "acme/web"),
                                    branch_unknowns("acme/web", "timeout"));
  const auto e =
      single_error(report, path("/repositories/acme/web/branch-restrictions"), std::nullopt);
  EXPECT_THAT(e["message"].get<std::string>(), HasSubstr("timeout error"));
  // Two attempts of one second plus one back-off wait of at most a second, not 10 s answers.
  EXPECT_LT(r.elapsed, Millis{8000});
}

TEST_F(FaultMatrix, SlowServerOnceWithinRetriesIsInvisible) {
  bb_.fake().add_fault({{"kind", "latency"},
                        {"path", "/2.0/repositories/acme/web/branch-restrictions"},
                        {"ms", 10'000}});
  const auto r = scan({"--timeout", "1"});
  expect_report(r, 0, baseline_findings(), {});
}

// ---- Malformed bodies -----------------------------------------------------------------------

TEST_F(FaultMatrix, TruncatedJsonIsAnInvalidResponseAndNotRetried) {
  bb_.fake().add_fault({{"kind", "malformed"},
                        {"path", "/2.0/repositories/acme/web/branch-restrictions"},
                        {"times", -1}});
  const auto r = scan();
  const auto report = expect_report(r, 3, without_repo(baseline_findings(), "acme/web"),
                                    branch_unknowns("acme/web", "invalid_response"));
  const auto e = single_error(report, path("/repositories/acme/web/branch-restrictions"), 200);
  EXPECT_EQ(e["message"], "the response is not valid JSON");
  EXPECT_EQ(bb_.fake().request_count(path("/repositories/acme/web/branch-restrictions")), 1U);
}

TEST_F(FaultMatrix, TruncatedRepositoryListingLeavesThatWorkspaceAsAnError) {
  bb_.fake().add_fault(
      {{"kind", "malformed"}, {"path", "/2.0/repositories/globex"}, {"times", -1}});
  const auto r = scan();
  // No repository of globex could be listed, so there is nothing to mark unknown: the error
  // entry and `complete: false` (exit 3) are what tell the user.
  const auto report = expect_report(r, 3, baseline_findings(), {}, 4);
  const auto e = single_error(report, path("/repositories/globex"), 200);
  EXPECT_EQ(e["workspace"], "globex");
  EXPECT_EQ(e["message"], "the response is not valid JSON");
}

TEST_F(FaultMatrix, StringForIsPrivateMakesPublicRepositoryUnknown) {
  auto scenario = fault_scenario();
  scenario["workspaces"][0]["repositories"][1]["is_private"] = "yes";  // web
  bb_.start(scenario);
  const auto r = scan();
  const auto report = expect_report(r, 3, baseline_findings(),
                                    {{"public-repository acme/web", "invalid_response"}});
  EXPECT_THAT(report["errors"], IsEmpty());  // the read worked; one field was unusable
  EXPECT_THAT(report["unknown"][0]["detail"].get<std::string>(), HasSubstr("is_private"));
}

TEST_F(FaultMatrix, ObjectForValuesIsAnInvalidResponse) {
  bb_.fake().add_fault({{"kind", "status"},
                        {"path", "/2.0/repositories/acme/api/branch-restrictions"},
                        {"times", -1},
                        {"status", 200},
                        {"body", {{"pagelen", 100}, {"page", 1}, {"values", {{"id", 1}}}}}});
  const auto r = scan();
  const auto report =
      expect_report(r, 3, baseline_findings(), branch_unknowns("acme/api", "invalid_response"));
  const auto e =
      single_error(report, path("/repositories/acme/api/branch-restrictions"), std::nullopt);
  EXPECT_EQ(e["message"], "a page of results has no 'values' list");
}

TEST_F(FaultMatrix, MissingValuesIsAnInvalidResponse) {
  bb_.fake().add_fault({{"kind", "status"},
                        {"path", "/2.0/repositories/acme/keys/deploy-keys"},
                        {"times", -1},
                        {"status", 200},
                        {"body", {{"pagelen", 100}, {"page", 1}, {"size", 0}}}});
  const auto r = scan();
  const auto report = expect_report(r, 3, without(baseline_findings(), {"old-key old-deploy"}),
                                    {{"old-key acme/keys", "invalid_response"}});
  const auto e = single_error(report, path("/repositories/acme/keys/deploy-keys"), std::nullopt);
  EXPECT_EQ(e["message"], "a page of results has no 'values' list");
}

TEST_F(FaultMatrix, HugeResponseWithContentLengthIsRefusedAtTheSizeCap) {
  bb_.fake().add_fault({{"kind", "huge"},
                        {"path", "/2.0/repositories/acme/keys/deploy-keys"},
                        {"times", -1},
                        {"bytes", std::int64_t{64} * 1024 * 1024 + 1}});
  const auto r = scan();
  const auto report = expect_report(r, 3, without(baseline_findings(), {"old-key old-deploy"}),
                                    {{"old-key acme/keys", "invalid_response"}});
  const auto e = single_error(report, path("/repositories/acme/keys/deploy-keys"), std::nullopt);
  EXPECT_THAT(e["message"].get<std::string>(),
              AllOf(HasSubstr("too_large"), HasSubstr("larger than 67108864 bytes")));
  EXPECT_EQ(bb_.fake().request_count(path("/repositories/acme/keys/deploy-keys")), 1U);  // no retry
}

TEST_F(FaultMatrix, HugeChunkedResponseIsCutOffAtTheSizeCap) {
  bb_.fake().add_fault({{"kind", "huge"},
                        {"path", "/2.0/repositories/acme/keys/deploy-keys"},
                        {"times", -1},
                        {"chunked", true},
                        {"bytes", std::int64_t{80} * 1024 * 1024}});
  const auto r = scan();
  const auto report = expect_report(r, 3, without(baseline_findings(), {"old-key old-deploy"}),
                                    {{"old-key acme/keys", "invalid_response"}});
  const auto e = single_error(report, path("/repositories/acme/keys/deploy-keys"), std::nullopt);
  EXPECT_THAT(e["message"].get<std::string>(), HasSubstr("larger than 67108864 bytes"));
  EXPECT_EQ(bb_.fake().request_count(path("/repositories/acme/keys/deploy-keys")), 1U);
}

// ---- Pagination -----------------------------------------------------------------------------

TEST_F(FaultMatrix, NextThatLoopsIsStoppedAsAnInvalidResponse) {
  // Every page of web's restrictions points at page 2 again.
  bb_.fake().add_fault(
      {{"kind", "status"},
       {"path", "/2.0/repositories/acme/web/branch-restrictions"},
       {"times", -1},
       {"status", 200},
       {"body",
        {{"pagelen", 100},
         {"values", json::array()},
         {"next", api() + "/repositories/acme/web/branch-restrictions?pagelen=100&page=2"}}}});
  const auto r = scan();
  const auto report = expect_report(r, 3, without_repo(baseline_findings(), "acme/web"),
                                    branch_unknowns("acme/web", "invalid_response"));
  const auto e =
      single_error(report, path("/repositories/acme/web/branch-restrictions"), std::nullopt);
  EXPECT_THAT(e["message"].get<std::string>(), HasSubstr("pagination loop"));
  EXPECT_EQ(bb_.fake().request_count(path("/repositories/acme/web/branch-restrictions")), 2U);
}

TEST_F(FaultMatrix, NextToAForeignHostIsRefusedAndNeverRequested) {
  fake::FakeBitbucket foreign(fault_scenario());
  foreign.start();
  bb_.fake().add_fault(
      {{"kind", "status"},
       {"path", "/2.0/repositories/acme/web/branch-restrictions"},
       {"times", -1},
       {"status", 200},
       {"body",
        {{"pagelen", 100},
         {"values", json::array()},
         {"next", foreign.api_url() + "/repositories/acme/web/branch-restrictions?page=2"}}}});
  const auto r = scan();
  const auto report = expect_report(r, 3, without_repo(baseline_findings(), "acme/web"),
                                    branch_unknowns("acme/web", "invalid_response"));
  const auto e =
      single_error(report, path("/repositories/acme/web/branch-restrictions"), std::nullopt);
  EXPECT_THAT(e["message"].get<std::string>(),
              HasSubstr("refused a 'next' link to another scheme, host or port"));
  EXPECT_EQ(foreign.request_count(), 0U);
}

// ---- Authentication -------------------------------------------------------------------------

TEST_F(FaultMatrix, Unauthorized401MidScanWithSuccessfulReMintIsInvisible) {
  bb_.fake().add_fault(
      {{"kind", "expire_tokens"}, {"path", "/2.0/repositories/acme/web/deploy-keys"}});
  const auto r = scan();
  expect_report(r, 0, baseline_findings(), {});
  EXPECT_EQ(bb_.fake().token_requests(), 2U);
  EXPECT_EQ(bb_.fake().request_count(path("/repositories/acme/web/deploy-keys")), 2U);
}

TEST_F(FaultMatrix, Unauthorized401MidScanWithRefusedReMintIsAnAuthenticationFailure) {
  bb_.fake().add_fault(
      {{"kind", "expire_tokens"}, {"path", "/2.0/repositories/acme/web/deploy-keys"}});
  bb_.fake().add_fault(
      {{"kind", "status"},
       {"path", "/site/oauth2/access_token"},
       {"skip", 1},
       {"times", -1},
       {"status", 400},
       {"body",
        {{"error", "invalid_client"}, {"error_description", "The OAuth consumer was disabled"}}}});
  const auto r = scan({"--concurrency", "1"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_THAT(r.err, HasSubstr("bbposture: authentication failed: the OAuth token endpoint "
                               "refused the client credentials (HTTP 400, invalid_client: The "
                               "OAuth consumer was disabled)"));
  EXPECT_THAT(r.out, IsEmpty());  // nothing read with a rejected credential is reported
  EXPECT_EQ(bb_.fake().token_requests(), 2U);
}

TEST_F(FaultMatrix, Unauthorized401MidScanWithTokenEndpointOutageIsSaidAsAnOutage) {
  bb_.fake().add_fault(
      {{"kind", "expire_tokens"}, {"path", "/2.0/repositories/acme/web/deploy-keys"}});
  bb_.fake().add_fault({{"kind", "status"},
                        {"path", "/site/oauth2/access_token"},
                        {"skip", 1},
                        {"times", -1},
                        {"status", 503},
                        {"body", "upstream unavailable"}});
  const auto r = scan({"--concurrency", "1", "--max-attempts", "2"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("failed (HTTP 503)"));
  EXPECT_THAT(r.err, Not(HasSubstr("authentication failed")));
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_EQ(bb_.fake().token_requests(), 3U);  // the first mint, then two attempts of the re-mint
}

TEST_F(FaultMatrix, TokenEndpointUnreachableIsSaidAsSuchWithEachRetry) {
  // A loopback port nobody listens on.
  int closed_port = 0;
  {
    fake::FakeBitbucket gone(fault_scenario());
    gone.start();
    closed_port = gone.port();
  }
  const std::string token_url =
      "http://127.0.0.1:" + std::to_string(closed_port) + "/site/oauth2/access_token";
  const auto r = bb_.run({"scan", "-f", "json", "--no-progress", "--max-attempts", "2", "--api-url",
                          api(), "--token-url", token_url});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("bbposture: cannot reach the OAuth token endpoint " + token_url));
  EXPECT_THAT(r.err, Not(HasSubstr("authentication failed")));
  // Each retry is said at the default log level, with the host and the reason.
  EXPECT_THAT(r.err, HasSubstr("cannot reach 127.0.0.1:" + std::to_string(closed_port) +
                               " (connect error"));
  EXPECT_THAT(r.err, HasSubstr("attempt 2 of 2"));
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_EQ(bb_.fake().request_count(), 0U);  // no API request without a token
}

// An outage of the token endpoint is not a verdict on the credential: exit 3, not 4.
TEST_F(FaultMatrix, TokenEndpointAnsweringServerErrorsIsRetriedThenSaidAsAnOutage) {
  bb_.fake().add_fault({{"kind", "status"},
                        {"path", "/site/oauth2/access_token"},
                        {"times", -1},
                        {"status", 502},
                        {"content_type", "text/html"},
                        {"body", "<html>Bad gateway</html>"}});
  const auto r = scan({"--max-attempts", "2"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("the OAuth token endpoint " + bb_.fake().token_url() +
                               " failed (HTTP 502)"));
  EXPECT_THAT(r.err, HasSubstr("this is not a verdict on the credential"));
  EXPECT_THAT(r.err, Not(HasSubstr("authentication failed")));
  EXPECT_EQ(bb_.fake().token_requests(), 2U);
  EXPECT_EQ(bb_.fake().request_count(), 2U);
}

// ---- Gone, unknown kinds, timestamps --------------------------------------------------------

TEST_F(FaultMatrix, GoneWorkspaceListingIsReportedAndTheOtherWorkspaceIsComplete) {
  bb_.fake().add_fault(
      {{"kind", "status"},
       {"path", "/2.0/repositories/globex"},
       {"times", -1},
       {"status", 410},
       {"body", json::parse(read_file(BBP_TEST_DATA_DIR "/api/error_change_2770.json"))}});
  const auto r = scan();
  const auto report = expect_report(r, 3, baseline_findings(), {}, 4);
  const auto e = single_error(report, path("/repositories/globex"), 410);
  EXPECT_EQ(e["workspace"], "globex");
  EXPECT_THAT(e["message"].get<std::string>(),
              HasSubstr("HTTP 410: CHANGE-2770 - Functionality has been deprecated"));
}

TEST_F(FaultMatrix, GoneRepositoryEndpointMakesItsRulesUnknownAsGone) {
  bb_.fake().add_fault(
      {{"kind", "status"},
       {"path", "/2.0/repositories/acme/api/branch-restrictions"},
       {"times", -1},
       {"status", 410},
       {"body", json::parse(read_file(BBP_TEST_DATA_DIR "/api/error_change_2770.json"))}});
  const auto r = scan();
  const auto report = expect_report(r, 3, baseline_findings(), branch_unknowns("acme/api", "gone"));
  single_error(report, path("/repositories/acme/api/branch-restrictions"), 410);
  EXPECT_EQ(bb_.fake().request_count(path("/repositories/acme/api/branch-restrictions")), 1U);
}

TEST_F(FaultMatrix, UnknownRestrictionKindsAreKeptButSatisfyNoRule) {
  auto scenario = fault_scenario();
  auto& repos = scenario["workspaces"][0]["repositories"];
  // api: fully protected plus kinds Bitbucket may add one day, and odd entries.
  repos[0]["branch_restrictions"].push_back(restriction(80, "require_signed_commits_someday"));
  repos[0]["branch_restrictions"].push_back(
      {{"id", 81}, {"kind", 42}, {"pattern", "main"}, {"branch_match_kind", "glob"}});
  repos[0]["branch_restrictions"].push_back(
      {{"id", 82}, {"kind", "push"}, {"pattern", "main"}, {"branch_match_kind", "regex_future"}});
  // web: only an unknown kind on main. It protects the branch in the sense of rule 7 (a
  // restriction applies) but satisfies none of the specific rules.
  repos[1]["branch_restrictions"] = json::array({restriction(83, "lock_branch_future")});
  bb_.start(scenario);
  const auto r = scan();
  expect_report(r, 0, without(baseline_findings(), {"no-default-branch-protection acme/web"}), {});
}

TEST_F(FaultMatrix, TimestampsWithoutFractionsWithOffsetsAndInvalidOnes) {
  auto scenario = fault_scenario();
  auto& repos = scenario["workspaces"][0]["repositories"];
  // Stale limit: 365 days before 2026-11-28T00:00Z, i.e. 2025-11-28T00:00Z.
  repos[0]["updated_on"] = "2026-10-01T12:00:00Z";       // api: no fraction, fresh
  repos[1]["updated_on"] = "2025-11-27T23:00:00-02:00";  // web: 01:00Z, just inside
  repos[3]["updated_on"] = "2025-11-28T01:00:00+02:00";  // docs: 23:00Z the day before: stale
  repos[2]["updated_on"] = "2026-02-30T10:00:00Z";       // keys: no such day
  // Key age limit: 180 days, i.e. 2026-06-01T00:00Z.
  repos[0]["deploy_keys"] = json::array(
      {deploy_key(71, "offset-fresh", "ssh-ed25519 AAAA71", "2026-05-31T20:00:00-05:00"),
       deploy_key(72, "offset-old", "ssh-ed25519 AAAA72", "2026-06-01T01:00:00+02:00"),
       deploy_key(73, "short-fraction", "ssh-ed25519 AAAA73", "2026-10-01T12:00:00.5Z"),
       deploy_key(74, "bad-date", "ssh-ed25519 AAAA74", "yesterday")});
  bb_.start(scenario);
  const auto r = scan();
  auto findings = baseline_findings();
  findings.insert("stale-repository acme/docs");
  findings.insert("old-key offset-old");
  const auto report = expect_report(r, 3, findings,
                                    {{"stale-repository acme/keys", "invalid_response"},
                                     {"old-key bad-date", "invalid_response"}});
  EXPECT_THAT(report["errors"], IsEmpty());
  for (const auto& f : report["findings"]) {
    if (f["rule"] == "stale-repository") {
      EXPECT_EQ(f["evidence"]["updated_on"], "2025-11-27T23:00:00Z");  // normalised to UTC
      EXPECT_EQ(f["evidence"]["age_days"], 365);
    }
  }
}

}  // namespace
}  // namespace bbp::test
