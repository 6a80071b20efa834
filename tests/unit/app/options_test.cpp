// Option validation: what `bbposture scan` refuses before the first request, and why.
#include "options.hpp"
#include "runtime.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace bbp::app {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

TEST(AppDuration, ParsesUnitsAndBareSeconds) {
  EXPECT_EQ(parse_duration("0"), 0ms);
  EXPECT_EQ(parse_duration("45"), 45s);
  EXPECT_EQ(parse_duration("45s"), 45s);
  EXPECT_EQ(parse_duration("90m"), 90min);
  EXPECT_EQ(parse_duration("6h"), 6h);
  EXPECT_EQ(parse_duration("1h30m"), 90min);
  EXPECT_EQ(parse_duration("1h30m15s"), 5415s);
}

TEST(AppDuration, RefusesWhatIsNotADuration) {
  for (const char* bad : {"", "h", "1d", "-5m", "1.5h", "5 m", "m5", "99999999999h"}) {
    const auto parsed = parse_duration(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_THAT(parsed.error(), HasSubstr("is not a duration")) << bad;
  }
}

TEST(AppValidate, DefaultsAreValid) {
  const auto config = validate(ScanOptions{});
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->connection.max_wait, 12h);
  EXPECT_EQ(config->rules.size(), 11U);
  EXPECT_FALSE(config->checkpoint);
  EXPECT_FALSE(config->plan);
}

TEST(AppValidate, MaxWaitIsParsedAndABadOneNamed) {
  ScanOptions options;
  options.connection.max_wait = "90m";
  EXPECT_EQ(validate(options)->connection.max_wait, 90min);
  options.connection.max_wait = "soon";
  EXPECT_THAT(
      validate(options).error(),
      HasSubstr("--max-wait must be a duration such as 0, 45s, 90m, 6h or 1h30m, not 'soon'"));
}

TEST(AppValidate, RefusedCombinations) {
  ScanOptions snapshot_and_checkpoint;
  snapshot_and_checkpoint.from_snapshot = "s.json";
  snapshot_and_checkpoint.checkpoint = "c.jsonl";
  EXPECT_THAT(validate(snapshot_and_checkpoint).error(), HasSubstr("--from-snapshot reads no API"));
  ScanOptions plan_and_save;
  plan_and_save.plan = true;
  plan_and_save.save_snapshot = "s.json";
  EXPECT_THAT(validate(plan_and_save).error(), HasSubstr("--plan only lists"));
  ScanOptions save_and_load;
  save_and_load.from_snapshot = "a.json";
  save_and_load.save_snapshot = "b.json";
  EXPECT_THAT(validate(save_and_load).error(), HasSubstr("cannot be combined"));
}

TEST(AppValidate, RangesAndNames) {
  ScanOptions options;
  options.connection.concurrency = 0;
  EXPECT_THAT(validate(options).error(), HasSubstr("--concurrency must be between 1 and 64"));
  options = {};
  options.connection.max_attempts = 21;
  EXPECT_THAT(validate(options).error(), HasSubstr("--max-attempts"));
  options = {};
  options.rules = {"no-such-rule"};
  EXPECT_THAT(validate(options).error(), HasSubstr("unknown rule 'no-such-rule'"));
  options = {};
  options.rules = {"old-key"};
  options.skip_rules = {"old-key"};
  EXPECT_THAT(validate(options).error(), HasSubstr("leave no rule"));
  options = {};
  options.format = "xml";
  EXPECT_THAT(validate(options).error(), HasSubstr("--format must be one of"));
  options = {};
  options.connection.api_url = "https://user:pw@api.bitbucket.org/2.0";
  EXPECT_THAT(validate(options).error(), HasSubstr("must not contain credentials"));
}

TEST(AppValidate, TheScopeCarriesTheFilters) {
  ScanOptions options;
  options.workspaces = {"acme"};
  options.repos = {"api*"};
  options.projects = {"PLAT"};
  options.rules = {"old-key"};
  const auto config = validate(options);
  ASSERT_TRUE(config) << config.error();
  const auto scope = config->scope();
  EXPECT_EQ(scope.workspaces, std::vector<std::string>{"acme"});
  EXPECT_TRUE(scope.reads_keys());
  EXPECT_FALSE(scope.reads_branches());
}

TEST(AppValidate, ListsAreSplitOnCommasAndDeduplicated) {
  ScanOptions options;
  options.workspaces = {"acme", "acme", "beta, gamma", "beta"};
  options.repos = {"api*,web"};
  options.projects = {"PLAT", "PLAT"};
  options.rules = {"old-key,public-repository", "old-key"};
  const auto config = validate(options);
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->workspaces, (std::vector<std::string>{"acme", "beta", "gamma"}));
  EXPECT_EQ(config->repos, (std::vector<std::string>{"api*", "web"}));
  EXPECT_EQ(config->projects, std::vector<std::string>{"PLAT"});
  EXPECT_EQ(config->rules.size(), 2U);
}

TEST(AppValidate, EmptyValuesAreRefusedNamingTheOption) {
  for (const auto& [field, option] :
       {std::pair{&ScanOptions::workspaces, "--workspace"},
        std::pair{&ScanOptions::repos, "--repo"},
        std::pair{&ScanOptions::exclude_repos, "--exclude-repo"},
        std::pair{&ScanOptions::projects, "--project"}, std::pair{&ScanOptions::rules, "--rule"},
        std::pair{&ScanOptions::skip_rules, "--skip-rule"}}) {
    for (const std::string bad : {"", " ", "a,,b", "a,"}) {
      ScanOptions options;
      options.*field = {bad};
      const auto config = validate(options);
      ASSERT_FALSE(config) << option << " '" << bad << "'";
      EXPECT_THAT(config.error(), HasSubstr(std::string(option) + " was given an empty value"));
    }
  }
}

TEST(AppValidate, OnlyNewNeedsABaselineAndShapesTheTableOnly) {
  ScanOptions options;
  options.only_new = true;
  EXPECT_EQ(validate(options).error(),
            "--only-new needs --baseline REPORT.json: without a baseline no finding is new or "
            "unchanged");
  options.baseline = "yesterday.json";
  auto config = validate(options);
  ASSERT_TRUE(config) << config.error();
  EXPECT_TRUE(config->only_new);
  EXPECT_TRUE(config->warnings.empty());
  options.format = "json";
  config = validate(options);
  ASSERT_TRUE(config) << config.error();
  ASSERT_EQ(config->warnings.size(), 1U);
  EXPECT_THAT(config->warnings[0], HasSubstr("--only-new changes the table only"));
}

TEST(AppValidate, TheFormatComesFromTheOutputsExtensionUnlessGiven) {
  ScanOptions options;
  options.output = "out/report.SARIF";
  auto config = validate(options);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->format, report::Format::sarif);
  EXPECT_TRUE(config->warnings.empty());
  options.output = "report.txt";
  EXPECT_EQ(validate(options)->format, report::Format::table);
  options.output = "report.out";
  config = validate(options);
  EXPECT_EQ(config->format, report::Format::table);
  ASSERT_EQ(config->warnings.size(), 1U);
  EXPECT_THAT(config->warnings[0], HasSubstr("writing a table to report.out"));
  options.output = "report.json";
  options.format = "CSV";
  config = validate(options);
  EXPECT_EQ(config->format, report::Format::csv);
  EXPECT_THAT(config->warnings.at(0), HasSubstr("its extension suggests json"));
  options.output = "-";
  options.format = "";
  EXPECT_FALSE(validate(options)->output);  // standard output
  EXPECT_FALSE(format_for_extension("dir.json/report"));
  EXPECT_EQ(format_for_extension("posture.html"), report::Format::html);
  EXPECT_EQ(format_for_extension("POSTURE.HTM"), report::Format::html);
}

TEST(AppValidate, ACaBundleMustBeAReadablePemBundle) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("bbp_ca_bundle_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream((dir / "der.crt").string()) << "0\x82\x03binary";
  std::ofstream((dir / "ok.pem").string())
      << "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  ConnectionOptions options;
  for (const auto& [path, expected] :
       {std::pair{(dir / "missing.pem").string(), "no such file"},
        std::pair{dir.string(), "a folder, not a PEM file"},
        std::pair{(dir / "der.crt").string(), "no PEM certificate in it"}}) {
    options.ca_bundle = path;
    const auto config = validate(options);
    ASSERT_FALSE(config) << path;
    EXPECT_THAT(config.error(), HasSubstr("--ca-bundle " + path + ": " + expected));
  }
  options.ca_bundle = (dir / "ok.pem").string();
  EXPECT_TRUE(validate(options));
  std::filesystem::remove_all(dir);
}

TEST(AppValidate, AnApiUrlWithoutTheVersionPathGetsAHint) {
  ConnectionOptions options;
  options.api_url = "https://api.bitbucket.org";
  const auto config = validate(options);
  ASSERT_TRUE(config);
  ASSERT_EQ(config->warnings.size(), 1U);
  EXPECT_THAT(config->warnings[0], HasSubstr("does not end in /2.0"));
  EXPECT_TRUE(validate(ConnectionOptions{})->warnings.empty());
}

TEST(AppValidate, ConnectionOptionsWithASnapshotAreSaidToDoNothing) {
  ScanOptions options;
  options.from_snapshot = "snap.json";
  options.connection.concurrency = 4;
  options.connection.api_url = "https://example.test/api";
  const auto config = validate(options);
  ASSERT_TRUE(config);
  ASSERT_EQ(config->warnings.size(), 1U);
  EXPECT_EQ(config->warnings[0],
            "--api-url, --concurrency have no effect with --from-snapshot, which reads no API");
}

TEST(AppProgress, TheLineStartsWithTheElapsedTimeAndNeverWraps) {
  EXPECT_EQ(progress_text_line(std::chrono::seconds(725), "scanning: 3/9", 80),
            "[12m05s] scanning: 3/9");
  EXPECT_EQ(progress_text_line(std::chrono::seconds(7), "scanning: workspaces 1/2", 20),
            "[0m07s] scanning: w");  // 19 columns: the last one is the cursor's
  EXPECT_EQ(progress_text_line(std::chrono::seconds(0), "x", 0), "[0m00s] x");
}

}  // namespace
}  // namespace bbp::app
