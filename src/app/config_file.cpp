// The config file: the settings table, reading YAML into ScanOptions with a located message for
// every mistake, and the merge with the command line (docs/config.md).
#include "config_file.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <variant>

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include "bbp/core/catalogue.hpp"
#include "bbp/text/text.hpp"
#include "commands.hpp"
#include "config_reader.hpp"
#include "runtime.hpp"

namespace bbp::app {
namespace {

// Where a setting lives in ScanOptions.
using TextField = std::string& (*)(ScanOptions&);
using ListField = std::vector<std::string>& (*)(ScanOptions&);
using IntField = int& (*)(ScanOptions&);
using RateField = std::uint32_t& (*)(ScanOptions&);
using FlagField = bool& (*)(ScanOptions&);
using Field = std::variant<TextField, ListField, IntField, RateField, FlagField>;

template <auto Member>
auto& top(ScanOptions& o) {
  return o.*Member;
}
template <auto Member>
auto& connection(ScanOptions& o) {
  return o.connection.*Member;
}
template <auto Member>
auto& log(ScanOptions& o) {
  return o.log.*Member;
}

// One row of the settings table.
struct Setting {
  ConfigKey key;
  Field field;
  std::vector<std::string_view> choices;  // a text with a fixed set of values
  std::int64_t min = 0;                   // numbers
  std::int64_t max = 0;
  bool may_be_empty = false;  // "" leaves the setting unset
  bool duration = false;      // "90m", "6h", "0"
};

Setting text(ConfigKey key, TextField field, bool may_be_empty,
             std::vector<std::string_view> choices = {}) {
  return {key, field, std::move(choices), 0, 0, may_be_empty, false};
}
Setting duration(ConfigKey key, TextField field) {
  return {key, field, {}, 0, 0, false, true};
}
Setting list(ConfigKey key, ListField field) {
  return {key, field, {}, 0, 0, false, false};
}
Setting number(ConfigKey key, IntField field, std::int64_t min, std::int64_t max) {
  return {key, field, {}, min, max, false, false};
}
Setting rate(ConfigKey key, RateField field) {
  return {key, field, {}, 0, UINT32_MAX, false, false};
}
Setting flag(ConfigKey key, FlagField field) {
  return {key, field, {}, 0, 0, false, false};
}

// Every setting, in the order of `config example` and docs/config.md.
const std::vector<Setting>& settings() {
  using O = ScanOptions;
  using C = ConnectionOptions;
  using L = LogOptions;
  static const std::vector<Setting> table{
      list({"workspaces", "--workspace", "workspace slugs to scan ([]: every one you can see)"},
           &top<&O::workspaces>),
      list({"repos", "--repo", "only repositories matching these globs (slug or ws/slug)"},
           &top<&O::repos>),
      list({"exclude_repos", "--exclude-repo", "skip repositories matching these globs"},
           &top<&O::exclude_repos>),
      list({"projects", "--project", "only repositories in these project keys"},
           &top<&O::projects>),
      flag({"include_user_keys", "--include-user-keys",
            "check your own SSH keys in a repos/projects scan too"},
           &top<&O::include_user_keys>),
      text({"format", "--format", "table, json, jsonl, sarif, csv (\"\": from output's extension)"},
           &top<&O::format>, true, {"table", "json", "jsonl", "sarif", "csv"}),
      text({"output", "--output", R"(report file ("" or "-": standard output))"}, &top<&O::output>,
           true),
      text({"color", "--color", "colour the table: auto, always, never"}, &top<&O::color>, false,
           {"auto", "always", "never"}),
      number({"width", "--width", "table width in columns (0: the terminal's, else 80)"},
             &top<&O::width>, 0, 500),
      text({"fail_on", "--fail-on", "exit 1 at or above: critical, high, medium, low, none"},
           &top<&O::fail_on>, false, {"critical", "high", "medium", "low", "none"}),
      text({"min_severity", "--min-severity", "leave findings below this out (\"\": none)"},
           &top<&O::min_severity>, true, {"critical", "high", "medium", "low"}),
      flag({"allow_incomplete", "--allow-incomplete", "do not exit 3 when something is unknown"},
           &top<&O::allow_incomplete>),
      flag({"show_suppressed", "--show-suppressed", "the table lists suppressed findings too"},
           &top<&O::show_suppressed>),
      flag({"fail_on_unchanged", "--fail-on-unchanged",
            "with a baseline, fail_on counts unchanged findings too"},
           &top<&O::fail_on_unchanged>),
      text({"baseline", "--baseline", "a previous JSON report to compare with (\"\": none)"},
           &top<&O::baseline>, true),
      list({"rules", "--rule", "only these rules, by slug or ID ([]: the rule set)"},
           &top<&O::rules>),
      list({"skip_rules", "--skip-rule", "not these rules, by slug or ID"}, &top<&O::skip_rules>),
      text({"rule_set", "--rule-set", "a set of rules: casb (the default), extended, all"},
           &top<&O::rule_set>, true, {"casb", "extended", "all"}),
      number({"stale_days", "--stale-days", "rule 4: days without update before stale"},
             &top<&O::stale_days>, 1, 100'000),
      number({"key_max_age_days", "--key-max-age-days", "rule 11: maximum key age in days"},
             &top<&O::key_max_age_days>, 1, 100'000),
      number({"min_approvals", "--min-approvals", "rule 2: approvals a pull request needs"},
             &top<&O::min_approvals>, 1, 100),
      number({"max_owners", "--max-owners", "workspace-owner-count: most owners allowed"},
             &top<&O::max_owners>, 1, 1000),
      text({"save_snapshot", "--save-snapshot", "also write what was read to this file"},
           &top<&O::save_snapshot>, true),
      text({"from_snapshot", "--from-snapshot", "evaluate this saved snapshot, offline"},
           &top<&O::from_snapshot>, true),
      text({"checkpoint", "--checkpoint", "journal completed reads to this file, to resume"},
           &top<&O::checkpoint>, true),
      text({"api_url", "--api-url", "Bitbucket Cloud API base URL"}, &connection<&C::api_url>,
           false),
      text({"token_url", "--token-url", "OAuth 2.0 token URL"}, &connection<&C::token_url>, false),
      number({"timeout", "--timeout", "seconds for each request"}, &connection<&C::timeout_seconds>,
             1, 3600),
      text({"ca_bundle", "--ca-bundle", "PEM file of CA certificates to trust (\"\": system)"},
           &connection<&C::ca_bundle>, true),
      number({"concurrency", "--concurrency", "requests in flight at once (1-64)"},
             &connection<&C::concurrency>, 1, 64),
      rate({"max_requests_per_hour", "--max-requests-per-hour", "pace requests (0: unlimited)"},
           &connection<&C::max_requests_per_hour>),
      number({"max_attempts", "--max-attempts", "attempts per request on 5xx and network errors"},
             &connection<&C::max_attempts>, 1, 20),
      duration(
          {"max_wait", "--max-wait", "longest wait on the rate limit (45s, 90m, 6h; 0: never)"},
          &connection<&C::max_wait>),
      text({"log_level", "--log-level",
            "trace, debug, info, warn, error (\"\": from quiet/verbose)"},
           &log<&L::log_level>, true, {"trace", "debug", "info", "warn", "error"}),
      flag({"quiet", "--quiet", "only log errors"}, &log<&L::quiet>),
      number({"verbose", "--verbose", "more log output (1: info, 2: debug)"}, &log<&L::verbose>, 0,
             2),
      flag({"no_progress", "--no-progress", "no progress line on stderr"}, &log<&L::no_progress>),
  };
  return table;
}

const Setting* find_setting(std::string_view name) {
  for (const auto& s : settings()) {
    if (s.key.name == name) {
      return &s;
    }
  }
  return nullptr;
}

// "'fail_on' must be one of …": the value, and how a right one looks.
Failure wrong_value(const YamlReader& reader, const YAML::Node& value, const Setting& s,
                    std::string_view what) {
  return reader.fail(value, "'" + std::string(s.key.name) + "' " + std::string(what) + "; e.g. " +
                                std::string(s.key.name) + ": " +
                                config_value(ScanOptions{}, s.key.name));
}

tl::expected<void, std::string> read_text(const YamlReader& reader, const Setting& s,
                                          const YAML::Node& value, std::string& target) {
  std::string text = value.Scalar();
  if (text.empty() && !s.may_be_empty) {
    return wrong_value(reader, value, s, "must not be empty");
  }
  if (!s.choices.empty() && !text.empty()) {
    const auto match = std::find_if(s.choices.begin(), s.choices.end(),
                                    [&](std::string_view c) { return text::iequals(c, text); });
    if (match == s.choices.end()) {
      std::string what = "must be one of " + text::join(s.choices) + ", not '" + text + "'";
      const std::vector<std::string> choices(s.choices.begin(), s.choices.end());
      if (const auto suggestion = nearest(text, choices)) {
        what += " (did you mean '" + *suggestion + "'?)";
      }
      return wrong_value(reader, value, s, what);
    }
    text = std::string(*match);
  }
  if (s.duration) {
    if (auto parsed = parse_duration(text); !parsed) {
      return wrong_value(reader, value, s, "is wrong: " + parsed.error());
    }
  }
  target = std::move(text);
  return {};
}

tl::expected<std::int64_t, std::string> read_number(const YamlReader& reader, const Setting& s,
                                                    const YAML::Node& value) {
  std::int64_t number = 0;
  if (!YAML::convert<std::int64_t>::decode(value, number)) {
    return wrong_value(reader, value, s, "must be a whole number, not '" + value.Scalar() + "'");
  }
  if (number < 0) {
    return wrong_value(reader, value, s,
                       "must not be negative (got " + std::to_string(number) + ")");
  }
  if (number < s.min || number > s.max) {
    return wrong_value(reader, value, s,
                       "must be between " + std::to_string(s.min) + " and " +
                           std::to_string(s.max) + " (got " + std::to_string(number) + ")");
  }
  return number;
}

// One setting's value into `options`.
tl::expected<void, std::string> read_setting(const YamlReader& reader, const Setting& s,
                                             const YAML::Node& key, const YAML::Node& value,
                                             ScanOptions& options) {
  if (const auto* field = std::get_if<ListField>(&s.field)) {
    auto items = reader.texts(key, value);
    if (!items) {
      return Failure(items.error());
    }
    (*field)(options) = std::move(*items);
    return {};
  }
  if (value.IsNull() || !value.IsScalar()) {
    auto one = reader.text(key, value);  // says what is wrong with it
    return Failure(one.error());
  }
  if (const auto* field = std::get_if<TextField>(&s.field)) {
    return read_text(reader, s, value, (*field)(options));
  }
  if (const auto* field = std::get_if<FlagField>(&s.field)) {
    if (!YAML::convert<bool>::decode(value, (*field)(options))) {
      return wrong_value(reader, value, s, "must be true or false, not '" + value.Scalar() + "'");
    }
    return {};
  }
  auto number = read_number(reader, s, value);
  if (!number) {
    return Failure(number.error());
  }
  if (const auto* field = std::get_if<IntField>(&s.field)) {
    (*field)(options) = static_cast<int>(*number);
  } else {
    (*std::get_if<RateField>(&s.field))(options) = static_cast<std::uint32_t>(*number);
  }
  return {};
}

std::vector<std::string> top_level_keys() {
  std::vector<std::string> keys;
  for (const auto& s : settings()) {
    keys.emplace_back(s.key.name);
  }
  keys.emplace_back("ignore");
  keys.emplace_back("declared_restrictions");
  return keys;
}

// One top-level `key: value` into `file`.
tl::expected<void, std::string> read_top_level(const YamlReader& reader, const YAML::Node& key,
                                               const YAML::Node& value, ConfigFile& file) {
  const std::string& name = key.Scalar();
  if (name == "ignore") {
    auto suppressions = read_suppressions(reader, key, value);
    if (!suppressions) {
      return Failure(suppressions.error());
    }
    file.suppressions = std::move(*suppressions);
    return {};
  }
  if (name == "declared_restrictions") {
    auto declarations = read_declarations(reader, key, value);
    if (!declarations) {
      return Failure(declarations.error());
    }
    file.declarations = std::move(declarations->entries);
    file.declaration_reasons = std::move(declarations->reasons);
    return {};
  }
  const Setting* setting = find_setting(name);
  if (setting == nullptr) {
    return reader.unknown_key(key, "", top_level_keys());
  }
  file.keys[name] = key.Mark().line + 1;
  return read_setting(reader, *setting, key, value, file.values);
}

// A text as YAML reads it back: plain when that is unambiguous ("high", "acme/api-*",
// "https://…", "12h"), else double-quoted ("", "30", "true", "*", "a, b").
std::string yaml_text(const std::string& value, bool in_list) {
  const YAML::Node node(value);
  double number = 0;
  bool boolean = false;
  bool plain = !value.empty() && !YAML::convert<double>::decode(node, number) &&
               !YAML::convert<bool>::decode(node, boolean) && value != "~" &&
               !text::iequals(value, "null") &&
               (std::isalnum(static_cast<unsigned char>(value[0])) != 0 || value[0] == '_' ||
                value[0] == '.' || value[0] == '/');
  for (const char c : value) {
    const bool safe = std::isalnum(static_cast<unsigned char>(c)) != 0 ||
                      std::string_view("_./-*@+").find(c) != std::string_view::npos ||
                      (c == ':' && !in_list);
    plain = plain && safe;
  }
  if (plain) {
    return value;
  }
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::vector<ConfigKey> config_keys() {
  std::vector<ConfigKey> keys;
  for (const auto& s : settings()) {
    keys.push_back(s.key);
  }
  return keys;
}

std::string config_value(const ScanOptions& options, std::string_view key) {
  const Setting* setting = find_setting(key);
  if (setting == nullptr) {
    return {};
  }
  ScanOptions copy = options;
  return std::visit(
      [&](auto field) -> std::string {
        using F = decltype(field);
        if constexpr (std::is_same_v<F, ListField>) {
          std::vector<std::string> items;
          for (const auto& item : field(copy)) {
            items.push_back(yaml_text(item, true));
          }
          return "[" + text::join(items) + "]";
        } else if constexpr (std::is_same_v<F, TextField>) {
          return yaml_text(field(copy), false);
        } else if constexpr (std::is_same_v<F, FlagField>) {
          return field(copy) ? "true" : "false";
        } else {
          return std::to_string(field(copy));
        }
      },
      setting->field);
}

ScanOptions apply_config(const ConfigFile& file, ScanOptions options,
                         const std::set<std::string, std::less<>>& given) {
  ScanOptions from = file.values;
  for (const auto& setting : settings()) {
    if (file.keys.count(setting.key.name) == 0 || given.count(setting.key.option) != 0) {
      continue;
    }
    std::visit([&](auto field) { field(options) = field(from); }, setting.field);
  }
  options.suppressions = file.suppressions;
  options.declarations = file.declarations;
  return options;
}

tl::expected<ConfigFile, std::string> parse_config(std::string_view text, const std::string& path) {
  const YamlReader reader(path);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {  // a ParserException, or another with a position
    return Failure(reader.at(
        e.mark, "not valid YAML (" + e.msg + "); check the indentation and quoting there"));
  }
  ConfigFile file;
  file.path = path;
  if (root.IsNull()) {
    return file;  // empty, or only comments: every setting keeps its default
  }
  if (!root.IsMap()) {
    return Failure(reader.at(root.Mark(),
                             "a config file is a mapping of keys to values "
                             "(fail_on: high); `bbposture config example` shows one"));
  }
  if (auto ok = refuse_credentials(reader, root); !ok) {
    return Failure(ok.error());
  }
  auto fields = entries(reader, root, "");
  if (!fields) {
    return Failure(fields.error());
  }
  for (const auto& [key, value] : *fields) {
    if (auto ok = read_top_level(reader, key, value, file); !ok) {
      return Failure(ok.error());
    }
  }
  return file;
}

tl::expected<ConfigFile, std::string> load_config(const std::string& path) {
  if (path == "-") {
    std::ostringstream text;
    text << std::cin.rdbuf();
    return parse_config(text.str(), "<stdin>");
  }
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Failure(path + ": no such config file; `bbposture config example > " + path +
                   "` writes one");
  }
  if (std::filesystem::is_directory(path, ec)) {
    return Failure(path + ": a folder, not a config file");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    return Failure(path + ": cannot be read");
  }
  return parse_config(text.str(), path);
}

std::optional<std::string> config_path(const ScanOptions& options) {
  if (!options.config.empty()) {
    return options.config;
  }
  std::error_code ec;
  if (options.no_config || !std::filesystem::exists(kDefaultConfigFile, ec)) {
    return std::nullopt;
  }
  return std::string(kDefaultConfigFile);
}

namespace {

void add_config_options(CLI::App& app, std::string& config, bool& no_config,
                        std::vector<std::string>& given) {
  auto* file = app.add_option("--config", config,
                              "Read settings from this YAML file (default: ./bbposture.yaml "
                              "when present); the command line wins")
                   ->check(non_empty())
                   ->type_name("FILE")
                   ->group("Config");
  app.add_flag("--no-config", no_config, "Do not read ./bbposture.yaml")
      ->excludes(file)
      ->group("Config");
  app.parse_complete_callback([&app, &given] {
    given.clear();
    for (const auto* option : app.get_options()) {
      if (option->count() == 0) {
        continue;
      }
      for (const auto& name : option->get_lnames()) {
        given.push_back("--" + name);
      }
    }
  });
}

}  // namespace

void add_config_options(CLI::App& app, ScanOptions& options) {
  add_config_options(app, options.config, options.no_config, options.given);
}

void add_config_options(CLI::App& app, AuthCheckOptions& options) {
  add_config_options(app, options.config, options.no_config, options.given);
}

std::string located_error(const ConfigFile& file, const std::string& message) {
  for (const auto& s : settings()) {
    const auto line = file.keys.find(s.key.name);
    if (line != file.keys.end() && message.rfind(std::string(s.key.option), 0) == 0) {
      return file.path + ":" + std::to_string(line->second) + ":1: " + message + " (" +
             std::string(s.key.name) + " in the config file)";
    }
  }
  return file.path + ": " + message;
}

tl::expected<ScanOptions, std::string> with_config_file(const ScanOptions& options) {
  const auto path = config_path(options);
  if (!path) {
    return options;
  }
  auto file = load_config(*path);
  if (!file) {
    return Failure(file.error());
  }
  const std::set<std::string, std::less<>> given(options.given.begin(), options.given.end());
  ScanOptions merged = apply_config(*file, options, given);
  if (auto valid = validate(merged); !valid) {
    return Failure(located_error(*file, valid.error()));
  }
  setup_logging(merged.log);
  spdlog::info("using config {}", *path);
  return merged;
}

tl::expected<AuthCheckOptions, std::string> with_config_file(const AuthCheckOptions& options) {
  ScanOptions scan;
  scan.connection = options.connection;
  scan.log = options.log;
  scan.config = options.config;
  scan.no_config = options.no_config;
  scan.given = options.given;
  auto merged = with_config_file(scan);
  if (!merged) {
    return Failure(merged.error());
  }
  AuthCheckOptions out = options;
  out.connection = merged->connection;
  out.log = merged->log;
  return out;
}

std::string config_example() {
  std::ostringstream out;
  out << "# bbposture config file (docs/config.md). Every key is optional; each one stands for\n"
         "# the scan option of the same name, and an option given on the command line wins.\n"
         "# Credentials are never read from here: they come from the environment.\n";
  for (const auto& s : settings()) {
    out << "\n# " << s.key.help << " (" << s.key.option << ")\n"
        << s.key.name << ": " << config_value(ScanOptions{}, s.key.name) << '\n';
  }
  out << R"(
# Findings you accept. Each entry names a rule (slug or ID; optional with a fingerprint) and
# exactly one of repository (a workspace/slug glob), project (a key), key (a key's id or SSH
# fingerprint) or fingerprint (a finding's); reason is required, expires (YYYY-MM-DD) is not.
# Remove the first '#' of the lines below to use them.
#ignore:
#  - rule: public-repository
#    repository: acme/website
#    reason: the marketing site is public on purpose
#    expires: 2027-06-30

# Restrictions that exist but that the API does not show (Premium project-level branch
# restrictions). Selectors: workspace, project (a key), repository (a glob), at least one;
# branch: a glob, or default (the default when left out). Kinds and values as in Bitbucket's API.
#declared_restrictions:
#  - workspace: acme
#    project: PLAT
#    branch: default
#    restrictions:
#      require_approvals_to_merge: 2
#      require_passing_builds_to_merge: 1
#      force: true
#      delete: true
#      push: {users: [release-bot], groups: [release-managers]}
#    reason: set in Project settings > Branch restrictions
)";
  return out.str();
}

}  // namespace bbp::app
