#include "bbp/bitbucket/reads.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <spdlog/spdlog.h>

#include "bbp/bitbucket/url.hpp"

namespace bbp::bitbucket {
namespace {

using core::GapSubject;
using nlohmann::json;
using Parsing = tl::expected<Parsed, std::string>;

// ---- Parsers ---------------------------------------------------------------------------------

// Every entry `parse(entry, args...)` accepts, in order.
template <typename T, auto Parse, auto... Args>
Parsing each(const json& answer, const Target& /*target*/) {
  std::vector<T> out;
  for (const auto& v : answer) {
    if (auto item = Parse(v, Args...)) {
      out.push_back(std::move(*item));
    }
  }
  return Parsed{std::move(out)};
}

Parsing parse_caller(const json& answer, const Target& /*target*/) {
  auto name = string_at(answer, "nickname");
  if (!name) {
    name = string_at(answer, "display_name");
  }
  if (string_at(answer, "type").value_or("user") != "user") {
    return Parsed{Caller{false, string_at(answer, "uuid"), std::move(name)}};  // an app user
  }
  if (auto uuid = string_at(answer, "uuid")) {
    return Parsed{Caller{true, std::move(uuid), std::move(name)}};
  }
  return tl::unexpected(std::string("the /user answer has no uuid"));
}

Parsing parse_listing(const json& answer, const Target& target) {
  std::vector<ListedRepository> out;
  for (const auto& v : answer) {
    auto repo = parse_repository(v, target.workspace);
    if (!repo) {
      spdlog::warn("ignoring a repository entry without a slug in workspace {}", target.workspace);
      continue;
    }
    std::optional<std::string> project_name;
    if (const auto* project = v.contains("project") ? &v["project"] : nullptr) {
      project_name = string_at(*project, "name");
    }
    out.push_back({std::move(*repo), std::move(project_name)});
  }
  return Parsed{std::move(out)};
}

Parsing parse_model(const json& answer, const Target& /*target*/) {
  if (auto model = parse_branching_model(answer)) {
    return Parsed{std::move(*model)};
  }
  return tl::unexpected(std::string("the branching model has no 'development' branch"));
}

Parsing parse_ssh_keys(const json& answer, const Target& target) {
  auto keys = each<core::Key, parse_key, core::KeyKind::ssh_key>(answer, target);
  for (auto& key : std::get<std::vector<core::Key>>(*keys)) {
    key.url = "https://bitbucket.org/account/settings/ssh-keys/";
  }
  return keys;
}

Parsing parse_workspace(const json& answer, const Target& /*target*/) {
  if (auto mode = string_at(answer, "forking_mode")) {
    return Parsed{WorkspaceSettings{std::move(*mode)}};
  }
  return tl::unexpected(std::string("the workspace has no 'forking_mode'"));
}

// ---- The table -------------------------------------------------------------------------------

using core::KeyKind;
using core::VariableLevel;

std::vector<Read> user_and_listing_rows() {
  return {
      {.subject = GapSubject::user,
       .owner = Owner::user,
       .role = Role::caller,
       .path = "/user",
       .shape = Shape::object,
       .oauth_scopes = {"account"},
       .api_token_scopes = {"read:user:bitbucket"},
       .parse = parse_caller,
       .noun = "the caller",
       .label = "who is calling"},
      {.subject = GapSubject::workspaces,
       .owner = Owner::user,
       .role = Role::listing,
       .path = "/user/workspaces",
       .oauth_scopes = {"account"},
       .api_token_scopes = {"read:workspace:bitbucket"},
       .parse = each<std::string, parse_workspace_slug>,
       .noun = "workspace lists",
       .label = "list workspaces"},
      {.subject = GapSubject::repositories,
       .owner = Owner::workspace,
       .role = Role::listing,
       .path = "/repositories/{workspace}",
       .query_name = "fields",
       .query_value = "next,values.slug,values.full_name,values.name,values.uuid,"
                      "values.is_private,values.updated_on,values.mainbranch,values.project.key,"
                      "values.project.name,values.links.html.href",
       .oauth_scopes = {"repository"},
       .api_token_scopes = {"read:repository:bitbucket"},
       .parse = parse_listing,
       .noun = "repository listings",
       .label = "list repositories in {workspace}"},
  };
}

// The default rules' reads of a repository and a project.
std::vector<Read> protection_and_key_rows() {
  return {
      {.subject = GapSubject::branch_restrictions,
       .owner = Owner::repository,
       .when = When::default_branch,
       .path = "/repositories/{workspace}/{repository}/branch-restrictions",
       .oauth_scopes = {"repository:admin"},
       .api_token_scopes = {"admin:repository:bitbucket"},
       .parse = each<core::BranchRestriction, parse_restriction>,
       .noun = "branch restrictions",
       .label = "branch restrictions of {repository}"},
      {.subject = GapSubject::branching_model,
       .owner = Owner::repository,
       .when = When::referred_to,  // when a branch restriction refers to the branching model
       .path = "/repositories/{workspace}/{repository}/effective-branching-model",
       .shape = Shape::object,
       .oauth_scopes = {"repository"},
       .api_token_scopes = {"read:repository:bitbucket"},
       .parse = parse_model,
       .noun = "branching models",
       .label = "branching model of {repository}"},
      {.subject = GapSubject::deploy_keys,
       .owner = Owner::repository,
       .path = "/repositories/{workspace}/{repository}/deploy-keys",
       .oauth_scopes = {"repository", "repository:admin"},
       .api_token_scopes = {"admin:repository:bitbucket"},
       .parse = each<core::Key, parse_key, KeyKind::deploy_key>,
       .noun = "deploy keys",
       .label = "deploy keys of {repository}"},
      {.subject = GapSubject::project_deploy_keys,
       .owner = Owner::project,
       .path = "/workspaces/{workspace}/projects/{project}/deploy-keys",
       .oauth_scopes = {"project", "project:admin"},
       .api_token_scopes = {"admin:project:bitbucket"},
       .parse = each<core::Key, parse_key, KeyKind::project_deploy_key>,
       .noun = "project deploy keys",
       .label = "deploy keys of project {project}"},
  };
}

// The extended rules' reads of a repository and its deployment environments.
std::vector<Read> extended_repository_rows() {
  return {
      {.subject = GapSubject::hooks,
       .owner = Owner::repository,
       .path = "/repositories/{workspace}/{repository}/hooks",
       .oauth_scopes = {"webhook"},
       .api_token_scopes = {"read:webhook:bitbucket"},
       .parse = each<core::Webhook, parse_webhook>,
       .noun = "webhooks",
       .label = "webhooks of {repository}"},
      {.subject = GapSubject::pipeline_variables,
       .owner = Owner::repository,
       .path = "/repositories/{workspace}/{repository}/pipelines_config/variables",
       .oauth_scopes = {"pipeline"},
       .api_token_scopes = {"read:pipeline:bitbucket"},
       .parse = each<core::PipelineVariable, parse_variable, VariableLevel::repository>,
       .noun = "Pipelines variables",
       .label = "Pipelines variables of {repository}"},
      {.subject = GapSubject::environments,
       .owner = Owner::repository,
       .path = "/repositories/{workspace}/{repository}/environments",
       .oauth_scopes = {"pipeline"},
       .api_token_scopes = {"read:pipeline:bitbucket"},
       .parse = each<Environment, parse_environment>,
       .noun = "deployment environments",
       .label = "deployment environments of {repository}"},
      {.subject = GapSubject::environments,
       .owner = Owner::environment,
       .path = "/repositories/{workspace}/{repository}/deployments_config/environments/"
               "{environment}/variables",
       .oauth_scopes = {"pipeline"},
       .api_token_scopes = {"read:pipeline:bitbucket"},
       .parse = each<core::PipelineVariable, parse_variable, VariableLevel::deployment>,
       .noun = "deployment variables",
       .label = "variables of a deployment environment of {repository}"},
  };
}

// The extended rules' reads of a workspace.
std::vector<Read> extended_workspace_rows() {
  return {
      {.subject = GapSubject::workspace,
       .owner = Owner::workspace,
       .path = "/workspaces/{workspace}",
       .shape = Shape::object,
       .oauth_scopes = {},
       .api_token_scopes = {"read:workspace:bitbucket"},
       .parse = parse_workspace,
       .listing_fields = "values.fork_policy",
       .noun = "workspace settings",
       .label = "workspace {workspace}"},
      {.subject = GapSubject::hooks,
       .owner = Owner::workspace,
       .path = "/workspaces/{workspace}/hooks",
       .oauth_scopes = {"webhook"},
       .api_token_scopes = {"read:webhook:bitbucket"},
       .parse = each<core::Webhook, parse_webhook>,
       .noun = "workspace webhooks",
       .label = "webhooks of workspace {workspace}"},
      {.subject = GapSubject::pipeline_variables,
       .owner = Owner::workspace,
       .path = "/workspaces/{workspace}/pipelines-config/variables",
       .oauth_scopes = {"pipeline"},
       .api_token_scopes = {"read:pipeline:bitbucket"},
       .parse = each<core::PipelineVariable, parse_variable, VariableLevel::workspace>,
       .noun = "workspace Pipelines variables",
       .label = "Pipelines variables of workspace {workspace}"},
      {.subject = GapSubject::members,
       .owner = Owner::workspace,
       .path = "/workspaces/{workspace}/members",
       .query_name = "fields",
       .query_value = "+values.user.has_2fa_enabled",
       .oauth_scopes = {"account"},
       .api_token_scopes = {"read:workspace:bitbucket"},
       .parse = each<core::Member, parse_member>,
       .noun = "workspace members",
       .label = "members of {workspace}"},
      {.subject = GapSubject::owners,
       .owner = Owner::workspace,
       .path = "/workspaces/{workspace}/permissions",
       .query_name = "q",
       .query_value = "permission=\"owner\"",
       .oauth_scopes = {"account"},
       .api_token_scopes = {"read:workspace:bitbucket"},
       .parse = each<core::Member, parse_member>,
       .noun = "workspace owners",
       .label = "owners of {workspace}"},
  };
}

std::vector<Read> ssh_key_rows() {
  return {
      {.subject = GapSubject::ssh_keys,
       .owner = Owner::user,
       .path = "/users/{user}/ssh-keys",
       .oauth_scopes = {"account"},
       .api_token_scopes = {"read:ssh-key:bitbucket"},
       .parse = parse_ssh_keys,
       .noun = "SSH keys",
       .label = "your SSH keys"},
  };
}

std::vector<Read> all_rows() {
  std::vector<Read> rows;
  for (auto part : {user_and_listing_rows(), protection_and_key_rows(), extended_repository_rows(),
                    extended_workspace_rows(), ssh_key_rows()}) {
    std::move(part.begin(), part.end(), std::back_inserter(rows));
  }
  return rows;
}

// ---- Paths -----------------------------------------------------------------------------------

// `text` with each "{name}" replaced by `value(name)`.
template <typename Value>
std::string expand(std::string_view text, const Value& value) {
  std::string out;
  while (!text.empty()) {
    const auto open = text.find('{');
    const auto close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) {
      out += text;
      break;
    }
    out += text.substr(0, open);
    out += value(text.substr(open + 1, close - open - 1));
    text.remove_prefix(close + 1);
  }
  return out;
}

// The value of a template name for `target` (empty for a name it does not know).
std::string_view field_of(const Target& target, std::string_view name) {
  for (const auto& [field, value] :
       {std::pair{"user", &target.user}, std::pair{"workspace", &target.workspace},
        std::pair{"repository", &target.repository}, std::pair{"project", &target.project},
        std::pair{"environment", &target.environment}, std::pair{"item", &target.item}}) {
    if (name == field) {
      return *value;
    }
  }
  return {};
}

bool is_pagelen_error(const ApiError& e) {
  return e.http_status == 400 && e.message.find("pagelen") != std::string::npos;
}

// The gap a failed read of `read` for `target` leaves; a refusal names the Data Center
// permission the read needs.
core::Gap gap_for(const ApiError& error, const Read& read, const Target& target) {
  const bool of_repository = read.owner == Owner::repository || read.owner == Owner::environment;
  ApiError named = error;
  if (!read.permission.empty() && error.reason == core::UnknownReason::forbidden) {
    named.message += " (needs " + std::string(read.permission) + ")";
  }
  return gap_from_error(
      named, read.subject, target.workspace,
      of_repository ? std::optional(target.workspace + "/" + target.repository) : std::nullopt,
      read.owner == Owner::project ? std::optional(target.project) : std::nullopt);
}

// The gap an answer the parser refused leaves (HTTP 200, the path without its query).
core::Gap invalid_gap(ApiClient& api, const Read& read, const Target& target, std::string detail) {
  ApiError error;
  error.kind = ApiError::Kind::invalid_response;
  error.endpoint = path_of(api.url_for(path_for(read, target)));
  error.http_status = 200;
  error.reason = core::UnknownReason::invalid_response;
  error.message = std::move(detail);
  return gap_for(error, read, target);
}

// A failed request as a result: the gap it leaves, or the error that ends the scan.
template <typename T>
ReadResult<T> failed(const ApiError& error, const Read& read, const Target& target) {
  ReadResult<T> result;
  if (ends_the_scan(error)) {
    result.fatal = error;
  } else {
    result.gaps.push_back(gap_for(error, read, target));
  }
  return result;
}

// Every page of `url` (pagelen 100, then 50, then none when the API refuses the page length;
// Data Center's start/limit pages for Shape::start_pages); `on_entries` gets each page's
// entries not handed out before. Stops after a page once `stop`.
tl::expected<void, ApiError> each_page(ApiClient& api, const Read& read, const std::string& url,
                                       const std::function<void(json&&)>& on_entries,
                                       const std::atomic<bool>* stop) {
  if (read.shape == Shape::start_pages) {
    return api.for_each_start_page(url, [&](const json& values) {
      on_entries(json(values));
      return stop == nullptr || !stop->load();
    });
  }
  std::size_t handed_out = 0;  // entries already handed out: a restarted listing skips them
  tl::expected<void, ApiError> result;
  for (const char* pagelen : {"100", "50", ""}) {
    std::size_t position = 0;
    result = api.for_each_page(*pagelen ? with_query(url, "pagelen", pagelen) : url,
                               [&](const json& values) {
                                 json fresh = json::array();
                                 for (const auto& v : values) {
                                   if (position++ >= handed_out) {
                                     fresh.push_back(v);
                                   }
                                 }
                                 handed_out = std::max(handed_out, position);
                                 on_entries(std::move(fresh));
                                 return stop == nullptr || !stop->load();
                               });
    if (result || !is_pagelen_error(result.error())) {
      break;
    }
  }
  return result;
}

// The answer of `read`: the object, or every page's entries as one array.
tl::expected<json, ApiError> answer_of(ApiClient& api, const Read& read, const std::string& url,
                                       const std::atomic<bool>* stop) {
  if (read.shape == Shape::object) {
    return api.get_json(url);
  }
  json entries = json::array();
  auto listed = each_page(
      api, read, url,
      [&](json&& page) {
        for (auto& v : page) {
          entries.push_back(std::move(v));
        }
      },
      stop);
  if (!listed) {
    return tl::unexpected(std::move(listed.error()));
  }
  return entries;
}

}  // namespace

Target Target::caller(std::string uuid) {
  Target t;
  t.user = std::move(uuid);
  return t;
}

Target Target::of_workspace(std::string slug) {
  Target t;
  t.workspace = std::move(slug);
  return t;
}

Target Target::of_project(std::string workspace, std::string key) {
  Target t = of_workspace(std::move(workspace));
  t.project = std::move(key);
  return t;
}

Target Target::of(const core::Repository& repository) {
  Target t = of_workspace(repository.workspace);
  t.repository = repository.slug;
  return t;
}

Target Target::of_environment(const core::Repository& repository, std::string uuid) {
  Target t = of(repository);
  t.environment = std::move(uuid);
  return t;
}

std::span<const Write> writes() {
  using http::Method;
  static const std::vector<Write> table{
      {.kind = WriteKind::create_restriction,
       .method = Method::post,
       .path = "/repositories/{workspace}/{repository}/branch-restrictions",
       .reread = "/repositories/{workspace}/{repository}/branch-restrictions",
       .oauth_scopes = {"repository:admin"},
       .api_token_scopes = {"admin:repository:bitbucket"},
       .noun = "create a branch restriction"},
      {.kind = WriteKind::update_restriction,
       .method = Method::put,
       .path = "/repositories/{workspace}/{repository}/branch-restrictions/{item}",
       .reread = "/repositories/{workspace}/{repository}/branch-restrictions/{item}",
       .oauth_scopes = {"repository:admin"},
       .api_token_scopes = {"admin:repository:bitbucket"},
       .noun = "update a branch restriction"},
      {.kind = WriteKind::delete_restriction,
       .method = Method::del,
       .path = "/repositories/{workspace}/{repository}/branch-restrictions/{item}",
       .reread = "/repositories/{workspace}/{repository}/branch-restrictions/{item}",
       .oauth_scopes = {"repository:admin"},
       .api_token_scopes = {"admin:repository:bitbucket"},
       .noun = "delete a branch restriction"},
      {.kind = WriteKind::update_repository,
       .method = Method::put,
       .path = "/repositories/{workspace}/{repository}",
       .reread = "/repositories/{workspace}/{repository}",
       .oauth_scopes = {"repository:admin"},
       .api_token_scopes = {"admin:repository:bitbucket"},
       .noun = "change a repository's settings"},
      {.kind = WriteKind::delete_deploy_key,
       .method = Method::del,
       .path = "/repositories/{workspace}/{repository}/deploy-keys/{item}",
       .reread = "/repositories/{workspace}/{repository}/deploy-keys/{item}",
       .oauth_scopes = {"repository", "repository:admin"},
       .api_token_scopes = {"admin:repository:bitbucket", "delete:ssh-key:bitbucket"},
       .reversible = false,
       .noun = "delete a deploy key"},
      {.kind = WriteKind::delete_project_deploy_key,
       .owner = Owner::project,
       .method = Method::del,
       .path = "/workspaces/{workspace}/projects/{project}/deploy-keys/{item}",
       .reread = "/workspaces/{workspace}/projects/{project}/deploy-keys/{item}",
       .oauth_scopes = {"project", "project:admin"},
       .api_token_scopes = {"admin:project:bitbucket", "delete:ssh-key:bitbucket"},
       .reversible = false,
       .noun = "delete a project deploy key"},
  };
  return table;
}

const Write& write_of(WriteKind kind) {
  const auto table = writes();
  const auto it =
      std::find_if(table.begin(), table.end(), [&](const Write& w) { return w.kind == kind; });
  if (it == table.end()) {
    throw std::logic_error("no row for this write");
  }
  return *it;
}

std::string path_for(const Write& write, const Target& target) {
  return expand(write.path,
                [&](std::string_view name) { return percent_encode(field_of(target, name)); });
}

std::string reread_path_for(const Write& write, const Target& target) {
  return expand(write.reread,
                [&](std::string_view name) { return percent_encode(field_of(target, name)); });
}

std::span<const Read> reads() {
  static const std::vector<Read> table = all_rows();
  return table;
}

const Read& read_of(GapSubject subject, Owner owner) {
  const auto table = reads();
  const auto it = std::find_if(table.begin(), table.end(), [&](const Read& r) {
    return r.subject == subject && r.owner == owner;
  });
  if (it == table.end()) {
    throw std::logic_error("no read of " + std::string(core::to_string(subject)) +
                           " for this owner");
  }
  return *it;
}

std::string path_for(const Read& read, const Target& target) {
  return expand(read.path,
                [&](std::string_view name) { return percent_encode(field_of(target, name)); });
}

std::string url_for(const Read& read, const Target& target, std::string_view more_fields) {
  auto path = path_for(read, target);
  if (read.query_name.empty()) {
    return path;
  }
  // The names in braces of the query are the target's too ("until={item}"), not encoded twice.
  std::string value =
      expand(read.query_value, [&](std::string_view name) { return field_of(target, name); });
  if (read.query_name == "fields" && !more_fields.empty()) {
    value.append(",").append(more_fields);
  }
  return with_query(path, read.query_name, value);
}

std::string label_for(const Read& read, const Target& target) {
  return expand(read.label, [&](std::string_view name) {
    return name == "repository" ? target.workspace + "/" + target.repository
                                : std::string(field_of(target, name));
  });
}

bool needs(const core::Rule& rule, const Read& read) {
  return read.role == Role::listing ||
         std::find(rule.reads.begin(), rule.reads.end(), read.subject) != rule.reads.end();
}

bool read_by_default(const Read& read) {
  const auto rules = core::catalogue();
  return std::any_of(rules.begin(), rules.end(), [&](const core::Rule& rule) {
    return core::in_default_set(rule) && needs(rule, read);
  });
}

std::string more_listing_fields(const core::Scope& scope) {
  std::string fields;
  for (const auto& read : reads()) {
    if (!read.listing_fields.empty() && scope.reads(read.subject)) {
      fields.append(fields.empty() ? "" : ",").append(read.listing_fields);
    }
  }
  return fields;
}

bool ends_the_scan(const ApiError& error) {
  return error.kind == ApiError::Kind::auth || error.kind == ApiError::Kind::unreachable;
}

ReadResult<Parsed> make_read(ApiClient& api, const Read& read, const Target& target,
                             const ReadOptions& options) {
  auto answer = answer_of(api, read, url_for(read, target, options.more_fields), options.stop);
  if (!answer) {
    return failed<Parsed>(answer.error(), read, target);
  }
  auto parsed = read.parse(*answer, target);
  ReadResult<Parsed> result;
  if (parsed) {
    result.value = std::move(*parsed);
  } else {
    result.gaps.push_back(invalid_gap(api, read, target, std::move(parsed.error())));
  }
  return result;
}

ReadResult<std::monostate> stream_read(ApiClient& api, const Read& read, const Target& target,
                                       const PageSink& on_page, const ReadOptions& options) {
  std::optional<std::string> refused;  // what the parser said of a page it could not use
  const auto listed = each_page(
      api, read, url_for(read, target, options.more_fields),
      [&](json&& entries) {
        auto parsed = read.parse(entries, target);
        if (parsed) {
          on_page(std::move(*parsed));
        } else if (!refused) {
          refused = std::move(parsed.error());
        }
      },
      options.stop);
  if (!listed) {
    return failed<std::monostate>(listed.error(), read, target);
  }
  ReadResult<std::monostate> result;
  if (refused) {
    result.gaps.push_back(invalid_gap(api, read, target, std::move(*refused)));
  } else {
    result.value = std::monostate{};
  }
  return result;
}

void log_gap(const core::Gap& gap) {
  if (gap.detail == kInterruptedDetail) {
    spdlog::debug("not read {}: {}", gap.endpoint, gap.detail);
  } else {
    spdlog::info("could not read {}: {}", gap.endpoint, gap.detail);
  }
}

core::Gap gap_from_error(const ApiError& error, GapSubject subject, std::string workspace,
                         std::optional<std::string> repository,
                         std::optional<std::string> project) {
  core::Gap gap;
  gap.subject = subject;
  gap.workspace = std::move(workspace);
  gap.repository = std::move(repository);
  gap.project = std::move(project);
  gap.endpoint = error.endpoint;
  gap.http_status = error.http_status;
  gap.reason = error.reason;
  gap.detail = error.kind == ApiError::Kind::cancelled ? kInterruptedDetail : error.message;
  return gap;
}

}  // namespace bbp::bitbucket
