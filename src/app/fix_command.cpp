// `bbposture fix`: make a plan (read, evaluate, plan; no write), apply a reviewed plan, or undo
// what an apply did (docs/fix.md).
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "bbp/bitbucket/collector.hpp"
#include "bbp/bitbucket/credentials.hpp"
#include "bbp/bitbucket/reads.hpp"
#include "bbp/core/declared.hpp"
#include "bbp/core/engine.hpp"
#include "bbp/core/suppression.hpp"
#include "bbp/fix/apply.hpp"
#include "bbp/fix/plan.hpp"
#include "bbp/fix/planner.hpp"
#include "bbp/fix/terraform.hpp"
#include "bbp/report/report_reader.hpp"
#include "commands.hpp"
#include "config_file.hpp"
#include "option_table.hpp"
#include "output_file.hpp"
#include "runtime.hpp"

namespace bbp::app {
namespace {

void say(const std::string& message) {
  std::cerr << "bbposture: " << message << '\n';
}

// Everything a run that talks to Bitbucket holds: the credential, the transport, the client.
struct Session {
  bitbucket::Credentials credentials;
  TransportStack stack;
  std::unique_ptr<bitbucket::TokenSource> tokens;
  bitbucket::ApiClient api;

  Session(bitbucket::Credentials c, const ScanConfig& config, const std::atomic<bool>& cancel)
      : credentials(std::move(c)),
        stack(config.connection, cancel),
        tokens(bitbucket::make_token_source(credentials, stack.token_transport(),
                                            config.connection.token_url, stack.clock())),
        api(stack.transport(), *tokens, config.connection.api_url, &cancel, &stack.limiter()) {}

  fix::Grants grants() const {
    fix::Grants g{std::string(bitbucket::to_string(credentials.kind)), std::nullopt};
    if (credentials.kind == bitbucket::CredentialKind::client_credentials) {
      g.oauth_scopes = tokens->granted_scopes();
    }
    return g;
  }
};

// Who the credential is (GET /user): the plan is bound to it. The exit code when it cannot be
// told because the credential was rejected.
tl::expected<fix::Identity, int> identify(Session& s) {
  const auto& row = bitbucket::read_of(core::GapSubject::user, bitbucket::Owner::user);
  auto caller = bitbucket::make_read_as<bitbucket::Caller>(s.api, row, bitbucket::Target{});
  if (caller.fatal) {
    return tl::unexpected(say_auth_failure(
        {caller.fatal->message, caller.fatal->kind == bitbucket::ApiError::Kind::unreachable},
        s.credentials));
  }
  if (!caller.value) {
    spdlog::warn(
        "who this credential is could not be read ({}): the plan is bound to the API "
        "URL only",
        caller.gaps.empty() ? "no answer" : caller.gaps.front().detail);
    return fix::Identity{};
  }
  return fix::Identity{caller.value->uuid, caller.value->name};
}

std::string identity_text(const fix::Identity& id) {
  if (!id.uuid) {
    return "an unknown identity";
  }
  return id.name ? *id.name + " " + *id.uuid : *id.uuid;
}

// ---- Making a plan -----------------------------------------------------------------------------

// --from-report: the repositories its findings name become the scope (only they are read).
tl::expected<void, std::string> scope_from_report(ScanConfig& config, const std::string& path) {
  auto report = report::read_report_file(path);
  if (!report) {
    return tl::unexpected("--from-report " + report.error());
  }
  std::set<std::string> repos;
  std::set<std::string> workspaces;
  for (const auto& f : report->findings) {
    if (f.repository && f.workspace) {
      repos.insert(*f.repository);
      workspaces.insert(*f.workspace);
    }
  }
  if (repos.empty()) {
    return tl::unexpected("--from-report " + path + " names no repository with a finding");
  }
  config.repos.assign(repos.begin(), repos.end());
  config.workspaces.assign(workspaces.begin(), workspaces.end());
  return {};
}

nlohmann::json selection_json(const ScanConfig& config) {
  std::vector<std::string> rules;
  for (const auto* rule : config.rules) {
    rules.emplace_back(rule->slug);
  }
  return {{"workspaces", config.workspaces},
          {"repos", config.repos},
          {"exclude_repos", config.exclude_repos},
          {"projects", config.projects},
          {"rules", rules}};
}

// The plan for what the collection found.
fix::Plan plan_for(const ScanConfig& config, bitbucket::CollectResult& collected,
                   const fix::Identity& identity, const fix::Grants& grants, core::TimePoint now) {
  core::apply_declarations(collected.snapshot, config.declarations);
  auto evaluations =
      core::evaluate(collected.snapshot, config.settings, now,
                     {config.rules, /*findings_only=*/true, config.scope().reads_user_keys()});
  for (const auto& warning :
       core::apply_suppressions(evaluations, config.suppressions, collected.snapshot, now)) {
    spdlog::warn("{}", warning);
  }
  fix::Plan plan;
  plan.tool_version = BBP_VERSION;
  plan.created_at = now;
  plan.api_url = config.connection.api_url;
  plan.identity = identity;
  plan.credential = grants.credential;
  plan.selection = selection_json(config);
  plan.min_approvals = config.settings.min_approvals;
  const fix::FixFlags flags{config.fix.allow_visibility, config.fix.allow_key_deletion,
                            config.fix.allow_fork_policy, config.fix.replace_exemptions};
  plan.flags = flags.names();
  const fix::PlanInputs inputs{collected.snapshot, evaluations, config.settings, flags, grants};
  if (collected.snapshot.platform == core::Platform::datacenter) {
    fix::plan_datacenter_steps(inputs, plan);
  } else {
    fix::plan_steps(inputs, plan);
  }
  fix::seal(plan);
  return plan;
}

void write_plan(const fix::Plan& plan, FixConfig::Format format, std::ostream& out) {
  switch (format) {
    case FixConfig::Format::json:
      out << fix::to_json(plan).dump(2) << '\n';
      return;
    case FixConfig::Format::terraform:
      fix::write_terraform(plan, out);
      return;
    case FixConfig::Format::table:
      fix::write_plan_table(plan, out);
      return;
  }
}

int plan_exit_code(const fix::Plan& plan, bool interrupted) {
  if (interrupted || !plan.unread.empty()) {
    return kExitIncomplete;
  }
  return plan.steps.empty() ? kExitClean : kExitFindings;
}

// Data Center: the plan, bound to the identity the collector read; for review, never applied.
int write_datacenter_plan(const ScanConfig& config, bitbucket::CollectResult& collected, Session& s,
                          core::TimePoint now, const std::atomic<bool>& cancel) {
  if (report_missing_workspaces(collected)) {
    return kExitUsage;
  }
  fix::Identity identity;
  identity.name = collected.snapshot.identity;
  const auto plan = plan_for(config, collected, identity, s.grants(), now);
  spdlog::info("{} requests; no write was made", s.stack.requests());
  if (auto written = write_output(
          config.fix.output, [&](std::ostream& out) { write_plan(plan, config.fix.format, out); });
      !written) {
    say("the plan was not written: " + written.error());
    return kExitUsage;
  }
  return plan_exit_code(plan, collected.interrupted || cancel.load());
}

int make_plan(ScanConfig& config, const std::atomic<bool>& cancel, core::TimePoint now,
              bitbucket::Credentials credentials) {
  Session s(std::move(credentials), config, cancel);
  spdlog::info("authenticating with {}", bitbucket::describe(s.credentials));
  const bool datacenter = config.connection.platform == core::Platform::datacenter;
  // Data Center's collector identifies the caller itself (an anonymous token ends it there).
  const auto identity =
      datacenter ? tl::expected<fix::Identity, int>(fix::Identity{}) : identify(s);
  if (!identity) {
    return identity.error();
  }
  auto collected =
      collect(config.connection.platform, s.api, collect_options(config, s.credentials.kind),
              s.credentials.username, nullptr, &cancel);
  if (collected.auth_failure) {
    return say_auth_failure(*collected.auth_failure, s.credentials);
  }
  if (collected.wrong_platform) {
    say(*collected.wrong_platform);
    return kExitUsage;
  }
  if (datacenter) {
    return write_datacenter_plan(config, collected, s, now, cancel);
  }
  if (report_missing_workspaces(collected)) {
    return kExitUsage;
  }
  const auto plan = plan_for(config, collected, *identity, s.grants(), now);
  spdlog::info("{} requests; no write was made", s.stack.requests());
  if (auto written = write_output(
          config.fix.output, [&](std::ostream& out) { write_plan(plan, config.fix.format, out); });
      !written) {
    say("the plan was not written: " + written.error());
    return kExitUsage;
  }
  return plan_exit_code(plan, collected.interrupted || cancel.load());
}

// ---- Applying and undoing ----------------------------------------------------------------------

// A plan --apply may make: for this API, young enough. Said before any request.
tl::expected<fix::Plan, std::string> reviewed_plan(const ScanConfig& config, core::TimePoint now) {
  auto plan = fix::read_plan_file(*config.fix.apply);
  if (!plan) {
    return tl::unexpected("--apply " + plan.error());
  }
  if (plan->platform != "cloud") {
    return tl::unexpected("--apply " + *config.fix.apply + " is a plan for Bitbucket " +
                          plan->platform + ": this bbposture applies plans for Bitbucket Cloud");
  }
  if (plan->api_url != config.connection.api_url) {
    return tl::unexpected("--apply " + *config.fix.apply + " was made for " + plan->api_url +
                          ", not for " + config.connection.api_url +
                          ": apply it with the same --api-url, or make a new plan");
  }
  const auto age = now - plan->created_at;
  if (age > config.fix.max_plan_age || age < -std::chrono::minutes(5)) {
    return tl::unexpected(
        "--apply " + *config.fix.apply + " was made at " +
        core::format_timestamp(plan->created_at) +
        (age > config.fix.max_plan_age ? ", longer ago than --max-plan-age" : ", in the future") +
        ": what it read may have changed; make a new plan and review it");
  }
  return plan;
}

// The identity the credential resolves to must be the one that made the plan (or the journal).
tl::expected<void, int> same_identity(Session& s, const fix::Identity& expected,
                                      const std::string& what) {
  const auto identity = identify(s);
  if (!identity) {
    return tl::unexpected(identity.error());
  }
  if (identity->uuid != expected.uuid) {
    say(what + " was made by " + identity_text(expected) + "; this credential is " +
        identity_text(*identity) + ": use the credential that made it, or make a new plan");
    return tl::unexpected(kExitUsage);
  }
  return {};
}

void print_results(const fix::RunResult& result, std::ostream& out) {
  std::map<fix::Outcome, std::size_t> counts;
  for (const auto& r : result.steps) {
    ++counts[r.outcome];
    out << r.step << "  " << fix::to_string(r.outcome) << "  " << r.target << ": " << r.summary;
    if (!r.detail.empty()) {
      out << " (" << r.detail << ")";
    }
    out << '\n';
  }
  out << result.steps.size() << " steps:";
  const char* separator = " ";
  for (const auto& [outcome, n] : counts) {
    out << separator << n << " " << fix::to_string(outcome);
    separator = ", ";
  }
  out << "; " << result.writes << " write requests\n";
  if (result.stopped) {
    out << "stopped early: " << *result.stopped << " (the journal records what was done)\n";
  }
}

int run_exit_code(const fix::RunResult& result) {
  if (result.rejected) {
    return kExitAuth;
  }
  if (result.stopped) {
    return kExitIncomplete;
  }
  const bool all_done = std::all_of(result.steps.begin(), result.steps.end(), [](const auto& r) {
    return r.outcome == fix::Outcome::applied || r.outcome == fix::Outcome::already_applied ||
           r.outcome == fix::Outcome::undone;
  });
  return all_done ? kExitClean : kExitFindings;
}

int finish_run(Session& s, const fix::RunResult& result) {
  print_results(result, std::cout);
  spdlog::info("{} requests, {} of them writes", s.stack.requests(), result.writes);
  if (result.rejected) {
    return say_auth_failure({result.rejected->message, false}, s.credentials);
  }
  return run_exit_code(result);
}

fix::ApplyOptions apply_options(const ScanConfig& config, const Session& s,
                                const std::atomic<bool>& cancel) {
  fix::ApplyOptions options;
  options.concurrency = config.connection.concurrency;
  options.cancel = &cancel;
  options.grants = s.grants();
  return options;
}

// BBP_TEST_FIX_PAUSE=FILE (tests only): after the first write is answered, and before the journal
// records it, write FILE and wait there until the run is interrupted (or killed).
std::function<void()> pause_after_write(const std::atomic<bool>& cancel) {
  const char* marker = std::getenv("BBP_TEST_FIX_PAUSE");  // NOLINT(concurrency-mt-unsafe)
  if (marker == nullptr || *marker == '\0') {
    return {};
  }
  return [file = std::string(marker), &cancel, once = std::make_shared<std::once_flag>()] {
    std::call_once(*once, [&] {
      std::ofstream(file) << "paused\n";
      while (!cancel.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });
  };
}

int apply_plan(const ScanConfig& config, const std::atomic<bool>& cancel, core::TimePoint now,
               bitbucket::Credentials credentials) {
  const auto plan = reviewed_plan(config, now);
  if (!plan) {
    say(plan.error());
    return kExitUsage;
  }
  const auto journal_path = config.fix.journal.value_or(*config.fix.apply + ".journal");
  auto journal = fix::open_journal(journal_path, *plan);
  if (!journal) {
    say("--journal " + journal.error());
    return kExitUsage;
  }
  Session s(std::move(credentials), config, cancel);
  if (auto same = same_identity(s, plan->identity, *config.fix.apply); !same) {
    return same.error();
  }
  spdlog::info("applying {} steps; the journal is {}", plan->steps.size(), journal_path);
  auto options = apply_options(config, s, cancel);
  options.after_write = pause_after_write(cancel);
  const auto result = fix::apply_plan(s.api, *plan, **journal, options);
  return finish_run(s, result);
}

int undo(const ScanConfig& config, const std::atomic<bool>& cancel,
         bitbucket::Credentials credentials) {
  auto journal =
      bitbucket::JsonLinesFile::open(*config.fix.undo, "the undo journal", "a journal record");
  if (!journal) {
    say("--undo " + journal.error());
    return kExitUsage;
  }
  const auto header = fix::journal_header((*journal)->lines());
  if (!header) {
    say("--undo " + *config.fix.undo + ": " + header.error());
    return kExitUsage;
  }
  if (header->api_url != config.connection.api_url) {
    say("--undo " + *config.fix.undo + " records writes to " + header->api_url + ", not to " +
        config.connection.api_url + ": undo it with the same --api-url");
    return kExitUsage;
  }
  Session s(std::move(credentials), config, cancel);
  if (auto same = same_identity(s, header->identity, *config.fix.undo); !same) {
    return same.error();
  }
  const auto result = fix::undo_journal(s.api, **journal, apply_options(config, s, cancel));
  return finish_run(s, result);
}

// Everything checked before the first request.
tl::expected<std::pair<ScanConfig, core::TimePoint>, int> prepare(const ScanOptions& given) {
  auto config = configured(given, Command::fix);
  if (!config) {
    say(config.error());
    return tl::unexpected(kExitUsage);
  }
  for (const auto& warning : config->warnings) {
    spdlog::warn("{}", warning);
  }
  if (!given.from_report.empty()) {
    if (auto scoped = scope_from_report(*config, given.from_report); !scoped) {
      say(scoped.error());
      return tl::unexpected(kExitUsage);
    }
  }
  if (config->fix.output) {
    if (auto writable = check_outputs({{"-o", *config->fix.output}}, {}, {"-o"}); !writable) {
      say(writable.error());
      return tl::unexpected(kExitUsage);
    }
  }
  auto now = run_clock_now();
  if (!now) {
    say(now.error());
    return tl::unexpected(kExitUsage);
  }
  return std::make_pair(std::move(*config), *now);
}

// What `fix` does not do on Data Center, refused before any request: it plans, for review.
std::optional<std::string> datacenter_refusal(const ScanConfig& config) {
  if (config.connection.platform != core::Platform::datacenter) {
    return std::nullopt;
  }
  if (config.fix.apply || config.fix.undo) {
    return std::string(config.fix.apply ? "--apply" : "--undo") +
           " is not available with --platform datacenter: bbposture plans changes for Bitbucket "
           "Data Center for review, and does not write to it (docs/datacenter.md)";
  }
  if (config.fix.format == FixConfig::Format::terraform) {
    return std::string(
        "-f terraform is for Bitbucket Cloud's Terraform provider: with --platform datacenter "
        "use -f table or -f json");
  }
  return std::nullopt;
}

}  // namespace

void setup_fix(CLI::App& app, ScanOptions& options) {
  add_options(app, Command::fix, options);
}

int run_fix(const ScanOptions& given, const std::atomic<bool>& cancel) {
  auto prepared = prepare(given);
  if (!prepared) {
    return prepared.error();
  }
  auto& [config, now] = *prepared;
  if (auto refused = datacenter_refusal(config)) {
    say(*refused);
    return kExitUsage;
  }
  auto credentials = credentials_for(config.connection.platform);
  if (!credentials) {
    say(credentials.error());
    return kExitUsage;
  }
  if (config.fix.apply) {
    return apply_plan(config, cancel, now, std::move(*credentials));
  }
  if (config.fix.undo) {
    return undo(config, cancel, std::move(*credentials));
  }
  return make_plan(config, cancel, now, std::move(*credentials));
}

}  // namespace bbp::app
