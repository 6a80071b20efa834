// Authentication of the fake Data Center server: tokens as Bearer or Basic, passwords, refused
// credentials, anonymous callers (unknown Bearer tokens among them) and X-AUSERNAME.
#include <gtest/gtest.h>

#include "dc_test_support.hpp"

namespace bbp::fake_dc::testing {
namespace {

constexpr const char* kUsers = "/rest/api/latest/users";

class DcAuthTest : public FakeDcTest {};

TEST_F(DcAuthTest, BearerTokenAuthenticatesItsUser) {
  const auto response = as("alice").get(kUsers);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.header("X-AUSERNAME"), "alice");
  const auto log = server_->requests();
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].auth_scheme, "Bearer");
  EXPECT_EQ(log[0].user, "alice");
  EXPECT_EQ(log[0].status, 200);
  EXPECT_EQ(log[0].path, kUsers);
}

TEST_F(DcAuthTest, BasicWithTokenOrPasswordAuthenticates) {
  const auto with_token = Caller(*server_).basic("bob", "dc-token-bob").get(kUsers);
  EXPECT_EQ(with_token.status, 200) << with_token.body;
  EXPECT_EQ(with_token.header("X-AUSERNAME"), "bob");
  const auto with_password = Caller(*server_).basic("admin", "pw-admin").get(kUsers);
  EXPECT_EQ(with_password.status, 200) << with_password.body;
  EXPECT_EQ(with_password.header("X-AUSERNAME"), "admin");
  EXPECT_EQ(server_->requests().at(1).auth_scheme, "Basic");
}

TEST_F(DcAuthTest, BasicWithWrongSecretOrUnknownUserIs401) {
  for (const auto& [user, secret] : {std::pair{"alice", "wrong"}, std::pair{"alice", "pw-admin"},
                                     std::pair{"nobody", "dc-token-alice"}}) {
    const auto response = Caller(*server_).basic(user, secret).get(kUsers);
    ASSERT_EQ(response.status, 401) << user;
    EXPECT_EQ(response.error_message(),
              "Authentication failed. Please check your credentials and try again.");
    EXPECT_FALSE(response.has_header("X-AUSERNAME"));
  }
  // A user's token is not another user's password.
  EXPECT_EQ(Caller(*server_).basic("bob", "dc-token-alice").get(kUsers).status, 401);
  EXPECT_EQ(server_->requests().back().user, "");
}

TEST_F(DcAuthTest, UnknownBearerTokenIsServedAsAnonymous) {
  const auto caller = Caller(*server_).bearer("not-a-token");
  const auto properties = caller.get("/rest/api/latest/application-properties");
  ASSERT_EQ(properties.status, 200);
  EXPECT_FALSE(properties.has_header("X-AUSERNAME"));
  const auto users = caller.get(kUsers);
  EXPECT_EQ(users.status, 401);  // how a client tells it is not who it thinks
  EXPECT_EQ(users.exception_name(), "com.atlassian.bitbucket.AuthorisationException");
  EXPECT_EQ(caller.get("/rest/api/latest/projects/OPEN/repos/lib").status, 200);  // public
  EXPECT_EQ(caller.get("/rest/api/latest/projects/PLAT/repos/api").status, 404);
  EXPECT_EQ(server_->requests().back().auth_scheme, "Bearer");
  EXPECT_EQ(server_->requests().back().user, "");
}

TEST_F(DcAuthTest, UnknownBearerTokenIsRefusedWithoutTheQuirk) {
  auto scenario = basic_scenario();
  scenario["anonymous_bearer"] = false;
  start(scenario);
  const auto response =
      Caller(*server_).bearer("not-a-token").get("/rest/api/latest/application-properties");
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(as("alice").get("/rest/api/latest/application-properties").status, 200);
}

TEST_F(DcAuthTest, ApplicationPropertiesAnswerAnonymousCallers) {
  const auto response = anonymous().get("/rest/api/1.0/application-properties");
  ASSERT_EQ(response.status, 200);
  const auto body = response.json();
  EXPECT_EQ(body.at("version"), "9.2.3");
  EXPECT_EQ(body.at("buildNumber"), "9002003");
  EXPECT_EQ(body.at("displayName"), "Bitbucket");
  EXPECT_TRUE(body.at("buildDate").is_string());
  EXPECT_FALSE(response.has_header("X-AUSERNAME"));
}

TEST_F(DcAuthTest, UsersNeedAnAuthenticatedCallerAndFilter) {
  EXPECT_EQ(anonymous().get(kUsers).status, 401);
  const auto all = as("erin").get(kUsers).json();
  EXPECT_EQ(all.at("size"), 6);
  const auto filtered = as("erin").get(std::string(kUsers) + "?filter=READER").json();
  ASSERT_EQ(filtered.at("values").size(), 1U);
  const auto& bob = filtered.at("values")[0];
  EXPECT_EQ(bob.at("name"), "bob");
  EXPECT_EQ(bob.at("displayName"), "Bob Reader");
  EXPECT_EQ(bob.at("emailAddress"), "bob@example.com");
  EXPECT_EQ(bob.at("type"), "NORMAL");
  EXPECT_EQ(bob.at("active"), true);
  const auto one = as("erin").get("/rest/api/latest/users/carol");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json().at("id"), 4);
  EXPECT_EQ(as("erin").get("/rest/api/latest/users/nobody").status, 404);
}

TEST_F(DcAuthTest, AdminEndpointsAnswer401ToNonAdmins) {
  const auto admin = as("admin").get("/rest/api/latest/admin/users?limit=2");
  ASSERT_EQ(admin.status, 200);
  EXPECT_EQ(admin.json().at("values")[0].at("name"), "admin");
  EXPECT_EQ(admin.json().at("values")[0].at("directoryName"), "Bitbucket Internal Directory");
  const auto alice = as("alice").get("/rest/api/latest/admin/users");
  EXPECT_EQ(alice.status, 401);  // not 403, as real servers answer
  EXPECT_EQ(alice.error_message(), "You are not permitted to access this resource");
  EXPECT_EQ(alice.header("X-AUSERNAME"), "alice");
  EXPECT_EQ(anonymous().get("/rest/api/latest/admin/users").status, 401);
}

TEST_F(DcAuthTest, WritesAreRefusedAndLogged) {
  const auto response = as("admin").post("/rest/api/latest/projects", R"({"key": "NEW"})");
  EXPECT_EQ(response.status, 405);
  const auto writes = server_->write_requests();
  ASSERT_EQ(writes.size(), 1U);
  EXPECT_EQ(writes[0].method, "POST");
  EXPECT_EQ(writes[0].body, R"({"key": "NEW"})");
  EXPECT_EQ(writes[0].user, "admin");
}

}  // namespace
}  // namespace bbp::fake_dc::testing
