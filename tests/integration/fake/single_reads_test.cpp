// The fake server's reads of single objects that a remediation checks before and after a write:
// one deploy key (repository or project) and one repository. Each is the entry its list shows.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "fake_test_support.hpp"

namespace bbp::fake::testing {
namespace {

using nlohmann::json;

constexpr const char* kRepoKeys = "/2.0/repositories/acme/api/deploy-keys";
constexpr const char* kProjectKeys = "/2.0/workspaces/acme/projects/PLAT/deploy-keys";

// The basic scenario, and a writer to delete keys with.
class FakeSingleReadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<FakeBitbucket>(writes_scenario());
    server_->start();
  }
  Caller api() const { return Caller(*server_).basic(kApiEmail, kApiToken); }
  Caller writer() const { return Caller(*server_).basic(kWriterEmail, kWriterToken); }

  // The entry of a one-page list whose `key` is `value`; null when there is none.
  json entry(const std::string& list, const char* key, const json& value) const {
    const auto page =
        api().get(list + (list.find('?') == std::string::npos ? "?" : "&") + "pagelen=100");
    EXPECT_EQ(page.status, 200) << page.body;
    const json document = page.json();
    for (const auto& object : document.at("values")) {
      if (object.at(key) == value) {
        return object;
      }
    }
    return nullptr;
  }

  std::unique_ptr<FakeBitbucket> server_;
};

void expect_not_found(const Response& response, const std::string& message) {
  ASSERT_EQ(response.status, 404) << response.body;
  EXPECT_EQ(response.json().at("type"), "error");
  EXPECT_EQ(response.json().at("error").at("message"), message);
}

TEST_F(FakeSingleReadsTest, RepositoryDeployKeyIsTheListsEntry) {
  const json listed = entry(kRepoKeys, "id", 123);
  ASSERT_TRUE(listed.is_object());
  const auto single = api().get(std::string(kRepoKeys) + "/123");
  ASSERT_EQ(single.status, 200) << single.body;
  EXPECT_EQ(single.json(), listed);
  EXPECT_EQ(single.json().at("type"), "deploy_key");
  EXPECT_EQ(single.json().at("links").at("self").at("href"),
            server_->api_url() + "/repositories/acme/api/deploy-keys/123");
}

TEST_F(FakeSingleReadsTest, ProjectDeployKeyIsTheListsEntry) {
  const json listed = entry(kProjectKeys, "id", 7);
  ASSERT_TRUE(listed.is_object());
  const auto single = api().get(std::string(kProjectKeys) + "/7");
  ASSERT_EQ(single.status, 200) << single.body;
  EXPECT_EQ(single.json(), listed);
  EXPECT_EQ(single.json().at("type"), "project_deploy_key");
  EXPECT_EQ(single.json().at("links").at("self").at("href"),
            server_->api_url() + "/workspaces/acme/projects/PLAT/deploy-keys/7");
}

TEST_F(FakeSingleReadsTest, SingleDeployKeysHonourFields) {
  const auto repo_key = api().get(std::string(kRepoKeys) + "/123?fields=id,label");
  ASSERT_EQ(repo_key.status, 200) << repo_key.body;
  EXPECT_EQ(repo_key.json(), (json{{"id", 123}, {"label", "deploy"}}));
  const auto project_key = api().get(std::string(kProjectKeys) + "/7?fields=-links,-key");
  ASSERT_EQ(project_key.status, 200) << project_key.body;
  EXPECT_FALSE(project_key.json().contains("links"));
  EXPECT_FALSE(project_key.json().contains("key"));
  EXPECT_EQ(project_key.json().at("label"), "ci");
}

TEST_F(FakeSingleReadsTest, AbsentKeyOrParentIs404) {
  expect_not_found(api().get(std::string(kRepoKeys) + "/999"), "Deploy key not found");
  expect_not_found(api().get(std::string(kRepoKeys) + "/7"), "Deploy key not found");
  expect_not_found(api().get("/2.0/repositories/acme/nothing/deploy-keys/123"),
                   "Repository not found");
  expect_not_found(api().get(std::string(kProjectKeys) + "/123"), "Deploy key not found");
  expect_not_found(api().get("/2.0/workspaces/acme/projects/NOPE/deploy-keys/7"),
                   "Project not found");
  expect_not_found(api().get("/2.0/workspaces/nope/projects/PLAT/deploy-keys/7"),
                   "No workspace with identifier 'nope'.");
}

TEST_F(FakeSingleReadsTest, ADeletedKeyIsGoneFromItsSingleRead) {
  const Caller writer = this->writer();
  ASSERT_EQ(writer.get(std::string(kRepoKeys) + "/123").status, 200);
  ASSERT_EQ(writer.send("DELETE", std::string(kRepoKeys) + "/123").status, 204);
  expect_not_found(writer.get(std::string(kRepoKeys) + "/123"), "Deploy key not found");
  ASSERT_EQ(writer.send("DELETE", std::string(kProjectKeys) + "/7").status, 204);
  expect_not_found(writer.get(std::string(kProjectKeys) + "/7"), "Deploy key not found");
}

// The single key needs what its list needs: a narrower credential is refused both alike.
TEST_F(FakeSingleReadsTest, SingleKeysNeedTheScopesOfTheirList) {
  const Caller narrow = Caller(*server_).bearer(mint_token(*server_, "narrow-client",
                                                           "narrow-secret"));  // "repository"
  for (const std::string& target : {std::string(kRepoKeys), std::string(kRepoKeys) + "/123",
                                    std::string(kProjectKeys), std::string(kProjectKeys) + "/7"}) {
    SCOPED_TRACE(target);
    const auto refused = narrow.get(target);
    ASSERT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(refused.json().at("error").at("message"),
              "Your credentials lack one or more required privilege scopes.");
  }
  // Access tokens may read a key (they only cannot change one).
  const auto token = Caller(*server_).bearer(kAccessToken).get(std::string(kRepoKeys) + "/123");
  EXPECT_EQ(token.status, 200) << token.body;
  EXPECT_EQ(Caller(*server_).anonymous().get(std::string(kRepoKeys) + "/123").status, 401);
}

TEST_F(FakeSingleReadsTest, SingleRepositoryIsTheListingsEntryAndHonoursFields) {
  for (const char* slug : {"api", "web", "empty"}) {
    SCOPED_TRACE(slug);
    const json listed = entry("/2.0/repositories/acme", "slug", slug);
    ASSERT_TRUE(listed.is_object());
    const auto single = api().get(std::string("/2.0/repositories/acme/") + slug);
    ASSERT_EQ(single.status, 200) << single.body;
    EXPECT_EQ(single.json(), listed);
  }
  const auto partial = api().get("/2.0/repositories/acme/api?fields=slug,is_private,fork_policy");
  ASSERT_EQ(partial.status, 200) << partial.body;
  EXPECT_EQ(partial.json(),
            (json{{"slug", "api"}, {"is_private", true}, {"fork_policy", "allow_forks"}}));
  expect_not_found(api().get("/2.0/repositories/acme/nothing"), "Repository not found");
}

}  // namespace
}  // namespace bbp::fake::testing
