// The parsers of the extended rules' reads: webhooks keep only their URL's scheme and host,
// variables never keep their value, members' 2FA flag only when it is a boolean.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bbp/bitbucket/parse.hpp"
#include "bbp/core/engine.hpp"
#include "bbp/core/snapshot_json.hpp"

namespace bbp::bitbucket {
namespace {

using nlohmann::json;

// Every text a webhook holds, to search for what must not be there.
std::vector<std::string> texts_of(const core::Webhook& h) {
  std::vector<std::string> out{h.uuid, h.description, h.scheme, h.host};
  out.insert(out.end(), h.events.begin(), h.events.end());
  return out;
}

std::vector<std::string> texts_of(const core::PipelineVariable& v) {
  return {v.uuid, v.key, v.environment.value_or(""), std::string(core::to_string(v.level))};
}

void expect_absent(const std::vector<std::string>& texts, const std::string& needle) {
  for (const auto& t : texts) {
    EXPECT_EQ(t.find(needle), std::string::npos) << "'" << needle << "' in '" << t << "'";
  }
}

// ---- Webhooks ----------------------------------------------------------------------------------

const json kHook = {{"type", "webhook_subscription"},
                    {"uuid", "{a1b2}"},
                    {"url",
                     "HTTPS://deploy-bot:hunter2@hooks.example.com:8443/ci/run?token=t0ps3cr3t"
                     "#frag"},
                    {"description", "CI trigger"},
                    {"subject_type", "repository"},
                    {"active", true},
                    {"secret_set", false},
                    {"events", {"repo:push", "pullrequest:created"}},
                    {"created_at", "2026-01-01T00:00:00Z"}};

TEST(ParseWebhook, KeepsOnlyTheSchemeAndHostOfItsUrl) {
  const auto hook = parse_webhook(kHook);
  ASSERT_TRUE(hook);
  EXPECT_EQ(hook->uuid, "{a1b2}");
  EXPECT_EQ(hook->description, "CI trigger");
  EXPECT_EQ(hook->scheme, "https");
  EXPECT_EQ(hook->host, "hooks.example.com:8443");
  EXPECT_EQ(hook->active, true);
  EXPECT_EQ(hook->secret_set, false);
  EXPECT_EQ(hook->events, (std::vector<std::string>{"repo:push", "pullrequest:created"}));
  for (const char* secret :
       {"t0ps3cr3t", "token", "hunter2", "deploy-bot", "/ci", "run", "?", "@", "frag"}) {
    expect_absent(texts_of(*hook), secret);
  }
}

TEST(ParseWebhook, MissingOrMistypedFieldsAreUnset) {
  const auto hook = parse_webhook({{"uuid", "{x}"},
                                   {"active", "true"},
                                   {"secret_set", nullptr},
                                   {"events", {"a", 5, nullptr}}});
  ASSERT_TRUE(hook);
  EXPECT_EQ(hook->active, std::nullopt);
  EXPECT_EQ(hook->secret_set, std::nullopt);
  EXPECT_EQ(hook->scheme, "");
  EXPECT_EQ(hook->host, "");
  EXPECT_EQ(hook->description, "");
  EXPECT_EQ(hook->events, (std::vector<std::string>{"a"}));
  EXPECT_FALSE(parse_webhook(json::array()));
  EXPECT_FALSE(parse_webhook("https://example.com"));
  EXPECT_FALSE(parse_webhook(json()));
}

TEST(UrlSchemeAndHost, DropsUserInformationPathQueryAndFragment) {
  const std::vector<std::tuple<std::string, std::string, std::string>> cases{
      {"https://user:pass@host:8443/path?token=x", "https", "host:8443"},
      {"http://example.com", "http", "example.com"},
      {"HTTP://Example.COM/Hook", "http", "Example.COM"},
      {"https://example.com?next=a@b/c", "https", "example.com"},
      {"https://example.com#a@b", "https", "example.com"},
      {"https://a@b@example.com/x", "https", "example.com"},
      {"https://[::1]:8080/x", "https", "[::1]:8080"},
      {"user:secret@example.com/x", "", "example.com"},
      {"example.com/x?y", "", "example.com"},
      {"ftp://files.example.com/x", "ftp", "files.example.com"},
      {"", "", ""},
      {"https://", "https", ""},
  };
  for (const auto& [url, scheme, host] : cases) {
    EXPECT_EQ(url_scheme_and_host(url), std::make_pair(scheme, host)) << url;
  }
}

// From the API's answer to a report's evidence: the URL's path, query and password are gone.
TEST(ParseWebhook, NothingButTheHostReachesTheEvidence) {
  core::Snapshot s;
  s.workspaces.emplace_back().slug = "acme";
  s.workspaces[0].hooks = std::vector<core::Webhook>{*parse_webhook(kHook)};
  core::EvaluateOptions options;
  options.rules = core::rule_set("extended");
  const auto all = core::evaluate(s, core::Settings{}, core::TimePoint{}, options);
  std::size_t hooks = 0;
  for (const auto& e : all) {
    if (e.resource.type != core::ResourceType::webhook) {
      continue;
    }
    ++hooks;
    const std::string text = e.evidence.value().dump() + e.resource.name + e.resource.url +
                             core::message_of(*e.rule, e.evidence.value());
    for (const char* secret : {"t0ps3cr3t", "token", "hunter2", "deploy-bot", "/ci/run"}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << text;
    }
    EXPECT_NE(text.find("hooks.example.com:8443"), std::string::npos) << text;
  }
  EXPECT_EQ(hooks, 2U);  // judged by both webhook rules
  EXPECT_EQ(core::snapshot_to_json(s).dump().find("t0ps3cr3t"), std::string::npos);
}

// ---- Variables ---------------------------------------------------------------------------------

const std::string kPlanted = "planted-value-81c4";

TEST(ParseVariable, DropsTheValue) {
  const json v = {{"type", "pipeline_variable"},
                  {"uuid", "{v-1}"},
                  {"key", "DEPLOY_TOKEN"},
                  {"value", kPlanted},
                  {"secured", false}};
  for (const auto level : {core::VariableLevel::repository, core::VariableLevel::workspace,
                           core::VariableLevel::deployment}) {
    const auto var = parse_variable(v, level);
    ASSERT_TRUE(var);
    EXPECT_EQ(var->uuid, "{v-1}");
    EXPECT_EQ(var->key, "DEPLOY_TOKEN");
    EXPECT_EQ(var->secured, false);
    EXPECT_EQ(var->level, level);
    EXPECT_FALSE(var->environment);  // the collector names it
    expect_absent(texts_of(*var), kPlanted);
    expect_absent(texts_of(*var), "planted");
  }
}

TEST(ParseVariable, NothingOfTheValueReachesASnapshotOrAReport) {
  core::Snapshot s;
  auto& ws = s.workspaces.emplace_back();
  ws.slug = "acme";
  ws.pipeline_variables = std::vector<core::PipelineVariable>{
      *parse_variable({{"key", "NPM_TOKEN"}, {"value", kPlanted}, {"secured", false}},
                      core::VariableLevel::workspace),
      *parse_variable({{"key", "REGION"}, {"value", kPlanted}}, core::VariableLevel::workspace)};
  EXPECT_EQ(core::snapshot_to_json(s).dump().find(kPlanted), std::string::npos);
  core::EvaluateOptions options;
  options.rules = {core::find_rule("unsecured-secret-variable")};
  const auto all = core::evaluate(s, core::Settings{}, core::TimePoint{}, options);
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].outcome, core::Outcome::fail);
  for (const auto& e : all) {
    const std::string text = e.evidence.value().dump() + e.resource.name + e.resource.id +
                             e.detail + core::message_of(*e.rule, e.evidence.value());
    EXPECT_EQ(text.find(kPlanted), std::string::npos) << text;
  }
}

TEST(ParseVariable, SecuredOnlyWhenABooleanAndAKeyIsRequired) {
  const auto secured =
      parse_variable({{"key", "K"}, {"secured", true}}, core::VariableLevel::repository);
  ASSERT_TRUE(secured);
  EXPECT_EQ(secured->secured, true);
  EXPECT_EQ(secured->uuid, "");
  for (const json& flag : {json("true"), json(1), json(nullptr)}) {
    const auto var =
        parse_variable({{"key", "K"}, {"secured", flag}}, core::VariableLevel::repository);
    ASSERT_TRUE(var) << flag;
    EXPECT_EQ(var->secured, std::nullopt) << flag;
  }
  EXPECT_FALSE(
      parse_variable({{"value", kPlanted}, {"secured", false}}, core::VariableLevel::repository));
  EXPECT_FALSE(parse_variable({{"key", 5}}, core::VariableLevel::repository));
  EXPECT_FALSE(parse_variable(json::array(), core::VariableLevel::repository));
  EXPECT_FALSE(parse_variable(json(kPlanted), core::VariableLevel::repository));
}

// ---- Environments ------------------------------------------------------------------------------

TEST(ParseEnvironment, UuidAndName) {
  const auto env = parse_environment({{"type", "deployment_environment"},
                                      {"uuid", "{e-1}"},
                                      {"name", "Production"},
                                      {"environment_type", {{"name", "Production"}}}});
  ASSERT_TRUE(env);
  EXPECT_EQ(env->uuid, "{e-1}");
  EXPECT_EQ(env->name, "Production");
  // Without a name, the uuid names it.
  const auto unnamed = parse_environment({{"uuid", "{e-2}"}, {"name", 7}});
  ASSERT_TRUE(unnamed);
  EXPECT_EQ(unnamed->name, "{e-2}");
  EXPECT_FALSE(parse_environment({{"name", "Test"}}));
  EXPECT_FALSE(parse_environment({{"uuid", nullptr}}));
  EXPECT_FALSE(parse_environment(json::array()));
}

// ---- Members -----------------------------------------------------------------------------------

json membership(json user) {
  return {{"type", "workspace_membership"},
          {"user", std::move(user)},
          {"workspace", {{"slug", "acme"}}}};
}

TEST(ParseMember, ReadsTheUserAndItsTwoStepFlag) {
  const auto m = parse_member(membership({{"type", "user"},
                                          {"display_name", "Ana Lima"},
                                          {"uuid", "{u-1}"},
                                          {"account_id", "557058:1"},
                                          {"nickname", "ana"},
                                          {"has_2fa_enabled", false}}));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->display_name, "Ana Lima");
  EXPECT_EQ(m->uuid, "{u-1}");
  EXPECT_EQ(m->account_id, "557058:1");
  EXPECT_EQ(m->has_2fa_enabled, false);
  EXPECT_EQ(
      parse_member(membership({{"display_name", "B"}, {"has_2fa_enabled", true}}))->has_2fa_enabled,
      true);
}

TEST(ParseMember, TheTwoStepFlagOnlyWhenABoolean) {
  for (const json& flag : {json("true"), json(1), json(0), json(nullptr), json::object()}) {
    const auto m = parse_member(membership({{"display_name", "B"}, {"has_2fa_enabled", flag}}));
    ASSERT_TRUE(m) << flag;
    EXPECT_EQ(m->has_2fa_enabled, std::nullopt) << flag;
  }
  const auto absent = parse_member(membership({{"display_name", "B"}}));
  ASSERT_TRUE(absent);
  EXPECT_EQ(absent->has_2fa_enabled, std::nullopt);
}

TEST(ParseMember, PermissionEntriesAndOddShapes) {
  // /workspaces/{ws}/permissions lists the same user object with a permission.
  const auto owner = parse_member({{"type", "workspace_membership"},
                                   {"permission", "owner"},
                                   {"user", {{"nickname", "root"}, {"account_id", "1"}}}});
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->display_name, "root");  // nickname when there is no display name
  const auto bare = parse_member({{"user", {{"account_id", "557058:9"}}}});
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->display_name, "557058:9");  // the account id when there is neither
  EXPECT_FALSE(parse_member({{"user", "ana"}}));
  EXPECT_FALSE(parse_member({{"user", nullptr}}));
  EXPECT_FALSE(parse_member({{"permission", "owner"}}));
  EXPECT_FALSE(parse_member(json::array()));
}

}  // namespace
}  // namespace bbp::bitbucket
