#include "options.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "bbp/bitbucket/url.hpp"
#include "bbp/text/names.hpp"
#include "bbp/text/text.hpp"
#include "commands.hpp"
#include "option_table.hpp"

namespace bbp::app {
namespace {

// "https://user:password@host/…": credentials in a URL would be echoed wherever the URL is
// (reports, snapshots, logs) and sent by libcurl on their own. They come from the environment.
bool has_userinfo(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) {
    return false;
  }
  const auto authority = url.substr(scheme + 3);
  return authority.substr(0, authority.find_first_of("/?#")).find('@') != std::string_view::npos;
}

// Why `path` is not a PEM bundle libcurl can load, or nullopt: it must be a readable file with
// at least one certificate in it.
std::optional<std::string> pem_bundle_problem(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) {
    return std::string("no such file");
  }
  if (std::filesystem::is_directory(status)) {
    return std::string("a folder, not a PEM file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return "cannot be read (" + std::string(std::strerror(errno)) + ")";  // NOLINT
  }
  std::string head(std::size_t{1} << 20, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  if (head.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return std::string(
        "no PEM certificate in it (a bundle holds -----BEGIN CERTIFICATE----- "
        "blocks; convert DER with `openssl x509 -inform der -in FILE`)");
  }
  return std::nullopt;
}

// The connection options given with a value other than their default.
std::vector<std::string> changed_connection_options(const ConnectionOptions& o) {
  const ConnectionOptions d;
  std::vector<std::string> changed;
  for (const auto& [name, is_changed] :
       {std::pair{"--platform", o.platform != d.platform},
        std::pair{"--api-url", o.api_url != d.api_url},
        std::pair{"--token-url", o.token_url != d.token_url},
        std::pair{"--timeout", o.timeout_seconds != d.timeout_seconds},
        std::pair{"--ca-bundle", o.ca_bundle != d.ca_bundle},
        std::pair{"--concurrency", o.concurrency != d.concurrency},
        std::pair{"--max-requests-per-hour", o.max_requests_per_hour != d.max_requests_per_hour},
        std::pair{"--max-attempts", o.max_attempts != d.max_attempts},
        std::pair{"--max-wait", o.max_wait != d.max_wait}}) {
    if (is_changed) {
      changed.emplace_back(name);
    }
  }
  return changed;
}

// A Data Center server's REST base from --api-url: the server's base URL given (with or
// without "/rest"); Bitbucket Cloud's API host, or no URL at all, is refused here, before any
// request.
tl::expected<std::string, std::string> datacenter_api(const std::string& given,
                                                      const std::string& validated) {
  if (given == kDefaultApiUrl) {
    return tl::unexpected(std::string(
        "--platform datacenter needs --api-url: the server's base URL, such as "
        "https://bitbucket.example.com (a context path, if the server has one, included)"));
  }
  const auto origin = bitbucket::origin_of(validated);
  const std::string host = origin ? origin->host : std::string();
  if (host == "api.bitbucket.org" || host == "bitbucket.org") {
    return tl::unexpected("--api-url " + given +
                          " is Bitbucket Cloud, not a Data Center server: use --platform cloud, "
                          "or give the Data Center server's base URL");
  }
  std::string base = validated;
  while (base.ends_with("/")) {
    base.pop_back();
  }
  return base.ends_with("/rest") ? base : base + "/rest";
}

}  // namespace

tl::expected<std::chrono::milliseconds, std::string> parse_duration(std::string_view text) {
  const auto bad = [&] {
    std::string message = "'";
    message.append(text).append("' is not a duration (examples: 0, 45s, 90m, 6h, 1h30m)");
    return tl::unexpected(std::move(message));
  };
  if (text.empty()) {
    return bad();
  }
  std::chrono::milliseconds total{0};
  std::size_t i = 0;
  while (i < text.size()) {
    std::int64_t number = 0;
    const std::size_t start = i;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (number > 10'000'000) {
        return bad();
      }
      number = number * 10 + (text[i] - '0');
    }
    if (i == start) {
      return bad();
    }
    const char unit = i < text.size() ? text[i++] : 's';
    switch (unit) {
      case 'h':
        total += std::chrono::hours(number);
        break;
      case 'm':
        total += std::chrono::minutes(number);
        break;
      case 's':
        total += std::chrono::seconds(number);
        break;
      default:
        return bad();
    }
  }
  return total;
}

tl::expected<ConnectionConfig, std::string> validate(const ConnectionOptions& options,
                                                     bool offline) {
  ConnectionConfig c;
  for (const auto& [url, what] :
       {std::pair{&options.api_url, "--api-url"}, std::pair{&options.token_url, "--token-url"}}) {
    if (has_userinfo(*url)) {
      return tl::unexpected(std::string(what) +
                            " must not contain credentials (user:password@); set them in the "
                            "environment instead");
    }
  }
  auto api = bitbucket::validate_service_url(options.api_url, "--api-url");
  if (!api) {
    return tl::unexpected(api.error());
  }
  auto token = bitbucket::validate_service_url(options.token_url, "--token-url");
  if (!token) {
    return tl::unexpected(token.error());
  }
  c.api_url = *api;
  c.token_url = *token;
  c.platform = core::platform_from_string(text::ascii_lower(options.platform))
                   .value_or(core::Platform::cloud);
  if (c.platform == core::Platform::datacenter && !offline) {
    auto base = datacenter_api(options.api_url, c.api_url);
    if (!base) {
      return tl::unexpected(base.error());
    }
    c.api_url = *base;
  }
  c.timeout = std::chrono::seconds{options.timeout_seconds};
  if (!options.ca_bundle.empty()) {
    if (auto problem = pem_bundle_problem(options.ca_bundle)) {
      return tl::unexpected("--ca-bundle " + options.ca_bundle + ": " + *problem);
    }
    c.ca_bundle = options.ca_bundle;
  }
  if (c.platform == core::Platform::cloud && !c.api_url.ends_with("/2.0")) {
    c.warnings.push_back("--api-url " + c.api_url +
                         " does not end in /2.0, where Bitbucket Cloud's API is (" +
                         kDefaultApiUrl + ")");
  }
  c.concurrency = options.concurrency;
  c.max_requests_per_hour = options.max_requests_per_hour;
  c.max_attempts = options.max_attempts;
  c.max_wait = parse_duration(options.max_wait).value_or(c.max_wait);
  return c;
}

namespace {

// One part of a ScanConfig, read from the options; the error names the option that is wrong.
using Step = tl::expected<void, std::string> (*)(const ScanOptions&, ScanConfig&);

// Every value checked by its row of the option table, as the command line and the config file
// check them when they read it: this catches what reached ScanOptions another way (a program).
tl::expected<void, std::string> check_values(const ScanOptions& options, Command command) {
  for (const auto& row : option_table()) {
    if (!takes(row, command)) {
      continue;
    }
    if (auto checked = check_value(row, options); !checked) {
      return tl::unexpected(long_name(row) + " " + checked.error());
    }
  }
  return {};
}

// "--rule: unknown rule 'publc-repository' (did you mean 'public-repository'?)".
std::string unknown_rule(std::string_view option, const std::string& name) {
  std::vector<std::string> names;
  for (const auto& rule : core::catalogue()) {
    names.emplace_back(rule.slug);
    names.emplace_back(rule.id);
  }
  std::string message = std::string(option) + ": unknown rule '" + name + "'";
  if (const auto suggestion = nearest(name, names)) {
    message += " (did you mean '" + *suggestion + "'?)";
  }
  return message + "; `bbposture rules` lists every slug and ID";
}

tl::expected<void, std::string> validate_connection(const ScanOptions& options, ScanConfig& c) {
  auto connection = validate(options.connection, !options.from_snapshot.empty());
  if (!connection) {
    return tl::unexpected(connection.error());
  }
  c.connection = std::move(*connection);
  c.warnings = c.connection.warnings;
  if (!options.from_snapshot.empty()) {
    c.warnings.clear();  // no request is made: the URL hints do not matter
    if (const auto changed = changed_connection_options(options.connection); !changed.empty()) {
      c.warnings.push_back(text::join(changed) + (changed.size() == 1 ? " has" : " have") +
                           " no effect with --from-snapshot, which reads no API");
    }
  }
  return {};
}

// Data Center: only the rules evaluated there (the extended set reads what only Cloud has).
tl::expected<void, std::string> validate_platform(const ScanOptions& options, ScanConfig& c) {
  if (c.connection.platform != core::Platform::datacenter || !options.from_snapshot.empty()) {
    return {};
  }
  for (const auto* rule : c.rules) {
    if (!rule->datacenter.evaluated) {
      return tl::unexpected("rule '" + std::string(rule->slug) +
                            "' reads what only Bitbucket Cloud has and is not evaluated on Data "
                            "Center: with --platform datacenter use the default rule set "
                            "(--rule-set casb) or name its rules");
    }
  }
  return {};
}

// --color and --width: how a table looks.
tl::expected<void, std::string> validate_table(const ScanOptions& options, ScanConfig& c) {
  static constexpr std::array<text::Named<int>, 3> kColor{
      {{-1, "auto"}, {1, "always"}, {0, "never"}}};
  const int color = text::value_of(kColor, options.color, text::Case::insensitive).value_or(-1);
  c.color = color < 0 ? std::nullopt : std::optional<bool>(color == 1);
  c.width = options.width;
  return {};
}

// --format and --output: -o - is standard output; without -f, the -o file's extension gives the
// format, and a file with another extension gets a table (said on stderr).
tl::expected<void, std::string> validate_output(const ScanOptions& options, ScanConfig& c) {
  if (!options.output.empty() && options.output != "-") {
    c.output = options.output;
  }
  // Standard output has no extension: format_for_extension("") is nullopt.
  const auto by_extension = format_for_extension(c.output.value_or(""));
  if (options.format.empty()) {
    c.format = by_extension.value_or(report::Format::table);
    if (c.output && !by_extension) {
      c.warnings.push_back("writing a table to " + *c.output +
                           " (its extension names no format; -f json, jsonl, sarif, csv, html or "
                           "junit chooses another)");
    }
    return {};
  }
  const auto format = report::format_from_string(text::ascii_lower(options.format));
  c.format = format.value_or(report::Format::table);
  if (const auto suggested = by_extension.value_or(c.format); suggested != c.format) {
    c.warnings.push_back("writing " + std::string(report::to_string(c.format)) + " to " +
                         c.output.value_or("-") + ", as -f says, although its extension suggests " +
                         std::string(report::to_string(suggested)));
  }
  return {};
}

// --fail-on and --min-severity.
tl::expected<void, std::string> validate_thresholds(const ScanOptions& options, ScanConfig& c) {
  if (!text::iequals(options.fail_on, "none")) {
    c.fail_on = core::severity_from_string(options.fail_on);
  }
  if (!options.min_severity.empty()) {
    c.min_severity = core::severity_from_string(options.min_severity);
  }
  return {};
}

// The rules of --rule-set (casb when it is not given and --rule names none) and those --rule
// names, less those --skip-rule names, in catalogue order; a rule may be named by slug or ID.
std::vector<const core::Rule*> selected_rules(const ScanOptions& options) {
  const auto set = core::rule_set(options.rule_set.empty() ? (options.rules.empty() ? "casb" : "")
                                                           : options.rule_set);
  std::vector<const core::Rule*> rules;
  for (const auto& rule : core::catalogue()) {
    const auto named = [&](const std::vector<std::string>& names) {
      return std::any_of(names.begin(), names.end(),
                         [&](const std::string& n) { return core::find_rule(n) == &rule; });
    };
    const bool in_set = std::find(set.begin(), set.end(), &rule) != set.end();
    if ((in_set || named(options.rules)) && !named(options.skip_rules)) {
      rules.push_back(&rule);
    }
  }
  return rules;
}

// --rule and --skip-rule: every name a known rule, and at least one rule left to evaluate.
tl::expected<void, std::string> validate_rule_selection(const ScanOptions& given, ScanConfig& c) {
  ScanOptions options;
  for (const auto& [option, values, target] :
       {std::tuple{"--rule", &given.rules, &options.rules},
        std::tuple{"--skip-rule", &given.skip_rules, &options.skip_rules}}) {
    auto list = list_values(option, *values);
    if (!list) {
      return tl::unexpected(list.error());
    }
    *target = std::move(*list);
  }
  for (const auto* list : {&options.rules, &options.skip_rules}) {
    for (const auto& name : *list) {
      if (core::find_rule(name) == nullptr) {
        return tl::unexpected(
            unknown_rule(list == &options.rules ? "--rule" : "--skip-rule", name));
      }
    }
  }
  options.rule_set = text::ascii_lower(given.rule_set);
  c.rules = selected_rules(options);
  if (c.rules.empty()) {
    return tl::unexpected(std::string("--rule/--skip-rule leave no rule to evaluate"));
  }
  return {};
}

// --save-snapshot, --from-snapshot, --checkpoint and --plan: where the data comes from and what
// is kept of it. An offline run reads no API, and a plan reads only listings, so neither has
// reads to journal or a snapshot to save.
tl::expected<void, std::string> validate_sources(const ScanOptions& options, ScanConfig& c) {
  if (!options.save_snapshot.empty()) {
    c.save_snapshot = options.save_snapshot;
  }
  if (!options.from_snapshot.empty()) {
    c.from_snapshot = options.from_snapshot;
    if (c.save_snapshot) {
      return tl::unexpected(std::string("--save-snapshot and --from-snapshot cannot be combined"));
    }
  }
  if (!options.checkpoint.empty()) {
    c.checkpoint = options.checkpoint;
  }
  c.plan = options.plan;
  if (c.from_snapshot && (c.checkpoint || c.plan)) {
    return tl::unexpected(std::string(
        "--from-snapshot reads no API: it cannot be combined with --checkpoint or --plan"));
  }
  if (c.plan && c.format != report::Format::table && c.format != report::Format::json) {
    return tl::unexpected("--plan writes a table or JSON, not " +
                          std::string(report::to_string(c.format)) +
                          (options.format.empty() ? " (the -o file's extension)" : "") +
                          ": use -f table or -f json, or an -o file ending in .txt or .json");
  }
  if (c.plan && (c.checkpoint || c.save_snapshot || c.history)) {
    return tl::unexpected(std::string(
        "--plan only lists: it cannot be combined with --checkpoint, --save-snapshot or "
        "--history"));
  }
  return {};
}

}  // namespace

std::optional<report::Format> format_for_extension(std::string_view path) {
  const auto dot = path.rfind('.');
  const auto slash = path.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return std::nullopt;
  }
  const std::string extension = text::ascii_lower(path.substr(dot + 1));
  if (extension == "txt") {
    return report::Format::table;
  }
  if (extension == "htm") {
    return report::Format::html;
  }
  if (extension == "xml") {
    return report::Format::junit;  // the one XML format
  }
  return report::format_from_string(extension);
}

std::vector<NamedPath> ScanConfig::outputs() const {
  std::vector<NamedPath> paths{{"-o", output.value_or("-")}};
  if (save_snapshot) {
    paths.push_back({"--save-snapshot", *save_snapshot});
  }
  if (checkpoint) {
    paths.push_back({"--checkpoint", *checkpoint});
  }
  if (history) {
    paths.push_back({"--history", *history});
  }
  return paths;
}

std::vector<NamedPath> ScanConfig::inputs() const {
  std::vector<NamedPath> in;
  if (from_snapshot) {
    in.push_back({"--from-snapshot", *from_snapshot});
  }
  // --baseline is left out on purpose: it is read in full before the scan and the report is
  // replaced atomically, so "--baseline report.json -o report.json" updates a report in place,
  // and "--baseline h.db --history h.db" compares with the history the scan is then added to.
  return in;
}

tl::expected<std::vector<std::string>, std::string> list_values(
    std::string_view option, const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& value : values) {
    std::string_view rest = value;
    while (true) {
      const auto comma = rest.find(',');
      const std::string item(text::trim(rest.substr(0, comma)));
      if (item.empty()) {
        return tl::unexpected(std::string(option) + " was given an empty value" +
                              (value.find(',') != std::string::npos ? " in '" + value + "'" : "") +
                              ": name one, or leave the option out");
      }
      if (std::find(out.begin(), out.end(), item) == out.end()) {
        out.push_back(item);
      }
      if (comma == std::string_view::npos) {
        break;
      }
      rest.remove_prefix(comma + 1);
    }
  }
  return out;
}

namespace {

// -w, --repo, --exclude-repo, --project: lists, de-duplicated; every value non-empty.
tl::expected<void, std::string> validate_scope(const ScanOptions& options, ScanConfig& c) {
  for (const auto& [option, values, target] :
       {std::tuple{"--workspace", &options.workspaces, &c.workspaces},
        std::tuple{"--repo", &options.repos, &c.repos},
        std::tuple{"--exclude-repo", &options.exclude_repos, &c.exclude_repos},
        std::tuple{"--project", &options.projects, &c.projects}}) {
    auto list = list_values(option, *values);
    if (!list) {
      return tl::unexpected(list.error());
    }
    *target = std::move(*list);
  }
  return {};
}

// --only-new: the table without its unchanged findings, which only a baseline tells apart.
tl::expected<void, std::string> validate_only_new(const ScanOptions& options, ScanConfig& c) {
  c.only_new = options.only_new;
  if (c.only_new && !c.baseline) {
    return tl::unexpected(std::string(
        "--only-new needs --baseline REPORT.json: without a baseline no finding is new or "
        "unchanged"));
  }
  if (c.only_new && c.format != report::Format::table) {
    c.warnings.push_back("--only-new changes the table only: the " +
                         std::string(report::to_string(c.format)) +
                         " report carries every finding, marked new or unchanged");
  }
  return {};
}

// The plan's format: -f, else the -o file's extension (.json, .tf), else a table.
tl::expected<FixConfig::Format, std::string> fix_format(const ScanOptions& options) {
  std::string name = options.fix_format;
  if (name.empty() && !options.fix_output.empty() && options.fix_output != "-") {
    const auto& out = options.fix_output;
    name = out.ends_with(".json") ? "json" : out.ends_with(".tf") ? "terraform" : "table";
  }
  if (name == "json") {
    return FixConfig::Format::json;
  }
  return name == "terraform" ? FixConfig::Format::terraform : FixConfig::Format::table;
}

// `bbposture fix`: one of plan, --apply or --undo; the flags belong to the plan, so they are
// given when it is made, never when it is applied.
tl::expected<void, std::string> validate_fix(const ScanOptions& options, ScanConfig& c) {
  auto& f = c.fix;
  f.format = *fix_format(options);
  f.allow_visibility = options.allow_visibility;
  f.allow_key_deletion = options.allow_key_deletion;
  f.allow_fork_policy = options.allow_fork_policy;
  f.replace_exemptions = options.replace_exemptions;
  for (const auto& [value, target] :
       {std::pair{&options.fix_output, &f.output}, std::pair{&options.apply, &f.apply},
        std::pair{&options.undo, &f.undo}, std::pair{&options.journal, &f.journal}}) {
    if (!value->empty() && *value != "-") {
      *target = *value;
    }
  }
  const auto age = parse_duration(options.max_plan_age);
  if (!age || age->count() == 0) {
    return tl::unexpected("--max-plan-age must be a duration such as 24h or 90m, not '" +
                          options.max_plan_age + "'");
  }
  f.max_plan_age = *age;
  if (f.apply && f.undo) {
    return tl::unexpected(
        std::string("--apply and --undo cannot be combined: run one, then "
                    "the other"));
  }
  const bool flags =
      f.allow_visibility || f.allow_key_deletion || f.allow_fork_policy || f.replace_exemptions;
  if ((f.apply || f.undo) && flags) {
    return tl::unexpected(std::string(
        "the --allow-* and --replace-exemptions flags belong to the plan: make a new plan with "
        "them, review it, then --apply it"));
  }
  if ((f.apply || f.undo) && (f.output || !options.fix_format.empty())) {
    return tl::unexpected(
        std::string("-f and -o describe a plan being made: --apply and --undo "
                    "print what they did"));
  }
  if (f.journal && !f.apply) {
    return tl::unexpected(
        std::string("--journal names where --apply records its writes: give "
                    "it with --apply (--undo takes the journal itself)"));
  }
  return {};
}

}  // namespace

tl::expected<ScanConfig, std::string> validate(const ScanOptions& options, Command command) {
  if (auto checked = check_values(options, command); !checked) {
    return tl::unexpected(checked.error());
  }
  ScanConfig c;
  c.log = options.log;
  c.allow_incomplete = options.allow_incomplete;
  c.include_user_keys = options.include_user_keys;
  c.suppressions = options.suppressions;
  c.declarations = options.declarations;
  c.show_suppressed = options.show_suppressed;
  c.fail_on_unchanged = options.fail_on_unchanged;
  if (!options.baseline.empty()) {
    c.baseline = options.baseline;
  }
  if (!options.history.empty()) {
    c.history = options.history;
  }
  c.settings = options.settings;
  // In this order: when several options are wrong, the first step's error is the one reported.
  for (const Step step :
       {validate_connection, validate_scope, validate_output, validate_table, validate_thresholds,
        validate_rule_selection, validate_platform, validate_sources, validate_only_new}) {
    if (auto done = step(options, c); !done) {
      return tl::unexpected(done.error());
    }
  }
  c.auth_fix = options.auth_fix;
  if (command == Command::fix) {
    if (auto done = validate_fix(options, c); !done) {
      return tl::unexpected(done.error());
    }
  }
  return c;
}

}  // namespace bbp::app
