#include "bbp/core/engine.hpp"

#include <gtest/gtest.h>

#include "builders.hpp"
#include "fingerprint.hpp"

namespace bbp::core {
namespace {

using test::KeyBuilder;
using test::RepositoryBuilder;

TEST(EngineTest, FingerprintsAreStableAndIgnoreEvidence) {
  const auto snapshot = test::snapshot_of({RepositoryBuilder().is_private(false)});
  Settings settings;
  const auto first = evaluate(snapshot, settings, test::test_now());
  settings.stale_days = 1;
  const auto second = evaluate(snapshot, settings, test::test_now() + std::chrono::days{30});
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].fingerprint, second[i].fingerprint);
    EXPECT_EQ(first[i].fingerprint.size(), 16U);
  }
}

TEST(EngineTest, FingerprintsDifferByRuleAndResource) {
  const auto snapshot = test::snapshot_of({RepositoryBuilder("api"), RepositoryBuilder("web")});
  const auto all = evaluate(snapshot, Settings{}, test::test_now());
  std::set<std::string> seen;
  for (const auto& e : all) {
    EXPECT_TRUE(seen.insert(e.fingerprint).second) << e.rule->slug << " " << e.resource.name;
  }
}

// Restrictions missing without a recorded gap (a hand-edited snapshot): every default-branch
// rule is unknown, never a pass or a finding.
TEST(EngineTest, DataMissingWithoutAGapIsUnknownNotCollected) {
  const auto snapshot = test::snapshot_of({RepositoryBuilder("api").restrictions_unreadable()});
  ASSERT_TRUE(snapshot.gaps.empty());
  std::size_t branch_rules = 0;
  for (const auto& e : evaluate(snapshot, Settings{}, test::test_now())) {
    if (e.rule->subject != RuleSubject::default_branch) {
      continue;
    }
    ++branch_rules;
    EXPECT_EQ(e.outcome, Outcome::unknown) << e.rule->slug;
    EXPECT_EQ(e.reason, UnknownReason::api_error) << e.rule->slug;
    EXPECT_EQ(e.detail, "not collected in this snapshot") << e.rule->slug;
    EXPECT_EQ(e.evidence.value(), nlohmann::json::object()) << e.rule->slug;
  }
  EXPECT_EQ(branch_rules, 8U);
}

TEST(EngineTest, KnownFingerprintValue) {
  // FNV-1a 64 reference value: a change here breaks every user's suppression list.
  EXPECT_EQ(fnv1a_hex(""), "cbf29ce484222325");
  EXPECT_EQ(fnv1a_hex("a"), "af63dc4c8601ec8c");
}

TEST(EngineTest, SortsWorstFirstThenRepositoryRuleResource) {
  const auto snapshot =
      test::snapshot_of({RepositoryBuilder("zeta").is_private(false), RepositoryBuilder("alpha")},
                        {KeyBuilder(KeyKind::project_deploy_key, "9").created_days_ago(900)});
  auto all = evaluate(snapshot, Settings{}, test::test_now());
  sort_for_report(all);
  EXPECT_EQ(all.front().rule->slug, "public-repository");
  // Within one severity: repositories in order, then rule number.
  std::vector<std::pair<std::string, int>> mediums;
  for (const auto& e : all) {
    if (e.rule->severity == Severity::medium) {
      mediums.emplace_back(e.repository.value_or("~"), e.rule->number);
    }
  }
  EXPECT_TRUE(std::is_sorted(mediums.begin(), mediums.end()));
  // The project key (no repository) comes after repository findings of the same severity.
  EXPECT_EQ(all.back().resource.type, ResourceType::project_deploy_key);
}

TEST(EngineTest, FindingsOnlyKeepsFailAndUnknownWithTheSameContent) {
  auto snapshot = test::snapshot_of({RepositoryBuilder("open").is_private(false),
                                     RepositoryBuilder("empty").mainbranch(std::nullopt),
                                     RepositoryBuilder("odd").is_private(std::nullopt)},
                                    {KeyBuilder(KeyKind::deploy_key, "1").created_days_ago(10),
                                     KeyBuilder(KeyKind::deploy_key, "2").created_days_ago(900)});
  const auto all = evaluate(snapshot, Settings{}, test::test_now());
  const auto reported = evaluate(snapshot, Settings{}, test::test_now(), {{}, true});
  std::vector<const Evaluation*> expected;
  for (const auto& e : all) {
    if (e.outcome == Outcome::fail || e.outcome == Outcome::unknown) {
      expected.push_back(&e);
    }
  }
  ASSERT_EQ(reported.size(), expected.size());
  ASSERT_LT(reported.size(), all.size());
  for (std::size_t i = 0; i < reported.size(); ++i) {
    EXPECT_EQ(reported[i].fingerprint, expected[i]->fingerprint);
    EXPECT_EQ(reported[i].evidence.value(), expected[i]->evidence.value());
  }
}

TEST(EngineTest, EvaluatesOnlyTheSelectedRules) {
  const auto snapshot = test::snapshot_of({RepositoryBuilder("open").is_private(false)},
                                          {KeyBuilder().created_days_ago(900)});
  const auto only = evaluate(snapshot, Settings{}, test::test_now(),
                             {{find_rule("public-repository"), find_rule("old-key")}, false});
  ASSERT_EQ(only.size(), 2U);
  EXPECT_EQ(only[0].rule->slug, "public-repository");
  EXPECT_EQ(only[1].rule->slug, "old-key");
}

}  // namespace
}  // namespace bbp::core
