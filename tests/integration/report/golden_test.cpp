// End to end: the real bbposture binary against an in-process fake Bitbucket serving one fixed
// scenario (tests/data/scenarios/golden.json) with a frozen clock. Every format is compared
// byte for byte with tests/data/golden/report.<format>; BBP_UPDATE_GOLDEN=1 rewrites them.
// The HTML one is also opened in a real browser by browser_test.cpp.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "fake_scan_fixture.hpp"
#include "golden.hpp"
#include "process.hpp"

namespace bbp::report::testing {
namespace {

namespace fs = std::filesystem;

const std::string kData = BBP_TEST_DATA_DIR;
const std::string kSource = BBP_SOURCE_DIR;
const std::string kBinary = BBPOSTURE_BINARY;
const std::string kPython = "/usr/bin/python3";
const std::string kValidator = kSource + "/tests/integration/report/validate_json.py";
const std::string kSarifSchema = kData + "/schemas/sarif-schema-2.1.0.json";
const std::string kReportSchema = kSource + "/docs/report.schema.json";
const std::string kJunitSchema = kData + "/schemas/junit.xsd";
const std::string kXmllint = "/usr/bin/xmllint";  // libxml2-utils (scripts/bootstrap --tests)

using test::FakeScanFixture;
using test::TempDir;

class GoldenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    bb_ = new FakeScanFixture(kBinary, test::scenario_file(kData + "/scenarios/golden.json"),
                              test::client_credentials("golden-client", "golden-secret"));
  }
  static void TearDownTestSuite() {
    delete bb_;
    bb_ = nullptr;
  }

  // `bbposture scan` against the fake; one request at a time so the request count and the
  // order of everything are the same on every run.
  static std::vector<std::string> scan_args(const std::string& format,
                                            const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"--concurrency", "1", "--no-progress", "-f", format};
    args.insert(args.end(), extra.begin(), extra.end());
    return bb_->scan_args(args);
  }
  static test::RunResult scan(const std::string& format,
                              const std::vector<std::string>& extra = {}) {
    return bb_->run(scan_args(format, extra));
  }

  static std::string normalise(const std::string& text) {
    return testing::normalise(text, bb_->fake().base_url());
  }

  // Runs one format with -o into a scratch folder and returns the (normalised) report.
  static std::string scan_to_file(const std::string& format) {
    const TempDir dir;
    const auto out = dir.file("report." + format);
    const auto result = scan(format, {"-o", out});
    EXPECT_EQ(result.exit_code, 3) << "incomplete scan (one unknown) exits 3\n" << result.err;
    EXPECT_EQ(result.out, "") << "with -o nothing goes to stdout";
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"report." + format})
        << "no temporary file is left next to the report";
    return fs::exists(out) ? normalise(read_file(out)) : std::string();
  }

  static RunResult validate(const std::vector<std::string>& args) {
    std::vector<std::string> argv{kPython, kValidator};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  }

  // `xmllint --schema tests/data/schemas/junit.xsd FILE`: exit 0 when FILE is valid JUnit XML.
  static RunResult validate_junit(const std::string& file) {
    EXPECT_TRUE(fs::exists(kXmllint)) << "xmllint is missing: run scripts/bootstrap --tests";
    return run({kXmllint, "--noout", "--schema", kJunitSchema, file});
  }

  static FakeScanFixture* bb_;
};

FakeScanFixture* GoldenTest::bb_ = nullptr;

TEST_F(GoldenTest, JsonMatchesGolden) {
  expect_golden("report.json", scan_to_file("json"));
}

TEST_F(GoldenTest, JsonlMatchesGolden) {
  expect_golden("report.jsonl", scan_to_file("jsonl"));
}

TEST_F(GoldenTest, SarifMatchesGolden) {
  expect_golden("report.sarif", scan_to_file("sarif"));
}

TEST_F(GoldenTest, CsvMatchesGolden) {
  expect_golden("report.csv", scan_to_file("csv"));
}

TEST_F(GoldenTest, TableMatchesGolden) {
  expect_golden("report.table", scan_to_file("table"));
}

TEST_F(GoldenTest, HtmlMatchesGolden) {
  expect_golden("report.html", scan_to_file("html"));
}

// JUnit XML: -f junit, or an -o file ending in .xml.
TEST_F(GoldenTest, JunitMatchesGoldenAndAnXmlFileIsJunit) {
  const TempDir dir;
  const auto by_flag = scan("junit");
  EXPECT_EQ(by_flag.exit_code, 3) << by_flag.err;
  expect_golden("report.junit.xml", normalise(by_flag.out));
  const auto by_extension = bb_->run(
      bb_->scan_args({"--concurrency", "1", "--no-progress", "-o", dir.file("posture.xml")}));
  EXPECT_EQ(by_extension.exit_code, 3) << by_extension.err;
  EXPECT_EQ(normalise(read_file(dir.file("posture.xml"))), normalise(by_flag.out));
}

TEST_F(GoldenTest, JunitValidatesAgainstTheJunitSchema) {
  const auto golden = validate_junit(kData + "/golden/report.junit.xml");
  EXPECT_EQ(golden.exit_code, 0) << golden.out << golden.err;
  const auto diff = validate_junit(kData + "/golden/diff.junit.xml");
  EXPECT_EQ(diff.exit_code, 0) << diff.out << diff.err;
  const auto extended = validate_junit(kData + "/golden/extended.junit.xml");
  EXPECT_EQ(extended.exit_code, 0) << extended.out << extended.err;

  const TempDir dir;
  const auto live = scan("junit", {"-o", dir.file("live.xml")});
  ASSERT_EQ(live.exit_code, 3) << live.err;
  const auto checked = validate_junit(dir.file("live.xml"));
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
}

// The validator is not a rubber stamp: a count that is not a number, a test case without a
// name and a document that is not well-formed are each refused.
TEST_F(GoldenTest, JunitSchemaValidationCanFail) {
  const TempDir dir;
  const auto golden = read_file(kData + "/golden/report.junit.xml");
  const auto first = [&](const std::string& from, const std::string& to) {
    auto text = golden;
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? text : text.replace(at, from.size(), to);
  };
  // xmllint exits 3 for a document the schema refuses, 1 for one that is not XML at all (and 5
  // when the schema itself does not compile, which must never pass for a refusal).
  const std::vector<std::tuple<std::string, std::string, int>> broken{
      {"bad-count.xml", first(" failures=\"", " failures=\"some"), 3},
      {"no-name.xml",
       first("<testcase classname=\"bbposture.public-repository\" name=",
             "<testcase classname=\"bbposture.public-repository\" label="),
       3},
      {"not-xml.xml", first("</testsuites>", "</testsuite>"), 1},
  };
  write_file(dir.file("golden.xml"), golden);
  const auto unchanged = validate_junit(dir.file("golden.xml"));
  ASSERT_EQ(unchanged.exit_code, 0) << unchanged.out << unchanged.err;
  for (const auto& [name, text, code] : broken) {
    write_file(dir.file(name), text);
    const auto result = validate_junit(dir.file(name));
    EXPECT_EQ(result.exit_code, code) << name << "\n" << result.out << result.err;
    EXPECT_NE(result.err.find(dir.file(name)), std::string::npos) << name << "\n" << result.err;
  }
}

TEST_F(GoldenTest, StdoutMatchesTheOutputFile) {
  for (const std::string format : {"json", "jsonl", "sarif", "csv", "table", "html"}) {
    const auto result = scan(format);
    EXPECT_EQ(result.exit_code, 3) << format;
    EXPECT_EQ(normalise(result.out), read_file(kData + "/golden/report." + format)) << format;
  }
}

TEST_F(GoldenTest, GoldenScenarioCoversEveryRuleAndTheCases) {
  const auto report = nlohmann::json::parse(read_file(kData + "/golden/report.json"));
  std::set<std::string> rules;
  std::set<std::string> resource_types;
  bool tricky_label = false;
  for (const auto& f : report.at("findings")) {
    rules.insert(f.at("rule").get<std::string>());
    resource_types.insert(f.at("resource").at("type").get<std::string>());
    const auto name = f.at("resource").at("name").get<std::string>();
    tricky_label = tricky_label ||
                   (name.find(',') != std::string::npos && name.find('"') != std::string::npos &&
                    name.find('\n') != std::string::npos);
  }
  EXPECT_EQ(rules.size(), 11U) << "every rule fails at least once";
  EXPECT_TRUE(resource_types.count("project_deploy_key"));
  EXPECT_TRUE(resource_types.count("ssh_key"));
  EXPECT_TRUE(tricky_label) << "a key label with a comma, a quote and a newline";
  ASSERT_FALSE(report.at("unknown").empty());
  EXPECT_EQ(report.at("unknown")[0].at("reason"), "missing_scope");
  EXPECT_FALSE(report.at("scan").at("complete").get<bool>());
}

// The thresholds given on the command line are the ones every format's message states.
TEST_F(GoldenTest, MessagesStateTheThresholdsGivenOnTheCommandLine) {
  const std::vector<std::string> thresholds{"--stale-days",    "30", "--key-max-age-days", "90",
                                            "--min-approvals", "2"};
  const auto json_run = scan("json", thresholds);
  ASSERT_EQ(json_run.exit_code, 3) << json_run.err;
  std::set<std::string> messages;
  const auto document = nlohmann::json::parse(json_run.out);
  for (const auto& f : document.at("findings")) {
    messages.insert(f.at("message").get<std::string>());
  }
  for (const std::string want :
       {"last updated 909 days ago; threshold 30 days",
        "'master' requires no approvals; at least 2 required", "1425 days old; maximum 90 days"}) {
    EXPECT_TRUE(messages.count(want)) << want << "\n" << nlohmann::json(messages).dump(1);
  }
  for (const std::string format : {"jsonl", "sarif", "csv", "table", "html", "junit"}) {
    const auto r = scan(format, thresholds);
    EXPECT_EQ(r.exit_code, 3) << format << r.err;
    EXPECT_NE(r.out.find("threshold 30 days"), std::string::npos) << format << "\n" << r.out;
    EXPECT_NE(r.out.find("maximum 90 days"), std::string::npos) << format << "\n" << r.out;
  }
}

TEST_F(GoldenTest, SarifValidatesAgainstTheOfficialSchema) {
  const auto golden = validate({kSarifSchema, kData + "/golden/report.sarif"});
  EXPECT_EQ(golden.exit_code, 0) << golden.out << golden.err;

  const TempDir dir;
  const auto live = scan("sarif", {"-o", dir.file("live.sarif")});
  ASSERT_EQ(live.exit_code, 3) << live.err;
  const auto checked = validate({kSarifSchema, dir.file("live.sarif")});
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
}

TEST_F(GoldenTest, SchemaValidationCanFail) {
  const TempDir dir;
  auto sarif = nlohmann::json::parse(read_file(kData + "/golden/report.sarif"));
  sarif["runs"][0]["results"][0]["level"] = "fatal";  // not a SARIF level
  write_file(dir.file("bad.sarif"), sarif.dump());
  const auto bad_sarif = validate({kSarifSchema, dir.file("bad.sarif")});
  EXPECT_EQ(bad_sarif.exit_code, 1) << bad_sarif.out << bad_sarif.err;
  EXPECT_NE(bad_sarif.out.find("fatal"), std::string::npos) << bad_sarif.out;

  auto report = nlohmann::json::parse(read_file(kData + "/golden/report.json"));
  report["findings"][0]["severity"] = "Severe";
  report["unknown"][0]["reason"] = "because";
  report["scan"]["surprise"] = true;
  write_file(dir.file("bad.json"), report.dump());
  const auto bad_json = validate({kReportSchema, dir.file("bad.json")});
  EXPECT_EQ(bad_json.exit_code, 1) << bad_json.out << bad_json.err;
  for (const std::string word : {"Severe", "because", "surprise"}) {
    EXPECT_NE(bad_json.out.find(word), std::string::npos) << bad_json.out;
  }
}

TEST_F(GoldenTest, EveryGoldenJsonReportValidatesAgainstTheSchema) {
  std::size_t checked = 0;
  for (const auto& entry : fs::directory_iterator(kData + "/golden")) {
    if (entry.path().extension() == ".json") {
      const auto result = validate({kReportSchema, entry.path().string()});
      EXPECT_EQ(result.exit_code, 0) << entry.path() << "\n" << result.out << result.err;
      ++checked;
    }
  }
  EXPECT_GE(checked, 1U);
  const auto lines =
      validate({kReportSchema, "--def", "jsonl_line", "--lines", kData + "/golden/report.jsonl"});
  EXPECT_EQ(lines.exit_code, 0) << lines.out << lines.err;
}

// Living with findings. baseline-old.json is report.json a day earlier, without its first
// finding (new now) and with one on a since-deleted repository (fixed now);
// report-suppressed.json is report.json with one finding accepted by a config entry. `diff`
// between the two shows suppressed and baselined findings in every format.
const std::string kOld = kData + "/golden/baseline-old.json";
const std::string kSuppressed = kData + "/golden/report-suppressed.json";

std::string diff_normalise(const std::string& text) {
  return replace_all(text, kData + "/golden/", "");
}

TEST_F(GoldenTest, DiffMatchesGoldenInEveryFormat) {
  for (const std::string format : {"json", "jsonl", "sarif", "csv", "table"}) {
    // Wide enough that the table never cuts the baseline's path, whose length depends on
    // where the checkout is.
    const auto r = run({kBinary, "diff", kOld, kSuppressed, "-f", format, "--width", "300"});
    EXPECT_EQ(r.exit_code, 1) << format << ": a new Critical finding\n" << r.err;
    expect_golden("diff." + format, diff_normalise(r.out));
  }
}

TEST_F(GoldenTest, DiffJunitMatchesGolden) {
  const auto r = run({kBinary, "diff", kOld, kSuppressed, "-f", "junit"});
  EXPECT_EQ(r.exit_code, 1) << "a new Critical finding\n" << r.err;
  expect_golden("diff.junit.xml", diff_normalise(r.out));
  EXPECT_NE(r.out.find("<skipped message=\"suppressed by "), std::string::npos) << r.out;
}

TEST_F(GoldenTest, DiffGoldensShowTheMarks) {
  const auto report = nlohmann::json::parse(read_file(kData + "/golden/diff.json"));
  EXPECT_EQ(report.at("summary").at("new"), 1);
  EXPECT_EQ(report.at("summary").at("fixed"), 1);
  EXPECT_EQ(report.at("summary").at("suppressed"), 1);
  EXPECT_EQ(report.at("fixed").at(0).at("repository"), "acme/retired");
  EXPECT_EQ(report.at("fixed").at(0).at("baseline_state"), "absent");
  const auto sarif = nlohmann::json::parse(read_file(kData + "/golden/diff.sarif"));
  std::set<std::string> states;
  std::size_t suppressions = 0;
  for (const auto& result : sarif.at("runs").at(0).at("results")) {
    states.insert(result.at("baselineState").get<std::string>());
    suppressions += result.contains("suppressions") ? 1U : 0U;
  }
  EXPECT_EQ(states, (std::set<std::string>{"new", "unchanged", "absent"}));
  EXPECT_EQ(suppressions, 1U);
  const auto table = read_file(kData + "/golden/diff.table");
  EXPECT_NE(table.find("1 finding suppressed; --show-suppressed to list them"), std::string::npos);
  EXPECT_NE(table.find("new 1 / unchanged 14 / fixed 1"), std::string::npos) << table;
}

TEST_F(GoldenTest, DiffSarifValidatesAgainstTheOfficialSchema) {
  const auto checked = validate({kSarifSchema, kData + "/golden/diff.sarif"});
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  const auto lines =
      validate({kReportSchema, "--def", "jsonl_line", "--lines", kData + "/golden/diff.jsonl"});
  EXPECT_EQ(lines.exit_code, 0) << lines.out << lines.err;
}

TEST_F(GoldenTest, ScanWithABaselineMarksNewUnchangedAndFixed) {
  const TempDir dir;
  const auto r = scan("json", {"--baseline", kOld, "-o", dir.file("report.json")});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto report = nlohmann::json::parse(read_file(dir.file("report.json")));
  EXPECT_EQ(report.at("summary").at("new"), 1);
  EXPECT_EQ(report.at("summary").at("unchanged"), 14);
  EXPECT_EQ(report.at("summary").at("fixed"), 1);
  const auto checked = validate({kReportSchema, dir.file("report.json")});
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
}

TEST_F(GoldenTest, FailedWriteToADirectoryLeavesNoTemporaryFile) {
  const TempDir dir;
  fs::create_directories(dir.file("report.json"));  // the output path is a folder
  const auto result = scan("json", {"-o", dir.file("report.json")});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("report.json"), std::string::npos) << result.err;
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"report.json"});
  EXPECT_TRUE(fs::is_empty(dir.file("report.json")));
}

TEST_F(GoldenTest, FailedWriteToAMissingFolderReportsAnError) {
  const TempDir dir;
  const auto result = scan("csv", {"-o", dir.file("missing/report.csv")});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("missing"), std::string::npos) << result.err;
  EXPECT_TRUE(dir.entries().empty());
}

TEST_F(GoldenTest, FailedWriteToAReadOnlyFolderLeavesNoTemporaryFile) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "root ignores folder permissions";
  }
  const TempDir dir;
  fs::create_directories(dir.file("ro"));
  fs::permissions(dir.file("ro"), fs::perms::owner_read | fs::perms::owner_exec);
  const auto result = scan("sarif", {"-o", dir.file("ro/report.sarif")});
  fs::permissions(dir.file("ro"), fs::perms::owner_all);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_TRUE(fs::is_empty(dir.file("ro")));
}

TEST_F(GoldenTest, ExistingReportIsReplacedWhole) {
  const TempDir dir;
  write_file(dir.file("report.csv"), std::string(100000, 'x'));
  const auto result = scan("csv", {"-o", dir.file("report.csv")});
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_EQ(normalise(read_file(dir.file("report.csv"))), read_file(kData + "/golden/report.csv"));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"report.csv"});
}

TEST_F(GoldenTest, TableIsColouredOnATerminalUnlessNoColor) {
  // On a pseudo-terminal, with the environment of the other runs.
  std::vector<std::string> argv{kBinary};
  const auto args = scan_args("table");
  argv.insert(argv.end(), args.begin(), args.end());
  const auto env = golden_env("golden-client", "golden-secret");
  const auto coloured = run_on_tty(argv, env);
  EXPECT_EQ(coloured.exit_code, 3) << coloured.out;
  EXPECT_NE(coloured.out.find("\033[1;31mCritical"), std::string::npos) << coloured.out;

  auto no_color = env;
  no_color["NO_COLOR"] = "1";
  const auto plain = run_on_tty(argv, no_color);
  EXPECT_EQ(plain.exit_code, 3) << plain.out;
  EXPECT_NE(plain.out.find("Critical"), std::string::npos) << plain.out;
  EXPECT_EQ(plain.out.find('\033'), std::string::npos) << plain.out;

  // Not a terminal: never coloured (the golden table has no escapes either). The table is
  // there, so the absence of escapes is not the absence of output.
  const auto piped = scan("table");
  EXPECT_EQ(piped.exit_code, 3) << piped.err;
  EXPECT_NE(piped.out.find("Critical"), std::string::npos) << piped.out;
  EXPECT_EQ(piped.out.find('\033'), std::string::npos);
}

TEST_F(GoldenTest, TableFitsEightyColumns) {
  const auto table = read_file(kData + "/golden/report.table");
  std::size_t start = 0;
  while (start < table.size()) {
    auto end = table.find('\n', start);
    if (end == std::string::npos) {
      end = table.size();
    }
    const auto line = table.substr(start, end - start);
    std::size_t columns = 0;
    for (const char c : line) {
      columns += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
    }
    EXPECT_LE(columns, 80U) << line;
    start = end + 1;
  }
  // A detail too long for its column goes on under it, not cut (cutting is for longer still).
  EXPECT_NE(table.find("\n" + std::string(52, ' ') + "from Alice Admin,\n" + std::string(52, ' ') +
                       "release-managers\n"),
            std::string::npos)
      << "the long detail is wrapped under its column";
  EXPECT_NE(table.find("missing scope: repository:admin"), std::string::npos);
}

}  // namespace
}  // namespace bbp::report::testing
