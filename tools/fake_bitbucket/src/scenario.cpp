#include "scenario.hpp"

#include <algorithm>
#include <initializer_list>
#include <set>
#include <stdexcept>
#include <utility>

#include "util.hpp"

namespace bbp::fake::detail {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::invalid_argument("scenario: " + where + ": " + what);
}

const json& require_object(const json& value, const std::string& where) {
  if (!value.is_object()) {
    fail(where, "must be an object");
  }
  return value;
}

// The array at `key`, or an empty array when absent.
json array_at(const json& object, const char* key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return json::array();
  }
  if (!it->is_array()) {
    fail(where + "." + key, "must be an array");
  }
  return *it;
}

std::string string_at(const json& object, const char* key, const std::string& where,
                      std::optional<std::string> fallback = std::nullopt) {
  const auto it = object.find(key);
  if (it == object.end()) {
    if (!fallback) {
      fail(where, std::string("missing string \"") + key + "\"");
    }
    return *fallback;
  }
  if (!it->is_string()) {
    // A wrong type is allowed for override fields only; identifiers must be strings.
    fail(where + "." + key, "must be a string");
  }
  return it->get<std::string>();
}

Scopes scopes_at(const json& object, const std::string& where) {
  Scopes scopes;
  for (const auto& scope : array_at(object, "scopes", where)) {
    if (!scope.is_string()) {
      fail(where + ".scopes", "entries must be strings");
    }
    scopes.push_back(scope.get<std::string>());
  }
  return scopes;
}

json objects_at(const json& object, const char* key, const std::string& where) {
  json items = array_at(object, key, where);
  for (const auto& item : items) {
    if (!item.is_object()) {
      fail(where + "." + key, "entries must be objects");
    }
  }
  return items;
}

bool bool_at(const json& object, const char* key, const std::string& where, bool fallback) {
  const auto it = object.find(key);
  if (it == object.end()) {
    return fallback;
  }
  if (!it->is_boolean()) {
    fail(where + "." + key, "must be a boolean");
  }
  return it->get<bool>();
}

// A string that must be one of `allowed`; `allowed.front()` when absent.
std::string enum_at(const json& object, const char* key, const std::string& where,
                    std::initializer_list<const char*> allowed) {
  std::string value = string_at(object, key, where, *allowed.begin());
  for (const char* name : allowed) {
    if (value == name) {
      return value;
    }
  }
  std::string names;
  for (const char* name : allowed) {
    names += (names.empty() ? "" : ", ") + std::string(name);
  }
  fail(where + "." + key, "must be one of " + names);
}

// Pipeline variables: objects with a string "key", an optional string "value" and an optional
// boolean "secured"; a missing "uuid" gets a stable one.
json variables_at(const json& object, const char* key, const std::string& where,
                  const std::string& seed) {
  json variables = objects_at(object, key, where);
  for (std::size_t i = 0; i < variables.size(); ++i) {
    auto& variable = variables[i];
    const auto at = where + "." + key + "[" + std::to_string(i) + "]";
    const std::string name = string_at(variable, "key", at);
    bool_at(variable, "secured", at, false);
    if (const auto it = variable.find("value"); it != variable.end() && !it->is_string()) {
      fail(at + ".value", "must be a string");
    }
    if (!variable.contains("uuid")) {
      std::string seed_text = "variable:";
      seed_text += seed;
      seed_text += '/';
      seed_text += name;
      variable["uuid"] = stable_uuid(seed_text);
    }
  }
  return variables;
}

// Webhooks: raw objects that need a string "url"; the rest is filled in when served.
json hooks_at(const json& object, const std::string& where) {
  json hooks = objects_at(object, "hooks", where);
  for (std::size_t i = 0; i < hooks.size(); ++i) {
    string_at(hooks[i], "url", where + ".hooks[" + std::to_string(i) += "]");
  }
  return hooks;
}

json environments_at(const json& object, const std::string& where, const std::string& seed) {
  json environments = objects_at(object, "environments", where);
  std::set<std::string> uuids;
  for (std::size_t i = 0; i < environments.size(); ++i) {
    auto& environment = environments[i];
    const auto at = where + ".environments[" + std::to_string(i) += "]";
    const std::string name = string_at(environment, "name", at);
    std::string own_seed = seed;
    own_seed += '/';
    own_seed += name;
    const std::string uuid = string_at(environment, "uuid", at, stable_uuid("env:" + own_seed));
    if (!uuids.insert(uuid).second) {
      fail(at, "duplicate environment uuid \"" + uuid + "\"");
    }
    environment["uuid"] = uuid;
    environment["variables"] = variables_at(environment, "variables", at, own_seed);
  }
  return environments;
}

std::vector<Member> members_at(const json& object, const std::string& where,
                               const std::string& seed) {
  std::vector<Member> members;
  const json entries = objects_at(object, "members", where);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto at = where + ".members[" + std::to_string(i) + "]";
    const auto user = entries[i].find("user");
    if (user == entries[i].end() || !user->is_object()) {
      fail(at, "missing object \"user\"");
    }
    Member member{*user,
                  enum_at(entries[i], "permission", at, {"member", "collaborator", "owner"})};
    member.user["uuid"] = string_at(member.user, "uuid", at + ".user",
                                    stable_uuid("member:" + seed + "/" + std::to_string(i)));
    if (const auto it = member.user.find("has_2fa_enabled");
        it != member.user.end() && !it->is_boolean()) {
      fail(at + ".user.has_2fa_enabled", "must be a boolean");
    }
    members.push_back(std::move(member));
  }
  return members;
}

Project parse_project(const json& spec, const std::string& workspace_slug,
                      const std::string& where) {
  require_object(spec, where);
  Project project;
  project.key = string_at(spec, "key", where);
  project.uuid =
      string_at(spec, "uuid", where, stable_uuid("project:" + workspace_slug + "/" + project.key));
  project.name = string_at(spec, "name", where, project.key);
  project.deploy_keys = objects_at(spec, "deploy_keys", where);
  project.spec = spec;
  return project;
}

Repository parse_repository(const json& spec, const Workspace& workspace,
                            const std::string& where) {
  require_object(spec, where);
  Repository repo;
  repo.slug = string_at(spec, "slug", where);
  repo.uuid =
      string_at(spec, "uuid", where, stable_uuid("repo:" + workspace.slug + "/" + repo.slug));
  repo.name = string_at(spec, "name", where, repo.slug);
  if (const auto it = spec.find("project"); it != spec.end() && !it->is_null()) {
    if (it->is_string()) {
      if (workspace.find_project(it->get<std::string>()) == nullptr) {
        fail(where + ".project", "unknown project key \"" + it->get<std::string>() + "\"");
      }
      repo.project_key = it->get<std::string>();
    } else if (!it->is_object()) {
      fail(where + ".project", "must be a project key or an object");
    }
  }
  const auto branch = spec.find("mainbranch");
  if (branch == spec.end()) {
    repo.mainbranch = {{"name", "main"}, {"type", "branch"}};
  } else if (branch->is_string()) {
    repo.mainbranch = {{"name", branch->get<std::string>()}, {"type", "branch"}};
  } else {
    repo.mainbranch = *branch;  // null for an empty repository, or a raw object
  }
  repo.branch_restrictions = objects_at(spec, "branch_restrictions", where);
  repo.deploy_keys = objects_at(spec, "deploy_keys", where);
  if (const auto it = spec.find("branching_model"); it != spec.end() && !it->is_null()) {
    repo.branching_model = require_object(*it, where + ".branching_model");
  }
  repo.fork_policy =
      enum_at(spec, "fork_policy", where, {"allow_forks", "no_public_forks", "no_forks"});
  const std::string seed = workspace.slug + "/" + repo.slug;
  repo.hooks = hooks_at(spec, where);
  repo.pipeline_variables = variables_at(spec, "pipeline_variables", where, seed);
  repo.environments = environments_at(spec, where, seed);
  repo.pipelines_enabled = bool_at(spec, "pipelines_enabled", where, true);
  repo.spec = spec;
  return repo;
}

Workspace parse_workspace(const json& spec, const std::string& where) {
  require_object(spec, where);
  Workspace workspace;
  workspace.slug = string_at(spec, "slug", where);
  if (workspace.slug.empty()) {
    fail(where + ".slug", "must not be empty");
  }
  workspace.uuid = string_at(spec, "uuid", where, stable_uuid("workspace:" + workspace.slug));
  workspace.name = string_at(spec, "name", where, workspace.slug);
  if (const auto it = spec.find("administrator"); it != spec.end()) {
    if (!it->is_boolean()) {
      fail(where + ".administrator", "must be a boolean");
    }
    workspace.administrator = it->get<bool>();
  }
  workspace.forking_mode = enum_at(spec, "forking_mode", where, {"allow_forks", "internal_only"});
  workspace.members_2fa_visible = bool_at(spec, "members_2fa_visible", where, true);
  workspace.hooks = hooks_at(spec, where);
  workspace.pipeline_variables = variables_at(spec, "pipeline_variables", where, workspace.slug);
  workspace.members = members_at(spec, where, workspace.slug);
  workspace.spec = spec;

  std::set<std::string> keys;
  const auto projects = array_at(spec, "projects", where);
  for (std::size_t i = 0; i < projects.size(); ++i) {
    const auto at = where + ".projects[" + std::to_string(i) + "]";
    auto project = parse_project(projects[i], workspace.slug, at);
    if (!keys.insert(project.key).second) {
      fail(at, "duplicate project key \"" + project.key + "\"");
    }
    workspace.projects.push_back(std::move(project));
  }

  std::set<std::string> slugs;
  const auto repositories = array_at(spec, "repositories", where);
  for (std::size_t i = 0; i < repositories.size(); ++i) {
    const auto at = where + ".repositories[" + std::to_string(i) + "]";
    auto repo = parse_repository(repositories[i], workspace, at);
    if (!slugs.insert(repo.slug).second) {
      fail(at, "duplicate repository slug \"" + repo.slug + "\"");
    }
    workspace.repositories.push_back(std::move(repo));
  }
  return workspace;
}

}  // namespace

const Project* Workspace::find_project(std::string_view key) const {
  for (const auto& project : projects) {
    if (project.key == key || project.uuid == key) {
      return &project;
    }
  }
  return nullptr;
}

const Repository* Workspace::find_repository(std::string_view slug_or_uuid) const {
  for (const auto& repo : repositories) {
    if (repo.slug == slug_or_uuid || repo.uuid == slug_or_uuid) {
      return &repo;
    }
  }
  return nullptr;
}

Project* Workspace::find_project(std::string_view key) {
  return const_cast<Project*>(std::as_const(*this).find_project(key));
}

Repository* Workspace::find_repository(std::string_view slug_or_uuid) {
  return const_cast<Repository*>(std::as_const(*this).find_repository(slug_or_uuid));
}

const json* Repository::find_environment(std::string_view id) const {
  for (const auto& environment : environments) {
    const auto& known = environment.at("uuid").get_ref<const std::string&>();
    // "{uuid}" is also found by the bare uuid. Compared in place: building "{" + id + "}" here
    // made GCC 12's release build warn about the string copy (-Wstringop-overflow, a false
    // positive of its inlined operator+), and needs no allocation.
    const bool braced = known.size() == id.size() + 2 && known.front() == '{' &&
                        known.back() == '}' && std::string_view(known).substr(1, id.size()) == id;
    if (known == id || braced) {
      return &environment;
    }
  }
  return nullptr;
}

const Workspace* Scenario::find_workspace(std::string_view slug_or_uuid) const {
  for (const auto& workspace : workspaces) {
    if (workspace.slug == slug_or_uuid || workspace.uuid == slug_or_uuid) {
      return &workspace;
    }
  }
  return nullptr;
}

Workspace* Scenario::find_workspace(std::string_view slug_or_uuid) {
  return const_cast<Workspace*>(std::as_const(*this).find_workspace(slug_or_uuid));
}

std::string Scenario::user_uuid() const {
  const auto it = user.find("uuid");
  return it != user.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

namespace {

OAuthClient parse_oauth_client(const json& item, const std::string& at) {
  const auto& spec = require_object(item, at);
  OAuthClient client;
  client.client_id = string_at(spec, "client_id", at);
  client.client_secret = string_at(spec, "client_secret", at);
  client.scopes = scopes_at(spec, at);
  if (const auto it = spec.find("expires_in"); it != spec.end()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() <= 0) {
      fail(at + ".expires_in", "must be a positive integer");
    }
    client.expires_in = it->get<std::int64_t>();
  }
  if (const auto it = spec.find("public"); it != spec.end()) {
    if (!it->is_boolean()) {
      fail(at + ".public", "must be a boolean");
    }
    client.is_public = it->get<bool>();
  }
  return client;
}

// Every entry of the array `key`, as `parse(entry, "key[i]")` makes it.
template <typename Parse>
void each_entry(const json& document, const char* key, Parse parse) {
  const auto entries = array_at(document, key, "document");
  for (std::size_t i = 0; i < entries.size(); ++i) {
    parse(entries[i], std::string(key) + "[" + std::to_string(i) + "]");
  }
}

void parse_credentials(const json& document, Scenario& scenario) {
  each_entry(document, "oauth_clients", [&](const json& item, const std::string& at) {
    scenario.oauth_clients.push_back(parse_oauth_client(item, at));
  });
  each_entry(document, "access_tokens", [&](const json& item, const std::string& at) {
    const auto& spec = require_object(item, at);
    scenario.access_tokens.push_back({string_at(spec, "token", at), scopes_at(spec, at)});
  });
  each_entry(document, "api_tokens", [&](const json& item, const std::string& at) {
    const auto& spec = require_object(item, at);
    scenario.api_tokens.push_back(
        {string_at(spec, "email", at), string_at(spec, "token", at), scopes_at(spec, at)});
  });
  each_entry(document, "app_passwords", [&](const json& item, const std::string& at) {
    const auto& spec = require_object(item, at);
    scenario.app_passwords.push_back(
        {string_at(spec, "username", at), string_at(spec, "password", at), scopes_at(spec, at)});
  });
}

json parse_user(const json& document) {
  if (const auto it = document.find("user"); it != document.end() && !it->is_null()) {
    return require_object(*it, "user");
  }
  return {{"type", "user"},
          {"uuid", stable_uuid("user:fake")},
          {"display_name", "Fake User"},
          {"nickname", "fake-user"},
          {"account_id", "557058:00000000-0000-4000-8000-000000000000"},
          {"created_on", "2020-01-01T00:00:00.000000+00:00"}};
}

void parse_workspaces(const json& document, Scenario& scenario) {
  std::set<std::string> slugs;
  each_entry(document, "workspaces", [&](const json& item, const std::string& at) {
    auto workspace = parse_workspace(item, at);
    if (!slugs.insert(workspace.slug).second) {
      fail(at, "duplicate workspace slug \"" + workspace.slug + "\"");
    }
    scenario.workspaces.push_back(std::move(workspace));
  });
}

// latency_ms and server: how the fake itself behaves.
void parse_server(const json& document, Scenario& scenario) {
  if (const auto it = document.find("latency_ms"); it != document.end()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() < 0) {
      fail("latency_ms", "must be a non-negative integer");
    }
    scenario.latency_ms = it->get<std::int64_t>();
  }
  const auto it = document.find("server");
  if (it == document.end()) {
    return;
  }
  const auto& spec = require_object(*it, "server");
  auto positive = [&](const char* key, std::int64_t& target) {
    if (const auto value = spec.find(key); value != spec.end()) {
      if (!value->is_number_integer() || value->get<std::int64_t>() <= 0) {
        fail(std::string("server.") + key, "must be a positive integer");
      }
      target = value->get<std::int64_t>();
    }
  };
  positive("threads", scenario.server.threads);
  positive("keep_alive_timeout_s", scenario.server.keep_alive_timeout_s);
  positive("keep_alive_max_count", scenario.server.keep_alive_max_count);
}

// Above every integer id of a branch restriction and every position (index + 1) that stands in
// for a missing id in links, so a new restriction never shares an id with an old one.
std::int64_t first_free_restriction_id(const Scenario& scenario) {
  std::int64_t highest = 0;
  for (const auto& workspace : scenario.workspaces) {
    for (const auto& repo : workspace.repositories) {
      highest = std::max(highest, static_cast<std::int64_t>(repo.branch_restrictions.size()));
      for (const auto& restriction : repo.branch_restrictions) {
        const auto id = restriction.find("id");
        if (id != restriction.end() && id->is_number_integer()) {
          highest = std::max(highest, id->get<std::int64_t>());
        }
      }
    }
  }
  return highest + 1;
}

}  // namespace

Scenario Scenario::parse(const json& document) {
  require_object(document, "document");
  Scenario scenario;
  parse_credentials(document, scenario);
  scenario.user = parse_user(document);
  scenario.ssh_keys = objects_at(document, "ssh_keys", "document");
  parse_workspaces(document, scenario);
  scenario.faults = array_at(document, "faults", "document");
  parse_server(document, scenario);
  scenario.next_restriction_id = first_free_restriction_id(scenario);
  return scenario;
}

}  // namespace bbp::fake::detail
