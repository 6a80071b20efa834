// The config file: every key, the merge with the command line, and a located message for every
// mistake (docs/config.md).
#include "config_file.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bbp/core/catalogue.hpp"
#include "config_reader.hpp"
#include "option_table.hpp"

namespace bbp::app {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

ConfigFile parsed(const std::string& text) {
  auto file = parse_config(text, "bbposture.yaml");
  EXPECT_TRUE(file) << file.error();
  return file ? *file : ConfigFile{};
}

std::string error_of(const std::string& text) {
  auto file = parse_config(text, "bbposture.yaml");
  EXPECT_FALSE(file) << text;
  return file ? std::string() : file.error();
}

// ---- every key --------------------------------------------------------------------------------

TEST(ConfigFile, EveryKeySetsItsOption) {
  const auto file = parsed(R"(workspaces: [acme, globex]
repos: api-*
exclude_repos: [legacy-*]
projects: [PLAT]
include_user_keys: true
format: sarif
output: report.sarif
color: never
width: 120
fail_on: high
min_severity: medium
allow_incomplete: true
show_suppressed: true
fail_on_unchanged: true
baseline: yesterday.json
history: scans.db
only_new: true
rules: [public-repository, old-key]
skip_rules: stale-repository
rule_set: extended
stale_days: 30
key_max_age_days: 90
min_approvals: 2
max_owners: 4
save_snapshot: snap.json
from_snapshot: old.json
checkpoint: scan.journal
platform: datacenter
api_url: http://127.0.0.1:9/2.0
token_url: http://127.0.0.1:9/token
timeout: 12
ca_bundle: /etc/ssl/ca.pem
concurrency: 4
max_requests_per_hour: 900
max_attempts: 3
max_wait: 90m
log_level: debug
quiet: true
verbose: 2
no_progress: true
)");
  const auto& o = file.values;
  EXPECT_THAT(o.workspaces, ElementsAre("acme", "globex"));
  EXPECT_THAT(o.repos, ElementsAre("api-*"));  // one value stands for a list of one
  EXPECT_THAT(o.exclude_repos, ElementsAre("legacy-*"));
  EXPECT_THAT(o.projects, ElementsAre("PLAT"));
  EXPECT_TRUE(o.include_user_keys);
  EXPECT_EQ(o.format, "sarif");
  EXPECT_EQ(o.output, "report.sarif");
  EXPECT_EQ(o.color, "never");
  EXPECT_EQ(o.width, 120);
  EXPECT_EQ(o.fail_on, "high");
  EXPECT_EQ(o.min_severity, "medium");
  EXPECT_TRUE(o.allow_incomplete);
  EXPECT_TRUE(o.show_suppressed);
  EXPECT_TRUE(o.fail_on_unchanged);
  EXPECT_EQ(o.baseline, "yesterday.json");
  EXPECT_EQ(o.history, "scans.db");
  EXPECT_TRUE(o.only_new);
  EXPECT_THAT(o.rules, ElementsAre("public-repository", "old-key"));
  EXPECT_THAT(o.skip_rules, ElementsAre("stale-repository"));
  EXPECT_EQ(o.settings.stale_days, 30);
  EXPECT_EQ(o.settings.key_max_age_days, 90);
  EXPECT_EQ(o.settings.min_approvals, 2);
  EXPECT_EQ(o.rule_set, "extended");
  EXPECT_EQ(o.settings.max_owners, 4);
  EXPECT_EQ(o.save_snapshot, "snap.json");
  EXPECT_EQ(o.from_snapshot, "old.json");
  EXPECT_EQ(o.checkpoint, "scan.journal");
  EXPECT_EQ(o.connection.platform, "datacenter");
  EXPECT_EQ(o.connection.api_url, "http://127.0.0.1:9/2.0");
  EXPECT_EQ(o.connection.token_url, "http://127.0.0.1:9/token");
  EXPECT_EQ(o.connection.timeout_seconds, 12);
  EXPECT_EQ(o.connection.ca_bundle, "/etc/ssl/ca.pem");
  EXPECT_EQ(o.connection.concurrency, 4);
  EXPECT_EQ(o.connection.max_requests_per_hour, 900U);
  EXPECT_EQ(o.connection.max_attempts, 3);
  EXPECT_EQ(o.connection.max_wait, "90m");
  EXPECT_EQ(o.log.log_level, "debug");
  EXPECT_TRUE(o.log.quiet);
  EXPECT_EQ(o.log.verbose, 2);
  EXPECT_TRUE(o.log.no_progress);
  EXPECT_EQ(file.keys.size(), config_keys().size());  // the test names every key
  EXPECT_EQ(file.keys.at("fail_on"), 10);
}

TEST(ConfigFile, KeysTheFileDoesNotNameKeepTheirDefaults) {
  const auto file = parsed("fail_on: critical\n");
  const ScanOptions defaults;
  for (const auto& key : config_keys()) {
    if (key.name != "fail_on") {
      EXPECT_EQ(config_value(file.values, key.name), config_value(defaults, key.name)) << key.name;
    }
  }
  EXPECT_THAT(file.keys, ::testing::SizeIs(1));
}

TEST(ConfigFile, AnEmptyFileOrOnlyCommentsIsValidAndSetsNothing) {
  for (const char* text : {"", "\n\n", "# nothing yet\n"}) {
    const auto file = parsed(text);
    EXPECT_TRUE(file.keys.empty());
    EXPECT_TRUE(file.suppressions.empty());
    EXPECT_TRUE(file.declarations.empty());
  }
}

TEST(ConfigFile, EnumValuesAreCanonicalisedAndEmptyOptionalTextsMeanUnset) {
  const auto file = parsed("fail_on: HIGH\nformat: \"\"\nmin_severity: ''\n");
  EXPECT_EQ(file.values.fail_on, "high");
  EXPECT_EQ(file.values.format, "");
  EXPECT_EQ(file.values.min_severity, "");
}

// ---- precedence -------------------------------------------------------------------------------

TEST(ConfigPrecedence, TheCommandLineWins) {
  const auto file = parsed("fail_on: high\nworkspaces: [acme]\nconcurrency: 2\nquiet: true\n");
  ScanOptions cli;
  cli.fail_on = "critical";
  cli.workspaces = {"globex"};
  const auto merged = apply_config(file, cli, {"--fail-on", "--workspace"});
  EXPECT_EQ(merged.fail_on, "critical");
  EXPECT_THAT(merged.workspaces, ElementsAre("globex"));
  EXPECT_EQ(merged.connection.concurrency, 2);  // not given: the file's
  EXPECT_TRUE(merged.log.quiet);
}

TEST(ConfigPrecedence, AnOptionGivenAtItsDefaultStillWins) {
  const auto file = parsed("fail_on: high\n");
  ScanOptions cli;  // --fail-on low, which is also the default
  EXPECT_EQ(apply_config(file, cli, {"--fail-on"}).fail_on, "low");
  EXPECT_EQ(apply_config(file, cli, {}).fail_on, "high");
}

TEST(ConfigPrecedence, KeysTheFileDoesNotNameLeaveTheCommandLineAlone) {
  const auto file = parsed("stale_days: 30\n");
  ScanOptions cli;
  cli.settings.min_approvals = 3;  // as if given
  const auto merged = apply_config(file, cli, {});
  EXPECT_EQ(merged.settings.min_approvals, 3);
  EXPECT_EQ(merged.settings.stale_days, 30);
}

TEST(ConfigPrecedence, SuppressionsAndDeclarationsComeFromTheFile) {
  const auto file = parsed(R"(ignore:
  - rule: old-key
    key: "SHA256:abc"
    reason: rotated next sprint
declared_restrictions:
  - project: PLAT
    restrictions: {force: true}
)");
  const auto merged = apply_config(file, ScanOptions{}, {});
  ASSERT_EQ(merged.suppressions.size(), 1U);
  ASSERT_EQ(merged.declarations.size(), 1U);
  EXPECT_TRUE(validate(merged));
}

TEST(ConfigPrecedence, TheCommandLineGivenIsRecordedByLongName) {
  CLI::App app;
  ScanOptions options;
  add_options(app, Command::scan, options);
  // CLI11 takes a vector of arguments last first: "-v -q --config x.yaml".
  app.parse(std::vector<std::string>{"x.yaml", "--config", "-q", "-v"});
  EXPECT_THAT(options.given, ::testing::UnorderedElementsAre("--quiet", "--verbose", "--config"));
  EXPECT_EQ(options.config, "x.yaml");
}

// ---- where the file is looked for ---------------------------------------------------------------

class ConfigInCwd : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = std::filesystem::current_path();
    dir_ = std::filesystem::temp_directory_path() / ("bbp_config_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::filesystem::current_path(dir_);
  }
  void TearDown() override {
    std::filesystem::current_path(previous_);
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path previous_;
  std::filesystem::path dir_;
};

TEST_F(ConfigInCwd, BbpostureYamlIsFoundUnlessNoConfigOrConfigSaysOtherwise) {
  ScanOptions options;
  using Found = tl::expected<std::optional<std::string>, std::string>;
  EXPECT_EQ(config_path(options), Found(std::nullopt));
  std::ofstream(kDefaultConfigFile) << "fail_on: high\n";
  EXPECT_EQ(config_path(options), Found(std::string("bbposture.yaml")));
  options.no_config = true;
  EXPECT_EQ(config_path(options), Found(std::nullopt));
  options.no_config = false;
  options.config = "other.yaml";
  EXPECT_EQ(config_path(options), Found(std::string("other.yaml")));
}

TEST_F(ConfigInCwd, TheFoundFileIsAppliedAndValidated) {
  std::ofstream(kDefaultConfigFile) << "fail_on: high\n";
  const auto merged = configured(ScanOptions{}, Command::scan);
  ASSERT_TRUE(merged) << merged.error();
  EXPECT_EQ(merged->fail_on, core::Severity::high);
}

TEST_F(ConfigInCwd, ConfigAndNoConfigTogetherAreRefused) {
  ScanOptions options;
  options.config = "other.yaml";
  options.no_config = true;
  const auto path = config_path(options);
  ASSERT_FALSE(path);
  EXPECT_EQ(path.error(), "--config and --no-config cannot be combined: give one of them");
}

TEST_F(ConfigInCwd, AuthCheckTakesOnlyItsOwnKeys) {
  std::ofstream(kDefaultConfigFile) << "format: sarif\nrule_set: all\ntimeout: 9\n";
  const auto merged = configured(ScanOptions{}, Command::auth_check);
  ASSERT_TRUE(merged) << merged.error();
  EXPECT_EQ(merged->format, report::Format::table);  // format is the report's, not auth check's
  EXPECT_EQ(merged->rules.size(), core::catalogue().size());
  EXPECT_EQ(merged->connection.timeout, std::chrono::seconds(9));
}

TEST_F(ConfigInCwd, AMissingFileGivenWithConfigIsAnError) {
  ScanOptions options;
  options.config = "missing.yaml";
  const auto merged = configured(options, Command::scan);
  ASSERT_FALSE(merged);
  EXPECT_EQ(merged.error(),
            "missing.yaml: no such config file; `bbposture config example > missing.yaml` "
            "writes one");
}

TEST_F(ConfigInCwd, AnErrorOfTheMergedOptionsIsLocatedAtTheKey) {
  std::ofstream(kDefaultConfigFile) << "fail_on: high\nsave_snapshot: a.json\n"
                                       "from_snapshot: b.json\n";
  const auto merged = configured(ScanOptions{}, Command::scan);
  ASSERT_FALSE(merged);
  EXPECT_THAT(merged.error(), StartsWith("bbposture.yaml:2:1: --save-snapshot and "
                                         "--from-snapshot cannot be combined"));
}

// ---- errors, with line and column --------------------------------------------------------------

TEST(ConfigErrors, YamlSyntaxErrorsAreLocated) {
  EXPECT_THAT(error_of("fail_on: high\nrepos: [a, b\n"),
              StartsWith("bbposture.yaml:3:1: not valid YAML ("));
  EXPECT_THAT(error_of("fail_on: high\n  - nope: [\n"), StartsWith("bbposture.yaml:2:"));
}

TEST(ConfigErrors, AFileThatIsNotAMappingIsRefused) {
  EXPECT_EQ(error_of("- fail_on\n"),
            "bbposture.yaml:1:1: a config file is a mapping of keys to values (fail_on: high); "
            "`bbposture config example` shows one");
}

TEST(ConfigErrors, AnUnknownKeyIsNamedWithTheNearestOne) {
  EXPECT_EQ(error_of("fail_on: high\nworkspace: acme\n"),
            "bbposture.yaml:2:1: unknown key 'workspace'; did you mean 'workspaces'?");
  EXPECT_EQ(error_of("stale_dayz: 3\n"),
            "bbposture.yaml:1:1: unknown key 'stale_dayz'; did you mean 'stale_days'?");
  EXPECT_THAT(error_of("color: auto\nbananas: 3\n"),
              StartsWith("bbposture.yaml:2:1: unknown key 'bananas'; the keys are: workspaces, "));
}

TEST(ConfigErrors, AKeyGivenTwiceIsRefused) {
  EXPECT_EQ(error_of("fail_on: high\nwidth: 90\nfail_on: low\n"),
            "bbposture.yaml:3:1: 'fail_on' is given twice (first on line 1); keep one");
}

TEST(ConfigErrors, WrongTypesAreLocatedAtTheValue) {
  EXPECT_EQ(error_of("timeout: thirty\n"),
            "bbposture.yaml:1:10: 'timeout' must be a whole number, not 'thirty'; e.g. "
            "timeout: 30");
  EXPECT_EQ(error_of("fail_on: [high]\n"),
            "bbposture.yaml:1:10: 'fail_on' takes one value, not a list; write fail_on: VALUE");
  EXPECT_EQ(error_of("color:\n  when: never\n"),
            "bbposture.yaml:2:3: 'color' takes one value, not a mapping; write color: VALUE");
  EXPECT_EQ(error_of("quiet: maybe\n"),
            "bbposture.yaml:1:8: 'quiet' must be true or false, not 'maybe'; e.g. quiet: false");
  EXPECT_EQ(error_of("repos: {a: b}\n"),
            "bbposture.yaml:1:8: 'repos' takes a list or one value, not a mapping; write repos: "
            "[a, b]");
  EXPECT_EQ(error_of("repos: [a, [b]]\n"),
            "bbposture.yaml:1:12: an item of 'repos' is empty or not a single value; write each "
            "item as one text, or remove it");
  EXPECT_EQ(error_of("fail_on:\n"), "bbposture.yaml:1:1: 'fail_on' has no value; give one");
  EXPECT_EQ(error_of("color: ''\n"),
            "bbposture.yaml:1:8: 'color' must not be empty; e.g. color: auto");
}

TEST(ConfigErrors, NegativeAndOutOfRangeNumbersAreRefused) {
  EXPECT_EQ(error_of("\nconcurrency: -4\n"),
            "bbposture.yaml:2:14: 'concurrency' must be between 1 and 64, not -4; e.g. "
            "concurrency: 8");
  EXPECT_EQ(error_of("concurrency: 65\n"),
            "bbposture.yaml:1:14: 'concurrency' must be between 1 and 64, not 65; e.g. "
            "concurrency: 8");
  EXPECT_EQ(error_of("max_requests_per_hour: -1\n"),
            "bbposture.yaml:1:24: 'max_requests_per_hour' must be between 0 and 4294967295, not "
            "-1; e.g. max_requests_per_hour: 0");
  EXPECT_EQ(error_of("stale_days: 200000\n"),
            "bbposture.yaml:1:13: 'stale_days' must be between 1 and 100000, not 200000; e.g. "
            "stale_days: 365");
  EXPECT_THAT(error_of("stale_days: 1.5\n"), HasSubstr("must be a whole number, not '1.5'"));
}

TEST(ConfigErrors, InvalidEnumValuesNameTheChoicesAndTheNearest) {
  EXPECT_EQ(error_of("fail_on: hihg\n"),
            "bbposture.yaml:1:10: 'fail_on' must be one of critical, high, medium, low, none, "
            "not 'hihg' (did you mean 'high'?); e.g. fail_on: low");
  EXPECT_THAT(error_of("format: xml\n"),
              StartsWith("bbposture.yaml:1:9: 'format' must be one of table, json, jsonl, sarif, "
                         "csv, html, junit, not 'xml'"));
  EXPECT_THAT(error_of("min_severity: none\n"), HasSubstr("not 'none'"));
  EXPECT_THAT(error_of("log_level: loud\n"), StartsWith("bbposture.yaml:1:12: 'log_level'"));
  EXPECT_THAT(error_of("max_wait: 2d\n"),
              StartsWith("bbposture.yaml:1:11: 'max_wait' must be a duration such as 0, 45s, 90m, "
                         "6h or 1h30m, not '2d'"));
}

// ---- credentials ------------------------------------------------------------------------------

TEST(ConfigCredentials, CredentialLookingKeysAreRefusedWithoutTheirValue) {
  for (const char* text :
       {"client_secret: s3cr3t-value\n", "fail_on: low\naccess_token: s3cr3t-value\n",
        "api_token: s3cr3t-value\n", "password: s3cr3t-value\n",
        "BITBUCKET_CLIENT_ID: "
        "s3cr3t-value\n",
        "api-key: s3cr3t-value\n"}) {
    const auto error = error_of(text);
    EXPECT_THAT(error, HasSubstr("looks like a credential, and credentials are never read from a "
                                 "config file; remove it and set BITBUCKET_CLIENT_ID and "
                                 "BITBUCKET_CLIENT_SECRET, or BITBUCKET_ACCESS_TOKEN, or "
                                 "BITBUCKET_EMAIL and BITBUCKET_API_TOKEN in the environment"))
        << text;
    EXPECT_THAT(error, Not(HasSubstr("s3cr3t"))) << text;
  }
}

TEST(ConfigCredentials, AtAnyDepthAndBeforeAnyOtherError) {
  EXPECT_THAT(error_of("fail_on: low\nignore:\n  - rule: old-key\n    secret: s3cr3t-value\n"),
              StartsWith("bbposture.yaml:4:5: 'secret' looks like a credential"));
  EXPECT_THAT(error_of("bananas:\n  nested:\n    - {oauth_token: s3cr3t-value}\n"),
              StartsWith("bbposture.yaml:3:8: 'oauth_token' looks like a credential"));
  EXPECT_THAT(error_of("fail_on: low\nbitbucket:\n  password: s3cr3t-value\n"),
              Not(HasSubstr("s3cr3t")));
}

TEST(ConfigCredentials, TokenUrlIsASettingNotACredential) {
  EXPECT_FALSE(looks_like_credential("token_url"));
  EXPECT_TRUE(looks_like_credential("token"));
  EXPECT_TRUE(looks_like_credential("client_id"));
  EXPECT_FALSE(looks_like_credential("fail_on"));
  EXPECT_EQ(parsed("token_url: https://bitbucket.org/site/oauth2/access_token\n")
                .values.connection.token_url,
            "https://bitbucket.org/site/oauth2/access_token");
}

// ---- ignore: ----------------------------------------------------------------------------------

TEST(ConfigIgnore, EverySelectorRuleBySlugOrIdReasonAndExpiry) {
  const auto file = parsed(R"(fail_on: high
ignore:
  - rule: public-repository
    repository: acme/website
    reason: public on purpose
    expires: 2028-02-29
  - rule: 738c9839-5e1e-4048-85a3-7935ec4c647a
    project: PLAT
    reason: "  approvals reset by a bot  "
  - rule: old-key
    key: "SHA256:abcdef"
    reason: rotation planned
  - fingerprint: 0123abcd
    reason: accepted
)");
  using S = core::Suppression::Selector;
  ASSERT_EQ(file.suppressions.size(), 4U);
  const auto& a = file.suppressions[0];
  EXPECT_EQ(a.rule->slug, "public-repository");
  EXPECT_EQ(a.selector, S::repository);
  EXPECT_EQ(a.value, "acme/website");
  EXPECT_EQ(a.reason, "public on purpose");
  EXPECT_EQ(a.expires, std::optional<std::string>("2028-02-29"));
  EXPECT_EQ(a.source, "bbposture.yaml:3");
  EXPECT_EQ(file.suppressions[1].rule->slug, "stale-approvals-kept");
  EXPECT_EQ(file.suppressions[1].selector, S::project);
  EXPECT_EQ(file.suppressions[1].reason, "approvals reset by a bot");
  EXPECT_EQ(file.suppressions[1].expires, std::nullopt);
  EXPECT_EQ(file.suppressions[2].selector, S::key);
  EXPECT_EQ(file.suppressions[2].value, "SHA256:abcdef");
  EXPECT_EQ(file.suppressions[3].rule, nullptr);
  EXPECT_EQ(file.suppressions[3].selector, S::fingerprint);
  EXPECT_EQ(file.suppressions[3].source, "bbposture.yaml:13");
}

TEST(ConfigIgnore, EveryMistakeIsLocated) {
  const std::string head = "ignore:\n";
  EXPECT_EQ(error_of(head + "  - rule: public-repo\n    repository: a/b\n    reason: x\n"),
            "bbposture.yaml:2:11: unknown rule 'public-repo'; `bbposture rules` lists the slugs "
            "and IDs");
  EXPECT_EQ(error_of(head + "  - rule: old-kye\n    repository: a/b\n    reason: x\n"),
            "bbposture.yaml:2:11: unknown rule 'old-kye'; did you mean 'old-key'?");
  EXPECT_EQ(error_of(head + "  - rule: old-key\n    reason: x\n"),
            "bbposture.yaml:2:5: an ignore entry needs one of repository, project, key or "
            "fingerprint; add the one that selects the findings");
  EXPECT_EQ(error_of(head + "  - rule: old-key\n    project: P\n    key: k\n    reason: x\n"),
            "bbposture.yaml:4:5: an ignore entry selects by one of repository, project, key or "
            "fingerprint, and this one already has 'project'; split it into two entries");
  EXPECT_EQ(error_of(head + "  - repository: a/b\n    reason: x\n"),
            "bbposture.yaml:2:5: an ignore entry needs a rule (slug or ID) unless it names a "
            "fingerprint; add rule: SLUG");
  EXPECT_EQ(error_of(head + "  - rule: old-key\n    key: k\n"),
            "bbposture.yaml:2:5: an ignore entry needs a reason: say why the risk is accepted");
  EXPECT_EQ(error_of(head + "  - rule: old-key\n    key: k\n    reason: '  '\n"),
            "bbposture.yaml:4:13: 'reason' is empty; give a value");
  EXPECT_EQ(error_of(head + "  - rule: old-key\n    key: k\n    reason: x\n    expires: "
                            "2027-02-29\n"),
            "bbposture.yaml:5:14: 'expires' must be a date YYYY-MM-DD, such as 2027-01-31 (got "
            "'2027-02-29')");
  EXPECT_THAT(error_of(head + "  - rule: old-key\n    key: k\n    reason: x\n    expires: "
                              "31/01/2027\n"),
              HasSubstr("(got '31/01/2027')"));
  EXPECT_EQ(error_of(head + "  - rule: old-key\n    keys: k\n    reason: x\n"),
            "bbposture.yaml:3:5: unknown key 'keys' in an ignore entry; did you mean 'key'?");
  EXPECT_EQ(error_of(head + "  - old-key\n"),
            "bbposture.yaml:2:5: an ignore entry is a mapping (- rule: SLUG, repository: GLOB, "
            "reason: WHY); write it as one");
  EXPECT_EQ(error_of("ignore: old-key\n"),
            "bbposture.yaml:1:9: 'ignore' is a list of entries; write each one as '- rule: ...'");
}

TEST(ConfigIgnore, AFingerprintIsItsFirstEightOrMoreHexDigitsReadInLowerCase) {
  const auto file = parsed("ignore:\n  - fingerprint: 0123ABCD9\n    reason: accepted\n");
  ASSERT_EQ(file.suppressions.size(), 1U);
  EXPECT_EQ(file.suppressions[0].value, "0123abcd9");
  const std::string head = "ignore:\n";
  EXPECT_EQ(error_of(head + "  - fingerprint: 0123abc\n    reason: x\n"),
            "bbposture.yaml:2:18: 'fingerprint' must be a finding fingerprint or at least its "
            "first 8 hex digits, as the table and the JSON report print it (got '0123abc')");
  EXPECT_THAT(error_of(head + "  - fingerprint: 0123abcg\n    reason: x\n"),
              HasSubstr("(got '0123abcg')"));
}

// ---- declared_restrictions: -------------------------------------------------------------------

TEST(ConfigDeclared, EntriesBecomeRestrictionsWithTheirSource) {
  const auto file = parsed(R"(declared_restrictions:
  - workspace: acme
    project: PLAT
    restrictions:
      require_approvals_to_merge: 2
      force: true
      push: {users: [release-bot, "{d1b6a2c4-1111-2222-3333-444455556666}"], groups: admins}
    reason: project-level, Premium
  - repository: acme/api-*
    branch: release/*
    restrictions:
      restrict_merges: {}
)");
  ASSERT_EQ(file.declarations.size(), 2U);
  const auto& d = file.declarations[0];
  EXPECT_EQ(d.workspace, std::optional<std::string>("acme"));
  EXPECT_EQ(d.project, std::optional<std::string>("PLAT"));
  EXPECT_EQ(d.repository_glob, std::nullopt);
  EXPECT_EQ(d.branch_glob, std::nullopt);
  EXPECT_EQ(d.source, "bbposture.yaml:2");
  ASSERT_EQ(d.restrictions.size(), 3U);
  EXPECT_EQ(d.restrictions[0].kind, "require_approvals_to_merge");
  EXPECT_EQ(d.restrictions[0].value, std::optional<std::int64_t>(2));
  EXPECT_EQ(d.restrictions[1].kind, "force");
  EXPECT_EQ(d.restrictions[1].value, std::nullopt);
  const auto& push = d.restrictions[2];
  EXPECT_EQ(push.kind, "push");
  ASSERT_EQ(push.users.size(), 2U);
  EXPECT_EQ(push.users[0].name, "release-bot");
  EXPECT_EQ(push.users[0].id, "");
  EXPECT_EQ(push.users[1].id, "{d1b6a2c4-1111-2222-3333-444455556666}");
  ASSERT_EQ(push.groups.size(), 1U);
  EXPECT_EQ(push.groups[0].name, "admins");
  for (const auto& r : d.restrictions) {
    EXPECT_EQ(r.declared_in, std::optional<std::string>("bbposture.yaml:2"));
    EXPECT_EQ(r.branch_match_kind, "glob");
    EXPECT_EQ(r.pattern, "");
  }
  EXPECT_EQ(file.declaration_reasons.at("bbposture.yaml:2"), "project-level, Premium");
  const auto& e = file.declarations[1];
  EXPECT_EQ(e.branch_glob, std::optional<std::string>("release/*"));
  EXPECT_EQ(e.restrictions[0].pattern, "release/*");
  EXPECT_TRUE(e.restrictions[0].users.empty());
  EXPECT_EQ(e.source, "bbposture.yaml:9");
}

TEST(ConfigDeclared, BranchDefaultIsTheDefaultBranch) {
  const auto file = parsed(
      "declared_restrictions:\n  - project: P\n    branch: default\n    restrictions: {delete: "
      "true}\n");
  EXPECT_EQ(file.declarations.at(0).branch_glob, std::nullopt);
}

TEST(ConfigDeclared, EveryMistakeIsLocated) {
  const std::string head = "declared_restrictions:\n";
  EXPECT_EQ(error_of(head + "  - branch: main\n    restrictions: {force: true}\n"),
            "bbposture.yaml:2:5: a declared_restrictions entry needs at least one of workspace, "
            "project or repository; add the one it applies to");
  EXPECT_EQ(error_of(head + "  - project: P\n"),
            "bbposture.yaml:2:5: a declared_restrictions entry needs restrictions: {KIND: VALUE}");
  EXPECT_EQ(error_of(head + "  - project: P\n    restrictions: {forse: true}\n"),
            "bbposture.yaml:3:20: unknown key 'forse' in restrictions (a kind of Bitbucket's "
            "API); did you mean 'force'?");
  EXPECT_EQ(error_of(head + "  - project: P\n    restrictions:\n      require_approvals_to_merge: "
                            "two\n"),
            "bbposture.yaml:4:35: 'require_approvals_to_merge' takes a number from 0 to 1000; "
            "write require_approvals_to_merge: 2");
  EXPECT_THAT(error_of(head + "  - project: P\n    restrictions: {require_commits_behind: -1}\n"),
              HasSubstr("takes a number from 0 to 1000"));
  EXPECT_EQ(error_of(head + "  - project: P\n    restrictions: {force: 2}\n"),
            "bbposture.yaml:3:27: 'force' takes no value: write force: true, or remove the line");
  EXPECT_THAT(error_of(head + "  - project: P\n    restrictions: {delete: false}\n"),
              HasSubstr("'delete' takes no value"));
  EXPECT_EQ(error_of(head + "  - project: P\n    restrictions: {push: true}\n"),
            "bbposture.yaml:3:26: 'push' takes the users and groups it exempts; write push: "
            "{users: [], groups: []}");
  EXPECT_EQ(error_of(head + "  - project: P\n    restrictions: {push: {user: [a]}}\n"),
            "bbposture.yaml:3:27: unknown key 'user' of push; did you mean 'users'?");
  EXPECT_EQ(error_of(head + "  - project: P\n    restrictions: {}\n"),
            "bbposture.yaml:3:19: 'restrictions' maps restriction kinds to values; write e.g. "
            "restrictions: {require_approvals_to_merge: 2, force: true}");
  EXPECT_EQ(error_of(head + "  - projects: P\n"),
            "bbposture.yaml:2:5: unknown key 'projects' in a declared_restrictions entry; did you "
            "mean 'project'?");
  EXPECT_EQ(error_of(head + "  - project: P\n    project: Q\n    restrictions: {force: true}\n"),
            "bbposture.yaml:3:5: 'project' is given twice (first on line 2); keep one");
  EXPECT_EQ(error_of("declared_restrictions: {project: P}\n"),
            "bbposture.yaml:1:24: 'declared_restrictions' is a list of entries; write each one "
            "as '- project: KEY ...'");
}

// ---- config example ---------------------------------------------------------------------------

// The example's commented-out entries: lines "#ignore:", "#  - rule: …" lose their '#'.
std::string uncommented(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.size() > 1 && line[0] == '#' && (line[1] != ' ' || line.rfind("#  ", 0) == 0)) {
      line.erase(0, 1);
    }
    out += line + '\n';
  }
  return out;
}

TEST(ConfigExample, NamesEveryKeyAtItsDefaultAndParsesAsIs) {
  const auto example = config_example();
  const auto file = parsed(example);
  EXPECT_EQ(file.keys.size(), config_keys().size());
  const auto merged = apply_config(file, ScanOptions{}, {});
  const ScanOptions defaults;
  for (const auto& key : config_keys()) {
    EXPECT_EQ(config_value(merged, key.name), config_value(defaults, key.name)) << key.name;
  }
  EXPECT_TRUE(validate(merged));
}

TEST(ConfigExample, ItsCommentedEntriesAreValidOnceUncommented) {
  const auto file = parsed(uncommented(config_example()));
  EXPECT_EQ(file.suppressions.size(), 1U);
  ASSERT_EQ(file.declarations.size(), 1U);
  EXPECT_EQ(file.declarations[0].restrictions.size(), 5U);
  EXPECT_TRUE(validate(apply_config(file, ScanOptions{}, {})));
}

}  // namespace
}  // namespace bbp::app
