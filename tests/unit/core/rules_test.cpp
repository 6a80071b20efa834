// Every rule: pass, fail, unknown and (where it exists) not applicable, through the engine.
#include <deque>

#include <gtest/gtest.h>

#include "bbp/core/engine.hpp"
#include "builders.hpp"

namespace bbp::core {
namespace {

using test::BranchingModelBuilder;
using test::KeyBuilder;
using test::RepositoryBuilder;
using test::restriction;

const Evaluation& find(const std::vector<Evaluation>& all, std::string_view slug,
                       std::string_view resource_id = "") {
  for (const auto& e : all) {
    if (e.rule->slug == slug && (resource_id.empty() || e.resource.id == resource_id)) {
      return e;
    }
  }
  throw std::runtime_error("no evaluation for " + std::string(slug));
}

class RulesTest : public ::testing::Test {
 protected:
  std::vector<Evaluation> run(std::vector<Repository> repos, std::vector<Key> keys = {}) {
    auto& snapshot = snapshots_.emplace_back(test::snapshot_of(std::move(repos), std::move(keys)));
    for (auto& gap : extra_gaps_) {
      snapshot.gaps.push_back(gap);
    }
    return evaluate(snapshot, settings_, test::test_now());
  }
  Evaluation one(std::string_view slug, const Repository& repo) {
    auto all = run({repo});
    return find(all, slug);
  }
  Outcome outcome(std::string_view slug, const Repository& repo) { return one(slug, repo).outcome; }

  Settings settings_;
  std::vector<Gap> extra_gaps_;
  // Evidence is worked out from the snapshot when read: every snapshot a test made stays alive.
  std::deque<Snapshot> snapshots_;
};

// A repository with every default-branch control in place.
RepositoryBuilder fully_protected() {
  return RepositoryBuilder()
      .restrict(restriction("require_approvals_to_merge").value(2))
      .restrict(restriction("push"))
      .restrict(restriction("reset_pullrequest_approvals_on_change"))
      .restrict(restriction("force"))
      .restrict(restriction("require_passing_builds_to_merge").value(1))
      .restrict(restriction("delete"))
      .restrict(restriction("enforce_merge_checks"));
}

TEST_F(RulesTest, FullyProtectedRepositoryPassesEveryRepositoryRule) {
  const auto all = run({fully_protected()});
  ASSERT_EQ(all.size(), 10U);  // rules 1-10, one repository, no keys
  for (const auto& e : all) {
    EXPECT_EQ(e.outcome, Outcome::pass) << e.rule->slug;
  }
}

TEST_F(RulesTest, UnprotectedRepositoryFailsSevenAndEachBranchControl) {
  const auto all = run({RepositoryBuilder()});
  for (const char* slug :
       {"pr-review-not-required", "direct-push-allowed", "stale-approvals-kept",
        "force-push-allowed", "no-default-branch-protection", "passing-builds-not-required",
        "branch-deletion-allowed", "merge-checks-not-enforced"}) {
    EXPECT_EQ(find(all, slug).outcome, Outcome::fail) << slug;
  }
  EXPECT_EQ(find(all, "public-repository").outcome, Outcome::pass);
  EXPECT_EQ(find(all, "stale-repository").outcome, Outcome::pass);
}

// ---- Rule 1 -------------------------------------------------------------------------------
TEST_F(RulesTest, PublicRepository) {
  EXPECT_EQ(outcome("public-repository", RepositoryBuilder().is_private(true)), Outcome::pass);
  const auto fail = one("public-repository", RepositoryBuilder().is_private(false));
  EXPECT_EQ(fail.outcome, Outcome::fail);
  EXPECT_EQ(fail.evidence.value()["is_private"], false);
  const auto unknown = one("public-repository", RepositoryBuilder().is_private(std::nullopt));
  EXPECT_EQ(unknown.outcome, Outcome::unknown);
  EXPECT_EQ(unknown.reason, UnknownReason::invalid_response);
}

TEST_F(RulesTest, PublicRepositoryIsJudgedEvenWhenEmptyOrUnreadable) {
  EXPECT_EQ(
      outcome("public-repository", RepositoryBuilder().is_private(false).mainbranch(std::nullopt)),
      Outcome::fail);
  EXPECT_EQ(
      outcome("public-repository", RepositoryBuilder().is_private(false).restrictions_unreadable()),
      Outcome::fail);
}

// ---- Rule 2 -------------------------------------------------------------------------------
TEST_F(RulesTest, ReviewRequired) {
  EXPECT_EQ(
      outcome("pr-review-not-required",
              RepositoryBuilder().restrict(restriction("require_approvals_to_merge").value(1))),
      Outcome::pass);
  EXPECT_EQ(outcome("pr-review-not-required",
                    RepositoryBuilder().restrict(
                        restriction("require_default_reviewer_approvals_to_merge").value(1))),
            Outcome::pass);
  EXPECT_EQ(outcome("pr-review-not-required",
                    RepositoryBuilder().restrict(
                        restriction("require_review_group_approvals_to_merge").value(1))),
            Outcome::pass);
  EXPECT_EQ(outcome("pr-review-not-required", RepositoryBuilder()), Outcome::fail);
  EXPECT_EQ(
      outcome("pr-review-not-required",
              RepositoryBuilder().restrict(restriction("require_approvals_to_merge").value(0))),
      Outcome::fail);
  EXPECT_EQ(outcome("pr-review-not-required",
                    RepositoryBuilder().restrict(
                        restriction("require_approvals_to_merge").glob("develop").value(2))),
            Outcome::fail);
}

TEST_F(RulesTest, ReviewRequiredHighestValueWins) {
  settings_.min_approvals = 2;
  const auto repo =
      RepositoryBuilder()
          .restrict(restriction("require_approvals_to_merge").glob("*").value(1))
          .restrict(restriction("require_default_reviewer_approvals_to_merge").value(3));
  const auto e = one("pr-review-not-required", repo);
  EXPECT_EQ(e.outcome, Outcome::pass);
  EXPECT_EQ(e.evidence.value()["highest_required_approvals"], 3);
  settings_.min_approvals = 4;
  const auto fail = one("pr-review-not-required", repo);
  EXPECT_EQ(fail.outcome, Outcome::fail);
  EXPECT_EQ(fail.evidence.value()["min_approvals"], 4);
  EXPECT_EQ(fail.evidence.value()["approval_restrictions"].size(), 2U);
}

TEST_F(RulesTest, ReviewRequiredNotesAdvisoryChecksWithoutEnforcement) {
  settings_.min_approvals = 3;
  const auto advisory =
      one("pr-review-not-required",
          RepositoryBuilder().restrict(restriction("require_approvals_to_merge").value(1)));
  EXPECT_TRUE(advisory.evidence.value().contains("enforcement"));
  const auto enforced = one("pr-review-not-required",
                            RepositoryBuilder()
                                .restrict(restriction("require_approvals_to_merge").value(1))
                                .restrict(restriction("enforce_merge_checks")));
  EXPECT_FALSE(enforced.evidence.value().contains("enforcement"));
}

TEST_F(RulesTest, BranchRulesCarryTheProjectLevelCaveat) {
  const auto e = one("no-default-branch-protection", RepositoryBuilder());
  EXPECT_EQ(e.evidence.value()["project_level_restrictions"], kProjectLevelNote);
  EXPECT_EQ(e.evidence.value()["default_branch"], "main");
}

// ---- Rule 3 -------------------------------------------------------------------------------
TEST_F(RulesTest, DirectPush) {
  EXPECT_EQ(outcome("direct-push-allowed", RepositoryBuilder().restrict(restriction("push"))),
            Outcome::pass);
  const auto none = one("direct-push-allowed", RepositoryBuilder());
  EXPECT_EQ(none.outcome, Outcome::fail);
  EXPECT_EQ(none.evidence.value()["allowed_to_push"],
            "everyone with write access to the repository");
}

TEST_F(RulesTest, DirectPushWithExemptUsersFailsAndListsThem) {
  const auto e =
      one("direct-push-allowed",
          RepositoryBuilder().restrict(restriction("push").user("release-bot").group("admins")));
  EXPECT_EQ(e.outcome, Outcome::fail);
  EXPECT_EQ(e.evidence.value()["allowed_to_push"]["users"][0]["name"], "release-bot");
  EXPECT_EQ(e.evidence.value()["allowed_to_push"]["groups"][0]["name"], "admins");
}

TEST_F(RulesTest, DirectPushPassesWhenAnyApplyingPushRestrictionIsEmpty) {
  EXPECT_EQ(outcome("direct-push-allowed", RepositoryBuilder()
                                               .restrict(restriction("push").glob("*").user("bot"))
                                               .restrict(restriction("push").glob("main"))),
            Outcome::pass);
}

// ---- Rule 4 -------------------------------------------------------------------------------
TEST_F(RulesTest, StaleRepositoryBoundary) {
  EXPECT_EQ(outcome("stale-repository", RepositoryBuilder().updated_days_ago(364)), Outcome::pass);
  EXPECT_EQ(outcome("stale-repository", RepositoryBuilder().updated_days_ago(365)), Outcome::pass);
  const auto just_over = test::days_before_now(365) - std::chrono::seconds{1};
  const auto e = one("stale-repository", RepositoryBuilder().updated_on(just_over));
  EXPECT_EQ(e.outcome, Outcome::fail);
  EXPECT_EQ(e.evidence.value()["age_days"], 365);
  EXPECT_EQ(e.evidence.value()["stale_days"], 365);
}

TEST_F(RulesTest, StaleRepositoryUsesTheSetting) {
  settings_.stale_days = 30;
  EXPECT_EQ(outcome("stale-repository", RepositoryBuilder().updated_days_ago(31)), Outcome::fail);
  EXPECT_EQ(outcome("stale-repository", RepositoryBuilder().updated_days_ago(30)), Outcome::pass);
}

TEST_F(RulesTest, StaleRepositoryUnknownWithoutADate) {
  const auto e = one("stale-repository", RepositoryBuilder().updated_on(std::nullopt));
  EXPECT_EQ(e.outcome, Outcome::unknown);
  EXPECT_EQ(e.reason, UnknownReason::invalid_response);
}

// ---- Rule 5 -------------------------------------------------------------------------------
TEST_F(RulesTest, StaleApprovals) {
  EXPECT_EQ(
      outcome("stale-approvals-kept",
              RepositoryBuilder().restrict(restriction("reset_pullrequest_approvals_on_change"))),
      Outcome::pass);
  const auto smart =
      one("stale-approvals-kept",
          RepositoryBuilder().restrict(restriction("smart_reset_pullrequest_approvals")));
  EXPECT_EQ(smart.outcome, Outcome::fail);
  EXPECT_TRUE(smart.evidence.value().contains("smart_reset_pullrequest_approvals"));
}

// ---- Rule 6 -------------------------------------------------------------------------------
TEST_F(RulesTest, ForcePush) {
  EXPECT_EQ(outcome("force-push-allowed", RepositoryBuilder().restrict(restriction("force"))),
            Outcome::pass);
  EXPECT_EQ(outcome("force-push-allowed", RepositoryBuilder().restrict(restriction("delete"))),
            Outcome::fail);
}

TEST_F(RulesTest, ForcePushThroughTheBranchingModel) {
  const auto production_on_main =
      RepositoryBuilder()
          .restrict(restriction("force").model("production"))
          .model(BranchingModelBuilder().development_named("develop").production(true));
  EXPECT_EQ(outcome("force-push-allowed", production_on_main), Outcome::pass);
  const auto production_disabled = RepositoryBuilder()
                                       .restrict(restriction("force").model("production"))
                                       .model(BranchingModelBuilder());
  EXPECT_EQ(outcome("force-push-allowed", production_disabled), Outcome::fail);
  EXPECT_EQ(outcome("no-default-branch-protection", production_disabled), Outcome::fail);
}

// ---- Rule 7 -------------------------------------------------------------------------------
TEST_F(RulesTest, NoDefaultBranchProtection) {
  EXPECT_EQ(outcome("no-default-branch-protection", RepositoryBuilder()), Outcome::fail);
  EXPECT_EQ(outcome("no-default-branch-protection",
                    RepositoryBuilder().restrict(restriction("delete").glob("develop"))),
            Outcome::fail);
  EXPECT_EQ(outcome("no-default-branch-protection",
                    RepositoryBuilder().restrict(restriction("delete").glob("*"))),
            Outcome::pass);
  // An unknown kind still counts as a restriction that applies, and never breaks anything.
  EXPECT_EQ(outcome("no-default-branch-protection",
                    RepositoryBuilder().restrict(restriction("some_future_kind"))),
            Outcome::pass);
}

// ---- Rule 8 -------------------------------------------------------------------------------
TEST_F(RulesTest, PassingBuilds) {
  EXPECT_EQ(outcome("passing-builds-not-required",
                    RepositoryBuilder().restrict(
                        restriction("require_passing_builds_to_merge").value(1))),
            Outcome::pass);
  EXPECT_EQ(outcome("passing-builds-not-required",
                    RepositoryBuilder().restrict(
                        restriction("require_passing_builds_to_merge").value(0))),
            Outcome::fail);
  const auto advisory =
      one("passing-builds-not-required",
          RepositoryBuilder().restrict(restriction("require_passing_builds_to_merge").value(1)));
  EXPECT_TRUE(advisory.evidence.value().contains("enforcement"));
}

// ---- Rule 9 -------------------------------------------------------------------------------
TEST_F(RulesTest, BranchDeletion) {
  EXPECT_EQ(outcome("branch-deletion-allowed", RepositoryBuilder().restrict(restriction("delete"))),
            Outcome::pass);
  EXPECT_EQ(outcome("branch-deletion-allowed", RepositoryBuilder().restrict(restriction("force"))),
            Outcome::fail);
}

// ---- Rule 10 ------------------------------------------------------------------------------
TEST_F(RulesTest, MergeChecksEnforced) {
  EXPECT_EQ(outcome("merge-checks-not-enforced",
                    RepositoryBuilder().restrict(restriction("enforce_merge_checks"))),
            Outcome::pass);
  const auto e =
      one("merge-checks-not-enforced",
          RepositoryBuilder().restrict(restriction("require_approvals_to_merge").value(1)));
  EXPECT_EQ(e.outcome, Outcome::fail);
  EXPECT_EQ(e.evidence.value()["checks_not_enforced"][0], "require_approvals_to_merge");
}

// ---- Rules 2, 3, 5-10: not applicable and unknown ----------------------------------------
TEST_F(RulesTest, EmptyRepositoryBranchRulesAreNotApplicable) {
  const auto all = run({RepositoryBuilder().mainbranch(std::nullopt)});
  for (const auto& e : all) {
    if (e.rule->subject == RuleSubject::default_branch) {
      EXPECT_EQ(e.outcome, Outcome::not_applicable) << e.rule->slug;
    }
  }
}

TEST_F(RulesTest, UnreadableRestrictionsMakeBranchRulesUnknownWithTheGapReason) {
  extra_gaps_.push_back({GapSubject::branch_restrictions, "acme", "acme/api", std::nullopt,
                         "/repositories/acme/api/branch-restrictions", 403,
                         UnknownReason::missing_scope, "missing scope: repository:admin"});
  const auto all = run({RepositoryBuilder().restrictions_unreadable()});
  int unknowns = 0;
  for (const auto& e : all) {
    if (e.rule->subject == RuleSubject::default_branch) {
      EXPECT_EQ(e.outcome, Outcome::unknown) << e.rule->slug;
      EXPECT_EQ(e.reason, UnknownReason::missing_scope);
      EXPECT_EQ(e.detail, "missing scope: repository:admin");
      ++unknowns;
    } else {
      EXPECT_EQ(e.outcome, Outcome::pass) << e.rule->slug;
    }
  }
  EXPECT_EQ(unknowns, 8);
}

TEST_F(RulesTest, UnreadableBranchingModelMakesBranchRulesUnknown) {
  extra_gaps_.push_back({GapSubject::branching_model, "acme", "acme/api", std::nullopt,
                         "/repositories/acme/api/effective-branching-model", 503,
                         UnknownReason::api_error, "HTTP 503 after 6 attempts"});
  const auto repo = RepositoryBuilder().restrict(restriction("force").model("development"));
  const auto e = one("force-push-allowed", repo);
  EXPECT_EQ(e.outcome, Outcome::unknown);
  EXPECT_EQ(e.reason, UnknownReason::api_error);
}

TEST_F(RulesTest, UnreadableWithoutARecordedGapIsStillUnknown) {
  EXPECT_EQ(outcome("direct-push-allowed", RepositoryBuilder().restrictions_unreadable()),
            Outcome::unknown);
}

// ---- Rule 11 ------------------------------------------------------------------------------
TEST_F(RulesTest, KeyAgeBoundary) {
  const auto all = run({}, {KeyBuilder(KeyKind::deploy_key, "1").created_days_ago(180),
                            KeyBuilder(KeyKind::deploy_key, "2")
                                .created_on(test::days_before_now(180) - std::chrono::seconds{1}),
                            KeyBuilder(KeyKind::deploy_key, "3").created_days_ago(10)});
  EXPECT_EQ(find(all, "old-key", "1").outcome, Outcome::pass);
  const auto& old = find(all, "old-key", "2");
  EXPECT_EQ(old.outcome, Outcome::fail);
  EXPECT_EQ(old.evidence.value()["age_days"], 180);
  EXPECT_EQ(old.evidence.value()["key_max_age_days"], 180);
  EXPECT_EQ(old.resource.type, ResourceType::deploy_key);
  EXPECT_EQ(old.repository, "acme/api");
  EXPECT_EQ(find(all, "old-key", "3").outcome, Outcome::pass);
}

TEST_F(RulesTest, KeyAgeUsesTheSettingAndReportsTheDateField) {
  settings_.key_max_age_days = 30;
  const auto all = run({}, {KeyBuilder().created_days_ago(31).created_field("added_on")});
  EXPECT_EQ(all[0].outcome, Outcome::fail);
  EXPECT_EQ(all[0].evidence.value()["date_field"], "added_on");
}

TEST_F(RulesTest, KeyWithoutADateIsUnknown) {
  const auto all = run({}, {KeyBuilder().created_on(std::nullopt)});
  EXPECT_EQ(all[0].outcome, Outcome::unknown);
  EXPECT_EQ(all[0].reason, UnknownReason::invalid_response);
}

TEST_F(RulesTest, ProjectAndSshKeysCarryTheirOwnResource) {
  auto snapshot =
      test::snapshot_of({}, {KeyBuilder(KeyKind::project_deploy_key, "77").created_days_ago(400)});
  snapshot.ssh_keys.push_back(KeyBuilder(KeyKind::ssh_key, "{ssh-1}").created_days_ago(400));
  const auto all = evaluate(snapshot, settings_, test::test_now());
  const auto& project_key = find(all, "old-key", "77");
  EXPECT_EQ(project_key.resource.type, ResourceType::project_deploy_key);
  EXPECT_EQ(project_key.project, "PLAT");
  EXPECT_FALSE(project_key.repository);
  const auto& ssh = find(all, "old-key", "{ssh-1}");
  EXPECT_EQ(ssh.resource.type, ResourceType::ssh_key);
  EXPECT_FALSE(ssh.workspace);
  EXPECT_EQ(ssh.outcome, Outcome::fail);
}

TEST_F(RulesTest, UnreadableKeyListsBecomeUnknowns) {
  extra_gaps_.push_back({GapSubject::deploy_keys, "acme", "acme/api", std::nullopt,
                         "/repositories/acme/api/deploy-keys", 403, UnknownReason::forbidden,
                         "HTTP 403: no admin access to the repository"});
  extra_gaps_.push_back({GapSubject::project_deploy_keys, "acme", std::nullopt, "PLAT",
                         "/workspaces/acme/projects/PLAT/deploy-keys", 403,
                         UnknownReason::missing_scope, "missing scope: project:admin"});
  const auto all = run({RepositoryBuilder()});
  const auto& repo_keys = find(all, "old-key", "{00000000-0000-0000-0000-000000000api}");
  EXPECT_EQ(repo_keys.outcome, Outcome::unknown);
  EXPECT_EQ(repo_keys.reason, UnknownReason::forbidden);
  const auto& project_keys = find(all, "old-key", "PLAT");
  EXPECT_EQ(project_keys.outcome, Outcome::unknown);
  EXPECT_EQ(project_keys.resource.type, ResourceType::project);
  EXPECT_EQ(project_keys.reason, UnknownReason::missing_scope);
}

// ---- Messages: every rule's sentence, with the thresholds the check used -----------------
std::string message(const Evaluation& e) {
  return message_of(*e.rule, e.evidence.value());
}

TEST_F(RulesTest, MessagePublicRepository) {
  EXPECT_EQ(message(one("public-repository", RepositoryBuilder().is_private(false))),
            "the repository is public");
}

TEST_F(RulesTest, MessageReviewRequiredStatesTheMinimum) {
  EXPECT_EQ(message(one("pr-review-not-required", RepositoryBuilder())),
            "'main' requires no approvals; at least 1 required");
  settings_.min_approvals = 2;
  EXPECT_EQ(message(one("pr-review-not-required",
                        RepositoryBuilder()
                            .restrict(restriction("require_approvals_to_merge").value(1))
                            .restrict(restriction("enforce_merge_checks")))),
            "'main' requires 1 approval; at least 2 required");
  EXPECT_EQ(message(one(
                "pr-review-not-required",
                RepositoryBuilder().restrict(restriction("require_approvals_to_merge").value(1)))),
            "'main' requires 1 approval, not enforced; at least 2 required");
  settings_.min_approvals = 3;
  EXPECT_EQ(message(one("pr-review-not-required",
                        RepositoryBuilder()
                            .restrict(restriction("require_approvals_to_merge").value(2))
                            .restrict(restriction("enforce_merge_checks")))),
            "'main' requires 2 approvals; at least 3 required");
}

TEST_F(RulesTest, MessageDirectPushNamesWhoMayPush) {
  EXPECT_EQ(message(one("direct-push-allowed", RepositoryBuilder())),
            "'main' accepts direct pushes from anyone with write access");
  EXPECT_EQ(message(one("direct-push-allowed",
                        RepositoryBuilder().restrict(
                            restriction("push").user("release-bot").group("admins")))),
            "'main' accepts direct pushes from release-bot, admins");
}

TEST_F(RulesTest, MessageStaleRepositoryStatesTheThreshold) {
  EXPECT_EQ(message(one("stale-repository", RepositoryBuilder().updated_days_ago(400))),
            "last updated 400 days ago; threshold 365 days");
  settings_.stale_days = 30;
  EXPECT_EQ(message(one("stale-repository", RepositoryBuilder().updated_days_ago(412))),
            "last updated 412 days ago; threshold 30 days");
  // Whole days: an age equal to the threshold failed by less than a day.
  const auto just_over = test::days_before_now(30) - std::chrono::seconds{1};
  EXPECT_EQ(message(one("stale-repository", RepositoryBuilder().updated_on(just_over))),
            "last updated more than 30 days ago; threshold 30 days");
}

TEST_F(RulesTest, MessageStaleApprovals) {
  EXPECT_EQ(message(one("stale-approvals-kept", RepositoryBuilder())),
            "'main' keeps approvals after new commits");
  EXPECT_EQ(
      message(one("stale-approvals-kept",
                  RepositoryBuilder().restrict(restriction("smart_reset_pullrequest_approvals")))),
      "'main' keeps approvals after new commits (smart reset only)");
}

TEST_F(RulesTest, MessagesOfTheBranchPermissionRules) {
  const auto all = run({RepositoryBuilder().mainbranch("trunk")});
  EXPECT_EQ(message(find(all, "force-push-allowed")), "'trunk' allows force pushes");
  EXPECT_EQ(message(find(all, "no-default-branch-protection")),
            "'trunk' has no branch restrictions");
  EXPECT_EQ(message(find(all, "branch-deletion-allowed")), "'trunk' can be deleted");
}

TEST_F(RulesTest, MessagePassingBuilds) {
  EXPECT_EQ(message(one("passing-builds-not-required", RepositoryBuilder())),
            "'main' requires no passing builds; at least 1 required");
  // A check asking for none is not called "not enforced": there is nothing to enforce.
  EXPECT_EQ(message(one("passing-builds-not-required",
                        RepositoryBuilder().restrict(
                            restriction("require_passing_builds_to_merge").value(0)))),
            "'main' requires no passing builds; at least 1 required");
}

TEST_F(RulesTest, MessageMergeChecksCountsTheChecksThatOnlyWarn) {
  EXPECT_EQ(message(one("merge-checks-not-enforced", RepositoryBuilder())),
            "'main' does not enforce merge checks");
  EXPECT_EQ(message(one(
                "merge-checks-not-enforced",
                RepositoryBuilder().restrict(restriction("require_approvals_to_merge").value(1)))),
            "'main' does not enforce its merge check");
  EXPECT_EQ(message(one("merge-checks-not-enforced",
                        RepositoryBuilder()
                            .restrict(restriction("require_approvals_to_merge").value(1))
                            .restrict(restriction("require_passing_builds_to_merge").value(1)))),
            "'main' does not enforce its 2 merge checks");
}

TEST_F(RulesTest, MessageKeyAgeStatesTheMaximum) {
  EXPECT_EQ(message(run({}, {KeyBuilder().created_days_ago(200)})[0]),
            "200 days old; maximum 180 days");
  settings_.key_max_age_days = 90;
  EXPECT_EQ(message(run({}, {KeyBuilder().created_days_ago(200)})[0]),
            "200 days old; maximum 90 days");
  const auto just_over = test::days_before_now(90) - std::chrono::seconds{1};
  EXPECT_EQ(message(run({}, {KeyBuilder().created_on(just_over)})[0]),
            "more than 90 days old; maximum 90 days");
}

// The threshold in a message is the one the check ran with, not whatever a report is given.
TEST_F(RulesTest, MessageKeepsTheSettingsOfItsCheck) {
  settings_.stale_days = 30;
  const auto all = run({RepositoryBuilder().updated_days_ago(40)});
  settings_.stale_days = 365;
  EXPECT_EQ(message(find(all, "stale-repository")), "last updated 40 days ago; threshold 30 days");
}

TEST_F(RulesTest, SshKeysNotApplicableProduceNoEvaluation) {
  auto snapshot = test::snapshot_of({});
  snapshot.ssh_keys_status = SshKeysStatus::not_applicable;
  EXPECT_TRUE(evaluate(snapshot, settings_, test::test_now()).empty());
}

TEST_F(RulesTest, UnreadableSshKeysAreUnknown) {
  auto snapshot = test::snapshot_of({});
  snapshot.ssh_keys_status = SshKeysStatus::unreadable;
  snapshot.gaps.push_back({GapSubject::ssh_keys, "", std::nullopt, std::nullopt,
                           "/users/{u}/ssh-keys", 403, UnknownReason::missing_scope,
                           "missing scope: account"});
  const auto all = evaluate(snapshot, settings_, test::test_now());
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].outcome, Outcome::unknown);
  EXPECT_EQ(all[0].resource.type, ResourceType::user);
}

}  // namespace
}  // namespace bbp::core
