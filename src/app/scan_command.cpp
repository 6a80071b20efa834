// `bbposture scan`: load config → make transport → authenticate → collect → evaluate →
// report → exit code.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "bbp/bitbucket/collector.hpp"
#include "bbp/bitbucket/credentials.hpp"
#include "bbp/bitbucket/datacenter_collector.hpp"
#include "bbp/core/declared.hpp"
#include "bbp/core/engine.hpp"
#include "bbp/core/snapshot_json.hpp"
#include "bbp/core/suppression.hpp"
#include "bbp/history/history.hpp"
#include "bbp/report/report.hpp"
#include "bbp/report/report_reader.hpp"
#include "bbp/text/text.hpp"
#include "commands.hpp"
#include "config_file.hpp"
#include "gap_summary.hpp"
#include "option_table.hpp"
#include "output_file.hpp"
#include "runtime.hpp"

namespace bbp::app {
namespace {

void usage_error(const std::string& message) {
  std::cerr << "bbposture: " << message << '\n';
}

// NO_COLOR set to a non-empty value turns colours off (https://no-color.org).
bool no_color_requested() {
  const char* value = std::getenv("NO_COLOR");  // NOLINT(concurrency-mt-unsafe)
  return value != nullptr && *value != '\0';
}

int exit_code_for(const report::ScanReport& report, const ScanConfig& config) {
  if (report.interrupted || (!report.complete && !config.allow_incomplete)) {
    return kExitIncomplete;
  }
  return findings_exit_code(report, config.fail_on, config.fail_on_unchanged);
}

// Requests an hour the scan runs at, when that is known: the pacing asked for, or the window
// the rate limiter has learned or been told.
std::optional<double> known_rate_per_hour(const TransportStack& stack, const ScanConfig& config) {
  if (config.connection.max_requests_per_hour > 0) {
    return static_cast<double>(config.connection.max_requests_per_hour);
  }
  const auto limit = stack.limiter().status();
  if (limit.window_requests && limit.window && limit.window->count() > 0) {
    return static_cast<double>(*limit.window_requests) * 3'600'000.0 /
           static_cast<double>(limit.window->count());
  }
  return std::nullopt;
}

// "done about 14:05": the local time the remaining requests end at `per_hour`.
std::string finish_time(std::size_t remaining, double per_hour) {
  const auto seconds =
      static_cast<std::int64_t>(static_cast<double>(remaining) * 3600.0 / per_hour);
  const std::time_t at = std::time(nullptr) + seconds;
  std::tm local{};
  localtime_r(&at, &local);
  char text[32];
  std::strftime(text, sizeof text, seconds >= 86'400 ? "%a %H:%M" : "%H:%M", &local);
  return text;
}

std::string progress_text(const bitbucket::CollectProgress& p, const TransportStack& stack,
                          const ScanConfig& config) {
  std::ostringstream out;
  out << "scanning: workspaces " << p.workspaces_done.load() << "/" << p.workspaces_total.load()
      << ", repositories " << p.repositories_done.load() << "/" << p.repositories_total.load()
      << ", requests " << stack.requests();
  const std::size_t planned = p.requests_planned.load();
  const std::size_t done = std::min(planned, p.reads_done.load());
  if (p.listed.load()) {
    out << " (about " << planned - done << " to go";
    if (const auto rate = known_rate_per_hour(stack, config); rate && planned > done) {
      out << ", done about " << finish_time(planned - done, *rate);
    }
    out << ")";
  }
  const auto limit = stack.limiter().status();
  if (limit.closed) {
    out << ", rate limited";
    if (limit.next_probe) {
      const auto in =
          std::chrono::ceil<std::chrono::seconds>(*limit.next_probe - stack.clock().now());
      out << ": next try in " << std::max<std::int64_t>(0, in.count()) << "s";
    }
  } else if (const auto waited = std::chrono::floor<std::chrono::seconds>(stack.waited());
             waited.count() > 0) {
    out << ", waited " << waited.count() << "s";
  }
  return out.str();
}

}  // namespace

int findings_exit_code(const report::ScanReport& report, std::optional<core::Severity> fail_on,
                       bool fail_on_unchanged) {
  return fail_on && report::fails_on(report, *fail_on, fail_on_unchanged) ? kExitFindings
                                                                          : kExitClean;
}

tl::expected<std::optional<report::ScanReport>, std::string> load_baseline(
    const std::optional<std::string>& path) {
  if (!path) {
    return std::nullopt;
  }
  auto baseline = report::read_report_file(*path);
  if (!baseline) {
    return tl::unexpected("--baseline " + baseline.error());
  }
  return std::optional<report::ScanReport>(std::move(*baseline));
}

bitbucket::CollectOptions collect_options(const ScanConfig& config,
                                          bitbucket::CredentialKind credential) {
  bitbucket::CollectOptions o;
  o.scope = config.scope();
  o.credential = credential;
  o.concurrency = config.connection.concurrency;
  o.requests_per_hour = config.connection.max_requests_per_hour;
  return o;
}

tl::expected<bitbucket::Credentials, std::string> credentials_for(core::Platform platform) {
  auto credentials = bitbucket::credentials_from_environment(bitbucket::process_environment());
  if (credentials && platform == core::Platform::datacenter &&
      credentials->kind == bitbucket::CredentialKind::client_credentials) {
    return tl::unexpected(std::string(
        "Bitbucket Data Center has no OAuth client credentials: set BITBUCKET_ACCESS_TOKEN (an "
        "HTTP access token, sent as Bearer) or BITBUCKET_USERNAME and BITBUCKET_API_TOKEN (a "
        "user's token or password, sent as Basic)"));
  }
  return credentials;
}

bitbucket::CollectResult collect(core::Platform platform, bitbucket::ApiClient& api,
                                 const bitbucket::CollectOptions& options,
                                 const std::string& username, bitbucket::CollectProgress* progress,
                                 const std::atomic<bool>* cancel) {
  if (platform == core::Platform::datacenter) {
    return bitbucket::DataCenterCollector(api, options, username, progress, cancel).run();
  }
  return bitbucket::Collector(api, options, progress, cancel).run();
}

// Workspaces named with -w that Bitbucket does not know (or does not show this credential):
// said with what it can see. True when there were any (the run then exits 2).
bool report_missing_workspaces(const bitbucket::CollectResult& collected) {
  if (collected.snapshot.platform == core::Platform::datacenter) {
    for (const auto& key : collected.missing_workspaces) {
      std::cerr << "bbposture: project '" << key
                << "' has no repository this credential can read on the server (or does not "
                   "exist)\n";
    }
    return !collected.missing_workspaces.empty();
  }
  for (const auto& slug : collected.missing_workspaces) {
    std::string line =
        "bbposture: workspace '" + slug + "' was not found, or this credential cannot see it (404)";
    if (collected.visible_workspaces) {
      line += collected.visible_workspaces->empty()
                  ? "; it can see no workspace"
                  : "; it can see: " + text::join(*collected.visible_workspaces);
    }
    std::cerr << line << '\n';
  }
  return !collected.missing_workspaces.empty();
}

void setup_scan(CLI::App& app, ScanOptions& o) {
  add_options(app, Command::scan, o);
}

// The table's options: colours, width and whether suppressed findings are listed.
report::ReporterOptions reporter_options(const ScanConfig& config) {
  const bool terminal = !config.output && stdout_is_tty();
  const int width = config.width > 0 ? config.width : (terminal ? terminal_columns(1) : 80);
  return {config.color.value_or(terminal && !no_color_requested()), std::clamp(width, 60, 500),
          config.show_suppressed, config.only_new};
}

namespace {

void warn_unmatched(const std::vector<std::string>& filters) {
  for (const auto& filter : filters) {
    spdlog::warn("{} matched no repository", filter);
  }
}

// Reads a saved snapshot and keeps the workspaces and repositories selected on the command line.
tl::expected<core::Snapshot, std::string> load_snapshot(const ScanConfig& config) {
  const auto& path = *config.from_snapshot;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return tl::unexpected("--from-snapshot " + path + ": no such file");
  }
  if (std::filesystem::is_directory(path, ec)) {
    return tl::unexpected("--from-snapshot " + path + ": a folder, not a snapshot file");
  }
  std::ifstream in(path);
  if (!in) {
    const std::string reason = std::strerror(errno);  // NOLINT(concurrency-mt-unsafe)
    return tl::unexpected("--from-snapshot " + path + ": cannot be read (" + reason + ")");
  }
  core::Snapshot snapshot;
  try {
    snapshot = core::read_snapshot(in);
  } catch (const core::SnapshotSyntaxError&) {
    return tl::unexpected(*config.from_snapshot + " is not valid JSON");
  } catch (const std::invalid_argument& e) {
    return tl::unexpected(*config.from_snapshot + ": " + e.what());
  }
  if (snapshot.platform == core::Platform::datacenter) {
    // As a live Data Center scan: the rules that read what only Cloud has are refused.
    for (const auto* rule : config.rules) {
      if (!rule->datacenter.evaluated) {
        return tl::unexpected(*config.from_snapshot +
                              " was read from Bitbucket Data Center: rule '" +
                              std::string(rule->slug) +
                              "' is not evaluated there (use the default rule set, or name its "
                              "rules)");
      }
    }
  }
  if (snapshot.credential && !bitbucket::credential_kind_from_string(*snapshot.credential)) {
    return tl::unexpected(*config.from_snapshot +
                          ": 'credential' is not a credential kind: " + *snapshot.credential);
  }
  // The same scope a live scan with these flags would have read.
  std::vector<std::string> unmatched;
  if (const auto problem = core::narrow(snapshot, config.scope(), &unmatched)) {
    return tl::unexpected(*config.from_snapshot + ": " + *problem);
  }
  warn_unmatched(unmatched);
  return snapshot;
}

// What the live part of a scan hands on to the evaluation.
struct LiveScan {
  bitbucket::CollectResult collected;
  std::uint64_t requests = 0;
  bool rate_limit_exhausted = false;  // --max-wait ran out: the checkpoint is kept
  std::unique_ptr<bitbucket::Checkpoint> checkpoint;
};

// Once the report is written, a checkpoint has served its purpose unless the scan stopped
// early (interrupted, or the rate limit outlasted --max-wait): then it is kept to resume from.
void finish_checkpoint(bitbucket::Checkpoint* checkpoint, bool stopped_early) {
  if (checkpoint == nullptr) {
    return;
  }
  if (stopped_early) {
    std::cerr << "bbposture: the checkpoint " << checkpoint->path()
              << " is kept: run the same command again to read only what is missing\n";
    return;
  }
  checkpoint->remove();
}

// Opens --checkpoint before the first request: a journal of another scan is refused here.
tl::expected<std::unique_ptr<bitbucket::Checkpoint>, std::string> open_checkpoint(
    const ScanConfig& config) {
  if (!config.checkpoint) {
    return nullptr;
  }
  bitbucket::CheckpointScope scope{config.connection.api_url, config.workspaces, config.repos,
                                   config.exclude_repos,      config.projects,   {}};
  for (const auto* rule : config.rules) {
    scope.rules.emplace_back(rule->slug);
  }
  auto checkpoint = bitbucket::Checkpoint::open(*config.checkpoint, scope);
  if (checkpoint && (*checkpoint)->reads() > 0) {
    spdlog::warn("resuming from the checkpoint {}: {} reads were made by an earlier run",
                 *config.checkpoint, (*checkpoint)->reads());
  }
  return checkpoint;
}

// Make transport, authenticate, collect; the exit code when the scan cannot go on.
tl::expected<LiveScan, int> collect_live(const ScanConfig& config, const LogOptions& log,
                                         const std::atomic<bool>& cancel) {
  auto credentials = credentials_for(config.connection.platform);
  if (!credentials) {
    usage_error(credentials.error());
    return tl::unexpected(kExitUsage);
  }
  auto checkpoint = open_checkpoint(config);
  if (!checkpoint) {
    usage_error(checkpoint.error());
    return tl::unexpected(kExitUsage);
  }
  spdlog::info("authenticating with {}", bitbucket::describe(*credentials));
  TransportStack stack(config.connection, cancel);
  const auto tokens = bitbucket::make_token_source(*credentials, stack.token_transport(),
                                                   config.connection.token_url, stack.clock());
  bitbucket::ApiClient api(stack.transport(), *tokens, config.connection.api_url, &cancel,
                           &stack.limiter());
  auto options = collect_options(config, credentials->kind);
  options.checkpoint = checkpoint->get();
  bitbucket::CollectProgress progress;
  LiveScan live;
  {
    const ProgressLine line(stderr_is_tty() && !log.no_progress && !log.quiet,
                            [&] { return progress_text(progress, stack, config); });
    live.collected = collect(config.connection.platform, api, options, credentials->username,
                             &progress, &cancel);
  }
  // The kind by name (never the secret), so a saved snapshot says what read it.
  live.collected.snapshot.credential = std::string(bitbucket::to_string(credentials->kind));
  if (cancel.load()) {
    std::cerr << "bbposture: interrupted: no further requests; reporting what was read\n";
  }
  if (live.collected.auth_failure) {
    return tl::unexpected(say_auth_failure(*live.collected.auth_failure, *credentials));
  }
  if (live.collected.wrong_platform) {
    usage_error(*live.collected.wrong_platform);
    return tl::unexpected(kExitUsage);
  }
  warn_unmatched(live.collected.unmatched_filters);
  live.requests = stack.requests();
  live.rate_limit_exhausted = stack.limiter().status().exhausted;
  spdlog::info("{} requests, {} retries, {} answered 429", live.requests, stack.retries(),
               stack.limiter().status().rejections);
  live.checkpoint = std::move(*checkpoint);
  return live;
}

// --save-snapshot: false (and said) when it could not be written.
bool save_snapshot(const ScanConfig& config, const core::Snapshot& snapshot) {
  if (!config.save_snapshot) {
    return true;
  }
  auto saved = write_output(config.save_snapshot,
                            [&](std::ostream& out) { core::write_snapshot(out, snapshot); });
  if (!saved) {
    usage_error("the snapshot was not saved: " + saved.error());
  }
  return saved.has_value();
}

// The config's suppressions, as of the run's clock (not the snapshot's time: an offline
// re-evaluation honours today's expiry dates); their warnings are said before the report.
void suppress(const ScanConfig& config, const core::Snapshot& snapshot,
              std::vector<core::Evaluation>& evaluations, core::TimePoint now) {
  for (const auto& warning :
       core::apply_suppressions(evaluations, config.suppressions, snapshot, now)) {
    spdlog::warn("{}", warning);
  }
}

// How this run was made, for the report (report::Selection).
report::Selection selection_of(const ScanConfig& config, const core::Snapshot& snapshot) {
  report::Selection s;
  if (snapshot.platform == core::Platform::datacenter) {
    s.platform = "bitbucket-datacenter";
    s.server_version = snapshot.server_version;
  }
  s.identity = snapshot.identity;
  s.rule_set = report::rule_set_name(config.rules);
  s.workspaces = config.workspaces;
  s.repos = config.repos;
  s.exclude_repos = config.exclude_repos;
  s.projects = config.projects;
  s.include_user_keys = config.include_user_keys;
  s.user_keys = config.scope().reads_user_keys();
  s.fail_on = config.fail_on;
  if (config.config_file) {
    s.config = report::ConfigSource{config.config_file->path, config.config_file->sha256};
  }
  if (config.from_snapshot) {
    s.snapshot =
        report::SnapshotSource{*config.from_snapshot, snapshot.collected_at, snapshot.api_requests};
  }
  return s;
}

// --baseline naming a history database (told by its SQLite header, not its extension): the last
// scan in it whose selection covers this run's, with the findings open as of that scan.
tl::expected<std::optional<report::ScanReport>, std::string> load_history_baseline(
    const ScanConfig& config) {
  const auto& path = *config.baseline;
  auto store = history::History::open(path, history::History::Mode::read);
  if (!store) {
    return tl::unexpected("--baseline " + store.error());
  }
  report::ScanReport probe;  // what this run will select, known before the first request
  probe.selection = selection_of(config, core::Snapshot{});
  probe.rules = config.rules;
  probe.min_severity = config.min_severity;
  auto baseline = store->baseline_for(probe);
  if (!baseline) {
    return tl::unexpected("--baseline " + baseline.error());
  }
  if (!*baseline) {
    return tl::unexpected(
        "--baseline " + path +
        ": no scan in this history covers this one (the same rules or more, the same "
        "workspaces, repositories and projects or more, a minimum severity as low or lower): "
        "run without --baseline, or with the selection of a scan it holds (history list)");
  }
  spdlog::info("--baseline: the scan of {} in {}",
               core::format_timestamp(report::data_read_at(**baseline)), path);
  return baseline;
}

// BBP_TEST_HISTORY_PAUSE=FILE (tests only): the append writes FILE and waits inside its
// transaction, to be killed there.
std::function<void()> test_pause_hook() {
  const char* marker = std::getenv("BBP_TEST_HISTORY_PAUSE");  // NOLINT(concurrency-mt-unsafe)
  if (marker == nullptr || *marker == '\0') {
    return {};
  }
  return [file = std::string(marker)] {
    std::ofstream(file) << "paused\n";
    for (;;) {
      ::pause();
    }
  };
}

// --history: the scan appended once its report is written; false (and said) when it could not
// be. An interrupted scan is not appended: what it did not read would look unchanged.
bool record_history(const ScanConfig& config, const report::ScanReport& report) {
  if (!config.history) {
    return true;
  }
  if (report.interrupted) {
    spdlog::warn("the scan was interrupted: it is not added to the history {}", *config.history);
    return true;
  }
  auto store = history::History::open(*config.history, history::History::Mode::write);
  if (!store) {
    usage_error("--history " + store.error());
    return false;
  }
  auto added = store->append(report, {test_pause_hook()});
  if (!added) {
    usage_error("--history " + added.error());
    return false;
  }
  spdlog::info(
      "added to the history {} as scan {}: {} opened, {} fixed, {} reopened, {} not "
      "re-checked",
      *config.history, added->scan_id, added->opened, added->fixed, added->reopened,
      added->not_rechecked);
  return true;
}

// With --history, what the report can show from it (report.history): the last 29 scans and this
// one, and each finding's first sighting (this scan's time for a new one). Nothing when the
// history is new or cannot be read; the append says why later.
std::optional<report::HistoryView> history_view(const ScanConfig& config,
                                                const report::ScanReport& report) {
  if (!config.history || !history::is_sqlite_file(*config.history)) {
    return std::nullopt;
  }
  auto store = history::History::open(*config.history, history::History::Mode::read);
  auto view = store ? store->view(29) : tl::unexpected(std::string());
  if (!view) {
    return std::nullopt;
  }
  const auto at = report::data_read_at(report);
  view->scans.push_back({at, report::count(report).by_severity});
  for (const auto& f : report.findings) {
    view->first_seen.emplace(f.fingerprint, at);  // kept when the history knows it
  }
  return std::move(*view);
}

// When the run's data was read and when the run itself started: the same for a live scan;
// offline, the rules are evaluated as of the snapshot's time, so that a live and an offline run
// with the same flags give the same answer, while the report says when it was made.
struct RunTimes {
  core::TimePoint data_read_at;
  core::TimePoint started;
};

// Evaluate and report.
int evaluate_and_report(const ScanConfig& config, const bitbucket::CollectResult& collected,
                        std::uint64_t requests, RunTimes times, const std::atomic<bool>& cancel,
                        const std::optional<report::ScanReport>& baseline) {
  const auto now = run_clock_now().value_or(times.started);
  auto evaluations =
      core::evaluate(collected.snapshot, config.settings, times.data_read_at,
                     {config.rules, /*findings_only=*/true, config.scope().reads_user_keys()});
  suppress(config, collected.snapshot, evaluations, now);
  report::ReportInputs inputs{BBP_VERSION,
                              times.started,
                              now,
                              requests,
                              config.settings,
                              collected.interrupted || cancel.load(),
                              config.min_severity,
                              config.rules,
                              collected.snapshot.credential,
                              selection_of(config, collected.snapshot)};
  auto report = report::build_report(collected.snapshot, std::move(evaluations), inputs);
  report.suppressions_applied = !config.suppressions.empty();
  report.declarations_applied = !config.declarations.empty();
  if (baseline) {
    for (const auto& warning : report::compare_with_baseline(report, *baseline, *config.baseline)) {
      spdlog::warn("--baseline: {}", warning);
    }
  }
  report.history = history_view(config, report);
  const auto reporter = report::make_reporter(config.format, reporter_options(config));
  if (auto written =
          write_output(config.output, [&](std::ostream& out) { reporter->write(report, out); });
      !written) {
    usage_error("the report was not written: " + written.error());
    return kExitUsage;
  }
  if (!record_history(config, report)) {
    return kExitUsage;
  }
  return exit_code_for(report, config);
}

// Whether a live scan read nothing at all: no workspace could be listed and a read failed (a
// credential that sees no workspace reads nothing and fails nothing: that is a clean answer).
bool nothing_read(const bitbucket::CollectResult& collected) {
  const auto& s = collected.snapshot;
  const bool none_listed =
      std::none_of(s.workspaces.begin(), s.workspaces.end(),
                   [](const core::WorkspaceSnapshot& ws) { return ws.listed; });
  return none_listed && !s.gaps.empty() && !collected.interrupted;
}

// What the scan read, from a snapshot or from Bitbucket, and what finishing the run needs.
struct Gathered {
  bitbucket::CollectResult collected;
  std::uint64_t requests = 0;
  std::unique_ptr<bitbucket::Checkpoint> checkpoint;
  bool stopped_early = false;
  bool missing_workspace = false;
  RunTimes times;
};

// Offline: what an earlier scan saw, as of the time it saw it. Live: a collection, timed from
// `started`. The exit code when it cannot be had.
tl::expected<Gathered, int> gather(const ScanConfig& config, core::TimePoint started,
                                   const std::atomic<bool>& cancel) {
  Gathered g;
  g.times = {started, started};
  if (config.from_snapshot) {
    auto snapshot = load_snapshot(config);
    if (!snapshot) {
      usage_error(snapshot.error());
      return tl::unexpected(kExitUsage);
    }
    g.times.data_read_at = snapshot->collected_at;
    g.collected.snapshot = std::move(*snapshot);
    return g;
  }
  auto live = collect_live(config, config.log, cancel);
  if (!live) {
    return tl::unexpected(live.error());
  }
  g.stopped_early = live->collected.interrupted || live->rate_limit_exhausted;
  g.missing_workspace = report_missing_workspaces(live->collected);
  g.collected = std::move(live->collected);
  g.requests = live->requests;
  g.collected.snapshot.collected_at = started;
  g.collected.snapshot.api_requests = live->requests;
  g.checkpoint = std::move(live->checkpoint);
  return g;
}

// Everything checked before the first request: the config (the file under the command line,
// validated once), its warnings said, every output writable, and the run's clock.
tl::expected<std::pair<ScanConfig, core::TimePoint>, int> prepare(const ScanOptions& given) {
  auto config = configured(given, Command::scan);
  if (!config) {
    usage_error(config.error());
    return tl::unexpected(kExitUsage);
  }
  for (const auto& warning : config->warnings) {
    spdlog::warn("{}", warning);
  }
  if (auto writable = check_outputs(config->outputs(), config->inputs(), {"-o", "--save-snapshot"});
      !writable) {
    usage_error(writable.error());
    return tl::unexpected(kExitUsage);
  }
  if (config->history) {
    if (auto appendable = history::check_appendable(*config->history); !appendable) {
      usage_error("--history " + appendable.error());
      return tl::unexpected(kExitUsage);
    }
  }
  auto started = run_clock_now();
  if (!started) {
    usage_error(started.error());
    return tl::unexpected(kExitUsage);
  }
  return std::make_pair(std::move(*config), *started);
}

}  // namespace

int run_scan(const ScanOptions& given, const std::atomic<bool>& cancel) {
  auto prepared = prepare(given);
  if (!prepared) {
    return prepared.error();
  }
  const ScanConfig& config = prepared->first;
  if (config.plan) {
    return run_plan(config, cancel);
  }
  // The baseline is read in full before the first request (and before -o may replace it).
  const auto baseline = config.baseline && history::is_sqlite_file(*config.baseline)
                            ? load_history_baseline(config)
                            : load_baseline(config.baseline);
  if (!baseline) {
    usage_error(baseline.error());
    return kExitUsage;
  }
  auto gathered = gather(config, prepared->second, cancel);
  if (!gathered) {
    return gathered.error();
  }
  auto& collected = gathered->collected;
  for (const auto& line : gap_summary(collected.snapshot.gaps)) {
    spdlog::warn("{}", line);
  }
  if (nothing_read(collected)) {
    // Every listing failed: a report would show no findings, which is not what was found.
    std::cerr << "bbposture: nothing was read (every listing failed, see above); no report is "
                 "written, as this is not a verdict: check the network, --api-url, --ca-bundle "
                 "and the credential's access, and run again\n";
    finish_checkpoint(gathered->checkpoint.get(), true);
    return kExitIncomplete;
  }
  // When one output fails, the others are still written; the run then exits 2.
  const bool snapshot_saved = save_snapshot(config, collected.snapshot);
  // Declared restrictions join what was read only now: the snapshot keeps what was read.
  core::apply_declarations(collected.snapshot, config.declarations);
  int code = evaluate_and_report(config, collected, gathered->requests, gathered->times, cancel,
                                 *baseline);
  const bool outputs_failed = !snapshot_saved || code == kExitUsage;
  if (outputs_failed || gathered->missing_workspace) {
    code = kExitUsage;  // 2 comes before 3 and 1; an authentication failure returned earlier
  }
  finish_checkpoint(gathered->checkpoint.get(),
                    gathered->stopped_early || cancel.load() || outputs_failed);
  return code;
}

}  // namespace bbp::app
