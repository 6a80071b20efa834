#include "representations.hpp"

#include <cctype>
#include <initializer_list>
#include <string_view>
#include <utility>

#include "util.hpp"

namespace bbp::fake::detail {
namespace {

using nlohmann::json;

constexpr std::string_view kWeb = "https://bitbucket.org";

json href(const std::string& url) {
  return {{"href", url}};
}

// Recursively copies `overrides` onto `target`: objects merge key by key, anything else
// (scalars, arrays, null, wrong types) replaces. Keys in `skip` are left alone.
void overlay(json& target, const json& overrides, std::initializer_list<std::string_view> skip) {
  for (const auto& [key, value] : overrides.items()) {
    bool skipped = false;
    for (const auto& name : skip) {
      skipped = skipped || key == name;
    }
    if (skipped) {
      continue;
    }
    auto it = target.find(key);
    if (it != target.end() && it->is_object() && value.is_object()) {
      overlay(*it, value, {});
    } else {
      target[key] = value;
    }
  }
}

// The scenario may list keys to drop from a generated object ("_omit": ["size"]).
void omit(json& target, const json& spec) {
  const auto it = spec.find("_omit");
  if (it == spec.end() || !it->is_array()) {
    return;
  }
  for (const auto& key : *it) {
    if (key.is_string()) {
      target.erase(key.get<std::string>());
    }
  }
}

// Raw objects are served as given, with `type` and `links.self.href` filled in when absent.
json fill_raw(json object, std::string_view type, const std::string& self) {
  if (!object.is_object()) {
    return object;
  }
  if (!object.contains("type")) {
    object["type"] = type;
  }
  if (!object.contains("links")) {
    object["links"] = json::object();
  }
  auto& links = object["links"];
  if (links.is_object() && !links.contains("self")) {
    links["self"] = href(self);
  }
  return object;
}

std::string id_of(const json& object, std::size_t index) {
  const auto it = object.find("id");
  if (it != object.end() && it->is_number_integer()) {
    return std::to_string(it->get<long long>());
  }
  if (it != object.end() && it->is_string()) {
    return it->get<std::string>();
  }
  return std::to_string(index + 1);
}

std::string without_braces(std::string text) {
  if (text.size() >= 2 && text.front() == '{' && text.back() == '}') {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

}  // namespace

json Representations::user(const Scenario& scenario) const {
  json user = scenario.user;
  if (!user.contains("type")) {
    user["type"] = "user";
  }
  if (!user.contains("links")) {
    const auto uuid = scenario.user_uuid();
    user["links"] = {{"self", href(api_ + "/users/" + url_encode(uuid))},
                     {"html", href(std::string(kWeb) + "/" + url_encode(uuid) + "/")},
                     {"avatar", href("https://secure.gravatar.com/avatar/fake")}};
  }
  return user;
}

json Representations::ssh_key(const Scenario& scenario, std::size_t index) const {
  const json& raw = scenario.ssh_keys[index];
  std::string key_id = std::to_string(index + 1);
  if (const auto it = raw.find("uuid"); it != raw.end() && it->is_string()) {
    key_id = without_braces(it->get<std::string>());
  }
  return fill_raw(raw, "ssh_key",
                  api_ + "/users/" + url_encode(scenario.user_uuid()) + "/ssh-keys/" + key_id);
}

json Representations::workspace(const Workspace& ws) const {
  json object = {{"type", "workspace"},
                 {"uuid", ws.uuid},
                 {"name", ws.name},
                 {"slug", ws.slug},
                 {"is_private", true},
                 {"is_privacy_enforced", false},
                 {"forking_mode", ws.forking_mode},
                 {"created_on", "2019-05-01T10:00:00.000000+00:00"},
                 {"updated_on", "2025-01-10T10:00:00.000000+00:00"},
                 {"links",
                  {{"self", href(api_ + "/workspaces/" + ws.slug)},
                   {"html", href(std::string(kWeb) + "/" + ws.slug + "/")},
                   {"avatar", href(std::string(kWeb) + "/workspaces/" + ws.slug + "/avatar")},
                   {"members", href(api_ + "/workspaces/" + ws.slug + "/members")},
                   {"projects", href(api_ + "/workspaces/" + ws.slug + "/projects")},
                   {"repositories", href(api_ + "/repositories/" + ws.slug)}}}};
  overlay(object, ws.spec,
          {"projects", "repositories", "administrator", "hooks", "pipeline_variables", "members",
           "members_2fa_visible", "_omit"});
  omit(object, ws.spec);
  return object;
}

json Representations::workspace_access(const Workspace& ws) const {
  return {{"type", "workspace_access"},
          {"administrator", ws.administrator},
          {"workspace",
           {{"type", "workspace_base"},
            {"uuid", ws.uuid},
            {"slug", ws.slug},
            {"name", ws.name},
            {"links",
             {{"self", href(api_ + "/workspaces/" + ws.slug)},
              {"avatar", href(std::string(kWeb) + "/workspaces/" + ws.slug + "/avatar")}}}}}};
}

json Representations::project(const Workspace& ws, const Project& project) const {
  const std::string self = api_ + "/workspaces/" + ws.slug + "/projects/" + project.key;
  json object = {
      {"type", "project"},
      {"key", project.key},
      {"uuid", project.uuid},
      {"name", project.name},
      {"description", ""},
      {"is_private", true},
      {"has_publicly_visible_repos", false},
      {"created_on", "2020-02-01T08:00:00.000000+00:00"},
      {"updated_on", "2025-02-01T08:00:00.000000+00:00"},
      {"owner",
       {{"type", "team"}, {"uuid", ws.uuid}, {"display_name", ws.name}, {"username", ws.slug}}},
      {"workspace",
       {{"type", "workspace"}, {"uuid", ws.uuid}, {"name", ws.name}, {"slug", ws.slug}}},
      {"links",
       {{"self", href(self)},
        {"html", href(std::string(kWeb) + "/" + ws.slug + "/workspace/projects/" + project.key)},
        {"avatar", href(std::string(kWeb) + "/account/user/" + ws.slug + "/projects/" +
                        project.key + "/avatar/32")}}}};
  overlay(object, project.spec, {"deploy_keys", "_omit"});
  omit(object, project.spec);
  return object;
}

json Representations::project_deploy_key(const Workspace& ws, const Project& project,
                                         std::size_t index) const {
  const json& raw = project.deploy_keys[index];
  return fill_raw(raw, "project_deploy_key",
                  api_ + "/workspaces/" + ws.slug + "/projects/" + project.key + "/deploy-keys/" +
                      id_of(raw, index));
}

namespace {

// A repository's links, as Bitbucket serves them.
json repository_links(const std::string& self, const std::string& web,
                      const std::string& full_name) {
  return {{"self", href(self)},
          {"html", href(web)},
          {"avatar", href(std::string(kWeb) + "/" + full_name + "/avatar/32")},
          {"pullrequests", href(self + "/pullrequests")},
          {"commits", href(self + "/commits")},
          {"forks", href(self + "/forks")},
          {"watchers", href(self + "/watchers")},
          {"branches", href(self + "/refs/branches")},
          {"tags", href(self + "/refs/tags")},
          {"downloads", href(self + "/downloads")},
          {"source", href(self + "/src")},
          {"hooks", href(self + "/hooks")},
          {"clone",
           json::array({{{"name", "https"}, {"href", web + ".git"}},
                        {{"name", "ssh"}, {"href", "git@bitbucket.org:" + full_name + ".git"}}})}};
}

}  // namespace

json Representations::repository(const Workspace& ws, const Repository& repo) const {
  const std::string full_name = ws.slug + "/" + repo.slug;
  const std::string self = api_ + "/repositories/" + full_name;
  const std::string web = std::string(kWeb) + "/" + full_name;
  const json ws_links = {
      {"self", href(api_ + "/workspaces/" + ws.slug)},
      {"html", href(std::string(kWeb) + "/" + ws.slug + "/")},
      {"avatar", href(std::string(kWeb) + "/workspaces/" + ws.slug + "/avatar")}};
  json object = {
      {"type", "repository"},
      {"full_name", full_name},
      {"links", repository_links(self, web, full_name)},
      {"name", repo.name},
      {"slug", repo.slug},
      {"description", ""},
      {"scm", "git"},
      {"website", nullptr},
      {"owner",
       {{"display_name", ws.name},
        {"type", "team"},
        {"uuid", ws.uuid},
        {"username", ws.slug},
        {"links", ws_links}}},
      {"workspace",
       {{"type", "workspace"},
        {"uuid", ws.uuid},
        {"name", ws.name},
        {"slug", ws.slug},
        {"links", ws_links}}},
      {"is_private", true},
      {"fork_policy", repo.fork_policy},
      {"created_on", "2024-01-15T09:30:00.000000+00:00"},
      {"updated_on", "2026-01-15T09:30:00.000000+00:00"},
      {"size", repo.mainbranch.is_null() ? 0 : 1048576},
      {"language", ""},
      {"has_issues", false},
      {"has_wiki", false},
      {"uuid", repo.uuid},
      {"mainbranch", repo.mainbranch},
      {"override_settings", {{"default_merge_strategy", true}, {"branching_model", true}}}};

  if (repo.project_key) {
    const Project* project = ws.find_project(*repo.project_key);
    const json full = this->project(ws, *project);
    object["project"] = {{"type", "project"},
                         {"key", full.value("key", json())},
                         {"uuid", full.value("uuid", json())},
                         {"name", full.value("name", json())},
                         {"links", full.value("links", json::object())}};
  } else if (const auto it = repo.spec.find("project"); it != repo.spec.end()) {
    object["project"] = *it;  // a raw object or null, served as given
  }
  overlay(object, repo.spec,
          {"project", "mainbranch", "branch_restrictions", "branching_model", "deploy_keys",
           "hooks", "pipeline_variables", "environments", "pipelines_enabled", "_omit"});
  omit(object, repo.spec);
  return object;
}

json Representations::branch_restriction(const Workspace& ws, const Repository& repo,
                                         std::size_t index) const {
  const json& raw = repo.branch_restrictions[index];
  return fill_raw(raw, "branchrestriction",
                  api_ + "/repositories/" + ws.slug + "/" + repo.slug + "/branch-restrictions/" +
                      id_of(raw, index));
}

json Representations::deploy_key(const Workspace& ws, const Repository& repo,
                                 std::size_t index) const {
  const json& raw = repo.deploy_keys[index];
  return fill_raw(
      raw, "deploy_key",
      api_ + "/repositories/" + ws.slug + "/" + repo.slug + "/deploy-keys/" + id_of(raw, index));
}

json Representations::branching_model(const Workspace& ws, const Repository& repo,
                                      bool effective) const {
  const std::string self = api_ + "/repositories/" + ws.slug + "/" + repo.slug +
                           (effective ? "/effective-branching-model" : "/branching-model");
  if (repo.branching_model) {
    return fill_raw(*repo.branching_model, "branching_model", self);
  }
  // Bitbucket's default: development follows the main branch, production disabled,
  // the four branch types with their standard prefixes.
  json development = {{"name", nullptr}, {"use_mainbranch", true}};
  if (repo.mainbranch.is_object() && repo.mainbranch.contains("name")) {
    development["name"] = repo.mainbranch["name"];
    development["branch"] = {{"type", "branch"}, {"name", repo.mainbranch["name"]}};
  }
  return {{"type", "branching_model"},
          {"development", development},
          {"branch_types", json::array({{{"kind", "feature"}, {"prefix", "feature/"}},
                                        {{"kind", "bugfix"}, {"prefix", "bugfix/"}},
                                        {{"kind", "release"}, {"prefix", "release/"}},
                                        {{"kind", "hotfix"}, {"prefix", "hotfix/"}}})},
          {"links", {{"self", href(self)}}}};
}

// ----- the extended rule pack ------------------------------------------------------------

namespace {

constexpr std::string_view kHookCreatedAt = "2025-06-01T09:00:00.000000+00:00";

std::string text_of(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// "Staging EU" -> "staging-eu", as environment slugs look.
std::string ascii_slug(const std::string& name) {
  std::string slug;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    slug.push_back(std::isalnum(byte) != 0 ? static_cast<char>(std::tolower(byte)) : '-');
  }
  return slug;
}

// Fills what Bitbucket always sends for a webhook and drops the secret, which it never sends.
json fill_hook(json hook, std::string_view subject_type, const json& subject,
               const std::string& self_base, const std::string& seed) {
  if (!hook.contains("uuid")) {
    hook["uuid"] = stable_uuid("hook:" + seed);
  }
  const auto secret = hook.find("secret");
  const bool has_secret =
      secret != hook.end() && secret->is_string() && !secret->get<std::string>().empty();
  if (!hook.contains("secret_set")) {
    hook["secret_set"] = has_secret;
  }
  hook.erase("secret");
  const std::pair<const char*, json> defaults[] = {{"type", "webhook_subscription"},
                                                   {"subject_type", subject_type},
                                                   {"subject", subject},
                                                   {"created_at", kHookCreatedAt},
                                                   {"active", true},
                                                   {"description", ""},
                                                   {"events", json::array({"repo:push"})}};
  for (const auto& [key, value] : defaults) {
    if (!hook.contains(key)) {
      hook[key] = value;
    }
  }
  if (!hook.contains("links")) {
    hook["links"] = {{"self", href(self_base + "/hooks/" + url_encode(text_of(hook["uuid"])))}};
  }
  return hook;
}

}  // namespace

json Representations::pipelines_config(const Workspace& ws, const Repository& repo) const {
  return {{"type", "repository_pipelines_configuration"},
          {"enabled", repo.pipelines_enabled},
          {"repository",
           {{"type", "repository"},
            {"full_name", ws.slug + "/" + repo.slug},
            {"name", repo.name},
            {"uuid", repo.uuid}}}};
}

json Representations::repository_hook(const Workspace& ws, const Repository& repo,
                                      std::size_t index) const {
  const std::string self = api_ + "/repositories/" + ws.slug + "/" + repo.slug;
  const json subject = {{"type", "repository"},
                        {"full_name", ws.slug + "/" + repo.slug},
                        {"name", repo.name},
                        {"uuid", repo.uuid},
                        {"links", {{"self", href(self)}}}};
  return fill_hook(repo.hooks[index], "repository", subject, self,
                   ws.slug + "/" + repo.slug + "#" + std::to_string(index));
}

json Representations::workspace_hook(const Workspace& ws, std::size_t index) const {
  const std::string self = api_ + "/workspaces/" + ws.slug;
  const json subject = {{"type", "workspace"},
                        {"slug", ws.slug},
                        {"name", ws.name},
                        {"uuid", ws.uuid},
                        {"links", {{"self", href(self)}}}};
  return fill_hook(ws.hooks[index], "workspace", subject, self,
                   ws.slug + "#" + std::to_string(index));
}

json Representations::variable(const json& raw, std::string_view type) {
  json variable = raw;
  if (!variable.contains("type")) {
    variable["type"] = type;
  }
  if (!variable.contains("secured")) {
    variable["secured"] = false;
  }
  if (variable["secured"] == true) {
    variable.erase("value");  // Bitbucket never serves a secured value
  } else if (!variable.contains("value")) {
    variable["value"] = "";
  }
  return variable;
}

json Representations::environment(const Workspace& ws, const Repository& repo,
                                  const json& raw) const {
  json environment = raw;
  environment.erase("variables");
  if (!environment.contains("type")) {
    environment["type"] = "deployment_environment";
  }
  const std::string name = environment.value("name", std::string{});
  auto& kind = environment["environment_type"];
  if (!kind.is_object()) {
    kind = {{"name", "Test"}};
  }
  if (!kind.contains("type")) {
    kind["type"] = "deployment_environment_type";
  }
  if (!environment.contains("slug")) {
    environment["slug"] = ascii_slug(name);
  }
  if (!environment.contains("links")) {
    environment["links"] = {
        {"self", href(api_ + "/repositories/" + ws.slug + "/" + repo.slug + "/environments/" +
                      url_encode(text_of(environment["uuid"])))}};
  }
  return environment;
}

json Representations::membership(const Workspace& ws, const Member& member,
                                 bool with_permission) const {
  json user = member.user;
  if (!user.contains("type")) {
    user["type"] = "user";
  }
  if (!ws.members_2fa_visible) {
    user.erase("has_2fa_enabled");
  }
  json object = {{"type", "workspace_membership"},
                 {"user", std::move(user)},
                 {"workspace",
                  {{"type", "workspace"},
                   {"uuid", ws.uuid},
                   {"slug", ws.slug},
                   {"name", ws.name},
                   {"links", {{"self", href(api_ + "/workspaces/" + ws.slug)}}}}},
                 {"links",
                  {{"self", href(api_ + "/workspaces/" + ws.slug + "/members/" +
                                 url_encode(member.user.value("uuid", std::string{})))}}}};
  if (with_permission) {
    object["permission"] = member.permission;
  }
  return object;
}

}  // namespace bbp::fake::detail
