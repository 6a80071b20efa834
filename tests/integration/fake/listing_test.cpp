// Endpoints, object shapes, pagination and partial responses of the fake server.
#include <gtest/gtest.h>

#include "fake_test_support.hpp"

namespace bbp::fake::testing {
namespace {

using nlohmann::json;

class FakeListingTest : public FakeServerTest {};

TEST_F(FakeListingTest, PaginatesWithAbsoluteNextLinksThatKeepTheQuery) {
  const std::string fields = "next,values.full_name,values.mainbranch.name";
  std::string url = "/2.0/repositories/acme?pagelen=5&fields=" + fields;
  std::vector<std::string> names;
  std::vector<std::string> next_links;
  for (int page = 1; page <= 3; ++page) {
    const auto response = api().get(url);
    ASSERT_EQ(response.status, 200) << response.body;
    const json body = response.json();
    for (const auto& value : body.at("values")) {
      names.push_back(value.at("full_name"));
      EXPECT_EQ(value.size(), 2U) << value.dump();  // full_name + mainbranch only
    }
    if (page < 3) {
      ASSERT_TRUE(body.contains("next")) << body.dump();
      url = body.at("next");
      next_links.push_back(url);
    } else {
      EXPECT_FALSE(body.contains("next"));
    }
  }
  ASSERT_EQ(names.size(), 12U);
  EXPECT_EQ(names.front(), "acme/api");
  EXPECT_EQ(names.back(), "acme/r12");
  EXPECT_EQ(next_links[0],
            server_->api_url() + "/repositories/acme?pagelen=5&fields=" + fields + "&page=2");
  EXPECT_EQ(next_links[1],
            server_->api_url() + "/repositories/acme?pagelen=5&fields=" + fields + "&page=3");
}

TEST_F(FakeListingTest, PageEnvelopeWithoutFields) {
  const json body = api().get("/2.0/repositories/acme?page=2").json();
  EXPECT_EQ(body.at("pagelen"), 10);
  EXPECT_EQ(body.at("page"), 2);
  EXPECT_EQ(body.at("size"), 12);
  EXPECT_EQ(body.at("values").size(), 2U);
  EXPECT_FALSE(body.contains("next"));
  EXPECT_EQ(body.at("previous"), server_->api_url() + "/repositories/acme?page=1");
}

TEST_F(FakeListingTest, PagelenAboveHundredIsRejected) {
  const auto response = api().get("/2.0/repositories/acme?pagelen=101");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.json(),
            (json{{"type", "error"}, {"error", {{"message", "Invalid pagelen"}}}}));
  EXPECT_EQ(api().get("/2.0/repositories/acme?pagelen=100").status, 200);
  EXPECT_EQ(api().get("/2.0/repositories/acme?page=0").status, 400);
}

TEST_F(FakeListingTest, FieldsWhitelistWithoutNextLosesPagination) {
  const json with_next =
      api().get("/2.0/repositories/acme?pagelen=2&fields=next,values.slug").json();
  EXPECT_TRUE(with_next.contains("next"));
  EXPECT_EQ(with_next.at("values"), json::parse(R"([{"slug":"api"},{"slug":"web"}])"));
  EXPECT_FALSE(with_next.contains("page"));

  const json without_next = api().get("/2.0/repositories/acme?pagelen=2&fields=values.slug").json();
  EXPECT_EQ(without_next, json::parse(R"({"values":[{"slug":"api"},{"slug":"web"}]})"));
}

TEST_F(FakeListingTest, FieldsRemovalAdditionAndWildcard) {
  const json removed =
      api().get("/2.0/repositories/acme/api?fields=-links,-owner,-workspace,-project").json();
  EXPECT_FALSE(removed.contains("links"));
  EXPECT_FALSE(removed.contains("owner"));
  EXPECT_EQ(removed.at("full_name"), "acme/api");

  const json added = api().get("/2.0/repositories/acme/api?fields=-*,%2Bslug,%2Buuid").json();
  EXPECT_EQ(added, (json{{"slug", "api"}, {"uuid", "{f3068605-1bdd-4c38-99e2-91d8e33e993d}"}}));

  const json wildcard = api().get("/2.0/repositories/acme/api?fields=links.*.href").json();
  ASSERT_TRUE(wildcard.contains("links"));
  EXPECT_EQ(wildcard.at("links").at("self").at("href"),
            server_->api_url() + "/repositories/acme/api");
  EXPECT_EQ(wildcard.size(), 1U);

  // A null mainbranch survives a whitelist that names one of its children.
  const json empty = api().get("/2.0/repositories/acme/empty?fields=mainbranch.name").json();
  EXPECT_EQ(empty, json::parse(R"({"mainbranch":null})"));
}

TEST_F(FakeListingTest, RemovedCrossWorkspaceEndpointsAnswer410) {
  for (const char* path : {"/2.0/workspaces", "/2.0/user/permissions/workspaces",
                           "/2.0/user/permissions/repositories", "/2.0/repositories"}) {
    const auto response = api().get(path);
    EXPECT_EQ(response.status, 410) << path;
    EXPECT_EQ(response.json().at("error").at("message"),
              "CHANGE-2770 - Functionality has been deprecated");
  }
}

TEST_F(FakeListingTest, UnknownWorkspaceAndRepository) {
  const auto workspace = api().get("/2.0/repositories/nope");
  EXPECT_EQ(workspace.status, 404);
  EXPECT_EQ(workspace.json().at("error").at("message"), "No workspace with identifier 'nope'.");
  const auto repo = api().get("/2.0/repositories/acme/nope/branch-restrictions");
  EXPECT_EQ(repo.status, 404);
  EXPECT_EQ(repo.json().at("error").at("message"), "Repository not found");
  EXPECT_EQ(api().get("/2.0/no/such/endpoint").status, 404);
}

TEST_F(FakeListingTest, RepositoryObjectIsComplete) {
  const json repo = api().get("/2.0/repositories/acme/api").json();
  EXPECT_EQ(repo.at("type"), "repository");
  EXPECT_EQ(repo.at("full_name"), "acme/api");
  EXPECT_EQ(repo.at("is_private"), true);
  EXPECT_EQ(repo.at("scm"), "git");
  EXPECT_EQ(repo.at("mainbranch"), (json{{"name", "main"}, {"type", "branch"}}));
  EXPECT_EQ(repo.at("updated_on"), "2026-10-01T12:00:00.000000+00:00");
  EXPECT_EQ(repo.at("project").at("key"), "PLAT");
  EXPECT_EQ(repo.at("project").at("type"), "project");
  EXPECT_EQ(repo.at("workspace").at("slug"), "acme");
  EXPECT_EQ(repo.at("owner").at("uuid"), "{b32e743d-61e7-43ae-958b-d0312595af68}");
  EXPECT_TRUE(repo.at("links").contains("html"));
  EXPECT_TRUE(repo.contains("fork_policy"));
  EXPECT_TRUE(repo.contains("override_settings"));

  // Lookup by {uuid} works too, with or without percent-encoding.
  EXPECT_EQ(api().get("/2.0/repositories/acme/%7Bf3068605-1bdd-4c38-99e2-91d8e33e993d%7D").status,
            200);

  const json empty = api().get("/2.0/repositories/acme/empty").json();
  EXPECT_TRUE(empty.at("mainbranch").is_null());
  EXPECT_EQ(empty.at("size"), 0);

  // Scenario scalars override generated ones, even with the wrong type; _omit drops fields.
  EXPECT_EQ(api().get("/2.0/repositories/acme/r08").json().at("is_private"), "yes");
  EXPECT_FALSE(api().get("/2.0/repositories/acme/r11").json().contains("size"));
}

TEST_F(FakeListingTest, RawObjectsGetTypeAndSelfLink) {
  const json restrictions = api().get("/2.0/repositories/acme/api/branch-restrictions").json();
  ASSERT_EQ(restrictions.at("values").size(), 2U);
  const json& first = restrictions.at("values")[0];
  EXPECT_EQ(first.at("type"), "branchrestriction");
  EXPECT_EQ(first.at("links").at("self").at("href"),
            server_->api_url() + "/repositories/acme/api/branch-restrictions/1");
  EXPECT_EQ(first.at("kind"), "push");

  const json filtered =
      api()
          .get("/2.0/repositories/acme/api/branch-restrictions?kind=require_approvals_to_merge")
          .json();
  ASSERT_EQ(filtered.at("values").size(), 1U);
  EXPECT_EQ(filtered.at("values")[0].at("value"), 2);

  const json keys = api().get("/2.0/repositories/acme/api/deploy-keys").json();
  EXPECT_EQ(keys.at("values")[0].at("type"), "deploy_key");
  EXPECT_EQ(keys.at("values")[0].at("created_on"), "2019-03-23T10:15:21.517377+00:00");

  const json project_keys = api().get("/2.0/workspaces/acme/projects/PLAT/deploy-keys").json();
  EXPECT_EQ(project_keys.at("values")[0].at("type"), "project_deploy_key");
}

TEST_F(FakeListingTest, EffectiveBranchingModel) {
  const json fallback = api().get("/2.0/repositories/acme/api/effective-branching-model").json();
  EXPECT_EQ(fallback.at("development").at("use_mainbranch"), true);
  EXPECT_EQ(fallback.at("development").at("name"), "main");
  EXPECT_FALSE(fallback.contains("production"));
  EXPECT_EQ(fallback.at("branch_types").size(), 4U);

  const json configured = api().get("/2.0/repositories/acme/r12/effective-branching-model").json();
  EXPECT_EQ(configured.at("production").at("name"), "main");
  EXPECT_EQ(configured.at("type"), "branching_model");
}

TEST_F(FakeListingTest, WorkspacesProjectsAndSshKeys) {
  const json workspaces = api().get("/2.0/user/workspaces").json();
  ASSERT_EQ(workspaces.at("values").size(), 1U);
  EXPECT_EQ(workspaces.at("values")[0].at("type"), "workspace_access");
  EXPECT_EQ(workspaces.at("values")[0].at("administrator"), true);
  EXPECT_EQ(workspaces.at("values")[0].at("workspace").at("slug"), "acme");

  const json projects = api().get("/2.0/workspaces/acme/projects").json();
  EXPECT_EQ(projects.at("values")[0].at("key"), "PLAT");
  EXPECT_EQ(projects.at("values")[0].at("is_private"), true);

  const std::string uuid = "d7dd0e2d-3994-4a50-a9ee-d260b6cefdab";
  const auto encoded = api().get("/2.0/users/%7B" + uuid + "%7D/ssh-keys");
  ASSERT_EQ(encoded.status, 200);
  EXPECT_EQ(encoded.json().at("values")[0].at("type"), "ssh_key");
  EXPECT_EQ(api().get("/2.0/users/{" + uuid + "}/ssh-keys").status, 200);
  EXPECT_EQ(api().get("/2.0/users/%7B00000000-0000-4000-8000-000000000000%7D/ssh-keys").status,
            403);
}

}  // namespace
}  // namespace bbp::fake::testing
