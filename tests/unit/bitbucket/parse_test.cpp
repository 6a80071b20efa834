#include "bbp/bitbucket/parse.hpp"

#include <fstream>

#include <gtest/gtest.h>

namespace bbp::bitbucket {
namespace {

using nlohmann::json;

json fixture(const std::string& name) {
  std::ifstream in(std::string(BBP_TEST_DATA_DIR) + "/api/" + name);
  EXPECT_TRUE(in) << name;
  return json::parse(in);
}

core::TimePoint ts(const char* text) {
  return core::parse_timestamp(text).value();
}

// Repositories -----------------------------------------------------------------------------

TEST(ParseRepository, RealRepositoryObject) {
  const auto repo = parse_repository(fixture("repository.json"), "bpomerenkelabs");
  ASSERT_TRUE(repo);
  EXPECT_EQ(repo->workspace, "bpomerenkelabs");
  EXPECT_EQ(repo->slug, "test-pipeline");
  EXPECT_EQ(repo->full_name, "bpomerenkelabs/test-pipeline");
  EXPECT_EQ(repo->name, "test-pipeline");
  EXPECT_EQ(repo->uuid, "{f3068605-1bdd-4c38-99e2-91d8e33e993d}");
  EXPECT_EQ(repo->is_private, true);
  EXPECT_EQ(repo->updated_on, ts("2023-05-01T23:14:57.312975+00:00"));
  EXPECT_EQ(repo->mainbranch, "main");
  EXPECT_EQ(repo->project_key, "COD");
  EXPECT_EQ(repo->html_url, "https://bitbucket.org/bpomerenkelabs/test-pipeline");
  EXPECT_FALSE(repo->branch_restrictions);
  EXPECT_FALSE(repo->branching_model);
}

TEST(ParseRepository, EmptyRepositoryHasNullMainbranch) {
  auto j = fixture("repository.json");
  j["mainbranch"] = nullptr;
  const auto repo = parse_repository(j, "bpomerenkelabs");
  ASSERT_TRUE(repo);
  EXPECT_FALSE(repo->mainbranch);
}

TEST(ParseRepository, WrongTypesBecomeUnknown) {
  auto j = fixture("repository.json");
  j["is_private"] = "true";
  j["updated_on"] = "yesterday";
  j["project"] = "COD";
  j["mainbranch"] = "main";
  const auto repo = parse_repository(j, "bpomerenkelabs");
  ASSERT_TRUE(repo);
  EXPECT_FALSE(repo->is_private);
  EXPECT_FALSE(repo->updated_on);
  EXPECT_FALSE(repo->project_key);
  EXPECT_FALSE(repo->mainbranch);
}

TEST(ParseRepository, PublicRepository) {
  auto j = fixture("repository.json");
  j["is_private"] = false;
  const auto repo = parse_repository(j, "bpomerenkelabs");
  ASSERT_TRUE(repo);
  EXPECT_EQ(repo->is_private, false);
}

TEST(ParseRepository, FieldsWhitelistShape) {
  // What the listing returns with fields=…: no slug in some answers, only full_name.
  const json j = {{"full_name", "acme/api"},
                  {"is_private", true},
                  {"updated_on", "2026-01-02T03:04:05Z"},
                  {"mainbranch", {{"name", "develop"}}},
                  {"project", {{"key", "PLAT"}, {"name", "Platform"}}}};
  const auto repo = parse_repository(j, "acme");
  ASSERT_TRUE(repo);
  EXPECT_EQ(repo->slug, "api");
  EXPECT_EQ(repo->full_name, "acme/api");
  EXPECT_EQ(repo->name, "api");
  EXPECT_EQ(repo->mainbranch, "develop");
  EXPECT_EQ(repo->project_key, "PLAT");
  EXPECT_EQ(repo->html_url, "https://bitbucket.org/acme/api");
}

TEST(ParseRepository, WithoutSlugOrFullNameIsNothing) {
  EXPECT_FALSE(parse_repository(json{{"name", "x"}}, "acme"));
  EXPECT_FALSE(parse_repository(json{{"slug", ""}}, "acme"));
  EXPECT_FALSE(parse_repository(json{{"slug", 5}}, "acme"));
  EXPECT_FALSE(parse_repository(json::array(), "acme"));
  EXPECT_FALSE(parse_repository(json(), "acme"));
}

// Branch restrictions ---------------------------------------------------------------------

TEST(ParseRestriction, RealPageOfRestrictions) {
  const auto page = fixture("branch_restrictions_page.json");
  std::vector<core::BranchRestriction> parsed;
  for (const auto& v : page["values"]) {
    auto r = parse_restriction(v);
    ASSERT_TRUE(r);
    parsed.push_back(*r);
  }
  ASSERT_EQ(parsed.size(), 4u);

  EXPECT_EQ(parsed[0].kind, "force");
  EXPECT_EQ(parsed[0].id, 26520790);
  EXPECT_EQ(parsed[0].branch_match_kind, "glob");
  EXPECT_EQ(parsed[0].pattern, "master");
  EXPECT_FALSE(parsed[0].value);
  EXPECT_FALSE(parsed[0].branch_type);
  EXPECT_TRUE(parsed[0].users.empty());
  EXPECT_TRUE(parsed[0].groups.empty());

  EXPECT_EQ(parsed[1].kind, "require_approvals_to_merge");
  EXPECT_EQ(parsed[1].value, 3);

  EXPECT_EQ(parsed[2].kind, "push");
  ASSERT_EQ(parsed[2].users.size(), 1u);
  EXPECT_EQ(parsed[2].users[0].name, "Mark Adams");
  EXPECT_EQ(parsed[2].users[0].id, "{d7dd0e2d-3994-4a50-a9ee-d260b6cefdab}");
  ASSERT_EQ(parsed[2].groups.size(), 1u);
  EXPECT_EQ(parsed[2].groups[0].name, "developers");
  EXPECT_EQ(parsed[2].groups[0].id, "shaharsamira:developers");

  EXPECT_EQ(parsed[3].kind, "force");
  EXPECT_EQ(parsed[3].branch_match_kind, "branching_model");
  EXPECT_EQ(parsed[3].pattern, "");
  EXPECT_EQ(parsed[3].branch_type, "production");
  EXPECT_EQ(parsed[3].id, 6);
}

TEST(ParseRestriction, UnknownKindIsKept) {
  const auto r = parse_restriction(
      json{{"kind", "require_review_group_approvals_to_merge"}, {"value", 2}, {"pattern", "main"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, "require_review_group_approvals_to_merge");
  EXPECT_EQ(r->value, 2);
  EXPECT_EQ(r->branch_match_kind, "glob");
  EXPECT_EQ(r->id, 0);
}

TEST(ParseRestriction, MissingOrNonStringKindIsNothing) {
  EXPECT_FALSE(parse_restriction(json{{"pattern", "main"}, {"id", 1}}));
  EXPECT_FALSE(parse_restriction(json{{"kind", nullptr}}));
  EXPECT_FALSE(parse_restriction(json{{"kind", 3}}));
  EXPECT_FALSE(parse_restriction(json("force")));
}

TEST(ParseRestriction, OddValuesAndPrincipals) {
  const auto r = parse_restriction(
      json{{"kind", "push"},
           {"id", 12.0},
           {"value", "3"},
           {"users", {{{"nickname", "nick"}, {"account_id", "557058:abc"}}, "not-an-object"}},
           {"groups", {{{"name", "Admins"}}}}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->id, 12);
  EXPECT_FALSE(r->value);
  ASSERT_EQ(r->users.size(), 1u);
  EXPECT_EQ(r->users[0].name, "nick");
  EXPECT_EQ(r->users[0].id, "557058:abc");
  ASSERT_EQ(r->groups.size(), 1u);
  EXPECT_EQ(r->groups[0].name, "Admins");
  EXPECT_EQ(r->groups[0].id, "Admins");
}

// Branching model --------------------------------------------------------------------------

TEST(ParseBranchingModel, OfficialExample) {
  const auto m = parse_branching_model(fixture("branching_model.json"));
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->development.use_mainbranch);
  EXPECT_EQ(m->development.name, "master");
  EXPECT_EQ(m->development.branch_name, "master");
  ASSERT_TRUE(m->production);
  EXPECT_FALSE(m->production->use_mainbranch);
  EXPECT_EQ(m->production->name, "production");
  ASSERT_EQ(m->branch_types.size(), 4u);
  EXPECT_EQ(m->branch_types[0].kind, "release");
  EXPECT_EQ(m->branch_types[0].prefix, "release/");
  EXPECT_EQ(m->branch_types[3].kind, "bugfix");
}

TEST(ParseBranchingModel, ProductionAbsentOrDisabled) {
  auto j = fixture("branching_model.json");
  j.erase("production");
  auto m = parse_branching_model(j);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->production);

  j = fixture("branching_model.json");
  j["production"]["enabled"] = false;
  m = parse_branching_model(j);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->production);

  j["production"]["enabled"] = true;
  m = parse_branching_model(j);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->production);

  j["production"] = nullptr;
  m = parse_branching_model(j);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->production);
}

TEST(ParseBranchingModel, DisabledBranchTypesAreSkipped) {
  const json j = {{"development", {{"name", nullptr}, {"use_mainbranch", true}}},
                  {"branch_types",
                   {{{"kind", "feature"}, {"prefix", "feature/"}, {"enabled", false}},
                    {{"kind", "hotfix"}, {"prefix", "hotfix/"}, {"enabled", true}},
                    {{"kind", "release"}},
                    {{"kind", "bugfix"}, {"prefix", "fix/"}}}}};
  const auto m = parse_branching_model(j);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->development.name);
  EXPECT_FALSE(m->development.branch_name);
  ASSERT_EQ(m->branch_types.size(), 2u);
  EXPECT_EQ(m->branch_types[0].kind, "hotfix");
  EXPECT_EQ(m->branch_types[1].kind, "bugfix");
  EXPECT_EQ(m->branch_types[1].prefix, "fix/");
}

TEST(ParseBranchingModel, DevelopmentBranchNameComesFromTheBranchObject) {
  const json j = {{"development",
                   {{"name", "develop"},
                    {"use_mainbranch", false},
                    {"branch", {{"type", "branch"}, {"name", "develop"}}}}}};
  const auto m = parse_branching_model(j);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->development.use_mainbranch);
  EXPECT_EQ(m->development.name, "develop");
  EXPECT_EQ(m->development.branch_name, "develop");
}

TEST(ParseBranchingModel, WithoutDevelopmentIsNothing) {
  EXPECT_FALSE(parse_branching_model(json{{"production", {{"name", "prod"}}}}));
  EXPECT_FALSE(parse_branching_model(json{{"development", "main"}}));
  EXPECT_FALSE(parse_branching_model(json::array()));
  EXPECT_FALSE(parse_branching_model(json()));
}

// Keys -------------------------------------------------------------------------------------

TEST(ParseKey, RealDeployKey) {
  const auto k = parse_key(fixture("deploy_key.json"), core::KeyKind::deploy_key);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->kind, core::KeyKind::deploy_key);
  EXPECT_EQ(k->id, "123");
  EXPECT_EQ(k->label, "mykey");
  EXPECT_EQ(k->key_material,
            "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDAdkTg7HGqL3rlaDrEcWfL7Lu6TnhBdq5");
  EXPECT_EQ(k->created_on, ts("2019-03-23T10:15:21.517377+00:00"));
  EXPECT_EQ(k->created_field, "created_on");
  EXPECT_FALSE(k->last_used);
  EXPECT_FALSE(k->expires_on);
}

TEST(ParseKey, AddedOnIsTheFallback) {
  auto j = fixture("deploy_key.json");
  j.erase("created_on");
  j["added_on"] = "2020-01-02T03:04:05.000001+02:00";
  auto k = parse_key(j, core::KeyKind::project_deploy_key);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->kind, core::KeyKind::project_deploy_key);
  EXPECT_EQ(k->created_on, ts("2020-01-02T01:04:05.000001Z"));
  EXPECT_EQ(k->created_field, "added_on");

  // created_on: null counts as missing.
  j["created_on"] = nullptr;
  k = parse_key(j, core::KeyKind::deploy_key);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->created_field, "added_on");
  EXPECT_TRUE(k->created_on);
}

TEST(ParseKey, NoDateAtAll) {
  auto j = fixture("deploy_key.json");
  j.erase("created_on");
  const auto k = parse_key(j, core::KeyKind::deploy_key);
  ASSERT_TRUE(k);
  EXPECT_FALSE(k->created_on);
}

TEST(ParseKey, RealSshKeyUsesItsUuid) {
  const auto k = parse_key(fixture("ssh_key.json"), core::KeyKind::ssh_key);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->kind, core::KeyKind::ssh_key);
  EXPECT_EQ(k->id, "{b15b6026-9c02-4626-b4ad-b905f99f763a}");
  EXPECT_EQ(k->comment, "user@myhost");
  EXPECT_EQ(k->created_on, ts("2018-03-14T13:17:05.196003+00:00"));
  EXPECT_EQ(k->last_used, ts("2018-03-20T13:18:05.196003+00:00"));
  EXPECT_FALSE(k->expires_on);
  EXPECT_EQ(k->owner, "Mark Adams");
}

TEST(ParseKey, SshKeyExpiry) {
  auto j = fixture("ssh_key.json");
  j["expires_on"] = "2027-03-14T00:00:00+00:00";
  const auto k = parse_key(j, core::KeyKind::ssh_key);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->expires_on, ts("2027-03-14T00:00:00Z"));
}

TEST(ParseKey, IdsOfEveryShape) {
  EXPECT_EQ(parse_key(json{{"id", 7}}, core::KeyKind::deploy_key)->id, "7");
  EXPECT_EQ(parse_key(json{{"id", "42"}}, core::KeyKind::deploy_key)->id, "42");
  EXPECT_EQ(parse_key(json{{"uuid", "{u}"}}, core::KeyKind::deploy_key)->id, "{u}");
  EXPECT_EQ(parse_key(json{{"id", 9}}, core::KeyKind::ssh_key)->id, "9");
  EXPECT_EQ(parse_key(json::object(), core::KeyKind::deploy_key)->id, "");
  EXPECT_FALSE(parse_key(json::array(), core::KeyKind::deploy_key));
  EXPECT_FALSE(parse_key(json("key"), core::KeyKind::deploy_key));
}

// Workspaces -------------------------------------------------------------------------------

TEST(ParseWorkspaceSlug, UserWorkspacesEntries) {
  const auto page = fixture("user_workspaces.json");
  std::vector<std::string> slugs;
  for (const auto& v : page["values"]) {
    if (auto slug = parse_workspace_slug(v)) {
      slugs.push_back(*slug);
    }
  }
  EXPECT_EQ(slugs, (std::vector<std::string>{"acme", "beta"}));
}

TEST(ParseWorkspaceSlug, PlainObjectAndOddShapes) {
  EXPECT_EQ(parse_workspace_slug(json{{"type", "workspace"}, {"slug", "acme"}}), "acme");
  EXPECT_FALSE(parse_workspace_slug(json{{"workspace", {{"uuid", "{x}"}}}}));
  EXPECT_FALSE(parse_workspace_slug(json{{"workspace", "acme"}}));
  EXPECT_FALSE(parse_workspace_slug(json("acme")));
  EXPECT_FALSE(parse_workspace_slug(json()));
}

TEST(ParseHelpers, StringAt) {
  const json j = {{"a", "x"}, {"b", 1}, {"c", nullptr}};
  EXPECT_EQ(string_at(j, "a"), "x");
  EXPECT_FALSE(string_at(j, "b"));
  EXPECT_FALSE(string_at(j, "c"));
  EXPECT_FALSE(string_at(j, "d"));
  EXPECT_FALSE(string_at(json::array({"a"}), "a"));
}

}  // namespace
}  // namespace bbp::bitbucket
