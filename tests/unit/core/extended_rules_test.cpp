// The extended rule set (catalogue rows 12-17), judged through evaluate() on hand-built
// snapshots: pass, fail, unknown (with the gap's reason, or "not collected") and not
// applicable for each rule, and what each finding names.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "bbp/core/engine.hpp"
#include "builders.hpp"
#include "extended_checks.hpp"

namespace bbp::core {
namespace {

using test::member;
using test::RepositoryBuilder;
using test::variable;
using test::webhook;

constexpr const char* kNotCollected = "not collected in this snapshot";

// One workspace "acme" with one private repository "api", every extended read done and empty
// (no webhooks, no variables), forking_mode allow_forks, two owners and two members with 2FA.
Snapshot read_everything() {
  auto repo = RepositoryBuilder("api").build();
  repo.fork_policy = "no_forks";
  repo.hooks.emplace();
  repo.pipeline_variables.emplace();
  repo.deployment_variables.emplace();
  auto s = test::snapshot_of({repo});
  auto& ws = s.workspaces[0];
  ws.forking_mode = "allow_forks";
  ws.hooks.emplace();
  ws.pipeline_variables.emplace();
  ws.members = std::vector<Member>{member("Ana", true), member("Ben", true)};
  ws.owners = std::vector<Member>{member("Ana", true), member("Ben", true)};
  return s;
}

Repository& api_of(Snapshot& s) {
  return s.workspaces[0].repositories[0];
}

Gap gap_of(GapSubject subject, std::optional<std::string> repository, UnknownReason reason,
           std::string detail) {
  return {subject, "acme", std::move(repository), std::nullopt, "/2.0/somewhere",
          403,     reason, std::move(detail)};
}

// The evaluations of the named rules only (evaluate() with them selected).
std::vector<Evaluation> run(const Snapshot& s, std::vector<std::string_view> slugs,
                            const Settings& settings = {}) {
  EvaluateOptions options;
  for (const auto slug : slugs) {
    options.rules.push_back(find_rule(slug));
    EXPECT_NE(options.rules.back(), nullptr) << slug;
  }
  return evaluate(s, settings, test::test_now(), options);
}

// The single evaluation of `slug` about the resource with this id.
const Evaluation& only(const std::vector<Evaluation>& all, std::string_view slug,
                       std::string_view resource_id) {
  const Evaluation* found = nullptr;
  for (const auto& e : all) {
    if (e.rule->slug == slug && e.resource.id == resource_id) {
      EXPECT_EQ(found, nullptr) << "two evaluations of " << slug << " for " << resource_id;
      found = &e;
    }
  }
  if (found == nullptr) {
    ADD_FAILURE() << "no evaluation of " << slug << " for " << resource_id;
    static const Evaluation kNone;
    return kNone;
  }
  return *found;
}

std::size_t count_of(const std::vector<Evaluation>& all, std::string_view slug) {
  return static_cast<std::size_t>(std::count_if(
      all.begin(), all.end(), [&](const Evaluation& e) { return e.rule->slug == slug; }));
}

const std::string kRepoId = "{00000000-0000-0000-0000-000000000api}";

// ---- private-repository-forkable ------------------------------------------------------------

constexpr std::string_view kForks = "private-repository-forkable";

TEST(PrivateRepositoryForkable, AllowForksInAWorkspaceThatAllowsForksFails) {
  auto s = read_everything();
  api_of(s).fork_policy = "allow_forks";
  const auto all = run(s, {kForks});
  ASSERT_EQ(all.size(), 1U);
  const auto& e = all[0];
  EXPECT_EQ(e.outcome, Outcome::fail);
  EXPECT_EQ(e.resource.type, ResourceType::repository);
  EXPECT_EQ(e.resource.id, kRepoId);
  EXPECT_EQ(e.repository, "acme/api");
  EXPECT_EQ(e.evidence.value(), (nlohmann::json{{"is_private", true},
                                                {"fork_policy", "allow_forks"},
                                                {"workspace_forking_mode", "allow_forks"}}));
}

TEST(PrivateRepositoryForkable, AWorkspaceThatKeepsForksInternalPasses) {
  auto s = read_everything();
  api_of(s).fork_policy = "allow_forks";
  s.workspaces[0].forking_mode = "internal_only";
  const auto all = run(s, {kForks});
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].outcome, Outcome::pass);
  EXPECT_EQ(all[0].evidence.value()["workspace_forking_mode"], "internal_only");
}

TEST(PrivateRepositoryForkable, PrivateOrNoForksPassWithoutTheWorkspace) {
  for (const char* policy : {"no_public_forks", "no_forks"}) {
    auto s = read_everything();
    api_of(s).fork_policy = policy;
    s.workspaces[0].forking_mode.reset();  // not needed: never read for these
    const auto all = run(s, {kForks});
    ASSERT_EQ(all.size(), 1U) << policy;
    EXPECT_EQ(all[0].outcome, Outcome::pass) << policy;
    EXPECT_EQ(all[0].evidence.value(),
              (nlohmann::json{{"is_private", true}, {"fork_policy", policy}}));
  }
}

TEST(PrivateRepositoryForkable, APublicRepositoryIsNotApplicable) {
  auto s = read_everything();
  api_of(s).is_private = false;
  api_of(s).fork_policy = "allow_forks";
  const auto all = run(s, {kForks});
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].outcome, Outcome::not_applicable);
  EXPECT_EQ(all[0].evidence.value()["is_private"], false);
}

TEST(PrivateRepositoryForkable, MissingFieldsAreUnknown) {
  auto s = read_everything();
  api_of(s).fork_policy.reset();
  auto all = run(s, {kForks});
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].outcome, Outcome::unknown);
  EXPECT_EQ(all[0].reason, UnknownReason::invalid_response);
  EXPECT_NE(all[0].detail.find("fork_policy"), std::string::npos) << all[0].detail;

  api_of(s).fork_policy = "allow_forks";
  api_of(s).is_private.reset();
  all = run(s, {kForks});
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].outcome, Outcome::unknown);
  EXPECT_EQ(all[0].reason, UnknownReason::invalid_response);
  EXPECT_NE(all[0].detail.find("is_private"), std::string::npos) << all[0].detail;
}

TEST(PrivateRepositoryForkable, AnUnreadWorkspaceGivesItsGapsReason) {
  auto s = read_everything();
  api_of(s).fork_policy = "allow_forks";
  s.workspaces[0].forking_mode.reset();
  s.gaps.push_back(gap_of(GapSubject::workspace, std::nullopt, UnknownReason::missing_scope,
                          "missing scope: account"));
  const auto all = run(s, {kForks});
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].outcome, Outcome::unknown);
  EXPECT_EQ(all[0].reason, UnknownReason::missing_scope);
  EXPECT_EQ(all[0].detail, "missing scope: account");
  EXPECT_EQ(all[0].resource.id, kRepoId);
}

TEST(PrivateRepositoryForkable, AnUnreadWorkspaceWithoutAGapIsNotCollected) {
  auto s = read_everything();
  api_of(s).fork_policy = "allow_forks";
  s.workspaces[0].forking_mode.reset();
  const auto all = run(s, {kForks});
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].outcome, Outcome::unknown);
  EXPECT_EQ(all[0].reason, UnknownReason::api_error);
  EXPECT_EQ(all[0].detail, kNotCollected);
}

// ---- webhook-without-secret, webhook-over-http -------------------------------------------------

constexpr std::string_view kSecret = "webhook-without-secret";
constexpr std::string_view kHttp = "webhook-over-http";

TEST(Webhooks, ActiveHooksAreJudgedOnTheirSecretAndScheme) {
  struct Case {
    const char* uuid;
    const char* scheme;
    bool secret_set;
    Outcome secret_outcome;
    Outcome http_outcome;
  };
  const std::vector<Case> cases{
      {"{h-1}", "https", true, Outcome::pass, Outcome::pass},
      {"{h-2}", "https", false, Outcome::fail, Outcome::pass},
      {"{h-3}", "http", true, Outcome::pass, Outcome::fail},
      {"{h-4}", "http", false, Outcome::fail, Outcome::fail},
  };
  auto s = read_everything();
  for (const auto& c : cases) {
    api_of(s).hooks->push_back(webhook(c.uuid, c.scheme, c.secret_set));
  }
  const auto all = run(s, {kSecret, kHttp});
  // Each hook once per rule, and the workspace (no hooks) once per rule.
  EXPECT_EQ(all.size(), 2 * cases.size() + 2);
  for (const auto& c : cases) {
    const auto& secret = only(all, kSecret, c.uuid);
    const auto& http = only(all, kHttp, c.uuid);
    EXPECT_EQ(secret.outcome, c.secret_outcome) << c.uuid;
    EXPECT_EQ(http.outcome, c.http_outcome) << c.uuid;
    for (const auto* e : {&secret, &http}) {
      EXPECT_EQ(e->resource.type, ResourceType::webhook);
      EXPECT_EQ(e->resource.name, "hooks.example.com");
      EXPECT_EQ(e->resource.url, "https://bitbucket.org/acme/api/admin/webhooks");
      EXPECT_EQ(e->workspace, "acme");
      EXPECT_EQ(e->repository, "acme/api");
      EXPECT_EQ(e->project, "PLAT");
    }
  }
  const auto ev = only(all, kSecret, "{h-4}").evidence.value();
  EXPECT_EQ(ev, (nlohmann::json{{"level", "repository"},
                                {"url_scheme", "http"},
                                {"url_host", "hooks.example.com"},
                                {"events", {"repo:push"}},
                                {"active", true},
                                {"secret_set", false}}));
}

TEST(Webhooks, EvidenceShowsOnlyTheSchemeAndHost) {
  auto s = read_everything();
  auto hook = webhook("{h-1}", "http", false);
  hook.host = "ci.example.com:8443";
  hook.description = "CI";
  s.workspaces[0].hooks->push_back(hook);
  const auto all = run(s, {kSecret, kHttp});
  for (const auto slug : {kSecret, kHttp}) {
    const auto& e = only(all, slug, "{h-1}");
    EXPECT_EQ(e.outcome, Outcome::fail) << slug;
    EXPECT_EQ(e.resource.name, "CI (ci.example.com:8443)");
    const auto ev = e.evidence.value();
    EXPECT_EQ(ev["url_scheme"], "http");
    EXPECT_EQ(ev["url_host"], "ci.example.com:8443");
    EXPECT_EQ(ev["description"], "CI");
    EXPECT_FALSE(ev.contains("url"));
    // No path, query or fragment: nothing in the evidence holds one of their separators.
    const auto text = ev.dump();
    EXPECT_EQ(text.find('/'), std::string::npos) << text;
    EXPECT_EQ(text.find('?'), std::string::npos) << text;
    EXPECT_EQ(text.find('@'), std::string::npos) << text;
  }
}

TEST(Webhooks, WorkspaceHooksAreAboutTheWorkspace) {
  auto s = read_everything();
  s.workspaces[0].hooks->push_back(webhook("{w-1}", "https", false));
  const auto all = run(s, {kSecret});
  ASSERT_EQ(all.size(), 2U);  // the repository's "no hooks", the workspace's hook
  const auto& e = only(all, kSecret, "{w-1}");
  EXPECT_EQ(e.outcome, Outcome::fail);
  EXPECT_EQ(e.workspace, "acme");
  EXPECT_FALSE(e.repository);
  EXPECT_FALSE(e.project);
  EXPECT_EQ(e.resource.url, "https://bitbucket.org/acme/workspace/settings/webhooks");
  EXPECT_EQ(e.evidence.value()["level"], "workspace");
}

TEST(Webhooks, AnInactiveHookIsNotApplicable) {
  auto s = read_everything();
  api_of(s).hooks->push_back(webhook("{h-1}", "http", false, false));
  const auto all = run(s, {kSecret, kHttp});
  for (const auto slug : {kSecret, kHttp}) {
    const auto& e = only(all, slug, "{h-1}");
    EXPECT_EQ(e.outcome, Outcome::not_applicable) << slug;
    EXPECT_EQ(e.evidence.value()["active"], false) << slug;
  }
}

TEST(Webhooks, FieldsMissingInTheResponseAreUnknown) {
  auto s = read_everything();
  api_of(s).hooks->push_back(webhook("{no-active}", "https", true, std::nullopt));
  api_of(s).hooks->push_back(webhook("{no-secret}", "https", std::nullopt));
  api_of(s).hooks->push_back(webhook("{no-scheme}", "", true));
  api_of(s).hooks->push_back(webhook("{ftp}", "ftp", true));
  const auto all = run(s, {kSecret, kHttp});
  for (const auto slug : {kSecret, kHttp}) {
    EXPECT_EQ(only(all, slug, "{no-active}").outcome, Outcome::unknown) << slug;
    EXPECT_EQ(only(all, slug, "{no-active}").reason, UnknownReason::invalid_response) << slug;
  }
  EXPECT_EQ(only(all, kSecret, "{no-secret}").outcome, Outcome::unknown);
  EXPECT_EQ(only(all, kHttp, "{no-secret}").outcome, Outcome::pass);
  for (const char* id : {"{no-scheme}", "{ftp}"}) {
    EXPECT_EQ(only(all, kHttp, id).outcome, Outcome::unknown) << id;
    EXPECT_EQ(only(all, kHttp, id).reason, UnknownReason::invalid_response) << id;
    EXPECT_EQ(only(all, kSecret, id).outcome, Outcome::pass) << id;
  }
}

TEST(Webhooks, UnreadRepositoryHooksAreOneUnknownForTheRepository) {
  auto s = read_everything();
  api_of(s).hooks.reset();
  s.gaps.push_back(gap_of(GapSubject::hooks, "acme/api", UnknownReason::missing_scope,
                          "missing scope: webhook"));
  const auto all = run(s, {kSecret, kHttp});
  for (const auto slug : {kSecret, kHttp}) {
    ASSERT_EQ(count_of(all, slug), 2U) << slug;  // the repository, the workspace
    const auto& e = only(all, slug, kRepoId);
    EXPECT_EQ(e.outcome, Outcome::unknown);
    EXPECT_EQ(e.resource.type, ResourceType::repository);
    EXPECT_EQ(e.repository, "acme/api");
    EXPECT_EQ(e.reason, UnknownReason::missing_scope);
    EXPECT_EQ(e.detail, "missing scope: webhook");
    EXPECT_EQ(only(all, slug, "acme").outcome, Outcome::not_applicable);
  }
}

TEST(Webhooks, UnreadWorkspaceHooksAreOneUnknownForTheWorkspace) {
  auto s = read_everything();
  s.workspaces[0].hooks.reset();
  s.gaps.push_back(gap_of(GapSubject::hooks, std::nullopt, UnknownReason::forbidden,
                          "only a workspace owner may list its webhooks"));
  const auto all = run(s, {kSecret});
  ASSERT_EQ(all.size(), 2U);
  const auto& ws = only(all, kSecret, "acme");
  EXPECT_EQ(ws.outcome, Outcome::unknown);
  EXPECT_EQ(ws.resource.type, ResourceType::workspace);
  EXPECT_EQ(ws.resource.url, "https://bitbucket.org/acme/workspace/settings");
  EXPECT_EQ(ws.reason, UnknownReason::forbidden);
  EXPECT_EQ(ws.detail, "only a workspace owner may list its webhooks");
  EXPECT_FALSE(ws.repository);
  // The repository's hooks were read (none): not applicable, not the workspace's gap.
  const auto& repo = only(all, kSecret, kRepoId);
  EXPECT_EQ(repo.outcome, Outcome::not_applicable);
  EXPECT_EQ(repo.evidence.value(), (nlohmann::json{{"webhooks", 0}}));
}

TEST(Webhooks, UnreadWithoutAGapIsNotCollected) {
  auto s = read_everything();
  api_of(s).hooks.reset();
  s.workspaces[0].hooks.reset();
  const auto all = run(s, {kHttp});
  ASSERT_EQ(all.size(), 2U);
  for (const auto& e : all) {
    EXPECT_EQ(e.outcome, Outcome::unknown) << e.resource.id;
    EXPECT_EQ(e.reason, UnknownReason::api_error);
    EXPECT_EQ(e.detail, kNotCollected);
  }
}

TEST(Webhooks, NoHooksIsNotApplicableForEachOwner) {
  const auto s = read_everything();
  const auto all = run(s, {kSecret, kHttp});
  ASSERT_EQ(all.size(), 4U);
  for (const auto slug : {kSecret, kHttp}) {
    for (const auto& id : {kRepoId, std::string("acme")}) {
      const auto& e = only(all, slug, id);
      EXPECT_EQ(e.outcome, Outcome::not_applicable) << slug << " " << id;
      EXPECT_EQ(e.evidence.value(), (nlohmann::json{{"webhooks", 0}}));
    }
  }
}

// ---- unsecured-secret-variable -----------------------------------------------------------------

constexpr std::string_view kVariable = "unsecured-secret-variable";

TEST(SecretPattern, KeysThatLookLikeCredentials) {
  struct Case {
    const char* key;
    std::optional<std::string_view> pattern;
  };
  const std::vector<Case> cases{
      {"DEPLOY_TOKEN", "TOKEN"},
      {"token", "TOKEN"},
      {"GitHubToken", "TOKEN"},
      {"CLIENT_SECRET", "SECRET"},
      {"DB_PASSWORD", "PASSWORD"},
      {"MYSQL_PASSWD", "PASSWD"},
      {"GPG_PASSPHRASE", "PASSPHRASE"},
      {"STRIPE_API_KEY", "API_KEY"},
      {"sendgrid_apikey", "APIKEY"},
      {"SSH_PRIVATE_KEY", "PRIVATE_KEY"},
      {"AWS_ACCESS_KEY_ID", "ACCESS_KEY"},
      {"APK_SIGNING_KEY", "SIGNING_KEY"},
      {"GCP_CREDENTIALS", "CREDENTIAL"},
      {"credential", "CREDENTIAL"},
      {"DB_CONNECTION_STRING", "CONNECTION_STRING"},
      // PWD and AUTH only as whole '_'-separated words.
      {"PWD", "PWD"},
      {"DB_PWD", "PWD"},
      {"db_pwd_old", "PWD"},
      {"AUTH", "AUTH"},
      {"NPM_AUTH", "AUTH"},
      {"Basic_Auth_Header", "AUTH"},
      {"_AUTH_", "AUTH"},
      {"PWDIR", std::nullopt},
      {"OLDPWD_X", std::nullopt},
      {"AUTHOR", std::nullopt},
      {"GIT_AUTHOR_NAME", std::nullopt},
      {"OAUTH_CLIENT_ID", std::nullopt},
      {"AUTHENTICATE", std::nullopt},
      // Keys that do not look like credentials.
      {"BUILD_NUMBER", std::nullopt},
      {"NODE_ENV", std::nullopt},
      {"PUBLIC_KEY_PATH", std::nullopt},
      {"API_URL", std::nullopt},
      {"", std::nullopt},
      {"_", std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(extended::secret_pattern(c.key), c.pattern) << "'" << c.key << "'";
  }
}

TEST(SecretPattern, EveryPatternIsListedInTheRuleDescription) {
  const auto description = find_rule(kVariable)->description;
  for (const char* pattern :
       {"TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "API_KEY", "APIKEY", "PRIVATE_KEY",
        "ACCESS_KEY", "SIGNING_KEY", "CREDENTIAL", "CONNECTION_STRING", "PWD", "AUTH"}) {
    EXPECT_NE(description.find(pattern), std::string_view::npos) << pattern;
    EXPECT_EQ(extended::secret_pattern(pattern), pattern);
  }
}

TEST(SecretVariables, UnsecuredFailsSecuredPassesOtherKeysDoNotApply) {
  auto s = read_everything();
  api_of(s).pipeline_variables = std::vector<PipelineVariable>{
      variable("DEPLOY_TOKEN", false), variable("DB_PASSWORD", true),
      variable("BUILD_FLAVOUR", false), variable("NPM_AUTH", std::nullopt)};
  const auto all = run(s, {kVariable});
  ASSERT_EQ(all.size(), 5U);  // four variables, and the workspace's (no variables)

  const auto& token = only(all, kVariable, "{var-DEPLOY_TOKEN}");
  EXPECT_EQ(token.outcome, Outcome::fail);
  EXPECT_EQ(token.resource.type, ResourceType::pipeline_variable);
  EXPECT_EQ(token.resource.name, "DEPLOY_TOKEN");
  EXPECT_EQ(token.resource.url,
            "https://bitbucket.org/acme/api/admin/pipelines/repository-variables");
  EXPECT_EQ(token.repository, "acme/api");
  EXPECT_EQ(token.evidence.value(), (nlohmann::json{{"key", "DEPLOY_TOKEN"},
                                                    {"level", "repository"},
                                                    {"looks_like", "TOKEN"},
                                                    {"secured", false}}));

  const auto& password = only(all, kVariable, "{var-DB_PASSWORD}");
  EXPECT_EQ(password.outcome, Outcome::pass);
  EXPECT_EQ(password.evidence.value()["looks_like"], "PASSWORD");

  const auto& other = only(all, kVariable, "{var-BUILD_FLAVOUR}");
  EXPECT_EQ(other.outcome, Outcome::not_applicable);
  EXPECT_FALSE(other.evidence.value().contains("looks_like"));

  const auto& unsure = only(all, kVariable, "{var-NPM_AUTH}");
  EXPECT_EQ(unsure.outcome, Outcome::unknown);
  EXPECT_EQ(unsure.reason, UnknownReason::invalid_response);
}

TEST(SecretVariables, EveryPatternFailsWhenUnsecured) {
  auto s = read_everything();
  auto& vars = *api_of(s).pipeline_variables;
  for (const char* key : {"A_TOKEN", "A_SECRET", "A_PASSWORD", "A_PASSWD", "A_PASSPHRASE",
                          "A_API_KEY", "A_APIKEY", "A_PRIVATE_KEY", "A_ACCESS_KEY", "A_SIGNING_KEY",
                          "A_CREDENTIAL", "A_CONNECTION_STRING", "A_PWD", "A_AUTH"}) {
    vars.push_back(variable(key, false));
  }
  const auto all = run(s, {kVariable});
  for (const auto& var : *api_of(s).pipeline_variables) {
    const auto& e = only(all, kVariable, var.uuid);
    EXPECT_EQ(e.outcome, Outcome::fail) << var.key;
    EXPECT_EQ(e.evidence.value()["looks_like"], var.key.substr(2)) << var.key;
  }
}

TEST(SecretVariables, WorkspaceAndDeploymentLevels) {
  auto s = read_everything();
  s.workspaces[0].pipeline_variables =
      std::vector<PipelineVariable>{variable("SONAR_TOKEN", false, VariableLevel::workspace)};
  api_of(s).deployment_variables = std::vector<PipelineVariable>{
      variable("AWS_SECRET_ACCESS_KEY", false, VariableLevel::deployment, "Production")};
  const auto all = run(s, {kVariable});
  ASSERT_EQ(all.size(), 2U);

  const auto& ws = only(all, kVariable, "{var-SONAR_TOKEN}");
  EXPECT_EQ(ws.outcome, Outcome::fail);
  EXPECT_EQ(ws.workspace, "acme");
  EXPECT_FALSE(ws.repository);
  EXPECT_EQ(ws.resource.url, "https://bitbucket.org/acme/workspace/settings/pipelines");
  EXPECT_EQ(ws.evidence.value()["level"], "workspace");

  const auto& dep = only(all, kVariable, "{var-AWS_SECRET_ACCESS_KEY}");
  EXPECT_EQ(dep.outcome, Outcome::fail);
  EXPECT_EQ(dep.repository, "acme/api");
  EXPECT_EQ(dep.resource.name, "Production: AWS_SECRET_ACCESS_KEY");
  EXPECT_EQ(dep.resource.url, "https://bitbucket.org/acme/api/admin/pipelines/deployment-settings");
  EXPECT_EQ(dep.evidence.value(), (nlohmann::json{{"key", "AWS_SECRET_ACCESS_KEY"},
                                                  {"level", "deployment"},
                                                  {"environment", "Production"},
                                                  {"looks_like", "SECRET"},
                                                  {"secured", false}}));
}

TEST(SecretVariables, ReadListsAreJudgedAndAnUnreadOneIsOneUnknown) {
  auto s = read_everything();
  api_of(s).pipeline_variables =
      std::vector<PipelineVariable>{variable("DEPLOY_TOKEN", false), variable("REGION", false)};
  api_of(s).deployment_variables.reset();
  s.gaps.push_back(gap_of(GapSubject::environments, "acme/api", UnknownReason::missing_scope,
                          "missing scope: pipeline"));
  const auto all = run(s, {kVariable});
  ASSERT_EQ(all.size(), 4U);  // the repository's unknown, its two variables, the workspace
  const auto& repo = only(all, kVariable, kRepoId);
  EXPECT_EQ(repo.outcome, Outcome::unknown);
  EXPECT_EQ(repo.resource.type, ResourceType::repository);
  EXPECT_EQ(repo.reason, UnknownReason::missing_scope);
  EXPECT_EQ(repo.detail, "missing scope: pipeline");
  EXPECT_EQ(only(all, kVariable, "{var-DEPLOY_TOKEN}").outcome, Outcome::fail);
  EXPECT_EQ(only(all, kVariable, "{var-REGION}").outcome, Outcome::not_applicable);
  EXPECT_EQ(only(all, kVariable, "acme").outcome, Outcome::not_applicable);
}

TEST(SecretVariables, UnreadRepositoryVariablesGiveTheirOwnGap) {
  auto s = read_everything();
  api_of(s).pipeline_variables.reset();
  api_of(s).deployment_variables =
      std::vector<PipelineVariable>{variable("X_TOKEN", true, VariableLevel::deployment, "Test")};
  s.gaps.push_back(
      gap_of(GapSubject::pipeline_variables, "acme/api", UnknownReason::not_found, "no pipelines"));
  const auto all = run(s, {kVariable});
  const auto& repo = only(all, kVariable, kRepoId);
  EXPECT_EQ(repo.outcome, Outcome::unknown);
  EXPECT_EQ(repo.reason, UnknownReason::not_found);
  EXPECT_EQ(repo.detail, "no pipelines");
  EXPECT_EQ(only(all, kVariable, "{var-X_TOKEN}").outcome, Outcome::pass);
}

TEST(SecretVariables, UnreadWorkspaceVariablesAreUnknownForTheWorkspace) {
  auto s = read_everything();
  s.workspaces[0].pipeline_variables.reset();
  s.gaps.push_back(gap_of(GapSubject::pipeline_variables, std::nullopt,
                          UnknownReason::missing_scope, "missing scope: pipeline"));
  const auto all = run(s, {kVariable});
  ASSERT_EQ(all.size(), 2U);
  const auto& ws = only(all, kVariable, "acme");
  EXPECT_EQ(ws.outcome, Outcome::unknown);
  EXPECT_EQ(ws.resource.type, ResourceType::workspace);
  EXPECT_EQ(ws.reason, UnknownReason::missing_scope);
  EXPECT_EQ(only(all, kVariable, kRepoId).outcome, Outcome::not_applicable);
}

TEST(SecretVariables, EveryListEmptyIsOneNotApplicablePerOwner) {
  const auto s = read_everything();
  const auto all = run(s, {kVariable});
  ASSERT_EQ(all.size(), 2U);
  for (const auto& id : {kRepoId, std::string("acme")}) {
    const auto& e = only(all, kVariable, id);
    EXPECT_EQ(e.outcome, Outcome::not_applicable) << id;
    EXPECT_EQ(e.evidence.value(), (nlohmann::json{{"variables", 0}})) << id;
  }
}

TEST(SecretVariables, OneNonEmptyListIsEnoughToSkipTheOwnersNotApplicable) {
  auto s = read_everything();
  api_of(s).deployment_variables =
      std::vector<PipelineVariable>{variable("REGION", false, VariableLevel::deployment, "Test")};
  const auto all = run(s, {kVariable});
  EXPECT_EQ(count_of(all, kVariable), 2U);  // the variable, the workspace
  EXPECT_EQ(only(all, kVariable, "{var-REGION}").outcome, Outcome::not_applicable);
}

// ---- member-without-2fa ------------------------------------------------------------------------

constexpr std::string_view k2fa = "member-without-2fa";

const Evaluation& the_workspace(const std::vector<Evaluation>& all) {
  EXPECT_EQ(all.size(), 1U);
  EXPECT_EQ(all.at(0).resource.type, ResourceType::workspace);
  EXPECT_EQ(all.at(0).resource.id, "acme");
  EXPECT_EQ(all.at(0).workspace, "acme");
  EXPECT_FALSE(all.at(0).repository);
  return all.at(0);
}

TEST(MemberWithout2fa, EveryMemberWith2faPasses) {
  const auto s = read_everything();
  const auto all = run(s, {k2fa});
  const auto& e = the_workspace(all);
  EXPECT_EQ(e.outcome, Outcome::pass);
  const auto ev = e.evidence.value();
  EXPECT_EQ(ev["members"], 2);
  EXPECT_EQ(ev["members_without_2fa"], nlohmann::json::array());
  EXPECT_FALSE(ev.contains("members_2fa_not_shown"));
  EXPECT_NE(ev["note"].get<std::string>().find("Atlassian"), std::string::npos);
}

TEST(MemberWithout2fa, MembersWithout2faFailAndAreNamed) {
  auto s = read_everything();
  s.workspaces[0].members =
      std::vector<Member>{member("Ana", true), member("Ben", false), member("Cy", false)};
  const auto all = run(s, {k2fa});
  const auto& e = the_workspace(all);
  EXPECT_EQ(e.outcome, Outcome::fail);
  EXPECT_EQ(e.evidence.value()["members_without_2fa"], (nlohmann::json{"Ben", "Cy"}));
}

TEST(MemberWithout2fa, FieldAbsentForEveryoneIsUnknownNeverAPass) {
  auto s = read_everything();
  s.workspaces[0].members =
      std::vector<Member>{member("Ana", std::nullopt), member("Ben", std::nullopt)};
  auto all = run(s, {k2fa});
  EXPECT_EQ(the_workspace(all).outcome, Outcome::unknown);
  EXPECT_EQ(the_workspace(all).reason, UnknownReason::forbidden);
  EXPECT_NE(the_workspace(all).detail.find("has_2fa_enabled"), std::string::npos);

  // Shown for some, all of them true: still not a pass.
  s.workspaces[0].members->push_back(member("Cy", true));
  all = run(s, {k2fa});
  EXPECT_EQ(the_workspace(all).outcome, Outcome::unknown);
  EXPECT_EQ(the_workspace(all).reason, UnknownReason::forbidden);
}

TEST(MemberWithout2fa, SomeFalseAndSomeAbsentFailsAndSaysWhoWasNotShown) {
  auto s = read_everything();
  s.workspaces[0].members = std::vector<Member>{member("Ana", false), member("Ben", std::nullopt)};
  const auto all = run(s, {k2fa});
  const auto& e = the_workspace(all);
  EXPECT_EQ(e.outcome, Outcome::fail);
  const auto ev = e.evidence.value();
  EXPECT_EQ(ev["members_without_2fa"], (nlohmann::json{"Ana"}));
  EXPECT_EQ(ev["members_2fa_not_shown"], (nlohmann::json{"Ben"}));
}

TEST(MemberWithout2fa, NoMembersIsNotApplicable) {
  auto s = read_everything();
  s.workspaces[0].members = std::vector<Member>{};
  const auto all = run(s, {k2fa});
  EXPECT_EQ(the_workspace(all).outcome, Outcome::not_applicable);
}

TEST(MemberWithout2fa, UnreadMembersAreUnknownWithTheGapsReason) {
  auto s = read_everything();
  s.workspaces[0].members.reset();
  auto all = run(s, {k2fa});
  EXPECT_EQ(the_workspace(all).outcome, Outcome::unknown);
  EXPECT_EQ(the_workspace(all).detail, kNotCollected);

  s.gaps.push_back(gap_of(GapSubject::members, std::nullopt, UnknownReason::forbidden,
                          "only workspace administrators may list members"));
  all = run(s, {k2fa});
  EXPECT_EQ(the_workspace(all).outcome, Outcome::unknown);
  EXPECT_EQ(the_workspace(all).reason, UnknownReason::forbidden);
  EXPECT_EQ(the_workspace(all).detail, "only workspace administrators may list members");
}

// ---- workspace-owner-count ---------------------------------------------------------------------

constexpr std::string_view kOwners = "workspace-owner-count";

Snapshot with_owners(int n) {
  auto s = read_everything();
  s.workspaces[0].owners.emplace();
  for (int i = 0; i < n; ++i) {
    s.workspaces[0].owners->push_back(member("Owner " + std::to_string(i + 1), true));
  }
  return s;
}

TEST(WorkspaceOwnerCount, OneOwnerOrMoreThanTheMaximumFails) {
  const struct {
    int owners;
    int max_owners;
    Outcome outcome;
  } cases[] = {
      {1, 3, Outcome::fail}, {2, 3, Outcome::pass}, {3, 3, Outcome::pass},
      {4, 3, Outcome::fail}, {5, 5, Outcome::pass}, {6, 5, Outcome::fail},
      {2, 2, Outcome::pass}, {3, 2, Outcome::fail}, {1, 1, Outcome::fail},
  };
  for (const auto& c : cases) {
    const auto s = with_owners(c.owners);
    Settings settings;
    settings.max_owners = c.max_owners;
    const auto all = run(s, {kOwners}, settings);
    const auto& e = the_workspace(all);
    EXPECT_EQ(e.outcome, c.outcome) << c.owners << " owners, max " << c.max_owners;
    const auto ev = e.evidence.value();
    EXPECT_EQ(ev["owner_count"], c.owners);
    EXPECT_EQ(ev["max_owners"], c.max_owners);
    EXPECT_EQ(ev["owners"].size(), static_cast<std::size_t>(c.owners));
  }
}

TEST(WorkspaceOwnerCount, NoOwnerListedIsUnknown) {
  const auto s = with_owners(0);
  const auto all = run(s, {kOwners});
  EXPECT_EQ(the_workspace(all).outcome, Outcome::unknown);
  EXPECT_EQ(the_workspace(all).reason, UnknownReason::invalid_response);
}

TEST(WorkspaceOwnerCount, UnreadOwnersAreUnknownWithTheGapsReason) {
  auto s = read_everything();
  s.workspaces[0].owners.reset();
  s.gaps.push_back(gap_of(GapSubject::owners, std::nullopt, UnknownReason::missing_scope,
                          "missing scope: account"));
  const auto all = run(s, {kOwners});
  EXPECT_EQ(the_workspace(all).outcome, Outcome::unknown);
  EXPECT_EQ(the_workspace(all).reason, UnknownReason::missing_scope);
  EXPECT_EQ(the_workspace(all).detail, "missing scope: account");
}

// A gap of another workspace, or of another read, does not explain this one.
TEST(WorkspaceOwnerCount, OnlyTheGapOfTheSameReadAndWorkspaceCounts) {
  auto s = read_everything();
  s.workspaces[0].owners.reset();
  s.gaps.push_back(gap_of(GapSubject::members, std::nullopt, UnknownReason::forbidden, "members"));
  auto other = gap_of(GapSubject::owners, std::nullopt, UnknownReason::forbidden, "other");
  other.workspace = "globex";
  s.gaps.push_back(other);
  const auto all = run(s, {kOwners});
  EXPECT_EQ(the_workspace(all).outcome, Outcome::unknown);
  EXPECT_EQ(the_workspace(all).detail, kNotCollected);
}

// ---- Selection ---------------------------------------------------------------------------------

// A snapshot where every extended rule has something to find.
Snapshot full_of_findings() {
  auto s = with_owners(1);
  api_of(s).fork_policy = "allow_forks";
  api_of(s).hooks->push_back(webhook("{h-1}", "http", false));
  api_of(s).pipeline_variables->push_back(variable("DEPLOY_TOKEN", false));
  s.workspaces[0].members->push_back(member("Cy", false));
  return s;
}

TEST(ExtendedSelection, RulesNotSelectedProduceNothing) {
  const auto s = full_of_findings();
  for (const auto* rule : rule_set("extended")) {
    const auto all = run(s, {rule->slug});
    ASSERT_FALSE(all.empty()) << rule->slug;
    for (const auto& e : all) {
      EXPECT_EQ(e.rule, rule) << rule->slug;
    }
    EXPECT_TRUE(std::any_of(all.begin(), all.end(), [](const Evaluation& e) {
      return e.outcome == Outcome::fail;
    })) << rule->slug;
  }
}

TEST(ExtendedSelection, TheDefaultSelectionEvaluatesOnlyTheEleven) {
  auto with_data = full_of_findings();
  with_data.workspaces[0].keys.push_back(test::KeyBuilder());
  const auto without_data = test::snapshot_of({RepositoryBuilder("api")}, {test::KeyBuilder()});
  const auto a = evaluate(with_data, Settings{}, test::test_now());
  const auto b = evaluate(without_data, Settings{}, test::test_now());
  std::set<int> numbers;
  for (const auto& e : a) {
    EXPECT_EQ(e.rule->set, RuleSet::casb) << e.rule->slug;
    numbers.insert(e.rule->number);
  }
  EXPECT_EQ(numbers.size(), 11U);
  EXPECT_EQ(*numbers.rbegin(), 11);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].rule, b[i].rule);
    EXPECT_EQ(a[i].outcome, b[i].outcome);
    EXPECT_EQ(a[i].fingerprint, b[i].fingerprint);
  }
}

TEST(ExtendedSelection, TheExtendedSetAloneReadsNoKeysAndNoBranches) {
  const auto s = full_of_findings();
  EvaluateOptions options;
  options.rules = rule_set("extended");
  const auto all = evaluate(s, Settings{}, test::test_now(), options);
  ASSERT_FALSE(all.empty());
  for (const auto& e : all) {
    EXPECT_EQ(e.rule->set, RuleSet::extended) << e.rule->slug;
  }
}

TEST(ExtendedSelection, FindingsOnlyKeepsFailuresAndUnknowns) {
  auto s = full_of_findings();
  s.workspaces[0].hooks.reset();  // unknown: not collected
  EvaluateOptions options;
  options.rules = rule_set("extended");
  options.findings_only = true;
  const auto kept = evaluate(s, Settings{}, test::test_now(), options);
  options.findings_only = false;
  const auto all = evaluate(s, Settings{}, test::test_now(), options);
  std::size_t shown = 0;
  for (const auto& e : all) {
    shown += e.outcome == Outcome::fail || e.outcome == Outcome::unknown ? 1 : 0;
  }
  ASSERT_EQ(kept.size(), shown);
  for (const auto& e : kept) {
    EXPECT_TRUE(e.outcome == Outcome::fail || e.outcome == Outcome::unknown) << e.rule->slug;
  }
}

TEST(ExtendedSelection, EveryEvaluationHasItsOwnFingerprint) {
  auto s = full_of_findings();
  api_of(s).hooks->push_back(webhook("{h-2}", "https", true));
  api_of(s).deployment_variables->push_back(
      variable("DB_PASSWORD", false, VariableLevel::deployment, "Production"));
  s.workspaces[0].pipeline_variables->push_back(
      variable("NPM_TOKEN", false, VariableLevel::workspace));
  s.workspaces[0].hooks->push_back(webhook("{w-1}", "http", false));
  EvaluateOptions options;
  options.rules = rule_set("all");
  std::set<std::string> seen;
  for (const auto& e : evaluate(s, Settings{}, test::test_now(), options)) {
    EXPECT_TRUE(seen.insert(e.fingerprint).second) << e.rule->slug << " " << e.resource.id;
  }
  EXPECT_GT(seen.size(), 20U);
}

// ---- Messages ----------------------------------------------------------------------------------

std::string message_for(const std::vector<Evaluation>& all, std::string_view slug,
                        const std::string& id) {
  const auto& e = only(all, slug, id);
  EXPECT_EQ(e.outcome, Outcome::fail) << slug;
  return message_of(*e.rule, e.evidence.value());
}

TEST(ExtendedMessages, TypicalFindingsReadAsSentences) {
  auto s = full_of_findings();
  s.workspaces[0].pipeline_variables->push_back(
      variable("NPM_TOKEN", false, VariableLevel::workspace));
  api_of(s).deployment_variables->push_back(
      variable("DB_PASSWORD", false, VariableLevel::deployment, "Production"));
  const auto all = run(s, {kForks, kSecret, kHttp, kVariable, k2fa, kOwners});
  EXPECT_EQ(message_for(all, kForks, kRepoId),
            "a private repository that anyone with access can fork into a public repository "
            "(fork_policy allow_forks, workspace forking_mode allow_forks)");
  EXPECT_EQ(message_for(all, kSecret, "{h-1}"),
            "webhook to hooks.example.com has no secret: its deliveries are unsigned");
  EXPECT_EQ(message_for(all, kHttp, "{h-1}"),
            "webhook delivers to hooks.example.com over plain http://");
  EXPECT_EQ(message_for(all, kVariable, "{var-DEPLOY_TOKEN}"),
            "repository variable DEPLOY_TOKEN looks like a credential but is not secured");
  EXPECT_EQ(message_for(all, kVariable, "{var-NPM_TOKEN}"),
            "workspace variable NPM_TOKEN looks like a credential but is not secured");
  EXPECT_EQ(message_for(all, kVariable, "{var-DB_PASSWORD}"),
            "deployment variable DB_PASSWORD (Production) looks like a credential but is not "
            "secured");
  EXPECT_EQ(message_for(all, k2fa, "acme"), "1 member(s) without two-step verification: Cy");
  EXPECT_EQ(message_for(all, kOwners, "acme"), "a single owner (Owner 1): no second administrator");
}

TEST(ExtendedMessages, ManyOwnersAndManyMembersAreCountedAndCut) {
  auto s = with_owners(5);
  s.workspaces[0].members.emplace();
  for (const char* name : {"A", "B", "C", "D", "E", "F", "G"}) {
    s.workspaces[0].members->push_back(member(name, false));
  }
  const auto all = run(s, {k2fa, kOwners});
  EXPECT_EQ(message_for(all, kOwners, "acme"), "5 owners; maximum 3");
  EXPECT_EQ(message_for(all, k2fa, "acme"),
            "7 member(s) without two-step verification: A, B, C, D, E and 2 more");
}

// Evidence from a hand-edited report or a baseline can hold anything: the wording degrades,
// never throws.
TEST(ExtendedMessages, NeverFailOnOddEvidence) {
  const std::vector<nlohmann::json> odd{
      nlohmann::json{{"owner_count", 1}, {"owners", {1, nullptr, {{"a", 1}}}}},
      nlohmann::json{{"owner_count", 1}, {"owners", "solo"}},
      nlohmann::json{{"owner_count", 1}, {"owners", 7}},
      nlohmann::json{{"owner_count", 4}, {"max_owners", "three"}},
      nlohmann::json{{"owner_count", 4}, {"max_owners", nullptr}},
      nlohmann::json{{"members_without_2fa", {1, nullptr, true}}},
      nlohmann::json{{"members_without_2fa", {"a", "b", "c", "d", "e", 6, 7}}},
      nlohmann::json{{"fork_policy", 7}, {"workspace_forking_mode", {1}}},
      nlohmann::json{{"level", 5}, {"key", {1, 2}}, {"url_host", nullptr}},
      nlohmann::json::array({1, 2}),
      nlohmann::json("text"),
      nlohmann::json(42),
  };
  for (const auto* rule : rule_set("extended")) {
    for (const auto& evidence : odd) {
      std::string message;
      EXPECT_NO_THROW(message = message_of(*rule, evidence)) << rule->slug << " " << evidence;
      EXPECT_FALSE(message.empty()) << rule->slug << " " << evidence;
    }
  }
}

}  // namespace
}  // namespace bbp::core
