#include "bbp/bitbucket/api_client.hpp"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "bbp/http/rate_limiter.hpp"
#include "bbp/http/retrying_transport.hpp"
#include "http_fakes.hpp"

namespace bbp::bitbucket {
namespace {

using core::UnknownReason;

constexpr const char* kApiBase = "https://api.bitbucket.org/2.0";
constexpr const char* kTokenUrl = "https://bitbucket.org/site/oauth2/access_token";

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(BBP_TEST_DATA_DIR) + "/api/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string token_body(const std::string& token) {
  return nlohmann::json{{"access_token", token}, {"expires_in", 7200}, {"scopes", "repository"}}
      .dump();
}

const http::Headers kJson = {{"Content-Type", "application/json"}};

class ApiClientTest : public ::testing::Test {
 protected:
  fakes::FakeTransport transport;
  StaticTokenSource tokens{Secret("Bearer at-123")};
  ApiClient api{transport, tokens, kApiBase};
};

TEST_F(ApiClientTest, SendsAGetWithTheAuthorizationHeader) {
  transport.push_response(200, R"({"type": "user", "uuid": "{u1}"})", kJson);
  const auto body = api.get_json("/user");
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ((*body)["uuid"], "{u1}");
  ASSERT_EQ(transport.request_count(), 1u);
  const auto request = transport.last_request();
  EXPECT_EQ(request.method, http::Method::get);
  EXPECT_EQ(request.url, "https://api.bitbucket.org/2.0/user");
  EXPECT_EQ(http::find_header(request.headers, "Authorization"), "Bearer at-123");
  EXPECT_EQ(http::find_header(request.headers, "Accept"), "application/json");
}

TEST_F(ApiClientTest, AbsoluteUrlOnTheApiOriginIsAccepted) {
  transport.push_response(200, "{}", kJson);
  ASSERT_TRUE(api.get_json("https://api.bitbucket.org/2.0/repositories/acme?page=2"));
  EXPECT_EQ(transport.last_request().url, "https://api.bitbucket.org/2.0/repositories/acme?page=2");
  EXPECT_EQ(api.url_for("/user"), "https://api.bitbucket.org/2.0/user");
}

TEST_F(ApiClientTest, UrlOnAnotherOriginIsRefusedWithoutARequest) {
  for (const char* url : {"https://evil.example/2.0/user", "http://api.bitbucket.org/2.0/user",
                          "https://api.bitbucket.org:8443/2.0/user",
                          "https://api.bitbucket.org.evil.example/2.0/user",
                          "https://api.bitbucket.org@evil.example/2.0/user", "relative/path",
                          "ftp://api.bitbucket.org/2.0/user"}) {
    SCOPED_TRACE(url);
    const auto body = api.get_json(url);
    ASSERT_FALSE(body);
    EXPECT_EQ(body.error().kind, ApiError::Kind::refused_url);
  }
  EXPECT_EQ(transport.request_count(), 0u);
}

TEST_F(ApiClientTest, NonJsonSuccessIsAnInvalidResponse) {
  transport.push_response(200, "<html>maintenance</html>", {{"Content-Type", "text/html"}});
  const auto body = api.get_json("/user");
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().kind, ApiError::Kind::invalid_response);
  EXPECT_EQ(body.error().reason, UnknownReason::invalid_response);
  EXPECT_EQ(body.error().endpoint, "/2.0/user");
}

TEST_F(ApiClientTest, Static401IsAnAuthErrorAfterOneRequest) {
  transport.push_response(401,
                          R"({"type": "error", "error": {"message": "Invalid credentials."}})");
  const auto body = api.get_json("/user");
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().kind, ApiError::Kind::auth);
  EXPECT_EQ(body.error().http_status, 401);
  EXPECT_NE(body.error().message.find("Invalid credentials."), std::string::npos);
  EXPECT_EQ(body.error().message.find("at-123"), std::string::npos);
  EXPECT_EQ(transport.request_count(), 1u);
}

TEST_F(ApiClientTest, CancelledBeforeSendingMakesNoRequest) {
  std::atomic<bool> cancel{true};
  ApiClient cancelled(transport, tokens, kApiBase, &cancel);
  const auto body = cancelled.get_json("/user");
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().kind, ApiError::Kind::cancelled);
  EXPECT_EQ(transport.request_count(), 0u);
}

TEST_F(ApiClientTest, TransportErrorsAreClassified) {
  transport.push_error(http::TransportErrorKind::timeout, "no answer in 30 s");
  transport.push_error(http::TransportErrorKind::too_large, "body over 64 MiB");
  transport.push_error(http::TransportErrorKind::interrupted, "cancelled");
  transport.push_error(http::TransportErrorKind::connect, "refused");

  auto body = api.get_json("/user");
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().kind, ApiError::Kind::transport);
  EXPECT_EQ(body.error().reason, UnknownReason::timeout);
  EXPECT_FALSE(body.error().http_status);
  EXPECT_NE(body.error().message.find("no answer in 30 s"), std::string::npos);

  body = api.get_json("/user");
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().reason, UnknownReason::invalid_response);

  body = api.get_json("/user");
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().kind, ApiError::Kind::cancelled);

  body = api.get_json("/user");
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().kind, ApiError::Kind::transport);
  EXPECT_EQ(body.error().reason, UnknownReason::api_error);
}

TEST_F(ApiClientTest, HttpErrorKeepsStatusEndpointAndReason) {
  transport.push_response(404,
                          R"({"type": "error", "error": {"message": "Repository not found"}})");
  const auto body = api.get_json("/repositories/acme/gone?pagelen=100");
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().kind, ApiError::Kind::http);
  EXPECT_EQ(body.error().http_status, 404);
  EXPECT_EQ(body.error().reason, UnknownReason::not_found);
  EXPECT_EQ(body.error().endpoint, "/2.0/repositories/acme/gone");
  EXPECT_NE(body.error().message.find("Repository not found"), std::string::npos);
}

class ApiClientRenewal : public ::testing::Test {
 protected:
  fakes::FakeTransport token_transport;
  fakes::FakeTransport transport;
  fakes::FakeMonotonicClock clock;
  ClientCredentialsTokenSource tokens{token_transport, kTokenUrl, "cid", Secret("cs"), clock};
  ApiClient api{transport, tokens, kApiBase};
};

TEST_F(ApiClientRenewal, A401RenewsTheTokenAndRetriesOnce) {
  token_transport.push_response(200, token_body("tok-1"));
  token_transport.push_response(200, token_body("tok-2"));
  transport.push_response(401,
                          R"({"type": "error", "error": {"message": "Access token expired."}})");
  transport.push_response(200, R"({"type": "user"})");

  const auto body = api.get_json("/user");
  ASSERT_TRUE(body) << body.error().message;
  const auto requests = transport.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(http::find_header(requests[0].headers, "Authorization"), "Bearer tok-1");
  EXPECT_EQ(http::find_header(requests[1].headers, "Authorization"), "Bearer tok-2");
  EXPECT_EQ(token_transport.request_count(), 2u);
}

TEST_F(ApiClientRenewal, TwoConsecutive401sAreAnAuthError) {
  token_transport.push_response(200, token_body("tok-1"));
  token_transport.push_response(200, token_body("tok-2"));
  transport.push_response(401,
                          R"({"type": "error", "error": {"message": "Access token expired."}})");
  transport.push_response(401,
                          R"({"type": "error", "error": {"message": "Access token expired."}})");

  const auto body = api.get_json("/user");
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().kind, ApiError::Kind::auth);
  EXPECT_EQ(body.error().http_status, 401);
  EXPECT_EQ(transport.request_count(), 2u);
  EXPECT_EQ(token_transport.request_count(), 2u);
  EXPECT_EQ(body.error().message.find("tok-"), std::string::npos);
}

TEST_F(ApiClientRenewal, RenewalRefusedByTheTokenEndpointIsAnAuthError) {
  token_transport.push_response(200, token_body("tok-1"));
  token_transport.push_response(
      400,
      R"({"error": "unauthorized_client", "error_description": "Invalid OAuth client credentials"})");
  transport.push_response(401,
                          R"({"type": "error", "error": {"message": "Access token expired."}})");

  const auto body = api.get_json("/user");
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().kind, ApiError::Kind::auth);
  EXPECT_NE(body.error().message.find("Invalid OAuth client credentials"), std::string::npos);
  EXPECT_EQ(transport.request_count(), 1u);
}

// An unreachable token endpoint ends the scan like a rejected credential, but as an outage.
TEST_F(ApiClientRenewal, TokenEndpointDownIsUnreachableWithoutApiRequest) {
  token_transport.push_error(http::TransportErrorKind::connect, "connection refused");
  const auto body = api.get_json("/user");
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().kind, ApiError::Kind::unreachable);
  EXPECT_NE(body.error().message.find("connect error: connection refused"), std::string::npos);
  EXPECT_EQ(transport.request_count(), 0u);
}

// send_json -------------------------------------------------------------------------------

const nlohmann::json kRestriction = {{"type", "branchrestriction"},
                                     {"kind", "force"},
                                     {"branch_match_kind", "glob"},
                                     {"pattern", "main"}};
constexpr const char* kRestrictions = "/repositories/acme/api/branch-restrictions";

TEST_F(ApiClientTest, WriteWithABodyAnswered201GivesTheBodyAsJson) {
  transport.push_response(201, R"({"id": 42, "kind": "force"})", kJson);
  const auto answer = api.send_json(http::Method::post, kRestrictions, kRestriction);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 201);
  EXPECT_EQ(answer->body.at("id"), 42);
  ASSERT_EQ(transport.request_count(), 1u);
  const auto request = transport.last_request();
  EXPECT_EQ(request.method, http::Method::post);
  EXPECT_EQ(request.url, "https://api.bitbucket.org/2.0/repositories/acme/api/branch-restrictions");
  EXPECT_EQ(http::find_header(request.headers, "Authorization"), "Bearer at-123");
  EXPECT_EQ(http::find_header(request.headers, "Accept"), "application/json");
  EXPECT_EQ(http::find_header(request.headers, "Content-Type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(request.body), kRestriction);
}

TEST_F(ApiClientTest, WriteAnswered204HasANullBody) {
  transport.push_response(204);
  const auto answer =
      api.send_json(http::Method::del, "/repositories/acme/api/deploy-keys/123", std::nullopt);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 204);
  EXPECT_TRUE(answer->body.is_null());
  const auto request = transport.last_request();
  EXPECT_EQ(request.method, http::Method::del);
  EXPECT_EQ(request.url, "https://api.bitbucket.org/2.0/repositories/acme/api/deploy-keys/123");
  EXPECT_TRUE(request.body.empty());
  EXPECT_EQ(http::find_header(request.headers, "Content-Type"), std::nullopt);
}

TEST_F(ApiClientTest, PutSendsItsBodyToAnAbsoluteUrlOnTheApiOrigin) {
  transport.push_response(200, R"({"is_private": true})", kJson);
  const auto answer =
      api.send_json(http::Method::put, "https://api.bitbucket.org/2.0/repositories/acme/web",
                    nlohmann::json{{"is_private", true}});
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->body.at("is_private"), true);
  EXPECT_EQ(transport.last_request().method, http::Method::put);
  EXPECT_EQ(transport.last_request().body, R"({"is_private":true})");
}

TEST_F(ApiClientTest, WriteRefusedWith409IsAnHttpErrorWithItsStatus) {
  transport.push_response(
      409,
      R"({"type": "error", "error": {"message": "A branch restriction of this kind already exists for this branch.", "detail": "Restriction 1 has the same kind and matcher"}})",
      kJson);
  transport.push_response(404,
                          R"({"type": "error", "error": {"message": "Repository not found"}})");
  transport.push_response(
      403,
      R"({"type": "error", "error": {"message": "Access tokens cannot manage deploy keys."}})");

  auto answer = api.send_json(http::Method::post, kRestrictions, kRestriction);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, ApiError::Kind::http);
  EXPECT_EQ(answer.error().http_status, 409);
  EXPECT_EQ(answer.error().reason, UnknownReason::api_error);
  EXPECT_EQ(answer.error().endpoint, "/2.0/repositories/acme/api/branch-restrictions");
  EXPECT_NE(answer.error().message.find("Restriction 1"), std::string::npos)
      << answer.error().message;

  answer = api.send_json(http::Method::put, "/repositories/acme/gone",
                         nlohmann::json{{"is_private", true}});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().http_status, 404);
  EXPECT_EQ(answer.error().reason, UnknownReason::not_found);

  answer = api.send_json(http::Method::del, "/repositories/acme/api/deploy-keys/1", std::nullopt);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().http_status, 403);
  EXPECT_EQ(answer.error().reason, UnknownReason::forbidden);
  EXPECT_EQ(transport.request_count(), 3u);  // none of them sent again
}

TEST_F(ApiClientTest, WriteAnsweredWithSomethingElseThanJsonIsAnInvalidResponse) {
  transport.push_response(201, "<html>created</html>", {{"Content-Type", "text/html"}});
  const auto answer = api.send_json(http::Method::post, kRestrictions, kRestriction);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, ApiError::Kind::invalid_response);
  EXPECT_EQ(answer.error().http_status, 201);
}

TEST_F(ApiClientTest, WriteToAnotherOriginIsRefusedWithoutARequest) {
  for (const char* url :
       {"https://evil.example/2.0/repositories/acme/api",
        "http://api.bitbucket.org/2.0/repositories/acme/api",
        "https://api.bitbucket.org@evil.example/2.0/repositories/acme/api", "relative/path"}) {
    SCOPED_TRACE(url);
    const auto answer = api.send_json(http::Method::put, url, nlohmann::json{{"is_private", true}});
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error().kind, ApiError::Kind::refused_url);
    EXPECT_NE(answer.error().message.find("refused to send a write"), std::string::npos);
  }
  EXPECT_EQ(transport.request_count(), 0u);
}

TEST_F(ApiClientTest, A429WithoutALimiterIsARateLimitedError) {
  transport.push_response(429, "Rate limit for this resource has been exceeded");
  const auto answer = api.send_json(http::Method::post, kRestrictions, kRestriction);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().http_status, 429);
  EXPECT_EQ(answer.error().reason, UnknownReason::rate_limited);
  EXPECT_EQ(transport.request_count(), 1u);
}

TEST_F(ApiClientTest, CancelledBeforeAWriteSendsNothing) {
  std::atomic<bool> cancel{true};
  ApiClient cancelled(transport, tokens, kApiBase, &cancel);
  const auto answer = cancelled.send_json(http::Method::post, kRestrictions, kRestriction);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, ApiError::Kind::cancelled);
  EXPECT_EQ(transport.request_count(), 0u);
}

class ApiClientLimited : public ::testing::Test {
 protected:
  static http::RateLimitSettings settings(std::chrono::milliseconds max_wait) {
    http::RateLimitSettings s;
    s.max_wait = max_wait;
    s.jitter = [] { return 0.0; };
    return s;
  }
  static constexpr const char* kTooMany = "Rate limit for this resource has been exceeded";

  fakes::FakeTransport transport;
  fakes::FakeMonotonicClock clock;
  fakes::RecordingSleeper sleeper{&clock};
  StaticTokenSource tokens{Secret("Bearer at-123")};
};

TEST_F(ApiClientLimited, AWriteAnswered429IsSentAgainWhenTheLimiterGivesANewSlot) {
  http::RateLimiter limiter(sleeper, clock, settings(std::chrono::hours(1)));
  ApiClient api(transport, tokens, kApiBase, nullptr, &limiter);
  transport.push_response(429, kTooMany, {{"Content-Type", "text/plain"}});
  transport.push_response(201, R"({"id": 3})", kJson);

  const auto answer = api.send_json(http::Method::post, kRestrictions, kRestriction);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 201);
  EXPECT_EQ(answer->body.at("id"), 3);
  const auto requests = transport.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].method, http::Method::post);
  EXPECT_EQ(requests[1].body, requests[0].body);
  EXPECT_EQ(http::find_header(requests[1].headers, "Content-Type"), "application/json");
  EXPECT_EQ(limiter.status().rejections, 1u);
  EXPECT_FALSE(limiter.status().closed);
  EXPECT_GE(sleeper.count(), 1u);  // the probe waited
}

TEST_F(ApiClientLimited, AReadAnswered429IsSentAgainToo) {
  http::RateLimiter limiter(sleeper, clock, settings(std::chrono::hours(1)));
  ApiClient api(transport, tokens, kApiBase, nullptr, &limiter);
  transport.push_response(429, kTooMany, {{"Content-Type", "text/plain"}});
  transport.push_response(200, R"({"type": "user"})", kJson);
  const auto body = api.get_json("/user");
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ(transport.request_count(), 2u);
}

TEST_F(ApiClientLimited, AWriteTheLimitOutlastsIsNotSentAgain) {
  http::RateLimiter limiter(sleeper, clock, settings(std::chrono::milliseconds(0)));
  ApiClient api(transport, tokens, kApiBase, nullptr, &limiter);
  transport.push_response(429, kTooMany, {{"Content-Type", "text/plain"}});
  const auto answer =
      api.send_json(http::Method::del, "/repositories/acme/api/deploy-keys/1", std::nullopt);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().reason, UnknownReason::rate_limited);
  EXPECT_EQ(answer.error().http_status, 429);
  EXPECT_EQ(answer.error().message, kRateLimitWaitWriteDetail);
  EXPECT_EQ(transport.request_count(), 1u);
}

TEST_F(ApiClientRenewal, AWriteAnswered401RenewsTheTokenAndIsSentOnceMore) {
  token_transport.push_response(200, token_body("tok-1"));
  token_transport.push_response(200, token_body("tok-2"));
  transport.push_response(401,
                          R"({"type": "error", "error": {"message": "Access token expired."}})");
  transport.push_response(201, R"({"id": 9})", kJson);

  const auto answer = api.send_json(http::Method::post, kRestrictions, kRestriction);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 201);
  const auto requests = transport.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(http::find_header(requests[0].headers, "Authorization"), "Bearer tok-1");
  EXPECT_EQ(http::find_header(requests[1].headers, "Authorization"), "Bearer tok-2");
  EXPECT_EQ(requests[1].method, http::Method::post);
  EXPECT_EQ(nlohmann::json::parse(requests[1].body), kRestriction);
}

TEST_F(ApiClientRenewal, AWriteAnswered401TwiceIsAnAuthError) {
  token_transport.push_response(200, token_body("tok-1"));
  token_transport.push_response(200, token_body("tok-2"));
  for (int i = 0; i < 2; ++i) {
    transport.push_response(401,
                            R"({"type": "error", "error": {"message": "Access token expired."}})");
  }
  const auto answer = api.send_json(http::Method::put, "/repositories/acme/web",
                                    nlohmann::json{{"is_private", true}});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, ApiError::Kind::auth);
  EXPECT_EQ(answer.error().http_status, 401);
  EXPECT_EQ(transport.request_count(), 2u);
}

// classify_http_error ---------------------------------------------------------------------

TEST(ClassifyHttpError, MissingScopeOn403NamesTheRequiredScope) {
  const auto e = classify_http_error(403, fixture("error_missing_scope.json"),
                                     "/2.0/repositories/acme/api/branch-restrictions");
  EXPECT_EQ(e.kind, ApiError::Kind::http);
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.reason, UnknownReason::missing_scope);
  EXPECT_EQ(e.required_scopes, (std::vector<std::string>{"account"}));
  EXPECT_EQ(e.granted_scopes, (std::vector<std::string>{"email"}));
  EXPECT_NE(e.message.find("account"), std::string::npos) << e.message;
  EXPECT_EQ(e.endpoint, "/2.0/repositories/acme/api/branch-restrictions");
}

TEST(ClassifyHttpError, MissingScopeOn400IsAlsoMissingScope) {
  const auto e = classify_http_error(400, fixture("error_missing_scope.json"), "/2.0/user");
  EXPECT_EQ(e.reason, UnknownReason::missing_scope);
  EXPECT_NE(e.message.find("account"), std::string::npos) << e.message;
}

TEST(ClassifyHttpError, MissingScopeRecognisedByTheMessageAlone) {
  const auto e = classify_http_error(
      403,
      R"({"type": "error", "error": {"message": "Your credentials lack one or more required privilege scopes."}})",
      "/2.0/user");
  EXPECT_EQ(e.reason, UnknownReason::missing_scope);
  EXPECT_NE(e.message.find("privilege scopes"), std::string::npos) << e.message;
}

TEST(ClassifyHttpError, PlainForbidden) {
  auto e = classify_http_error(
      403, R"({"type": "error", "error": {"message": "You do not have admin access"}})", "/x");
  EXPECT_EQ(e.reason, UnknownReason::forbidden);
  EXPECT_NE(e.message.find("403"), std::string::npos);
  EXPECT_NE(e.message.find("admin access"), std::string::npos);
  e = classify_http_error(403, "", "/x");
  EXPECT_EQ(e.reason, UnknownReason::forbidden);
}

TEST(ClassifyHttpError, NotFound) {
  const auto e = classify_http_error(
      404, R"({"type": "error", "error": {"message": "No workspace with identifier 'nope'."}})",
      "/2.0/repositories/nope");
  EXPECT_EQ(e.reason, UnknownReason::not_found);
  EXPECT_NE(e.message.find("No workspace with identifier"), std::string::npos);
}

TEST(ClassifyHttpError, GoneWithStringDetail) {
  const auto e = classify_http_error(410, fixture("error_change_2770.json"), "/2.0/workspaces");
  EXPECT_EQ(e.reason, UnknownReason::gone);
  EXPECT_EQ(e.http_status, 410);
  EXPECT_NE(e.message.find("CHANGE-2770"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("Please read the changelog entry"), std::string::npos) << e.message;
}

TEST(ClassifyHttpError, RateLimitedWithTextBody) {
  const auto e =
      classify_http_error(429, "Rate limit for this resource has been exceeded", "/2.0/user");
  EXPECT_EQ(e.reason, UnknownReason::rate_limited);
  EXPECT_NE(e.message.find("Rate limit for this resource has been exceeded"), std::string::npos);
}

TEST(ClassifyHttpError, ServerErrorHtmlIsNotQuoted) {
  const std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head><title>Something went wrong</title></head>\n"
      "<body><h1>500 Internal Server Error</h1><script>var x = 1;</script></body>\n</html>\n";
  for (const int status : {500, 502, 503}) {
    SCOPED_TRACE(status);
    const auto e = classify_http_error(status, html, "/2.0/user");
    EXPECT_EQ(e.reason, UnknownReason::api_error);
    EXPECT_NE(e.message.find(std::to_string(status)), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find('<'), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find("script"), std::string::npos) << e.message;
  }
  // HTML that starts with a blank line or white space is still not quoted.
  const auto e = classify_http_error(502, "\r\n  \n<html><body>Bad gateway</body></html>", "/x");
  EXPECT_EQ(e.message.find("html"), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find('\r'), std::string::npos) << e.message;
  EXPECT_EQ(e.message, "HTTP 502");
}

TEST(ClassifyHttpError, TextBodyIsTrimmed) {
  const auto e =
      classify_http_error(429, "Rate limit for this resource has been exceeded\r\n", "/x");
  EXPECT_EQ(e.message, "HTTP 429: Rate limit for this resource has been exceeded");
}

TEST(ClassifyHttpError, LongTextBodyIsShortened) {
  const auto e = classify_http_error(503, std::string(5000, 'x'), "/x");
  EXPECT_LT(e.message.size(), 400u) << e.message.size();
}

TEST(ClassifyHttpError, ErrorBodyVariants) {
  auto body =
      parse_error_body(R"({"type": "error", "error": {"message": "Bad", "detail": "why"}})");
  EXPECT_EQ(body.message, "Bad");
  EXPECT_EQ(body.detail, "why");
  EXPECT_TRUE(body.required_scopes.empty());

  body = parse_error_body(fixture("error_missing_scope.json"));
  EXPECT_EQ(body.required_scopes, (std::vector<std::string>{"account"}));
  EXPECT_EQ(body.granted_scopes, (std::vector<std::string>{"email"}));
  EXPECT_TRUE(body.detail.empty());

  // A scope given as a plain string.
  body = parse_error_body(
      R"({"error": {"message": "m", "detail": {"required": "repository:admin", "granted": []}}})");
  EXPECT_EQ(body.required_scopes, (std::vector<std::string>{"repository:admin"}));

  body = parse_error_body(R"({"error": "invalid_grant", "error_description": "x"})");
  EXPECT_EQ(body.message, "invalid_grant");

  for (const char* odd :
       {"", "null", "[1,2]", R"({"error": 42})", R"({"error": {"detail": 7}})", "{not json"}) {
    SCOPED_TRACE(odd);
    body = parse_error_body(odd);
    EXPECT_TRUE(body.required_scopes.empty());
  }
}

TEST(ClassifyHttpError, DetailStringIsShownForOrdinaryErrors) {
  const auto e = classify_http_error(
      400,
      R"({"type": "error", "error": {"message": "Bad request", "detail": "pagelen must be <= 100"}})",
      "/x");
  EXPECT_EQ(e.reason, UnknownReason::api_error);
  EXPECT_NE(e.message.find("Bad request"), std::string::npos);
  EXPECT_NE(e.message.find("pagelen must be <= 100"), std::string::npos);
}

TEST(ClassifyTransportError, KindsMapToReasons) {
  auto e = classify_transport_error({http::TransportErrorKind::timeout, "slow"}, "/2.0/user");
  EXPECT_EQ(e.kind, ApiError::Kind::transport);
  EXPECT_EQ(e.reason, UnknownReason::timeout);
  EXPECT_EQ(e.endpoint, "/2.0/user");
  e = classify_transport_error({http::TransportErrorKind::too_large, "big"}, "/x");
  EXPECT_EQ(e.reason, UnknownReason::invalid_response);
  e = classify_transport_error({http::TransportErrorKind::tls, "cert"}, "/x");
  EXPECT_EQ(e.reason, UnknownReason::api_error);
  e = classify_transport_error({http::TransportErrorKind::interrupted, "sigint"}, "/x");
  EXPECT_EQ(e.kind, ApiError::Kind::cancelled);
}

}  // namespace
}  // namespace bbp::bitbucket

namespace bbp::bitbucket {
namespace {

// A token source whose token changes when told to (as a renewal by another thread would).
class RotatingTokenSource final : public TokenSource {
 public:
  tl::expected<Authorization, AuthFailure> authorization() override {
    return Authorization{Secret("Bearer t" + std::to_string(generation_.load())),
                         generation_.load()};
  }
  tl::expected<bool, AuthFailure> renew(std::uint64_t failed) override {
    if (generation_.load() == failed) {
      generation_ += 1;
    }
    return true;
  }
  void rotate() { generation_ += 1; }

 private:
  std::atomic<std::uint64_t> generation_{0};
};

// A 503 answered while the token is renewed elsewhere: the retry after the back-off carries the
// new token, so it is not answered 401 once more for nothing.
TEST(ApiClientRetry, ARetryAfterABackOffCarriesTheTokenCurrentThen) {
  fakes::FakeTransport transport;
  fakes::RecordingSleeper sleeper;
  http::RetryingTransport retrying(transport, sleeper, [] {
    http::RetryOptions options;
    options.jitter = [] { return 0.5; };
    return options;
  }());
  RotatingTokenSource tokens;
  transport.set_handler([&](const http::Request& request) -> http::Result {
    if (http::find_header(request.headers, "Authorization") == "Bearer t0") {
      tokens.rotate();  // renewed by another thread while this request waits
      return fakes::make_response(503);
    }
    return fakes::make_response(200, "{}", kJson);
  });
  ApiClient api(retrying, tokens, kApiBase);
  ASSERT_TRUE(api.get_json("/user"));
  const auto requests = transport.requests();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(http::find_header(requests[1].headers, "Authorization"), "Bearer t1");
}

}  // namespace
}  // namespace bbp::bitbucket
