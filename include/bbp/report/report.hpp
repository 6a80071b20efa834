// The scan report: everything a reporter prints, assembled once from the evaluations.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bbp/core/engine.hpp"
#include "bbp/core/models.hpp"
#include "bbp/core/scope.hpp"
#include "bbp/core/settings.hpp"

namespace bbp::report {

// A failed read, as listed under "errors".
struct ErrorEntry {
  std::optional<std::string> workspace;
  std::optional<std::string> repository;
  std::string endpoint;
  std::optional<int> http_status;
  std::string message;
};

// The previous report a scan or `diff` was compared with.
struct BaselineInfo {
  std::string file;              // as given on the command line
  core::TimePoint started_at{};  // when the baseline's scan started
};

// Where an offline report's data came from: the snapshot file, when its data was read and the
// requests that took (absent for a snapshot that did not record them).
struct SnapshotSource {
  std::string file;
  core::TimePoint collected_at{};
  std::optional<std::uint64_t> api_requests;
};

// The config file a run read: its path as found and the SHA-256 of its bytes.
struct ConfigSource {
  std::string file;
  std::string sha256;
};

// How a report was made, beside what ScanReport already says (API, credential kind, rules,
// minimum severity, thresholds, tool version): who the credential was, the rule set, the
// filters, --fail-on, the config file and, offline, the snapshot. A reader needs it to tell
// "fixed" from "not looked at" (docs/output.md, "Provenance").
struct Selection {
  std::string platform = "bitbucket-cloud";   // or "bitbucket-datacenter"
  std::optional<std::string> server_version;  // Data Center: the version the server reported
  std::optional<std::string> identity;        // who GET /user said the caller is, when it was read
  std::string rule_set;                       // "casb", "extended", "all" or "custom"
  std::vector<std::string> workspaces;        // -w; empty: every workspace the credential sees
  std::vector<std::string> repos;             // --repo globs
  std::vector<std::string> exclude_repos;
  std::vector<std::string> projects;
  bool include_user_keys = false;         // --include-user-keys
  bool user_keys = false;                 // the caller's SSH keys were part of the scan
  std::optional<core::Severity> fail_on;  // nullopt: none
  std::optional<ConfigSource> config;
  std::optional<SnapshotSource> snapshot;  // set when evaluated offline
};

// What a scan history (--history, docs/history.md) adds to a report: per-scan severity counts
// of the last scans, oldest first, and when each open finding was first seen (by fingerprint).
struct HistoryView {
  struct Point {
    core::TimePoint at{};
    std::array<std::size_t, 4> by_severity{};  // Critical..Low, not suppressed
  };
  std::vector<Point> scans;
  std::map<std::string, core::TimePoint> first_seen;
};

struct ScanReport {
  std::string tool_version;
  core::TimePoint started_at{};
  core::TimePoint finished_at{};
  std::string api_url;
  std::optional<std::string> credential;  // kind name (see ReportInputs); absent: not recorded
  std::vector<std::string> workspaces;
  bool complete = true;
  bool interrupted = false;
  std::size_t repositories = 0;
  std::size_t keys = 0;
  std::uint64_t api_requests = 0;
  core::Settings settings;
  // The thresholds its rules used (their rows' `thresholds`), table order; a report read back
  // has those its JSON lists, since a JSON report does not record its rules.
  std::vector<core::Threshold> thresholds;
  std::vector<core::Evaluation> findings;  // outcome fail, sorted for the report
  std::vector<core::Evaluation> unknown;   // outcome unknown, sorted for the report
  std::vector<ErrorEntry> errors;
  // Living with findings (docs/output.md). Suppressed findings stay in `findings`, marked.
  bool suppressions_applied = false;     // the run had suppression entries (even if none matched)
  std::optional<BaselineInfo> baseline;  // set when compared with a previous report
  std::vector<core::Evaluation> fixed;   // with a baseline: its findings gone and re-checked
  // With a baseline: its findings gone from this report that this run did not look at again
  // (rule or resource outside the selection, or unknown now). Neither fixed nor open.
  std::vector<core::Evaluation> not_rechecked;
  // How the report was made; absent in a report read back from an older version.
  std::optional<Selection> selection;
  // Declared restrictions (docs/config.md): whether the run had any, and the checks that pass
  // only because of them (outcome pass, declared_by set), in report order.
  bool declarations_applied = false;
  std::vector<core::Evaluation> declared_passes;
  // What a repository x rule view needs to tell a pass from a rule that does not apply, was
  // left out (--min-severity) or was not evaluated (--rule / --skip-rule). The engine keeps only
  // failures and unknowns, so these are carried beside them.
  std::vector<const core::Rule*> rules;         // the rules evaluated, catalogue order
  std::optional<core::Severity> min_severity;   // findings below it were left out
  std::vector<std::string> empty_repositories;  // "workspace/slug" without a default branch, sorted
  // Set when a scan history was given (history::History::view); no reporter reads it yet.
  std::optional<HistoryView> history;
  // Every repository checked ("workspace/slug", sorted), so a view of passes (JUnit) can name the
  // clean ones; empty in a report read back from JSON, which does not list them.
  std::vector<std::string> checked_repositories;
};

struct ReportInputs {
  std::string tool_version;
  core::TimePoint started_at{};
  core::TimePoint finished_at{};
  std::uint64_t api_requests = 0;
  core::Settings settings;
  bool interrupted = false;
  std::optional<core::Severity> min_severity;  // findings below it are left out
  std::vector<const core::Rule*> rules;        // the rules evaluated; empty: the default set
  // The kind of credential that read the data: "client_credentials", "access_token" or
  // "api_token" (bitbucket::to_string(CredentialKind)); from a snapshot, what it recorded.
  std::optional<std::string> credential;
  std::optional<Selection> selection;
};

// Builds the report from what was collected and evaluated. `evaluations` are already limited
// to the selected rules.
ScanReport build_report(const core::Snapshot& snapshot, std::vector<core::Evaluation> evaluations,
                        const ReportInputs& inputs);

// The thresholds of these rules (their catalogue rows say which), in the threshold table's order.
std::vector<core::Threshold> thresholds_of(const std::vector<const core::Rule*>& rules);
// The rows of report.thresholds: reports print these and no other.
std::vector<const core::ThresholdRow*> used_thresholds(const ScanReport& report);

// The rule set a list of rules is: "casb", "extended", "all" or, for any other, "custom".
std::string rule_set_name(const std::vector<const core::Rule*>& rules);

// The scope a report's selection covered; nullopt for a report without a selection.
std::optional<core::Scope> scope_of(const ScanReport& report);

// Whether `wider` looked at everything `narrower` did: every rule of `narrower`, every
// workspace, repository and project it selected, at a minimum severity as low or lower, and
// the caller's SSH keys if `narrower` read them. False when either has no selection.
bool covers(const ScanReport& wider, const ScanReport& narrower);

// When the data of a report was read: the snapshot's time offline, else when the scan started.
core::TimePoint data_read_at(const ScanReport& report);

// "evaluated offline from snapshot.json, read at 2026-01-01T00:00:00Z (412 requests)", or
// nullopt for a live scan.
std::optional<std::string> offline_label(const ScanReport& report);

// The selection for people, one "Label: value" pair per line, in a fixed order: identity, rule
// set, filters, minimum severity, fail-on, config file; offline, the snapshot. Empty for a
// report without a selection.
std::vector<std::pair<std::string, std::string>> selection_lines(const ScanReport& report);

// Findings per severity, in report order Critical..Low; suppressed findings are not counted.
std::array<std::size_t, 4> count_by_severity(const ScanReport& report);

// What the summary counts: findings that are not suppressed (by severity and in total), the
// suppressed ones, and against a baseline the new, unchanged (both suppressed or not) and fixed.
struct Counts {
  std::array<std::size_t, 4> by_severity{};
  std::size_t total = 0;
  std::size_t suppressed = 0;
  std::size_t new_findings = 0;
  std::size_t unchanged = 0;
  std::size_t fixed = 0;
  std::size_t not_rechecked = 0;
};
Counts count(const ScanReport& report);

// Whether the report holds a finding that makes `--fail-on threshold` exit 1: at or above the
// threshold, not suppressed, and, against a baseline, new (unchanged ones count only with
// `count_unchanged`, i.e. --fail-on-unchanged).
bool fails_on(const ScanReport& report, core::Severity threshold, bool count_unchanged);

// "passes only because of restrictions declared in bbposture.yaml:14": a declared pass's message.
std::string declared_pass_message(const core::Evaluation& evaluation);

// The credential kind for a person: "OAuth client credentials", "access token", "API token";
// "not recorded" when absent (a snapshot saved before the kind was recorded); any other name as
// it is.
std::string credential_label(const std::optional<std::string>& credential);

// "stale_days 365 days; min_approvals 1": the thresholds the report's rules used, for people;
// "none" when its rules use none.
std::string thresholds_text(const ScanReport& report);

// Where an evaluation points, for a person: "acme/api", "acme project PLAT", "workspace acme",
// "your account".
std::string where(const core::Evaluation& evaluation);

// `where` plus the key, for key evaluations: "acme/api deploy key 'ci'".
std::string describe(const core::Evaluation& evaluation);

}  // namespace bbp::report
