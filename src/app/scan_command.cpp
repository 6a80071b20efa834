// `bbposture scan`: load config → make transport → authenticate → collect → evaluate →
// report → exit code.
#include <iostream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "bbp/bitbucket/collector.hpp"
#include "bbp/bitbucket/credentials.hpp"
#include "bbp/core/engine.hpp"
#include "bbp/report/report.hpp"
#include "commands.hpp"
#include "runtime.hpp"

namespace bbp::app {
namespace {

void usage_error(const std::string& message) {
  std::cerr << "bbposture: " << message << '\n';
}

bitbucket::CollectOptions collect_options(const ScanConfig& config,
                                          bitbucket::CredentialKind credential) {
  bitbucket::CollectOptions o;
  o.workspaces = config.workspaces;
  o.include_repos = config.repos;
  o.exclude_repos = config.exclude_repos;
  o.projects = config.projects;
  o.credential = credential;
  o.concurrency = config.connection.concurrency;
  o.branch_rules = std::any_of(config.rules.begin(), config.rules.end(), [](const auto* r) {
    return r->subject == core::RuleSubject::default_branch;
  });
  o.key_rules = std::any_of(config.rules.begin(), config.rules.end(),
                            [](const auto* r) { return r->subject == core::RuleSubject::key; });
  return o;
}

// Keeps the evaluations of the selected rules only.
std::vector<core::Evaluation> selected(std::vector<core::Evaluation> all,
                                       const std::vector<const core::Rule*>& rules) {
  std::erase_if(all, [&](const core::Evaluation& e) {
    return std::find(rules.begin(), rules.end(), e.rule) == rules.end();
  });
  return all;
}

int exit_code_for(const report::ScanReport& report, const ScanConfig& config) {
  if (!report.complete && !config.allow_incomplete) {
    return kExitIncomplete;
  }
  if (config.fail_on) {
    for (const auto& f : report.findings) {
      if (core::rank(f.rule->severity) <= core::rank(*config.fail_on)) {
        return kExitFindings;
      }
    }
  }
  return kExitClean;
}

std::string progress_text(const bitbucket::CollectProgress& p, const TransportStack& stack) {
  std::ostringstream out;
  out << "scanning: workspaces " << p.workspaces_done.load() << "/" << p.workspaces_total.load()
      << ", repositories " << p.repositories_done.load() << "/" << p.repositories_total.load()
      << ", requests " << stack.requests();
  const auto waited = std::chrono::duration_cast<std::chrono::seconds>(stack.waited()).count();
  if (waited > 0) {
    out << ", waited " << waited << "s";
  }
  return out.str();
}

}  // namespace

void setup_scan(CLI::App& app, ScanOptions& o) {
  app.add_option("-w,--workspace", o.workspaces,
                 "Workspace slug to scan (repeatable; default: every workspace you can see)")
      ->group("Scope");
  app.add_option("--repo", o.repos, "Only repositories matching this glob (slug or ws/slug)")
      ->group("Scope");
  app.add_option("--exclude-repo", o.exclude_repos, "Skip repositories matching this glob")
      ->group("Scope");
  app.add_option("--project", o.projects, "Only repositories in this project key (repeatable)")
      ->group("Scope");
  app.add_option("-f,--format", o.format, "Report format: table, json, jsonl, sarif, csv")
      ->capture_default_str()
      ->group("Output");
  app.add_option("-o,--output", o.output, "Write the report to FILE (atomically) not stdout")
      ->group("Output");
  app.add_option("--fail-on", o.fail_on,
                 "Exit 1 when a finding is at or above: critical, high, medium, low, none")
      ->capture_default_str()
      ->group("Output");
  app.add_option("--min-severity", o.min_severity, "Leave findings below this out of the report")
      ->group("Output");
  app.add_flag("--allow-incomplete", o.allow_incomplete,
               "Do not exit 3 when something could not be evaluated")
      ->group("Output");
  app.add_option("--rule", o.rules, "Only evaluate this rule (slug or ID; repeatable)")
      ->group("Rules");
  app.add_option("--skip-rule", o.skip_rules, "Do not evaluate this rule (slug or ID; repeatable)")
      ->group("Rules");
  app.add_option("--stale-days", o.stale_days, "Rule 4: days without update before stale")
      ->capture_default_str()
      ->group("Rules");
  app.add_option("--key-max-age-days", o.key_max_age_days, "Rule 11: maximum key age in days")
      ->capture_default_str()
      ->group("Rules");
  app.add_option("--min-approvals", o.min_approvals, "Rule 2: approvals a pull request needs")
      ->capture_default_str()
      ->group("Rules");
  add_connection_options(app, o.connection);
  add_log_options(app, o.log);
}

int run_scan(const ScanOptions& options, const std::atomic<bool>& cancel) {
  // Load config.
  auto config = validate(options);
  if (!config) {
    usage_error(config.error());
    return kExitUsage;
  }
  auto started = run_clock_now();
  if (!started) {
    usage_error(started.error());
    return kExitUsage;
  }
  auto credentials = bitbucket::credentials_from_environment(bitbucket::process_environment());
  if (!credentials) {
    usage_error(credentials.error());
    return kExitUsage;
  }
  spdlog::info("authenticating with {}", bitbucket::describe(*credentials));

  // Make transport, authenticate, collect.
  TransportStack stack(config->connection, cancel);
  const auto tokens = bitbucket::make_token_source(*credentials, stack.transport(),
                                                   config->connection.token_url, stack.clock());
  bitbucket::ApiClient api(stack.transport(), *tokens, config->connection.api_url, &cancel);
  bitbucket::CollectProgress progress;
  bitbucket::CollectResult collected;
  {
    const ProgressLine line(stderr_is_tty() && !options.log.no_progress && !options.log.quiet,
                            [&] { return progress_text(progress, stack); });
    collected =
        bitbucket::Collector(api, collect_options(*config, credentials->kind), &progress, &cancel)
            .run();
  }
  if (collected.auth_failure) {
    std::cerr << "bbposture: authentication failed: " << collected.auth_failure->message << '\n';
    return kExitAuth;
  }
  spdlog::info("{} requests, {} retries", stack.requests(), stack.retries());

  // Evaluate and report.
  const auto finished = run_clock_now();
  auto evaluations =
      selected(core::evaluate(collected.snapshot, config->settings, *started), config->rules);
  report::ReportInputs inputs{BBP_VERSION,         *started,
                              *finished,           stack.requests(),
                              config->settings,    collected.interrupted || cancel.load(),
                              config->min_severity};
  const auto report = report::build_report(collected.snapshot, std::move(evaluations), inputs);
  const auto reporter = report::make_reporter(
      config->format,
      {!config->output && stdout_is_tty() && std::getenv("NO_COLOR") == nullptr,  // NOLINT
       80});
  std::ostringstream text;
  reporter->write(report, text);
  if (auto written = write_output(config->output, text.str()); !written) {
    std::cerr << "bbposture: " << written.error() << '\n';
    return kExitUsage;
  }
  return exit_code_for(report, *config);
}

}  // namespace bbp::app
