#include "bbp/report/report_reader.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace bbp::report {
namespace {

using nlohmann::json;

// A field that does not read: the message names it.
struct BadField : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const json& field(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) {
    throw BadField(std::string("missing \"") + key + "\"");
  }
  return object.at(key);
}

std::string text(const json& object, const char* key) {
  const auto& value = field(object, key);
  if (!value.is_string()) {
    throw BadField(std::string("\"") + key + "\" is not a string");
  }
  return value.get<std::string>();
}

std::optional<std::string> nullable_text(const json& object, const char* key) {
  if (!object.contains(key) || object.at(key).is_null()) {
    return std::nullopt;
  }
  return text(object, key);
}

core::TimePoint timestamp(const json& object, const char* key) {
  const auto value = core::parse_timestamp(text(object, key));
  if (!value) {
    throw BadField(std::string("\"") + key + "\" is not a timestamp");
  }
  return *value;
}

const core::Rule* rule_of(const json& item) {
  const auto id = text(item, "finding_type_id");
  const auto* rule = core::find_rule(id);
  if (rule == nullptr) {
    throw BadField("unknown finding_type_id " + id);
  }
  return rule;
}

core::Resource resource_of(const json& item) {
  const auto& r = field(item, "resource");
  const auto type = core::resource_type_from_string(text(r, "type"));
  if (!type) {
    throw BadField("unknown resource type " + text(r, "type"));
  }
  return {*type, text(r, "id"), text(r, "name"), text(r, "url")};
}

// Rule, place and resource: what findings and unknowns share.
core::Evaluation evaluation_of(const json& item, core::Outcome outcome) {
  core::Evaluation e;
  e.rule = rule_of(item);
  e.outcome = outcome;
  e.workspace = nullable_text(item, "workspace");
  e.repository = nullable_text(item, "repository");
  e.project = nullable_text(item, "project");
  e.resource = resource_of(item);
  return e;
}

core::Evaluation finding_of(const json& item) {
  auto e = evaluation_of(item, core::Outcome::fail);
  e.fingerprint = text(item, "fingerprint");
  e.evidence = field(item, "evidence");
  if (item.contains("suppressed")) {
    const auto& s = item.at("suppressed");
    e.suppressed =
        core::SuppressionMark{text(s, "reason"), nullable_text(s, "expires"), text(s, "source")};
  }
  if (const auto state = nullable_text(item, "baseline_state");
      state && *state != "absent" && *state != "not_rechecked") {
    if (*state != "new" && *state != "unchanged") {
      throw BadField("unknown baseline_state " + *state);
    }
    e.baseline_state =
        *state == "new" ? core::BaselineState::new_finding : core::BaselineState::unchanged;
  }
  return e;
}

core::Evaluation unknown_of(const json& item) {
  auto e = evaluation_of(item, core::Outcome::unknown);
  const auto reason = core::unknown_reason_from_string(text(item, "reason"));
  if (!reason) {
    throw BadField("unknown reason " + text(item, "reason"));
  }
  e.reason = reason;
  e.detail = text(item, "detail");
  return e;
}

ErrorEntry error_of(const json& item) {
  ErrorEntry e;
  e.workspace = nullable_text(item, "workspace");
  e.repository = nullable_text(item, "repository");
  e.endpoint = text(item, "endpoint");
  if (item.contains("http_status") && item.at("http_status").is_number_integer()) {
    e.http_status = item.at("http_status").get<int>();
  }
  e.message = text(item, "message");
  return e;
}

std::vector<std::string> texts(const json& object, const char* key) {
  const auto& value = field(object, key);
  if (!value.is_array()) {
    throw BadField(std::string("\"") + key + "\" is not a list");
  }
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.is_string()) {
      throw BadField(std::string("\"") + key + "\" holds a value that is not a string");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<core::Severity> nullable_severity(const json& object, const char* key) {
  const auto name = nullable_text(object, key);
  if (!name) {
    return std::nullopt;
  }
  const auto severity = core::severity_from_string(*name);
  if (!severity) {
    throw BadField(std::string("\"") + key + "\" is not a severity: " + *name);
  }
  return severity;
}

std::optional<SnapshotSource> snapshot_source_of(const json& selection) {
  if (!selection.contains("snapshot") || selection.at("snapshot").is_null()) {
    return std::nullopt;
  }
  const auto& s = selection.at("snapshot");
  SnapshotSource source{text(s, "file"), timestamp(s, "collected_at"), std::nullopt};
  if (s.contains("api_requests") && !s.at("api_requests").is_null()) {
    source.api_requests = field(s, "api_requests").get<std::uint64_t>();
  }
  return source;
}

// scan.selection (absent in reports of older versions): the report's rules and minimum
// severity come from it too.
void read_selection(const json& s, ScanReport& r) {
  Selection out;
  out.platform = text(s, "platform");
  out.server_version = nullable_text(s, "server_version");
  out.identity = nullable_text(s, "identity");
  out.rule_set = text(s, "rule_set");
  for (const auto& id : texts(s, "rules")) {
    const auto* rule = core::find_rule(id);
    if (rule == nullptr) {
      throw BadField("unknown rule " + id + " in scan.selection.rules");
    }
    r.rules.push_back(rule);
  }
  out.workspaces = texts(s, "workspaces");
  out.repos = texts(s, "repositories");
  out.exclude_repos = texts(s, "exclude_repositories");
  out.projects = texts(s, "projects");
  out.include_user_keys = field(s, "include_user_keys").get<bool>();
  out.user_keys = field(s, "user_keys").get<bool>();
  r.min_severity = nullable_severity(s, "min_severity");
  out.fail_on = nullable_severity(s, "fail_on");
  if (s.contains("config") && !s.at("config").is_null()) {
    out.config = ConfigSource{text(s.at("config"), "file"), text(s.at("config"), "sha256")};
  }
  out.snapshot = snapshot_source_of(s);
  r.selection = std::move(out);
}

void read_scan(const json& scan, ScanReport& r) {
  r.started_at = timestamp(scan, "started_at");
  r.finished_at = timestamp(scan, "finished_at");
  r.api_url = text(scan, "api_url");
  r.credential = nullable_text(scan, "credential");  // absent in older reports
  r.workspaces = field(scan, "workspaces").get<std::vector<std::string>>();
  r.complete = field(scan, "complete").get<bool>();
  r.repositories = field(scan, "repositories").get<std::size_t>();
  r.keys = field(scan, "keys").get<std::size_t>();
  r.api_requests = field(scan, "api_requests").get<std::uint64_t>();
  const auto& settings = field(scan, "settings");
  // Only the thresholds of the rules it ran (older reports: always the first three).
  for (const auto& threshold : core::thresholds()) {
    const std::string key(threshold.key);
    if (settings.contains(key)) {
      r.settings.*threshold.field = field(settings, key.c_str()).get<int>();
      r.thresholds.push_back(threshold.id);
    }
  }
  if (scan.contains("selection")) {
    read_selection(scan.at("selection"), r);
  }
}

template <typename Read>
void read_list(const json& doc, const char* key, std::vector<core::Evaluation>& out, Read read) {
  for (const auto& item : field(doc, key)) {
    out.push_back(read(item));
  }
}

ScanReport report_of(const json& doc) {
  ScanReport r;
  r.tool_version = text(field(doc, "tool"), "version");
  read_scan(field(doc, "scan"), r);
  read_list(doc, "findings", r.findings, finding_of);
  read_list(doc, "unknown", r.unknown, unknown_of);
  for (const auto& item : field(doc, "errors")) {
    r.errors.push_back(error_of(item));
  }
  r.suppressions_applied = field(doc, "summary").contains("suppressed");
  if (doc.contains("baseline")) {
    const auto& b = doc.at("baseline");
    r.baseline = BaselineInfo{text(b, "file"), timestamp(b, "started_at")};
    read_list(doc, "fixed", r.fixed, finding_of);
    if (doc.contains("not_rechecked")) {  // absent in reports of older versions
      read_list(doc, "not_rechecked", r.not_rechecked, finding_of);
    }
  }
  // An incomplete scan that stopped early says so only through "complete".
  r.interrupted = false;
  return r;
}

// Whether `doc` says it is a bbposture report; the problem otherwise.
std::optional<std::string> not_a_report(const json& doc) {
  const auto ours = [&] {
    const auto tool = doc.find("tool");
    return tool->is_object() && tool->contains("name") && tool->at("name") == "bbposture";
  };
  if (!doc.is_object() || !doc.contains("tool") || !ours() || !doc.contains("schema_version")) {
    return std::string(
        "is not a bbposture JSON report (no tool.name \"bbposture\" and "
        "schema_version)");
  }
  if (doc.at("schema_version") != 1) {
    return "is a report of schema_version " + doc.at("schema_version").dump() +
           "; this bbposture reads schema_version 1";
  }
  return std::nullopt;
}

}  // namespace

tl::expected<ScanReport, std::string> read_report(std::istream& in, const std::string& name) {
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error&) {
    return tl::unexpected(name + " is not JSON: not a bbposture JSON report");
  }
  if (const auto problem = not_a_report(doc)) {
    return tl::unexpected(name + " " + *problem);
  }
  try {
    return report_of(doc);
  } catch (const BadField& e) {
    return tl::unexpected(name + " does not read as a bbposture report: " + e.what());
  } catch (const json::exception& e) {
    return tl::unexpected(name + " does not read as a bbposture report: " + e.what());
  }
}

tl::expected<ScanReport, std::string> read_report_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return tl::unexpected(path + ": cannot be read");
  }
  return read_report(in, path);
}

namespace {

std::string identity(const core::Evaluation& e) {
  return std::string(e.rule->id) + '\x1f' + std::string(core::to_string(e.resource.type)) + '\x1f' +
         e.resource.id + '\x1f' + e.repository.value_or("");
}

// Where an evaluation sits, with its rule: the repository, else the project, else the
// workspace. An unknown about a whole place (the deploy keys, webhooks or variables of a
// repository, a project or a workspace could not be read) leaves every finding of its rule
// there unchecked.
std::string place(const core::Evaluation& e) {
  return std::string(e.rule->id) + '\x1f' + e.workspace.value_or("") + '\x1f' +
         (e.repository ? *e.repository : "project:" + e.project.value_or(""));
}

bool is_place(core::ResourceType type) {
  return type == core::ResourceType::repository || type == core::ResourceType::project ||
         type == core::ResourceType::workspace || type == core::ResourceType::user;
}

// Workspaces whose repositories could not be listed: nothing in them was re-checked.
std::set<std::string> unlisted_workspaces(const ScanReport& current) {
  std::set<std::string> out;
  for (const auto& e : current.errors) {
    if (e.workspace && !e.repository && e.endpoint.find("/repositories/") != std::string::npos) {
      out.insert(*e.workspace);
    }
  }
  return out;
}

// What the current report looked at again, from its selection.
struct Recheck {
  core::Scope scope;
  bool user_keys = true;
  std::optional<core::Severity> min_severity;
};

// Whether the current run looked for `f` again (see compare_with_baseline).
bool rechecked(const core::Evaluation& f, const ScanReport& current, const Recheck& recheck,
               const std::set<std::string>& unknown, const std::set<std::string>& unlisted) {
  if (!recheck.scope.selects(*f.rule) || unknown.count(identity(f)) > 0 ||
      unknown.count(place(f)) > 0) {
    return false;
  }
  if (recheck.min_severity && core::rank(f.rule->severity) > core::rank(*recheck.min_severity)) {
    return false;
  }
  if (!f.workspace) {
    return recheck.user_keys;  // the caller's SSH keys
  }
  const auto& ws = current.workspaces;
  if (std::find(ws.begin(), ws.end(), *f.workspace) == ws.end() || unlisted.count(*f.workspace)) {
    return false;
  }
  if (f.repository) {
    core::Repository repository;
    repository.workspace = *f.workspace;
    repository.full_name = *f.repository;
    repository.slug = f.repository->substr(f.repository->find('/') + 1);
    repository.project_key = f.project;
    return recheck.scope.selects(repository);
  }
  return recheck.scope.repos.empty() &&
         (recheck.scope.projects.empty() || !f.project ||
          std::find(recheck.scope.projects.begin(), recheck.scope.projects.end(), *f.project) !=
              recheck.scope.projects.end());
}

// Every unknown of the current report, by rule and resource and, for a whole place, by rule
// and place.
std::set<std::string> unknown_keys(const ScanReport& current) {
  std::set<std::string> unknown;
  for (const auto& u : current.unknown) {
    unknown.insert(identity(u));
    if (is_place(u.resource.type)) {
      unknown.insert(place(u));
    }
  }
  return unknown;
}

// What is worth saying about the two reports before trusting the comparison.
std::vector<std::string> comparison_warnings(const ScanReport& current, const ScanReport& baseline,
                                             const std::string& baseline_file) {
  std::vector<std::string> out;
  if (!baseline.selection) {
    out.push_back(baseline_file +
                  " does not record how it was made (an older bbposture wrote it): a finding "
                  "it did not look for may be called new");
  }
  if (!current.selection) {
    out.push_back(
        "the newer report does not record how it was made (an older bbposture wrote "
        "it): none of " +
        baseline_file +
        "'s findings missing from it is called fixed; they are listed as not "
        "re-checked");
  }
  if (data_read_at(baseline) > data_read_at(current)) {
    out.push_back(baseline_file + " holds data read at " +
                  core::format_timestamp(data_read_at(baseline)) +
                  ", after the report compared with it (" +
                  core::format_timestamp(data_read_at(current)) + "): are the two swapped?");
  }
  return out;
}

}  // namespace

std::vector<std::string> compare_with_baseline(ScanReport& current, const ScanReport& baseline,
                                               const std::string& baseline_file) {
  std::set<std::string> before;
  for (const auto& f : baseline.findings) {
    before.insert(f.fingerprint);
  }
  std::set<std::string> now;
  for (auto& f : current.findings) {
    now.insert(f.fingerprint);
    f.baseline_state = before.count(f.fingerprint) > 0 ? core::BaselineState::unchanged
                                                       : core::BaselineState::new_finding;
  }
  const auto scope = scope_of(current);
  const auto recheck = scope ? std::optional<Recheck>(Recheck{*scope, current.selection->user_keys,
                                                              current.min_severity})
                             : std::nullopt;
  const auto unknown = unknown_keys(current);
  const auto unlisted = unlisted_workspaces(current);
  current.fixed.clear();
  current.not_rechecked.clear();
  for (const auto& f : baseline.findings) {
    if (now.count(f.fingerprint) > 0) {
      continue;
    }
    auto gone = f;
    gone.suppressed.reset();  // marks of the earlier run
    gone.baseline_state.reset();
    const bool fixed = recheck && rechecked(f, current, *recheck, unknown, unlisted);
    (fixed ? current.fixed : current.not_rechecked).push_back(std::move(gone));
  }
  core::sort_for_report(current.fixed);
  core::sort_for_report(current.not_rechecked);
  current.baseline = BaselineInfo{baseline_file, data_read_at(baseline)};
  return comparison_warnings(current, baseline, baseline_file);
}

}  // namespace bbp::report
