// The HTML report in a real browser: headless Chromium opens the golden report
// (tests/data/golden/report.html), runs its scripts, and the test reads the resulting DOM.
//
// No network: Chromium runs with every host name mapped to "not found", so nothing could leave
// the machine anyway, and the page itself says whether it asked for anything. Its first script
// counts loads its Content-Security-Policy blocked (data-blocked-loads on <html>) and, once
// loaded, how many resources the browser fetched (data-resource-loads, from the Resource Timing
// API). A canary copy of the page with one external image proves the count can go up.
// Skipped (with the reason) only when Chromium is not installed; scripts/bootstrap installs it.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "bbp/core/catalogue.hpp"
#include "bbp/report/html_reporter.hpp"
#include "html_grid.hpp"
#include "process.hpp"

namespace bbp::report::testing {
namespace {

namespace fs = std::filesystem;

const std::string kGolden = std::string(BBP_TEST_DATA_DIR) + "/golden/report.html";
const std::string kGoldenJson = std::string(BBP_TEST_DATA_DIR) + "/golden/report.json";
const std::string kScreenshotDir = BBP_SCREENSHOT_DIR;

std::string chromium_path() {
  const char* given = std::getenv("BBP_CHROMIUM");  // NOLINT(concurrency-mt-unsafe)
  if (given != nullptr && *given != '\0') {
    return given;
  }
  for (const std::string candidate : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return {};
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

class BrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = chromium_path();
    if (chromium_.empty()) {
      GTEST_SKIP() << "chromium is not installed (scripts/bootstrap installs it)";
    }
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    scratch_ = fs::temp_directory_path() /
               ("bbp_browser_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(scratch_);
    fs::create_directories(scratch_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(scratch_, ec);
  }

  // Headless Chromium with its own profile, no network, and a generous fixed budget of virtual
  // time for the page's scripts (virtual time: it does not wait for the wall clock).
  std::vector<std::string> chromium(const std::vector<std::string>& extra) const {
    std::vector<std::string> argv{"/usr/bin/timeout",
                                  "120",
                                  chromium_,
                                  "--headless",
                                  "--no-sandbox",
                                  "--disable-gpu",
                                  "--disable-dev-shm-usage",
                                  "--no-first-run",
                                  "--disable-extensions",
                                  "--disable-background-networking",
                                  "--host-resolver-rules=MAP * ~NOTFOUND",
                                  "--user-data-dir=" + (scratch_ / "profile").string(),
                                  "--virtual-time-budget=2000"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  std::string dump_dom(const std::string& path, const std::string& fragment = "") const {
    const auto result = run(chromium({"--dump-dom", "file://" + path + fragment}));
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("</html>"), std::string::npos) << result.err;
    return result.out;
  }

  std::string chromium_;
  fs::path scratch_;
};

// The page ran its scripts and loaded nothing.
void expect_no_network(const std::string& dom) {
  EXPECT_NE(dom.find("class=\"js\""), std::string::npos) << "the page's script ran";
  EXPECT_NE(dom.find("data-blocked-loads=\"0\""), std::string::npos) << "no load was attempted";
  EXPECT_NE(dom.find("data-resource-loads=\"0\""), std::string::npos) << "no resource was loaded";
}

TEST_F(BrowserTest, GoldenReportShowsCountsAndGridWithoutNetwork) {
  const auto dom = dump_dom(kGolden);
  expect_no_network(dom);
  const auto summary = nlohmann::json::parse(read_file(kGoldenJson)).at("summary");
  for (const std::string severity : {"Critical", "High", "Medium", "Low"}) {
    std::string css = severity;
    css[0] = static_cast<char>(css[0] - 'A' + 'a');
    EXPECT_NE(dom.find("data-severity=\"" + css + "\"><span class=\"n\">" +
                       std::to_string(summary.at(severity).get<int>()) + "</span>" + severity),
              std::string::npos)
        << severity;
  }
  // The golden scenario's public repository fails rule 1 in its row of the grid; a private one
  // passes it in its own, so the first check could not be met by another row.
  const auto website = test::grid_row(dom, "acme/website");
  EXPECT_EQ(test::grid_cell(website, "public-repository"),
            "<td class=\"cell fail\" data-rule=\"public-repository\" "
            "title=\"public-repository: fail\">\xE2\x9C\x97</td>");
  EXPECT_EQ(test::grid_state(test::grid_row(dom, "acme/api"), "public-repository"), "pass");
  // acme/legacy's branch restrictions could not be read: unknown there, a failure on website.
  EXPECT_EQ(test::grid_state(test::grid_row(dom, "acme/legacy"), "force-push-allowed"), "unknown");
  EXPECT_EQ(test::grid_state(website, "force-push-allowed"), "fail");
  const auto total = summary.at("total").get<std::size_t>();
  EXPECT_NE(dom.find("data-shown-findings=\"" + std::to_string(total) + "\""), std::string::npos);
  EXPECT_NE(dom.find("Showing " + std::to_string(total) + " of " + std::to_string(total)),
            std::string::npos);
  EXPECT_EQ(count_of(dom, "<form id=\"filters\" hidden"), 0U) << "the script shows the filters";
}

TEST_F(BrowserTest, FilterFromTheFragmentShowsOnlyThoseFindings) {
  const auto summary = nlohmann::json::parse(read_file(kGoldenJson)).at("summary");
  const auto high = summary.at("High").get<std::size_t>();
  const auto total = summary.at("total").get<std::size_t>();
  ASSERT_GT(high, 0U);
  ASSERT_GT(total, high);
  const auto dom = dump_dom(kGolden, "#severity=HIGH");
  expect_no_network(dom);
  EXPECT_NE(dom.find("data-shown-findings=\"" + std::to_string(high) + "\""), std::string::npos);
  EXPECT_NE(dom.find("Showing " + std::to_string(high) + " of " + std::to_string(high) +
                     " findings that match (" + std::to_string(total) + " in all)"),
            std::string::npos);
  // The table holds exactly the High findings.
  const std::regex row(R"re(<tr data-severity="([a-z]+)")re");
  std::size_t rows = 0;
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), row); it != std::sregex_iterator();
       ++it) {
    ++rows;
    EXPECT_EQ((*it)[1].str(), "high");
  }
  EXPECT_EQ(rows, high);
  // A text filter combines with the fragment's other fields.
  const auto none = dump_dom(kGolden, "#severity=high&q=no-such-text-anywhere");
  EXPECT_NE(none.find("data-shown-findings=\"0\""), std::string::npos);
}

TEST_F(BrowserTest, ALoadWouldBeCounted) {
  auto html = read_file(kGolden);
  const auto body = html.find("<body>");
  ASSERT_NE(body, std::string::npos);
  html.insert(body + 6, "<img src=\"http://canary.invalid/pixel.png\" alt=\"\">");
  const auto canary = (scratch_ / "canary.html").string();
  write_file(canary, html);
  const auto dom = dump_dom(canary);
  EXPECT_EQ(dom.find("data-blocked-loads=\"0\""), std::string::npos) << "the canary was counted";
  EXPECT_NE(dom.find("data-blocked-loads=\"1\""), std::string::npos);
}

TEST_F(BrowserTest, RepositoryNamedLikeMarkupRunsNothing) {
  const std::string payload =
      "<script>document.documentElement.setAttribute('data-pwned','1')</script>"
      "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','2')\">";
  ScanReport report;
  report.tool_version = "test";
  report.workspaces = {payload};
  report.rules = {core::find_rule("public-repository")};
  core::Evaluation finding;
  finding.rule = core::find_rule("public-repository");
  finding.outcome = core::Outcome::fail;
  finding.workspace = payload;
  finding.repository = payload;
  finding.project = payload;
  finding.resource = {core::ResourceType::repository, payload, payload,
                      "https://x.test/\"" + payload};
  finding.evidence = nlohmann::json{{"name", payload}};
  report.findings.push_back(finding);
  std::ostringstream out;
  HtmlReporter().write(report, out);
  const auto path = (scratch_ / "hostile.html").string();
  write_file(path, out.str());
  const auto dom = dump_dom(path, "#workspace=" + std::string("%3Cscript%3E"));
  EXPECT_NE(dom.find("class=\"js\""), std::string::npos) << "the page's own script ran";
  EXPECT_EQ(dom.find("data-pwned=\""), std::string::npos) << "no injected code ran";
  EXPECT_NE(dom.find("&lt;script&gt;document.documentElement"), std::string::npos)
      << "the name is shown as text";
  EXPECT_NE(dom.find("data-blocked-loads=\"0\""), std::string::npos) << "the <img> is text too";
}

// More repositories with a failure than the grid holds: the page says which part of the grid
// it shows, and every finding is still in the table and can be filtered.
TEST_F(BrowserTest, CappedGridSaysSoAndFindingsStayComplete) {
  const auto* rule = core::find_rule("public-repository");
  ScanReport report;
  report.tool_version = "test";
  report.workspaces = {"acme"};
  report.rules = {rule};
  const auto repositories = HtmlReporter::kGridRows + 50;
  report.repositories = repositories;
  for (std::size_t i = 0; i < repositories; ++i) {
    core::Evaluation finding;
    finding.rule = rule;
    finding.outcome = core::Outcome::fail;
    finding.workspace = "acme";
    finding.repository = "acme/repo-" + std::to_string(i);
    finding.resource = {core::ResourceType::repository, "{" + std::to_string(i) + "}",
                        *finding.repository, "https://bitbucket.org/" + *finding.repository};
    finding.evidence = nlohmann::json{{"is_private", false}};
    report.findings.push_back(finding);
  }
  std::ostringstream out;
  HtmlReporter().write(report, out);
  const auto path = (scratch_ / "capped.html").string();
  write_file(path, out.str());
  const auto dom = dump_dom(path, "#q=acme/repo-549");
  expect_no_network(dom);
  EXPECT_NE(dom.find("Showing the " + std::to_string(HtmlReporter::kGridRows) + " worst of " +
                     std::to_string(repositories) + " repositories with a failure or unknown"),
            std::string::npos);
  EXPECT_EQ(count_of(dom, "<tr data-repository="), HtmlReporter::kGridRows);
  EXPECT_EQ(count_of(dom, "<tr data-severity="), 1U);
  EXPECT_NE(
      dom.find("Showing 1 of 1 findings that match (" + std::to_string(repositories) + " in all)"),
      std::string::npos);
}

// A report with more findings and unknowns than the page shows as rows when it opens.
ScanReport long_report(std::size_t findings, std::size_t unknowns) {
  const auto* rule = core::find_rule("public-repository");
  ScanReport report;
  report.tool_version = "test";
  report.workspaces = {"acme"};
  report.rules = {rule};
  report.repositories = findings;
  for (std::size_t i = 0; i < findings + unknowns; ++i) {
    core::Evaluation e;
    e.rule = rule;
    e.workspace = "acme";
    e.repository = "acme/row-" + std::to_string(i);
    e.resource = {core::ResourceType::repository, "{" + std::to_string(i) + "}", *e.repository,
                  "https://bitbucket.org/" + *e.repository};
    if (i < findings) {
      e.outcome = core::Outcome::fail;
      e.evidence = nlohmann::json{{"is_private", false}, {"note", "a & b <c>"}};
      report.findings.push_back(e);
    } else {
      e.outcome = core::Outcome::unknown;
      e.reason = core::UnknownReason::forbidden;
      e.detail = "403 on row " + std::to_string(i);
      report.unknown.push_back(e);
    }
  }
  return report;
}

std::string with_script(std::string html, const std::string& script) {
  html.insert(html.rfind("</body>"), "<script>" + script + "</script>");
  return html;
}

// The rows beyond the first kTableRows are built when asked for: "Show more", sorting (on keys
// read from rows that were never elements), "Show the other N", a text filter and printing. A
// script added after the page's own clicks through it and writes down what the page showed.
TEST_F(BrowserTest, LongTablesShowMoreSortFilterAndPrint) {
  const std::size_t findings = 2 * HtmlReporter::kTableRows + 234;
  const std::size_t unknowns = HtmlReporter::kTableRows + 200;
  std::ostringstream out;
  HtmlReporter().write(long_report(findings, unknowns), out);
  const auto path = (scratch_ / "long.html").string();
  write_file(path, with_script(out.str(), R"js(
    const root = document.documentElement;
    const note = (name, value) => root.setAttribute('data-test-' + name, String(value));
    const rows = (id) => document.querySelectorAll('#' + id + ' tbody tr').length;
    // One workspace: no Workspace column, so Resource is the fourth.
    const first = () => document.querySelector('#findings-table tbody tr').cells[3].textContent;
    note('open', rows('findings-table') + ' ' + rows('unknown-table'));
    note('noscript-left', document.querySelectorAll('noscript').length);
    document.querySelector('#findings-table-more button').click();
    note('more', rows('findings-table') + ' ' + document.getElementById('shown').textContent);
    const sort = document.querySelectorAll('#findings-table thead button')[3];
    sort.click();
    sort.click();
    note('sorted', rows('findings-table') + ' ' + first());
    document.querySelectorAll('#findings-table-more button')[1].click();
    note('all', rows('findings-table') + ' ' +
                document.getElementById('findings-table-more').hidden);
    window.dispatchEvent(new Event('beforeprint'));
    note('print', rows('unknown-table') + ' ' +
                  document.getElementById('unknown-table-more').hidden);
  )js"));
  const auto dom = dump_dom(path);
  expect_no_network(dom);
  const auto limit = std::to_string(HtmlReporter::kTableRows);
  const auto two = std::to_string(2 * HtmlReporter::kTableRows);
  EXPECT_NE(dom.find("data-test-open=\"" + limit + " " + limit + "\""), std::string::npos);
  EXPECT_NE(dom.find("data-test-noscript-left=\"0\""), std::string::npos);
  EXPECT_NE(dom.find("data-test-more=\"" + two + " Showing " + two + " of " +
                     std::to_string(findings) + " findings\""),
            std::string::npos);
  // Descending by resource: the last row of the last block comes first.
  EXPECT_NE(dom.find("data-test-sorted=\"" + limit + " acme/row-" + std::to_string(findings - 1) +
                     "repository\""),
            std::string::npos);
  EXPECT_NE(dom.find("data-test-all=\"" + std::to_string(findings) + " true\""), std::string::npos);
  EXPECT_NE(dom.find("data-test-print=\"" + std::to_string(unknowns) + " true\""),
            std::string::npos);
  EXPECT_EQ(count_of(dom, "a &amp; b &lt;c&gt;"), findings) << "evidence stays text";

  const auto row = "acme/row-" + std::to_string(findings - 100);
  const auto filtered = dump_dom(path, "#q=" + row);
  EXPECT_NE(filtered.find("data-shown-findings=\"1\""), std::string::npos);
  EXPECT_NE(filtered.find("data-test-open=\"1 " + limit + "\""), std::string::npos);
  EXPECT_NE(filtered.find(">" + row + "</a>"), std::string::npos);
}

// Without JavaScript the noscript blocks are tables: every row is in the document. The page is
// opened in a frame that may not run scripts; the test page around it counts the rows.
TEST_F(BrowserTest, WithoutJavaScriptEveryRowIsThere) {
  const std::size_t findings = 2 * HtmlReporter::kTableRows + 234;
  const std::size_t unknowns = HtmlReporter::kTableRows + 200;
  std::ostringstream out;
  HtmlReporter().write(long_report(findings, unknowns), out);
  write_file((scratch_ / "long.html").string(), out.str());
  const auto frame = (scratch_ / "frame.html").string();
  write_file(frame, R"(<!DOCTYPE html><html><body>
<iframe id="f" sandbox="allow-same-origin" src="long.html"></iframe>
<script>
document.getElementById('f').addEventListener('load', function () {
  const page = document.getElementById('f').contentDocument;
  const count = (selector) => page.querySelectorAll(selector).length;
  document.body.setAttribute('data-count', [count('tr[data-severity]'),
      count('#unknown-table tbody tr') + count('noscript[data-rest-of="unknown-table"] tbody tr'),
      page.documentElement.className || 'no-script-ran'].join(' '));
});
</script></body></html>)");
  const auto result =
      run(chromium({"--allow-file-access-from-files", "--dump-dom", "file://" + frame}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("data-count=\"" + std::to_string(findings) + " " +
                            std::to_string(unknowns) + " no-script-ran\""),
            std::string::npos)
      << result.out.substr(0, 400);
}

// Findings of four rules in one workspace, every fifth suppressed, more than the table shows
// when it opens; unknowns of two causes (three rules for one 403, one for another).
ScanReport agreeing_report() {
  ScanReport report;
  report.tool_version = "test";
  report.workspaces = {"acme"};
  for (const char* slug :
       {"public-repository", "pr-review-not-required", "direct-push-allowed", "old-key"}) {
    report.rules.push_back(core::find_rule(slug));
  }
  const std::size_t findings = HtmlReporter::kTableRows + 100;
  report.repositories = findings;
  for (std::size_t i = 0; i < findings; ++i) {
    core::Evaluation f;
    f.rule = report.rules[(i * 7 + i / 3) % report.rules.size()];
    f.outcome = core::Outcome::fail;
    f.workspace = "acme";
    f.repository = "acme/repo-" + std::to_string(i);
    f.resource = {core::ResourceType::repository, "{" + std::to_string(i) + "}", *f.repository,
                  "https://bitbucket.org/" + *f.repository};
    f.evidence = nlohmann::json{{"n", i}};
    if (i % 5 == 0) {
      f.suppressed = core::SuppressionMark{"accepted", std::nullopt, "bbposture.yaml:3"};
    }
    report.findings.push_back(f);
  }
  const auto unknown = [&](const char* slug, const std::string& repository, std::string detail) {
    core::Evaluation u;
    u.rule = core::find_rule(slug);
    u.outcome = core::Outcome::unknown;
    u.workspace = "acme";
    u.repository = repository;
    u.resource = {core::ResourceType::repository, "{" + repository + "}", repository, ""};
    u.reason = core::UnknownReason::forbidden;
    u.detail = std::move(detail);
    report.unknown.push_back(u);
  };
  for (const char* slug : {"pr-review-not-required", "direct-push-allowed", "old-key"}) {
    unknown(slug, "acme/locked", "HTTP 403");
  }
  unknown("direct-push-allowed", "acme/other", "HTTP 403 on the branching model");
  return report;
}

// Reads what the page shows, after its script ran, into JSON in a <script id="test-numbers">:
// the cards, the headings, the charts' bars and titles, the rules table, every findings row
// (after "Show more" until none is left), the unknown rows, the grid's column labels and whether
// they are laid out, the findings table's columns, and the text a finding's opened "How to fix"
// shows.
const char* const kReadNumbers = R"js(
  const n = (el) => (el ? Number(el.textContent.trim()) : null);
  const text = (selector) => document.querySelector(selector).textContent;
  const out = {cards: {}};
  for (const card of document.querySelectorAll('#summary .count')) {
    out.cards[card.getAttribute('data-severity')] = n(card.querySelector('.n'));
  }
  out.headings = [text('#summary h2'), text('#findings h2'), text('#unknown h2')];
  const bars = (id) => Array.from(document.querySelectorAll('#' + id + ' g'), (g) => {
    const t = g.querySelectorAll('text');
    return [t[0].textContent, Number(t[1].textContent)];
  });
  out.severity_bars = bars('chart-severity');
  out.rule_bars = bars('chart-rule');
  out.chart_titles = Array.from(document.querySelectorAll('svg.chart > text'), (t) => t.textContent);
  out.rules = Array.from(document.querySelectorAll('#rules-table tbody tr'), (tr) => ({
    id: tr.id, findings: n(tr.querySelector('[data-count=findings]')),
    suppressed: n(tr.querySelector('[data-count=suppressed]')),
    unknown: n(tr.querySelector('[data-count=unknown]')),
    fix: tr.querySelector('.remediation').textContent}));
  const more = document.getElementById('findings-table-more');
  while (more && !more.hidden) { more.querySelector('button').click(); }
  out.rows = Array.from(document.querySelectorAll('#findings-table tbody tr'), (tr) => ({
    severity: tr.getAttribute('data-severity'), rule: tr.getAttribute('data-rule'),
    suppressed: tr.querySelector('.badge.suppressed') !== null}));
  out.shown = text('#shown');
  out.unknown_rows = Array.from(document.querySelectorAll('#unknown-table tbody tr'), (tr) => ({
    checks: n(tr.querySelector('[data-checks]')), rules: tr.cells[5].textContent}));
  out.labels = Array.from(document.querySelectorAll('#grid-table thead th.rule'), (th) => {
    const box = th.firstElementChild.getBoundingClientRect();
    return {text: th.textContent, laid_out: box.width > 0 && box.height > 0 &&
            getComputedStyle(th.firstElementChild).visibility === 'visible'};
  });
  out.columns = Array.from(document.querySelectorAll('#findings-table thead th'),
                           (th) => th.textContent);
  const fold = document.querySelector('#findings-table details.fix');
  const done = () => {
    const shown = fold.querySelector('.fix-text');
    out.fix = {rule: fold.closest('tr').getAttribute('data-rule'),
               text: shown ? shown.textContent : null, link: fold.querySelector('a').textContent};
    const data = document.createElement('script');
    data.type = 'application/json';
    data.id = 'test-numbers';
    data.textContent = JSON.stringify(out);
    document.body.appendChild(data);
  };
  fold.addEventListener('toggle', () => setTimeout(done, 0));
  fold.open = true;
)js";

nlohmann::json numbers_in(const std::string& dom) {
  const std::string open = "<script type=\"application/json\" id=\"test-numbers\">";
  const auto at = dom.find(open);
  if (at == std::string::npos) {
    ADD_FAILURE() << "the test script wrote nothing: " << dom.substr(0, 300);
    return nlohmann::json::object();
  }
  const auto begin = at + open.size();
  return nlohmann::json::parse(dom.substr(begin, dom.find("</script>", begin) - begin));
}

// Every number the page shows agrees with the others and with the rows: the severity cards and
// the severity chart count the rows that are not suppressed, the Suppressed card the others, the
// findings heading all of them and says how many are suppressed; the per-rule chart and the
// rules table count each rule's rows; the Unknown card, heading and grouped rows count the same
// checks. The page also shows each rule's remediation, the grid's column labels, and no
// Workspace column for one workspace.
TEST_F(BrowserTest, NumbersAgreeWithEachOtherAndWithTheRows) {
  const auto report = agreeing_report();
  std::ostringstream out;
  HtmlReporter().write(report, out);
  const auto path = (scratch_ / "agree.html").string();
  write_file(path, with_script(out.str(), kReadNumbers));
  const auto dom = dump_dom(path);
  expect_no_network(dom);
  const auto got = numbers_in(dom);
  ASSERT_TRUE(got.contains("fix")) << got.dump(1);

  // What the rows say.
  std::map<std::string, std::size_t> open_by_severity;
  std::map<std::string, std::size_t> open_by_rule;
  std::map<std::string, std::size_t> suppressed_by_rule;
  std::size_t suppressed = 0;
  for (const auto& row : got.at("rows")) {
    const auto rule = row.at("rule").get<std::string>();
    if (row.at("suppressed").get<bool>()) {
      ++suppressed;
      ++suppressed_by_rule[rule];
    } else {
      ++open_by_severity[row.at("severity").get<std::string>()];
      ++open_by_rule[rule];
    }
  }
  const auto rows = got.at("rows").size();
  ASSERT_EQ(rows, report.findings.size()) << "every row is shown";
  ASSERT_GT(suppressed, 0U);

  // Cards and the severity chart: the rows that are not suppressed.
  const auto& cards = got.at("cards");
  for (const auto& [label, value] :
       got.at("severity_bars").get<std::vector<std::pair<std::string, std::size_t>>>()) {
    std::string css = label;
    css[0] = static_cast<char>(css[0] - 'A' + 'a');
    EXPECT_EQ(cards.at(css).get<std::size_t>(), open_by_severity[css]) << label;
    EXPECT_EQ(value, open_by_severity[css]) << label;
  }
  EXPECT_EQ(cards.at("suppressed").get<std::size_t>(), suppressed);
  const auto& headings = got.at("headings");
  const auto not_counting = "(not counting " + std::to_string(suppressed) + " suppressed)";
  EXPECT_NE(headings[0].get<std::string>().find(not_counting), std::string::npos) << headings;
  for (const auto& title : got.at("chart_titles")) {
    EXPECT_NE(title.get<std::string>().find(not_counting), std::string::npos) << title;
  }
  EXPECT_EQ(headings[1].get<std::string>(), "Findings (" + std::to_string(rows) + ", including " +
                                                std::to_string(suppressed) + " suppressed)");
  EXPECT_EQ(got.at("shown").get<std::string>(),
            "Showing " + std::to_string(rows) + " of " + std::to_string(rows) + " findings");

  // Per rule: the chart's bars, the rules table and the rows; the unknowns' rows name the rules.
  std::size_t unknown_checks = 0;
  std::string unknown_rules;
  for (const auto& row : got.at("unknown_rows")) {
    unknown_checks += row.at("checks").get<std::size_t>();
    unknown_rules += row.at("rules").get<std::string>() + ", ";
  }
  const auto& bars = got.at("rule_bars");
  const auto& rules = got.at("rules");
  ASSERT_EQ(bars.size(), report.rules.size());
  ASSERT_EQ(rules.size(), report.rules.size());
  for (std::size_t i = 0; i < report.rules.size(); ++i) {
    const auto* rule = report.rules[i];
    const std::string slug(rule->slug);
    EXPECT_EQ(bars[i][0].get<std::string>(), std::to_string(rule->number) + " " + slug);
    EXPECT_EQ(bars[i][1].get<std::size_t>(), open_by_rule[slug]) << slug;
    EXPECT_EQ(rules[i].at("id").get<std::string>(), "rule-" + slug);
    EXPECT_EQ(rules[i].at("findings").get<std::size_t>(), open_by_rule[slug]) << slug;
    EXPECT_EQ(rules[i].at("suppressed").get<std::size_t>(), suppressed_by_rule[slug]) << slug;
    EXPECT_EQ(rules[i].at("unknown").get<std::size_t>(),
              count_of(unknown_rules, rule_label(*rule) + ", "))
        << slug;
    EXPECT_EQ(rules[i].at("fix").get<std::string>(), rule->remediation) << slug;
  }
  EXPECT_EQ(got.at("unknown_rows").size(), 2U) << "one row per cause";
  EXPECT_EQ(unknown_checks, report.unknown.size());
  EXPECT_EQ(cards.at("unknown").get<std::size_t>(), unknown_checks);
  EXPECT_EQ(headings[2].get<std::string>(), "Unknown (" + std::to_string(unknown_checks) + ")");

  // A finding's "How to fix", opened, shows its rule's remediation above the link.
  const auto* fixed_rule = core::find_rule(got.at("fix").at("rule").get<std::string>());
  ASSERT_NE(fixed_rule, nullptr);
  EXPECT_EQ(got.at("fix").at("text").get<std::string>(), fixed_rule->remediation);
  EXPECT_EQ(got.at("fix").at("link").get<std::string>(),
            "see rule " + std::to_string(fixed_rule->number) + " under Rules");

  // The grid's columns are labelled, laid out, not a bare number; one workspace, no column.
  const auto& labels = got.at("labels");
  ASSERT_EQ(labels.size(), report.rules.size());
  for (std::size_t i = 0; i < report.rules.size(); ++i) {
    EXPECT_EQ(labels[i].at("text").get<std::string>(), rule_label(*report.rules[i]));
    EXPECT_TRUE(labels[i].at("laid_out").get<bool>()) << labels[i];
  }
  const auto columns = got.at("columns").get<std::vector<std::string>>();
  EXPECT_NE(std::find(columns.begin(), columns.end(), "Project"), columns.end());
  EXPECT_EQ(std::find(columns.begin(), columns.end(), "Workspace"), columns.end());
}

// A picture for a person to look at (kept under build/, not committed): the report as a 1400 px
// wide window shows it, after its scripts ran.
TEST_F(BrowserTest, Screenshot) {
  fs::create_directories(kScreenshotDir);
  const auto png = kScreenshotDir + "/report.png";
  fs::remove(png);
  const auto result =
      run(chromium({"--screenshot=" + png, "--window-size=1400,2000", "file://" + kGolden}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  ASSERT_TRUE(fs::exists(png)) << result.err;
  EXPECT_GT(fs::file_size(png), 20000U) << "a page, not a blank image";
  EXPECT_EQ(read_file(png).substr(1, 3), "PNG");
  std::cout << "screenshot: " << png << '\n';
}

}  // namespace
}  // namespace bbp::report::testing
