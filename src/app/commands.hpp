// One function pair per subcommand: setup_* declares its options, run_* does the work.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "bbp/bitbucket/collector.hpp"
#include "bbp/bitbucket/credentials.hpp"
#include "bbp/report/report.hpp"
#include "options.hpp"

namespace bbp::app {

void setup_scan(CLI::App& app, ScanOptions& options);
int run_scan(const ScanOptions& options, const std::atomic<bool>& cancel);
// What the collector reads for this scan's rules and scope.
bitbucket::CollectOptions collect_options(const ScanConfig& config,
                                          bitbucket::CredentialKind credential);
// The credential from the environment, as `platform` takes it: Data Center has no OAuth client
// credentials (a usage error naming the variables it takes).
tl::expected<bitbucket::Credentials, std::string> credentials_for(core::Platform platform);
// Runs the platform's collector (`username`: the Basic credential's user, or empty).
bitbucket::CollectResult collect(core::Platform platform, bitbucket::ApiClient& api,
                                 const bitbucket::CollectOptions& options,
                                 const std::string& username,
                                 bitbucket::CollectProgress* progress = nullptr,
                                 const std::atomic<bool>* cancel = nullptr);
// Workspaces named with -w that Bitbucket does not know (or does not show this credential), said
// on stderr with what it can see. True when there were any (the run then exits 2).
bool report_missing_workspaces(const bitbucket::CollectResult& collected);
// bbposture scan --plan: identify, list, and print what the scan would read and cost.
int run_plan(const ScanConfig& config, const std::atomic<bool>& cancel);

// The exit code --fail-on gives a report: 1 when a finding at or above it is not suppressed and,
// against a baseline, is new (or unchanged too, with --fail-on-unchanged); else 0.
int findings_exit_code(const report::ScanReport& report, std::optional<core::Severity> fail_on,
                       bool fail_on_unchanged);
// --baseline: the previous report read in full (nullopt without the option), or why it is
// refused (not JSON, not a bbposture report, another schema_version).
tl::expected<std::optional<report::ScanReport>, std::string> load_baseline(
    const std::optional<std::string>& path);

// bbposture diff OLD.json NEW.json: NEW compared with OLD, in any report format.
struct DiffOptions {
  std::string old_report;
  std::string new_report;
  ScanOptions output;  // the option table's rows for diff: -f, -o, --color, --width, --fail-on…
};
void setup_diff(CLI::App& app, DiffOptions& options);
// The table's colours and width (a terminal's unless -o or --width) and --show-suppressed.
report::ReporterOptions reporter_options(const ScanConfig& config);
int run_diff(const DiffOptions& options);

// bbposture fix: a plan, --apply PLAN or --undo JOURNAL (fix_command.cpp, docs/fix.md).
void setup_fix(CLI::App& app, ScanOptions& options);
int run_fix(const ScanOptions& options, const std::atomic<bool>& cancel);

void setup_auth_check(CLI::App& app, AuthCheckOptions& options);
int run_auth_check(const AuthCheckOptions& options, const std::atomic<bool>& cancel);

struct RulesOptions {
  std::string format = "table";
  std::string platform = "cloud";  // datacenter: only the rules evaluated there, with how
};
void setup_rules(CLI::App& app, RulesOptions& options);
int run_rules(const RulesOptions& options);

// bbposture config example | check [FILE] (config_command.cpp, docs/config.md).
struct ConfigOptions {
  enum class Command { example, check };
  Command command = Command::check;
  std::string file = "bbposture.yaml";
};
void setup_config(CLI::App& app, ConfigOptions& options);
int run_config(const ConfigOptions& options);

// bbposture history list|trend|show|stats|prune FILE.db (history_command.cpp, docs/history.md).
struct HistoryOptions {
  std::string file;
  std::string format = "table";  // trend: table, json or csv
  std::string since;             // trend: only the scans of this last period
  std::string fingerprint;       // show
  std::string keep;              // prune
  CLI::App* list = nullptr;
  CLI::App* trend = nullptr;
  CLI::App* show = nullptr;
  CLI::App* stats = nullptr;
  CLI::App* prune = nullptr;
};
void setup_history(CLI::App& app, HistoryOptions& options);
int run_history(const HistoryOptions& options);

// How a command-line error is said: "bbposture:" first, an unknown option or subcommand named
// with the nearest known one, and where the help is. `nearest` is the suggestion alone.
std::string failure_message(const CLI::App* app, const CLI::Error& error);
std::optional<std::string> nearest(std::string_view word,
                                   const std::vector<std::string>& candidates);

}  // namespace bbp::app
