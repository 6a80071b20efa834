// Paging, the /repos filters, the repository representation, default branches, commits,
// pull-request settings and the numbered spellings of each namespace.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "dc_test_support.hpp"

namespace bbp::fake_dc::testing {
namespace {

using nlohmann::json;

constexpr const char* kApi = "/rest/api/latest/projects/PLAT/repos/api";

class DcListingTest : public FakeDcTest {
 protected:
  std::set<std::string> slugs(const std::string& target) const {
    const auto response = as("admin").get(target);
    EXPECT_EQ(response.status, 200) << response.body;
    std::set<std::string> out;
    const auto page = response.json();
    for (const auto& repo : page.at("values")) {
      out.insert(repo.at("slug").get<std::string>());
    }
    return out;
  }
};

// A project with `count` repositories, readable by alice.
json many_repositories(int count) {
  json repos = json::array();
  for (int i = 0; i < count; ++i) {
    repos.push_back({{"slug", "repo-" + std::to_string(i)}});
  }
  auto scenario = basic_scenario();
  scenario["projects"].push_back(
      {{"key", "BIG"}, {"permissions", {{"alice", "PROJECT_READ"}}}, {"repos", repos}});
  return scenario;
}

TEST_F(DcListingTest, PagesWithStartLimitAndNextPageStart) {
  start(many_repositories(60));
  const std::string target = "/rest/api/latest/projects/BIG/repos";
  const auto first = as("alice").get(target).json();
  EXPECT_EQ(first.at("size"), 25);
  EXPECT_EQ(first.at("limit"), 25);
  EXPECT_EQ(first.at("start"), 0);
  EXPECT_EQ(first.at("isLastPage"), false);
  EXPECT_EQ(first.at("nextPageStart"), 25);
  EXPECT_EQ(first.at("values")[0].at("slug"), "repo-0");
  std::set<std::string> seen;
  std::size_t next = 0;
  for (int pages = 0; pages < 10; ++pages) {
    const auto page = as("alice").get(target + "?limit=20&start=" + std::to_string(next)).json();
    for (const auto& repo : page.at("values")) {
      seen.insert(repo.at("slug").get<std::string>());
    }
    if (page.at("isLastPage").get<bool>()) {
      EXPECT_FALSE(page.contains("nextPageStart"));
      break;
    }
    next = page.at("nextPageStart").get<std::size_t>();
  }
  EXPECT_EQ(seen.size(), 60U);
  const auto beyond = as("alice").get(target + "?start=100").json();
  EXPECT_EQ(beyond.at("size"), 0);
  EXPECT_EQ(beyond.at("isLastPage"), true);
}

TEST_F(DcListingTest, LimitIsCappedAt1000AndMustBePositive) {
  start(many_repositories(1200));
  const auto page = as("alice").get("/rest/api/latest/repos?projectkey=BIG&limit=5000").json();
  EXPECT_EQ(page.at("limit"), 1000);
  EXPECT_EQ(page.at("size"), 1000);
  EXPECT_EQ(page.at("nextPageStart"), 1000);
  const auto rest =
      as("alice").get("/rest/api/latest/repos?projectkey=BIG&limit=5000&start=1000").json();
  EXPECT_EQ(rest.at("size"), 200);
  EXPECT_EQ(rest.at("isLastPage"), true);
  EXPECT_EQ(as("alice").get("/rest/api/latest/repos?limit=0").status, 400);
  EXPECT_EQ(as("alice").get("/rest/api/latest/repos?limit=-3").status, 400);
  EXPECT_EQ(as("alice").get("/rest/api/latest/repos?start=x").status, 400);
}

TEST_F(DcListingTest, ReposFiltersArchivedVisibilityAndProject) {
  EXPECT_EQ(slugs("/rest/api/latest/repos"),
            (std::set<std::string>{"api", "empty", "site", "lib", "vault"}));
  EXPECT_EQ(slugs("/rest/api/latest/repos?archived=ARCHIVED"), (std::set<std::string>{"legacy"}));
  EXPECT_EQ(slugs("/rest/api/latest/repos?archived=ALL").size(), 6U);
  // Public on its own (site) or through its project (lib).
  EXPECT_EQ(slugs("/rest/api/latest/repos?visibility=public"),
            (std::set<std::string>{"site", "lib"}));
  EXPECT_EQ(slugs("/rest/api/latest/repos?visibility=private&archived=ALL"),
            (std::set<std::string>{"api", "legacy", "empty", "vault"}));
  EXPECT_EQ(slugs("/rest/api/latest/repos?projectkey=OPEN"), (std::set<std::string>{"lib"}));
  EXPECT_EQ(as("admin").get("/rest/api/latest/repos?archived=SOME").status, 400);
  // The project listing has no archived filter: every repository.
  EXPECT_EQ(slugs("/rest/api/latest/projects/PLAT/repos"),
            (std::set<std::string>{"api", "legacy", "empty", "site"}));
}

TEST_F(DcListingTest, RepositoryCarriesProjectAndLinks) {
  const auto lib = as("admin").get("/rest/api/latest/projects/OPEN/repos/lib").json();
  const std::string base = server_->base_url();
  EXPECT_EQ(lib.at("public"), false);
  EXPECT_EQ(lib.at("project").at("public"), true);
  EXPECT_EQ(lib.at("project").at("key"), "OPEN");
  EXPECT_EQ(lib.at("archived"), false);
  EXPECT_EQ(lib.at("forkable"), true);
  EXPECT_EQ(lib.at("links").at("self")[0].at("href"), base + "/projects/OPEN/repos/lib/browse");
  EXPECT_EQ(lib.at("links").at("clone")[0].at("href"), base + "/scm/open/lib.git");
  const auto legacy = as("admin").get("/rest/api/latest/projects/PLAT/repos/legacy").json();
  EXPECT_EQ(legacy.at("archived"), true);
}

TEST_F(DcListingTest, DefaultBranchOnBothSpellings) {
  for (const auto* suffix : {"/default-branch", "/branches/default"}) {
    const auto response = as("bob").get(std::string(kApi) + suffix);
    ASSERT_EQ(response.status, 200) << suffix;
    const auto branch = response.json();
    EXPECT_EQ(branch.at("id"), "refs/heads/main");
    EXPECT_EQ(branch.at("displayId"), "main");
    EXPECT_EQ(branch.at("type"), "BRANCH");
    EXPECT_EQ(branch.at("isDefault"), true);
  }
}

TEST_F(DcListingTest, EmptyRepositoryHasNoDefaultBranchNorCommits) {
  const std::string empty = "/rest/api/latest/projects/PLAT/repos/empty";
  const auto branch = as("bob").get(empty + "/default-branch");
  ASSERT_EQ(branch.status, 404);
  EXPECT_EQ(branch.exception_name(), "com.atlassian.bitbucket.repository.NoDefaultBranchException");
  EXPECT_EQ(as("bob").get(empty + "/commits?limit=1").status, 404);
  auto scenario = basic_scenario();
  scenario["empty_default_branch_status"] = 204;
  start(scenario);
  const auto no_content = as("bob").get(empty + "/branches/default");
  EXPECT_EQ(no_content.status, 204);
  EXPECT_TRUE(no_content.body.empty());
}

TEST_F(DcListingTest, CommitsServeTheLatestCommitOfTheDefaultBranch) {
  for (const auto* until : {"", "?until=main&limit=1", "?until=refs/heads/main&limit=1"}) {
    const auto response = as("bob").get(std::string(kApi) + "/commits" + until);
    ASSERT_EQ(response.status, 200) << until;
    const auto page = response.json();
    ASSERT_EQ(page.at("values").size(), 1U);
    const auto& commit = page.at("values")[0];
    EXPECT_EQ(commit.at("id"), "0123456789abcdef0123456789abcdef01234567");
    EXPECT_EQ(commit.at("committerTimestamp"), 1700000000000);
    EXPECT_EQ(commit.at("authorTimestamp"), 1699990000000);
  }
  const auto other = as("bob").get(std::string(kApi) + "/commits?until=develop");
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(other.exception_name(), "com.atlassian.bitbucket.commit.NoSuchCommitException");
}

TEST_F(DcListingTest, PullRequestSettingsAreServedAsGiven) {
  const auto api = as("bob").get(std::string(kApi) + "/settings/pull-requests").json();
  EXPECT_EQ(api.at("requiredApprovers"), (json{{"enabled", true}, {"count", 2}}));
  EXPECT_EQ(api.at("unapproveOnUpdate"), true);
  const auto legacy =
      as("admin").get("/rest/api/latest/projects/PLAT/repos/legacy/settings/pull-requests").json();
  EXPECT_EQ(legacy.at("requiredApprovers"), 1);
  EXPECT_EQ(legacy.at("unapproveOnUpdate"), "true");
  EXPECT_FALSE(legacy.contains("requiredAllApprovers"));
  const auto site =
      anonymous().get("/rest/api/latest/projects/PLAT/repos/site/settings/pull-requests");
  ASSERT_EQ(site.status, 200);
  EXPECT_EQ(site.json().at("requiredApprovers"), (json{{"enabled", false}, {"count", 0}}));
  EXPECT_EQ(site.json().at("requiredAllApprovers"), false);
  EXPECT_TRUE(site.json().at("mergeConfig").is_object());
}

TEST_F(DcListingTest, NumberedSpellingsAnswerLikeLatest) {
  const std::string repo = "projects/PLAT/repos/api";
  for (const auto& path :
       {"/rest/api/1.0/" + repo, "/rest/branch-permissions/2.0/" + repo + "/restrictions",
        "/rest/keys/1.0/" + repo + "/ssh", std::string("/rest/ssh/1.0/keys"),
        "/rest/default-reviewers/1.0/" + repo + "/conditions",
        "/rest/required-builds/1.0/" + repo + "/conditions",
        "/rest/branch-utils/1.0/" + repo + "/branchmodel"}) {
    EXPECT_EQ(as("alice").get(path).status, 200) << path;
  }
  EXPECT_EQ(as("alice").get("/rest/api/2.0/" + repo).status, 404);
  EXPECT_EQ(as("alice").get("/rest/branch-permissions/1.0/" + repo + "/restrictions").status, 404);
  const auto unknown = as("alice").get("/rest/api/latest/nothing-here");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_FALSE(unknown.error_message().empty());
  EXPECT_EQ(as("alice").get("/2.0/repositories").status, 404);
}

TEST_F(DcListingTest, RequestCountsUseTheDecodedPath) {
  as("bob").get(std::string(kApi) + "?x=1");
  as("bob").get("/rest/api/latest/projects/PLAT/repos/%61pi");
  EXPECT_EQ(server_->request_count(kApi), 2U);
  EXPECT_EQ(server_->request_count(), 2U);
  EXPECT_EQ(server_->requests()[0].query, "x=1");
  server_->reset_counters();
  EXPECT_EQ(server_->request_count(), 0U);
  EXPECT_TRUE(server_->requests().empty());
}

}  // namespace
}  // namespace bbp::fake_dc::testing
