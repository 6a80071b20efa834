// What the extended rules make a scan read, which failed reads concern a scan, and what
// narrowing a saved snapshot keeps of them.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bbp/core/scope.hpp"
#include "builders.hpp"

namespace bbp::core {
namespace {

const std::vector<GapSubject> kExtendedSubjects{
    GapSubject::workspace,    GapSubject::hooks,   GapSubject::pipeline_variables,
    GapSubject::environments, GapSubject::members, GapSubject::owners};

Scope scope_of(std::vector<const Rule*> rules) {
  Scope scope;
  scope.rules = std::move(rules);
  return scope;
}

TEST(ExtendedScope, EachRuleReadsExactlyWhatItNeeds) {
  const std::map<std::string, std::vector<GapSubject>> reads{
      {"private-repository-forkable", {GapSubject::workspace}},
      {"webhook-without-secret", {GapSubject::hooks}},
      {"webhook-over-http", {GapSubject::hooks}},
      {"unsecured-secret-variable", {GapSubject::pipeline_variables, GapSubject::environments}},
      {"member-without-2fa", {GapSubject::members}},
      {"workspace-owner-count", {GapSubject::owners}},
  };
  ASSERT_EQ(rule_set("extended").size(), reads.size());
  for (const auto& [slug, needed] : reads) {
    const Rule* rule = find_rule(slug);
    ASSERT_NE(rule, nullptr) << slug;
    EXPECT_EQ(rule->reads, needed) << slug;
    const auto scope = scope_of({rule});
    for (const auto subject : kExtendedSubjects) {
      const bool expected = std::find(needed.begin(), needed.end(), subject) != needed.end();
      EXPECT_EQ(scope.reads(subject), expected) << slug << " " << to_string(subject);
    }
    // No extended rule needs the eleven's reads.
    EXPECT_FALSE(scope.reads_branches()) << slug;
    EXPECT_FALSE(scope.reads_keys()) << slug;
    EXPECT_FALSE(scope.reads_user_keys()) << slug;
  }
}

TEST(ExtendedScope, TheDefaultSetReadsNothingExtended) {
  for (const auto& scope : {Scope{}, scope_of(rule_set("casb"))}) {
    for (const auto subject : kExtendedSubjects) {
      EXPECT_FALSE(scope.reads(subject)) << to_string(subject);
    }
  }
  const auto all = scope_of(rule_set("all"));
  for (const auto subject : kExtendedSubjects) {
    EXPECT_TRUE(all.reads(subject)) << to_string(subject);
  }
  EXPECT_TRUE(all.reads_branches());
  EXPECT_TRUE(all.reads_keys());
}

TEST(ExtendedScope, AGapConcernsAScanOnlyWhenASelectedRuleNeedsItsRead) {
  const auto none = Scope{};
  const auto all = scope_of(rule_set("all"));
  const auto hooks_only = scope_of({find_rule("webhook-over-http")});
  const auto variables_only = scope_of({find_rule("unsecured-secret-variable")});
  Gap gap;
  gap.workspace = "acme";
  for (const auto subject : kExtendedSubjects) {
    gap.subject = subject;
    for (const auto& repository : {std::optional<std::string>(), std::optional<std::string>("x")}) {
      gap.repository = repository;
      EXPECT_FALSE(none.concerns(gap)) << to_string(subject);
      EXPECT_TRUE(all.concerns(gap)) << to_string(subject);
      EXPECT_EQ(hooks_only.concerns(gap), subject == GapSubject::hooks) << to_string(subject);
      EXPECT_EQ(variables_only.concerns(gap),
                subject == GapSubject::pipeline_variables || subject == GapSubject::environments)
          << to_string(subject);
    }
  }
  // The eleven's gaps do not concern a scan of extended rules only, except the listings.
  for (const auto subject : {GapSubject::branch_restrictions, GapSubject::deploy_keys,
                             GapSubject::ssh_keys, GapSubject::projects}) {
    gap.subject = subject;
    EXPECT_FALSE(hooks_only.concerns(gap)) << to_string(subject);
  }
  for (const auto subject : {GapSubject::workspaces, GapSubject::repositories}) {
    gap.subject = subject;
    EXPECT_TRUE(hooks_only.concerns(gap)) << to_string(subject);
  }
}

Gap gap_of(GapSubject subject, std::optional<std::string> repository,
           std::string workspace = "acme") {
  return {subject,
          std::move(workspace),
          std::move(repository),
          std::nullopt,
          "/x",
          403,
          UnknownReason::forbidden,
          "no"};
}

// acme/api and acme/web, with every extended read failing once for each repository and once
// for the workspace, and the workspace of globex failing too.
Snapshot failed_everywhere() {
  auto s = test::snapshot_of({test::RepositoryBuilder("api"), test::RepositoryBuilder("web")});
  core::WorkspaceSnapshot globex;
  globex.slug = "globex";
  s.workspaces.push_back(globex);
  for (const auto subject :
       {GapSubject::hooks, GapSubject::pipeline_variables, GapSubject::environments}) {
    s.gaps.push_back(gap_of(subject, "acme/api"));
    s.gaps.push_back(gap_of(subject, "acme/web"));
  }
  for (const auto subject : kExtendedSubjects) {
    if (subject != GapSubject::environments) {
      s.gaps.push_back(gap_of(subject, std::nullopt));
    }
  }
  s.gaps.push_back(gap_of(GapSubject::owners, std::nullopt, "globex"));
  return s;
}

std::vector<std::string> described(const std::vector<Gap>& gaps) {
  std::vector<std::string> out;
  for (const auto& g : gaps) {
    out.push_back(std::string(to_string(g.subject)) + " " + g.workspace + " " +
                  g.repository.value_or("-"));
  }
  return out;
}

TEST(ExtendedScope, NarrowKeepsTheGapsOfTheSelectedRulesInScope) {
  auto s = failed_everywhere();
  auto scope = scope_of({find_rule("webhook-without-secret"), find_rule("workspace-owner-count")});
  scope.workspaces = {"acme"};
  scope.repos = {"api"};
  ASSERT_FALSE(narrow(s, scope));
  EXPECT_EQ(described(s.gaps),
            (std::vector<std::string>{"hooks acme acme/api", "hooks acme -", "owners acme -"}));
}

TEST(ExtendedScope, NarrowToAllRulesKeepsEveryGapOfTheRepositoriesInScope) {
  auto s = failed_everywhere();
  const auto before = s.gaps.size();
  ASSERT_FALSE(narrow(s, scope_of(rule_set("all"))));
  EXPECT_EQ(s.gaps.size(), before);
  auto only_web = failed_everywhere();
  auto scope = scope_of(rule_set("extended"));
  scope.exclude_repos = {"api"};
  ASSERT_FALSE(narrow(only_web, scope));
  EXPECT_EQ(described(only_web.gaps),
            (std::vector<std::string>{"hooks acme acme/web", "pipeline_variables acme acme/web",
                                      "environments acme acme/web", "workspace acme -",
                                      "hooks acme -", "pipeline_variables acme -", "members acme -",
                                      "owners acme -", "owners globex -"}));
}

TEST(ExtendedScope, NarrowToTheDefaultSetDropsEveryExtendedGap) {
  auto s = failed_everywhere();
  ASSERT_FALSE(narrow(s, Scope{}));
  EXPECT_TRUE(s.gaps.empty()) << ::testing::PrintToString(described(s.gaps));
}

}  // namespace
}  // namespace bbp::core
