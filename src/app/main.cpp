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

// Every subcommand's options, filled by the parse; the subcommands, to ask which one was given.
struct Commands {
  bbp::app::ScanOptions scan_options;
  bbp::app::AuthCheckOptions auth_options;
  bbp::app::RulesOptions rules_options;
  bbp::app::DiffOptions diff_options;
  bbp::app::ConfigOptions config_options;
  bbp::app::CompletionOptions completion_options;
  bbp::app::HistoryOptions history_options;
  bbp::app::ScanOptions fix_options;
  CLI::App* scan = nullptr;
  CLI::App* fix = nullptr;
  CLI::App* rules = nullptr;
  CLI::App* diff = nullptr;
  CLI::App* config = nullptr;
  CLI::App* completion = nullptr;
  CLI::App* history = nullptr;
};

void describe_app(CLI::App& app) {
  app.failure_message(bbp::app::failure_message);
  app.set_version_flag("--version", std::string("bbposture ") + BBP_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage error, "
      "3 incomplete scan, 4 authentication failed.");
}

void add_subcommands(CLI::App& app, Commands& c) {
  using namespace bbp::app;
  c.scan = app.add_subcommand("scan", "Scan workspaces and report findings");
  setup_scan(*c.scan, c.scan_options);
  c.fix = app.add_subcommand(
      "fix", "Plan tighten-only fixes for what a scan finds; apply a reviewed plan; undo it");
  setup_fix(*c.fix, c.fix_options);
  auto* auth = app.add_subcommand("auth", "Authentication commands");
  auth->require_subcommand(1);
  setup_auth_check(
      *auth->add_subcommand(
          "check",
          "Authenticate, show identity and scopes, and probe the endpoints the rules read"),
      c.auth_options);
  c.rules = app.add_subcommand("rules", "Print the rule catalogue");
  setup_rules(*c.rules, c.rules_options);
  c.diff = app.add_subcommand("diff", "Compare two saved JSON reports: new, unchanged, fixed");
  setup_diff(*c.diff, c.diff_options);
  c.history = app.add_subcommand("history", "Read or prune a scan history (scan --history)");
  setup_history(*c.history, c.history_options);
  c.config = app.add_subcommand("config", "Print an example config file, or check one");
  setup_config(*c.config, c.config_options);
  c.completion = app.add_subcommand("completion", "Print the shell completion script");
  setup_completion(*c.completion, c.completion_options);
}

// The subcommand that was given, run; its exit code.
int run(const CLI::App& app, const Commands& c) {
  using namespace bbp::app;
  if (c.rules->parsed()) {
    return run_rules(c.rules_options);
  }
  if (c.diff->parsed()) {
    return run_diff(c.diff_options);
  }
  if (c.config->parsed()) {
    return run_config(c.config_options);
  }
  if (c.history->parsed()) {
    return run_history(c.history_options);
  }
  if (c.completion->parsed()) {
    return run_completion(app, c.completion_options);
  }
  const bbp::http::CurlGlobal curl;
  if (c.scan->parsed()) {
    setup_logging(c.scan_options.log);
    return run_scan(c.scan_options, g_cancel);
  }
  if (c.fix->parsed()) {
    setup_logging(c.fix_options.log);
    return run_fix(c.fix_options, g_cancel);
  }
  setup_logging(c.auth_options.log);
  return run_auth_check(c.auth_options, g_cancel);
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
  describe_app(app);
  Commands commands;
  add_subcommands(app, commands);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitClean : kExitUsage;
  }
  try {
    return run(app, commands);
  } catch (const std::exception& e) {
    std::cerr << "bbposture: " << e.what() << '\n';
    return kExitUsage;
  }
}
