#include "bbp/bitbucket/token_source.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http_fakes.hpp"

namespace bbp::bitbucket {
namespace {

using namespace std::chrono_literals;

constexpr const char* kTokenUrl = "https://bitbucket.org/site/oauth2/access_token";
constexpr const char* kSecret = "cs-S3CR3T-value";

std::string token_body(const std::string& token, int expires_in = 7200,
                       const char* scope_key = "scope", const char* scopes = "repository account") {
  nlohmann::json body = {{"access_token", token},
                         {"expires_in", expires_in},
                         {"token_type", "bearer"},
                         {"state", "client_credentials"}};
  body[scope_key] = scopes;
  return body.dump();
}

class ClientCredentials : public ::testing::Test {
 protected:
  void push_token(const std::string& token, int expires_in = 7200) {
    transport.push_response(200, token_body(token, expires_in),
                            {{"Content-Type", "application/json"}});
  }

  fakes::FakeTransport transport;
  fakes::FakeMonotonicClock clock;
  ClientCredentialsTokenSource source{transport, kTokenUrl, "my-client", Secret(kSecret), clock};
};

TEST_F(ClientCredentials, MintsWithAFormPostAndBasicClientAuthentication) {
  push_token("tok-1");
  const auto auth = source.authorization();
  ASSERT_TRUE(auth) << auth.error().message;
  EXPECT_EQ(auth->header.reveal(), "Bearer tok-1");

  ASSERT_EQ(transport.request_count(), 1u);
  const auto request = transport.last_request();
  EXPECT_EQ(request.method, http::Method::post);
  EXPECT_EQ(request.url, kTokenUrl);
  EXPECT_EQ(http::find_header(request.headers, "authorization"),
            "Basic " + base64_encode(std::string("my-client:") + kSecret));
  EXPECT_EQ(http::find_header(request.headers, "content-type"),
            "application/x-www-form-urlencoded");
  EXPECT_EQ(request.body, "grant_type=client_credentials");
  EXPECT_EQ(request.body.find(kSecret), std::string::npos);
}

TEST_F(ClientCredentials, ReadsTheScopeField) {
  transport.push_response(200, token_body("tok-1", 7200, "scope", "repository:admin account"));
  ASSERT_TRUE(source.authorization());
  EXPECT_EQ(source.granted_scopes(), (std::vector<std::string>{"repository:admin", "account"}));
}

TEST_F(ClientCredentials, ReadsTheOlderScopesField) {
  transport.push_response(200, token_body("tok-1", 7200, "scopes", "project repository:admin"));
  ASSERT_TRUE(source.authorization());
  EXPECT_EQ(source.granted_scopes(), (std::vector<std::string>{"project", "repository:admin"}));
}

TEST_F(ClientCredentials, CachesTheToken) {
  push_token("tok-1");
  const auto first = source.authorization();
  clock.advance(30min);
  const auto second = source.authorization();
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_EQ(transport.request_count(), 1u);
  EXPECT_EQ(second->header.reveal(), "Bearer tok-1");
  EXPECT_EQ(first->generation, second->generation);
  EXPECT_EQ(source.tokens_minted(), 1u);
}

TEST_F(ClientCredentials, RenewsShortlyBeforeExpiry) {
  push_token("tok-1", 7200);
  push_token("tok-2", 7200);
  const auto first = source.authorization();
  ASSERT_TRUE(first);

  // Still valid well before expiry...
  clock.advance(std::chrono::seconds(7200) - 10min);
  auto again = source.authorization();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->header.reveal(), "Bearer tok-1");
  EXPECT_EQ(transport.request_count(), 1u);

  // ...but replaced before it actually expires.
  clock.advance(9min);
  again = source.authorization();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->header.reveal(), "Bearer tok-2");
  EXPECT_EQ(transport.request_count(), 2u);
  EXPECT_NE(again->generation, first->generation);
}

TEST_F(ClientCredentials, AbsurdLifetimesAreSurvived) {
  for (const char* expires_in : {"9223372036854775807", "1e300", "-5", "0", "\"7200\"", "7200.5"}) {
    SCOPED_TRACE(expires_in);
    fakes::FakeTransport local;
    ClientCredentialsTokenSource cc(local, kTokenUrl, "my-client", Secret(kSecret), clock);
    local.push_response(
        200, std::string(R"({"access_token": "tok-1", "expires_in": )") + expires_in + "}");
    local.push_response(200, token_body("tok-2"));
    const auto auth = cc.authorization();
    ASSERT_TRUE(auth) << auth.error().message;
    EXPECT_EQ(auth->header.reveal(), "Bearer tok-1");
    // Whatever the answer said, a token is replaced within a day.
    clock.advance(std::chrono::hours(25));
    const auto later = cc.authorization();
    ASSERT_TRUE(later);
    EXPECT_EQ(later->header.reveal(), "Bearer tok-2");
  }
}

TEST_F(ClientCredentials, NeverLogsTheSecretOrTheToken) {
  fakes::ScopedLogCapture log;
  push_token("tok-SENSITIVE-1");
  transport.push_response(400, R"({"error": "invalid_grant", "error_description": "nope"})");
  const auto auth = source.authorization();
  ASSERT_TRUE(auth);
  EXPECT_FALSE(source.renew(auth->generation));
  const std::string text = log.text();
  EXPECT_EQ(text.find(kSecret), std::string::npos) << text;
  EXPECT_EQ(text.find("tok-SENSITIVE-1"), std::string::npos) << text;
  EXPECT_EQ(text.find(base64_encode(std::string("my-client:") + kSecret)), std::string::npos);
}

TEST_F(ClientCredentials, ShortLivedTokenIsRenewedBeforeItsEnd) {
  push_token("tok-1", 60);
  push_token("tok-2", 60);
  ASSERT_TRUE(source.authorization());
  clock.advance(59s);
  const auto auth = source.authorization();
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->header.reveal(), "Bearer tok-2");
}

TEST_F(ClientCredentials, RenewAfterA401MintsOncePerFailedGeneration) {
  push_token("tok-1");
  push_token("tok-2");
  const auto first = source.authorization();
  ASSERT_TRUE(first);

  // Two callers saw the same 401 with the first token.
  const auto renewed = source.renew(first->generation);
  ASSERT_TRUE(renewed);
  EXPECT_TRUE(*renewed);
  const auto renewed_again = source.renew(first->generation);
  ASSERT_TRUE(renewed_again);
  EXPECT_TRUE(*renewed_again);

  EXPECT_EQ(transport.request_count(), 2u);
  EXPECT_EQ(source.tokens_minted(), 2u);
  const auto now = source.authorization();
  ASSERT_TRUE(now);
  EXPECT_EQ(now->header.reveal(), "Bearer tok-2");
  EXPECT_EQ(transport.request_count(), 2u);
}

TEST_F(ClientCredentials, ConcurrentRenewalsOfTheSameGenerationMintOnce) {
  push_token("tok-1");
  const auto first = source.authorization();
  ASSERT_TRUE(first);
  transport.set_handler(
      [](const http::Request&) { return fakes::make_response(200, token_body("tok-n")); });

  std::atomic<int> ok{0};
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&] {
        const auto renewed = source.renew(first->generation);
        if (renewed && *renewed) {
          ++ok;
        }
      });
    }
  }
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(transport.request_count(), 2u);
  EXPECT_EQ(source.tokens_minted(), 2u);
}

TEST_F(ClientCredentials, ErrorAnswerBecomesAuthFailureWithoutTheSecret) {
  transport.push_response(
      400,
      R"({"error_description": "Invalid OAuth client credentials", "error": "unauthorized_client"})",
      {{"Content-Type", "application/json"}});
  const auto auth = source.authorization();
  ASSERT_FALSE(auth);
  EXPECT_NE(auth.error().message.find("unauthorized_client"), std::string::npos)
      << auth.error().message;
  EXPECT_NE(auth.error().message.find("Invalid OAuth client credentials"), std::string::npos)
      << auth.error().message;
  EXPECT_NE(auth.error().message.find("400"), std::string::npos) << auth.error().message;
  EXPECT_EQ(auth.error().message.find(kSecret), std::string::npos) << auth.error().message;
  EXPECT_EQ(auth.error().message.find(base64_encode(std::string("my-client:") + kSecret)),
            std::string::npos);
}

TEST_F(ClientCredentials, PublicConsumerRefusalIsShown) {
  transport.push_response(
      400,
      R"({"error_description": "Cannot use client_credentials with a consumer marked as \"public\". Calls for auto generated consumers should use urn:bitbucket:oauth2:jwt instead.", "error": "invalid_grant"})");
  const auto auth = source.authorization();
  ASSERT_FALSE(auth);
  EXPECT_NE(auth.error().message.find("invalid_grant"), std::string::npos);
  EXPECT_NE(auth.error().message.find("public"), std::string::npos);
}

TEST_F(ClientCredentials, NonJsonErrorAnswerStillFails) {
  transport.push_response(503, "<html><body>Service unavailable</body></html>");
  const auto auth = source.authorization();
  ASSERT_FALSE(auth);
  EXPECT_NE(auth.error().message.find("503"), std::string::npos);
}

TEST_F(ClientCredentials, TransportErrorBecomesAuthFailure) {
  transport.push_error(http::TransportErrorKind::dns, "could not resolve bitbucket.org");
  const auto auth = source.authorization();
  ASSERT_FALSE(auth);
  EXPECT_NE(auth.error().message.find("could not resolve"), std::string::npos);
  EXPECT_EQ(auth.error().message.find(kSecret), std::string::npos);
}

TEST_F(ClientCredentials, AnswerWithoutAccessTokenIsAuthFailure) {
  for (const char* body : {R"({"token_type": "bearer", "expires_in": 7200})",
                           R"({"access_token": "", "expires_in": 7200})", R"({"access_token": 42})",
                           "[]", "not json"}) {
    SCOPED_TRACE(body);
    transport.push_response(200, body);
    const auto auth = source.authorization();
    ASSERT_FALSE(auth);
    EXPECT_NE(auth.error().message.find("access_token"), std::string::npos) << auth.error().message;
  }
}

TEST_F(ClientCredentials, FailedRenewalIsAnAuthFailure) {
  push_token("tok-1");
  const auto first = source.authorization();
  ASSERT_TRUE(first);
  transport.push_response(400, R"({"error": "invalid_grant", "error_description": "revoked"})");
  const auto renewed = source.renew(first->generation);
  ASSERT_FALSE(renewed);
  EXPECT_NE(renewed.error().message.find("revoked"), std::string::npos);
}

TEST_F(ClientCredentials, TriesAgainAfterAFailedMint) {
  transport.push_error(http::TransportErrorKind::timeout, "timed out");
  push_token("tok-1");
  EXPECT_FALSE(source.authorization());
  const auto auth = source.authorization();
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->header.reveal(), "Bearer tok-1");
}

TEST(StaticTokens, AccessTokenIsSentAsBearerAndNeverRenewed) {
  fakes::FakeTransport transport;
  fakes::FakeMonotonicClock clock;
  const Credentials creds{CredentialKind::access_token, {}, {}, Secret("at-123"), {}, {}};
  const auto source = make_token_source(creds, transport, kTokenUrl, clock);
  ASSERT_NE(source, nullptr);
  const auto auth = source->authorization();
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->header.reveal(), "Bearer at-123");
  const auto renewed = source->renew(auth->generation);
  ASSERT_TRUE(renewed);
  EXPECT_FALSE(*renewed);
  EXPECT_TRUE(source->granted_scopes().empty());
  EXPECT_EQ(transport.request_count(), 0u);
}

TEST(StaticTokens, ApiTokenIsSentAsBasicEmailColonToken) {
  fakes::FakeTransport transport;
  fakes::FakeMonotonicClock clock;
  const Credentials creds{CredentialKind::api_token, {}, "dev@example.com",
                          Secret("api-xyz"),         {}, {}};
  const auto source = make_token_source(creds, transport, kTokenUrl, clock);
  ASSERT_NE(source, nullptr);
  const auto auth = source->authorization();
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->header.reveal(), "Basic ZGV2QGV4YW1wbGUuY29tOmFwaS14eXo=");
  EXPECT_EQ(transport.request_count(), 0u);
}

TEST(StaticTokens, ClientCredentialsGetAMintingSource) {
  fakes::FakeTransport transport;
  fakes::FakeMonotonicClock clock;
  const Credentials creds{CredentialKind::client_credentials, "cid", {}, Secret("cs"), {}, {}};
  const auto source = make_token_source(creds, transport, kTokenUrl, clock);
  ASSERT_NE(source, nullptr);
  transport.push_response(200, token_body("tok-1"));
  const auto auth = source->authorization();
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->header.reveal(), "Bearer tok-1");
  ASSERT_EQ(transport.request_count(), 1u);
  EXPECT_EQ(transport.last_request().url, kTokenUrl);
  EXPECT_EQ(http::find_header(transport.last_request().headers, "Authorization"),
            "Basic " + base64_encode("cid:cs"));
}

}  // namespace
}  // namespace bbp::bitbucket
