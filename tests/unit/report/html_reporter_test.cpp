#include "bbp/report/html_reporter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "html_grid.hpp"
#include "report_fixture.hpp"

namespace bbp::report::testing {
namespace {

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

// A report whose every piece of Bitbucket text tries to break out of its HTML context.
ScanReport hostile_report() {
  auto report = sample_report();
  const std::string evil = "<script>alert(1)</script>";
  report.workspaces.push_back("\"><img src=x onerror=alert(2)>");
  report.api_url = "https://api.example/'><script>alert(3)</script>";
  for (auto& f : report.findings) {
    f.repository = evil;
    f.workspace = "ws\"onmouseover=\"alert(4)";
    f.project = "</script><script>alert(5)</script>";
    f.resource.name = evil;
    f.resource.url = "javascript:alert(6)";
  }
  for (auto& u : report.unknown) {
    u.detail = evil + "\xE2\x80\xA8";
  }
  for (auto& e : report.errors) {
    e.message = evil;
  }
  return report;
}

TEST(HtmlEscapeTest, EscapesTextAndAttributeCharacters) {
  EXPECT_EQ(html_escape("<a href=\"x\">Tom's & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; Jerry&#39;s&lt;/a&gt;");
  EXPECT_EQ(html_escape("caf\xC3\xA9 \xE2\x9C\x93"), "caf\xC3\xA9 \xE2\x9C\x93");
}

TEST(HtmlEscapeTest, ReplacesInvalidUtf8AndNul) {
  const std::string nul("a\0b", 3);
  EXPECT_EQ(html_escape(nul),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(html_escape("\xFF<"), "\xEF\xBF\xBD&lt;");
  EXPECT_EQ(html_escape("\xC3"), "\xEF\xBF\xBD");                                  // cut short
  EXPECT_EQ(html_escape("\xE0\x80\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(html_escape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

TEST(HtmlEscapeTest, JsonForScriptCannotCloseTheScript) {
  const nlohmann::json value = {{"name", "</script><!-- & \xE2\x80\xA8\xE2\x80\xA9"}};
  const auto text = json_for_script(value);
  EXPECT_EQ(text.find('<'), std::string::npos) << text;
  EXPECT_EQ(text.find('>'), std::string::npos) << text;
  EXPECT_EQ(text.find('&'), std::string::npos) << text;
  EXPECT_EQ(text.find("\xE2\x80\xA8"), std::string::npos) << text;
  EXPECT_NE(text.find("\\u003c/script\\u003e"), std::string::npos) << text;
  EXPECT_NE(text.find("\\u2028\\u2029"), std::string::npos) << text;
  EXPECT_EQ(nlohmann::json::parse(text), value) << "still the same JSON";
}

TEST(HtmlReporterTest, BitbucketTextRendersAsText) {
  const auto html = render(HtmlReporter(), hostile_report());
  // Our own two scripts and the JSON data block are the only script elements.
  EXPECT_EQ(occurrences(html, "<script"), 3U) << html;
  EXPECT_EQ(occurrences(html, "</script>"), 3U);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(2)&gt;"), std::string::npos);
  EXPECT_EQ(html.find("\"onmouseover"), std::string::npos);
  EXPECT_NE(html.find("ws&quot;onmouseover=&quot;alert(4)"), std::string::npos);
  EXPECT_EQ(html.find("javascript:"), std::string::npos) << "only http(s) links";
  EXPECT_EQ(html.find("alert(3)</script>"), std::string::npos);
}

TEST(HtmlReporterTest, PageLoadsNothing) {
  const auto html = render(HtmlReporter(), sample_report());
  EXPECT_NE(html.find("http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"),
            std::string::npos);
  for (const std::string load : {" src=", "<link", "@import", "url(", "<iframe", "<object"}) {
    EXPECT_EQ(html.find(load), std::string::npos) << load;
  }
}

TEST(HtmlReporterTest, ShowsCountsGridFindingsUnknownsAndErrors) {
  const auto report = sample_report();
  const auto html = render(HtmlReporter(), report);
  const auto counts = count_by_severity(report);
  EXPECT_NE(html.find("data-severity=\"critical\"><span class=\"n\">" + std::to_string(counts[0])),
            std::string::npos);
  // acme/web is the worst repository: the grid's first row.
  const auto grid = html.find("<table class=\"grid\"");
  const auto first_row = html.find("<tr data-repository=", grid);
  const auto name = html.find("<th scope=\"row\">", first_row) + 16;
  EXPECT_EQ(html.substr(name, 9), "acme/web<");
  // Each cell is read in its own repository's row. acme/web is public: rule 1 fails there...
  const auto web = test::grid_row(html, "acme/web");
  ASSERT_FALSE(web.empty());
  EXPECT_EQ(test::grid_cell(web, "public-repository"),
            "<td class=\"cell fail\" data-rule=\"public-repository\" "
            "title=\"public-repository: fail\">\xE2\x9C\x97</td>");
  // ...and passes in the row of acme/api, which is private (so the check above can tell).
  const auto api = test::grid_row(html, "acme/api");
  ASSERT_FALSE(api.empty());
  EXPECT_EQ(test::grid_state(api, "public-repository"), "pass");
  // acme/legacy's branch rules are unknown and its repository rules pass; the same branch rule
  // fails on acme/web and passes on acme/api.
  const auto legacy = test::grid_row(html, "acme/legacy");
  ASSERT_FALSE(legacy.empty());
  EXPECT_EQ(test::grid_state(legacy, "direct-push-allowed"), "unknown");
  EXPECT_EQ(test::grid_state(legacy, "public-repository"), "pass");
  EXPECT_EQ(test::grid_state(web, "direct-push-allowed"), "fail");
  EXPECT_EQ(test::grid_state(api, "direct-push-allowed"), "pass");
  EXPECT_EQ(occurrences(html, "<tr data-severity="), report.findings.size());
  EXPECT_NE(html.find("missing scope: repository:admin"), std::string::npos);
  EXPECT_NE(html.find("/2.0/repositories/acme/legacy/branch-restrictions"), std::string::npos);
  EXPECT_NE(html.find("id=\"completeness\" class=\"state-incomplete\""), std::string::npos);
}

TEST(HtmlReporterTest, NamesTheCredentialKindOrSaysItWasNotRecorded) {
  auto report = sample_report();
  for (const auto& [kind, label] : std::vector<std::pair<std::string, std::string>>{
           {"client_credentials", "OAuth client credentials"},
           {"access_token", "access token"},
           {"api_token", "API token"}}) {
    report.credential = kind;
    EXPECT_NE(render(HtmlReporter(), report).find("<dd id=\"credential\">" + label + "</dd>"),
              std::string::npos)
        << kind;
  }
  report.credential.reset();
  EXPECT_NE(render(HtmlReporter(), report).find("<dd id=\"credential\">not recorded</dd>"),
            std::string::npos);
}

// More repositories with a failure than the grid holds: the worst ones are shown, the page
// says how many were left out, and the findings table still lists every finding.
TEST(HtmlReporterTest, LargeGridKeepsTheWorstRepositoriesAndSaysSo) {
  auto report = sample_report();
  const auto extra = HtmlReporter::kGridRows + 100;
  const auto web = report.findings.front();  // acme/web, the worst repository
  for (std::size_t i = 0; i < extra; ++i) {
    auto f = web;
    f.repository = "acme/many-" + std::to_string(i);
    report.findings.push_back(f);
  }
  const auto html = render(HtmlReporter(), report);
  const auto grid_rows = extra + 3;  // acme/web, acme/api and acme/legacy too
  EXPECT_EQ(occurrences(html, "<tr data-repository="), HtmlReporter::kGridRows);
  EXPECT_NE(html.find("<p id=\"grid-cap\"><strong>Showing the " +
                      std::to_string(HtmlReporter::kGridRows) + " worst of " +
                      std::to_string(grid_rows) + " repositories"),
            std::string::npos);
  EXPECT_LT(html.find("<tr data-repository=\"acme/web\""), html.find("acme/many-0"));
  EXPECT_EQ(occurrences(html, "<tr data-severity="), report.findings.size());
  // A small report says nothing about a cap.
  EXPECT_EQ(render(HtmlReporter(), sample_report()).find("grid-cap"), std::string::npos);
}

// The text between `from` and the next `to` after it, starting at `at`.
std::string between(const std::string& text, const std::string& from, const std::string& to,
                    std::size_t at = 0) {
  const auto begin = text.find(from, at);
  if (begin == std::string::npos) {
    return {};
  }
  const auto end = text.find(to, begin + from.size());
  return text.substr(begin + from.size(), end - begin - from.size());
}

// Beyond its first kTableRows rows, a long table continues in <noscript> blocks of at most
// kTableRows rows, each a whole table with the same columns, in order; every row is written once.
TEST(HtmlReporterTest, LongTablesContinueInNoscriptBlocks) {
  auto report = sample_report();
  const auto limit = HtmlReporter::kTableRows;
  const auto base = report.findings.front();
  report.findings.clear();
  for (std::size_t i = 0; i < 2 * limit + 7; ++i) {
    auto f = base;
    f.repository = "acme/row-" + std::to_string(i);
    f.resource.name = *f.repository;
    report.findings.push_back(f);
  }
  ASSERT_FALSE(report.unknown.empty());
  // Unknowns of as many resources as the table has rows, so that no two share a row.
  const auto unknown = report.unknown.front();
  report.unknown.clear();
  for (std::size_t i = 0; i < limit + 1; ++i) {
    auto u = unknown;
    u.resource.id = "{unknown-" + std::to_string(i) + "}";
    report.unknown.push_back(u);
  }
  const auto html = render(HtmlReporter(), report);
  const auto first = between(html, "<table id=\"findings-table\"", "</table>");
  EXPECT_EQ(occurrences(first, "<tr data-severity="), limit);
  EXPECT_NE(first.find(">acme/row-0<"), std::string::npos);
  EXPECT_EQ(first.find(">acme/row-" + std::to_string(limit) + "<"), std::string::npos);
  const std::string open = "<noscript data-rest-of=\"findings-table\">";
  EXPECT_EQ(occurrences(html, open), 2U);
  const auto second = between(html, open, "</noscript>");
  EXPECT_EQ(second.rfind("<table class=\"fixed\">\n<colgroup>", 0), 0U) << second.substr(0, 80);
  EXPECT_EQ(occurrences(second, "<tr data-severity="), limit);
  EXPECT_NE(second.find(">acme/row-" + std::to_string(limit) + "<"), std::string::npos);
  EXPECT_NE(second.find("</tbody>\n</table>\n"), std::string::npos);
  const auto third = between(html, open, "</noscript>", html.find(open) + 1);
  EXPECT_EQ(occurrences(third, "<tr data-severity="), 7U);
  EXPECT_NE(third.find(">acme/row-" + std::to_string(2 * limit + 6) + "<"), std::string::npos);
  EXPECT_EQ(occurrences(html, "<tr data-severity="), report.findings.size());
  EXPECT_EQ(occurrences(html, "id=\"findings-table\""), 1U) << "an id is never repeated";
  // The Unknown table in the same way, and a short table has no block at all.
  EXPECT_EQ(occurrences(html, "<noscript data-rest-of=\"unknown-table\"><table>\n<tbody>\n"), 1U);
  EXPECT_EQ(occurrences(html, "<noscript data-rest-of=\"errors-table\">"), 0U);
  EXPECT_EQ(occurrences(html, "<noscript"), occurrences(html, "</noscript>"));
  EXPECT_EQ(render(HtmlReporter(), sample_report()).find("<noscript"), std::string::npos);
}

// A table with nothing to list says so under its header.
TEST(HtmlReporterTest, EmptyTablesSaySo) {
  auto report = sample_report();
  report.findings.clear();
  report.unknown.clear();
  report.errors.clear();
  const auto html = render(HtmlReporter(), report);
  EXPECT_NE(html.find("<table id=\"findings-table\" class=\"fixed\">"), std::string::npos);
  EXPECT_NE(html.find("</table>\n<p class=\"muted\">No findings.</p>"), std::string::npos);
  EXPECT_EQ(occurrences(html, "</table>\n<p class=\"muted\">None.</p>"), 2U);
  EXPECT_EQ(render(HtmlReporter(), sample_report()).find("No findings."), std::string::npos);
}

// Markup from Bitbucket cannot end a <noscript> block early: it is escaped like everywhere else.
TEST(HtmlReporterTest, BitbucketTextCannotCloseANoscriptBlock) {
  auto report = hostile_report();
  const auto base = report.findings.front();
  for (std::size_t i = 0; i < HtmlReporter::kTableRows; ++i) {
    auto f = base;
    f.repository = "</noscript><script>alert(7)</script>";
    f.resource.name = *f.repository;
    report.findings.push_back(f);
  }
  const auto html = render(HtmlReporter(), report);
  EXPECT_EQ(occurrences(html, "<noscript data-rest-of=\"findings-table\">"), 1U);
  EXPECT_EQ(occurrences(html, "</noscript>"), 1U);
  EXPECT_NE(html.find("&lt;/noscript&gt;&lt;script&gt;alert(7)"), std::string::npos);
}

// Evidence is in closed <details>, escaped for text (quotes stay readable, markup does not run).
TEST(HtmlReporterTest, EvidenceIsCollapsedAndEscapedAsText) {
  auto report = sample_report();
  report.findings.front().evidence =
      nlohmann::json{{"is_private", false}, {"project", R"(<b>"x" & 'y'</b>)"}};
  const auto html = render(HtmlReporter(), report);
  EXPECT_NE(html.find(R"(<details><summary>JSON</summary><pre class="evidence">{
  "is_private": false,
  "project": "&lt;b&gt;\"x\" &amp; 'y'&lt;/b&gt;"
}</pre></details>)"),
            std::string::npos);
  EXPECT_EQ(html_escape_text("\"'<>&\xFF"), "\"'&lt;&gt;&amp;\xEF\xBF\xBD");
}

TEST(HtmlReporterTest, EmptyRepositoryRulesAreNotApplicableAndMinSeverityIsHonest) {
  auto report = sample_report();
  report.empty_repositories = {"acme/web"};
  report.min_severity = core::Severity::critical;
  const auto html = render(HtmlReporter(), report);
  const auto web = html.find("<tr data-repository=\"acme/web\"");
  ASSERT_NE(web, std::string::npos);
  const auto end = html.find("</tr>", web);
  // acme/web still shows its failures; a rule without one here is not applicable, not a pass.
  EXPECT_EQ(html.substr(web, end - web).find("cell pass"), std::string::npos);
  // acme/legacy: rule 4 (Medium) is below the threshold, so it is not claimed to pass.
  const auto legacy = html.find("<tr data-repository=\"acme/legacy\"");
  const auto legacy_row = html.substr(legacy, html.find("</tr>", legacy) - legacy);
  EXPECT_NE(legacy_row.find("stale-repository: left out"), std::string::npos) << legacy_row;
}

TEST(HtmlReporterTest, MarksSuppressedAndNewFindings) {
  auto report = sample_report();
  ASSERT_GE(report.findings.size(), 2U);
  report.findings[0].suppressed =
      core::SuppressionMark{"accepted <risk>", "2027-01-31", "b.yaml:3"};
  report.findings[1].baseline_state = core::BaselineState::new_finding;
  const auto html = render(HtmlReporter(), report);
  EXPECT_NE(html.find("<span class=\"badge suppressed\">suppressed</span><span class=\"why\">"
                      "accepted &lt;risk&gt; (until 2027-01-31) &mdash; b.yaml:3</span>"),
            std::string::npos);
  EXPECT_NE(html.find("<span class=\"badge new\">new</span>"), std::string::npos);
  EXPECT_NE(html.find("data-severity=\"suppressed\"><span class=\"n\">1<"), std::string::npos);
}

// Against a baseline, its findings that are gone get a section; with declarations, so do the
// checks that pass only because of them. Neither section appears otherwise.
TEST(HtmlReporterTest, ShowsFixedFindingsAndDeclaredPasses) {
  const auto plain = render(HtmlReporter(), sample_report());
  EXPECT_EQ(plain.find("id=\"fixed\""), std::string::npos);
  EXPECT_EQ(plain.find("id=\"declared\""), std::string::npos);

  auto report = sample_report();
  report.baseline = BaselineInfo{"old <report>.json", report.started_at};
  report.fixed.push_back(report.findings.front());
  const auto html = render(HtmlReporter(), report);
  EXPECT_NE(html.find("<h2>Fixed since the baseline (1)</h2>"), std::string::npos);
  EXPECT_NE(html.find("Findings of old &lt;report&gt;.json"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"badge fixed\">fixed</span>"), std::string::npos);

  const auto declared = render(HtmlReporter(), declared_report());
  EXPECT_NE(declared.find("<h2>Passes resting on declared restrictions (4)</h2>"),
            std::string::npos);
  EXPECT_NE(declared.find("<td>bbposture.yaml:14</td>"), std::string::npos);
  EXPECT_NE(declared.find("declared in bbposture.yaml:14"), std::string::npos);
}

TEST(HtmlReporterTest, UnselectedRulesAreNoColumns) {
  auto report = sample_report();
  report.rules = {core::find_rule("public-repository")};
  const auto html = render(HtmlReporter(), report);
  EXPECT_EQ(html.find("data-rule=\"stale-repository\" title="), std::string::npos);
  EXPECT_NE(html.find("data-rule=\"public-repository\" title="), std::string::npos);
}

// The rows of the table with this id (its first block; "" when there is none).
std::string table_of(const std::string& html, const std::string& id) {
  return between(html, "<table id=\"" + id + "\"", "</table>");
}

// acme/legacy's branch restrictions could not be read: eight rules unknown for one cause are one
// group. Another cause on the same repository, or the same cause on another, is a group of its own.
TEST(UnknownGroupsTest, OneGroupPerResourceReasonAndDetail) {
  auto report = sample_report();
  ASSERT_EQ(report.unknown.size(), 8U);
  const auto same = report.unknown.front();
  auto other_detail = same;
  other_detail.detail = "HTTP 500 after retries";
  auto other_repository = same;
  other_repository.repository = "acme/older";
  other_repository.resource.id = "{older}";
  other_repository.resource.name = "acme/older";
  report.unknown.push_back(other_detail);
  report.unknown.push_back(other_repository);
  const auto groups = group_unknowns(report.unknown);
  ASSERT_EQ(groups.size(), 3U);
  EXPECT_EQ(groups[0].first, &report.unknown.front());
  EXPECT_EQ(groups[0].checks, 8U);
  ASSERT_EQ(groups[0].rules.size(), 8U);
  for (std::size_t i = 1; i < groups[0].rules.size(); ++i) {
    EXPECT_LT(groups[0].rules[i - 1]->number, groups[0].rules[i]->number) << "catalogue order";
  }
  EXPECT_EQ(groups[1].first->detail, "HTTP 500 after retries");
  EXPECT_EQ(groups[2].first->resource.name, "acme/older");
  std::size_t checks = 0;
  for (const auto& g : groups) {
    checks += g.checks;
  }
  EXPECT_EQ(checks, report.unknown.size()) << "every unknown is in one group";
}

TEST(UnknownGroupsTest, TheUnknownTableHasOneRowPerCause) {
  const auto report = sample_report();
  const auto html = render(HtmlReporter(), report);
  const auto table = table_of(html, "unknown-table");
  ASSERT_FALSE(table.empty());
  EXPECT_EQ(occurrences(table, "<tr><td class=\"sev"), 1U) << table;
  EXPECT_NE(table.find("<td class=\"num\" data-checks=\"8\">8</td><td>2 PR review, 3 Direct "
                       "push, 5 Stale approvals, 6 Force push, 7 Branch protection, 8 Passing "
                       "builds, 9 Branch deletion, 10 Merge checks</td>"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("<td class=\"sev high\">High</td>"), std::string::npos)
      << "the highest severity of its rules";
  EXPECT_NE(html.find("<h2>Unknown (8)</h2>"), std::string::npos);
  EXPECT_NE(html.find("8 checks in 1 row."), std::string::npos);
}

// The grid's columns are labelled in the cell itself, not only in a tooltip.
TEST(HtmlReporterTest, GridColumnsCarryNumberAndShortName) {
  const auto report = sample_report();
  const auto html = render(HtmlReporter(), report);
  const auto head = between(html, "<table class=\"grid\" id=\"grid-table\">", "</thead>");
  ASSERT_FALSE(head.empty());
  for (const auto* rule : report.rules) {
    EXPECT_NE(head.find("\"><a href=\"#rule-" + std::string(rule->slug) + "\">" +
                        rule_label(*rule) + "</a></th>"),
              std::string::npos)
        << rule->slug;
  }
  EXPECT_EQ(rule_label(*core::find_rule("direct-push-allowed")), "3 Direct push");
  EXPECT_EQ(occurrences(head, "<th class=\"rule\""), report.rules.size());
}

// Each rule's remediation is in the page once, in its row of the Rules section; each finding
// folds a "How to fix" that links there (the script adds the text when it is opened).
TEST(HtmlReporterTest, RemediationOncePerRuleAndAFoldPerFinding) {
  const auto report = sample_report();
  const auto html = render(HtmlReporter(), report);
  const auto rules = table_of(html, "rules-table");
  ASSERT_FALSE(rules.empty());
  for (const auto* rule : report.rules) {
    const auto text = html_escape(rule->remediation);
    EXPECT_EQ(occurrences(html, text), 1U) << rule->slug;
    const auto row = between(rules, "<tr id=\"rule-" + std::string(rule->slug) + "\">", "</tr>");
    EXPECT_NE(row.find("<td class=\"remediation\">" + text + "</td>"), std::string::npos)
        << rule->slug << ": " << row;
  }
  const auto findings = table_of(html, "findings-table");
  EXPECT_EQ(occurrences(findings, "<details class=\"fix\">"), report.findings.size());
  const auto& first = report.findings.front();
  const auto row =
      between(findings, "<tr data-severity=\"critical\" data-rule=\"public-repository\"", "</tr>");
  EXPECT_NE(row.find("<details class=\"fix\"><summary>How to fix</summary><a "
                     "href=\"#rule-public-repository\">see rule 1 under Rules</a></details>"),
            std::string::npos)
      << row;
  EXPECT_EQ(first.rule->slug, "public-repository");
}

// The counts, the charts and the rules table leave suppressed findings out; the findings
// heading counts every row and says how many are suppressed.
TEST(HtmlReporterTest, CountsSayWhetherTheyIncludeSuppressedFindings) {
  auto report = sample_report();
  ASSERT_GE(report.findings.size(), 3U);
  for (std::size_t i = 0; i < 2; ++i) {
    report.findings[i].suppressed = core::SuppressionMark{"accepted", std::nullopt, "b.yaml:3"};
  }
  const auto html = render(HtmlReporter(), report);
  const auto total = report.findings.size();
  EXPECT_NE(html.find("<h2>Findings (" + std::to_string(total) + ", including 2 suppressed)</h2>"),
            std::string::npos);
  EXPECT_NE(html.find("<h2>Findings per severity (not counting 2 suppressed)</h2>"),
            std::string::npos);
  EXPECT_NE(html.find(">Findings per rule (coloured by severity) (not counting 2 suppressed)<"),
            std::string::npos);
  EXPECT_NE(html.find("<th>Suppressed</th>"), std::string::npos);
  // The first two findings are public-repository's and pr-review-not-required's only ones.
  const auto rules = table_of(html, "rules-table");
  const auto public_row = between(rules, "<tr id=\"rule-public-repository\">", "</tr>");
  EXPECT_NE(public_row.find("<td class=\"num\" data-count=\"findings\">0</td><td "
                            "class=\"num\" data-count=\"suppressed\">1</td>"),
            std::string::npos)
      << public_row;
  // A new finding that is suppressed: the "new" box says it counts it.
  report.findings[0].baseline_state = core::BaselineState::new_finding;
  report.findings[2].baseline_state = core::BaselineState::new_finding;
  EXPECT_NE(render(HtmlReporter(), report)
                .find("<span class=\"n\">2</span>New since the baseline, including 1 "
                      "suppressed</div>"),
            std::string::npos);
  // Without suppressions nothing is said about them.
  const auto plain = render(HtmlReporter(), sample_report());
  EXPECT_NE(plain.find("<h2>Findings (" + std::to_string(total) + ")</h2>"), std::string::npos);
  EXPECT_EQ(plain.find("not counting"), std::string::npos);
  EXPECT_EQ(plain.find("<th>Suppressed</th>"), std::string::npos);
}

// One workspace: no column repeats it on every row (the scope names it). Two: the column is
// back, with its filter.
TEST(HtmlReporterTest, OneWorkspaceHasNoWorkspaceColumn) {
  const auto one = render(HtmlReporter(), sample_report());
  ASSERT_NE(table_of(one, "findings-table").find("<th>Project</th>"), std::string::npos);
  EXPECT_EQ(one.find("<th>Workspace</th>"), std::string::npos);
  EXPECT_EQ(one.find("data-workspace="), std::string::npos);
  EXPECT_EQ(one.find("<select name=\"workspace\">"), std::string::npos);
  EXPECT_NE(one.find("<dt>Workspaces</dt><dd>acme</dd>"), std::string::npos);

  auto report = sample_report();
  report.workspaces.push_back("beta");
  const auto two = render(HtmlReporter(), report);
  EXPECT_NE(table_of(two, "findings-table").find("<th>Workspace</th>"), std::string::npos);
  EXPECT_NE(table_of(two, "errors-table").find("<th>Workspace</th>"), std::string::npos);
  EXPECT_NE(two.find("data-workspace=\"acme\""), std::string::npos);
  EXPECT_NE(two.find("<select name=\"workspace\">"), std::string::npos);
}

TEST(HtmlReporterTest, WithAHistoryTheTrendAndEachFindingsAgeAreShown) {
  auto report = sample_report();
  const auto without = render(HtmlReporter(), report);
  EXPECT_EQ(without.find("id=\"trend\""), std::string::npos);
  EXPECT_EQ(without.find("first seen"), std::string::npos);
  HistoryView history;
  history.scans.push_back({test::test_now() - std::chrono::hours(48), {1, 2, 3, 4}});
  history.scans.push_back({test::test_now(), {0, 2, 3, 5}});
  const auto& first = report.findings.at(0);
  history.first_seen[first.fingerprint] = test::test_now() - std::chrono::hours(24 * 30);
  report.history = history;
  const auto page = render(HtmlReporter(), report);
  const auto trend = page.find("<section id=\"trend\">");
  ASSERT_NE(trend, std::string::npos) << page;
  const auto section = page.substr(trend, page.find("</section>", trend) - trend);
  EXPECT_NE(section.find("Trend (last 2 scans"), std::string::npos) << section;
  EXPECT_NE(section.find("<td class=\"num\">5</td></tr>"), std::string::npos) << section;
  const auto row = page.find("data-fingerprint=\"" + first.fingerprint + "\"");
  ASSERT_NE(row, std::string::npos);
  const auto cells = page.substr(row, page.find("</tr>", row) - row);
  EXPECT_NE(cells.find(", 30 days ago"), std::string::npos) << cells;
  // A finding the history has not seen before this scan has no age line.
  const auto& other = report.findings.at(1);
  const auto other_row = page.find("data-fingerprint=\"" + other.fingerprint + "\"");
  ASSERT_NE(other_row, std::string::npos);
  EXPECT_EQ(page.substr(other_row, page.find("</tr>", other_row) - other_row).find("first seen"),
            std::string::npos);
}

}  // namespace
}  // namespace bbp::report::testing
