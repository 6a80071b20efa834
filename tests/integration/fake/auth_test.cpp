// OAuth token endpoint, credential checks and scope enforcement of the fake server.
#include <gtest/gtest.h>

#include <thread>

#include "fake_test_support.hpp"

namespace bbp::fake::testing {
namespace {

using nlohmann::json;

constexpr const char* kTokenPath = "/site/oauth2/access_token";

class FakeAuthTest : public FakeServerTest {};

TEST_F(FakeAuthTest, MintsClientCredentialsToken) {
  const auto response = Caller(*server_)
                            .basic("demo-client", "demo-secret")
                            .post_form(kTokenPath, "grant_type=client_credentials");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.header("Content-Type"), "application/json");
  const json body = response.json();
  EXPECT_FALSE(body.at("access_token").get<std::string>().empty());
  EXPECT_EQ(body.at("scope"), "account repository repository:admin project project:admin");
  EXPECT_EQ(body.at("expires_in"), 7200);
  EXPECT_EQ(body.at("token_type"), "bearer");
  EXPECT_EQ(body.at("state"), "client_credentials");
  EXPECT_EQ(server_->token_requests(), 1U);
  EXPECT_NE(mint_token(*server_), body.at("access_token").get<std::string>());
}

TEST_F(FakeAuthTest, RejectsWrongSecret) {
  const auto response = Caller(*server_)
                            .basic("demo-client", "wrong")
                            .post_form(kTokenPath, "grant_type=client_credentials");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.json(), (json{{"error", "unauthorized_client"},
                                   {"error_description", "Invalid OAuth client credentials"}}));
}

TEST_F(FakeAuthTest, RejectsOtherGrantTypes) {
  const auto response = Caller(*server_)
                            .basic("demo-client", "demo-secret")
                            .post_form(kTokenPath, "grant_type=password&username=a&password=b");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.json().at("error"), "unsupported_grant_type");
}

TEST_F(FakeAuthTest, RejectsMissingClientCredentials) {
  const auto response = Caller(*server_).post_form(kTokenPath, "grant_type=client_credentials");
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.json().at("error"), "invalid_request");
}

TEST_F(FakeAuthTest, RejectsPublicConsumer) {
  const auto response = Caller(*server_)
                            .basic("public-client", "public-secret")
                            .post_form(kTokenPath, "grant_type=client_credentials");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.json().at("error"), "invalid_grant");
}

TEST_F(FakeAuthTest, BearerTokenWorksUntilTokensExpire) {
  const std::string token = mint_token(*server_);
  EXPECT_EQ(Caller(*server_).bearer(token).get("/2.0/user").status, 200);

  server_->expire_all_tokens();
  const auto expired = Caller(*server_).bearer(token).get("/2.0/user");
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.json(),
            (json{{"type", "error"}, {"error", {{"message", "Access token expired."}}}}));

  EXPECT_EQ(Caller(*server_).bearer(mint_token(*server_)).get("/2.0/user").status, 200);
}

TEST(FakeAuthLifetimeTest, TokenExpiresAfterExpiresIn) {
  json scenario = basic_scenario();
  scenario["oauth_clients"][0]["expires_in"] = 1;
  FakeBitbucket server(scenario);
  server.start();
  const std::string token = mint_token(server);
  EXPECT_EQ(Caller(server).bearer(token).get("/2.0/user").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(Caller(server).bearer(token).get("/2.0/user").status, 401);
}

TEST_F(FakeAuthTest, ConfiguredAccessTokenIsAcceptedUntilExpired) {
  const auto response = Caller(*server_).bearer(kAccessToken).get("/2.0/repositories/acme");
  EXPECT_EQ(response.status, 200);
  server_->expire_all_tokens();
  EXPECT_EQ(Caller(*server_).bearer(kAccessToken).get("/2.0/repositories/acme").status, 401);
}

TEST_F(FakeAuthTest, UnknownBearerTokenIsRejected) {
  EXPECT_EQ(Caller(*server_).bearer("made-up").get("/2.0/user").status, 401);
}

TEST_F(FakeAuthTest, ApiTokenBasicAuthIsAccepted) {
  const auto response = api().get("/2.0/user");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.json().at("display_name"), "Dana Developer");
  EXPECT_EQ(response.json().at("type"), "user");
}

TEST_F(FakeAuthTest, WrongBasicCredentialsGetInvalidCredentials) {
  const auto response = Caller(*server_).basic(kApiEmail, "nope").get("/2.0/user");
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.json().at("error").at("message"), "Invalid credentials.");
  EXPECT_EQ(response.header("WWW-Authenticate"), R"(Basic realm="Bitbucket.org HTTP")");
}

TEST_F(FakeAuthTest, MissingCredentialsGet401) {
  EXPECT_EQ(Caller(*server_).get("/2.0/repositories/acme").status, 401);
}

TEST_F(FakeAuthTest, MissingScopeGets403WithGrantedAndRequired) {
  // The access token has repository + repository:admin, /user needs account.
  const auto response = Caller(*server_).bearer(kAccessToken).get("/2.0/user");
  ASSERT_EQ(response.status, 403);
  const json error = response.json().at("error");
  EXPECT_EQ(error.at("message"), "Your credentials lack one or more required privilege scopes.");
  EXPECT_EQ(error.at("detail").at("granted"), json({"repository", "repository:admin"}));
  EXPECT_EQ(error.at("detail").at("required"), json({"account"}));
}

TEST(FakeAuthScopeTest, ClassicAndGranularScopeRules) {
  json scenario = basic_scenario();
  scenario["oauth_clients"] = json::array(
      {{{"client_id", "project-only"}, {"client_secret", "s"}, {"scopes", {"project"}}},
       {{"client_id", "admin-only"}, {"client_secret", "s"}, {"scopes", {"repository:admin"}}}});
  scenario["api_tokens"] =
      json::array({{{"email", "e@x"}, {"token", "t"}, {"scopes", {"admin:repository:bitbucket"}}}});
  FakeBitbucket server(scenario);
  server.start();

  // project implies repository.
  const Caller project(Caller(server).bearer(mint_token(server, "project-only", "s")));
  EXPECT_EQ(project.get("/2.0/repositories/acme").status, 200);
  EXPECT_EQ(project.get("/2.0/repositories/acme/api/branch-restrictions").status, 403);

  // repository:admin does not imply repository; deploy keys need both.
  const Caller admin(Caller(server).bearer(mint_token(server, "admin-only", "s")));
  EXPECT_EQ(admin.get("/2.0/repositories/acme/api/branch-restrictions").status, 200);
  EXPECT_EQ(admin.get("/2.0/repositories/acme").status, 403);
  const auto keys = admin.get("/2.0/repositories/acme/api/deploy-keys");
  EXPECT_EQ(keys.status, 403);
  EXPECT_EQ(keys.json().at("error").at("detail").at("required"),
            json({"repository", "repository:admin"}));

  // Granular scopes imply nothing either.
  const Caller granular(Caller(server).basic("e@x", "t"));
  EXPECT_EQ(granular.get("/2.0/repositories/acme/api/deploy-keys").status, 200);
  const auto listing = granular.get("/2.0/repositories/acme");
  EXPECT_EQ(listing.status, 403);
  EXPECT_EQ(listing.json().at("error").at("detail").at("required"),
            json({"read:repository:bitbucket"}));
}

}  // namespace
}  // namespace bbp::fake::testing
