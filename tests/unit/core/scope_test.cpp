#include "bbp/core/scope.hpp"

#include <gtest/gtest.h>

namespace bbp::core {
namespace {

Repository api_repository() {
  Repository r;
  r.workspace = "acme";
  r.slug = "api";
  r.full_name = "acme/api";
  r.project_key = "PLAT";
  return r;
}

Scope repos(std::vector<std::string> include, std::vector<std::string> exclude,
            std::vector<std::string> projects) {
  return Scope{{}, std::move(include), std::move(exclude), std::move(projects), {}};
}

TEST(CoreScope, RepositorySelection) {
  auto r = api_repository();
  EXPECT_TRUE(repos({}, {}, {}).selects(r));
  EXPECT_TRUE(repos({"api"}, {}, {}).selects(r));
  EXPECT_TRUE(repos({"acme/*"}, {}, {}).selects(r));
  EXPECT_FALSE(repos({"web"}, {}, {}).selects(r));
  EXPECT_FALSE(repos({}, {"acme/api"}, {}).selects(r));
  EXPECT_FALSE(repos({"*"}, {"a*"}, {}).selects(r));
  EXPECT_TRUE(repos({}, {}, {"OPS", "PLAT"}).selects(r));
  EXPECT_FALSE(repos({}, {}, {"OPS"}).selects(r));
  EXPECT_TRUE(repos({}, {}, {"plat"}).selects(r));  // project keys ignore case
  r.project_key.reset();
  EXPECT_FALSE(repos({}, {}, {"PLAT"}).selects(r));
}

TEST(CoreScope, RulesDecideWhatIsRead) {
  Scope all;
  EXPECT_TRUE(all.reads_branches());
  EXPECT_TRUE(all.reads_keys());
  Scope only_public;
  only_public.rules = {find_rule("public-repository")};
  EXPECT_FALSE(only_public.reads_branches());
  EXPECT_FALSE(only_public.reads_keys());
  Scope keys;
  keys.rules = {find_rule("old-key")};
  EXPECT_TRUE(keys.reads_keys());
  EXPECT_FALSE(keys.reads_branches());
}

TEST(CoreScope, GapsConcernTheReadsOfTheSelectedRules) {
  Scope only_public;
  only_public.rules = {find_rule("public-repository")};
  Gap gap;
  for (const auto subject : {GapSubject::branch_restrictions, GapSubject::branching_model,
                             GapSubject::deploy_keys, GapSubject::project_deploy_keys,
                             GapSubject::ssh_keys, GapSubject::user, GapSubject::projects}) {
    gap.subject = subject;
    EXPECT_FALSE(only_public.concerns(gap)) << to_string(subject);
    EXPECT_TRUE(Scope{}.concerns(gap)) << to_string(subject);
  }
  for (const auto subject : {GapSubject::workspaces, GapSubject::repositories}) {
    gap.subject = subject;
    EXPECT_TRUE(only_public.concerns(gap));
  }
}

Snapshot two_workspaces() {
  Snapshot s;
  WorkspaceSnapshot acme;
  acme.slug = "acme";
  acme.deploy_keys_collected = acme.project_keys_collected = true;
  acme.repositories = {api_repository()};
  auto web = api_repository();
  web.slug = "web";
  web.full_name = "acme/web";
  web.project_key = "WEB";
  acme.repositories.push_back(web);
  acme.projects = {{"PLAT", "", "Platform", ""}, {"WEB", "", "Web", ""}};
  Key k;
  k.kind = KeyKind::deploy_key;
  k.workspace = "acme";
  k.repository = "acme/web";
  acme.keys.push_back(k);
  WorkspaceSnapshot globex;
  globex.slug = "globex";
  s.workspaces = {acme, globex};
  s.ssh_keys_status = SshKeysStatus::read;
  s.gaps.push_back({GapSubject::branch_restrictions, "acme", "acme/web", std::nullopt, "/x", 403,
                    UnknownReason::forbidden, "no"});
  s.gaps.push_back({GapSubject::deploy_keys, "acme", "acme/api", std::nullopt, "/y", 403,
                    UnknownReason::forbidden, "no"});
  return s;
}

TEST(CoreScope, NarrowKeepsWhatALiveScanWithTheScopeWouldHaveRead) {
  auto s = two_workspaces();
  Scope scope{{"acme"}, {"api"}, {}, {}, {}};
  ASSERT_FALSE(narrow(s, scope));
  ASSERT_EQ(s.workspaces.size(), 1U);
  EXPECT_EQ(s.workspaces[0].repositories.size(), 1U);
  EXPECT_EQ(s.workspaces[0].projects.size(), 1U);  // PLAT only: web is out of scope
  EXPECT_TRUE(s.workspaces[0].keys.empty());       // web's key went with it
  ASSERT_EQ(s.gaps.size(), 1U);                    // web's restrictions gap went too
  EXPECT_EQ(s.gaps[0].repository, "acme/api");
}

TEST(CoreScope, NarrowDropsTheGapsAndKeysOfRulesNotSelected) {
  auto s = two_workspaces();
  Scope scope;
  scope.rules = {find_rule("public-repository")};
  ASSERT_FALSE(narrow(s, scope));
  EXPECT_TRUE(s.gaps.empty());
  EXPECT_TRUE(s.workspaces[0].keys.empty());
  EXPECT_FALSE(s.workspaces[0].deploy_keys_collected);
  EXPECT_EQ(s.ssh_keys_status, SshKeysStatus::not_collected);
}

TEST(CoreScope, AWorkspaceNotInTheSnapshotIsAnError) {
  auto s = two_workspaces();
  const auto problem = narrow(s, Scope{{"acme", "nope"}, {}, {}, {}, {}});
  ASSERT_TRUE(problem);
  EXPECT_EQ(*problem, "workspace 'nope' is not in the snapshot");
}

}  // namespace
}  // namespace bbp::core
