#include "bbp/report/sarif_reporter.hpp"

#include <gtest/gtest.h>

#include "report_fixture.hpp"

namespace bbp::report::testing {
namespace {

using nlohmann::json;

const json& run_of(const json& sarif) {
  return sarif.at("runs").at(0);
}

TEST(SarifReporterTest, OneRunOfVersion210) {
  const auto sarif = to_sarif(sample_report());
  EXPECT_EQ(sarif.at("version"), "2.1.0");
  EXPECT_EQ(sarif.at("$schema"), kSarifSchemaUri);
  EXPECT_EQ(sarif.at("runs").size(), 1U);
  const auto& driver = run_of(sarif).at("tool").at("driver");
  EXPECT_EQ(driver.at("name"), "bbposture");
  EXPECT_EQ(driver.at("version"), "9.9.9");
  // informationUri only when the build names a real home page (BBP_INFORMATION_URI).
  EXPECT_EQ(driver.contains("informationUri"), !information_uri().empty());
}

TEST(SarifReporterTest, DriverListsEveryRuleOfTheCatalogue) {
  const auto sarif = to_sarif(ScanReport{});
  const auto& rules = run_of(sarif).at("tool").at("driver").at("rules");
  const auto catalogue = core::catalogue();
  ASSERT_EQ(rules.size(), catalogue.size());
  for (std::size_t i = 0; i < catalogue.size(); ++i) {
    const auto& rule = catalogue[i];
    const auto& entry = rules[i];
    EXPECT_EQ(entry.at("id"), rule.slug);
    EXPECT_FALSE(entry.at("name").get<std::string>().empty());
    EXPECT_EQ(entry.at("name").get<std::string>().find('-'), std::string::npos);
    EXPECT_EQ(entry.at("shortDescription").at("text"), rule.title);
    EXPECT_EQ(entry.at("fullDescription").at("text"), rule.description);
    EXPECT_NE(entry.at("help").at("text").get<std::string>().find(rule.remediation),
              std::string::npos);
    EXPECT_EQ(entry.at("defaultConfiguration").at("level"), sarif_level(rule.severity));
    const auto& props = entry.at("properties");
    EXPECT_EQ(props.at("finding_type_id"), rule.id);
    EXPECT_EQ(props.at("severity"), core::to_string(rule.severity));
    EXPECT_EQ(props.at("security-severity"), security_severity(rule.severity));
  }
  EXPECT_EQ(rules[0].at("name"), "PublicRepository");
}

TEST(SarifReporterTest, LevelsAndScoresFollowSeverity) {
  EXPECT_EQ(sarif_level(core::Severity::critical), "error");
  EXPECT_EQ(sarif_level(core::Severity::high), "error");
  EXPECT_EQ(sarif_level(core::Severity::medium), "warning");
  EXPECT_EQ(sarif_level(core::Severity::low), "note");
  // Code-scanning bands: critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9.
  EXPECT_GT(std::stod(std::string(security_severity(core::Severity::critical))), 9.0);
  EXPECT_GE(std::stod(std::string(security_severity(core::Severity::high))), 7.0);
  EXPECT_LT(std::stod(std::string(security_severity(core::Severity::high))), 9.0);
  EXPECT_GE(std::stod(std::string(security_severity(core::Severity::medium))), 4.0);
  EXPECT_LT(std::stod(std::string(security_severity(core::Severity::medium))), 7.0);
  EXPECT_LT(std::stod(std::string(security_severity(core::Severity::low))), 4.0);
}

TEST(SarifReporterTest, ResultsPointAtRulesAndCarryFingerprints) {
  const auto report = sample_report();
  const auto sarif = to_sarif(report);
  const auto& run = run_of(sarif);
  const auto& rules = run.at("tool").at("driver").at("rules");
  const auto& results = run.at("results");
  ASSERT_EQ(results.size(), report.findings.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    const auto& f = report.findings[i];
    EXPECT_EQ(r.at("ruleId"), f.rule->slug);
    EXPECT_EQ(rules.at(r.at("ruleIndex").get<std::size_t>()).at("id"), r.at("ruleId"));
    EXPECT_EQ(r.at("level"), sarif_level(f.rule->severity));
    EXPECT_EQ(r.at("partialFingerprints").at(kFingerprintKey), f.fingerprint);
    // The place, then the finding's message (the one every format carries).
    EXPECT_EQ(r.at("message").at("text"),
              describe(f) + ": " + core::message_of(*f.rule, f.evidence.value()) + ".");
    EXPECT_EQ(r.at("properties").at("evidence"), f.evidence.value());
    EXPECT_FALSE(r.at("properties").contains("message")) << "it is the result's message";
  }
}

TEST(SarifReporterTest, ResultMessagesStateTheThresholdsUsed) {
  const auto sarif = to_sarif(sample_report());
  std::set<std::string> texts;
  for (const auto& r : run_of(sarif).at("results")) {
    texts.insert(r.at("message").at("text").get<std::string>());
  }
  EXPECT_TRUE(texts.count("acme/web: last updated 400 days ago; threshold 365 days."))
      << json(texts);
  EXPECT_TRUE(texts.count("acme/web: 'main' requires no approvals; at least 1 required."))
      << json(texts);
  EXPECT_TRUE(texts.count("acme project PLAT deploy key 'ci': 500 days old; maximum 180 days."))
      << json(texts);
}

TEST(SarifReporterTest, LogicalLocationsNestKeyInRepositoryInWorkspace) {
  const auto report = sample_report();
  const auto sarif = to_sarif(report);
  const auto& run = run_of(sarif);
  const auto& locations = run.at("logicalLocations");
  std::size_t checked = 0;
  for (const auto& r : run.at("results")) {
    const auto& ref = r.at("locations").at(0).at("logicalLocations").at(0);
    const auto& loc = locations.at(ref.at("index").get<std::size_t>());
    EXPECT_EQ(ref.at("fullyQualifiedName"), loc.at("fullyQualifiedName"));
    if (r.at("properties").at("resource").at("id") == "123") {
      EXPECT_EQ(loc.at("fullyQualifiedName"), "acme/api/deploy-keys/123");
      EXPECT_EQ(loc.at("kind"), "resource");
      const auto& repo = locations.at(loc.at("parentIndex").get<std::size_t>());
      EXPECT_EQ(repo.at("fullyQualifiedName"), "acme/api");
      EXPECT_EQ(repo.at("kind"), "module");
      const auto& ws = locations.at(repo.at("parentIndex").get<std::size_t>());
      EXPECT_EQ(ws.at("fullyQualifiedName"), "acme");
      EXPECT_FALSE(ws.contains("parentIndex"));
      ++checked;
    }
    if (r.at("properties").at("resource").at("type") == "project_deploy_key") {
      EXPECT_EQ(loc.at("fullyQualifiedName"), "acme/projects/PLAT/deploy-keys/7");
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2U);
  // Every location is listed once.
  std::set<std::string> names;
  for (const auto& loc : locations) {
    EXPECT_TRUE(names.insert(loc.at("fullyQualifiedName").get<std::string>()).second);
  }
}

TEST(SarifReporterTest, UnknownsAreNotificationsAndSettingsAreRunProperties) {
  const auto report = sample_report();
  ASSERT_FALSE(report.unknown.empty());
  const auto sarif = to_sarif(report);
  const auto& run = run_of(sarif);
  const auto& invocation = run.at("invocations").at(0);
  EXPECT_FALSE(invocation.at("executionSuccessful").get<bool>());
  EXPECT_EQ(invocation.at("startTimeUtc"), "2026-11-28T00:00:00Z");
  EXPECT_EQ(invocation.at("endTimeUtc"), "2026-11-28T00:00:03Z");
  const auto& notes = invocation.at("toolExecutionNotifications");
  ASSERT_EQ(notes.size(), report.unknown.size() + report.errors.size());
  for (std::size_t i = 0; i < report.unknown.size(); ++i) {
    EXPECT_EQ(notes[i].at("level"), "warning");
    EXPECT_EQ(notes[i].at("associatedRule").at("id"), report.unknown[i].rule->slug);
    EXPECT_EQ(notes[i].at("properties").at("reason"), "missing_scope");
    EXPECT_NE(notes[i].at("message").at("text").get<std::string>().find("repository:admin"),
              std::string::npos);
  }
  const auto& props = run.at("properties");
  EXPECT_EQ(props.at("settings"),
            json({{"stale_days", 365}, {"key_max_age_days", 180}, {"min_approvals", 1}}));
  EXPECT_EQ(props.at("scan").at("api_requests"), 42);
  EXPECT_EQ(props.at("summary").at("unknown"), report.unknown.size());
}

TEST(SarifReporterTest, CompleteScanIsSuccessfulWithoutNotifications) {
  ScanReport report;
  report.tool_version = "1.0.0";
  const auto sarif = to_sarif(report);
  const auto& invocation = run_of(sarif).at("invocations").at(0);
  EXPECT_TRUE(invocation.at("executionSuccessful").get<bool>());
  EXPECT_TRUE(invocation.at("toolExecutionNotifications").empty());
  EXPECT_TRUE(run_of(sarif).at("results").is_array());
  EXPECT_TRUE(run_of(sarif).at("results").empty());
}

// The reporter streams results and notifications one by one; the bytes must be exactly those
// of the whole document pretty-printed at once.
TEST(SarifReporterTest, StreamedOutputEqualsTheWholeDocument) {
  auto report = sample_report();
  ASSERT_FALSE(report.findings.empty());
  ASSERT_FALSE(report.unknown.empty());
  ASSERT_FALSE(report.errors.empty());
  EXPECT_EQ(render(SarifReporter(), report), to_sarif(report).dump(2) + "\n");

  report.errors.clear();
  EXPECT_EQ(render(SarifReporter(), report), to_sarif(report).dump(2) + "\n");
  report.unknown.clear();
  EXPECT_EQ(render(SarifReporter(), report), to_sarif(report).dump(2) + "\n");
  report.findings.clear();
  EXPECT_EQ(render(SarifReporter(), report), to_sarif(report).dump(2) + "\n");
}

TEST(SarifReporterTest, SlotMarkersInDataDoNotConfuseTheStream) {
  auto report = sample_report();
  report.errors.push_back({"acme", std::nullopt, "/x", 500,
                           "\"results\": \"@bbposture:results@\" (a hostile message)"});
  report.findings[0].resource.name = "@bbposture:notifications@";
  const auto text = render(SarifReporter(), report);
  EXPECT_EQ(text, to_sarif(report).dump(2) + "\n");
  EXPECT_EQ(json::parse(text), to_sarif(report));
}

}  // namespace
}  // namespace bbp::report::testing
