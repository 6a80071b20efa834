// The planner, one outcome per test: what a finding becomes (a step, left alone, not read), and
// the safety model's properties on the steps it makes (tighten only, flags, one step per change,
// scopes).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bbp/core/engine.hpp"
#include "bbp/core/suppression.hpp"
#include "bbp/fix/planner.hpp"
#include "builders.hpp"

namespace bbp::fix {
namespace {

using test::KeyBuilder;
using test::RepositoryBuilder;
using test::restriction;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const core::Rule* rule(std::string_view slug) {
  return core::find_rule(slug);
}

struct Planned {
  Plan plan;

  // The step that makes (or changes) a restriction of `kind`; nullptr when there is none.
  const Step* of_kind(const std::string& kind) const {
    for (const auto& s : plan.steps) {
      if (s.desired.is_object() && s.desired.value("kind", "") == kind) {
        return &s;
      }
    }
    return nullptr;
  }
  const Step* of_action(Action action) const {
    for (const auto& s : plan.steps) {
      if (s.action == action) {
        return &s;
      }
    }
    return nullptr;
  }
  const LeftAlone* left(std::string_view slug) const {
    for (const auto& l : plan.left_alone) {
      if (l.rule == slug) {
        return &l;
      }
    }
    return nullptr;
  }
};

struct Inputs {
  std::vector<const core::Rule*> rules = core::rule_set("all");
  core::Settings settings;
  FixFlags flags;
  Grants grants{"client_credentials", std::nullopt};
  std::vector<core::Suppression> suppressions;
};

// Inputs with only these rules selected.
Inputs only(std::vector<const core::Rule*> rules) {
  Inputs in;
  in.rules = std::move(rules);
  return in;
}

Planned plan_for(const core::Snapshot& snapshot, const Inputs& in = Inputs()) {
  auto evaluations = core::evaluate(snapshot, in.settings, test::test_now(),
                                    {in.rules, /*findings_only=*/true, true});
  core::apply_suppressions(evaluations, in.suppressions, snapshot, test::test_now());
  Planned out;
  plan_steps({snapshot, evaluations, in.settings, in.flags, in.grants}, out.plan);
  return out;
}

core::Snapshot one(core::Repository repo, std::vector<core::Key> keys = {}) {
  return test::snapshot_of({std::move(repo)}, std::move(keys));
}

TEST(Planner, AnUnprotectedBranchGetsOneCreateStepPerMissingKindOnItsExactName) {
  const auto p = plan_for(one(RepositoryBuilder("api")),
                          only({rule("no-default-branch-protection"),
                                rule("branch-deletion-allowed"), rule("force-push-allowed")}));
  ASSERT_EQ(p.plan.steps.size(), 2U);  // delete and force, shared by the three rules
  const auto* del = p.of_kind("delete");
  ASSERT_NE(del, nullptr);
  EXPECT_EQ(del->action, Action::create_restriction);
  EXPECT_EQ(del->request.method, "POST");
  EXPECT_EQ(del->request.path, "/repositories/acme/api/branch-restrictions");
  EXPECT_EQ(del->request.body->at("pattern"), "main");
  EXPECT_EQ(del->request.body->at("type"), "branchrestriction");
  EXPECT_TRUE(del->current.is_null());
  EXPECT_EQ(del->reread.path,
            "/repositories/acme/api/branch-restrictions?kind=delete&pattern=main");
  EXPECT_THAT(del->rules, ElementsAre("no-default-branch-protection", "branch-deletion-allowed"));
  EXPECT_TRUE(del->reversible);
  EXPECT_EQ(del->id.size(), 8U);
}

TEST(Planner, ALowerApprovalCountIsRaisedAndAHigherOneIsNeverLowered) {
  auto in = only({rule("pr-review-not-required")});
  in.settings.min_approvals = 2;
  const auto low = plan_for(
      one(RepositoryBuilder().restrict(restriction("require_approvals_to_merge").id(7).value(1))),
      in);
  ASSERT_EQ(low.plan.steps.size(), 1U);
  const auto& s = low.plan.steps[0];
  EXPECT_EQ(s.action, Action::raise_value);
  EXPECT_EQ(s.request.method, "PUT");
  EXPECT_EQ(s.request.path, "/repositories/acme/api/branch-restrictions/7");
  EXPECT_EQ(*s.request.body, (nlohmann::json{{"value", 2}}));
  EXPECT_EQ(s.current.at("value"), 1);
  EXPECT_EQ(s.desired.at("value"), 2);
  const auto high = plan_for(
      one(RepositoryBuilder().restrict(restriction("require_approvals_to_merge").value(3))), in);
  EXPECT_TRUE(high.plan.steps.empty());
}

TEST(Planner, ABroaderRestrictionIsLeftAsItIsAndAnExactOneIsAdded) {
  auto in = only({rule("pr-review-not-required")});
  in.settings.min_approvals = 2;
  const auto p = plan_for(one(RepositoryBuilder().restrict(
                              restriction("require_approvals_to_merge").glob("*").value(1))),
                          in);
  ASSERT_EQ(p.plan.steps.size(), 1U);
  EXPECT_EQ(p.plan.steps[0].action, Action::create_restriction);
  EXPECT_EQ(p.plan.steps[0].desired.at("pattern"), "main");
}

TEST(Planner, PushExemptionsAreLeftAloneWithoutTheirFlagAndListedWithIt) {
  const auto repo = RepositoryBuilder().restrict(restriction("push").id(4).user("bot"));
  auto in = only({rule("direct-push-allowed")});
  const auto held = plan_for(one(repo), in);
  EXPECT_TRUE(held.plan.steps.empty());
  ASSERT_NE(held.left("direct-push-allowed"), nullptr);
  EXPECT_EQ(held.left("direct-push-allowed")->flag, "--replace-exemptions");
  in.flags.replace_exemptions = true;
  const auto replaced = plan_for(one(repo), in);
  ASSERT_EQ(replaced.plan.steps.size(), 1U);
  const auto& s = replaced.plan.steps[0];
  EXPECT_EQ(s.action, Action::replace_exemptions);
  ASSERT_EQ(s.removes.size(), 1U);
  EXPECT_EQ(s.removes[0].id, "{bot}");
  EXPECT_EQ(*s.request.body, (nlohmann::json{{"users", nlohmann::json::array()},
                                             {"groups", nlohmann::json::array()}}));
}

TEST(Planner, ABranchingModelMatchIsFollowed) {
  const auto repo = RepositoryBuilder()
                        .model(test::BranchingModelBuilder().production(true))
                        .restrict(restriction("delete").model("production"));
  const auto p = plan_for(one(repo), only({rule("force-push-allowed")}));
  ASSERT_EQ(p.plan.steps.size(), 1U);
  EXPECT_EQ(p.plan.steps[0].desired.at("branch_type"), "production");
  EXPECT_EQ(p.plan.steps[0].reread.path, "/repositories/acme/api/branch-restrictions?kind=force");
}

TEST(Planner, ABranchNamedWithGlobCharactersGetsNoStep) {
  const auto p = plan_for(one(RepositoryBuilder().mainbranch("release[1]")),
                          only({rule("force-push-allowed")}));
  EXPECT_TRUE(p.plan.steps.empty());
  ASSERT_NE(p.left("force-push-allowed"), nullptr);
  EXPECT_THAT(p.left("force-push-allowed")->why, HasSubstr("glob characters"));
}

TEST(Planner, DisruptiveChangesNeedTheirFlags) {
  const auto snapshot =
      one(RepositoryBuilder().is_private(false), {KeyBuilder().created_days_ago(400).build()});
  auto in = only({rule("public-repository"), rule("old-key")});
  const auto off = plan_for(snapshot, in);
  EXPECT_TRUE(off.plan.steps.empty());
  EXPECT_EQ(off.left("public-repository")->flag, "--allow-visibility");
  EXPECT_EQ(off.left("old-key")->flag, "--allow-key-deletion");
  in.flags.allow_visibility = true;
  in.flags.allow_key_deletion = true;
  const auto on = plan_for(snapshot, in);
  const auto* priv = on.of_action(Action::make_private);
  ASSERT_NE(priv, nullptr);
  EXPECT_EQ(*priv->request.body, (nlohmann::json{{"type", "repository"}, {"is_private", true}}));
  EXPECT_EQ(priv->flag, "--allow-visibility");
  const auto* key = on.of_action(Action::delete_deploy_key);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->request.method, "DELETE");
  EXPECT_EQ(key->request.path, "/repositories/acme/api/deploy-keys/1");
  EXPECT_FALSE(key->reversible);
  EXPECT_TRUE(key->desired.is_null());
}

TEST(Planner, AnOldProjectDeployKeyIsDeletedFromItsProject) {
  auto in = only({rule("old-key")});
  in.flags.allow_key_deletion = true;
  const auto p = plan_for(
      one(RepositoryBuilder(),
          {KeyBuilder(core::KeyKind::project_deploy_key, "9").created_days_ago(400).build()}),
      in);
  ASSERT_EQ(p.plan.steps.size(), 1U);
  const auto& s = p.plan.steps[0];
  EXPECT_EQ(s.action, Action::delete_project_deploy_key);
  EXPECT_EQ(s.target, "project acme/PLAT");
  EXPECT_EQ(s.request.path, "/workspaces/acme/projects/PLAT/deploy-keys/9");
  EXPECT_THAT(s.oauth_scopes, ElementsAre("project", "project:admin"));
}

TEST(Planner, AUsersOwnSshKeyIsNeverPlanned) {
  auto snapshot = one(RepositoryBuilder());
  snapshot.ssh_keys.push_back(KeyBuilder(core::KeyKind::ssh_key, "{k}").created_days_ago(400));
  auto in = only({rule("old-key")});
  in.flags.allow_key_deletion = true;
  const auto p = plan_for(snapshot, in);
  EXPECT_TRUE(p.plan.steps.empty());
  ASSERT_NE(p.left("old-key"), nullptr);
  EXPECT_THAT(p.left("old-key")->why, HasSubstr("owner"));
}

TEST(Planner, ReportOnlyRulesAreLeftWithTheirReason) {
  const auto p =
      plan_for(one(RepositoryBuilder().updated_days_ago(800)), only({rule("stale-repository")}));
  EXPECT_TRUE(p.plan.steps.empty());
  ASSERT_NE(p.left("stale-repository"), nullptr);
  EXPECT_EQ(p.left("stale-repository")->why, rule("stale-repository")->remedy.why_not);
}

TEST(Planner, UnreadRestrictionsGiveNoStepAndAreListed) {
  const auto p = plan_for(one(RepositoryBuilder().restrictions_unreadable()),
                          only({rule("force-push-allowed")}));
  EXPECT_TRUE(p.plan.steps.empty());
  ASSERT_EQ(p.plan.unread.size(), 1U);
  EXPECT_EQ(p.plan.unread[0].target, "acme/api");
}

TEST(Planner, ASuppressedFindingIsNotFixed) {
  auto in = only({rule("force-push-allowed")});
  core::Suppression accepted;
  accepted.rule = rule("force-push-allowed");
  accepted.value = "acme/api";
  accepted.reason = "release tooling rewrites main";
  accepted.source = "bbposture.yaml:3";
  in.suppressions.push_back(accepted);
  const auto p = plan_for(one(RepositoryBuilder()), in);
  EXPECT_TRUE(p.plan.steps.empty());
  ASSERT_NE(p.left("force-push-allowed"), nullptr);
  EXPECT_THAT(p.left("force-push-allowed")->why, HasSubstr("release tooling"));
}

TEST(Planner, AMissingWriteScopeMakesAStepThatCannotApply) {
  auto in = only({rule("force-push-allowed")});
  in.grants.oauth_scopes = std::vector<std::string>{"repository", "account"};
  const auto p = plan_for(one(RepositoryBuilder()), in);
  ASSERT_EQ(p.plan.steps.size(), 1U);
  EXPECT_EQ(p.plan.steps[0].cannot_apply, "missing scope repository:admin");
  EXPECT_EQ(applicable_steps(p.plan), 0U);
}

TEST(Planner, AnAccessTokenCannotDeleteDeployKeys) {
  auto in = only({rule("old-key")});
  in.flags.allow_key_deletion = true;
  in.grants.credential = "access_token";
  const auto p =
      plan_for(one(RepositoryBuilder(), {KeyBuilder().created_days_ago(400).build()}), in);
  ASSERT_EQ(p.plan.steps.size(), 1U);
  EXPECT_THAT(p.plan.steps[0].cannot_apply.value_or(""), HasSubstr("access tokens cannot"));
}

TEST(Planner, ADeclaredRestrictionIsNeverUpdated) {
  auto in = only({rule("pr-review-not-required")});
  in.settings.min_approvals = 2;
  auto declared = restriction("require_approvals_to_merge").value(1).build();
  declared.declared_in = "bbposture.yaml:9";
  const auto p = plan_for(one(RepositoryBuilder().restrict(declared)), in);
  ASSERT_EQ(p.plan.steps.size(), 1U);
  EXPECT_EQ(p.plan.steps[0].action, Action::create_restriction);
}

}  // namespace
}  // namespace bbp::fix
