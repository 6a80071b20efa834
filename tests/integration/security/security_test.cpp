// Security checks on the real binary: secrets never printed, credentials sent only to the
// configured hosts, plain http:// refused off loopback, no way to turn TLS verification off.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_bitbucket/server.hpp"
#include "fault_support.hpp"

namespace bbp::test {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr const char* kEmail = "sec@example.com";
constexpr const char* kApiToken = "api-token-7d2e90b1";
constexpr const char* kAccessToken = "access-token-c3a81f";

std::string base64(const std::string& in) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const auto n = (static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16U) |
                   (static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8U) |
                   static_cast<unsigned>(static_cast<unsigned char>(in[i + 2]));
    out += kTable[(n >> 18U) & 63U];
    out += kTable[(n >> 12U) & 63U];
    out += kTable[(n >> 6U) & 63U];
    out += kTable[n & 63U];
  }
  if (i < in.size()) {
    unsigned n = static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16U;
    if (i + 1 < in.size()) {
      n |= static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8U;
    }
    out += kTable[(n >> 18U) & 63U];
    out += kTable[(n >> 12U) & 63U];
    out += i + 1 < in.size() ? kTable[(n >> 6U) & 63U] : '=';
    out += '=';
  }
  return out;
}

// The fault scenario plus an API token and an access token, and a few failing reads so that
// error paths (403 with a body, 500, 401 and a re-mint) are exercised too.
json security_scenario() {
  json scenario = fault_scenario();
  scenario["api_tokens"] = json::array(
      {{{"email", kEmail},
        {"token", kApiToken},
        {"scopes",
         {"read:user:bitbucket", "read:workspace:bitbucket", "read:repository:bitbucket",
          "admin:repository:bitbucket", "read:project:bitbucket", "admin:project:bitbucket",
          "read:ssh-key:bitbucket"}}}});
  scenario["access_tokens"] =
      json::array({{{"token", kAccessToken},
                    {"scopes", {"repository", "repository:admin", "project", "project:admin"}}}});
  scenario["faults"] = json::array(
      {{{"kind", "status"},
        {"path", "/2.0/repositories/acme/api/branch-restrictions"},
        {"times", -1},
        {"status", 403},
        {"body",
         R"({"type": "error", "error": {"message": "Your credentials lack one or more required privilege scopes.", "detail": {"granted": ["repository"], "required": ["repository:admin"]}}})"}},
       {{"kind", "status"},
        {"path", "/2.0/repositories/acme/docs/deploy-keys"},
        {"times", -1},
        {"status", 500}}});
  return scenario;
}

class Security : public ::testing::Test {
 protected:
  RunResult scan(std::vector<std::string> args,
                 const std::vector<std::string>& env = client_env()) const {
    args.insert(args.end(), {"--no-progress", "--max-attempts", "2"});
    return bb_.scan(args, env);
  }

  // Fails when any of `secrets` appears in any of `texts`.
  static void expect_no_secret(const std::vector<std::pair<std::string, std::string>>& texts,
                               const std::vector<std::string>& secrets) {
    for (const auto& [where, text] : texts) {
      for (const auto& secret : secrets) {
        ASSERT_FALSE(secret.empty());
        EXPECT_THAT(text, Not(HasSubstr(secret))) << "secret found in " << where;
      }
    }
  }

  FakeScanFixture bb_{BBP_BINARY, security_scenario(), client_env()};
};

TEST_F(Security, ClientSecretAndMintedTokensNeverAppearInLogsReportsOrSnapshots) {
  std::vector<std::pair<std::string, std::string>> texts;
  for (const char* format : {"json", "table", "sarif", "csv", "jsonl", "junit"}) {
    // A token that expires mid-scan forces a second mint: two token values per scan.
    bb_.fake().add_fault(
        {{"kind", "expire_tokens"}, {"path", "/2.0/repositories/acme/web/deploy-keys"}});
    const std::string snapshot = bb_.path(std::string("snapshot-") + format + ".json");
    const auto r = scan(
        {"-f", format, "--log-level", "trace", "--concurrency", "2", "--save-snapshot", snapshot});
    EXPECT_EQ(r.exit_code, 3) << format << ": " << r.err;      // the 403 and 500 leave unknowns
    EXPECT_THAT(r.err, HasSubstr("trace:   < Content-Type"));  // the trace log did run
    texts.emplace_back(std::string(format) + " stdout", r.out);
    texts.emplace_back(std::string(format) + " stderr", r.err);
    texts.emplace_back(std::string(format) + " snapshot", read_file(snapshot));
  }
  const auto tokens = bb_.fake().issued_tokens();
  ASSERT_GE(tokens.size(), 10U);  // two per scan
  std::vector<std::string> secrets{kClientSecret,
                                   base64(std::string(kClientId) + ":" + kClientSecret)};
  secrets.insert(secrets.end(), tokens.begin(), tokens.end());
  expect_no_secret(texts, secrets);
}

TEST_F(Security, ApiTokenAndAccessTokenNeverAppearAnywhere) {
  const auto basic =
      scan({"-f", "json", "--log-level", "trace", "--save-snapshot", bb_.path("basic.json")},
           {std::string("BITBUCKET_EMAIL=") + kEmail,
            std::string("BITBUCKET_API_TOKEN=") + kApiToken, std::string("BBP_NOW=") + kNow});
  EXPECT_EQ(basic.exit_code, 3) << basic.err;
  const auto bearer =
      scan({"-f", "sarif", "--log-level", "trace", "-w", "acme", "--save-snapshot",
            bb_.path("bearer.json")},
           {std::string("BITBUCKET_ACCESS_TOKEN=") + kAccessToken, std::string("BBP_NOW=") + kNow});
  EXPECT_EQ(bearer.exit_code, 3) << bearer.err;
  expect_no_secret({{"basic stdout", basic.out},
                    {"basic stderr", basic.err},
                    {"basic snapshot", read_file(bb_.path("basic.json"))},
                    {"bearer stdout", bearer.out},
                    {"bearer stderr", bearer.err},
                    {"bearer snapshot", read_file(bb_.path("bearer.json"))}},
                   {kApiToken, base64(std::string(kEmail) + ":" + kApiToken), kAccessToken});
}

TEST_F(Security, RejectedCredentialsAreNotEchoedInErrorMessages) {
  const auto wrong_secret =
      scan({"-f", "json", "--log-level", "trace"}, {std::string("BITBUCKET_CLIENT_ID=") + kClientId,
                                                    "BITBUCKET_CLIENT_SECRET=wrong-secret-91ab77"});
  EXPECT_EQ(wrong_secret.exit_code, 4);
  EXPECT_THAT(wrong_secret.err, HasSubstr("authentication failed"));
  const auto wrong_token =
      scan({"-f", "json", "--log-level", "trace", "-w", "acme"},
           {std::string("BITBUCKET_EMAIL=") + kEmail, "BITBUCKET_API_TOKEN=wrong-token-5be210"});
  EXPECT_EQ(wrong_token.exit_code, 4);
  EXPECT_THAT(wrong_token.err, HasSubstr("Bitbucket rejected the credential"));
  const auto wrong_access = scan({"-f", "json", "--log-level", "trace", "-w", "acme"},
                                 {"BITBUCKET_ACCESS_TOKEN=wrong-access-0c66e1"});
  EXPECT_EQ(wrong_access.exit_code, 4);
  expect_no_secret({{"secret stderr", wrong_secret.err},
                    {"secret stdout", wrong_secret.out},
                    {"token stderr", wrong_token.err},
                    {"token stdout", wrong_token.out},
                    {"access stderr", wrong_access.err},
                    {"access stdout", wrong_access.out}},
                   {"wrong-secret-91ab77", base64(std::string(kClientId) + ":wrong-secret-91ab77"),
                    "wrong-token-5be210", base64(std::string(kEmail) + ":wrong-token-5be210"),
                    "wrong-access-0c66e1"});
}

TEST_F(Security, CredentialsInTheUrlAreRefused) {
  const std::string with_userinfo =
      "http://user:url-password-55@127.0.0.1:" + std::to_string(bb_.fake().port()) + "/2.0";
  const auto r = bb_.run(
      {"scan", "-f", "json", "--api-url", with_userinfo, "--token-url", bb_.fake().token_url()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--api-url must not contain credentials"));
  EXPECT_THAT(r.err + r.out, Not(HasSubstr("url-password-55")));
  EXPECT_EQ(bb_.fake().request_count(), 0U);
}

TEST_F(Security, ClientSecretGoesOnlyToTheTokenEndpointAndTokensOnlyToTheApi) {
  const auto r = scan({"-f", "json"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto log = bb_.fake().requests();
  ASSERT_FALSE(log.empty());
  for (const auto& rec : log) {
    if (rec.path == "/site/oauth2/access_token") {
      EXPECT_EQ(rec.auth_scheme, "Basic");
    } else {
      EXPECT_EQ(rec.auth_scheme, "Bearer") << rec.path;
    }
  }
}

TEST_F(Security, RedirectsAreNotFollowedSoCredentialsNeverReachTheirTarget) {
  fake::FakeBitbucket foreign(security_scenario());
  foreign.start();
  bb_.fake().add_fault(
      {{"kind", "status"},
       {"path", "/2.0/repositories/acme/web/branch-restrictions"},
       {"times", -1},
       {"status", 302},
       {"headers",
        {{"Location", foreign.api_url() + "/repositories/acme/web/branch-restrictions"}}}});
  bb_.fake().add_fault({{"kind", "status"},
                        {"path", "/site/oauth2/access_token"},
                        {"skip", 1},
                        {"times", -1},
                        {"status", 307},
                        {"headers", {{"Location", foreign.token_url()}}}});
  // The 401 forces a second token request, which is redirected too.
  bb_.fake().add_fault(
      {{"kind", "expire_tokens"}, {"path", "/2.0/repositories/acme/api/deploy-keys"}});
  const auto r = scan({"-f", "json", "--concurrency", "1"});
  EXPECT_EQ(foreign.request_count(), 0U);
  EXPECT_EQ(r.exit_code, 4) << r.err;  // the redirected re-mint is not a token
  EXPECT_THAT(r.err, HasSubstr("HTTP 307"));

  // And with a static credential (sent on every request), the 302 alone.
  const auto basic =
      scan({"-f", "json", "-w", "acme"},
           {std::string("BITBUCKET_EMAIL=") + kEmail,
            std::string("BITBUCKET_API_TOKEN=") + kApiToken, std::string("BBP_NOW=") + kNow});
  EXPECT_EQ(foreign.request_count(), 0U);
  EXPECT_EQ(basic.exit_code, 3);
  const auto report = json::parse(basic.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << basic.out;
  EXPECT_EQ(unknown_of(report)["force-push-allowed acme/web"], "api_error");
  bool saw = false;
  for (const auto& e : report["errors"]) {
    if (e["http_status"] == 302) {
      saw = true;
      EXPECT_EQ(e["endpoint"], "/2.0/repositories/acme/web/branch-restrictions");
    }
  }
  EXPECT_TRUE(saw) << report["errors"].dump(2);
}

TEST_F(Security, NextLinksToAnyOtherOriginAreNeverRequested) {
  fake::FakeBitbucket foreign(security_scenario());
  foreign.start();
  const std::string port = std::to_string(bb_.fake().port());
  // Another port, another host name for the same server, another scheme: all refused.
  const std::vector<std::pair<std::string, std::string>> links = {
      {"api", foreign.api_url() + "/repositories/acme/api/deploy-keys?page=2"},
      {"web", "http://localhost:" + port + "/2.0/repositories/acme/web/deploy-keys?page=2"},
      {"keys", "https://127.0.0.1:" + port + "/2.0/repositories/acme/keys/deploy-keys?page=2"}};
  for (const auto& [repo, next] : links) {
    bb_.fake().add_fault({{"kind", "status"},
                          {"path", "/2.0/repositories/acme/" + repo + "/deploy-keys"},
                          {"times", -1},
                          {"status", 200},
                          {"body", {{"values", json::array()}, {"next", next}}}});
  }
  const auto r =
      scan({"-f", "json", "-w", "acme"},
           {std::string("BITBUCKET_EMAIL=") + kEmail,
            std::string("BITBUCKET_API_TOKEN=") + kApiToken, std::string("BBP_NOW=") + kNow});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(foreign.request_count(), 0U);
  for (const auto& [repo, next] : links) {
    EXPECT_EQ(bb_.fake().request_count("/2.0/repositories/acme/" + repo + "/deploy-keys"), 1U);
  }
  const auto report = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << r.out;
  const auto unknown = unknown_of(report);
  for (const char* repo : {"acme/api", "acme/web", "acme/keys"}) {
    EXPECT_EQ(unknown.count(std::string("old-key ") + repo), 1U) << repo;
  }
}

TEST_F(Security, PlainHttpIsRefusedForAnyNonLoopbackHostBeforeAnyRequest) {
  const std::vector<std::string> refused = {
      "http://api.bitbucket.org/2.0",     "http://192.0.2.1/2.0",     "http://127.0.0.1.nip.io/2.0",
      "http://localhost.example.com/2.0", "http://10.0.0.1:8080/2.0", "HTTP://example.com/2.0"};
  for (const auto& url : refused) {
    for (const char* option : {"--api-url", "--token-url"}) {
      std::vector<std::string> args{"scan", "-f", "json", "--max-attempts", "1", "--timeout", "1"};
      args.emplace_back(option);
      args.push_back(url);
      const auto r = bb_.run(args);
      EXPECT_EQ(r.exit_code, 2) << option << " " << url << ": " << r.err;
      EXPECT_THAT(r.err, HasSubstr(std::string(option) + " uses plain http://"));
      EXPECT_THAT(r.out, IsEmpty());
    }
  }
  // Other schemes are refused too.
  for (const std::string url :
       {"ftp://bitbucket.org/2.0", "file:///etc/passwd", "api.bitbucket.org"}) {
    const auto r = bb_.run({"scan", "--api-url", url});
    EXPECT_EQ(r.exit_code, 2) << url;
    EXPECT_THAT(r.err, HasSubstr("--api-url must be an absolute https:// URL"));
  }
}

TEST_F(Security, PlainHttpIsAcceptedForLoopbackNames) {
  const std::string port = std::to_string(bb_.fake().port());
  const auto r = bb_.run({"scan", "-f", "json", "--fail-on", "none", "--no-progress",
                          "--max-attempts", "2", "--api-url", "http://localhost:" + port + "/2.0",
                          "--token-url", "http://localhost:" + port + "/site/oauth2/access_token"});
  EXPECT_EQ(r.exit_code, 3) << r.err;  // the scenario's faults
  EXPECT_GT(bb_.fake().request_count(), 5U);
}

TEST_F(Security, TlsVerificationCannotBeTurnedOff) {
  for (const std::string option :
       {"--insecure", "-k", "--no-verify", "--no-verify-ssl", "--tls-no-verify", "--ssl-no-verify",
        "--no-check-certificate", "--skip-tls-verify"}) {
    const auto r = bb_.run({"scan", option, "-f", "json"});
    EXPECT_EQ(r.exit_code, 2) << option;
    EXPECT_THAT(r.err, HasSubstr(option)) << option;
    EXPECT_EQ(bb_.fake().request_count(), 0U);
  }
  for (const auto& help :
       {std::vector<std::string>{"scan", "--help"}, {"auth", "check", "--help"}}) {
    const auto r = bb_.run(help, {});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_THAT(r.out, HasSubstr("--ca-bundle"));
    EXPECT_THAT(r.out, HasSubstr("TLS verification is always on"));
    EXPECT_THAT(r.out, Not(HasSubstr("insecure")));
    EXPECT_THAT(r.out, Not(HasSubstr("no-verify")));
  }
}

}  // namespace
}  // namespace bbp::test
