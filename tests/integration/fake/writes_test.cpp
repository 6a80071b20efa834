// The fake server's write endpoints: branch restrictions, repository settings, deploy keys,
// their scope checks and the write log.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "fake_test_support.hpp"

namespace bbp::fake::testing {
namespace {

using nlohmann::json;

constexpr const char* kRepo = "/2.0/repositories/acme/api";
constexpr const char* kRestrictions = "/2.0/repositories/acme/api/branch-restrictions";

class FakeWritesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<FakeBitbucket>(writes_scenario());
    server_->start();
  }
  Caller writer() const { return Caller(*server_).basic(kWriterEmail, kWriterToken); }

  // The restrictions the repository lists now (one page is enough: the tests add a few).
  json restrictions() const {
    const auto page = writer().get(std::string(kRestrictions) + "?pagelen=100");
    EXPECT_EQ(page.status, 200) << page.body;
    return page.json().at("values");
  }

  std::unique_ptr<FakeBitbucket> server_;
};

json glob(const std::string& kind, const std::string& pattern) {
  return {{"type", "branchrestriction"},
          {"kind", kind},
          {"branch_match_kind", "glob"},
          {"pattern", pattern}};
}

TEST_F(FakeWritesTest, CreateAnswers201WithTheNewRestrictionAndLaterReadsSeeIt) {
  ASSERT_EQ(restrictions().size(), 2u);
  const auto created = writer().send("POST", kRestrictions, glob("force", "main").dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const json object = created.json();
  ASSERT_TRUE(object.at("id").is_number_integer());
  const std::string id = std::to_string(object.at("id").get<long long>());
  EXPECT_NE(id, "1");
  EXPECT_NE(id, "2");
  EXPECT_EQ(object.at("type"), "branchrestriction");
  EXPECT_EQ(object.at("kind"), "force");
  EXPECT_EQ(object.at("pattern"), "main");
  EXPECT_TRUE(object.at("value").is_null());
  EXPECT_EQ(object.at("users"), json::array());
  EXPECT_EQ(object.at("groups"), json::array());
  const std::string self = object.at("links").at("self").at("href");
  EXPECT_EQ(self, server_->api_url() + "/repositories/acme/api/branch-restrictions/" + id);

  const auto fetched = writer().get(std::string(kRestrictions) + "/" + id);
  ASSERT_EQ(fetched.status, 200) << fetched.body;
  EXPECT_EQ(fetched.json(), object);
  const json listed = restrictions();
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[2], object);
}

TEST_F(FakeWritesTest, CreateBranchingModelRestrictionWithValue) {
  const json body = {{"type", "branchrestriction"},
                     {"kind", "require_passing_builds_to_merge"},
                     {"branch_match_kind", "branching_model"},
                     {"branch_type", "production"},
                     {"value", 1}};
  const auto created = writer().send("POST", kRestrictions, body.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json().at("branch_type"), "production");
  EXPECT_EQ(created.json().at("pattern"), "");
  EXPECT_EQ(created.json().at("value"), 1);
}

TEST_F(FakeWritesTest, PushWithExemptedUsersAndGroupsIsAccepted) {
  json body = glob("restrict_merges", "release/*");
  body["users"] = json::array({{{"uuid", "{d7dd0e2d-3994-4a50-a9ee-d260b6cefdab}"}}});
  body["groups"] = json::array({{{"slug", "developers"}}});
  const auto created = writer().send("POST", kRestrictions, body.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json().at("users"), body["users"]);
  EXPECT_EQ(created.json().at("groups"), body["groups"]);
}

TEST_F(FakeWritesTest, DuplicateKindAndMatcherIsRefusedWith409) {
  // The scenario already has restriction 1: push on the glob "main".
  json body = glob("push", "main");
  body["users"] = json::array();
  body["groups"] = json::array();
  const auto refused = writer().send("POST", kRestrictions, body.dump());
  ASSERT_EQ(refused.status, 409) << refused.body;
  const json error = refused.json();
  EXPECT_EQ(error.at("type"), "error");
  EXPECT_FALSE(error.at("error").at("message").get<std::string>().empty());
  EXPECT_NE(error.at("error").at("detail").get<std::string>().find("Restriction 1 "),
            std::string::npos);
  EXPECT_EQ(restrictions().size(), 2u);

  // The same kind on another pattern, or on a branch type, is another restriction.
  body["pattern"] = "develop";
  EXPECT_EQ(writer().send("POST", kRestrictions, body.dump()).status, 201);
  json model = {{"type", "branchrestriction"},
                {"kind", "force"},
                {"branch_match_kind", "branching_model"},
                {"branch_type", "development"}};
  EXPECT_EQ(writer().send("POST", kRestrictions, model.dump()).status, 201);
  EXPECT_EQ(writer().send("POST", kRestrictions, model.dump()).status, 409);
  EXPECT_EQ(restrictions().size(), 4u);
}

TEST_F(FakeWritesTest, UsersOrGroupsOnAKindOtherThanPushOrRestrictMergesAre400) {
  json users = glob("delete", "main");
  users["users"] = json::array({{{"uuid", "{d7dd0e2d-3994-4a50-a9ee-d260b6cefdab}"}}});
  const auto refused = writer().send("POST", kRestrictions, users.dump());
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.json().at("type"), "error");
  EXPECT_NE(refused.json().at("error").at("message").get<std::string>().find("users"),
            std::string::npos);

  json groups = glob("require_approvals_to_merge", "main");
  groups["value"] = 2;
  groups["groups"] = json::array({{{"slug", "developers"}}});
  EXPECT_EQ(writer().send("POST", kRestrictions, groups.dump()).status, 400);

  // Empty lists, as the API serves them on every kind, are fine.
  json empty = glob("delete", "main");
  empty["users"] = json::array();
  empty["groups"] = json::array();
  EXPECT_EQ(writer().send("POST", kRestrictions, empty.dump()).status, 201);
  EXPECT_EQ(restrictions().size(), 3u);
}

TEST_F(FakeWritesTest, InvalidRestrictionBodiesAre400) {
  json no_type = glob("force", "main");
  no_type.erase("type");
  json unknown_kind = glob("freeze", "main");
  json no_value = glob("require_approvals_to_merge", "develop");
  json value_on_force = glob("force", "main");
  value_on_force["value"] = 1;
  json negative = glob("require_commits_behind", "main");
  negative["value"] = -1;
  json no_pattern = glob("force", "");
  json no_branch_type = {
      {"type", "branchrestriction"}, {"kind", "force"}, {"branch_match_kind", "branching_model"}};
  json bad_match = glob("force", "main");
  bad_match["branch_match_kind"] = "regex";
  json push_without_lists = glob("push", "develop");
  const std::vector<std::string> bodies = {no_type.dump(),
                                           unknown_kind.dump(),
                                           no_value.dump(),
                                           value_on_force.dump(),
                                           negative.dump(),
                                           no_pattern.dump(),
                                           no_branch_type.dump(),
                                           bad_match.dump(),
                                           push_without_lists.dump(),
                                           "[]",
                                           "{not json"};
  for (const auto& body : bodies) {
    const auto refused = writer().send("POST", kRestrictions, body);
    EXPECT_EQ(refused.status, 400) << body << " -> " << refused.body;
    EXPECT_EQ(json::parse(refused.body, nullptr, false).value("type", ""), "error") << body;
  }
  EXPECT_EQ(restrictions().size(), 2u);
}

TEST_F(FakeWritesTest, UpdateChangesOnlyTheFieldsSentAndLaterReadsSeeIt) {
  const auto updated =
      writer().send("PUT", std::string(kRestrictions) + "/2", json{{"value", 3}}.dump());
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json().at("value"), 3);
  EXPECT_EQ(updated.json().at("kind"), "require_approvals_to_merge");
  EXPECT_EQ(updated.json().at("pattern"), "main");
  EXPECT_EQ(updated.json().at("id"), 2);

  const auto fetched = writer().get(std::string(kRestrictions) + "/2");
  ASSERT_EQ(fetched.status, 200);
  EXPECT_EQ(fetched.json().at("value"), 3);
  EXPECT_EQ(restrictions()[1].at("value"), 3);
}

TEST_F(FakeWritesTest, UpdateIsCheckedLikeACreate) {
  const std::string two = std::string(kRestrictions) + "/2";
  // Onto restriction 1's kind and pattern: a duplicate.
  const json push = {
      {"kind", "push"}, {"value", nullptr}, {"users", json::array()}, {"groups", json::array()}};
  const auto clash = writer().send("PUT", two, push.dump());
  EXPECT_EQ(clash.status, 409) << clash.body;
  EXPECT_EQ(writer().send("PUT", two, json{{"value", "three"}}.dump()).status, 400);
  EXPECT_EQ(writer().send("PUT", two, json{{"users", {{{"uuid", "{x}"}}}}}.dump()).status, 400);
  EXPECT_EQ(writer().get(two).json().at("value"), 2);
  EXPECT_EQ(writer().get(two).json().at("kind"), "require_approvals_to_merge");
}

TEST_F(FakeWritesTest, UpdateOrDeleteOfAnUnknownRestrictionIs404) {
  const std::string missing = std::string(kRestrictions) + "/999";
  const auto update = writer().send("PUT", missing, json{{"value", 3}}.dump());
  EXPECT_EQ(update.status, 404);
  EXPECT_EQ(update.json().at("error").at("message"), "Branch restriction not found");
  EXPECT_EQ(writer().send("DELETE", missing).status, 404);
  EXPECT_EQ(writer()
                .send("POST", "/2.0/repositories/acme/nothing/branch-restrictions",
                      glob("force", "main").dump())
                .status,
            404);
}

TEST_F(FakeWritesTest, DeleteAnswers204AndTheRestrictionIsGone) {
  const auto deleted = writer().send("DELETE", std::string(kRestrictions) + "/1");
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_EQ(writer().get(std::string(kRestrictions) + "/1").status, 404);
  const json listed = restrictions();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("id"), 2);
  EXPECT_EQ(writer().send("DELETE", std::string(kRestrictions) + "/1").status, 404);
}

TEST_F(FakeWritesTest, RepositoryVisibilityAndForkPolicyChangeAndLaterReadsSeeIt) {
  const std::string web = "/2.0/repositories/acme/web";
  ASSERT_EQ(writer().get(web).json().at("is_private"), false);
  const auto updated = writer().send(
      "PUT", web, json{{"is_private", true}, {"fork_policy", "no_public_forks"}}.dump());
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json().at("is_private"), true);
  EXPECT_EQ(updated.json().at("fork_policy"), "no_public_forks");
  EXPECT_EQ(updated.json().at("full_name"), "acme/web");

  const json fetched = writer().get(web).json();
  EXPECT_EQ(fetched.at("is_private"), true);
  EXPECT_EQ(fetched.at("fork_policy"), "no_public_forks");
  const json page =
      writer()
          .get("/2.0/repositories/acme?pagelen=100&fields=values.slug,values.is_private")
          .json();
  bool seen = false;
  for (const auto& repo : page.at("values")) {
    if (repo.at("slug") == "web") {
      seen = true;
      EXPECT_EQ(repo.at("is_private"), true);
    }
  }
  EXPECT_TRUE(seen);
}

TEST_F(FakeWritesTest, RepositoryUpdateIgnoresImpliedFieldsAndRefusesOthers) {
  const std::string web = "/2.0/repositories/acme/web";
  const json implied = {{"type", "repository"},
                        {"full_name", "other/elsewhere"},
                        {"owner", {{"username", "other"}}},
                        {"fork_policy", "no_forks"}};
  const auto accepted = writer().send("PUT", web, implied.dump());
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(accepted.json().at("full_name"), "acme/web");
  EXPECT_EQ(accepted.json().at("fork_policy"), "no_forks");

  const std::vector<json> refused = {{{"name", "renamed"}},
                                     {{"is_private", "yes"}},
                                     {{"fork_policy", "private_forks"}},
                                     {{"description", "changed"}, {"is_private", true}}};
  for (const auto& body : refused) {
    EXPECT_EQ(writer().send("PUT", web, body.dump()).status, 400) << body.dump();
  }
  const json fetched = writer().get(web).json();
  EXPECT_EQ(fetched.at("is_private"), false);
  EXPECT_EQ(fetched.at("name"), "web");
  EXPECT_EQ(writer().send("PUT", "/2.0/repositories/acme/nothing", "{}").status, 404);
}

TEST_F(FakeWritesTest, DeployKeyDeletionAnswers204AndTheKeyIsGone) {
  const std::string repo_keys = std::string(kRepo) + "/deploy-keys";
  ASSERT_EQ(writer().get(repo_keys).json().at("values").size(), 1u);
  const auto deleted = writer().send("DELETE", repo_keys + "/123");
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_EQ(writer().get(repo_keys).json().at("values").size(), 0u);
  EXPECT_EQ(writer().send("DELETE", repo_keys + "/123").status, 404);

  const std::string project_keys = "/2.0/workspaces/acme/projects/PLAT/deploy-keys";
  ASSERT_EQ(writer().get(project_keys).json().at("values").size(), 1u);
  EXPECT_EQ(writer().send("DELETE", project_keys + "/7").status, 204);
  EXPECT_EQ(writer().get(project_keys).json().at("values").size(), 0u);
  EXPECT_EQ(writer().send("DELETE", project_keys + "/7").status, 404);
  EXPECT_EQ(writer().send("DELETE", "/2.0/workspaces/acme/projects/NOPE/deploy-keys/7").status,
            404);
}

// ----- scopes -------------------------------------------------------------------------------

void expect_scope_error(const Response& response, const std::string& required) {
  ASSERT_EQ(response.status, 403) << response.body;
  const json error = response.json();
  EXPECT_EQ(error.at("type"), "error");
  EXPECT_EQ(error.at("error").at("message"),
            "Your credentials lack one or more required privilege scopes.");
  const json& wanted = error.at("error").at("detail").at("required");
  EXPECT_NE(std::find(wanted.begin(), wanted.end(), required), wanted.end()) << wanted.dump();
}

TEST_F(FakeWritesTest, MissingWriteScopesAre403AndChangeNothing) {
  const std::string narrow = mint_token(*server_, "narrow-client", "narrow-secret");
  const Caller oauth = Caller(*server_).bearer(narrow);  // "repository" only
  expect_scope_error(oauth.send("POST", kRestrictions, glob("force", "main").dump()),
                     "repository:admin");
  expect_scope_error(oauth.send("PUT", std::string(kRestrictions) + "/2", R"({"value": 3})"),
                     "repository:admin");
  expect_scope_error(oauth.send("DELETE", std::string(kRestrictions) + "/1"), "repository:admin");
  expect_scope_error(oauth.send("PUT", kRepo, R"({"is_private": false})"), "repository:admin");
  expect_scope_error(oauth.send("DELETE", std::string(kRepo) + "/deploy-keys/123"),
                     "repository:admin");
  expect_scope_error(oauth.send("DELETE", "/2.0/workspaces/acme/projects/PLAT/deploy-keys/7"),
                     "project:admin");

  // The basic scenario's API token has the admin scopes but not delete:ssh-key:bitbucket.
  const Caller api = Caller(*server_).basic(kApiEmail, kApiToken);
  expect_scope_error(api.send("DELETE", std::string(kRepo) + "/deploy-keys/123"),
                     "delete:ssh-key:bitbucket");
  expect_scope_error(api.send("DELETE", "/2.0/workspaces/acme/projects/PLAT/deploy-keys/7"),
                     "delete:ssh-key:bitbucket");
  EXPECT_EQ(api.send("DELETE", std::string(kRestrictions) + "/1").status, 204);

  EXPECT_EQ(restrictions().size(), 1u);  // only the API token's delete went through
  EXPECT_EQ(writer().get(std::string(kRepo) + "/deploy-keys").json().at("values").size(), 1u);
  EXPECT_EQ(writer().get(kRepo).json().at("is_private"), true);
}

TEST_F(FakeWritesTest, AccessTokensCannotDeleteDeployKeys) {
  const Caller token = Caller(*server_).bearer(kAccessToken);  // repository + repository:admin
  const auto refused = token.send("DELETE", std::string(kRepo) + "/deploy-keys/123");
  ASSERT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.json().at("type"), "error");
  EXPECT_EQ(writer().get(std::string(kRepo) + "/deploy-keys").json().at("values").size(), 1u);
  // The same token may change branch restrictions.
  EXPECT_EQ(token.send("POST", kRestrictions, glob("force", "main").dump()).status, 201);
}

TEST_F(FakeWritesTest, MethodsWithoutARouteStay405) {
  EXPECT_EQ(writer().send("POST", kRepo, "{}").status, 405);
  EXPECT_EQ(writer().send("DELETE", kRepo).status, 405);
  EXPECT_EQ(writer().send("PUT", kRestrictions, "{}").status, 405);
}

// ----- the write log ------------------------------------------------------------------------

TEST_F(FakeWritesTest, ReadsAloneLeaveTheWriteLogEmpty) {
  mint_token(*server_);
  EXPECT_EQ(writer().get(kRestrictions).status, 200);
  EXPECT_EQ(writer().get(kRepo).status, 200);
  EXPECT_EQ(server_->requests().size(), 3u);
  EXPECT_TRUE(server_->write_requests().empty());
}

TEST_F(FakeWritesTest, WriteLogRecordsMethodPathBodyAndStatusOfEveryWrite) {
  const std::string create = glob("force", "main").dump();
  const std::string update = R"({"value": 4})";
  EXPECT_EQ(writer().send("POST", kRestrictions, create).status, 201);
  EXPECT_EQ(writer().get(kRestrictions).status, 200);
  EXPECT_EQ(writer().send("PUT", std::string(kRestrictions) + "/2", update).status, 200);
  EXPECT_EQ(writer().send("POST", kRestrictions, create).status, 409);  // refused, still a write
  EXPECT_EQ(writer().send("DELETE", std::string(kRepo) + "/deploy-keys/123").status, 204);
  mint_token(*server_);  // the token endpoint's POST is not a write

  const auto writes = server_->write_requests();
  ASSERT_EQ(writes.size(), 4u);
  EXPECT_EQ(writes[0].method, "POST");
  EXPECT_EQ(writes[0].path, kRestrictions);
  EXPECT_EQ(writes[0].body, create);
  EXPECT_EQ(writes[0].status, 201);
  EXPECT_EQ(writes[1].method, "PUT");
  EXPECT_EQ(writes[1].path, std::string(kRestrictions) + "/2");
  EXPECT_EQ(writes[1].body, update);
  EXPECT_EQ(writes[2].status, 409);
  EXPECT_EQ(writes[3].method, "DELETE");
  EXPECT_EQ(writes[3].body, "");
  EXPECT_EQ(writes[3].status, 204);

  const auto all = server_->requests();
  ASSERT_EQ(all.size(), 6u);
  EXPECT_FALSE(all[1].write);  // the GET
  EXPECT_TRUE(all[1].body.empty());
  EXPECT_FALSE(all[5].write);  // the token request
  EXPECT_TRUE(all[5].body.empty());

  server_->reset_counters();
  EXPECT_TRUE(server_->write_requests().empty());
}

}  // namespace
}  // namespace bbp::fake::testing
