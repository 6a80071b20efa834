// The config file: the settings table, reading YAML into ScanOptions with a located message for
// every mistake, and the merge with the command line (docs/config.md).
#include "config_file.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include "bbp/core/catalogue.hpp"
#include "bbp/core/suppression.hpp"
#include "bbp/text/text.hpp"
#include "commands.hpp"
#include "config_reader.hpp"
#include "option_table.hpp"
#include "runtime.hpp"

namespace bbp::app {
namespace {

// "'fail_on' must be one of …; e.g. fail_on: low": what is wrong with the value, and how a right
// one looks.
Failure wrong_value(const YamlReader& reader, const YAML::Node& value, const OptionRow& row,
                    const std::string& what) {
  return reader.fail(value, "'" + std::string(row.key) + "' " + what + "; e.g. " +
                                std::string(row.key) + ": " + value_text(row, ScanOptions{}));
}

// One setting's value into `options`, checked by its row of the option table.
tl::expected<void, std::string> read_setting(const YamlReader& reader, const OptionRow& row,
                                             const YAML::Node& key, const YAML::Node& value,
                                             ScanOptions& options) {
  if (row.kind == OptionKind::list) {
    auto items = reader.texts(key, value);
    if (!items) {
      return Failure(items.error());
    }
    set_list(row, std::move(*items), options);
    return {};
  }
  if (value.IsNull() || !value.IsScalar()) {
    auto one = reader.text(key, value);  // says what is wrong with it
    return Failure(one.error());
  }
  if (auto stored = set_value(row, value.Scalar(), options); !stored) {
    return wrong_value(reader, value, row, stored.error());
  }
  return {};
}

std::vector<std::string> top_level_keys() {
  std::vector<std::string> keys;
  for (const auto& key : config_keys()) {
    keys.emplace_back(key.name);
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
  const OptionRow* row = option_by_key(name);
  if (row == nullptr) {
    return reader.unknown_key(key, "", top_level_keys());
  }
  file.keys[name] = key.Mark().line + 1;
  return read_setting(reader, *row, key, value, file.values);
}

}  // namespace

std::vector<ConfigKey> config_keys() {
  std::vector<ConfigKey> keys;
  for (const auto& row : option_table()) {
    if (!row.key.empty()) {
      keys.push_back({row.key, long_name(row), help_text(row)});
    }
  }
  return keys;
}

std::string config_value(const ScanOptions& options, std::string_view key) {
  const OptionRow* row = option_by_key(key);
  return row == nullptr ? std::string() : value_text(*row, options);
}

ScanOptions apply_config(const ConfigFile& file, ScanOptions options,
                         const std::set<std::string, std::less<>>& given, Command command) {
  for (const auto& row : option_table()) {
    if (row.key.empty() || !takes(row, command) || file.keys.count(row.key) == 0 ||
        given.count(long_name(row)) != 0) {
      continue;
    }
    copy_value(row, file.values, options);
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
  file.sha256 = core::sha256_hex(text);
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

tl::expected<std::optional<std::string>, std::string> config_path(const ScanOptions& options) {
  if (!options.config.empty()) {
    if (options.no_config) {
      return Failure("--config and --no-config cannot be combined: give one of them");
    }
    return options.config;
  }
  std::error_code ec;
  if (options.no_config || !std::filesystem::exists(kDefaultConfigFile, ec)) {
    return std::nullopt;
  }
  return std::string(kDefaultConfigFile);
}

std::string located_error(const ConfigFile& file, const std::string& message,
                          const std::vector<std::string>& given, Command command) {
  for (const auto& row : option_table()) {
    if (!takes(row, command) || row.key.empty()) {
      continue;
    }
    const auto line = file.keys.find(row.key);
    const std::string option = long_name(row);
    const bool from_file = std::find(given.begin(), given.end(), option) == given.end();
    if (line != file.keys.end() && from_file && message.rfind(option + " ", 0) == 0) {
      return file.path + ":" + std::to_string(line->second) + ":1: " + message + " (" +
             std::string(row.key) + " in the config file)";
    }
  }
  return file.path + ": " + message;
}

tl::expected<ScanConfig, std::string> configured(const ScanOptions& options, Command command) {
  const auto path = config_path(options);
  if (!path) {
    return Failure(path.error());
  }
  std::optional<ConfigFile> file;
  ScanOptions merged = options;
  if (*path) {
    auto loaded = load_config(**path);
    if (!loaded) {
      return Failure(loaded.error());
    }
    file = std::move(*loaded);
    const std::set<std::string, std::less<>> given(options.given.begin(), options.given.end());
    merged = apply_config(*file, options, given, command);
    setup_logging(merged.log);
    spdlog::info("using config {}", **path);
  }
  // The one validation, of the merged options: an error about a key is located in the file.
  auto config = validate(merged, command);
  if (!config) {
    return Failure(file ? located_error(*file, config.error(), options.given, command)
                        : config.error());
  }
  if (file) {
    config->config_file = ConfigFileRead{file->path, file->sha256};
  }
  return config;
}

std::string config_example() {
  std::ostringstream out;
  out << "# bbposture config file (docs/config.md). Every key is optional; each one stands for\n"
         "# the scan option of the same name, and an option given on the command line wins.\n"
         "# Credentials are never read from here: they come from the environment.\n";
  for (const auto& key : config_keys()) {
    out << "\n# " << key.help << " (" << key.option << ")\n"
        << key.name << ": " << config_value(ScanOptions{}, key.name) << '\n';
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
