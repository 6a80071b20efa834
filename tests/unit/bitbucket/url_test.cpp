#include "bbp/bitbucket/url.hpp"

#include <gtest/gtest.h>

namespace bbp::bitbucket {
namespace {

TEST(BitbucketUrl, OriginUsesTheSchemeDefaultPort) {
  EXPECT_EQ(origin_of("https://api.bitbucket.org/2.0/user"),
            (Origin{"https", "api.bitbucket.org", 443}));
  EXPECT_EQ(origin_of("http://127.0.0.1/2.0"), (Origin{"http", "127.0.0.1", 80}));
  EXPECT_EQ(origin_of("https://api.bitbucket.org"), (Origin{"https", "api.bitbucket.org", 443}));
  EXPECT_EQ(origin_of("https://api.bitbucket.org?page=2"),
            (Origin{"https", "api.bitbucket.org", 443}));
}

TEST(BitbucketUrl, OriginKeepsAnExplicitPort) {
  EXPECT_EQ(origin_of("http://localhost:8080/2.0"), (Origin{"http", "localhost", 8080}));
  EXPECT_EQ(origin_of("https://api.bitbucket.org:8443/x"),
            (Origin{"https", "api.bitbucket.org", 8443}));
  // An explicit default port is the same origin as none.
  EXPECT_EQ(origin_of("https://api.bitbucket.org:443/x"), origin_of("https://api.bitbucket.org/y"));
}

TEST(BitbucketUrl, OriginStripsUserinfo) {
  EXPECT_EQ(origin_of("https://user:p%40ss@api.bitbucket.org/2.0"),
            (Origin{"https", "api.bitbucket.org", 443}));
  // The host is what follows the last '@' of the authority, not what precedes it.
  EXPECT_EQ(origin_of("https://api.bitbucket.org@evil.example/2.0"),
            (Origin{"https", "evil.example", 443}));
}

TEST(BitbucketUrl, OriginOfIpv6LiteralDropsTheBrackets) {
  EXPECT_EQ(origin_of("http://[::1]:7990/2.0"), (Origin{"http", "::1", 7990}));
  EXPECT_EQ(origin_of("https://[2001:DB8::1]/"), (Origin{"https", "2001:db8::1", 443}));
  EXPECT_FALSE(origin_of("http://[::1/2.0"));
  EXPECT_FALSE(origin_of("http://[::1]x/2.0"));
}

TEST(BitbucketUrl, OriginIsCaseInsensitiveForSchemeAndHost) {
  EXPECT_EQ(origin_of("HTTPS://API.Bitbucket.ORG/2.0/Repositories"),
            (Origin{"https", "api.bitbucket.org", 443}));
  EXPECT_EQ(origin_of("HTTPS://API.Bitbucket.ORG/"), origin_of("https://api.bitbucket.org/"));
}

TEST(BitbucketUrl, OriginRefusesAnythingButAbsoluteHttp) {
  for (const char* url :
       {"ftp://api.bitbucket.org/", "file:///etc/passwd", "javascript://x", "/2.0/user",
        "api.bitbucket.org/2.0", "", "https://", "https:///2.0", "https://:443/", "https://host:0/",
        "https://host:65536/", "https://host:80x/", "https://host:-1/"}) {
    SCOPED_TRACE(url);
    EXPECT_FALSE(origin_of(url));
  }
}

TEST(BitbucketUrl, LoopbackHosts) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "127.255.255.255", "localhost", "LocalHost",
                           "::1", "0:0:0:0:0:0:0:1"}) {
    SCOPED_TRACE(host);
    EXPECT_TRUE(is_loopback_host(host));
  }
  for (const char* host :
       {"128.0.0.1", "126.0.0.1", "127.0.0.1.evil.com", "127.0.0", "127.0.0.256", "127.0.0.1.",
        "127..0.1", "127.-1.0.1", "127.0.0.+1", "localhost.evil.com", "evil-localhost", "::2", "",
        "1.127.0.0.1", "api.bitbucket.org", "0.0.0.0"}) {
    SCOPED_TRACE(host);
    EXPECT_FALSE(is_loopback_host(host));
  }
}

TEST(BitbucketUrl, ValidateAcceptsHttpsAndTrimsTrailingSlashes) {
  EXPECT_EQ(validate_service_url("https://api.bitbucket.org/2.0", "--api-url"),
            "https://api.bitbucket.org/2.0");
  EXPECT_EQ(validate_service_url("https://api.bitbucket.org/2.0/", "--api-url"),
            "https://api.bitbucket.org/2.0");
  EXPECT_EQ(validate_service_url("https://api.bitbucket.org//", "--api-url"),
            "https://api.bitbucket.org");
}

TEST(BitbucketUrl, ValidateAcceptsPlainHttpOnlyOnLoopback) {
  EXPECT_EQ(validate_service_url("http://127.0.0.1:8080/2.0/", "--api-url"),
            "http://127.0.0.1:8080/2.0");
  EXPECT_EQ(validate_service_url("http://localhost:9000/2.0", "--api-url"),
            "http://localhost:9000/2.0");
  EXPECT_EQ(validate_service_url("http://[::1]:9000/2.0", "--api-url"), "http://[::1]:9000/2.0");

  const auto refused = validate_service_url("http://api.bitbucket.org/2.0", "--api-url");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("--api-url"), std::string::npos) << refused.error();
  EXPECT_NE(refused.error().find("http://"), std::string::npos) << refused.error();
  EXPECT_NE(refused.error().find("https://"), std::string::npos) << refused.error();

  EXPECT_FALSE(validate_service_url("http://127.0.0.1.evil.com/2.0", "--api-url"));
  EXPECT_FALSE(validate_service_url("http://128.0.0.1/2.0", "--api-url"));
}

TEST(BitbucketUrl, ValidateRefusesGarbageNamingTheOption) {
  for (const char* url : {"", "api.bitbucket.org/2.0", "ftp://api.bitbucket.org/", "https://",
                          "not a url", "https://host:99999/"}) {
    SCOPED_TRACE(url);
    const auto result = validate_service_url(url, "--token-url");
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().find("--token-url"), std::string::npos) << result.error();
  }
}

TEST(BitbucketUrl, PercentEncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(percent_encode("{f3068605-1bdd-4c38-99e2-91d8e33e993d}"),
            "%7Bf3068605-1bdd-4c38-99e2-91d8e33e993d%7D");
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("a b/c?d&e=f+g%"), "a%20b%2Fc%3Fd%26e%3Df%2Bg%25");
  EXPECT_EQ(percent_encode("é"), "%C3%A9");
  EXPECT_EQ(percent_encode(""), "");
}

TEST(BitbucketUrl, WithQueryAppendsWithTheRightSeparator) {
  EXPECT_EQ(with_query("/repositories/acme", "pagelen", "100"), "/repositories/acme?pagelen=100");
  EXPECT_EQ(with_query("/repositories/acme?fields=next", "pagelen", "50"),
            "/repositories/acme?fields=next&pagelen=50");
  EXPECT_EQ(with_query("/r", "q", "project.key=\"PRJ\""), "/r?q=project.key%3D%22PRJ%22");
  EXPECT_EQ(with_query("/r", "fields", "next,values.slug"), "/r?fields=next%2Cvalues.slug");
}

TEST(BitbucketUrl, PathOfDropsSchemeHostQueryAndFragment) {
  EXPECT_EQ(path_of("https://api.bitbucket.org/2.0/repositories/acme?pagelen=100&page=2"),
            "/2.0/repositories/acme");
  EXPECT_EQ(path_of("https://api.bitbucket.org/2.0/user#frag"), "/2.0/user");
  EXPECT_EQ(path_of("https://api.bitbucket.org"), "/");
  EXPECT_EQ(path_of("http://[::1]:8080/2.0/user"), "/2.0/user");
  EXPECT_EQ(path_of("/2.0/user?x=1"), "/2.0/user");
}

}  // namespace
}  // namespace bbp::bitbucket
