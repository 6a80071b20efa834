// The real HTTP stack (curl → count → retry) and the Bitbucket client against the fake
// Bitbucket Cloud server on loopback. Waits go through a RecordingSleeper: nothing sleeps.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bbp/bitbucket/api_client.hpp"
#include "bbp/bitbucket/collector.hpp"
#include "bbp/bitbucket/token_source.hpp"
#include "bbp/http/counting_transport.hpp"
#include "bbp/http/curl_transport.hpp"
#include "bbp/http/retrying_transport.hpp"
#include "fake_bitbucket/server.hpp"
#include "http_fakes.hpp"

namespace bbp {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;

json scenario() {
  json repos = json::array();
  for (int i = 0; i < 12; ++i) {
    repos.push_back({{"slug", "repo-" + std::to_string(100 + i)}, {"project", "PLAT"}});
  }
  return {
      {"oauth_clients",
       json::array(
           {{{"client_id", "stack-client"},
             {"client_secret", "stack-secret-value"},
             {"scopes", {"account", "repository", "repository:admin", "project", "project:admin"}},
             {"expires_in", 60}}})},
      {"workspaces", json::array({{{"slug", "acme"},
                                   {"projects", json::array({{{"key", "PLAT"}}})},
                                   {"repositories", repos}}})}};
}

class ApiStack : public ::testing::Test {
 protected:
  ApiStack()
      : curl_(http::CurlTransportOptions{"bbposture-test", milliseconds{5000}, milliseconds{2000},
                                         std::nullopt, std::size_t{1} << 20, nullptr}),
        counting_(curl_),
        sleeper_(&clock_),
        retrying_(counting_, sleeper_, retry_options()) {
    fake_.start();
    tokens_ = std::make_unique<bitbucket::ClientCredentialsTokenSource>(
        retrying_, fake_.token_url(), "stack-client", bitbucket::Secret("stack-secret-value"),
        clock_);
    api_ = std::make_unique<bitbucket::ApiClient>(retrying_, *tokens_, fake_.api_url());
  }

  static http::RetryOptions retry_options() {
    http::RetryOptions o;
    o.policy.max_attempts = 4;
    o.jitter = [] { return 0.5; };  // deterministic: half of each exponential cap
    return o;
  }

  static http::CurlGlobal& curl_global() {
    static http::CurlGlobal global;
    return global;
  }

  [[maybe_unused]] http::CurlGlobal& global_ = curl_global();
  fake::FakeBitbucket fake_{scenario()};
  http::CurlTransport curl_;
  http::CountingTransport counting_;
  fakes::FakeMonotonicClock clock_;
  fakes::RecordingSleeper sleeper_;
  http::RetryingTransport retrying_;
  std::unique_ptr<bitbucket::ClientCredentialsTokenSource> tokens_;
  std::unique_ptr<bitbucket::ApiClient> api_;
};

TEST_F(ApiStack, MintsOneTokenAndReusesIt) {
  ASSERT_TRUE(api_->get_json("/repositories/acme"));
  ASSERT_TRUE(api_->get_json("/repositories/acme"));
  EXPECT_EQ(fake_.token_requests(), 1U);
  EXPECT_EQ(tokens_->granted_scopes().size(), 5U);
}

TEST_F(ApiStack, RemintsOnceAfterA401) {
  ASSERT_TRUE(api_->get_json("/repositories/acme"));
  fake_.expire_all_tokens();
  const auto again = api_->get_json("/repositories/acme");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(fake_.token_requests(), 2U);
  EXPECT_EQ(fake_.request_count("/2.0/repositories/acme"), 3U);  // ok, 401, ok
}

TEST_F(ApiStack, RemintsShortlyBeforeExpiry) {
  ASSERT_TRUE(api_->get_json("/repositories/acme"));
  clock_.advance(std::chrono::seconds{53});  // 60 s token, renewed 6 s (a tenth) early
  ASSERT_TRUE(api_->get_json("/repositories/acme"));
  EXPECT_EQ(fake_.token_requests(), 1U);
  clock_.advance(std::chrono::seconds{2});
  ASSERT_TRUE(api_->get_json("/repositories/acme"));
  EXPECT_EQ(fake_.token_requests(), 2U);
}

TEST_F(ApiStack, EachRetryableStatusIsRetriedWithRecordedBackoff) {
  for (const int status : {429, 500, 502, 503, 504}) {
    SCOPED_TRACE(status);
    fake_.reset_counters();
    const auto before = sleeper_.count();
    fake_.add_fault({{"kind", "status"},
                     {"path", "/2.0/repositories/acme"},
                     {"status", status},
                     {"times", 2},
                     {"content_type", status == 429 ? "text/plain" : "text/html"},
                     {"body", status == 429 ? "Rate limit for this resource has been exceeded"
                                            : "<html>oops</html>"}});
    const auto page = api_->get_json("/repositories/acme");
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_EQ(fake_.request_count("/2.0/repositories/acme"), 3U);
    const auto waits = sleeper_.waits();
    ASSERT_EQ(waits.size() - before, 2U);
    // Full jitter at 0.5 of the cap: 500 ms then 1 s; a 429 waits at least the 1 s base.
    const auto first = waits[before];
    const auto second = waits[before + 1];
    EXPECT_EQ(first, status == 429 ? milliseconds{1000} : milliseconds{500});
    EXPECT_EQ(second, milliseconds{1000});
  }
}

TEST_F(ApiStack, GivesUpAfterTheAttemptCapWithTheReason) {
  fake_.add_fault({{"kind", "status"},
                   {"path", "/2.0/repositories/acme"},
                   {"status", 503},
                   {"times", -1},
                   {"body", "<html>down</html>"},
                   {"content_type", "text/html"}});
  ASSERT_TRUE(tokens_->authorization());
  const auto before = counting_.count();
  const auto page = api_->get_json("/repositories/acme");
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().http_status, 503);
  EXPECT_EQ(page.error().reason, core::UnknownReason::api_error);
  EXPECT_THAT(page.error().message, Not(HasSubstr("<html>")));
  EXPECT_EQ(counting_.count() - before, 4U);  // max_attempts
  EXPECT_EQ(sleeper_.count(), 3U);
}

TEST_F(ApiStack, HonoursRetryAfter) {
  fake_.add_fault({{"kind", "status"},
                   {"path", "/2.0/repositories/acme"},
                   {"status", 429},
                   {"headers", {{"Retry-After", "7"}}},
                   {"content_type", "text/plain"},
                   {"body", "Rate limit for this resource has been exceeded"}});
  ASSERT_TRUE(api_->get_json("/repositories/acme"));
  EXPECT_EQ(sleeper_.waits(), (std::vector<milliseconds>{milliseconds{7000}}));
}

TEST_F(ApiStack, FollowsEveryPage) {
  std::vector<std::string> slugs;
  const auto done = api_->for_each_page("/repositories/acme?pagelen=5", [&](const json& values) {
    for (const auto& v : values) {
      slugs.push_back(v["slug"]);
    }
    return true;
  });
  ASSERT_TRUE(done);
  EXPECT_EQ(slugs.size(), 12U);
  EXPECT_EQ(fake_.request_count("/2.0/repositories/acme"), 3U);
}

TEST_F(ApiStack, RefusesANextLinkToAnotherHostWithoutSendingAnything) {
  fake_.add_fault({{"kind", "status"},
                   {"path", "/2.0/repositories/acme"},
                   {"status", 200},
                   {"content_type", "application/json"},
                   {"body", R"({"values": [], "next": "http://127.0.0.2:9/2.0/steal"})"}});
  const auto done = api_->for_each_page("/repositories/acme", [](const json&) { return true; });
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().kind, bitbucket::ApiError::Kind::refused_url);
  EXPECT_EQ(counting_.count(), 2U);  // the token and the first page; nothing to 127.0.0.2
}

TEST_F(ApiStack, StopsARepeatedNextLink) {
  const std::string self = fake_.api_url() + "/repositories/acme?page=1";
  fake_.add_fault({{"kind", "status"},
                   {"path", "/2.0/repositories/acme"},
                   {"status", 200},
                   {"times", -1},
                   {"content_type", "application/json"},
                   {"body", json{{"values", json::array()}, {"next", self}}.dump()}});
  const auto done = api_->for_each_page(self, [](const json&) { return true; });
  ASSERT_FALSE(done);
  EXPECT_THAT(done.error().message, HasSubstr("loop"));
  EXPECT_EQ(fake_.request_count("/2.0/repositories/acme"), 1U);
}

TEST_F(ApiStack, PlainHttpIsOnlyForLoopback) {
  EXPECT_TRUE(bitbucket::validate_service_url(fake_.api_url(), "--api-url"));
  EXPECT_FALSE(bitbucket::validate_service_url("http://api.bitbucket.org/2.0", "--api-url"));
}

TEST_F(ApiStack, TraceLogOfAFullCollectionHoldsNoSecret) {
  std::string log;
  std::string header;
  {
    const fakes::ScopedLogCapture capture(spdlog::level::trace);
    bitbucket::CollectOptions options;
    options.scope.workspaces = {"acme"};
    options.concurrency = 4;
    fake_.add_fault({{"kind", "status"},
                     {"path", "/2.0/repositories/acme/repo-101/deploy-keys"},
                     {"status", 500},
                     {"body", "<html>x</html>"},
                     {"content_type", "text/html"}});
    const auto result = bitbucket::Collector(*api_, options).run();
    EXPECT_FALSE(result.auth_failure);
    EXPECT_EQ(result.snapshot.workspaces.at(0).repositories.size(), 12U);
    header = tokens_->authorization()->header.reveal();
    log = capture.text();
  }
  EXPECT_THAT(log, HasSubstr("/2.0/repositories/acme"));  // the trace did log the exchange
  const std::string token = header.substr(header.find(' ') + 1);
  ASSERT_GT(token.size(), 8U);
  EXPECT_THAT(log, Not(HasSubstr(token)));
  EXPECT_THAT(log, Not(HasSubstr("stack-secret-value")));
  EXPECT_THAT(log, Not(HasSubstr(bitbucket::base64_encode("stack-client:stack-secret-value"))));
}

}  // namespace
}  // namespace bbp
