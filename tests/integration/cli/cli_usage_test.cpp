// The command line itself: help, usage errors, the rule catalogue, generated docs.
#include <algorithm>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace bbp::test {
namespace {

using ::testing::HasSubstr;

TEST(CliUsage, HelpShowsDefaultsAndExitCodes) {
  const auto r = run_cli(BBP_BINARY, {"scan", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--stale-days"));
  EXPECT_THAT(r.out, HasSubstr("365"));
  EXPECT_THAT(r.out, HasSubstr("https://api.bitbucket.org/2.0"));
  EXPECT_THAT(run_cli(BBP_BINARY, {"--help"}).out, HasSubstr("Exit codes"));
}

TEST(CliUsage, VersionPrintsTheVersion) {
  const auto r = run_cli(BBP_BINARY, {"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr(BBP_VERSION));
}

TEST(CliUsage, UsageErrorsExitTwo) {
  const std::vector<std::string> env{"BITBUCKET_ACCESS_TOKEN=x"};
  EXPECT_EQ(run_cli(BBP_BINARY, {"scan", "--no-such-flag"}, env).exit_code, 2);
  EXPECT_EQ(run_cli(BBP_BINARY, {}, env).exit_code, 2);
  EXPECT_EQ(run_cli(BBP_BINARY, {"scan", "--format", "xml"}, env).exit_code, 2);
  EXPECT_EQ(run_cli(BBP_BINARY, {"scan", "--fail-on", "severe"}, env).exit_code, 2);
  EXPECT_EQ(run_cli(BBP_BINARY, {"scan", "--rule", "no-such-rule"}, env).exit_code, 2);
  EXPECT_EQ(run_cli(BBP_BINARY, {"scan", "--stale-days", "0"}, env).exit_code, 2);
  EXPECT_EQ(run_cli(BBP_BINARY, {"scan", "--concurrency", "0"}, env).exit_code, 2);
}

// Every line of a usage error starts with "bbposture:".
void expect_every_line_prefixed(const std::string& err) {
  std::size_t start = 0;
  while (start < err.size()) {
    EXPECT_EQ(err.compare(start, 11, "bbposture: "), 0) << err;
    start = err.find('\n', start);
    start = start == std::string::npos ? err.size() : start + 1;
  }
}

TEST(CliUsage, UnknownWordsAreNamedWithTheNearestValidOne) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"scna"}, "'scna' is not a command of bbposture (did you mean scan?)"},
      {{"auth", "chek"}, "'chek' is not a command of bbposture auth (did you mean check?)"},
      {{"scan", "--wrkspace", "acme"},
       "'--wrkspace' is not an option of bbposture scan (did you mean --workspace?)"},
      {{"scan", "--fomat=json"}, "(did you mean --format?)"},
      {{"scan", "stray"}, "unexpected argument 'stray' for bbposture scan"},
      {{"scan", "--format", "xml"}, "--format must be one of"},
      {{"scan", "-o", ""}, "--output was given an empty value"},
      {{"scan", "--stale-days", "abc"}, "--stale-days must be a whole number, not 'abc'"},
      {{"scan", "--stale-days", "200000"}, "--stale-days must be between 1 and 100000, not 200000"},
      {{"scan", "-f", "jsn"}, "not 'jsn' (did you mean 'json'?)"},
      {{"scan", "--rule", "publc-repository"},
       "--rule: unknown rule 'publc-repository' (did you mean 'public-repository'?)"},
      {{"scan", "--config", "a.yaml", "--no-config"}, "--config and --no-config cannot be"},
      {{"rules", "-f", "csv"}, "--format must be one of table, json, markdown, not 'csv'"},
      {{"completion", "fish"}, "the shell must be bash or zsh, not 'fish'"},
      {{"auth", "check", "-f", "sarif"}, "--format must be one of table, json, not 'sarif'"},
  };
  for (const auto& [args, expected] : cases) {
    const auto r = run_cli(BBP_BINARY, args, {"BITBUCKET_ACCESS_TOKEN=x"});
    EXPECT_EQ(r.exit_code, 2) << expected;
    EXPECT_THAT(r.err, HasSubstr(expected));
    EXPECT_THAT(r.err, ::testing::Not(HasSubstr("acme")));  // a value is not a command
    expect_every_line_prefixed(r.err);
  }
}

TEST(CliUsage, NoRawParserTextReachesTheUser) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"scan", "--stale-days", "abc"},
                                             {"scan", "-f", "json", "-f", "csvx"},
                                             {"rules", "-f", "csv"},
                                             {"completion", "fish"},
                                             {"scan", "--timeout", "-5"},
                                             {"scan", "--max-requests-per-hour", "-1"}}) {
    const auto r = run_cli(BBP_BINARY, args, {"BITBUCKET_ACCESS_TOKEN=x"});
    EXPECT_EQ(r.exit_code, 2) << args.back();
    for (const auto* raw : {"Could not convert", "not in {", "At Most", "required but received",
                            "excludes", "ValidationError"}) {
      EXPECT_THAT(r.err, ::testing::Not(HasSubstr(raw))) << r.err;
    }
    expect_every_line_prefixed(r.err);
  }
}

TEST(CliUsage, TheLastOfARepeatedOptionWins) {
  const auto r =
      run_cli(BBP_BINARY, {"scan", "--from-snapshot",
                           std::string(BBP_SOURCE_DIR) + "/examples/demo-snapshot.json", "-f",
                           "table", "-f", "json", "--allow-incomplete", "--fail-on", "none"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(nlohmann::json::parse(r.out, nullptr, false).is_discarded());
}

TEST(CliUsage, DiffHelpListsEveryReportFormat) {
  const auto r = run_cli(BBP_BINARY, {"diff", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("html"));
}

TEST(CliUsage, EnumValuesTakeAnyCase) {
  const auto r = run_cli(
      BBP_BINARY,
      {"scan", "--from-snapshot", std::string(BBP_SOURCE_DIR) + "/examples/demo-snapshot.json",
       "-f", "JSON", "--fail-on", "High", "--min-severity", "LOW", "--allow-incomplete"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_FALSE(nlohmann::json::parse(r.out, nullptr, false).is_discarded());
}

TEST(CliUsage, ColourAndWidthOfTheTableAreChosen) {
  const std::string snapshot = std::string(BBP_SOURCE_DIR) + "/examples/demo-snapshot.json";
  const auto table = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"scan", "--from-snapshot", snapshot, "--allow-incomplete"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(BBP_BINARY, args);
  };
  // Not a terminal: no colour and 80 columns unless asked. Each run prints its table (exit 1:
  // the demo has findings), so no escape in it is not the same as no output at all.
  for (const auto& [flags, coloured] :
       {std::pair{std::vector<std::string>{}, false},
        std::pair{std::vector<std::string>{"--color", "always"}, true},
        std::pair{std::vector<std::string>{"--color", "NEVER"}, false}}) {
    const auto r = table(flags);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_THAT(r.out, HasSubstr("Critical"));
    if (coloured) {
      EXPECT_NE(r.out.find("\033["), std::string::npos) << r.out;
    } else {
      EXPECT_EQ(r.out.find('\033'), std::string::npos) << r.out;
    }
  }
  std::size_t widest_default = 0;
  std::size_t widest_wide = 0;
  for (const auto& [args, widest] :
       {std::pair{std::vector<std::string>{}, &widest_default},
        std::pair{std::vector<std::string>{"--width", "120"}, &widest_wide}}) {
    std::istringstream lines(table(args).out);
    for (std::string line; std::getline(lines, line);) {
      *widest = std::max(*widest, line.size());
    }
  }
  EXPECT_LE(widest_default, 80U * 3);  // bytes: some names are not ASCII
  EXPECT_GT(widest_wide, widest_default);
  EXPECT_EQ(table({"--color", "sometimes"}).exit_code, 2);
  EXPECT_EQ(table({"--width", "20"}).exit_code, 2);
}

TEST(CliUsage, PlainHttpIsRefusedExceptForLoopback) {
  const std::vector<std::string> env{"BITBUCKET_ACCESS_TOKEN=x"};
  const auto r = run_cli(BBP_BINARY, {"scan", "--api-url", "http://api.example.com/2.0"}, env);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("http://"));
  const auto token =
      run_cli(BBP_BINARY, {"scan", "--token-url", "http://bitbucket.example.com/t"}, env);
  EXPECT_EQ(token.exit_code, 2);
}

TEST(CliUsage, MissingCredentialsNameTheVariables) {
  const auto r = run_cli(BBP_BINARY, {"scan"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("BITBUCKET_CLIENT_ID"));
  EXPECT_THAT(r.err, HasSubstr("BITBUCKET_ACCESS_TOKEN"));
  EXPECT_THAT(r.err, HasSubstr("BITBUCKET_API_TOKEN"));
}

TEST(CliUsage, RulesAsJsonListTheElevenRulesThenTheExtendedSet) {
  const auto r = run_cli(BBP_BINARY, {"rules", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0);
  const auto rules = nlohmann::json::parse(r.out);
  ASSERT_EQ(rules.size(), 17U);
  EXPECT_EQ(rules[10]["rule_set"], "casb");
  EXPECT_EQ(rules[10]["default"], true);
  EXPECT_EQ(rules[11]["rule_set"], "extended");
  EXPECT_EQ(rules[11]["default"], false);
  EXPECT_EQ(rules[14]["resource"], "pipeline_variable");
  EXPECT_EQ(rules[0]["finding_type_id"], "be273f0a-678e-49af-b9f8-8f3913acef97");
  EXPECT_EQ(rules[0]["title"], "Repository is publicly accessible");
  EXPECT_EQ(rules[0]["severity"], "Critical");
  EXPECT_EQ(rules[10]["slug"], "old-key");
  EXPECT_EQ(rules[10]["severity"], "Low");
}

TEST(CliUsage, RulesTableAndMarkdown) {
  EXPECT_THAT(run_cli(BBP_BINARY, {"rules"}).out, HasSubstr("no-default-branch-protection"));
  EXPECT_EQ(run_cli(BBP_BINARY, {"rules", "--format", "yaml"}).exit_code, 2);
}

TEST(CliUsage, DocsRulesMarkdownIsGeneratedFromTheCatalogue) {
  const auto r = run_cli(BBP_BINARY, {"rules", "--format", "markdown"});
  const auto doc = read_file(std::string(BBP_SOURCE_DIR) + "/docs/rules.md");
  EXPECT_EQ(r.out, doc) << "docs/rules.md is stale: regenerate it with "
                           "`bbposture rules --format markdown > docs/rules.md`";
}

// Every long option the help shows is documented in the man page.
TEST(CliUsage, ManPageCoversEveryOptionInTheHelp) {
  const auto man = read_file(std::string(BBP_SOURCE_DIR) + "/docs/bbposture.1");
  // In roff a "-" is written "\-".
  const auto in_man = [&](std::string option) {
    std::string escaped;
    for (const char c : option) {
      escaped += c == '-' ? std::string("\\-") : std::string(1, c);
    }
    return man.find(escaped) != std::string::npos;
  };
  int checked = 0;
  for (const auto& command : std::vector<std::vector<std::string>>{{"scan", "--help"},
                                                                   {"auth", "check", "--help"},
                                                                   {"fix", "--help"},
                                                                   {"rules", "--help"},
                                                                   {"diff", "--help"}}) {
    const auto help = run_cli(BBP_BINARY, command).out;
    std::size_t pos = 0;
    while ((pos = help.find("--", pos)) != std::string::npos) {
      std::size_t end = pos + 2;
      while (end < help.size() &&
             (std::isalnum(static_cast<unsigned char>(help[end])) != 0 || help[end] == '-')) {
        ++end;
      }
      const std::string option = help.substr(pos, end - pos);
      if (option.size() > 2 && option != "--help") {
        EXPECT_TRUE(in_man(option)) << option << " is missing from docs/bbposture.1";
        ++checked;
      }
      pos = end;
    }
  }
  EXPECT_GT(checked, 25);
}

}  // namespace
}  // namespace bbp::test
