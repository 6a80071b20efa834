// The option table (option_table.hpp): its rows, the one check of a value, and the declaration
// of the rows on a CLI11 command.
#include "option_table.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <memory>

#include <yaml-cpp/yaml.h>

#include "bbp/core/catalogue.hpp"
#include "bbp/core/outcome.hpp"
#include "bbp/report/reporter.hpp"
#include "bbp/text/text.hpp"
#include "commands.hpp"

namespace bbp::app {
namespace {

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

// The choices of the choice rows, from the tables that name each value once.
Words report_formats() {
  Words words;
  for (const auto name : report::format_names()) {
    words.emplace_back(name);
  }
  return words;
}

Words severities() {
  Words words;
  for (int r = core::rank(core::Severity::critical); r <= core::rank(core::Severity::low); ++r) {
    words.push_back(text::ascii_lower(core::to_string(static_cast<core::Severity>(r))));
  }
  return words;
}

Words fail_on_values() {
  auto words = severities();
  words.emplace_back("none");
  return words;
}

Words colours() {
  return {"auto", "always", "never"};
}

Words platforms() {
  return {"cloud", "datacenter"};
}

Words auth_formats() {
  return {"table", "json"};
}

Words fix_formats() {
  return {"table", "json", "terraform"};
}

Words rule_sets() {
  return {"casb", "extended", "all"};
}

Words log_levels() {
  return {"trace", "debug", "info", "warn", "error"};
}

// Every rule by slug and by finding type ID, in catalogue order (completion only: --rule's
// values are checked by validate(), which splits the lists first).
Words rule_names() {
  Words words;
  for (const auto& rule : core::catalogue()) {
    words.emplace_back(rule.slug);
  }
  for (const auto& rule : core::catalogue()) {
    words.emplace_back(rule.id);
  }
  return words;
}

constexpr unsigned kScan = bit(Command::scan);
constexpr unsigned kScanDiff = Command::scan | Command::diff;
constexpr unsigned kScanAuth = Command::scan | Command::auth_check | bit(Command::fix);
constexpr unsigned kScanFix = Command::scan | Command::fix;

// A threshold of the rule catalogue (core/settings.hpp) as a scan option.
OptionRow threshold_row(const core::ThresholdRow& t) {
  return {.names = t.flag,
          .key = t.key,
          .kind = OptionKind::number,
          .field = t.field,
          .commands = kScanFix,
          .group = "Rules",
          .type_name = t.unit.empty() ? "COUNT" : "DAYS",
          .help = std::string(t.help),
          .min = t.min,
          .max = t.max};
}

std::vector<OptionRow> scope_and_output_rows() {
  using O = ScanOptions;
  return {
      {.names = "-w,--workspace",
       .key = "workspaces",
       .kind = OptionKind::list,
       .field = &top<&O::workspaces>,
       .commands = kScanAuth,
       .group = "Scope",
       .type_name = "SLUG",
       .help = "Workspace slug (repeatable; scan: default every workspace you can see; "
               "auth check: the one to probe, default the first)"},
      {.names = "--repo",
       .key = "repos",
       .kind = OptionKind::list,
       .field = &top<&O::repos>,
       .commands = kScanFix,
       .group = "Scope",
       .type_name = "GLOB",
       .help = "Only repositories matching this glob (slug or ws/slug; repeatable)"},
      {.names = "--exclude-repo",
       .key = "exclude_repos",
       .kind = OptionKind::list,
       .field = &top<&O::exclude_repos>,
       .commands = kScanFix,
       .group = "Scope",
       .type_name = "GLOB",
       .help = "Skip repositories matching this glob (repeatable)"},
      {.names = "--project",
       .key = "projects",
       .kind = OptionKind::list,
       .field = &top<&O::projects>,
       .commands = kScanFix,
       .group = "Scope",
       .type_name = "KEY",
       .help = "Only repositories in this project key (repeatable)"},
      {.names = "--include-user-keys",
       .key = "include_user_keys",
       .kind = OptionKind::flag,
       .field = &top<&O::include_user_keys>,
       .commands = kScan,
       .group = "Scope",
       .help = "Check your own SSH keys in a --repo/--project scan too (they are account-wide)"},
      {.names = "--plan",
       .kind = OptionKind::flag,
       .field = &top<&O::plan>,
       .commands = kScan,
       .group = "Scope",
       .help = "Only list what would be scanned, and the requests and time it would take"},
      {.names = "-f,--format",
       .key = "format",
       .kind = OptionKind::choice,
       .field = &top<&O::format>,
       .commands = kScanDiff,
       .group = "Output",
       .type_name = "FORMAT",
       .help = "Report format (default: from the -o file's extension, else table)",
       .values = report_formats,
       .may_be_empty = true},
      {.names = "-f,--format",
       .kind = OptionKind::choice,
       .field = &top<&O::format>,
       .commands = bit(Command::auth_check),
       .group = "Output",
       .type_name = "FORMAT",
       .help = "Output: table (for people) or json (for scripts); default table",
       .values = auth_formats,
       .may_be_empty = true},
      {.names = "-o,--output",
       .key = "output",
       .kind = OptionKind::path,
       .field = &top<&O::output>,
       .commands = kScanDiff,
       .group = "Output",
       .type_name = "FILE",
       .help = "Write the report to FILE (atomically; a device or FIFO in place; -: stdout)",
       .may_be_empty = true},
      {.names = "--color",
       .key = "color",
       .kind = OptionKind::choice,
       .field = &top<&O::color>,
       .commands = kScanDiff,
       .group = "Output",
       .type_name = "WHEN",
       .help = "Colour the table (auto: on a terminal without NO_COLOR)",
       .values = colours},
      {.names = "--width",
       .key = "width",
       .kind = OptionKind::number,
       .field = &top<&O::width>,
       .commands = kScanDiff,
       .group = "Output",
       .type_name = "COLUMNS",
       .help = "Table width in columns (0: the terminal's, else 80)",
       .min = 60,
       .max = 500,
       .zero_allowed = true},
      {.names = "--fail-on",
       .key = "fail_on",
       .kind = OptionKind::choice,
       .field = &top<&O::fail_on>,
       .commands = kScanDiff,
       .group = "Output",
       .type_name = "SEVERITY",
       .help = "Exit 1 when a finding (diff: a new one) is at or above this severity",
       .values = fail_on_values},
      {.names = "--min-severity",
       .key = "min_severity",
       .kind = OptionKind::choice,
       .field = &top<&O::min_severity>,
       .commands = kScan,
       .group = "Output",
       .type_name = "SEVERITY",
       .help = "Leave findings below this severity out of the report",
       .values = severities,
       .may_be_empty = true},
      {.names = "--allow-incomplete",
       .key = "allow_incomplete",
       .kind = OptionKind::flag,
       .field = &top<&O::allow_incomplete>,
       .commands = kScan,
       .group = "Output",
       .help = "Do not exit 3 when something could not be evaluated"},
  };
}

std::vector<OptionRow> rule_and_source_rows() {
  using O = ScanOptions;
  std::vector<OptionRow> rows{
      {.names = "--rule",
       .key = "rules",
       .kind = OptionKind::list,
       .field = &top<&O::rules>,
       .commands = kScanFix,
       .group = "Rules",
       .type_name = "RULE",
       .help = "Only evaluate this rule (slug or ID; repeatable)",
       .values = rule_names},
      {.names = "--skip-rule",
       .key = "skip_rules",
       .kind = OptionKind::list,
       .field = &top<&O::skip_rules>,
       .commands = kScanFix,
       .group = "Rules",
       .type_name = "RULE",
       .help = "Do not evaluate this rule (slug or ID; repeatable)",
       .values = rule_names},
      {.names = "--rule-set",
       .key = "rule_set",
       .kind = OptionKind::choice,
       .field = &top<&O::rule_set>,
       .commands = kScanAuth,
       .group = "Rules",
       .type_name = "SET",
       .help = "A set of rules: casb (the default eleven), extended or all",
       .values = rule_sets,
       .may_be_empty = true},
  };
  for (const auto& t : core::thresholds()) {
    rows.push_back(threshold_row(t));
  }
  const std::vector<OptionRow> sources{
      {.names = "--save-snapshot",
       .key = "save_snapshot",
       .kind = OptionKind::path,
       .field = &top<&O::save_snapshot>,
       .commands = kScan,
       .group = "Snapshots",
       .type_name = "FILE",
       .help = "Also write everything that was read (models and gaps) to FILE as JSON",
       .may_be_empty = true},
      {.names = "--from-snapshot",
       .key = "from_snapshot",
       .kind = OptionKind::path,
       .field = &top<&O::from_snapshot>,
       .commands = kScan,
       .group = "Snapshots",
       .type_name = "FILE",
       .help = "Evaluate a saved snapshot offline: no credentials, no network",
       .may_be_empty = true},
      {.names = "--checkpoint",
       .key = "checkpoint",
       .kind = OptionKind::path,
       .field = &top<&O::checkpoint>,
       .commands = kScan,
       .group = "Snapshots",
       .type_name = "FILE",
       .help = "Journal completed reads to FILE; run the same command again to resume",
       .may_be_empty = true},
      {.names = "--baseline",
       .key = "baseline",
       .kind = OptionKind::path,
       .field = &top<&O::baseline>,
       .commands = kScan,
       .group = "Living with findings",
       .type_name = "REPORT.json",
       .help = "Compare with a previous JSON report or a --history database: findings new or "
               "unchanged, and fixed",
       .may_be_empty = true},
      {.names = "--history",
       .key = "history",
       .kind = OptionKind::path,
       .field = &top<&O::history>,
       .commands = kScan,
       .group = "Living with findings",
       .type_name = "FILE.db",
       .help = "Append this scan to a history database (created when missing): what opened, "
               "was fixed or reopened",
       .may_be_empty = true},
      {.names = "--show-suppressed",
       .key = "show_suppressed",
       .kind = OptionKind::flag,
       .field = &top<&O::show_suppressed>,
       .commands = kScanDiff,
       .group = "Living with findings",
       .help = "List suppressed findings in the table too (they are always in other formats)"},
      {.names = "--only-new",
       .key = "only_new",
       .kind = OptionKind::flag,
       .field = &top<&O::only_new>,
       .commands = kScan,
       .group = "Living with findings",
       .help = "With --baseline, the table lists only new findings and counts the unchanged"},
      {.names = "--fail-on-unchanged",
       .key = "fail_on_unchanged",
       .kind = OptionKind::flag,
       .field = &top<&O::fail_on_unchanged>,
       .commands = kScanDiff,
       .group = "Living with findings",
       .help = "With a baseline, --fail-on counts unchanged findings too, not only new ones"},
  };
  rows.insert(rows.end(), sources.begin(), sources.end());
  return rows;
}

std::vector<OptionRow> connection_and_log_rows() {
  using C = ConnectionOptions;
  using L = LogOptions;
  using O = ScanOptions;
  return {
      {.names = "--platform",
       .key = "platform",
       .kind = OptionKind::choice,
       .field = &connection<&C::platform>,
       .commands = kScanAuth,
       .group = "Connection",
       .type_name = "PLATFORM",
       .help = "Which Bitbucket: cloud (bitbucket.org) or datacenter (a self-hosted server, "
               "named by --api-url)",
       .values = platforms},
      {.names = "--api-url",
       .key = "api_url",
       .kind = OptionKind::text,
       .field = &connection<&C::api_url>,
       .commands = kScanAuth,
       .group = "Connection",
       .type_name = "URL",
       .help = "Bitbucket Cloud's API base URL, or a Data Center server's base URL "
               "(https://bitbucket.example.com); plain http:// only for loopback hosts"},
      {.names = "--token-url",
       .key = "token_url",
       .kind = OptionKind::text,
       .field = &connection<&C::token_url>,
       .commands = kScanAuth,
       .group = "Connection",
       .type_name = "URL",
       .help = "OAuth 2.0 token URL (client credentials)"},
      {.names = "--timeout",
       .key = "timeout",
       .kind = OptionKind::number,
       .field = &connection<&C::timeout_seconds>,
       .commands = kScanAuth,
       .group = "Connection",
       .type_name = "SECONDS",
       .help = "Timeout for each request, in seconds",
       .min = 1,
       .max = 3600},
      {.names = "--ca-bundle",
       .key = "ca_bundle",
       .kind = OptionKind::path,
       .field = &connection<&C::ca_bundle>,
       .commands = kScanAuth,
       .group = "Connection",
       .type_name = "FILE",
       .help = "PEM file of CA certificates to trust (TLS verification is always on)",
       .may_be_empty = true},
      {.names = "--concurrency",
       .key = "concurrency",
       .kind = OptionKind::number,
       .field = &connection<&C::concurrency>,
       .commands = kScanAuth,
       .group = "Connection",
       .type_name = "N",
       .help = "Requests in flight at once",
       .min = 1,
       .max = 64},
      {.names = "--max-requests-per-hour",
       .key = "max_requests_per_hour",
       .kind = OptionKind::number,
       .field = &connection<&C::max_requests_per_hour>,
       .commands = kScanAuth,
       .group = "Connection",
       .type_name = "N",
       .help = "Pace requests to stay under this rate (0: unlimited)",
       .min = 0,
       .max = std::numeric_limits<std::uint32_t>::max()},
      {.names = "--max-attempts",
       .key = "max_attempts",
       .kind = OptionKind::number,
       .field = &connection<&C::max_attempts>,
       .commands = kScanAuth,
       .group = "Connection",
       .type_name = "N",
       .help = "Attempts per request for 5xx and network errors (with backoff)",
       .min = 1,
       .max = 20},
      {.names = "--max-wait",
       .key = "max_wait",
       .kind = OptionKind::duration,
       .field = &connection<&C::max_wait>,
       .commands = kScanAuth,
       .group = "Connection",
       .type_name = "DURATION",
       .help = "Longest the scan may wait on Bitbucket's rate limit (e.g. 90m, 6h; 0: never)"},
      {.names = "-q,--quiet",
       .key = "quiet",
       .kind = OptionKind::flag,
       .field = &log<&L::quiet>,
       .commands = kScanAuth,
       .group = "Logging",
       .help = "Only log errors"},
      {.names = "-v,--verbose",
       .key = "verbose",
       .kind = OptionKind::count,
       .field = &log<&L::verbose>,
       .commands = kScanAuth,
       .group = "Logging",
       .help = "More log output (-v info, -vv debug; verbose: 1 or 2 in the file)",
       .min = 0,
       .max = 2},
      {.names = "--log-level",
       .key = "log_level",
       .kind = OptionKind::choice,
       .field = &log<&L::log_level>,
       .commands = kScanAuth,
       .group = "Logging",
       .type_name = "LEVEL",
       .help = "Log level (overrides -q/-v)",
       .values = log_levels,
       .may_be_empty = true},
      {.names = "--no-progress",
       .key = "no_progress",
       .kind = OptionKind::flag,
       .field = &log<&L::no_progress>,
       .commands = kScanAuth,
       .group = "Logging",
       .help = "No progress line on stderr"},
      {.names = "--config",
       .kind = OptionKind::path,
       .field = &top<&O::config>,
       .commands = kScanAuth,
       .group = "Config",
       .type_name = "FILE",
       .help = "Read settings from this YAML file (default: ./bbposture.yaml when present); "
               "the command line wins"},
      {.names = "--no-config",
       .kind = OptionKind::flag,
       .field = &top<&O::no_config>,
       .commands = kScanAuth,
       .group = "Config",
       .help = "Do not read ./bbposture.yaml"},
  };
}

// `bbposture fix` and `auth check --fix` (docs/fix.md). None has a config key: what may be
// written is said on the command line of the run that writes it, never by a file.
std::vector<OptionRow> fix_rows() {
  using O = ScanOptions;
  constexpr unsigned kFix = bit(Command::fix);
  const auto flag = [](std::string_view names, FlagField field, std::string help) {
    return OptionRow{.names = names,
                     .kind = OptionKind::flag,
                     .field = field,
                     .commands = bit(Command::fix),
                     .group = "Fix",
                     .help = std::move(help)};
  };
  return {
      {.names = "-f,--format",
       .kind = OptionKind::choice,
       .field = &top<&O::fix_format>,
       .commands = kFix,
       .group = "Output",
       .type_name = "FORMAT",
       .help = "The plan as a table, JSON (to review and --apply) or Terraform (default: from "
               "the -o file's extension, else table)",
       .values = fix_formats,
       .may_be_empty = true},
      {.names = "-o,--output",
       .kind = OptionKind::path,
       .field = &top<&O::fix_output>,
       .commands = kFix,
       .group = "Output",
       .type_name = "FILE",
       .help = "Write the plan to FILE (atomically; -: stdout); .json for --apply, .tf for "
               "Terraform",
       .may_be_empty = true},
      {.names = "--apply",
       .kind = OptionKind::path,
       .field = &top<&O::apply>,
       .commands = kFix,
       .group = "Fix",
       .type_name = "PLAN",
       .help = "Make the changes of this reviewed JSON plan, each after reading its target "
               "again"},
      {.names = "--undo",
       .kind = OptionKind::path,
       .field = &top<&O::undo>,
       .commands = kFix,
       .group = "Fix",
       .type_name = "JOURNAL",
       .help = "Undo what an --apply recorded in this journal (where nothing changed since)"},
      {.names = "--journal",
       .kind = OptionKind::path,
       .field = &top<&O::journal>,
       .commands = kFix,
       .group = "Fix",
       .type_name = "FILE",
       .help = "Where --apply records every write and its undo (default: PLAN.journal)"},
      {.names = "--from-report",
       .kind = OptionKind::path,
       .field = &top<&O::from_report>,
       .commands = kFix,
       .group = "Fix",
       .type_name = "REPORT",
       .help = "Plan for the repositories this JSON report's findings name, read again now"},
      {.names = "--max-plan-age",
       .kind = OptionKind::duration,
       .field = &top<&O::max_plan_age>,
       .commands = kFix,
       .group = "Fix",
       .type_name = "DURATION",
       .help = "--apply refuses a plan older than this (default 24h)"},
      flag("--allow-visibility", &top<&O::allow_visibility>,
           "Plan making public repositories private"),
      flag("--allow-key-deletion", &top<&O::allow_key_deletion>,
           "Plan deleting old deploy keys and project deploy keys (irreversible)"),
      flag("--allow-fork-policy", &top<&O::allow_fork_policy>,
           "Plan stopping public forks of private repositories (extended rule)"),
      flag("--replace-exemptions", &top<&O::replace_exemptions>,
           "Plan push restrictions without their exemptions (the plan lists who loses direct "
           "push)"),
      {.names = "--fix",
       .kind = OptionKind::flag,
       .field = &top<&O::auth_fix>,
       .commands = bit(Command::auth_check),
       .group = "Fix",
       .help = "Also say which write scopes `bbposture fix --apply` needs and whether the "
               "credential has them"},
  };
}

std::vector<OptionRow> all_rows() {
  auto rows = scope_and_output_rows();
  for (auto more : {rule_and_source_rows(), connection_and_log_rows(), fix_rows()}) {
    rows.insert(rows.end(), more.begin(), more.end());
  }
  return rows;
}

}  // namespace

std::span<const OptionRow> option_table() {
  static const std::vector<OptionRow> rows = all_rows();
  return rows;
}

std::string long_name(const OptionRow& row) {
  const auto dashes = row.names.rfind("--");
  return std::string(row.names.substr(dashes == std::string_view::npos ? 0 : dashes));
}

bool takes(const OptionRow& row, Command command) {
  return (row.commands & bit(command)) != 0;
}

const OptionRow* option_by_key(std::string_view key) {
  const auto rows = option_table();
  const auto row = std::find_if(rows.begin(), rows.end(),
                                [&](const OptionRow& r) { return !r.key.empty() && r.key == key; });
  return row == rows.end() ? nullptr : &*row;
}

const OptionRow* option_by_name(std::string_view long_option, Command command) {
  for (const auto& row : option_table()) {
    if (takes(row, command) && long_name(row) == long_option) {
      return &row;
    }
  }
  return nullptr;
}

}  // namespace bbp::app
