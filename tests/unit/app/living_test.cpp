// The exit code --fail-on gives a report with suppressed and baselined findings, and --baseline
// read before the scan.
#include <gtest/gtest.h>

#include "bbp/core/catalogue.hpp"
#include "commands.hpp"
#include "runtime.hpp"

namespace bbp::app {
namespace {

core::Evaluation finding(std::string_view slug) {
  core::Evaluation e;
  e.rule = core::find_rule(slug);
  e.outcome = core::Outcome::fail;
  e.repository = "acme/api";
  e.fingerprint = std::string(slug);
  return e;
}

TEST(FindingsExitCodeTest, ASuppressedFindingNeverFails) {
  report::ScanReport report;
  report.findings.push_back(finding("public-repository"));  // Critical
  EXPECT_EQ(findings_exit_code(report, core::Severity::high, false), kExitFindings);
  report.findings[0].suppressed = core::SuppressionMark{"open source", std::nullopt, "b.yaml:2"};
  EXPECT_EQ(findings_exit_code(report, core::Severity::high, false), kExitClean);
  EXPECT_EQ(findings_exit_code(report, core::Severity::low, true), kExitClean);
  report.findings.push_back(finding("stale-repository"));
  EXPECT_EQ(findings_exit_code(report, core::Severity::low, false), kExitFindings);
  EXPECT_EQ(findings_exit_code(report, std::nullopt, false), kExitClean) << "--fail-on none";
}

TEST(FindingsExitCodeTest, WithABaselineOnlyNewFindingsCountUnlessAskedFor) {
  report::ScanReport report;
  report.baseline = report::BaselineInfo{"old.json", {}};
  report.findings.push_back(finding("public-repository"));
  report.findings[0].baseline_state = core::BaselineState::unchanged;
  EXPECT_EQ(findings_exit_code(report, core::Severity::low, false), kExitClean);
  EXPECT_EQ(findings_exit_code(report, core::Severity::low, true), kExitFindings);
  report.findings[0].baseline_state = core::BaselineState::new_finding;
  EXPECT_EQ(findings_exit_code(report, core::Severity::low, false), kExitFindings);
}

TEST(LoadBaselineTest, NoneGivenIsNoBaselineAndAMissingFileIsRefused) {
  const auto none = load_baseline(std::nullopt);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  const auto missing = load_baseline(std::string("/nonexistent/report.json"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("--baseline /nonexistent/report.json"), std::string::npos)
      << missing.error();
}

}  // namespace
}  // namespace bbp::app
