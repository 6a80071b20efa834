// One function pair per subcommand: setup_* declares its options, run_* does the work.
#pragma once

#include <atomic>

#include <CLI/CLI.hpp>

#include "bbp/bitbucket/collector.hpp"
#include "options.hpp"

namespace bbp::app {

void setup_scan(CLI::App& app, ScanOptions& options);
int run_scan(const ScanOptions& options, const std::atomic<bool>& cancel);
// What the collector reads for this scan's rules and scope.
bitbucket::CollectOptions collect_options(const ScanConfig& config,
                                          bitbucket::CredentialKind credential);
// bbposture scan --plan: identify, list, and print what the scan would read and cost.
int run_plan(const ScanConfig& config, const std::atomic<bool>& cancel);

void setup_auth_check(CLI::App& app, AuthCheckOptions& options);
int run_auth_check(const AuthCheckOptions& options, const std::atomic<bool>& cancel);

struct RulesOptions {
  std::string format = "table";
};
void setup_rules(CLI::App& app, RulesOptions& options);
int run_rules(const RulesOptions& options);

// Options shared by scan and auth check.
void add_connection_options(CLI::App& app, ConnectionOptions& options);
void add_log_options(CLI::App& app, LogOptions& options);

}  // namespace bbp::app
