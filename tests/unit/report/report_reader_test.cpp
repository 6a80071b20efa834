#include "bbp/report/report_reader.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "bbp/core/catalogue.hpp"
#include "bbp/report/json_reporter.hpp"
#include "report_fixture.hpp"
#include "table_reporter.hpp"

namespace bbp::report::testing {
namespace {

using nlohmann::json;

tl::expected<ScanReport, std::string> read_text(const std::string& text) {
  std::istringstream in(text);
  return read_report(in, "old.json");
}

std::string json_of(const ScanReport& report) {
  return render(JsonReporter(), report);
}

// The sample report with its first finding suppressed.
ScanReport marked_report() {
  auto report = sample_report();
  report.suppressions_applied = true;
  report.findings.at(0).suppressed =
      core::SuppressionMark{"accepted by security", "2027-01-31", "bbposture.yaml:7"};
  return report;
}

const core::Evaluation* find(const std::vector<core::Evaluation>& list, std::string_view slug) {
  for (const auto& e : list) {
    if (e.rule->slug == slug) {
      return &e;
    }
  }
  return nullptr;
}

TEST(ReportReaderTest, RoundTripsEveryField) {
  auto report = marked_report();
  const auto baseline = sample_report();
  compare_with_baseline(report, baseline, "yesterday.json", {});
  const auto written = json_of(report);
  const auto read = read_text(written);
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(json_of(*read), written);
  ASSERT_TRUE(read->findings.at(0).suppressed);
  EXPECT_EQ(read->findings.at(0).suppressed->source, "bbposture.yaml:7");
  EXPECT_EQ(read->findings.at(0).baseline_state, core::BaselineState::unchanged);
  ASSERT_TRUE(read->baseline);
  EXPECT_EQ(read->baseline->file, "yesterday.json");
}

TEST(ReportReaderTest, RefusesWhatIsNotAReportOfThisSchema) {
  const auto not_json = read_text("severity,rule\nHigh,x\n");
  ASSERT_FALSE(not_json);
  EXPECT_NE(not_json.error().find("old.json is not JSON"), std::string::npos) << not_json.error();

  const auto other = read_text(R"({"version": "2.1.0", "runs": []})");
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().find("not a bbposture JSON report"), std::string::npos) << other.error();

  auto doc = json::parse(json_of(sample_report()));
  doc["schema_version"] = 2;
  const auto newer = read_text(doc.dump());
  ASSERT_FALSE(newer);
  EXPECT_NE(newer.error().find("schema_version 2"), std::string::npos) << newer.error();

  doc["schema_version"] = 1;
  doc["findings"][0]["finding_type_id"] = "no-such-rule";
  const auto broken = read_text(doc.dump());
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().find("no-such-rule"), std::string::npos) << broken.error();
}

TEST(BaselineTest, MarksNewAndUnchangedAndListsFixed) {
  auto baseline = sample_report();
  auto current = sample_report();
  // Fixed since: public-repository; new since: old-key on the project.
  std::erase_if(current.findings,
                [](const core::Evaluation& e) { return e.rule->slug == "public-repository"; });
  std::erase_if(baseline.findings, [](const core::Evaluation& e) {
    return e.rule->slug == "old-key" && e.resource.type == core::ResourceType::project_deploy_key;
  });
  compare_with_baseline(current, baseline, "old.json", {});
  const auto c = count(current);
  EXPECT_EQ(c.new_findings, 1U);
  EXPECT_EQ(c.unchanged, current.findings.size() - 1);
  ASSERT_EQ(current.fixed.size(), 1U);
  EXPECT_EQ(current.fixed[0].rule->slug, "public-repository");
  for (const auto& f : current.findings) {
    const bool is_new =
        f.rule->slug == "old-key" && f.resource.type == core::ResourceType::project_deploy_key;
    EXPECT_EQ(f.baseline_state,
              is_new ? core::BaselineState::new_finding : core::BaselineState::unchanged);
  }
}

TEST(BaselineTest, WhatWasNotRecheckedIsNotFixed) {
  const auto baseline = sample_report();
  const auto* stale = find(baseline.findings, "stale-repository");
  ASSERT_NE(stale, nullptr);

  // The rule was not selected this time.
  auto current = sample_report();
  current.findings.clear();
  Recheck other_rule;
  other_rule.scope.rules = {core::find_rule("public-repository")};
  compare_with_baseline(current, baseline, "old.json", other_rule);
  EXPECT_EQ(find(current.fixed, "stale-repository"), nullptr);
  EXPECT_NE(find(current.fixed, "public-repository"), nullptr);

  // The workspace was not scanned.
  current.workspaces = {"other"};
  compare_with_baseline(current, baseline, "old.json", {});
  EXPECT_EQ(find(current.fixed, "stale-repository"), nullptr);
  EXPECT_NE(find(current.fixed, "old-key"), nullptr) << "the caller's SSH key was re-checked";

  // Unknown now for the same rule and resource.
  current = sample_report();
  current.findings.clear();
  auto unknown = *stale;
  unknown.outcome = core::Outcome::unknown;
  unknown.reason = core::UnknownReason::missing_scope;
  current.unknown.push_back(unknown);
  compare_with_baseline(current, baseline, "old.json", {});
  EXPECT_EQ(find(current.fixed, "stale-repository"), nullptr);
  EXPECT_NE(find(current.fixed, "public-repository"), nullptr);

  // Below --min-severity now: left out, not fixed.
  Recheck severe;
  severe.min_severity = core::Severity::critical;
  compare_with_baseline(current, baseline, "old.json", severe);
  EXPECT_EQ(find(current.fixed, "old-key"), nullptr);
}

// An unknown about a whole repository (its webhooks could not be read) leaves every finding of
// that rule in the repository unchecked: a webhook finding of the baseline is not "fixed".
TEST(BaselineTest, AnUnknownAboutTheRepositoryLeavesItsItemsUnchecked) {
  auto baseline = sample_report();
  const auto* stale = find(baseline.findings, "stale-repository");
  ASSERT_NE(stale, nullptr);
  auto hook = *stale;
  hook.rule = core::find_rule("webhook-over-http");
  hook.resource = {core::ResourceType::webhook, "{hook-1}", "CI (ci.example.com)", ""};
  hook.fingerprint = "00000000000000aa";
  baseline.findings.push_back(hook);
  Recheck all;
  all.scope.rules = core::rule_set("all");

  auto current = sample_report();
  current.findings.clear();
  compare_with_baseline(current, baseline, "old.json", all);
  EXPECT_NE(find(current.fixed, "webhook-over-http"), nullptr) << "read again and gone: fixed";

  current = sample_report();
  current.findings.clear();
  auto unread = *stale;  // the repository itself
  unread.rule = core::find_rule("webhook-over-http");
  unread.outcome = core::Outcome::unknown;
  unread.reason = core::UnknownReason::missing_scope;
  current.unknown.push_back(unread);
  compare_with_baseline(current, baseline, "old.json", all);
  EXPECT_EQ(find(current.fixed, "webhook-over-http"), nullptr);
  EXPECT_NE(find(current.fixed, "stale-repository"), nullptr);
}

TEST(CountsTest, SuppressedFindingsAreCountedApartAndNeverFail) {
  auto report = sample_report();
  const auto all = count(report).total;
  for (auto& f : report.findings) {
    f.suppressed = core::SuppressionMark{"ok", std::nullopt, "bbposture.yaml:1"};
  }
  EXPECT_EQ(count(report).total, 0U);
  EXPECT_EQ(count(report).suppressed, all);
  EXPECT_FALSE(fails_on(report, core::Severity::low, false));
  report.findings[0].suppressed.reset();
  EXPECT_TRUE(fails_on(report, report.findings[0].rule->severity, false));
}

TEST(CountsTest, WithABaselineOnlyNewFindingsFailUnlessAskedFor) {
  auto report = sample_report();
  compare_with_baseline(report, sample_report(), "old.json", {});
  EXPECT_FALSE(fails_on(report, core::Severity::low, false)) << "all unchanged";
  EXPECT_TRUE(fails_on(report, core::Severity::low, true)) << "--fail-on-unchanged";
  report.findings.back().baseline_state = core::BaselineState::new_finding;
  EXPECT_TRUE(fails_on(report, core::Severity::low, false));
}

TEST(TableTest, SuppressedFindingsHiddenBehindOneLineUnlessShown) {
  auto report = marked_report();
  const auto hidden = render(TableReporter({false, 80, false}), report);
  EXPECT_NE(hidden.find("1 finding suppressed; --show-suppressed to list them"), std::string::npos)
      << hidden;
  EXPECT_EQ(hidden.find("accepted by security"), std::string::npos) << hidden;
  const auto shown = render(TableReporter({false, 80, true}), report);
  EXPECT_NE(shown.find("Suppressed:"), std::string::npos) << shown;
  EXPECT_NE(shown.find("accepted: accepted by security (bbposture.yaml:7; until 2027-01-31)"),
            std::string::npos)
      << shown;
}

TEST(TableTest, BaselineShowsNewFirstAndTheCounts) {
  auto baseline = sample_report();
  auto current = sample_report();
  std::erase_if(baseline.findings,
                [](const core::Evaluation& e) { return e.rule->slug == "stale-repository"; });
  std::erase_if(current.findings,
                [](const core::Evaluation& e) { return e.rule->slug == "public-repository"; });
  compare_with_baseline(current, baseline, "old.json", {});
  const auto table = render(TableReporter({false, 80, false}), current);
  const auto new_at = table.find("New since the baseline:");
  const auto unchanged_at = table.find("Unchanged since the baseline:");
  ASSERT_NE(new_at, std::string::npos) << table;
  ASSERT_NE(unchanged_at, std::string::npos) << table;
  EXPECT_LT(new_at, unchanged_at);
  EXPECT_NE(table.find("Fixed since the baseline:"), std::string::npos) << table;
  EXPECT_NE(table.find("new 1 / unchanged " + std::to_string(current.findings.size() - 1) +
                       " / fixed 1 since old.json"),
            std::string::npos)
      << table;
}

}  // namespace
}  // namespace bbp::report::testing
