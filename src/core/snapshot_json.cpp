#include "bbp/core/snapshot_json.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "bbp/text/streamed_json.hpp"

namespace bbp::core {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument("snapshot: " + what);
}

json opt(const std::optional<std::string>& v) {
  return v ? json(*v) : json();
}
json opt(const std::optional<TimePoint>& v) {
  return v ? json(format_timestamp(*v)) : json();
}
template <typename T>
json opt_number(const std::optional<T>& v) {
  return v ? json(*v) : json();
}

const json& field(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) {
    bad(std::string("missing '") + key + "'");
  }
  return j.at(key);
}

std::string text(const json& j, const char* key) {
  const auto& v = field(j, key);
  if (!v.is_string()) {
    bad(std::string("'") + key + "' must be a string");
  }
  return v.get<std::string>();
}

std::optional<std::string> opt_text(const json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) {
    return std::nullopt;
  }
  return text(j, key);
}

std::optional<TimePoint> opt_time(const json& j, const char* key) {
  const auto t = opt_text(j, key);
  if (!t) {
    return std::nullopt;
  }
  auto parsed = parse_timestamp(*t);
  if (!parsed) {
    bad(std::string("'") + key + "' is not a timestamp: " + *t);
  }
  return parsed;
}

template <typename T>
std::optional<T> opt_num(const json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) {
    return std::nullopt;
  }
  if (!j.at(key).is_number_integer()) {
    bad(std::string("'") + key + "' must be an integer");
  }
  return j.at(key).get<T>();
}

bool flag(const json& j, const char* key) {
  const auto& value = field(j, key);
  if (!value.is_boolean()) {
    bad(std::string("'") + key + "' must be true or false");
  }
  return value.get<bool>();
}

const json& array_at(const json& j, const char* key) {
  const auto& v = field(j, key);
  if (!v.is_array()) {
    bad(std::string("'") + key + "' must be a list");
  }
  return v;
}

json principals_json(const std::vector<Principal>& ps) {
  json out = json::array();
  for (const auto& p : ps) {
    out.push_back({{"name", p.name}, {"id", p.id}});
  }
  return out;
}

std::vector<Principal> principals_from(const json& j, const char* key) {
  std::vector<Principal> out;
  for (const auto& p : array_at(j, key)) {
    out.push_back({text(p, "name"), text(p, "id")});
  }
  return out;
}

json model_branch_json(const BranchingModelBranch& b) {
  return {{"use_mainbranch", b.use_mainbranch},
          {"name", opt(b.name)},
          {"branch_name", opt(b.branch_name)}};
}

BranchingModelBranch model_branch_from(const json& j) {
  const auto& use = field(j, "use_mainbranch");
  if (!use.is_boolean()) {
    bad("'use_mainbranch' must be a boolean");
  }
  return {use.get<bool>(), opt_text(j, "name"), opt_text(j, "branch_name")};
}

KeyKind kind_from(const std::string& s) {
  if (const auto kind = key_kind_from_string(s)) {
    return *kind;
  }
  bad("unknown key kind '" + s + "'");
}

json key_json(const Key& k) {
  return {{"kind", to_string(k.kind)},
          {"id", k.id},
          {"label", k.label},
          {"comment", k.comment},
          {"key", k.key_material},
          {"created_on", opt(k.created_on)},
          {"created_field", k.created_field},
          {"last_used", opt(k.last_used)},
          {"expires_on", opt(k.expires_on)},
          {"workspace", k.workspace},
          {"repository", opt(k.repository)},
          {"project", opt(k.project)},
          {"owner", k.owner},
          {"url", k.url}};
}

Key key_from(const json& j) {
  Key k;
  k.kind = kind_from(text(j, "kind"));
  k.id = text(j, "id");
  k.label = text(j, "label");
  k.comment = text(j, "comment");
  k.key_material = text(j, "key");
  k.created_on = opt_time(j, "created_on");
  k.created_field = text(j, "created_field");
  k.last_used = opt_time(j, "last_used");
  k.expires_on = opt_time(j, "expires_on");
  k.workspace = text(j, "workspace");
  k.repository = opt_text(j, "repository");
  k.project = opt_text(j, "project");
  k.owner = text(j, "owner");
  k.url = text(j, "url");
  return k;
}

std::string_view ssh_status_name(SshKeysStatus s) {
  switch (s) {
    case SshKeysStatus::read:
      return "read";
    case SshKeysStatus::not_applicable:
      return "not_applicable";
    case SshKeysStatus::unreadable:
      return "unreadable";
    case SshKeysStatus::not_collected:
      return "not_collected";
  }
  return "not_collected";
}

SshKeysStatus ssh_status_from(const std::string& s) {
  for (const auto v : {SshKeysStatus::read, SshKeysStatus::not_applicable,
                       SshKeysStatus::unreadable, SshKeysStatus::not_collected}) {
    if (ssh_status_name(v) == s) {
      return v;
    }
  }
  bad("unknown ssh_keys_status '" + s + "'");
}

// ---- The extended rules' data: written only when it was read, so a snapshot of the default
// rules is what it always was.

json hook_json(const Webhook& h) {
  return {{"uuid", h.uuid},
          {"description", h.description},
          {"scheme", h.scheme},
          {"host", h.host},
          {"active", h.active ? json(*h.active) : json()},
          {"secret_set", h.secret_set ? json(*h.secret_set) : json()},
          {"events", h.events}};
}

std::optional<bool> opt_flag(const json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) {
    return std::nullopt;
  }
  const auto& v = j.at(key);
  if (!v.is_boolean()) {
    bad(std::string("'") + key + "' must be a boolean or null");
  }
  return v.get<bool>();
}

Webhook hook_from(const json& j) {
  Webhook h;
  h.uuid = text(j, "uuid");
  h.description = text(j, "description");
  h.scheme = text(j, "scheme");
  h.host = text(j, "host");
  h.active = opt_flag(j, "active");
  h.secret_set = opt_flag(j, "secret_set");
  for (const auto& e : array_at(j, "events")) {
    if (!e.is_string()) {
      bad("a webhook's 'events' must be strings");
    }
    h.events.push_back(e.get<std::string>());
  }
  return h;
}

// A variable's key, level and whether it is secured: never its value.
json variable_json(const PipelineVariable& v) {
  return {{"uuid", v.uuid},
          {"key", v.key},
          {"secured", v.secured ? json(*v.secured) : json()},
          {"level", to_string(v.level)},
          {"environment", opt(v.environment)}};
}

PipelineVariable variable_from(const json& j) {
  PipelineVariable v;
  v.uuid = text(j, "uuid");
  v.key = text(j, "key");
  v.secured = opt_flag(j, "secured");
  const auto level = variable_level_from_string(text(j, "level"));
  if (!level) {
    bad("a variable's 'level' must be repository, workspace or deployment");
  }
  v.level = *level;
  v.environment = opt_text(j, "environment");
  return v;
}

json member_json(const Member& m) {
  return {{"display_name", m.display_name},
          {"uuid", m.uuid},
          {"account_id", m.account_id},
          {"has_2fa_enabled", m.has_2fa_enabled ? json(*m.has_2fa_enabled) : json()}};
}

Member member_from(const json& j) {
  return {text(j, "display_name"), text(j, "uuid"), text(j, "account_id"),
          opt_flag(j, "has_2fa_enabled")};
}

// Writes `list` under `key` when it was read; leaves the key out otherwise.
template <typename T>
void put_list(json& out, const char* key, const std::optional<std::vector<T>>& list,
              json (*to)(const T&)) {
  if (!list) {
    return;
  }
  json items = json::array();
  for (const auto& item : *list) {
    items.push_back(to(item));
  }
  out[key] = std::move(items);
}

// The list under `key`, or nullopt when the key is absent or null (not read).
template <typename T>
std::optional<std::vector<T>> get_list(const json& j, const char* key, T (*from)(const json&)) {
  if (!j.contains(key) || j.at(key).is_null()) {
    return std::nullopt;
  }
  std::vector<T> out;
  for (const auto& item : array_at(j, key)) {
    out.push_back(from(item));
  }
  return out;
}

void put_extended(json& out, const Repository& r) {
  if (r.fork_policy) {
    out["fork_policy"] = *r.fork_policy;
  }
  put_list(out, "hooks", r.hooks, hook_json);
  put_list(out, "pipeline_variables", r.pipeline_variables, variable_json);
  put_list(out, "deployment_variables", r.deployment_variables, variable_json);
}

void get_extended(const json& j, Repository& r) {
  r.fork_policy = opt_text(j, "fork_policy");
  r.hooks = get_list(j, "hooks", hook_from);
  r.pipeline_variables = get_list(j, "pipeline_variables", variable_from);
  r.deployment_variables = get_list(j, "deployment_variables", variable_from);
}

void put_extended(json& out, const WorkspaceSnapshot& ws) {
  if (ws.forking_mode) {
    out["forking_mode"] = *ws.forking_mode;
  }
  put_list(out, "hooks", ws.hooks, hook_json);
  put_list(out, "pipeline_variables", ws.pipeline_variables, variable_json);
  put_list(out, "members", ws.members, member_json);
  put_list(out, "owners", ws.owners, member_json);
}

void get_extended(const json& j, WorkspaceSnapshot& ws) {
  ws.forking_mode = opt_text(j, "forking_mode");
  ws.hooks = get_list(j, "hooks", hook_from);
  ws.pipeline_variables = get_list(j, "pipeline_variables", variable_from);
  ws.members = get_list(j, "members", member_from);
  ws.owners = get_list(j, "owners", member_from);
}

json repository_json(const Repository& r) {
  json out{{"workspace", r.workspace},
           {"slug", r.slug},
           {"full_name", r.full_name},
           {"uuid", r.uuid},
           {"name", r.name},
           {"project_key", opt(r.project_key)},
           {"is_private", r.is_private ? json(*r.is_private) : json()},
           {"updated_on", opt(r.updated_on)},
           {"mainbranch", opt(r.mainbranch)},
           {"html_url", r.html_url},
           {"branch_restrictions", json()},
           {"branching_model", json()}};
  if (r.branch_restrictions) {
    json list = json::array();
    for (const auto& b : *r.branch_restrictions) {
      if (b.declared_in) {
        continue;  // a snapshot holds what was read; declarations come from the config file
      }
      list.push_back({{"id", b.id},
                      {"kind", b.kind},
                      {"branch_match_kind", b.branch_match_kind},
                      {"pattern", b.pattern},
                      {"branch_type", opt(b.branch_type)},
                      {"value", opt_number(b.value)},
                      {"users", principals_json(b.users)},
                      {"groups", principals_json(b.groups)}});
      if (b.source) {
        list.back()["source"] = *b.source;  // Data Center only
      }
    }
    out["branch_restrictions"] = list;
  }
  if (r.branching_model) {
    const auto& m = *r.branching_model;
    json types = json::array();
    for (const auto& t : m.branch_types) {
      types.push_back({{"kind", t.kind}, {"prefix", t.prefix}});
    }
    out["branching_model"] = {
        {"development", model_branch_json(m.development)},
        {"production", m.production ? model_branch_json(*m.production) : json()},
        {"branch_types", types}};
  }
  if (r.project_public) {
    out["project_public"] = *r.project_public;  // Data Center only
  }
  put_extended(out, r);
  return out;
}

Repository repository_from(const json& j) {
  Repository r;
  r.workspace = text(j, "workspace");
  r.slug = text(j, "slug");
  r.full_name = text(j, "full_name");
  r.uuid = text(j, "uuid");
  r.name = text(j, "name");
  r.project_key = opt_text(j, "project_key");
  if (j.contains("is_private") && !j.at("is_private").is_null()) {
    if (!j.at("is_private").is_boolean()) {
      bad("'is_private' must be a boolean or null");
    }
    r.is_private = j.at("is_private").get<bool>();
  }
  if (j.contains("project_public") && j.at("project_public").is_boolean()) {
    r.project_public = j.at("project_public").get<bool>();
  }
  r.updated_on = opt_time(j, "updated_on");
  r.mainbranch = opt_text(j, "mainbranch");
  r.html_url = text(j, "html_url");
  if (const auto& list = field(j, "branch_restrictions"); !list.is_null()) {
    std::vector<BranchRestriction> rs;
    for (const auto& b : array_at(j, "branch_restrictions")) {
      BranchRestriction br;
      br.id = opt_num<std::int64_t>(b, "id").value_or(0);
      br.kind = text(b, "kind");
      br.branch_match_kind = text(b, "branch_match_kind");
      br.pattern = text(b, "pattern");
      br.branch_type = opt_text(b, "branch_type");
      br.value = opt_num<std::int64_t>(b, "value");
      br.users = principals_from(b, "users");
      br.groups = principals_from(b, "groups");
      br.source = opt_text(b, "source");
      rs.push_back(std::move(br));
    }
    r.branch_restrictions = std::move(rs);
  }
  if (const auto& m = field(j, "branching_model"); !m.is_null()) {
    BranchingModel model;
    model.development = model_branch_from(field(m, "development"));
    if (const auto& p = field(m, "production"); !p.is_null()) {
      model.production = model_branch_from(p);
    }
    for (const auto& t : array_at(m, "branch_types")) {
      model.branch_types.push_back({text(t, "kind"), text(t, "prefix")});
    }
    r.branching_model = std::move(model);
  }
  get_extended(j, r);
  return r;
}

// The document, with the value of each workspace's "repositories" given by
// `repositories(workspace index)`: the whole list, or a marker that write_snapshot replaces with
// the list written one repository at a time.
json snapshot_json_with(const Snapshot& s, const std::function<json(std::size_t)>& repositories) {
  json workspaces = json::array();
  for (std::size_t w = 0; w < s.workspaces.size(); ++w) {
    const auto& ws = s.workspaces[w];
    json projects = json::array();
    for (const auto& p : ws.projects) {
      projects.push_back(
          {{"key", p.key}, {"uuid", p.uuid}, {"name", p.name}, {"html_url", p.html_url}});
    }
    json keys = json::array();
    for (const auto& k : ws.keys) {
      keys.push_back(key_json(k));
    }
    json entry{{"slug", ws.slug},
               {"listed", ws.listed},
               {"deploy_keys_collected", ws.deploy_keys_collected},
               {"project_keys_collected", ws.project_keys_collected},
               {"repositories", repositories(w)},
               {"projects", projects},
               {"keys", keys}};
    if (ws.project_restrictions_read) {
      entry["project_restrictions_read"] = true;  // Data Center only
    }
    put_extended(entry, ws);
    workspaces.push_back(std::move(entry));
  }
  json ssh = json::array();
  for (const auto& k : s.ssh_keys) {
    ssh.push_back(key_json(k));
  }
  json gaps = json::array();
  for (const auto& g : s.gaps) {
    gaps.push_back({{"subject", to_string(g.subject)},
                    {"workspace", g.workspace},
                    {"repository", opt(g.repository)},
                    {"project", opt(g.project)},
                    {"endpoint", g.endpoint},
                    {"http_status", opt_number(g.http_status)},
                    {"reason", to_string(g.reason)},
                    {"detail", g.detail}});
  }
  json document{{"snapshot_version", kSnapshotVersion},
                {"api_url", s.api_url},
                {"collected_at", format_timestamp(s.collected_at)},
                {"workspaces", workspaces},
                {"ssh_keys_status", ssh_status_name(s.ssh_keys_status)},
                {"ssh_keys", ssh},
                {"gaps", gaps}};
  if (s.platform != Platform::cloud) {
    document["platform"] = to_string(s.platform);  // absent: cloud, as older snapshots
  }
  if (s.server_version) {
    document["server_version"] = *s.server_version;
  }
  if (s.platform == Platform::datacenter) {
    json made = json::array();
    for (const auto subject : s.collected) {
      made.push_back(to_string(subject));
    }
    document["collected"] = made;
  }
  if (s.credential) {
    document["credential"] = *s.credential;  // optional: older snapshots do not have it
  }
  if (s.identity) {
    document["identity"] = *s.identity;  // optional, as the two below
  }
  if (s.api_requests) {
    document["api_requests"] = *s.api_requests;
  }
  return document;
}

}  // namespace

json snapshot_to_json(const Snapshot& s) {
  return snapshot_json_with(s, [&s](std::size_t w) {
    json repos = json::array();
    for (const auto& r : s.workspaces[w].repositories) {
      repos.push_back(repository_json(r));
    }
    return repos;
  });
}

json repository_to_json(const Repository& repository) {
  return repository_json(repository);
}

Repository repository_from_json(const json& json) {
  return repository_from(json);
}

json key_to_json(const Key& key) {
  return key_json(key);
}

Key key_from_json(const json& json) {
  return key_from(json);
}

namespace {

// snapshot_from_json, with the repositories of workspace w already converted in prepared[w]
// (placed before any left in the document).
// snapshot_version, which must be one this version reads.
int snapshot_version_of(const json& j) {
  if (!j.is_object()) {
    bad("not a JSON object");
  }
  const auto version = opt_num<int>(j, "snapshot_version");
  if (!version) {
    bad("missing 'snapshot_version' (is this a bbposture snapshot?)");
  }
  if (*version != kSnapshotVersion && *version != 1) {
    bad("version " + std::to_string(*version) + " is not supported (this bbposture reads 1 and " +
        std::to_string(kSnapshotVersion) + ")");
  }
  return *version;
}

WorkspaceSnapshot workspace_from(const json& w, int version, std::vector<Repository> prepared) {
  WorkspaceSnapshot ws;
  ws.slug = text(w, "slug");
  ws.listed = field(w, "listed").is_boolean() ? field(w, "listed").get<bool>() : true;
  if (version >= 2) {
    ws.deploy_keys_collected = flag(w, "deploy_keys_collected");
    ws.project_keys_collected = flag(w, "project_keys_collected");
  }
  ws.project_restrictions_read = opt_flag(w, "project_restrictions_read").value_or(false);
  ws.repositories = std::move(prepared);
  for (const auto& r : array_at(w, "repositories")) {
    ws.repositories.push_back(repository_from(r));
  }
  for (const auto& p : array_at(w, "projects")) {
    ws.projects.push_back({text(p, "key"), text(p, "uuid"), text(p, "name"), text(p, "html_url")});
  }
  for (const auto& k : array_at(w, "keys")) {
    ws.keys.push_back(key_from(k));
  }
  get_extended(w, ws);
  return ws;
}

Gap gap_from(const json& g) {
  Gap gap;
  const auto subject = gap_subject_from_string(text(g, "subject"));
  const auto reason = unknown_reason_from_string(text(g, "reason"));
  if (!subject || !reason) {
    bad("a gap has an unknown subject or reason");
  }
  gap.subject = *subject;
  gap.reason = *reason;
  gap.workspace = text(g, "workspace");
  gap.repository = opt_text(g, "repository");
  gap.project = opt_text(g, "project");
  gap.endpoint = text(g, "endpoint");
  gap.http_status = opt_num<int>(g, "http_status");
  gap.detail = text(g, "detail");
  return gap;
}

Snapshot snapshot_from_json_with(const json& j, std::vector<std::vector<Repository>> prepared) {
  const int version = snapshot_version_of(j);
  Snapshot s;
  s.api_url = text(j, "api_url");
  const auto collected = opt_time(j, "collected_at");
  if (!collected) {
    bad("missing 'collected_at'");
  }
  s.collected_at = *collected;
  if (const auto platform = opt_text(j, "platform")) {
    const auto known = platform_from_string(*platform);
    if (!known) {
      bad("'platform' must be cloud or datacenter");
    }
    s.platform = *known;
  }
  s.server_version = opt_text(j, "server_version");
  if (j.contains("collected") && j.at("collected").is_array()) {
    for (const auto& name : j.at("collected")) {
      const auto subject =
          name.is_string() ? gap_subject_from_string(name.get<std::string>()) : std::nullopt;
      if (!subject) {
        bad("'collected' names an unknown read");
      }
      s.collected.push_back(*subject);
    }
  }
  s.credential = opt_text(j, "credential");
  s.identity = opt_text(j, "identity");
  if (const auto requests = opt_num<std::int64_t>(j, "api_requests")) {
    if (*requests < 0) {
      bad("'api_requests' must not be negative");
    }
    s.api_requests = static_cast<std::uint64_t>(*requests);
  }
  for (const auto& w : array_at(j, "workspaces")) {
    const std::size_t i = s.workspaces.size();
    s.workspaces.push_back(workspace_from(
        w, version, i < prepared.size() ? std::move(prepared[i]) : std::vector<Repository>{}));
  }
  s.ssh_keys_status = ssh_status_from(text(j, "ssh_keys_status"));
  if (version == 1) {
    // What version 1 can prove: the caller's SSH keys are looked at only when rule 11 is part
    // of the scan, and then every listed repository's and project's keys were read too.
    const bool keys_read = s.ssh_keys_status != SshKeysStatus::not_collected;
    for (auto& ws : s.workspaces) {
      ws.deploy_keys_collected = ws.project_keys_collected = keys_read;
    }
  }
  for (const auto& k : array_at(j, "ssh_keys")) {
    s.ssh_keys.push_back(key_from(k));
  }
  for (const auto& g : array_at(j, "gaps")) {
    s.gaps.push_back(gap_from(g));
  }
  return s;
}

}  // namespace

Snapshot snapshot_from_json(const json& j) {
  return snapshot_from_json_with(j, {});
}

Snapshot read_snapshot(std::istream& in) {
  // Repositories are converted as soon as the parser closes them and dropped from the
  // document, so the JSON tree never holds them all. Only once the version is known to be
  // ours; an entry that does not convert stays in the document, and snapshot_from_json_with
  // then reports the first problem exactly as snapshot_from_json would.
  std::vector<std::vector<Repository>> prepared;
  std::string top_key;        // the member of the document being parsed
  std::string workspace_key;  // the member of the workspace being parsed
  bool version_ok = false;
  bool converting = true;
  const json::parser_callback_t on_event = [&](int depth, json::parse_event_t event, json& parsed) {
    using Event = json::parse_event_t;
    if (event == Event::key && depth == 1) {
      top_key = parsed.get<std::string>();
      if (top_key == "workspaces") {
        prepared.clear();  // a repeated member replaces the earlier one, as in the document
      }
    } else if (event == Event::value && depth == 1 && top_key == "snapshot_version") {
      version_ok = parsed.is_number_integer() && (parsed.get<std::int64_t>() == kSnapshotVersion ||
                                                  parsed.get<std::int64_t>() == 1);
    } else if (top_key != "workspaces") {
      return true;
    } else if (event == Event::object_start && depth == 2) {
      prepared.emplace_back();
      workspace_key.clear();
    } else if (event == Event::key && depth == 3) {
      workspace_key = parsed.get<std::string>();
      if (workspace_key == "repositories" && !prepared.empty()) {
        prepared.back().clear();  // likewise
      }
    } else if (event == Event::object_end && depth == 4 && workspace_key == "repositories" &&
               version_ok && converting && !prepared.empty()) {
      try {
        prepared.back().push_back(repository_from(parsed));
        return false;  // converted: not kept in the document
      } catch (const std::invalid_argument&) {
        converting = false;  // keep this one and every later one for the error to name
      }
    }
    return true;
  };
  const auto document = json::parse(in, on_event, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    throw SnapshotSyntaxError("not valid JSON");
  }
  return snapshot_from_json_with(document, std::move(prepared));
}

namespace {

std::string repositories_marker(std::size_t workspace) {
  return "@bbposture:repositories:" + std::to_string(workspace) + "@";
}

}  // namespace

void write_snapshot(std::ostream& out, const Snapshot& snapshot) {
  const auto skeleton =
      snapshot_json_with(snapshot, [](std::size_t w) { return json(repositories_marker(w)); });
  std::vector<text::StreamedArray> arrays;
  for (std::size_t w = 0; w < snapshot.workspaces.size(); ++w) {
    arrays.push_back(
        {"repositories", repositories_marker(w), [&snapshot, w](text::ArrayWriter& writer) {
           for (const auto& repository : snapshot.workspaces[w].repositories) {
             writer.add(repository_json(repository));
           }
         }});
  }
  text::write_streamed(out, skeleton, arrays);
}

}  // namespace bbp::core
