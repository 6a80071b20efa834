// The config file (docs/config.md): a flat YAML mapping whose keys are the scan's long options
// in snake_case, plus `ignore:` (suppressions) and `declared_restrictions:`. It is read before
// the first request; every problem is one line "FILE:LINE:COLUMN: what; how to fix".
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "bbp/core/policy.hpp"
#include "options.hpp"

namespace bbp::app {

// Looked for in the current directory when --config is not given.
inline constexpr const char* kDefaultConfigFile = "bbposture.yaml";

// What one config file says.
struct ConfigFile {
  std::string path;    // as given ("bbposture.yaml"; "-" for standard input)
  std::string sha256;  // of the file's bytes, for the report's provenance
  // Every setting at its default, with the values of the keys the file names.
  ScanOptions values;
  // The setting keys the file names ("fail_on"), with the line each is on.
  std::map<std::string, int, std::less<>> keys;
  std::vector<core::Suppression> suppressions;
  std::vector<core::DeclaredRestrictions> declarations;
  std::map<std::string, std::string, std::less<>> declaration_reasons;  // by source
};

// One setting a config file may hold: a row of the option table that has a key.
struct ConfigKey {
  std::string_view name;  // "fail_on"
  std::string option;     // "--fail-on": the command-line option it stands for
  std::string help;       // one line, for `config example`
};

// Every setting key, in the order `config example` prints them (the option table's).
std::vector<ConfigKey> config_keys();

// Parses a config file's text; `path` names it in messages and sources.
tl::expected<ConfigFile, std::string> parse_config(std::string_view text, const std::string& path);

// Reads and parses `path` ("-": standard input). A missing file is an error.
tl::expected<ConfigFile, std::string> load_config(const std::string& path);

// `options` with the file's value for every key of `command` whose option is not in `given`
// (long names, "--fail-on"): the command line wins. Only merges: validate() checks the result.
ScanOptions apply_config(const ConfigFile& file, ScanOptions options,
                         const std::set<std::string, std::less<>>& given,
                         Command command = Command::scan);

// The file a scan reads: --config, else ./bbposture.yaml when it exists (unless --no-config);
// nullopt for none; an error for --config with --no-config.
tl::expected<std::optional<std::string>, std::string> config_path(const ScanOptions& options);

// An error of validate() for options a config file set: located at the key whose option it
// names ("FILE:LINE:1: --timeout …") unless the command line gave that option (`given`), else
// prefixed with the file.
std::string located_error(const ConfigFile& file, const std::string& message,
                          const std::vector<std::string>& given = {},
                          Command command = Command::scan);

// The config of `command`: the config file found and merged under the command line, then
// validated once; logs "using config FILE".
tl::expected<ScanConfig, std::string> configured(const ScanOptions& options, Command command);

// The value a setting has in `options`, as YAML ("high", "[acme, globex]", "30").
std::string config_value(const ScanOptions& options, std::string_view key);

// The text `bbposture config example` prints: every key with its default, and one `ignore:` and
// one `declared_restrictions:` entry.
std::string config_example();

}  // namespace bbp::app
