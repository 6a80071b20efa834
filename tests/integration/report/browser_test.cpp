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
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bbp/core/catalogue.hpp"
#include "bbp/report/html_reporter.hpp"
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
  // The golden scenario's public repository fails rule 1 in the grid.
  EXPECT_NE(dom.find("data-rule=\"public-repository\" title=\"public-repository: fail\">"
                     "\xE2\x9C\x97</td>"),
            std::string::npos);
  EXPECT_NE(dom.find("<td class=\"cell unknown\""), std::string::npos);
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
  EXPECT_NE(dom.find("Showing " + std::to_string(high) + " of " + std::to_string(total)),
            std::string::npos);
  // Every finding row that is not hidden is a High one.
  const std::regex row(R"re(<tr data-severity="([a-z]+)"[^>]*?( hidden="")?>)re");
  std::size_t shown = 0;
  std::size_t rows = 0;
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), row); it != std::sregex_iterator();
       ++it) {
    ++rows;
    if (!(*it)[2].matched) {
      ++shown;
      EXPECT_EQ((*it)[1].str(), "high");
    }
  }
  EXPECT_EQ(rows, total);
  EXPECT_EQ(shown, high);
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
  EXPECT_EQ(count_of(dom, "<tr data-severity="), repositories);
  EXPECT_NE(dom.find("Showing 1 of " + std::to_string(repositories) + " findings"),
            std::string::npos);
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
