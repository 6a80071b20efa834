// Failed reads said once per cause, and the scopes to grant.
#include "gap_summary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bbp/bitbucket/collector.hpp"

namespace bbp::app {
namespace {

using ::testing::ElementsAre;

core::Gap gap(std::string endpoint, core::UnknownReason reason, std::string detail) {
  core::Gap g;
  g.subject = core::GapSubject::branch_restrictions;
  g.workspace = "acme";
  g.endpoint = std::move(endpoint);
  g.reason = reason;
  g.detail = std::move(detail);
  return g;
}

TEST(GapSummary, OneLinePerCauseWithACountAndAFewExamples) {
  std::vector<core::Gap> gaps;
  for (int i = 0; i < 5; ++i) {
    gaps.push_back(
        gap("/2.0/repositories/acme/r" + std::to_string(i) + "/branch-restrictions",
            core::UnknownReason::api_error,
            "connect error: refused (GET https://api.example/r" + std::to_string(i) + ")"));
  }
  gaps.push_back(gap("/2.0/repositories/acme/x/deploy-keys", core::UnknownReason::forbidden,
                     "HTTP 403: Forbidden"));
  gaps.push_back(gap("/2.0/repositories/acme/y", core::UnknownReason::api_error,
                     bitbucket::kInterruptedDetail));
  EXPECT_THAT(
      gap_summary(gaps, 2),
      ElementsAre("5 reads failed: connect error: refused (e.g. "
                  "/2.0/repositories/acme/r0/branch-restrictions, "
                  "/2.0/repositories/acme/r1/branch-restrictions, …)",
                  "1 read failed: HTTP 403: Forbidden (/2.0/repositories/acme/x/deploy-keys)"));
}

TEST(GapSummary, MissingScopesEndWithTheScopesToGrantOnceEach) {
  const std::vector<core::Gap> gaps{
      gap("/a", core::UnknownReason::missing_scope,
          "missing scope: repository:admin (granted: repository)"),
      gap("/b", core::UnknownReason::missing_scope, "missing scope: repository:admin, project"),
  };
  const auto lines = gap_summary(gaps);
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_EQ(lines.back(),
            "grant the credential these scopes and run again: repository:admin project (bbposture "
            "auth check shows what each rule needs)");
  EXPECT_TRUE(gap_summary({}).empty());
}

}  // namespace
}  // namespace bbp::app
