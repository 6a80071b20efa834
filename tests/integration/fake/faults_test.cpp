// Fault injection of the fake server: each kind, matching, skip and times.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "fake_test_support.hpp"

namespace bbp::fake::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

class FakeFaultsTest : public FakeServerTest {
 protected:
  long long elapsed_ms(Clock::time_point since) const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
  }
  Caller access_token() const { return Caller(*server_).bearer(kAccessToken); }
};

// A window of an hour: nothing leaves it while a test runs.
constexpr std::int64_t kHourMs = 3600000;

void expect_rate_headers(const Response& response, const std::string& limit,
                         const std::string& near_limit) {
  EXPECT_EQ(response.header("X-RateLimit-Limit"), limit);
  EXPECT_EQ(response.header("X-RateLimit-Resource"), "api");
  EXPECT_EQ(response.header("X-RateLimit-NearLimit"), near_limit);
}

void expect_no_rate_headers(const Response& response) {
  EXPECT_FALSE(response.headers.count("X-RateLimit-Limit") != 0);
  EXPECT_FALSE(response.headers.count("X-RateLimit-Resource") != 0);
  EXPECT_FALSE(response.headers.count("X-RateLimit-NearLimit") != 0);
}

TEST_F(FakeFaultsTest, StatusFaultAnswersCannedResponseThenRecovers) {
  server_->add_fault({{"kind", "status"},
                      {"path", "/2.0/repositories/acme"},
                      {"status", 429},
                      {"body", "Rate limit for this resource has been exceeded"},
                      {"content_type", "text/plain"},
                      {"headers", {{"Retry-After", "2"}}}});
  const auto limited = api().get("/2.0/repositories/acme");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.body, "Rate limit for this resource has been exceeded");
  EXPECT_EQ(limited.header("Content-Type"), "text/plain");
  EXPECT_EQ(limited.header("Retry-After"), "2");
  EXPECT_EQ(api().get("/2.0/repositories/acme").status, 200);  // times defaults to 1
}

TEST_F(FakeFaultsTest, SkipTimesGlobAndMethod) {
  server_->add_fault({{"kind", "status"},
                      {"path", "/2.0/repositories/acme/*/branch-restrictions"},
                      {"method", "GET"},
                      {"status", 503},
                      {"body", "<html><body>Service Unavailable</body></html>"},
                      {"content_type", "text/html"},
                      {"skip", 1},
                      {"times", 2}});
  const std::string path = "/2.0/repositories/acme/api/branch-restrictions";
  EXPECT_EQ(api().get(path).status, 200);  // skipped
  EXPECT_EQ(api().get(path).status, 503);
  EXPECT_EQ(api().get("/2.0/repositories/acme/web/branch-restrictions").status, 503);
  EXPECT_EQ(api().get(path).status, 200);                      // exhausted
  EXPECT_EQ(api().get("/2.0/repositories/acme").status, 200);  // never matched
}

TEST_F(FakeFaultsTest, AlwaysFaultWithJsonBody) {
  server_->add_fault(json::parse(R"({
    "kind": "status", "path": "/2.0/user", "status": 403, "times": -1,
    "body": {"type": "error",
             "error": {"message": "Your credentials lack one or more required privilege scopes.",
                       "detail": {"granted": ["email"], "required": ["account"]}}}})"));
  for (int i = 0; i < 3; ++i) {
    const auto response = api().get("/2.0/user");
    EXPECT_EQ(response.status, 403);
    EXPECT_EQ(response.header("Content-Type"), "application/json");
    EXPECT_EQ(response.json().at("error").at("detail").at("required"), json({"account"}));
  }
}

TEST_F(FakeFaultsTest, LatencyDelaysThenAnswersNormally) {
  server_->add_fault({{"kind", "latency"}, {"path", "/2.0/user"}, {"ms", 300}});
  const auto start = Clock::now();
  EXPECT_EQ(api().get("/2.0/user").status, 200);
  EXPECT_GE(elapsed_ms(start), 300);
  // The fault fired once (times defaults to 1): the next request is answered normally.
  EXPECT_EQ(api().get("/2.0/user").status, 200);
  EXPECT_EQ(server_->request_count("/2.0/user"), 2U);
}

TEST_F(FakeFaultsTest, GlobalLatencySetting) {
  server_->set_latency(std::chrono::milliseconds(150));
  const auto start = Clock::now();
  EXPECT_EQ(api().get("/2.0/user").status, 200);
  EXPECT_GE(elapsed_ms(start), 150);
}

TEST_F(FakeFaultsTest, DropGivesTransportError) {
  server_->add_fault({{"kind", "drop"}, {"path", "/2.0/repositories/acme"}});
  const auto dropped = api().get("/2.0/repositories/acme");
  EXPECT_FALSE(dropped.ok);
  EXPECT_EQ(api().get("/2.0/repositories/acme").status, 200);
  ASSERT_FALSE(server_->requests().empty());
  EXPECT_EQ(server_->requests().front().status, 0);
}

TEST_F(FakeFaultsTest, MalformedBody) {
  server_->add_fault({{"kind", "malformed"}, {"path", "/2.0/repositories/*"}});
  const auto response = api().get("/2.0/repositories/acme");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("Content-Type"), "application/json");
  EXPECT_EQ(response.body, R"({"values": [ {)");
  EXPECT_THROW((void)response.json(), json::parse_error);
}

TEST_F(FakeFaultsTest, ExpireTokensAnswers401AndVoidsTokens) {
  const std::string token = mint_token(*server_);
  server_->add_fault({{"kind", "expire_tokens"}, {"path", "/2.0/repositories/acme"}, {"skip", 1}});
  const Caller caller = Caller(*server_).bearer(token);
  EXPECT_EQ(caller.get("/2.0/repositories/acme").status, 200);
  const auto expired = caller.get("/2.0/repositories/acme");
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.json().at("error").at("message"), "Access token expired.");
  EXPECT_EQ(caller.get("/2.0/repositories/acme").status, 401);
  EXPECT_EQ(Caller(*server_).bearer(mint_token(*server_)).get("/2.0/repositories/acme").status,
            200);
}

TEST_F(FakeFaultsTest, HugeBodyHasRequestedSize) {
  server_->add_fault({{"kind", "huge"}, {"path", "/2.0/repositories/acme"}, {"bytes", 3000000}});
  const auto response = api().get("/2.0/repositories/acme");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body.size(), 3000000U);
  EXPECT_EQ(response.json().at("values").size(), 1U);  // valid, just big
}

TEST_F(FakeFaultsTest, RateLimitWindow) {
  server_->add_fault({{"kind", "rate_limit"}, {"budget", 3}, {"window_ms", 400}});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(api().get("/2.0/repositories/acme").status, 200) << i;
  }
  const auto limited = api().get("/2.0/user");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.body, "Rate limit for this resource has been exceeded");
  EXPECT_EQ(limited.header("Content-Type"), "text/plain");
  EXPECT_EQ(limited.header("Retry-After"), "");
  // The token endpoint is not an API request.
  EXPECT_FALSE(mint_token(*server_).empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(450));
  EXPECT_EQ(api().get("/2.0/user").status, 200);
}

TEST_F(FakeFaultsTest, RateLimitHeadersForAccessTokens) {
  server_->add_fault(
      {{"kind", "rate_limit"}, {"budget", 5}, {"window_ms", kHourMs}, {"headers", true}});
  for (int i = 1; i <= 5; ++i) {
    const auto response = access_token().get("/2.0/repositories/acme");
    EXPECT_EQ(response.status, 200) << i;
    expect_rate_headers(response, "5", i >= 4 ? "true" : "false");  // 4 of 5 is 80%
  }
  const auto limited = access_token().get("/2.0/repositories/acme");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.body, "Rate limit for this resource has been exceeded");
  EXPECT_EQ(limited.header("Retry-After"), "");
  expect_rate_headers(limited, "5", "true");
}

TEST_F(FakeFaultsTest, RateLimitHeadersOnEveryApiAnswerToAnAccessToken) {
  server_->add_fault(
      {{"kind", "rate_limit"}, {"budget", 10}, {"window_ms", kHourMs}, {"headers", true}});
  const auto forbidden = access_token().get("/2.0/user");  // lacks the account scope
  EXPECT_EQ(forbidden.status, 403);
  expect_rate_headers(forbidden, "10", "false");
  const auto missing = access_token().get("/2.0/repositories/acme/no-such-repo");
  EXPECT_EQ(missing.status, 404);
  expect_rate_headers(missing, "10", "false");
  // An unknown bearer token is not an access token.
  expect_no_rate_headers(Caller(*server_).bearer("at-unknown").get("/2.0/repositories/acme"));
}

TEST_F(FakeFaultsTest, RateLimitHeadersLimitIsBudgetPerHour) {
  // 7 per 2 h is 3.5 an hour, rounded down; 1 per 2 h and a millisecond rounds to 0, shown as 1.
  server_->add_fault({{"kind", "rate_limit"},
                      {"path", "/2.0/repositories/acme"},
                      {"budget", 7},
                      {"window_ms", 2 * kHourMs},
                      {"headers", true}});
  server_->add_fault({{"kind", "rate_limit"},
                      {"path", "/2.0/repositories/acme/api"},
                      {"budget", 1},
                      {"window_ms", 2 * kHourMs + 1},
                      {"headers", true}});
  server_->add_fault({{"kind", "rate_limit"},
                      {"path", "/2.0/repositories/acme/web"},
                      {"budget", 100},
                      {"window_ms", 1000}});
  expect_rate_headers(access_token().get("/2.0/repositories/acme"), "3", "false");
  expect_rate_headers(access_token().get("/2.0/repositories/acme/api"), "1", "true");
  // Without `headers` (the default) not even access tokens get them.
  const auto plain = access_token().get("/2.0/repositories/acme/web");
  EXPECT_EQ(plain.status, 200);
  expect_no_rate_headers(plain);
}

TEST_F(FakeFaultsTest, RateLimitHeadersNeverForOtherCredentials) {
  server_->add_fault(
      {{"kind", "rate_limit"}, {"budget", 3}, {"window_ms", kHourMs}, {"headers", true}});
  const Caller oauth = Caller(*server_).bearer(mint_token(*server_));
  const auto minted = oauth.get("/2.0/repositories/acme");
  EXPECT_EQ(minted.status, 200);
  expect_no_rate_headers(minted);
  const auto api_token = api().get("/2.0/repositories/acme");
  EXPECT_EQ(api_token.status, 200);
  expect_no_rate_headers(api_token);
  // Every credential shares the window: the access token's request uses the last of the budget.
  expect_rate_headers(access_token().get("/2.0/repositories/acme"), "3", "true");
  for (const Caller& caller : {oauth, api(), Caller(*server_).anonymous()}) {
    const auto limited = caller.get("/2.0/repositories/acme");
    EXPECT_EQ(limited.status, 429);
    expect_no_rate_headers(limited);
  }
}

TEST(FakeFaultsScenarioTest, FaultsAndLatencyFromScenario) {
  json scenario = basic_scenario();
  scenario["latency_ms"] = 100;
  scenario["faults"] = json::array({{{"kind", "status"},
                                     {"path", "/2.0/user"},
                                     {"status", 502},
                                     {"body", "<html>bad</html>"},
                                     {"content_type", "text/html"}}});
  FakeBitbucket server(scenario);
  server.start();
  const auto start = Clock::now();
  const auto response = Caller(server).basic(kApiEmail, kApiToken).get("/2.0/user");
  EXPECT_GE(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count(),
            100);
  EXPECT_EQ(response.status, 502);
  EXPECT_EQ(response.header("Content-Type"), "text/html");
}

TEST(FakeFaultsScenarioTest, InvalidFaultsAreRejected) {
  json scenario = basic_scenario();
  scenario["faults"] = json::array({{{"kind", "explode"}}});
  EXPECT_THROW(FakeBitbucket{scenario}, std::invalid_argument);
  FakeBitbucket server(basic_scenario());
  EXPECT_THROW(server.add_fault({{"kind", "status"}, {"status", "500"}}), std::invalid_argument);
  EXPECT_THROW(server.add_fault({{"kind", "latency"}, {"ms", -1}}), std::invalid_argument);
  EXPECT_THROW(server.add_fault({{"kind", "rate_limit"}, {"budget", 1}, {"headers", "yes"}}),
               std::invalid_argument);
}

}  // namespace
}  // namespace bbp::fake::testing
