#include "bbp/core/declared.hpp"

#include <gtest/gtest.h>

#include <set>

#include "bbp/core/engine.hpp"
#include "bbp/core/snapshot_json.hpp"
#include "builders.hpp"

namespace bbp::core {
namespace {

using test::RepositoryBuilder;
using test::restriction;

// A Premium project-level protection, as a user would declare it for project PLAT.
DeclaredRestrictions full_protection() {
  DeclaredRestrictions d;
  d.project = "PLAT";
  d.source = "bbposture.yaml:14";
  for (const char* kind : {"push", "force", "delete", "reset_pullrequest_approvals_on_change",
                           "enforce_merge_checks"}) {
    BranchRestriction r;
    r.kind = kind;
    d.restrictions.push_back(r);
  }
  BranchRestriction approvals;
  approvals.kind = "require_approvals_to_merge";
  approvals.value = 2;
  d.restrictions.push_back(approvals);
  BranchRestriction builds;
  builds.kind = "require_passing_builds_to_merge";
  builds.value = 1;
  d.restrictions.push_back(builds);
  return d;
}

std::set<std::string> slugs(const std::vector<Evaluation>& evaluations, Outcome outcome) {
  std::set<std::string> out;
  for (const auto& e : evaluations) {
    if (e.outcome == outcome && e.rule->subject == RuleSubject::default_branch) {
      out.emplace(e.rule->slug);
    }
  }
  return out;
}

std::vector<Evaluation> reported(const Snapshot& snapshot) {
  return evaluate(snapshot, Settings{}, test::test_now(), {{}, /*findings_only=*/true, true});
}

const std::set<std::string> kAllBranchRules{
    "pr-review-not-required",  "direct-push-allowed",          "stale-approvals-kept",
    "force-push-allowed",      "no-default-branch-protection", "passing-builds-not-required",
    "branch-deletion-allowed", "merge-checks-not-enforced"};

TEST(DeclaredTest, SelectorsMustAllMatch) {
  const Repository repo = RepositoryBuilder("api", "acme").project("PLAT");
  DeclaredRestrictions d;
  EXPECT_TRUE(declaration_applies(d, repo));
  d.workspace = "acme";
  d.project = "PLAT";
  d.repository_glob = "acme/a*";
  EXPECT_TRUE(declaration_applies(d, repo));
  d.repository_glob = "acme/web*";
  EXPECT_FALSE(declaration_applies(d, repo));
  d.repository_glob.reset();
  d.project = "WEB";
  EXPECT_FALSE(declaration_applies(d, repo));
  d.project.reset();
  d.workspace = "other";
  EXPECT_FALSE(declaration_applies(d, repo));
}

TEST(DeclaredTest, ProjectLevelProtectionTurnsEveryBranchRuleIntoADeclaredPass) {
  auto snapshot = test::snapshot_of({RepositoryBuilder("api").project("PLAT")});
  ASSERT_EQ(slugs(reported(snapshot), Outcome::fail), kAllBranchRules);

  apply_declarations(snapshot, {full_protection()});
  const auto after = reported(snapshot);
  EXPECT_TRUE(slugs(after, Outcome::fail).empty());
  EXPECT_EQ(slugs(after, Outcome::pass), kAllBranchRules);
  for (const auto& e : after) {
    if (e.outcome == Outcome::pass) {
      EXPECT_EQ(e.declared_by, std::vector<std::string>{"bbposture.yaml:14"}) << e.rule->slug;
    }
  }
}

TEST(DeclaredTest, EvidenceSaysWhereARestrictionWasDeclared) {
  auto snapshot = test::snapshot_of({RepositoryBuilder("api").project("PLAT")});
  apply_declarations(snapshot, {full_protection()});
  const auto all = evaluate(snapshot, Settings{}, test::test_now());
  const auto it = std::find_if(all.begin(), all.end(), [](const Evaluation& e) {
    return e.rule->slug == "force-push-allowed";
  });
  ASSERT_NE(it, all.end());
  const auto evidence = it->evidence.value().dump();
  EXPECT_NE(evidence.find("declared in bbposture.yaml:14"), std::string::npos) << evidence;
}

// A pass that the API's own restrictions already give needs no declaration to stand on.
TEST(DeclaredTest, APassTheApiAlreadyGivesIsNotAttributedToTheDeclaration) {
  auto snapshot =
      test::snapshot_of({RepositoryBuilder("api").project("PLAT").restrict(restriction("force"))});
  apply_declarations(snapshot, {full_protection()});
  for (const auto& e : reported(snapshot)) {
    EXPECT_NE(e.rule->slug, "force-push-allowed");
  }
}

// A declaration adds; it never hides what the API returned: a push restriction the API shows
// with an exempt user still lets that user push.
TEST(DeclaredTest, ADeclarationNeverHidesARestrictionTheApiReturned) {
  auto snapshot = test::snapshot_of(
      {RepositoryBuilder("api").project("PLAT").restrict(restriction("push").user("deploy-bot"))});
  DeclaredRestrictions d;
  d.project = "PLAT";
  d.source = "bbposture.yaml:3";
  BranchRestriction force;
  force.kind = "force";
  d.restrictions.push_back(force);
  apply_declarations(snapshot, {d});
  const auto& restrictions = *snapshot.workspaces[0].repositories[0].branch_restrictions;
  ASSERT_EQ(restrictions.size(), 2U);
  EXPECT_FALSE(restrictions[0].declared_in);
  EXPECT_EQ(restrictions[0].users.size(), 1U);
  EXPECT_EQ(restrictions[1].declared_in, "bbposture.yaml:3");
  EXPECT_TRUE(slugs(reported(snapshot), Outcome::fail).count("direct-push-allowed"));
}

TEST(DeclaredTest, UnreadableRestrictionsStayUnknown) {
  auto snapshot =
      test::snapshot_of({RepositoryBuilder("api").project("PLAT").restrictions_unreadable()});
  apply_declarations(snapshot, {full_protection()});
  EXPECT_FALSE(snapshot.workspaces[0].repositories[0].branch_restrictions);
  const auto after = reported(snapshot);
  EXPECT_EQ(slugs(after, Outcome::unknown), kAllBranchRules);
  EXPECT_TRUE(slugs(after, Outcome::pass).empty());
}

TEST(DeclaredTest, EmptyRepositoryGetsNothing) {
  auto snapshot =
      test::snapshot_of({RepositoryBuilder("api").project("PLAT").mainbranch(std::nullopt)});
  apply_declarations(snapshot, {full_protection()});
  EXPECT_TRUE(snapshot.workspaces[0].repositories[0].branch_restrictions->empty());
}

TEST(DeclaredTest, DefaultBranchOrBranchGlob) {
  auto snapshot = test::snapshot_of({RepositoryBuilder("api").mainbranch("trunk")});
  DeclaredRestrictions on_default = full_protection();
  on_default.project.reset();
  DeclaredRestrictions on_release = on_default;
  on_release.branch_glob = "release/*";
  apply_declarations(snapshot, {on_default, on_release});
  const auto& restrictions = *snapshot.workspaces[0].repositories[0].branch_restrictions;
  ASSERT_EQ(restrictions.size(), 2 * on_default.restrictions.size());
  EXPECT_EQ(restrictions.front().pattern, "trunk");
  EXPECT_EQ(restrictions.back().pattern, "release/*");
  // Only the restrictions on the default branch count; the release ones do not apply to trunk.
  EXPECT_TRUE(slugs(reported(snapshot), Outcome::fail).empty());
  snapshot = test::snapshot_of({RepositoryBuilder("api").mainbranch("trunk")});
  apply_declarations(snapshot, {on_release});
  EXPECT_EQ(slugs(reported(snapshot), Outcome::fail), kAllBranchRules);
}

TEST(DeclaredTest, OtherProjectsAreUntouched) {
  auto snapshot = test::snapshot_of({RepositoryBuilder("web").project("WEB")});
  apply_declarations(snapshot, {full_protection()});
  EXPECT_TRUE(snapshot.workspaces[0].repositories[0].branch_restrictions->empty());
  EXPECT_EQ(read_restrictions({}).size(), 0U);
}

// A snapshot holds what was read: a declaration applied before saving does not leak into it.
TEST(DeclaredTest, SnapshotsNeverHoldDeclaredRestrictions) {
  auto snapshot =
      test::snapshot_of({RepositoryBuilder("api").project("PLAT").restrict(restriction("force"))});
  const auto before = snapshot_to_json(snapshot).dump();
  apply_declarations(snapshot, {full_protection()});
  EXPECT_EQ(snapshot_to_json(snapshot).dump(), before);
}

}  // namespace
}  // namespace bbp::core
