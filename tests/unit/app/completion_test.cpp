// The completion spec walked from a CLI11 definition, and the values it offers for scan's
// options: each one is a value `bbposture scan` accepts.
#include "completion.hpp"

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "commands.hpp"
#include "options.hpp"

namespace bbp::app {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const OptionSpec& find_option(const CommandSpec& command, const std::string& name) {
  const auto it =
      std::find_if(command.options.begin(), command.options.end(), [&](const OptionSpec& o) {
        return std::find(o.names.begin(), o.names.end(), name) != o.names.end();
      });
  if (it == command.options.end()) {
    throw std::runtime_error("no option " + name + " in '" + command.path + "'");
  }
  return *it;
}

TEST(CompletionSpec, WalksSubcommandsOptionsAndWhatTheyTake) {
  CLI::App app{"tool", "tool"};
  std::string text;
  std::string file;
  bool flag = false;
  auto* one = app.add_subcommand("one", "first");
  one->add_option("-m,--mode", text)->check(CLI::IsMember({"fast", "slow"}));
  one->add_option("--input", file)->type_name("FILE");
  one->add_option("--previous", file)->type_name("REPORT.json");
  one->add_option("--name", text);
  one->add_flag("--dry-run", flag);
  one->add_option("--secret", text)->group("");  // hidden
  one->add_option("report", file)->type_name("OLD.json");
  auto* two = app.add_subcommand("two", "second");
  two->add_subcommand("deep", "nested")->add_option("kind", text)->check(CLI::IsMember({"a"}));
  app.add_subcommand("hidden", "not shown")->group("");

  const auto spec = completion_spec(app);
  ASSERT_EQ(spec.size(), 4U);
  EXPECT_EQ(spec[0].path, "");
  EXPECT_THAT(spec[0].subcommands, ElementsAre("one", "two"));
  EXPECT_EQ(spec[1].path, "one");
  EXPECT_EQ(spec[3].path, "two deep");
  EXPECT_THAT(spec[3].positional_choices, ElementsAre("a"));
  EXPECT_FALSE(spec[3].positional_files);
  EXPECT_TRUE(spec[1].positional_files);

  const auto& mode = find_option(spec[1], "--mode");
  EXPECT_THAT(mode.names, ElementsAre("-m", "--mode"));
  EXPECT_EQ(mode.takes, ValueKind::choice);
  EXPECT_THAT(mode.choices, ElementsAre("fast", "slow"));
  EXPECT_EQ(find_option(spec[1], "--input").takes, ValueKind::file);
  EXPECT_EQ(find_option(spec[1], "--previous").takes, ValueKind::file);
  EXPECT_EQ(find_option(spec[1], "--name").takes, ValueKind::word);
  EXPECT_EQ(find_option(spec[1], "--dry-run").takes, ValueKind::none);
  EXPECT_THROW(find_option(spec[1], "--secret"), std::runtime_error);

  const auto script = bash_completion_script(spec);
  EXPECT_THAT(script, HasSubstr("\"/one\" | \"/two\") path="));
  EXPECT_THAT(script, HasSubstr("\"one/-m\" | \"one/--mode\")\n      words=\"fast slow\""));
  EXPECT_THAT(script, Not(HasSubstr("secret")));
  EXPECT_THAT(script, Not(HasSubstr("hidden")));
  EXPECT_THAT(zsh_completion_script(spec), HasSubstr("bashcompinit"));
}

TEST(CompletionSpec, LeavesOutWordsThatAreNotSafeInAScript) {
  CLI::App app{"tool", "tool"};
  std::string text;
  app.add_option("--mode", text)->check(CLI::IsMember({"ok", "$(rm -rf x)", "a b"}));
  EXPECT_THAT(find_option(completion_spec(app)[0], "--mode").choices.size(), 3U);
  const auto script = bash_completion_script(completion_spec(app));
  EXPECT_THAT(script, HasSubstr("words=\"ok\""));
  EXPECT_THAT(script, Not(HasSubstr("rm -rf")));
}

// Each value completion offers for an option of scan is one that scan accepts.
TEST(CompletionSpec, ScanValuesAreAccepted) {
  CLI::App app{"bbposture", "bbposture"};
  ScanOptions unused;
  setup_scan(*app.add_subcommand("scan", "scan"), unused);
  const auto spec = completion_spec(app);
  const auto& scan = spec.at(1);
  const std::vector<std::pair<std::string, std::string ScanOptions::*>> cases{
      {"--format", &ScanOptions::format},
      {"--color", &ScanOptions::color},
      {"--fail-on", &ScanOptions::fail_on},
      {"--min-severity", &ScanOptions::min_severity},
  };
  for (const auto& [name, field] : cases) {
    const auto& option = find_option(scan, name);
    ASSERT_EQ(option.takes, ValueKind::choice) << name;
    for (const auto& value : option.choices) {
      ScanOptions options;
      options.*field = value;
      EXPECT_TRUE(validate(options)) << name << " " << value;
    }
  }
  for (const auto* name : {"--rule", "--skip-rule"}) {
    for (const auto& value : find_option(scan, name).choices) {
      ScanOptions options;
      options.rules = {value};
      EXPECT_TRUE(validate(options)) << name << " " << value;
    }
  }
}

}  // namespace
}  // namespace bbp::app
