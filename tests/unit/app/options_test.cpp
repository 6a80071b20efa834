// Option validation: what `bbposture scan` refuses before the first request, and why.
#include "options.hpp"

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
  EXPECT_THAT(validate(options).error(), HasSubstr("--max-wait: 'soon' is not a duration"));
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

}  // namespace
}  // namespace bbp::app
