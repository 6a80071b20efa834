#include "bbp/bitbucket/credentials.hpp"

#include <map>
#include <string>

#include <gtest/gtest.h>

namespace bbp::bitbucket {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end() || it->second.empty()) {
      return std::nullopt;
    }
    return it->second;
  };
}

TEST(BitbucketCredentials, AccessTokenWinsOverEverythingElse) {
  const auto creds = credentials_from_environment(env_of({{"BITBUCKET_ACCESS_TOKEN", "at-1"},
                                                          {"BITBUCKET_CLIENT_ID", "cid"},
                                                          {"BITBUCKET_CLIENT_SECRET", "csecret"},
                                                          {"BITBUCKET_EMAIL", "dev@example.com"},
                                                          {"BITBUCKET_API_TOKEN", "api-1"}}));
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->kind, CredentialKind::access_token);
  EXPECT_EQ(creds->secret.reveal(), "at-1");
}

TEST(BitbucketCredentials, ClientCredentialsWinOverApiToken) {
  const auto creds = credentials_from_environment(env_of({{"BITBUCKET_CLIENT_ID", "cid"},
                                                          {"BITBUCKET_CLIENT_SECRET", "csecret"},
                                                          {"BITBUCKET_EMAIL", "dev@example.com"},
                                                          {"BITBUCKET_API_TOKEN", "api-1"}}));
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->kind, CredentialKind::client_credentials);
  EXPECT_EQ(creds->client_id, "cid");
  EXPECT_EQ(creds->secret.reveal(), "csecret");
}

TEST(BitbucketCredentials, ApiTokenWithEmail) {
  const auto creds = credentials_from_environment(
      env_of({{"BITBUCKET_EMAIL", "dev@example.com"}, {"BITBUCKET_API_TOKEN", "api-1"}}));
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->kind, CredentialKind::api_token);
  EXPECT_EQ(creds->username, "dev@example.com");
  EXPECT_EQ(creds->secret.reveal(), "api-1");
}

TEST(BitbucketCredentials, UsernameIsTheFallbackForEmail) {
  auto creds = credentials_from_environment(
      env_of({{"BITBUCKET_USERNAME", "dev@example.com"}, {"BITBUCKET_API_TOKEN", "api-1"}}));
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->kind, CredentialKind::api_token);
  EXPECT_EQ(creds->username, "dev@example.com");

  // Email wins when both are set.
  creds = credentials_from_environment(env_of({{"BITBUCKET_USERNAME", "someone"},
                                               {"BITBUCKET_EMAIL", "dev@example.com"},
                                               {"BITBUCKET_API_TOKEN", "api-1"}}));
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->username, "dev@example.com");
}

TEST(BitbucketCredentials, EmptyValuesCountAsUnset) {
  const auto creds = credentials_from_environment(env_of({{"BITBUCKET_ACCESS_TOKEN", ""},
                                                          {"BITBUCKET_EMAIL", "dev@example.com"},
                                                          {"BITBUCKET_API_TOKEN", "api-1"}}));
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->kind, CredentialKind::api_token);
}

TEST(BitbucketCredentials, HalfAClientPairIsAClearError) {
  for (const auto& [set, missing] :
       {std::pair<std::string, std::string>{"BITBUCKET_CLIENT_ID", "BITBUCKET_CLIENT_SECRET"},
        {"BITBUCKET_CLIENT_SECRET", "BITBUCKET_CLIENT_ID"}}) {
    SCOPED_TRACE(set);
    const auto creds = credentials_from_environment(env_of({{set, "s3cr3t-value"}}));
    ASSERT_FALSE(creds);
    EXPECT_NE(creds.error().find(missing), std::string::npos) << creds.error();
    EXPECT_EQ(creds.error().find("s3cr3t-value"), std::string::npos) << creds.error();
  }
}

TEST(BitbucketCredentials, HalfAClientPairIsAnErrorEvenWithACompleteApiToken) {
  const auto creds = credentials_from_environment(env_of({{"BITBUCKET_CLIENT_ID", "id"},
                                                          {"BITBUCKET_EMAIL", "dev@example.com"},
                                                          {"BITBUCKET_API_TOKEN", "token"}}));
  ASSERT_FALSE(creds);
  EXPECT_NE(creds.error().find("BITBUCKET_CLIENT_SECRET"), std::string::npos);
}

TEST(BitbucketCredentials, HalfAnApiTokenPairIsAClearError) {
  auto creds = credentials_from_environment(env_of({{"BITBUCKET_API_TOKEN", "api-s3cr3t"}}));
  ASSERT_FALSE(creds);
  EXPECT_NE(creds.error().find("BITBUCKET_EMAIL"), std::string::npos) << creds.error();
  EXPECT_EQ(creds.error().find("api-s3cr3t"), std::string::npos) << creds.error();

  creds = credentials_from_environment(env_of({{"BITBUCKET_EMAIL", "dev@example.com"}}));
  ASSERT_FALSE(creds);
  EXPECT_NE(creds.error().find("BITBUCKET_API_TOKEN"), std::string::npos) << creds.error();
}

TEST(BitbucketCredentials, NoneSetNamesTheVariables) {
  const auto creds = credentials_from_environment(env_of({{"HOME", "/root"}}));
  ASSERT_FALSE(creds);
  for (const char* name : {"BITBUCKET_ACCESS_TOKEN", "BITBUCKET_CLIENT_ID",
                           "BITBUCKET_CLIENT_SECRET", "BITBUCKET_EMAIL", "BITBUCKET_API_TOKEN"}) {
    EXPECT_NE(creds.error().find(name), std::string::npos) << name << ": " << creds.error();
  }
}

TEST(BitbucketCredentials, DescribeNeverShowsTheSecret) {
  const Credentials access{CredentialKind::access_token, {}, {}, Secret("at-SECRET-1"), {}, {}};
  const Credentials client{
      CredentialKind::client_credentials, "my-client", {}, Secret("cs-SECRET-2"), {}, {}};
  const Credentials api{CredentialKind::api_token, {}, "dev@example.com",
                        Secret("api-SECRET-3"),    {}, {}};
  for (const auto* c : {&access, &client, &api}) {
    const std::string text = describe(*c);
    EXPECT_FALSE(text.empty());
    EXPECT_EQ(text.find("SECRET"), std::string::npos) << text;
  }
  EXPECT_NE(describe(client).find("my-client"), std::string::npos);
  EXPECT_NE(describe(api).find("dev@example.com"), std::string::npos);
}

TEST(BitbucketCredentials, KindNames) {
  EXPECT_EQ(to_string(CredentialKind::access_token), "access_token");
  EXPECT_EQ(to_string(CredentialKind::client_credentials), "client_credentials");
  EXPECT_EQ(to_string(CredentialKind::api_token), "api_token");
}

TEST(BitbucketCredentials, Base64Rfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(BitbucketCredentials, Base64HighBytesAndCredentials) {
  EXPECT_EQ(base64_encode(std::string("\xff\xfe\xfd", 3)), "//79");
  EXPECT_EQ(base64_encode(std::string("\0\0", 2)), "AAA=");
  EXPECT_EQ(base64_encode("dev@example.com:api-xyz"), "ZGV2QGV4YW1wbGUuY29tOmFwaS14eXo=");
}

}  // namespace
}  // namespace bbp::bitbucket

namespace bbp::bitbucket {
namespace {

TEST(BitbucketCredentialValidation, SurroundingWhitespaceIsTrimmed) {
  const auto creds = credentials_from_environment(
      env_of({{"BITBUCKET_CLIENT_ID", "  cid\t"}, {"BITBUCKET_CLIENT_SECRET", "csecret\n"}}));
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->client_id, "cid");
  EXPECT_EQ(creds->secret.reveal(), "csecret");
}

TEST(BitbucketCredentialValidation, OnlyWhitespaceCountsAsUnset) {
  const auto creds = credentials_from_environment(env_of({{"BITBUCKET_ACCESS_TOKEN", " \n"},
                                                          {"BITBUCKET_EMAIL", "dev@example.com"},
                                                          {"BITBUCKET_API_TOKEN", "api-1"}}));
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->kind, CredentialKind::api_token);
}

TEST(BitbucketCredentialValidation, AControlCharacterInsideIsRefusedNamingTheVariable) {
  for (const char* bad : {"at-1\r\nX-Injected: 1", "at\t1", "at\x7f"}) {
    const auto creds = credentials_from_environment(env_of({{"BITBUCKET_ACCESS_TOKEN", bad}}));
    ASSERT_FALSE(creds);
    EXPECT_NE(creds.error().find("BITBUCKET_ACCESS_TOKEN contains a control character"),
              std::string::npos)
        << creds.error();
    EXPECT_EQ(creds.error().find("Injected"), std::string::npos);  // never the value
  }
}

TEST(BitbucketCredentialValidation, ANonAsciiSecretIsRefusedButANonAsciiEmailIsNot) {
  const auto secret = credentials_from_environment(env_of({{"BITBUCKET_CLIENT_ID", "cid"},
                                                           {"BITBUCKET_CLIENT_SECRET",
                                                            "s\xc3\xa9"
                                                            "cret"}}));
  ASSERT_FALSE(secret);
  EXPECT_NE(secret.error().find("BITBUCKET_CLIENT_SECRET contains a non-ASCII character"),
            std::string::npos);
  const auto email = credentials_from_environment(env_of({{"BITBUCKET_EMAIL",
                                                           "d\xc3\xa9"
                                                           "v@example.com"},
                                                          {"BITBUCKET_API_TOKEN", "api-1"}}));
  ASSERT_TRUE(email) << email.error();
}

TEST(BitbucketCredentialValidation, AStrayVariableOfALosingCredentialIsIgnored) {
  const auto creds = credentials_from_environment(
      env_of({{"BITBUCKET_ACCESS_TOKEN", "at-1"}, {"BITBUCKET_API_TOKEN", "api\n1"}}));
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->kind, CredentialKind::access_token);
}

}  // namespace
}  // namespace bbp::bitbucket
