#include "bbp/core/default_branch.hpp"

#include <gtest/gtest.h>

#include "builders.hpp"

namespace bbp::core {
namespace {

using test::BranchingModelBuilder;
using test::restriction;

std::vector<std::int64_t> matched_ids(const AppliedRestrictions& applied) {
  std::vector<std::int64_t> ids;
  for (const auto& m : applied.matched) {
    ids.push_back(m.restriction->id);
  }
  return ids;
}

TEST(DefaultBranchTest, CollectsEveryGlobThatMatches) {
  const std::vector<BranchRestriction> rs{
      restriction("push").id(1).glob("main"), restriction("force").id(2).glob("*"),
      restriction("delete").id(3).glob("ma*"), restriction("push").id(4).glob("main2"),
      restriction("force").id(5).glob("release/*")};
  const auto applied = resolve_default_branch("main", rs, nullptr);
  EXPECT_EQ(matched_ids(applied), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(applied.matched[1].how, "glob '*'");
}

TEST(DefaultBranchTest, FlagsCaseNearMissesWithoutApplyingThem) {
  const std::vector<BranchRestriction> rs{restriction("push").id(7).glob("Main")};
  const auto applied = resolve_default_branch("main", rs, nullptr);
  EXPECT_TRUE(applied.matched.empty());
  ASSERT_EQ(applied.near_misses.size(), 1U);
  EXPECT_EQ(applied.near_misses[0]->id, 7);
}

TEST(DefaultBranchTest, BranchingModelRestrictionNeverGlobMatchesItsEmptyPattern) {
  const std::vector<BranchRestriction> rs{restriction("force").id(1).model("production")};
  EXPECT_TRUE(needs_branching_model(rs));
  const BranchingModel no_production = BranchingModelBuilder();
  EXPECT_TRUE(resolve_default_branch("main", rs, &no_production).matched.empty());
  EXPECT_TRUE(resolve_default_branch("main", rs, nullptr).matched.empty());
}

TEST(DefaultBranchTest, GlobOnlyRestrictionsDoNotNeedTheModel) {
  const std::vector<BranchRestriction> rs{restriction("push").glob("main")};
  EXPECT_FALSE(needs_branching_model(rs));
}

struct ModelCase {
  const char* name;
  const char* branch_type;
  BranchingModel model;
  const char* branch;
  bool applies;
};

void PrintTo(const ModelCase& c, std::ostream* os) {
  *os << c.name;
}

class BranchingModelMatchTest : public ::testing::TestWithParam<ModelCase> {};

TEST_P(BranchingModelMatchTest, AppliesPerEffectiveModel) {
  const auto& c = GetParam();
  const std::vector<BranchRestriction> rs{restriction("force").id(1).model(c.branch_type)};
  const auto applied = resolve_default_branch(c.branch, rs, &c.model);
  EXPECT_EQ(applied.matched.size(), c.applies ? 1U : 0U);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BranchingModelMatchTest,
    ::testing::Values(
        ModelCase{"development_use_mainbranch", "development", BranchingModelBuilder(), "main",
                  true},
        ModelCase{"development_by_name", "development",
                  BranchingModelBuilder().development_named("main"), "main", true},
        ModelCase{"development_other_name", "development",
                  BranchingModelBuilder().development_named("develop"), "main", false},
        ModelCase{"production_disabled", "production", BranchingModelBuilder(), "main", false},
        ModelCase{"production_use_mainbranch", "production",
                  BranchingModelBuilder().development_named("develop").production(true), "main",
                  true},
        ModelCase{"production_by_name", "production",
                  BranchingModelBuilder().production(false, "main"), "main", true},
        ModelCase{"production_other_name", "production",
                  BranchingModelBuilder().production(false, "prod"), "main", false},
        ModelCase{"release_prefix", "release", BranchingModelBuilder().type("release", "release/"),
                  "release/2.0", true},
        ModelCase{"release_not_enabled", "release",
                  BranchingModelBuilder().type("hotfix", "hotfix/"), "release/2.0", false},
        ModelCase{"feature_prefix_mismatch", "feature",
                  BranchingModelBuilder().type("feature", "feature/"), "main", false},
        ModelCase{"hotfix_prefix", "hotfix", BranchingModelBuilder().type("hotfix", "hotfix/"),
                  "hotfix/x", true},
        ModelCase{"bugfix_prefix", "bugfix", BranchingModelBuilder().type("bugfix", "bugfix/"),
                  "bugfix/y", true}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(DefaultBranchTest, EvidenceNamesHowEachRestrictionMatched) {
  const std::vector<BranchRestriction> rs{restriction("require_approvals_to_merge").id(4).value(2),
                                          restriction("force").id(5).model("development")};
  const BranchingModel model = BranchingModelBuilder();
  const auto applied = resolve_default_branch("main", rs, &model);
  const auto evidence = applied.evidence();
  ASSERT_EQ(evidence.size(), 2U);
  EXPECT_EQ(evidence[0]["id"], 4);
  EXPECT_EQ(evidence[0]["value"], 2);
  EXPECT_EQ(evidence[0]["match"], "glob 'main'");
  EXPECT_EQ(evidence[1]["match"], "branching model: development (tracks the main branch)");
}

}  // namespace
}  // namespace bbp::core
