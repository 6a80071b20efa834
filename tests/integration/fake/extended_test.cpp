// Endpoints of the extended rule pack served by the fake: fork policy and forking mode,
// webhooks, pipeline and deployment variables, workspace members and permissions.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "fake_test_support.hpp"

namespace bbp::fake::testing {
namespace {

using nlohmann::json;

constexpr const char* kScopeMessage =
    "Your credentials lack one or more required privilege scopes.";
constexpr const char* kPlanted = "PLANTED-";
const std::string kProduction = "{e0000000-0000-4000-8000-000000000001}";

json extended_scenario() {
  std::ifstream in(scenario_path("extended.json"));
  return json::parse(in);
}

// Keys of every element of a page's values, in order.
std::vector<std::string> keys_of(const json& page, const char* key) {
  std::vector<std::string> keys;
  for (const auto& value : page.at("values")) {
    keys.push_back(value.at(key).get<std::string>());
  }
  return keys;
}

// Follows `next` from `first` and returns every element, checking each link stays on the server.
json all_values(const Caller& caller, const std::string& first, int* pages = nullptr) {
  json values = json::array();
  std::string url = first;
  int count = 0;
  while (!url.empty() && count < 20) {
    const auto response = caller.get(url);
    EXPECT_EQ(response.status, 200) << url << " " << response.body;
    if (response.status != 200) {
      break;
    }
    const json page = response.json();
    for (const auto& value : page.at("values")) {
      values.push_back(value);
    }
    url = page.value("next", std::string{});
    ++count;
  }
  if (pages != nullptr) {
    *pages = count;
  }
  return values;
}

class FakeExtendedTest : public ::testing::Test {
 protected:
  void SetUp() override { start(extended_scenario()); }

  void start(const json& scenario) {
    server_ = std::make_unique<FakeBitbucket>(scenario);
    server_->start();
  }

  Caller api() const { return Caller(*server_).basic("riley@example.com", "api-extended"); }
  Caller narrow_api() const { return Caller(*server_).basic("narrow@example.com", "api-narrow"); }
  Caller oauth() const {
    return Caller(*server_).bearer(mint_token(*server_, "extended-client", "extended-secret"));
  }
  Caller narrow_oauth() const {
    return Caller(*server_).bearer(mint_token(*server_, "narrow-client", "narrow-secret"));
  }

  std::unique_ptr<FakeBitbucket> server_;
};

void expect_scope_refusal(const Response& response, const json& required) {
  ASSERT_EQ(response.status, 403) << response.body;
  const json error = response.json().at("error");
  EXPECT_EQ(error.at("message"), kScopeMessage);
  EXPECT_EQ(error.at("detail").at("required"), required);
}

// ----- fork policy and forking mode ---------------------------------------------------------

TEST_F(FakeExtendedTest, ForkPolicyIsPartOfTheListingAndOfFieldsSelections) {
  const auto response = oauth().get(
      "/2.0/repositories/bluefin?pagelen=2&fields=next,values.slug,values.is_private,"
      "values.fork_policy");
  ASSERT_EQ(response.status, 200) << response.body;
  const json page = response.json();
  EXPECT_EQ(page.at("values"), json::parse(R"([
      {"slug": "core-api", "is_private": true, "fork_policy": "allow_forks"},
      {"slug": "billing", "is_private": true, "fork_policy": "no_public_forks"}])"));
  ASSERT_TRUE(page.contains("next"));
  const json rest = oauth().get(page.at("next").get<std::string>()).json();
  EXPECT_EQ(rest.at("values")[0].at("fork_policy"), "allow_forks");
  EXPECT_EQ(rest.at("values")[1].at("fork_policy"), "no_forks");

  EXPECT_EQ(oauth().get("/2.0/repositories/bluefin/billing").json().at("fork_policy"),
            "no_public_forks");
}

TEST_F(FakeExtendedTest, ForkPolicyDefaultsToAllowForksAndIsValidated) {
  json scenario = extended_scenario();
  scenario["workspaces"][0]["repositories"][0].erase("fork_policy");
  start(scenario);
  EXPECT_EQ(api().get("/2.0/repositories/bluefin/core-api").json().at("fork_policy"),
            "allow_forks");

  scenario["workspaces"][0]["repositories"][0]["fork_policy"] = "public_forks";
  EXPECT_THROW(FakeBitbucket{scenario}, std::invalid_argument);
}

TEST_F(FakeExtendedTest, WorkspaceForkingModeNeedsNoClassicScope) {
  EXPECT_EQ(api().get("/2.0/workspaces/bluefin").json().at("forking_mode"), "internal_only");
  const auto sandbox = narrow_oauth().get("/2.0/workspaces/sandbox?fields=slug,forking_mode");
  ASSERT_EQ(sandbox.status, 200) << sandbox.body;
  EXPECT_EQ(sandbox.json(), (json{{"slug", "sandbox"}, {"forking_mode", "allow_forks"}}));
  EXPECT_EQ(api().get("/2.0/workspaces/nope").status, 404);

  json scenario = extended_scenario();
  scenario["workspaces"][0]["forking_mode"] = "no_public_forks";  // a repository value
  EXPECT_THROW(FakeBitbucket{scenario}, std::invalid_argument);
}

TEST_F(FakeExtendedTest, WorkspaceObjectNeedsReadWorkspaceForApiTokens) {
  json scenario = extended_scenario();
  scenario["api_tokens"][1]["scopes"] = {"read:repository:bitbucket"};
  start(scenario);
  expect_scope_refusal(narrow_api().get("/2.0/workspaces/bluefin"),
                       json::array({"read:workspace:bitbucket"}));
}

// ----- webhooks -----------------------------------------------------------------------------

TEST_F(FakeExtendedTest, RepositoryHooksHaveTheWebhookSubscriptionShapeAndNoSecret) {
  const auto response = oauth().get("/2.0/repositories/bluefin/core-api/hooks");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body.find(kPlanted), std::string::npos) << "a hook secret was served";
  const json page = response.json();
  EXPECT_EQ(page.at("size"), 2);
  const json& signed_hook = page.at("values")[0];
  EXPECT_EQ(signed_hook.at("type"), "webhook_subscription");
  EXPECT_EQ(signed_hook.at("uuid"), "{d0000000-0000-4000-8000-000000000011}");
  EXPECT_EQ(signed_hook.at("url"), "https://ci.example.com/hooks/core-api");
  EXPECT_EQ(signed_hook.at("subject_type"), "repository");
  EXPECT_EQ(signed_hook.at("subject").at("full_name"), "bluefin/core-api");
  EXPECT_EQ(signed_hook.at("active"), true);
  EXPECT_EQ(signed_hook.at("secret_set"), true);  // from the scenario's "secret"
  EXPECT_EQ(signed_hook.at("events"), json({"repo:push", "pullrequest:created"}));
  EXPECT_TRUE(signed_hook.contains("created_at"));
  EXPECT_TRUE(signed_hook.contains("description"));
  EXPECT_FALSE(signed_hook.contains("secret"));
  const json& plain = page.at("values")[1];
  EXPECT_EQ(plain.at("url"), "http://chat.example.com/notify/core-api");
  EXPECT_EQ(plain.at("secret_set"), false);

  const json none = oauth().get("/2.0/repositories/bluefin/docs-private/hooks").json();
  EXPECT_EQ(none.at("size"), 0);
  EXPECT_TRUE(none.at("values").empty());
  EXPECT_EQ(oauth().get("/2.0/repositories/bluefin/nope/hooks").status, 404);
}

TEST_F(FakeExtendedTest, HookDefaultsAreFilledIn) {
  json scenario = extended_scenario();
  scenario["workspaces"][1]["repositories"][0]["hooks"] = {{{"url", "https://x.example.com/h"}}};
  start(scenario);
  const json hook = api().get("/2.0/repositories/sandbox/playground/hooks").json()["values"][0];
  EXPECT_EQ(hook.at("type"), "webhook_subscription");
  EXPECT_EQ(hook.at("subject_type"), "repository");
  EXPECT_EQ(hook.at("active"), true);
  EXPECT_EQ(hook.at("secret_set"), false);
  EXPECT_EQ(hook.at("uuid").get<std::string>().front(), '{');
  EXPECT_FALSE(hook.at("created_at").get<std::string>().empty());
  EXPECT_FALSE(hook.at("events").empty());

  scenario["workspaces"][1]["repositories"][0]["hooks"] = {{{"active", true}}};  // no url
  EXPECT_THROW(FakeBitbucket{scenario}, std::invalid_argument);
}

TEST_F(FakeExtendedTest, WorkspaceHooksAreForOwnersOnly) {
  const json page = oauth().get("/2.0/workspaces/bluefin/hooks").json();
  ASSERT_EQ(page.at("values").size(), 1U);
  EXPECT_EQ(page.at("values")[0].at("subject_type"), "workspace");
  EXPECT_EQ(page.at("values")[0].at("subject").at("slug"), "bluefin");
  EXPECT_EQ(page.at("values")[0].at("secret_set"), false);
  EXPECT_TRUE(oauth().get("/2.0/workspaces/sandbox/hooks").json().at("values").empty());
  EXPECT_EQ(oauth().get("/2.0/workspaces/nope/hooks").status, 404);

  json scenario = extended_scenario();
  scenario["workspaces"][0]["administrator"] = false;
  start(scenario);
  const auto refused = oauth().get("/2.0/workspaces/bluefin/hooks");
  ASSERT_EQ(refused.status, 403);
  const json body = refused.json();
  EXPECT_EQ(body.at("type"), "error");
  EXPECT_TRUE(body.at("error").at("message").is_string());
  EXPECT_NE(body.at("error").at("message"), kScopeMessage);  // a permission, not a scope
  // Repository hooks in the same workspace stay readable.
  EXPECT_EQ(oauth().get("/2.0/repositories/bluefin/core-api/hooks").status, 200);
}

TEST_F(FakeExtendedTest, HooksNeedTheWebhookScope) {
  expect_scope_refusal(narrow_oauth().get("/2.0/repositories/bluefin/core-api/hooks"),
                       json::array({"webhook"}));
  expect_scope_refusal(narrow_oauth().get("/2.0/workspaces/bluefin/hooks"),
                       json::array({"webhook"}));
  expect_scope_refusal(narrow_api().get("/2.0/repositories/bluefin/core-api/hooks"),
                       json::array({"read:webhook:bitbucket"}));
  expect_scope_refusal(narrow_api().get("/2.0/workspaces/bluefin/hooks"),
                       json::array({"read:webhook:bitbucket"}));
  EXPECT_EQ(api().get("/2.0/workspaces/bluefin/hooks").status, 200);
}

TEST_F(FakeExtendedTest, HooksPaginate) {
  int pages = 0;
  const json hooks =
      all_values(api(), "/2.0/repositories/bluefin/core-api/hooks?pagelen=1", &pages);
  EXPECT_EQ(pages, 2);
  ASSERT_EQ(hooks.size(), 2U);
  EXPECT_EQ(hooks[1].at("url"), "http://chat.example.com/notify/core-api");
  EXPECT_EQ(api().get("/2.0/repositories/bluefin/core-api/hooks?pagelen=101").status, 400);
}

// ----- pipeline variables and deployment environments ---------------------------------------

TEST_F(FakeExtendedTest, SecuredVariablesHaveNoValueAtEveryLevel) {
  const std::string production_variables =
      "/2.0/repositories/bluefin/core-api/deployments_config/environments/" + kProduction +
      "/variables";
  for (const std::string& path :
       {std::string("/2.0/repositories/bluefin/core-api/pipelines_config/variables"),
        std::string("/2.0/workspaces/bluefin/pipelines-config/variables"), production_variables}) {
    const auto response = oauth().get(path);
    ASSERT_EQ(response.status, 200) << path << " " << response.body;
    const json page = response.json();
    ASSERT_FALSE(page.at("values").empty()) << path;
    for (const auto& variable : page.at("values")) {
      EXPECT_TRUE(variable.at("uuid").is_string()) << path;
      EXPECT_TRUE(variable.at("key").is_string()) << path;
      if (variable.at("secured") == true) {
        EXPECT_FALSE(variable.contains("value")) << path << " " << variable.dump();
      } else {
        EXPECT_TRUE(variable.at("value").is_string()) << path << " " << variable.dump();
      }
    }
  }
  const json repo =
      oauth().get("/2.0/repositories/bluefin/core-api/pipelines_config/variables").json();
  EXPECT_EQ(keys_of(repo, "key"),
            (std::vector<std::string>{"DEPLOY_TOKEN", "DB_PASSWORD", "NODE_VERSION"}));
  EXPECT_EQ(repo.at("values")[0].at("type"), "pipeline_variable");
  EXPECT_EQ(repo.at("values")[0].at("value"), "PLANTED-VALUE-1f3a-core-deploy-token");
  const json environment = oauth().get(production_variables).json();
  EXPECT_EQ(environment.at("values")[0].at("type"), "deployment_variable");
  EXPECT_EQ(environment.at("values")[0].at("key"), "AWS_SECRET_ACCESS_KEY");
  EXPECT_EQ(environment.at("values")[1].at("secured"), true);
}

TEST_F(FakeExtendedTest, EnvironmentsListAndLookupByUuid) {
  const auto response = oauth().get("/2.0/repositories/bluefin/core-api/environments");
  ASSERT_EQ(response.status, 200) << response.body;
  const json page = response.json();
  EXPECT_EQ(keys_of(page, "name"), (std::vector<std::string>{"Production", "Staging"}));
  const json& production = page.at("values")[0];
  EXPECT_EQ(production.at("uuid"), kProduction);
  EXPECT_EQ(production.at("type"), "deployment_environment");
  EXPECT_EQ(production.at("environment_type").at("name"), "Production");
  EXPECT_FALSE(production.contains("variables"));
  EXPECT_EQ(response.body.find(kPlanted), std::string::npos);

  const std::string base = "/2.0/repositories/bluefin/core-api/deployments_config/environments/";
  EXPECT_EQ(oauth().get(base + "%7Be0000000-0000-4000-8000-000000000001%7D/variables").status, 200);
  EXPECT_EQ(oauth().get(base + "e0000000-0000-4000-8000-000000000001/variables").status, 200);
  const auto unknown = oauth().get(base + "%7B00000000-0000-4000-8000-000000000000%7D/variables");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.json().at("type"), "error");
  EXPECT_EQ(oauth().get("/2.0/repositories/bluefin/nope/environments").status, 404);
}

TEST_F(FakeExtendedTest, RepositoryWithoutPipelinesAnswersEmptyListsAndADisabledConfig) {
  for (const char* path : {"/2.0/repositories/bluefin/docs-private/pipelines_config/variables",
                           "/2.0/repositories/bluefin/docs-private/environments"}) {
    const auto response = oauth().get(path);
    ASSERT_EQ(response.status, 200) << path;
    EXPECT_TRUE(response.json().at("values").empty()) << path;
  }
  const json config = oauth().get("/2.0/repositories/bluefin/docs-private/pipelines_config").json();
  EXPECT_EQ(config.at("enabled"), false);
  EXPECT_EQ(oauth().get("/2.0/repositories/bluefin/core-api/pipelines_config").json().at("enabled"),
            true);
  // The configuration itself is an admin read.
  json scenario = extended_scenario();
  scenario["oauth_clients"][1]["scopes"] = {"repository", "pipeline"};
  start(scenario);
  expect_scope_refusal(narrow_oauth().get("/2.0/repositories/bluefin/core-api/pipelines_config"),
                       json::array({"repository:admin"}));
}

TEST_F(FakeExtendedTest, VariablesAndEnvironmentsNeedThePipelineScope) {
  const std::vector<std::string> paths = {
      "/2.0/repositories/bluefin/core-api/pipelines_config/variables",
      "/2.0/workspaces/bluefin/pipelines-config/variables",
      "/2.0/repositories/bluefin/core-api/environments",
      "/2.0/repositories/bluefin/core-api/deployments_config/environments/" + kProduction +
          "/variables"};
  for (const auto& path : paths) {
    SCOPED_TRACE(path);
    expect_scope_refusal(narrow_oauth().get(path), json::array({"pipeline"}));
    expect_scope_refusal(narrow_api().get(path), json::array({"read:pipeline:bitbucket"}));
    EXPECT_EQ(api().get(path).status, 200);
  }
  // The workspace list is spelt with a dash, the repository list with an underscore.
  EXPECT_EQ(api().get("/2.0/workspaces/bluefin/pipelines_config/variables").status, 404);
  EXPECT_EQ(api().get("/2.0/repositories/bluefin/core-api/pipelines-config/variables").status, 404);
  EXPECT_EQ(api().get("/2.0/workspaces/nope/pipelines-config/variables").status, 404);
}

TEST_F(FakeExtendedTest, VariablesPaginate) {
  int pages = 0;
  const json variables =
      all_values(api(), "/2.0/workspaces/bluefin/pipelines-config/variables?pagelen=2", &pages);
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(variables.size(), 3U);
}

TEST_F(FakeExtendedTest, InvalidVariablesAreRejected) {
  json scenario = extended_scenario();
  scenario["workspaces"][0]["pipeline_variables"][0].erase("key");
  EXPECT_THROW(FakeBitbucket{scenario}, std::invalid_argument);
  scenario = extended_scenario();
  scenario["workspaces"][0]["repositories"][0]["pipeline_variables"][0]["secured"] = "no";
  EXPECT_THROW(FakeBitbucket{scenario}, std::invalid_argument);
  scenario = extended_scenario();
  scenario["workspaces"][0]["repositories"][0]["environments"][0].erase("name");
  EXPECT_THROW(FakeBitbucket{scenario}, std::invalid_argument);
}

// ----- members and permissions --------------------------------------------------------------

TEST_F(FakeExtendedTest, MembersHaveTheMembershipShapeWithout2faByDefault) {
  const auto response = oauth().get("/2.0/workspaces/bluefin/members");
  ASSERT_EQ(response.status, 200) << response.body;
  const json page = response.json();
  EXPECT_EQ(page.at("size"), 7);
  const json& first = page.at("values")[0];
  EXPECT_EQ(first.at("type"), "workspace_membership");
  EXPECT_EQ(first.at("workspace").at("slug"), "bluefin");
  EXPECT_FALSE(first.contains("permission"));
  const json& user = first.at("user");
  for (const char* key : {"display_name", "uuid", "account_id", "nickname", "type"}) {
    EXPECT_TRUE(user.contains(key)) << key;
  }
  for (const auto& member : page.at("values")) {
    EXPECT_FALSE(member.at("user").contains("has_2fa_enabled")) << member.dump();
  }
}

TEST_F(FakeExtendedTest, Has2faIsAddedWhenFieldsAskForIt) {
  const json added =
      oauth().get("/2.0/workspaces/bluefin/members?fields=%2Bvalues.user.has_2fa_enabled").json();
  std::set<std::string> without;
  for (const auto& member : added.at("values")) {
    ASSERT_TRUE(member.at("user").contains("has_2fa_enabled")) << member.dump();
    EXPECT_TRUE(member.at("user").contains("display_name"));  // the default fields stay
    if (member.at("user").at("has_2fa_enabled") == false) {
      without.insert(member.at("user").at("display_name").get<std::string>());
    }
  }
  EXPECT_EQ(without,
            (std::set<std::string>{"Blake Builder", "Drew Developer", "Finley Freelancer"}));

  const json whitelisted =
      oauth()
          .get(
              "/2.0/workspaces/bluefin/members?pagelen=1&fields=values.user.display_name,"
              "values.user.has_2fa_enabled")
          .json();
  EXPECT_EQ(
      whitelisted,
      json::parse(
          R"({"values":[{"user":{"display_name":"Riley Reviewer","has_2fa_enabled":true}}]})"));

  // Naming the user object, or removing something else, does not bring the field.
  const json named_parent =
      oauth().get("/2.0/workspaces/bluefin/members?fields=values.user").json();
  EXPECT_FALSE(named_parent.at("values")[0].at("user").contains("has_2fa_enabled"));
  const json removal = oauth().get("/2.0/workspaces/bluefin/members?fields=-values.links").json();
  EXPECT_FALSE(removal.at("values")[0].at("user").contains("has_2fa_enabled"));
}

TEST_F(FakeExtendedTest, Has2faStaysAbsentWhenTheCallerMayNotSeeIt) {
  json scenario = extended_scenario();
  scenario["workspaces"][0]["members_2fa_visible"] = false;
  start(scenario);
  const auto response =
      api().get("/2.0/workspaces/bluefin/members?fields=%2Bvalues.user.has_2fa_enabled");
  ASSERT_EQ(response.status, 200) << response.body;
  const json body = response.json();  // kept: the loop must not walk a temporary's member
  for (const auto& member : body.at("values")) {
    EXPECT_FALSE(member.at("user").contains("has_2fa_enabled")) << member.dump();
  }
  scenario["workspaces"][0]["members_2fa_visible"] = "no";
  EXPECT_THROW(FakeBitbucket{scenario}, std::invalid_argument);
}

TEST_F(FakeExtendedTest, MembersPaginateAndNeedAccountScope) {
  int pages = 0;
  const json members = all_values(
      oauth(),
      "/2.0/workspaces/bluefin/"
      "members?pagelen=3&fields=next,values.user.display_name,%2Bvalues.user.has_2fa_enabled",
      &pages);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(members.size(), 7U);
  EXPECT_EQ(members[6].at("user").at("display_name"), "Finley Freelancer");
  EXPECT_EQ(members[6].at("user").at("has_2fa_enabled"), false);

  json scenario = extended_scenario();
  scenario["oauth_clients"][1]["scopes"] = {"repository"};
  scenario["api_tokens"][1]["scopes"] = {"read:user:bitbucket"};
  start(scenario);
  for (const char* path :
       {"/2.0/workspaces/bluefin/members", "/2.0/workspaces/bluefin/permissions"}) {
    SCOPED_TRACE(path);
    expect_scope_refusal(narrow_oauth().get(path), json::array({"account"}));
    expect_scope_refusal(narrow_api().get(path), json::array({"read:workspace:bitbucket"}));
  }
  EXPECT_EQ(api().get("/2.0/workspaces/nope/members").status, 404);
}

TEST_F(FakeExtendedTest, PermissionsFilterByOwner) {
  const std::string owners = "/2.0/workspaces/bluefin/permissions?q=permission%3D%22owner%22";
  const auto response = oauth().get(owners + "&pagelen=3");
  ASSERT_EQ(response.status, 200) << response.body;
  const json page = response.json();
  EXPECT_EQ(page.at("size"), 4);
  EXPECT_EQ(page.at("values")[0].at("type"), "workspace_membership");
  EXPECT_EQ(page.at("values")[0].at("permission"), "owner");
  EXPECT_EQ(page.at("values")[0].at("workspace").at("slug"), "bluefin");
  EXPECT_EQ(page.at("next"),
            server_->api_url() +
                "/workspaces/bluefin/permissions?q=permission%3D%22owner%22&pagelen=3&page=2");
  const json all_owners = all_values(oauth(), owners + "&pagelen=3");
  std::vector<std::string> names;
  for (const auto& owner : all_owners) {
    EXPECT_EQ(owner.at("permission"), "owner");
    names.push_back(owner.at("user").at("display_name"));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"Riley Reviewer", "Alex Admin", "Blake Builder",
                                             "Casey Cloud"}));

  const json sandbox =
      oauth().get("/2.0/workspaces/sandbox/permissions?q=permission+%3D+%22owner%22").json();
  EXPECT_EQ(sandbox.at("size"), 1);
  const json everyone = oauth().get("/2.0/workspaces/bluefin/permissions").json();
  EXPECT_EQ(everyone.at("size"), 7);
  EXPECT_EQ(everyone.at("values")[6].at("permission"), "collaborator");
  const json nobody =
      oauth().get("/2.0/workspaces/bluefin/permissions?q=permission%3D%22admin%22").json();
  EXPECT_EQ(nobody.at("size"), 0);
}

TEST_F(FakeExtendedTest, UnsupportedPermissionQueryIs400) {
  for (const char* q :
       {"permission%21%3D%22owner%22", "user.nickname%3D%22riley%22", "permission%3Downer"}) {
    const auto response = oauth().get(std::string("/2.0/workspaces/bluefin/permissions?q=") + q);
    EXPECT_EQ(response.status, 400) << q;
    EXPECT_EQ(response.json().at("type"), "error") << q;
  }
}

TEST_F(FakeExtendedTest, InvalidMembersAreRejected) {
  json scenario = extended_scenario();
  scenario["workspaces"][0]["members"][0]["permission"] = "admin";
  EXPECT_THROW(FakeBitbucket{scenario}, std::invalid_argument);
  scenario = extended_scenario();
  scenario["workspaces"][0]["members"][0].erase("user");
  EXPECT_THROW(FakeBitbucket{scenario}, std::invalid_argument);
}

// ----- faults -------------------------------------------------------------------------------

TEST_F(FakeExtendedTest, FaultsTargetTheNewPaths) {
  server_->add_fault({{"kind", "status"},
                      {"path", "/2.0/repositories/bluefin/*/pipelines_config/variables"},
                      {"status", 503},
                      {"times", 2}});
  server_->add_fault({{"kind", "status"}, {"path", "/2.0/workspaces/*/members"}, {"status", 500}});
  EXPECT_EQ(api().get("/2.0/repositories/bluefin/core-api/pipelines_config/variables").status, 503);
  EXPECT_EQ(api().get("/2.0/repositories/bluefin/billing/pipelines_config/variables").status, 503);
  EXPECT_EQ(api().get("/2.0/repositories/bluefin/billing/pipelines_config/variables").status, 200);
  EXPECT_EQ(api().get("/2.0/workspaces/bluefin/members").status, 500);
  EXPECT_EQ(api().get("/2.0/workspaces/bluefin/members").status, 200);
  EXPECT_EQ(server_->request_count("/2.0/workspaces/bluefin/members"), 2U);
}

}  // namespace
}  // namespace bbp::fake::testing
