// The plugin namespaces: branch restrictions at both levels, access keys and users' SSH keys
// (with and without createdDate, in both formats), default reviewers, required builds on both
// spellings and without the add-on, and the branching model.
#include <gtest/gtest.h>

#include <string>

#include "dc_test_support.hpp"

namespace bbp::fake_dc::testing {
namespace {

using nlohmann::json;

const std::string kRepo = "projects/PLAT/repos/api";

class DcPluginsTest : public FakeDcTest {
 protected:
  json values(const std::string& user, const std::string& target) const {
    const auto response = as(user).get(target);
    EXPECT_EQ(response.status, 200) << target << ": " << response.body;
    return response.status == 200 ? response.json().at("values") : json::array();
  }
};

TEST_F(DcPluginsTest, RepositoryRestrictionsInDataCentersShape) {
  const auto list = values("carol", "/rest/branch-permissions/latest/" + kRepo + "/restrictions");
  ASSERT_EQ(list.size(), 4U);  // the repository's own, not the project's
  const auto& branch = list[0];
  EXPECT_EQ(branch.at("id"), 2);
  EXPECT_EQ(branch.at("type"), "no-deletes");
  EXPECT_EQ(branch.at("matcher"), (json{{"id", "refs/heads/main"},
                                        {"displayId", "main"},
                                        {"type", {{"id", "BRANCH"}, {"name", "Branch"}}},
                                        {"active", true}}));
  EXPECT_EQ(branch.at("scope"), (json{{"type", "REPOSITORY"}, {"resourceId", 10}}));
  const auto& pattern = list[1];
  EXPECT_EQ(pattern.at("matcher").at("displayId"), "release/*");
  ASSERT_EQ(pattern.at("users").size(), 1U);
  EXPECT_EQ(pattern.at("users")[0].at("name"), "carol");
  EXPECT_EQ(pattern.at("users")[0].at("slug"), "carol");
  ASSERT_EQ(pattern.at("accessKeys").size(), 2U);
  EXPECT_EQ(pattern.at("accessKeys")[0].at("key").at("id"), 7);
  EXPECT_EQ(pattern.at("accessKeys")[0].at("repository").at("slug"), "api");
  EXPECT_EQ(pattern.at("accessKeys")[1].at("key").at("id"), 5);  // the project's key
  EXPECT_EQ(pattern.at("accessKeys")[1].at("project").at("key"), "PLAT");
  EXPECT_EQ(list[2].at("matcher").at("displayId"), "Hotfix");
  EXPECT_EQ(list[3].at("matcher").at("id"), "ANY_REF_MATCHER_ID");
  const auto filtered =
      values("carol", "/rest/branch-permissions/latest/" + kRepo + "/restrictions?type=read-only");
  ASSERT_EQ(filtered.size(), 1U);
  EXPECT_EQ(filtered[0].at("id"), 5);
}

TEST_F(DcPluginsTest, ProjectRestrictions) {
  const auto list = values("alice", "/rest/branch-permissions/latest/projects/PLAT/restrictions");
  ASSERT_EQ(list.size(), 1U);
  const auto& restriction = list[0];
  EXPECT_EQ(restriction.at("type"), "read-only");
  EXPECT_EQ(restriction.at("matcher").at("type").at("id"), "MODEL_BRANCH");
  EXPECT_EQ(restriction.at("matcher").at("displayId"), "Production");
  EXPECT_EQ(restriction.at("scope"), (json{{"type", "PROJECT"}, {"resourceId", 1}}));
  EXPECT_EQ(restriction.at("groups"), json::array({"devs"}));  // names, as strings
  EXPECT_EQ(restriction.at("users")[0].at("displayName"), "Alice Lead");
  EXPECT_EQ(restriction.at("accessKeys")[0].at("permission"), "PROJECT_READ");
}

TEST_F(DcPluginsTest, AccessKeysWithAndWithoutCreatedDate) {
  const auto repo_keys = values("carol", "/rest/keys/latest/" + kRepo + "/ssh");
  ASSERT_EQ(repo_keys.size(), 1U);
  const auto& deploy = repo_keys[0];
  EXPECT_EQ(deploy.at("permission"), "REPO_WRITE");
  EXPECT_EQ(deploy.at("repository").at("slug"), "api");
  EXPECT_EQ(deploy.at("key").at("label"), "deploy");
  EXPECT_EQ(deploy.at("key").at("algorithmType"), "RSA");
  EXPECT_EQ(deploy.at("key").at("bitLength"), 2048);
  EXPECT_EQ(deploy.at("key").at("fingerprint").get<std::string>().rfind("SHA256:", 0), 0U);
  EXPECT_FALSE(deploy.at("key").contains("createdDate"));  // made before 8.7
  const auto project_keys = values("alice", "/rest/keys/latest/projects/PLAT/ssh");
  ASSERT_EQ(project_keys.size(), 1U);
  EXPECT_EQ(project_keys[0].at("key").at("createdDate"), "2023-01-01T00:00:00Z");
  EXPECT_EQ(project_keys[0].at("project").at("key"), "PLAT");
}

TEST_F(DcPluginsTest, KeyDatesInMillisecondsWhenAsked) {
  auto scenario = basic_scenario();
  scenario["key_dates"] = "millis";
  start(scenario);
  const auto project_keys = values("alice", "/rest/keys/latest/projects/PLAT/ssh");
  ASSERT_EQ(project_keys.size(), 1U);
  EXPECT_EQ(project_keys[0].at("key").at("createdDate"), 1672531200000);
  const auto own = values("admin", "/rest/ssh/latest/keys");
  ASSERT_EQ(own.size(), 1U);
  EXPECT_EQ(own[0].at("createdDate"), 1704448800000);
  EXPECT_FALSE(values("alice", "/rest/ssh/latest/keys")[0].contains("createdDate"));
}

TEST_F(DcPluginsTest, UsersSshKeys) {
  const auto own = values("alice", "/rest/ssh/latest/keys");
  ASSERT_EQ(own.size(), 2U);
  EXPECT_EQ(own[0].at("label"), "old");
  EXPECT_FALSE(own[0].contains("createdDate"));
  EXPECT_EQ(own[1].at("createdDate"), "2024-06-01T12:30:00Z");
  EXPECT_EQ(own[1].at("algorithmType"), "ED25519");
  EXPECT_EQ(values("admin", "/rest/ssh/latest/keys?userName=alice").size(), 2U);
  EXPECT_EQ(values("admin", "/rest/ssh/latest/keys?user=bob").size(), 0U);
  EXPECT_EQ(as("admin").get("/rest/ssh/latest/keys?userName=nobody").status, 404);
  EXPECT_EQ(as("bob").get("/rest/ssh/latest/keys?userName=alice").status, 401);
  EXPECT_EQ(values("alice", "/rest/ssh/latest/keys?userName=alice").size(), 2U);
  EXPECT_EQ(anonymous().get("/rest/ssh/latest/keys").status, 401);
}

TEST_F(DcPluginsTest, DefaultReviewersArePlainArray) {
  const auto response = as("bob").get("/rest/default-reviewers/latest/" + kRepo + "/conditions");
  ASSERT_EQ(response.status, 200);
  const auto conditions = response.json();
  ASSERT_TRUE(conditions.is_array());
  ASSERT_EQ(conditions.size(), 1U);
  EXPECT_EQ(conditions[0].at("requiredApprovals"), 1);
  const auto none =
      as("admin").get("/rest/default-reviewers/latest/projects/PLAT/repos/empty/conditions");
  EXPECT_EQ(none.json(), json::array());
}

TEST_F(DcPluginsTest, RequiredBuildsOnEitherSpellingOrAbsent) {
  const std::string builds = "/rest/required-builds/latest/projects/PLAT/repos/";
  const auto current = values("bob", builds + "api/conditions");
  ASSERT_EQ(current.size(), 1U);
  EXPECT_EQ(current[0].at("buildParentKeys"), json::array({"ci-build"}));
  EXPECT_EQ(as("bob").get(builds + "api/condition").status, 404);
  // An older server: only …/condition.
  EXPECT_EQ(values("admin", builds + "legacy/condition")[0].at("id"), 2);
  EXPECT_EQ(as("admin").get(builds + "legacy/conditions").status, 404);
  // The add-on is absent: both 404.
  for (const auto* spelling : {"empty/conditions", "empty/condition"}) {
    const auto response = as("admin").get(builds + spelling);
    EXPECT_EQ(response.status, 404) << spelling;
    EXPECT_EQ(response.error_message(), "The requested resource does not exist.");
  }
  EXPECT_EQ(values("admin", builds + "site/conditions"), json::array());  // none configured
}

TEST_F(DcPluginsTest, BranchModelOr404) {
  const auto response = as("bob").get("/rest/branch-utils/latest/" + kRepo + "/branchmodel");
  ASSERT_EQ(response.status, 200);
  const auto model = response.json();
  EXPECT_EQ(model.at("development").at("displayId"), "develop");
  EXPECT_EQ(model.at("production").at("refId"), "refs/heads/main");
  EXPECT_EQ(model.at("types")[0].at("prefix"), "feature/");
  EXPECT_EQ(
      as("admin").get("/rest/branch-utils/latest/projects/PLAT/repos/site/branchmodel").status,
      404);
}

}  // namespace
}  // namespace bbp::fake_dc::testing
