// bbposture: a security-posture scanner for Bitbucket Cloud.
#include <atomic>
#include <csignal>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "bbp/http/curl_transport.hpp"
#include "commands.hpp"
#include "completion.hpp"
#include "runtime.hpp"

namespace {

std::atomic<bool> g_cancel{false};  // set by SIGINT/SIGTERM: stop new requests, report, exit 3

extern "C" void on_signal(int /*signal*/) {
  g_cancel.store(true);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace bbp::app;
  static_assert(std::atomic<bool>::is_always_lock_free);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  CLI::App app{
      "bbposture: security-posture scanner for Bitbucket Cloud.\n"
      "Credentials come from the environment: BITBUCKET_CLIENT_ID + "
      "BITBUCKET_CLIENT_SECRET,\nBITBUCKET_ACCESS_TOKEN, or BITBUCKET_EMAIL + "
      "BITBUCKET_API_TOKEN.",
      "bbposture"};
  app.failure_message(failure_message);
  app.set_version_flag("--version", std::string("bbposture ") + BBP_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage error, "
      "3 incomplete scan, 4 authentication failed.");

  ScanOptions scan_options;
  auto* scan = app.add_subcommand("scan", "Scan workspaces and report findings");
  setup_scan(*scan, scan_options);

  AuthCheckOptions auth_options;
  auto* auth = app.add_subcommand("auth", "Authentication commands");
  auth->require_subcommand(1);
  auto* check = auth->add_subcommand(
      "check", "Authenticate, show identity and scopes, and probe the endpoints the rules read");
  setup_auth_check(*check, auth_options);

  RulesOptions rules_options;
  auto* rules = app.add_subcommand("rules", "Print the rule catalogue");
  setup_rules(*rules, rules_options);

  DiffOptions diff_options;
  auto* diff = app.add_subcommand("diff", "Compare two saved JSON reports: new, unchanged, fixed");
  setup_diff(*diff, diff_options);

  ConfigOptions config_options;
  auto* config = app.add_subcommand("config", "Print an example config file, or check one");
  setup_config(*config, config_options);

  CompletionOptions completion_options;
  auto* completion = app.add_subcommand("completion", "Print the shell completion script");
  setup_completion(*completion, completion_options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitClean : kExitUsage;
  }

  try {
    if (rules->parsed()) {
      return run_rules(rules_options);
    }
    if (diff->parsed()) {
      return run_diff(diff_options);
    }
    if (config->parsed()) {
      return run_config(config_options);
    }
    if (completion->parsed()) {
      return run_completion(app, completion_options);
    }
    const bbp::http::CurlGlobal curl;
    if (scan->parsed()) {
      setup_logging(scan_options.log);
      return run_scan(scan_options, g_cancel);
    }
    setup_logging(auth_options.log);
    return run_auth_check(auth_options, g_cancel);
  } catch (const std::exception& e) {
    std::cerr << "bbposture: " << e.what() << '\n';
    return kExitUsage;
  }
}
