#include "bbp/http/redact.hpp"

#include <gtest/gtest.h>

namespace bbp::http {
namespace {

TEST(HttpRedact, UrlWithoutSecretsIsUnchanged) {
  for (const char* url :
       {"https://api.bitbucket.org/2.0/repositories/ws?page=2&pagelen=100",
        "https://api.bitbucket.org/2.0/workspaces/ws/permissions", "http://127.0.0.1:8080/",
        "https://host", "https://host/path#section", "https://host/p?q=name%20~%20%22x%22"}) {
    EXPECT_EQ(redact_url(url), url);
  }
}

TEST(HttpRedact, UserinfoIsRemoved) {
  EXPECT_EQ(redact_url("https://user:s3cr3t@api.bitbucket.org/2.0/user"),
            "https://api.bitbucket.org/2.0/user");
  EXPECT_EQ(redact_url("https://x-token-auth:tok@bitbucket.org"), "https://bitbucket.org");
  EXPECT_EQ(redact_url("http://a@b:c@host:8080/x?y=1"), "http://host:8080/x?y=1");
  // An '@' in the path or query is not userinfo.
  EXPECT_EQ(redact_url("https://host/users/a@b.c?email=a@b.c"),
            "https://host/users/a@b.c?email=a@b.c");
}

TEST(HttpRedact, SecretQueryValuesAreMasked) {
  EXPECT_EQ(redact_url("https://host/path?access_token=abc123&page=2"),
            "https://host/path?access_token=***&page=2");
  EXPECT_EQ(redact_url("https://host/p?ACCESS_TOKEN=abc&Client_Secret=def&code=ghi"),
            "https://host/p?ACCESS_TOKEN=***&Client_Secret=***&code=***");
  EXPECT_EQ(redact_url("https://host/p?password=pw&secret=s&key=k&api_key=k2&token=t"),
            "https://host/p?password=***&secret=***&key=***&api_key=***&token=***");
  EXPECT_EQ(redact_url("https://host/p?refresh_token=r&x=1#access_token=f&state=s"),
            "https://host/p?refresh_token=***&x=1#access_token=***&state=***");
  EXPECT_EQ(redact_url("https://host/p?access%5Ftoken=abc"), "https://host/p?access%5Ftoken=***");
  EXPECT_EQ(redact_url("https://host/p?flag&token="), "https://host/p?flag&token=***");
}

TEST(HttpRedact, UserinfoAndQueryTogether) {
  const std::string redacted = redact_url("https://me:hunter2@host/p?access_token=tok42&a=b");
  EXPECT_EQ(redacted, "https://host/p?access_token=***&a=b");
  EXPECT_EQ(redacted.find("hunter2"), std::string::npos);
  EXPECT_EQ(redacted.find("tok42"), std::string::npos);
}

TEST(HttpRedact, AuthorizationHeadersAreMaskedKeepingTheScheme) {
  const Headers headers = {{"Authorization", "Bearer eyJhbGciOi.secret.sig"},
                           {"proxy-authorization", "Basic dXNlcjpwYXNz"},
                           {"Accept", "application/json"}};
  const Headers redacted = redact_headers(headers);
  ASSERT_EQ(redacted.size(), 3u);
  EXPECT_EQ(redacted[0], (std::pair<std::string, std::string>{"Authorization", "Bearer ***"}));
  EXPECT_EQ(redacted[1], (std::pair<std::string, std::string>{"proxy-authorization", "Basic ***"}));
  EXPECT_EQ(redacted[2], headers[2]);
}

TEST(HttpRedact, AuthorizationWithoutSchemeIsFullyMasked) {
  const Headers redacted =
      redact_headers({{"Authorization", "rawtoken"}, {"Authorization", "weird/scheme value"}});
  EXPECT_EQ(redacted[0].second, "***");
  EXPECT_EQ(redacted[1].second, "***");
}

TEST(HttpRedact, CookiesAndTokenOrSecretHeadersAreMasked) {
  const Headers headers = {{"Cookie", "session=abc"},
                           {"Set-Cookie", "session=abc; HttpOnly"},
                           {"X-Auth-Token", "t0k"},
                           {"X-Client-Secret", "s3c"},
                           {"X-Api-Key", "k3y"},
                           {"X-RateLimit-Remaining", "10"},
                           {"Content-Type", "application/json"}};
  const Headers redacted = redact_headers(headers);
  ASSERT_EQ(redacted.size(), headers.size());
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(redacted[i].first, headers[i].first);
    EXPECT_EQ(redacted[i].second, "***") << headers[i].first;
  }
  EXPECT_EQ(redacted[5], headers[5]);
  EXPECT_EQ(redacted[6], headers[6]);
}

TEST(HttpRedact, SensitiveHeaderNames) {
  for (const char* name :
       {"Authorization", "AUTHORIZATION", "Proxy-Authorization", "cookie", "Set-Cookie", "X-Token",
        "x-access-token", "Client-Secret", "X-Password", "X-API-Key"}) {
    EXPECT_TRUE(is_sensitive_header(name)) << name;
  }
  for (const char* name : {"Accept", "Content-Type", "Retry-After", "User-Agent", "Keep-Alive"}) {
    EXPECT_FALSE(is_sensitive_header(name)) << name;
  }
}

TEST(HttpRedact, DescribeIsOneSafeLine) {
  Request request;
  request.method = Method::get;
  request.url = "https://host/path?x=1";
  EXPECT_EQ(describe(request), "GET https://host/path?x=1");

  request.method = Method::post;
  request.url = "https://u:p@bitbucket.org/site/oauth2/access_token?code=abc";
  request.headers = {{"Authorization", "Basic Y2xpZW50OnNlY3JldA=="}};
  request.body = "grant_type=client_credentials&client_secret=shh";
  const std::string text = describe(request);
  EXPECT_EQ(text, "POST https://bitbucket.org/site/oauth2/access_token?code=***");
  EXPECT_EQ(text.find("shh"), std::string::npos);
  EXPECT_EQ(text.find("Y2xp"), std::string::npos);
}

TEST(HttpRedact, WithoutRequestDropsOnlyTheTrailingRequest) {
  EXPECT_EQ(without_request("Timeout was reached (GET https://api.example/2.0/x?page=2)"),
            "Timeout was reached");
  EXPECT_EQ(without_request("refused (POST https://auth.example/token)"), "refused");
  EXPECT_EQ(without_request("Timeout was reached (PUT https://api.example/2.0/x)"),
            "Timeout was reached");
  EXPECT_EQ(without_request("Couldn't connect (DELETE https://api.example/2.0/x/7)"),
            "Couldn't connect");
  EXPECT_EQ(without_request("HTTP 503 (GET nowhere) and more"), "HTTP 503 (GET nowhere) and more");
  EXPECT_EQ(without_request("missing scope: repository:admin"), "missing scope: repository:admin");
}

}  // namespace
}  // namespace bbp::http
