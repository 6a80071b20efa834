// The option table: every row's flag and config key accept and refuse the same values, with the
// same words; the command line speaks the project's language; the docs list every row.
#include "option_table.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bbp/core/settings.hpp"
#include "bbp/text/text.hpp"
#include "commands.hpp"
#include "config_file.hpp"

namespace bbp::app {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// What one source made of one value: the value stored (as YAML writes it) or why it was refused
// (the predicate alone: "must be between 1 and 64, not 0").
struct Outcome {
  bool accepted = false;
  std::string detail;
};

// `bbposture scan|diff|auth check <flag> <value>`, parsed as main() does.
Outcome from_command_line(const OptionRow& row, Command command, const std::string& value) {
  CLI::App app;
  ScanOptions options;
  add_options(app, command, options);
  const std::string flag = long_name(row);
  try {
    app.parse(std::vector<std::string>{value, flag});  // CLI11 takes them in reverse
  } catch (const CLI::ParseError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind(flag + " ", 0), 0U) << what;  // the option first, then the predicate
    return {false, what.substr(flag.size() + 1)};
  }
  return {true, value_text(row, options)};
}

// The same value under the row's key in a config file.
Outcome from_config_file(const OptionRow& row, const std::string& value) {
  std::string quoted = "\"";
  for (const char c : value) {
    quoted += c == '"' ? std::string("\\\"") : std::string(1, c);
  }
  const auto file = parse_config(std::string(row.key) + ": " + quoted + "\"\n", "f.yaml");
  if (!file) {
    // "f.yaml:1:C: 'key' PREDICATE; e.g. key: DEFAULT"
    const std::string& error = file.error();
    const std::string head = "'" + std::string(row.key) + "' ";
    const auto from = error.find(head);
    const auto to = error.rfind("; e.g. ");
    EXPECT_NE(from, std::string::npos) << error;
    return {false, error.substr(from + head.size(), to - from - head.size())};
  }
  return {true, value_text(row, file->values)};
}

// Values worth trying for a row: good ones, bad ones and the edges.
std::vector<std::string> samples(const OptionRow& row) {
  std::vector<std::string> values{"x", "1.5", "-1", "0", "abc def"};
  switch (row.kind) {
    case OptionKind::number:
    case OptionKind::count:
      for (const auto n : {row.min - 1, row.min, row.max, row.max + 1, std::int64_t{60}}) {
        values.push_back(std::to_string(n));
      }
      break;
    case OptionKind::choice:
      for (const auto& choice : row.values()) {
        values.push_back(choice);
        std::string upper = choice;
        for (auto& c : upper) {
          c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        values.push_back(upper);
        values.push_back(choice.substr(1));  // a near miss
      }
      break;
    case OptionKind::duration:
      values.insert(values.end(), {"45s", "90m", "1h30m", "2d", "soon", "12"});
      break;
    case OptionKind::text:
    case OptionKind::path:
      values.insert(values.end(), {"report.json", "https://example.com/2.0"});
      break;
    case OptionKind::list:
    case OptionKind::flag:
      break;
  }
  return values;
}

TEST(OptionTable, FlagAndKeyAcceptAndRefuseTheSameValuesWithTheSameWords) {
  int compared = 0;
  for (const auto& row : option_table()) {
    if (row.key.empty() || row.kind == OptionKind::flag || row.kind == OptionKind::count ||
        row.kind == OptionKind::list) {
      continue;  // flags take no value on the command line; lists are split by validate()
    }
    const Command command = takes(row, Command::scan) ? Command::scan : Command::auth_check;
    for (const auto& value : samples(row)) {
      const auto cli = from_command_line(row, command, value);
      const auto file = from_config_file(row, value);
      EXPECT_EQ(cli.accepted, file.accepted) << long_name(row) << " " << value;
      EXPECT_EQ(cli.detail, file.detail) << long_name(row) << " " << value;
      ++compared;
    }
  }
  EXPECT_GT(compared, 200);
}

TEST(OptionTable, TheThreeObservedDisagreementsAreGone) {
  // format: html in a file; stale_days above the file's old limit on the command line.
  const auto* format = option_by_key("format");
  ASSERT_NE(format, nullptr);
  EXPECT_TRUE(from_config_file(*format, "html").accepted);
  EXPECT_THAT(config_example(), HasSubstr("html"));
  for (const auto* key : {"stale_days", "min_approvals", "max_owners"}) {
    const auto* row = option_by_key(key);
    ASSERT_NE(row, nullptr);
    const auto cli = from_command_line(*row, Command::scan, std::to_string(row->max + 1));
    EXPECT_FALSE(cli.accepted) << key;
    EXPECT_EQ(cli.detail, from_config_file(*row, std::to_string(row->max + 1)).detail);
  }
  // diff's -f takes html, and its --help says so.
  CLI::App app;
  DiffOptions diff;
  setup_diff(app, diff);
  const auto* diff_format = option_by_name("--format", Command::diff);
  ASSERT_NE(diff_format, nullptr);
  const auto choices = diff_format->values();
  EXPECT_NE(std::find(choices.begin(), choices.end(), "html"), choices.end());
}

// JUnit is a format wherever formats are taken: -f for scan and diff, the config file's
// `format`, and the extension of an -o file (.xml).
TEST(OptionTable, JunitIsAcceptedEverywhereAFormatIs) {
  const auto* format = option_by_key("format");
  ASSERT_NE(format, nullptr);
  EXPECT_TRUE(from_config_file(*format, "junit").accepted);
  EXPECT_TRUE(from_command_line(*format, Command::scan, "JUnit").accepted);
  const auto* diff_format = option_by_name("--format", Command::diff);
  ASSERT_NE(diff_format, nullptr);
  const auto choices = diff_format->values();
  EXPECT_NE(std::find(choices.begin(), choices.end(), "junit"), choices.end());
  EXPECT_EQ(format_for_extension("out/posture.XML"), report::Format::junit);
  EXPECT_EQ(format_for_extension("posture.junit"), report::Format::junit);
}

TEST(OptionTable, KeysAndLongNamesAreUniquePerCommand) {
  for (const auto command : {Command::scan, Command::diff, Command::auth_check}) {
    std::set<std::string> names;
    for (const auto& row : option_table()) {
      if (takes(row, command)) {
        EXPECT_TRUE(names.insert(long_name(row)).second) << long_name(row);
      }
    }
  }
  std::set<std::string_view> keys;
  for (const auto& row : option_table()) {
    EXPECT_TRUE(row.key.empty() || keys.insert(row.key).second) << row.key;
    EXPECT_FALSE(row.help.empty()) << long_name(row);
    EXPECT_TRUE(row.kind != OptionKind::choice || row.values != nullptr) << long_name(row);
  }
}

TEST(OptionTable, EveryThresholdIsARowOfScan) {
  for (const auto& t : core::thresholds()) {
    const auto* row = option_by_key(t.key);
    ASSERT_NE(row, nullptr) << t.key;
    EXPECT_EQ(long_name(*row), t.flag);
    EXPECT_EQ(row->min, t.min);
    EXPECT_EQ(row->max, t.max);
    EXPECT_EQ(value_text(*row, ScanOptions{}), std::to_string(core::default_value(t)));
  }
}

// ---- the command line's own words ---------------------------------------------------------------

std::string parse_error(std::vector<std::string> args) {
  CLI::App app;
  ScanOptions options;
  add_options(app, Command::scan, options);
  std::reverse(args.begin(), args.end());
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
  return "";
}

TEST(OptionTable, ErrorsNameTheOptionTheValueAndWhatIsAllowed) {
  EXPECT_EQ(parse_error({"--stale-days", "abc"}), "--stale-days must be a whole number, not 'abc'");
  EXPECT_THAT(parse_error({"-f", "jsn"}), HasSubstr("not 'jsn' (did you mean 'json'?)"));
  EXPECT_EQ(parse_error({"--width", "10"}), "--width must be 0 or between 60 and 500, not 10");
  EXPECT_EQ(parse_error({"--fail-on", "hihg"}),
            "--fail-on must be one of critical, high, medium, low, none, not 'hihg' (did you mean "
            "'high'?)");
  EXPECT_EQ(parse_error({"-o", ""}),
            "--output was given an empty value: name a file, or leave it out");
  for (const auto& error : {parse_error({"--stale-days", "abc"}), parse_error({"-f", "csvv"})}) {
    EXPECT_THAT(error, Not(HasSubstr("Could not convert")));
    EXPECT_THAT(error, Not(HasSubstr(" not in {")));
  }
}

// Parses `args` (in command-line order) as `bbposture scan` would.
ScanOptions parsed(std::vector<std::string> args) {
  CLI::App app;
  ScanOptions options;
  add_options(app, Command::scan, options);
  std::reverse(args.begin(), args.end());
  app.parse(args);
  return options;
}

TEST(OptionTable, ARepeatedSingleValuedOptionTakesTheLastValue) {
  const auto options = parsed({"-f", "table", "-f", "json", "--stale-days", "30", "--stale-days",
                               "40", "--plan", "--plan"});
  EXPECT_EQ(options.format, "json");
  EXPECT_EQ(options.settings.stale_days, 40);
  EXPECT_TRUE(options.plan);
  EXPECT_EQ(std::set<std::string>(options.given.begin(), options.given.end()),
            (std::set<std::string>{"--format", "--stale-days", "--plan"}));
}

TEST(OptionTable, RepeatedListsAccumulate) {
  const auto options = parsed({"-w", "a", "-w", "b,c"});
  EXPECT_EQ(options.workspaces, (std::vector<std::string>{"a", "b,c"}));  // split by validate()
}

// ---- the docs
// ------------------------------------------------------------------------------------

std::string read_doc(const std::string& name) {
  std::ifstream in(std::string(BBP_SOURCE_DIR) + "/docs/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "-f,--format" as the docs write it: "-f, --format".
std::string doc_names(const OptionRow& row) {
  std::string names(row.names);
  if (const auto comma = names.find(','); comma != std::string::npos) {
    names.insert(comma + 1, " ");
  }
  return names;
}

TEST(OptionTable, DocsConfigMdListsEveryKeyWithItsDefaultAndChoices) {
  const std::string doc = read_doc("config.md");
  for (const auto& row : option_table()) {
    if (row.key.empty()) {
      continue;
    }
    const std::string head = "| `" + std::string(row.key) + "` | ";
    const auto at = doc.find(head);
    ASSERT_NE(at, std::string::npos) << row.key;
    const std::string line = doc.substr(at, doc.find('\n', at) - at);
    EXPECT_THAT(line, HasSubstr("| `" + doc_names(row) + "` |"));
    EXPECT_THAT(line, HasSubstr("`" + value_text(row, ScanOptions{}) + "`"));
    if (row.kind == OptionKind::choice) {
      for (const auto& choice : row.values()) {
        EXPECT_THAT(line, HasSubstr("`" + choice + "`")) << row.key;
      }
    }
    if (row.kind == OptionKind::number) {
      EXPECT_THAT(line, HasSubstr(std::to_string(row.max))) << row.key;
    }
  }
}

TEST(OptionTable, DocsCliMdListsEveryOption) {
  const std::string doc = read_doc("cli.md");
  for (const auto& row : option_table()) {
    EXPECT_THAT(doc, HasSubstr("| `" + doc_names(row))) << row.names;
  }
}

}  // namespace
}  // namespace bbp::app
