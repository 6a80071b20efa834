#include "bbp/report/report_reader.hpp"

#include <gtest/gtest.h>

#include <functional>
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
  compare_with_baseline(report, baseline, "yesterday.json");
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
  compare_with_baseline(current, baseline, "old.json");
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
  current.rules = {core::find_rule("public-repository")};
  compare_with_baseline(current, baseline, "old.json");
  EXPECT_EQ(find(current.fixed, "stale-repository"), nullptr);
  EXPECT_NE(find(current.not_rechecked, "stale-repository"), nullptr);
  EXPECT_NE(find(current.fixed, "public-repository"), nullptr);
  EXPECT_EQ(current.fixed.size() + current.not_rechecked.size(), baseline.findings.size());
  current.rules = sample_report().rules;

  // The workspace was not scanned.
  current.workspaces = {"other"};
  compare_with_baseline(current, baseline, "old.json");
  EXPECT_EQ(find(current.fixed, "stale-repository"), nullptr);
  EXPECT_NE(find(current.not_rechecked, "stale-repository"), nullptr);
  EXPECT_NE(find(current.fixed, "old-key"), nullptr) << "the caller's SSH key was re-checked";

  // Unknown now for the same rule and resource.
  current = sample_report();
  current.findings.clear();
  auto unknown = *stale;
  unknown.outcome = core::Outcome::unknown;
  unknown.reason = core::UnknownReason::missing_scope;
  current.unknown.push_back(unknown);
  compare_with_baseline(current, baseline, "old.json");
  EXPECT_EQ(find(current.fixed, "stale-repository"), nullptr);
  EXPECT_NE(find(current.fixed, "public-repository"), nullptr);

  // Below --min-severity now: left out, not fixed.
  current.min_severity = core::Severity::critical;
  compare_with_baseline(current, baseline, "old.json");
  EXPECT_EQ(find(current.fixed, "old-key"), nullptr);
  EXPECT_NE(find(current.not_rechecked, "old-key"), nullptr);
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
  auto current = sample_report();
  current.rules = core::rule_set("all");
  current.findings.clear();
  compare_with_baseline(current, baseline, "old.json");
  EXPECT_NE(find(current.fixed, "webhook-over-http"), nullptr) << "read again and gone: fixed";

  current = sample_report();
  current.rules = core::rule_set("all");
  current.findings.clear();
  auto unread = *stale;  // the repository itself
  unread.rule = core::find_rule("webhook-over-http");
  unread.outcome = core::Outcome::unknown;
  unread.reason = core::UnknownReason::missing_scope;
  current.unknown.push_back(unread);
  compare_with_baseline(current, baseline, "old.json");
  EXPECT_EQ(find(current.fixed, "webhook-over-http"), nullptr);
  EXPECT_NE(find(current.fixed, "stale-repository"), nullptr);
}

// A narrower NEW (one rule, a higher minimum severity, a repository filter) never turns a
// finding it did not look for into a fix: each such finding is listed as not re-checked.
TEST(BaselineTest, ANarrowerReportNeverInventsAFix) {
  const auto baseline = sample_report();
  ASSERT_GT(baseline.findings.size(), 3U);
  const std::vector<std::function<void(ScanReport&)>> narrowings = {
      [](ScanReport& r) { r.rules = {core::find_rule("public-repository")}; },
      [](ScanReport& r) { r.min_severity = core::Severity::critical; },
      [](ScanReport& r) { r.selection->repos = {"marketing-*"}; },
      [](ScanReport& r) { r.selection->projects = {"NONE"}; },
  };
  for (const auto& narrow : narrowings) {
    auto current = sample_report();
    narrow(current);
    current.findings.clear();  // nothing found by the narrower scan
    compare_with_baseline(current, baseline, "full.json");
    EXPECT_LT(current.fixed.size(), baseline.findings.size());
    EXPECT_FALSE(current.not_rechecked.empty());
    EXPECT_EQ(current.fixed.size() + current.not_rechecked.size(), baseline.findings.size());
    EXPECT_EQ(count(current).not_rechecked, current.not_rechecked.size());
    for (const auto& f : current.fixed) {
      EXPECT_TRUE(scope_of(current)->selects(*f.rule)) << f.rule->slug;
    }
  }
}

TEST(BaselineTest, AReportWithoutASelectionFixesNothingAndSaysSo) {
  const auto baseline = sample_report();
  auto current = sample_report();
  current.findings.clear();
  current.selection.reset();  // as read from an older version's report
  const auto warnings = compare_with_baseline(current, baseline, "old.json");
  EXPECT_TRUE(current.fixed.empty());
  EXPECT_EQ(current.not_rechecked.size(), baseline.findings.size());
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_NE(warnings[0].find("does not record how it was made"), std::string::npos) << warnings[0];

  auto old_style = sample_report();
  old_style.selection.reset();
  current = sample_report();
  const auto about_old = compare_with_baseline(current, old_style, "old.json");
  ASSERT_EQ(about_old.size(), 1U);
  EXPECT_NE(about_old[0].find("old.json does not record"), std::string::npos) << about_old[0];
}

TEST(BaselineTest, ABaselineNewerThanTheReportIsSaid) {
  auto baseline = sample_report();
  baseline.started_at += std::chrono::hours(24);
  auto current = sample_report();
  const auto warnings = compare_with_baseline(current, baseline, "old.json");
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_NE(warnings[0].find("are the two swapped?"), std::string::npos) << warnings[0];
  EXPECT_TRUE(compare_with_baseline(current, sample_report(), "old.json").empty());
}

TEST(ReportReaderTest, TheSelectionRoundTrips) {
  auto report = sample_report();
  report.rules = {core::find_rule("public-repository"), core::find_rule("stale-repository")};
  report.min_severity = core::Severity::high;
  auto& s = *report.selection;
  s.rule_set = "custom";
  s.identity = "ci-bot {1234}";
  s.workspaces = {"acme"};
  s.repos = {"api-*"};
  s.exclude_repos = {"api-legacy"};
  s.projects = {"PLAT"};
  s.fail_on.reset();
  s.config = ConfigSource{"bbposture.yaml", std::string(64, 'a')};
  s.snapshot = SnapshotSource{"snap.json", test::test_now(), 412};
  const auto written = json_of(report);
  const auto read = read_text(written);
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(json_of(*read), written);
  ASSERT_TRUE(read->selection);
  EXPECT_EQ(read->rules, report.rules);
  EXPECT_EQ(read->min_severity, core::Severity::high);
  EXPECT_EQ(read->selection->snapshot->api_requests, 412U);
  EXPECT_EQ(data_read_at(*read), test::test_now());
  EXPECT_TRUE(covers(sample_report(), *read)) << "all rules, no filter: covers the narrower";
  EXPECT_FALSE(covers(*read, sample_report()));
}

TEST(ReportReaderTest, AReportWithoutASelectionStillReads) {
  auto doc = json::parse(json_of(sample_report()));
  doc["scan"].erase("selection");
  const auto read = read_text(doc.dump());
  ASSERT_TRUE(read) << read.error();
  EXPECT_FALSE(read->selection);
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
  compare_with_baseline(report, sample_report(), "old.json");
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
  compare_with_baseline(current, baseline, "old.json");
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
