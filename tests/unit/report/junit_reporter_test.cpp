#include "junit_reporter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "report_fixture.hpp"

namespace bbp::report::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// acme/web fails every rule (its deploy key is old), acme/clean passes them all, acme/empty has
// no default branch, and acme/legacy's restrictions could not be read.
const core::Snapshot& mixed_snapshot() {
  static const core::Snapshot snapshot = [] {
    using test::RepositoryBuilder;
    auto protected_repo = RepositoryBuilder("clean");
    for (const char* kind : {"push", "force", "delete", "reset_pullrequest_approvals_on_change",
                             "enforce_merge_checks"}) {
      protected_repo.restrict(test::restriction(kind));
    }
    protected_repo.restrict(test::restriction("require_approvals_to_merge").value(1));
    protected_repo.restrict(test::restriction("require_passing_builds_to_merge").value(1));
    core::Key key =
        test::KeyBuilder(core::KeyKind::deploy_key, "5").label("ci <bot>").created_days_ago(400);
    key.repository = "acme/web";
    return test::snapshot_of({RepositoryBuilder("web").is_private(false).updated_days_ago(400),
                              protected_repo, RepositoryBuilder("empty").mainbranch(std::nullopt),
                              RepositoryBuilder("legacy").restrictions_unreadable()},
                             {key});
  }();
  return snapshot;
}

ScanReport mixed_report() {
  ReportInputs inputs;
  inputs.tool_version = "9.9.9";
  inputs.started_at = test::test_now();
  inputs.finished_at = test::test_now() + std::chrono::milliseconds{2500};
  auto evaluations = core::evaluate(mixed_snapshot(), inputs.settings, test::test_now(),
                                    {{}, /*findings_only=*/true, true});
  return build_report(mixed_snapshot(), std::move(evaluations), inputs);
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

// The number an attribute of the first element in `text` states: `tests="12"` -> 12.
std::size_t attribute(const std::string& text, const std::string& name) {
  const auto at = text.find(" " + name + "=\"");
  EXPECT_NE(at, std::string::npos) << name;
  return at == std::string::npos ? 0 : std::stoul(text.substr(at + name.size() + 3));
}

// Each <testsuite>…</testsuite> of a document.
std::vector<std::string> suites_of(const std::string& xml) {
  std::vector<std::string> suites;
  for (auto at = xml.find("<testsuite "); at != std::string::npos;
       at = xml.find("<testsuite ", at + 1)) {
    suites.push_back(xml.substr(at, xml.find("</testsuite>", at) - at));
  }
  return suites;
}

// The <testcase …> element (to its end) of `name` in `suite`; "" when there is none.
std::string test_case(const std::string& suite, const std::string& name) {
  const auto at = suite.find(" name=\"" + name + "\" time=");
  if (at == std::string::npos) {
    return {};
  }
  const auto start = suite.rfind("<testcase ", at);
  const auto next = suite.find("\n    <testcase ", at);
  const auto end = next == std::string::npos ? suite.size() : next;
  return suite.substr(start, end - start);
}

// The suite of the rule with this slug.
std::string suite_of(const std::string& xml, const std::string& slug) {
  for (const auto& suite : suites_of(xml)) {
    if (suite.find("value=\"" + slug + "\"") != std::string::npos) {
      return suite;
    }
  }
  return {};
}

void expect_counts_agree(const std::string& xml) {
  const auto suites = suites_of(xml);
  ASSERT_FALSE(suites.empty());
  std::size_t tests = 0;
  std::size_t failures = 0;
  std::size_t errors = 0;
  std::size_t skipped = 0;
  for (const auto& suite : suites) {
    const auto head = suite.substr(0, suite.find('>'));
    EXPECT_EQ(attribute(head, "tests"), occurrences(suite, "<testcase ")) << head;
    EXPECT_EQ(attribute(head, "failures"), occurrences(suite, "<failure ")) << head;
    EXPECT_EQ(attribute(head, "errors"), occurrences(suite, "<error ")) << head;
    EXPECT_EQ(attribute(head, "skipped"), occurrences(suite, "<skipped ")) << head;
    tests += occurrences(suite, "<testcase ");
    failures += occurrences(suite, "<failure ");
    errors += occurrences(suite, "<error ");
    skipped += occurrences(suite, "<skipped ");
  }
  const auto head = xml.substr(xml.find("<testsuites "), xml.find('>', xml.find("<testsuites ")));
  EXPECT_EQ(attribute(head, "tests"), tests);
  EXPECT_EQ(attribute(head, "failures"), failures);
  EXPECT_EQ(attribute(head, "errors"), errors);
  EXPECT_EQ(attribute(head, "skipped"), skipped);
  EXPECT_GT(failures, 0U);
}

TEST(JunitReporterTest, CountsAgreeWithTheElements) {
  expect_counts_agree(render(JunitReporter(), sample_report()));
  auto report = mixed_report();
  expect_counts_agree(render(JunitReporter(), report));
  report.findings.at(0).suppressed = core::SuppressionMark{"known", std::nullopt, "b.yaml:2"};
  report.min_severity = core::Severity::high;
  expect_counts_agree(render(JunitReporter(), report));
}

TEST(JunitReporterTest, OneSuitePerRuleNamedByFindingTypeIdAndTitle) {
  const auto report = mixed_report();
  const auto xml = render(JunitReporter(), report);
  ASSERT_EQ(suites_of(xml).size(), report.rules.size());
  const auto& rule = *core::find_rule("public-repository");
  EXPECT_THAT(suite_of(xml, "public-repository"),
              HasSubstr("<testsuite name=\"" + std::string(rule.id) + " " +
                        std::string(rule.title) + "\""));
  EXPECT_THAT(xml, HasSubstr("timestamp=\"2026-11-28T00:00:00\""));
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"bbposture\""));
  EXPECT_THAT(xml, HasSubstr(" time=\"2.500\">"));
}

TEST(JunitReporterTest, ACleanRepositoryPassesEveryRule) {
  const auto xml = render(JunitReporter(), mixed_report());
  for (const auto& rule : core::catalogue()) {
    if (!core::in_default_set(rule)) {
      continue;
    }
    const auto suite = suite_of(xml, std::string(rule.slug));
    ASSERT_FALSE(suite.empty()) << rule.slug;
    EXPECT_THAT(suite, HasSubstr("<testcase classname=\"bbposture." + std::string(rule.slug) +
                                 "\" name=\"acme/clean\" time=\"0\"/>"))
        << rule.slug;
  }
  // acme/web fails the public-repository check, with the message and the details.
  const auto web = test_case(suite_of(xml, "public-repository"), "acme/web");
  EXPECT_THAT(web, HasSubstr("<failure message=\"the repository is public\" type=\"Critical\">"));
  EXPECT_THAT(web, HasSubstr("severity: Critical\n"));
  EXPECT_THAT(web, HasSubstr("fingerprint: "));
  EXPECT_THAT(web, HasSubstr("remediation: "));
}

TEST(JunitReporterTest, KeyFindingsAreCasesOfTheirOwnAndTheirRepositoryIsNotAPass) {
  const auto suite = suite_of(render(JunitReporter(), mixed_report()), "old-key");
  EXPECT_THAT(test_case(suite, "acme/web deploy key &apos;ci &lt;bot&gt;&apos;"),
              HasSubstr("<failure "));
  EXPECT_EQ(test_case(suite, "acme/web"), "") << suite;
  EXPECT_THAT(test_case(suite, "acme/clean"), HasSubstr("/>"));
}

TEST(JunitReporterTest, EmptyRepositoryBranchRulesAndRulesBelowMinSeverityAreSkipped) {
  auto report = mixed_report();
  auto xml = render(JunitReporter(), report);
  const auto empty = test_case(suite_of(xml, "force-push-allowed"), "acme/empty");
  EXPECT_THAT(empty, HasSubstr("<skipped message=\"not applicable: the repository is empty"));
  // A repository rule still applies to an empty repository.
  EXPECT_THAT(test_case(suite_of(xml, "public-repository"), "acme/empty"),
              Not(HasSubstr("skipped")));

  report.min_severity = core::Severity::high;
  xml = render(JunitReporter(), report);
  const auto stale = test_case(suite_of(xml, "stale-repository"), "acme/clean");
  EXPECT_THAT(stale, HasSubstr("<skipped message=\"not evaluated: below --min-severity High"));
}

TEST(JunitReporterTest, ASuppressedFindingIsSkippedNamingTheEntry) {
  auto report = mixed_report();
  auto& finding = report.findings.at(0);
  finding.suppressed = core::SuppressionMark{"public on purpose", "2027-01-31", "bbposture.yaml:7"};
  const auto slug = std::string(finding.rule->slug);
  const auto name = where(finding);
  const auto xml = render(JunitReporter(), report);
  const auto accepted = test_case(suite_of(xml, slug), name);
  EXPECT_THAT(accepted, HasSubstr("<skipped message=\"suppressed by bbposture.yaml:7: public on "
                                  "purpose (until 2027-01-31)\">"));
  EXPECT_THAT(accepted, HasSubstr("fingerprint: " + finding.fingerprint));
  EXPECT_THAT(accepted, Not(HasSubstr("<failure")));
}

TEST(JunitReporterTest, AnUnknownIsAnErrorWithItsReasonAndDetail) {
  const auto xml = render(JunitReporter(), mixed_report());
  const auto legacy = test_case(suite_of(xml, "force-push-allowed"), "acme/legacy");
  EXPECT_THAT(legacy, HasSubstr("<error message=\"api_error: "));
  EXPECT_THAT(legacy, HasSubstr("type=\"api_error\""));
  const auto sample = render(JunitReporter(), sample_report());
  const auto missing = test_case(suite_of(sample, "force-push-allowed"), "acme/legacy");
  EXPECT_THAT(missing, HasSubstr("<error message=\"missing_scope: missing scope: repository:admin "
                                 "(granted: repository)\" type=\"missing_scope\">"));
}

TEST(JunitReporterTest, IsTheSameEveryTime) {
  const auto report = mixed_report();
  EXPECT_EQ(render(JunitReporter(), report), render(JunitReporter(), report));
}

TEST(XmlEscapeTest, EscapesMarkupInTextAndAttributes) {
  EXPECT_EQ(xml_escape("<a href=\"x\">'&'</a>", false), "&lt;a href=\"x\"&gt;'&amp;'&lt;/a&gt;");
  EXPECT_EQ(xml_escape("<a href=\"x\">'&'</a>", true),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
  EXPECT_EQ(xml_escape("]]>", false), "]]&gt;");
}

TEST(XmlEscapeTest, KeepsLineBreaksInTextAndEncodesThemInAttributes) {
  EXPECT_EQ(xml_escape("a\tb\nc\rd", false), "a\tb\nc&#13;d");
  EXPECT_EQ(xml_escape("a\tb\nc\rd", true), "a&#9;b&#10;c&#13;d");
}

TEST(XmlEscapeTest, ReplacesWhatXmlForbidsAndInvalidUtf8) {
  const std::string replacement = "\xEF\xBF\xBD";
  EXPECT_EQ(xml_escape(std::string("a\0b", 3), false), "a" + replacement + "b");
  EXPECT_EQ(xml_escape("\x1b[31m\x7f", true), replacement + "[31m\x7f");
  EXPECT_EQ(xml_escape("\xEF\xBF\xBE", false), replacement);  // U+FFFE
  EXPECT_EQ(xml_escape("\xFF\xC3", false), replacement + replacement);
  EXPECT_EQ(xml_escape("caf\xC3\xA9 \xF0\x9F\x94\x91", true), "caf\xC3\xA9 \xF0\x9F\x94\x91");
}

TEST(JunitReporterTest, BitbucketTextCannotBreakTheDocument) {
  auto report = mixed_report();
  for (auto& f : report.findings) {
    if (core::is_key(f.resource.type)) {
      f.resource.name = "</failure><x a='1'>\x01\x1b]0;pwned\x07";
    }
  }
  const auto xml = render(JunitReporter(), report);
  EXPECT_THAT(xml, Not(HasSubstr("<x ")));
  EXPECT_THAT(xml, Not(HasSubstr("\x01")));
  EXPECT_THAT(xml, Not(HasSubstr("\x1b")));
  EXPECT_THAT(xml, HasSubstr("&lt;/failure&gt;&lt;x a=&apos;1&apos;&gt;"));
  expect_counts_agree(xml);
}

}  // namespace
}  // namespace bbp::report::testing
