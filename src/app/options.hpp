// Command-line options: the option table (option_table.hpp) fills these plain structs from the
// command line and the config file; validate() turns them into configs.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "bbp/core/catalogue.hpp"
#include "bbp/core/policy.hpp"
#include "bbp/core/scope.hpp"
#include "bbp/core/settings.hpp"
#include "bbp/report/reporter.hpp"
#include "output_file.hpp"

namespace bbp::app {

inline constexpr const char* kDefaultApiUrl = "https://api.bitbucket.org/2.0";
inline constexpr const char* kDefaultTokenUrl = "https://bitbucket.org/site/oauth2/access_token";

// Options shared by every command that talks to Bitbucket.
struct ConnectionOptions {
  std::string platform = "cloud";  // "cloud" | "datacenter"
  std::string api_url = kDefaultApiUrl;
  std::string token_url = kDefaultTokenUrl;
  int timeout_seconds = 30;
  std::string ca_bundle;
  int concurrency = 8;
  std::uint32_t max_requests_per_hour = 0;
  int max_attempts = 6;
  std::string max_wait = "12h";
};

struct LogOptions {
  bool quiet = false;
  int verbose = 0;
  std::string log_level;  // overrides -q/-v when set
  bool no_progress = false;
};

struct ScanOptions {
  ConnectionOptions connection;
  LogOptions log;
  std::vector<std::string> workspaces;
  std::vector<std::string> repos;
  std::vector<std::string> exclude_repos;
  std::vector<std::string> projects;
  bool include_user_keys = false;
  std::string format;  // "": from the -o file's extension, else table
  std::string output;  // "" or "-": standard output
  std::string color = "auto";
  int width = 0;  // 0: the terminal's width on a terminal, else 80
  std::string fail_on = "low";
  std::string min_severity;
  std::vector<std::string> rules;
  std::vector<std::string> skip_rules;
  std::string rule_set;     // "": casb, unless --rule names rules
  core::Settings settings;  // the rules' thresholds (core/settings.hpp)
  bool allow_incomplete = false;
  std::string save_snapshot;
  std::string from_snapshot;
  std::string checkpoint;
  bool plan = false;
  // Living with findings (docs/config.md): the config file, a previous report to compare with,
  // whether the table lists suppressed findings, whether --fail-on counts baselined ones.
  std::string config;              // --config; "": ./bbposture.yaml when present
  bool no_config = false;          // --no-config: not even ./bbposture.yaml
  std::vector<std::string> given;  // the long options the command line gave ("--fail-on")
  std::string baseline;
  std::string history;  // --history: the scan history database appended to
  bool show_suppressed = false;
  bool fail_on_unchanged = false;
  bool only_new = false;  // the table lists only new findings (needs a baseline)
  // `bbposture fix` (docs/fix.md). Command-line only: no config file can turn a write on.
  std::string fix_format;   // table | json | terraform ("": from -o's extension, else table)
  std::string fix_output;   // where the plan goes ("" or "-": standard output)
  std::string apply;        // --apply PLAN
  std::string undo;         // --undo JOURNAL
  std::string journal;      // --journal FILE (default: the plan's name + ".journal")
  std::string from_report;  // --from-report REPORT.json: re-read only what its findings name
  std::string max_plan_age = "24h";
  bool allow_visibility = false;
  bool allow_key_deletion = false;
  bool allow_fork_policy = false;
  bool replace_exemptions = false;
  bool auth_fix = false;  // auth check --fix: the write scopes a plan needs
  // Filled from the config file, not from flags.
  std::vector<core::Suppression> suppressions;
  std::vector<core::DeclaredRestrictions> declarations;
};

// `auth check` takes a subset of the scan's options (the option table says which): -w, -f
// (table or json), --rule-set, the connection, logging and config options.
using AuthCheckOptions = ScanOptions;

// Validated connection settings.
struct ConnectionConfig {
  core::Platform platform = core::Platform::cloud;
  // Cloud: the API base ("…/2.0"). Data Center: the server's base URL with "/rest", below which
  // every path of its reads table is.
  std::string api_url;
  std::string token_url;
  std::chrono::seconds timeout{30};
  std::optional<std::string> ca_bundle;
  int concurrency = 8;
  std::uint32_t max_requests_per_hour = 0;
  int max_attempts = 6;
  std::chrono::milliseconds max_wait{std::chrono::hours(12)};
  std::vector<std::string> warnings;  // said on stderr before the first request
};

// The config file a run read: its path as found and the SHA-256 of its bytes.
struct ConfigFileRead {
  std::string path;
  std::string sha256;
};

// What `bbposture fix` is to do: write a plan (neither apply nor undo), apply one, or undo one.
struct FixConfig {
  enum class Format { table, json, terraform };
  Format format = Format::table;
  std::optional<std::string> output;   // the plan's file; nullopt: standard output
  std::optional<std::string> apply;    // the reviewed plan to apply
  std::optional<std::string> undo;     // the journal to undo
  std::optional<std::string> journal;  // where --apply records what it wrote
  std::chrono::milliseconds max_plan_age{std::chrono::hours(24)};
  bool allow_visibility = false;
  bool allow_key_deletion = false;
  bool allow_fork_policy = false;
  bool replace_exemptions = false;
};

struct ScanConfig {
  ConnectionConfig connection;
  LogOptions log;
  std::vector<std::string> workspaces;
  std::vector<std::string> repos;
  std::vector<std::string> exclude_repos;
  std::vector<std::string> projects;
  bool include_user_keys = false;  // the caller's SSH keys in a --repo/--project scan too
  report::Format format = report::Format::table;
  std::optional<std::string> output;
  std::optional<bool> color;              // nullopt: auto (a terminal, and NO_COLOR unset)
  int width = 0;                          // table width; 0: the terminal's, else 80
  std::optional<core::Severity> fail_on;  // nullopt: "none", never fail on findings
  std::optional<core::Severity> min_severity;
  std::vector<const core::Rule*> rules;  // the selected rules, in catalogue order
  core::Settings settings;
  bool allow_incomplete = false;
  std::optional<std::string> save_snapshot;   // write what the collector read to this file
  std::optional<std::string> from_snapshot;   // evaluate this file instead of calling the API
  std::optional<std::string> checkpoint;      // journal of completed reads, to resume from
  bool plan = false;                          // list what would be scanned and what it costs
  std::optional<ConfigFileRead> config_file;  // the config file read, if any
  std::vector<core::Suppression> suppressions;
  std::vector<core::DeclaredRestrictions> declarations;
  std::optional<std::string> baseline;  // a previous JSON report: mark new/unchanged/fixed
  std::optional<std::string> history;   // the scan history database to append this scan to
  bool show_suppressed = false;         // the table lists suppressed findings too
  bool fail_on_unchanged = false;       // with a baseline, --fail-on counts unchanged findings
  bool only_new = false;                // with a baseline, the table counts unchanged findings
  std::vector<std::string> warnings;    // said on stderr before the scan starts
  FixConfig fix;                        // `bbposture fix` only
  bool auth_fix = false;                // `auth check --fix`

  // The files this run writes and reads, with the options that name them.
  std::vector<NamedPath> outputs() const;
  std::vector<NamedPath> inputs() const;

  // The workspaces, repositories and rules above as the one notion of scope that the
  // collector and the offline loader share.
  core::Scope scope() const {
    return {workspaces, repos, exclude_repos, projects, rules, include_user_keys};
  }
};

// The connection settings; `offline` (--from-snapshot): no request is made, so a Data Center
// scan needs no server URL.
tl::expected<ConnectionConfig, std::string> validate(const ConnectionOptions& options,
                                                     bool offline = false);

// A duration such as "90m", "6h", "1h30m", "45s" or "0" (a bare number is seconds).
tl::expected<std::chrono::milliseconds, std::string> parse_duration(std::string_view text);
// The subcommands that take the option table's options, a bit each.
enum class Command : unsigned { scan = 1U, diff = 2U, auth_check = 4U, fix = 8U };

// Checks what involves several options or the world outside (URLs, files, rule names) and
// builds the config; each value was checked by its row of the option table when it was read,
// and is checked again here for `command`'s rows.
tl::expected<ScanConfig, std::string> validate(const ScanOptions& options,
                                               Command command = Command::scan);

// The values of a repeatable option: each may be a comma-separated list; surrounding spaces go,
// repeats go (first one kept), and an empty value is an error naming `option`.
tl::expected<std::vector<std::string>, std::string> list_values(
    std::string_view option, const std::vector<std::string>& values);

// The report format a file name's extension stands for (.json, .jsonl, .sarif, .csv, .html or
// .htm, .xml for JUnit, .txt for a table), or nullopt.
std::optional<report::Format> format_for_extension(std::string_view path);

}  // namespace bbp::app
