// Effective permissions: project, repository and group grants, global admins, public
// repositories and projects; 404 for what the caller cannot see, 401 for what it cannot do.
#include <gtest/gtest.h>

#include <set>

#include "dc_test_support.hpp"

namespace bbp::fake_dc::testing {
namespace {

constexpr const char* kApi = "/rest/api/latest/projects/PLAT/repos/api";
constexpr const char* kApiRestrictions =
    "/rest/branch-permissions/latest/projects/PLAT/repos/api/restrictions";
constexpr const char* kProjectRestrictions =
    "/rest/branch-permissions/latest/projects/PLAT/restrictions";

class DcPermissionsTest : public FakeDcTest {
 protected:
  std::set<std::string> repo_names(const Caller& caller, const std::string& target) const {
    const auto response = caller.get(target);
    EXPECT_EQ(response.status, 200) << response.body;
    std::set<std::string> names;
    const auto page = response.json();
    for (const auto& repo : page.at("values")) {
      names.insert(repo.at("project").at("key").get<std::string>() + "/" +
                   repo.at("slug").get<std::string>());
    }
    return names;
  }
};

TEST_F(DcPermissionsTest, UnreadableRepositoryIs404WithDataCentersBody) {
  const auto response = as("erin").get(kApi);
  ASSERT_EQ(response.status, 404);
  EXPECT_EQ(response.body,
            R"({"errors":[{"context":null,"exceptionName":"com.atlassian.bitbucket.repository.)"
            R"(NoSuchRepositoryException","message":"Repository PLAT/api does not exist."}]})");
  EXPECT_EQ(as("erin").get("/rest/api/latest/projects/PLAT/repos/nothing").status, 404);
}

TEST_F(DcPermissionsTest, InvisibleProjectIs404) {
  const auto response = as("bob").get("/rest/api/latest/projects/SEC");
  ASSERT_EQ(response.status, 404);
  EXPECT_EQ(response.error_message(), "Project SEC does not exist.");
  EXPECT_EQ(response.exception_name(), "com.atlassian.bitbucket.project.NoSuchProjectException");
  EXPECT_EQ(as("bob").get("/rest/api/latest/projects/SEC/repos/vault").status, 404);
  EXPECT_EQ(as("erin").get("/rest/api/latest/projects/SEC/repos/vault").status, 200);
}

TEST_F(DcPermissionsTest, ReadableButNotAdministrableIs401) {
  ASSERT_EQ(as("bob").get(kApi).status, 200);  // PROJECT_READ
  const auto response = as("bob").get(kApiRestrictions);
  ASSERT_EQ(response.status, 401);
  EXPECT_EQ(response.error_message(), "You are not permitted to access this resource");
  EXPECT_EQ(response.exception_name(), "com.atlassian.bitbucket.AuthorisationException");
  EXPECT_EQ(as("bob").get("/rest/keys/latest/projects/PLAT/repos/api/ssh").status, 401);
  EXPECT_EQ(as("bob").get(kProjectRestrictions).status, 401);
  EXPECT_EQ(as("bob").get("/rest/keys/latest/projects/PLAT/ssh").status, 401);
}

TEST_F(DcPermissionsTest, RepositoryGrantGivesAdminOfThatRepositoryOnly) {
  EXPECT_EQ(as("carol").get(kApiRestrictions).status, 200);  // REPO_ADMIN
  EXPECT_EQ(as("carol").get("/rest/api/latest/projects/PLAT/repos/legacy").status, 404);
  // The project is visible through the repository, but not administrable.
  EXPECT_EQ(as("carol").get("/rest/api/latest/projects/PLAT").status, 200);
  EXPECT_EQ(as("carol").get(kProjectRestrictions).status, 401);
}

TEST_F(DcPermissionsTest, GroupGrantCounts) {
  EXPECT_EQ(as("dave").get(kApi).status, 200);  // devs: REPO_READ
  EXPECT_EQ(as("dave").get(kApiRestrictions).status, 401);
  EXPECT_EQ(as("dave").get("/rest/api/latest/projects/PLAT/repos/legacy").status, 404);
}

TEST_F(DcPermissionsTest, ProjectAdminAndGlobalAdminAdministerEverything) {
  EXPECT_EQ(as("alice").get(kProjectRestrictions).status, 200);
  EXPECT_EQ(as("alice").get(kApiRestrictions).status, 200);
  EXPECT_EQ(as("alice").get("/rest/api/latest/projects/SEC").status, 404);
  EXPECT_EQ(as("admin").get("/rest/keys/latest/projects/SEC/ssh").status, 200);
  EXPECT_EQ(as("admin").get(kProjectRestrictions).status, 200);
}

TEST_F(DcPermissionsTest, PublicRepositoryOrProjectIsReadableByEveryone) {
  EXPECT_EQ(anonymous().get("/rest/api/latest/projects/PLAT/repos/site").status, 200);
  EXPECT_EQ(anonymous().get("/rest/api/latest/projects/OPEN/repos/lib").status, 200);
  EXPECT_EQ(as("erin").get("/rest/api/latest/projects/OPEN/repos/lib").status, 200);
  EXPECT_EQ(anonymous().get("/rest/api/latest/projects/OPEN/repos/lib/commits").status, 200);
  // Reading is not administering.
  EXPECT_EQ(anonymous().get("/rest/keys/latest/projects/OPEN/repos/lib/ssh").status, 401);
  EXPECT_EQ(repo_names(anonymous(), "/rest/api/latest/repos"),
            (std::set<std::string>{"PLAT/site", "OPEN/lib"}));
}

TEST_F(DcPermissionsTest, ListingsShowWhatTheCallerCanRead) {
  EXPECT_EQ(repo_names(as("carol"), "/rest/api/latest/repos"),
            (std::set<std::string>{"PLAT/api", "PLAT/site", "OPEN/lib"}));
  EXPECT_EQ(repo_names(as("carol"), "/rest/api/latest/projects/PLAT/repos"),
            (std::set<std::string>{"PLAT/api", "PLAT/site"}));
  EXPECT_EQ(repo_names(as("erin"), "/rest/api/latest/repos?permission=REPO_WRITE"),
            (std::set<std::string>{"SEC/vault"}));
  const auto projects = as("bob").get("/rest/api/latest/projects").json();
  std::set<std::string> keys;
  for (const auto& project : projects.at("values")) {
    keys.insert(project.at("key").get<std::string>());
  }
  EXPECT_EQ(keys, (std::set<std::string>{"PLAT", "OPEN"}));
  const auto admin_of = as("alice").get("/rest/api/latest/projects?permission=PROJECT_ADMIN");
  ASSERT_EQ(admin_of.json().at("values").size(), 1U);
  EXPECT_EQ(admin_of.json().at("values")[0].at("key"), "PLAT");
}

}  // namespace
}  // namespace bbp::fake_dc::testing
