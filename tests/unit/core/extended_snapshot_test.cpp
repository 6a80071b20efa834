// The extended rules' data in a saved snapshot: written only when it was read, read back
// unchanged, evaluated the same offline, and never a variable's value.
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bbp/core/engine.hpp"
#include "bbp/core/snapshot_json.hpp"
#include "builders.hpp"

namespace bbp::core {
namespace {

using test::KeyBuilder;
using test::member;
using test::RepositoryBuilder;
using test::restriction;
using test::variable;
using test::webhook;

// The keys the extended data adds to a repository entry and to a workspace entry.
const std::set<std::string> kRepositoryKeys{"fork_policy", "hooks", "pipeline_variables",
                                            "deployment_variables"};
const std::set<std::string> kWorkspaceKeys{"forking_mode", "hooks", "pipeline_variables", "members",
                                           "owners"};

// A snapshot as a default scan saves it: no extended data at all.
Snapshot default_snapshot() {
  auto s = test::snapshot_of({RepositoryBuilder("api").restrict(restriction("push").user("bot")),
                              RepositoryBuilder("web").is_private(false)},
                             {KeyBuilder(KeyKind::deploy_key, "5").created_days_ago(400)});
  s.gaps.push_back({GapSubject::deploy_keys, "acme", "acme/web", std::nullopt, "/x", 403,
                    UnknownReason::forbidden, "no"});
  return s;
}

// Every extended field read, with values of every kind (null flags, environments, gaps).
Snapshot extended_snapshot() {
  auto s = default_snapshot();
  auto& ws = s.workspaces[0];
  auto& api = ws.repositories[0];
  api.fork_policy = "allow_forks";
  auto hook = webhook("{h-1}", "http", false);
  hook.description = "CI";
  hook.host = "ci.example.com:8443";
  hook.events = {"repo:push", "pullrequest:created"};
  api.hooks = std::vector<Webhook>{hook, webhook("{h-2}", "https", std::nullopt, std::nullopt)};
  api.pipeline_variables = std::vector<PipelineVariable>{variable("DEPLOY_TOKEN", false),
                                                         variable("REGION", std::nullopt)};
  api.deployment_variables = std::vector<PipelineVariable>{
      variable("DB_PASSWORD", true, VariableLevel::deployment, "Production")};
  auto& web = ws.repositories[1];
  web.fork_policy = "no_public_forks";
  web.hooks.emplace();  // read: none
  web.pipeline_variables.emplace();
  // web's deployment variables could not be read
  s.gaps.push_back({GapSubject::environments, "acme", "acme/web", std::nullopt,
                    "/2.0/repositories/acme/web/environments", 403, UnknownReason::missing_scope,
                    "missing scope: pipeline"});
  ws.forking_mode = "allow_forks";
  ws.hooks = std::vector<Webhook>{webhook("{w-1}", "https", false)};
  ws.pipeline_variables =
      std::vector<PipelineVariable>{variable("NPM_TOKEN", false, VariableLevel::workspace)};
  ws.members =
      std::vector<Member>{member("Ana", true), member("Ben", false), member("Cy", std::nullopt)};
  // the owners could not be read
  s.gaps.push_back({GapSubject::owners, "acme", std::nullopt, std::nullopt,
                    "/2.0/workspaces/acme/permissions", 403, UnknownReason::forbidden,
                    "only administrators"});
  return s;
}

std::vector<const Rule*> all_rules() {
  return rule_set("all");
}

// Every object key anywhere in `j`.
void collect_keys(const nlohmann::json& j, std::set<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      out.insert(key);
      collect_keys(value, out);
    }
  } else if (j.is_array()) {
    for (const auto& item : j) {
      collect_keys(item, out);
    }
  }
}

TEST(ExtendedSnapshot, ADefaultSnapshotHasNoneOfTheNewKeys) {
  const auto json = snapshot_to_json(default_snapshot());
  for (const auto& ws : json["workspaces"]) {
    std::set<std::string> keys;
    for (const auto& [key, value] : ws.items()) {
      keys.insert(key);
    }
    EXPECT_EQ(keys, (std::set<std::string>{"slug", "listed", "deploy_keys_collected",
                                           "project_keys_collected", "repositories", "projects",
                                           "keys"}));
    for (const auto& repo : ws["repositories"]) {
      keys.clear();
      for (const auto& [key, value] : repo.items()) {
        keys.insert(key);
      }
      EXPECT_EQ(keys,
                (std::set<std::string>{"workspace", "slug", "full_name", "uuid", "name",
                                       "project_key", "is_private", "updated_on", "mainbranch",
                                       "html_url", "branch_restrictions", "branching_model"}));
    }
  }
  std::set<std::string> everywhere;
  collect_keys(json, everywhere);
  for (const auto& key : {"fork_policy", "hooks", "pipeline_variables", "deployment_variables",
                          "forking_mode", "members", "owners", "secured", "secret_set"}) {
    EXPECT_EQ(everywhere.count(key), 0U) << key;
  }
  // Read back and written again: the same text.
  EXPECT_EQ(snapshot_to_json(snapshot_from_json(json)).dump(), json.dump());
}

TEST(ExtendedSnapshot, EachFieldIsWrittenOnlyWhenRead) {
  const auto json = snapshot_to_json(extended_snapshot());
  const auto& ws = json["workspaces"][0];
  for (const auto& key : kWorkspaceKeys) {
    EXPECT_EQ(ws.contains(key), key != "owners") << key;
  }
  const auto& api = ws["repositories"][0];
  for (const auto& key : kRepositoryKeys) {
    EXPECT_TRUE(api.contains(key)) << key;
  }
  const auto& web = ws["repositories"][1];
  EXPECT_EQ(web["hooks"], nlohmann::json::array());  // read, none: not the same as unread
  EXPECT_EQ(web["pipeline_variables"], nlohmann::json::array());
  EXPECT_FALSE(web.contains("deployment_variables"));
  EXPECT_EQ(api["hooks"][0], (nlohmann::json{{"uuid", "{h-1}"},
                                             {"description", "CI"},
                                             {"scheme", "http"},
                                             {"host", "ci.example.com:8443"},
                                             {"active", true},
                                             {"secret_set", false},
                                             {"events", {"repo:push", "pullrequest:created"}}}));
  EXPECT_EQ(api["deployment_variables"][0], (nlohmann::json{{"uuid", "{var-DB_PASSWORD}"},
                                                            {"key", "DB_PASSWORD"},
                                                            {"secured", true},
                                                            {"level", "deployment"},
                                                            {"environment", "Production"}}));
  EXPECT_EQ(ws["members"][2], (nlohmann::json{{"display_name", "Cy"},
                                              {"uuid", "{Cy}"},
                                              {"account_id", "557058:Cy"},
                                              {"has_2fa_enabled", nullptr}}));
}

TEST(ExtendedSnapshot, RoundTripKeepsEveryFieldAndEveryOutcome) {
  const auto original = extended_snapshot();
  const auto json = snapshot_to_json(original);
  const auto restored = snapshot_from_json(nlohmann::json::parse(json.dump()));
  EXPECT_EQ(snapshot_to_json(restored), json);

  const auto& a_ws = original.workspaces[0];
  const auto& b_ws = restored.workspaces[0];
  EXPECT_EQ(b_ws.forking_mode, a_ws.forking_mode);
  EXPECT_FALSE(b_ws.owners);
  ASSERT_TRUE(b_ws.members);
  EXPECT_EQ((*b_ws.members)[2].has_2fa_enabled, std::nullopt);
  EXPECT_EQ((*b_ws.members)[1].has_2fa_enabled, false);
  const auto& hooks = *b_ws.repositories[0].hooks;
  ASSERT_EQ(hooks.size(), 2U);
  EXPECT_EQ(hooks[1].active, std::nullopt);
  EXPECT_EQ(hooks[1].secret_set, std::nullopt);
  EXPECT_EQ(hooks[0].events, a_ws.repositories[0].hooks->at(0).events);
  EXPECT_EQ(b_ws.repositories[0].deployment_variables->at(0).environment, "Production");
  EXPECT_EQ(b_ws.repositories[0].deployment_variables->at(0).level, VariableLevel::deployment);
  EXPECT_EQ(b_ws.repositories[0].pipeline_variables->at(1).secured, std::nullopt);
  EXPECT_FALSE(b_ws.repositories[1].deployment_variables);
  ASSERT_EQ(restored.gaps.size(), original.gaps.size());
  EXPECT_EQ(restored.gaps[1].subject, GapSubject::environments);
  EXPECT_EQ(restored.gaps[2].subject, GapSubject::owners);

  EvaluateOptions options;
  options.rules = all_rules();
  const auto a = evaluate(original, Settings{}, test::test_now(), options);
  const auto b = evaluate(restored, Settings{}, test::test_now(), options);
  ASSERT_EQ(a.size(), b.size());
  std::set<Outcome> outcomes;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].rule, b[i].rule);
    EXPECT_EQ(a[i].outcome, b[i].outcome) << a[i].rule->slug << " " << a[i].resource.id;
    EXPECT_EQ(a[i].resource.id, b[i].resource.id);
    EXPECT_EQ(a[i].fingerprint, b[i].fingerprint);
    EXPECT_EQ(a[i].evidence.value(), b[i].evidence.value());
    EXPECT_EQ(a[i].reason, b[i].reason);
    EXPECT_EQ(a[i].detail, b[i].detail);
    outcomes.insert(a[i].outcome);
  }
  // The snapshot exercises every outcome, so the comparison above means something.
  EXPECT_EQ(outcomes.size(), 4U);
}

TEST(ExtendedSnapshot, ReadSnapshotGivesWhatParsingTheWholeDocumentGives) {
  const auto json = snapshot_to_json(extended_snapshot());
  std::istringstream text(json.dump(2));
  EXPECT_EQ(snapshot_to_json(read_snapshot(text)), json);
}

TEST(ExtendedSnapshot, AVariablesValueIsNeverKept) {
  // A snapshot written by hand (or by another tool) with values: they are not read, so they are
  // not written again and cannot reach a report.
  auto json = snapshot_to_json(extended_snapshot());
  const std::string planted = "planted-value-5f3a";
  json["workspaces"][0]["repositories"][0]["pipeline_variables"][0]["value"] = planted;
  json["workspaces"][0]["pipeline_variables"][0]["value"] = planted;
  json["workspaces"][0]["repositories"][0]["deployment_variables"][0]["value"] = planted;
  const auto restored = snapshot_from_json(json);
  EXPECT_EQ(snapshot_to_json(restored).dump().find(planted), std::string::npos);
  std::istringstream text(json.dump());
  EXPECT_EQ(snapshot_to_json(read_snapshot(text)).dump().find(planted), std::string::npos);

  EvaluateOptions options;
  options.rules = all_rules();
  for (const auto& e : evaluate(restored, Settings{}, test::test_now(), options)) {
    EXPECT_EQ(e.evidence.value().dump().find(planted), std::string::npos) << e.rule->slug;
    EXPECT_EQ(e.resource.name.find(planted), std::string::npos);
    EXPECT_EQ(e.detail.find(planted), std::string::npos);
  }
}

TEST(ExtendedSnapshot, MalformedExtendedDataIsRejected) {
  const auto good = snapshot_to_json(extended_snapshot());
  std::vector<std::function<void(nlohmann::json&)>> breakages{
      [](nlohmann::json& j) { j["workspaces"][0]["repositories"][0]["hooks"] = "none"; },
      [](nlohmann::json& j) { j["workspaces"][0]["repositories"][0]["hooks"][0]["active"] = 1; },
      [](nlohmann::json& j) { j["workspaces"][0]["repositories"][0]["hooks"][0]["events"] = {1}; },
      [](nlohmann::json& j) {
        j["workspaces"][0]["repositories"][0]["pipeline_variables"][0]["level"] = "global";
      },
      [](nlohmann::json& j) {
        j["workspaces"][0]["repositories"][0]["pipeline_variables"][0]["secured"] = "no";
      },
      [](nlohmann::json& j) { j["workspaces"][0]["members"][0]["has_2fa_enabled"] = "yes"; },
      [](nlohmann::json& j) { j["workspaces"][0]["members"][0].erase("display_name"); },
  };
  for (std::size_t i = 0; i < breakages.size(); ++i) {
    auto broken = good;
    breakages[i](broken);
    EXPECT_THROW(snapshot_from_json(broken), std::invalid_argument) << i;
  }
  // null is "not read", like a missing key.
  auto unread = good;
  unread["workspaces"][0]["members"] = nullptr;
  unread["workspaces"][0]["repositories"][0]["hooks"] = nullptr;
  const auto restored = snapshot_from_json(unread);
  EXPECT_FALSE(restored.workspaces[0].members);
  EXPECT_FALSE(restored.workspaces[0].repositories[0].hooks);
}

}  // namespace
}  // namespace bbp::core
