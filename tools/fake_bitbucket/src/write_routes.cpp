// Write routes: branch restrictions (create, update, delete), repository settings (visibility
// and fork policy) and the deletion of deploy keys. The router runs every handler here with
// the state locked for writing, after the credentials and scopes were checked.
#include <algorithm>
#include <array>
#include <string_view>

#include "restrictions.hpp"
#include "route_helpers.hpp"

namespace bbp::fake::detail {
namespace {

using nlohmann::json;

// Repository fields a PUT may carry without effect: the URL implies them.
constexpr std::array<std::string_view, 3> kImpliedRepositoryFields = {"type", "owner", "full_name"};

Reply refused(const WriteError& error) {
  json body = error_body(error.message);
  if (!error.detail.empty()) {
    body["error"]["detail"] = error.detail;
  }
  return Reply::json(error.status, body);
}

Reply no_content() {
  return Reply{204, "", "", {}};
}

// The request body as JSON, or the 400 that refuses it.
std::optional<Reply> parse_body(const RouteContext& ctx, json& body) {
  body = json::parse(ctx.request.body, nullptr, false);
  if (body.is_discarded()) {
    return refused({400, "The request body is not valid JSON.", {}});
  }
  return std::nullopt;
}

struct WritableRepo {
  Workspace* workspace = nullptr;
  Repository* repo = nullptr;
  std::optional<Reply> error;
};

WritableRepo find_repo_for_write(const RouteContext& ctx) {
  WritableRepo lookup;
  lookup.workspace = ctx.state->find_workspace(ctx.params.at("workspace"));
  if (lookup.workspace != nullptr) {
    lookup.repo = lookup.workspace->find_repository(ctx.params.at("repo_slug"));
  }
  if (lookup.repo == nullptr) {
    lookup.error = not_found("Repository not found");
  }
  return lookup;
}

// ----- branch restrictions ------------------------------------------------------------------

RouteResult create_restriction(const RouteContext& ctx) {
  const auto found = find_repo_for_write(ctx);
  if (found.error) {
    return *found.error;
  }
  json body;
  if (auto error = parse_body(ctx, body)) {
    return *error;
  }
  json restriction;
  if (auto error = restriction_from_post(body, restriction)) {
    return refused(*error);
  }
  json& list = found.repo->branch_restrictions;
  if (auto error = duplicate_of(list, restriction, std::nullopt)) {
    return refused(*error);
  }
  restriction["id"] = ctx.state->next_restriction_id++;
  list.push_back(std::move(restriction));
  return Reply::json(201,
                     ctx.render.branch_restriction(*found.workspace, *found.repo, list.size() - 1));
}

RouteResult update_restriction(const RouteContext& ctx) {
  const auto found = find_repo_for_write(ctx);
  if (found.error) {
    return *found.error;
  }
  json& list = found.repo->branch_restrictions;
  const auto index = index_with_id(list, ctx.params.at("id"));
  if (!index) {
    return not_found("Branch restriction not found");
  }
  json body;
  if (auto error = parse_body(ctx, body)) {
    return *error;
  }
  json updated;
  if (auto error = restriction_after_put(list[*index], body, updated)) {
    return refused(*error);
  }
  if (auto error = duplicate_of(list, updated, index)) {
    return refused(*error);
  }
  list[*index] = std::move(updated);
  return ctx.render.branch_restriction(*found.workspace, *found.repo, *index);
}

RouteResult delete_restriction(const RouteContext& ctx) {
  const auto found = find_repo_for_write(ctx);
  if (found.error) {
    return *found.error;
  }
  json& list = found.repo->branch_restrictions;
  const auto index = index_with_id(list, ctx.params.at("id"));
  if (!index) {
    return not_found("Branch restriction not found");
  }
  list.erase(*index);
  return no_content();
}

// ----- repository settings ------------------------------------------------------------------

struct RepositorySettings {
  std::optional<bool> is_private;
  std::optional<std::string> fork_policy;
};

// Reads `is_private` and `fork_policy`; `type`, `owner` and `full_name` are ignored (the URL
// implies them). Any other field would change something the fake does not model: refused.
std::optional<WriteError> read_settings(const json& body, RepositorySettings& settings) {
  if (!body.is_object()) {
    return WriteError{400, "The request body must be a repository object.", {}};
  }
  for (const auto& [key, value] : body.items()) {
    if (key == "is_private") {
      if (!value.is_boolean()) {
        return WriteError{400, R"("is_private" must be a boolean.)", {}};
      }
      settings.is_private = value.get<bool>();
    } else if (key == "fork_policy") {
      const std::string policy = value.is_string() ? value.get<std::string>() : "";
      if (policy != "allow_forks" && policy != "no_public_forks" && policy != "no_forks") {
        return WriteError{
            400, R"("fork_policy" must be allow_forks, no_public_forks or no_forks.)", {}};
      }
      settings.fork_policy = policy;
    } else if (std::find(kImpliedRepositoryFields.begin(), kImpliedRepositoryFields.end(), key) ==
               kImpliedRepositoryFields.end()) {
      return WriteError{400, "The fake Bitbucket server cannot change \"" + key + "\".",
                        "It models changes of is_private and fork_policy only."};
    }
  }
  return std::nullopt;
}

RouteResult update_repository(const RouteContext& ctx) {
  const auto found = find_repo_for_write(ctx);
  if (found.error) {
    return *found.error;
  }
  json body;
  if (auto error = parse_body(ctx, body)) {
    return *error;
  }
  RepositorySettings settings;
  if (auto error = read_settings(body, settings)) {
    return refused(*error);
  }
  if (settings.is_private) {
    found.repo->spec["is_private"] = *settings.is_private;  // served through the overrides
  }
  if (settings.fork_policy) {
    found.repo->fork_policy = *settings.fork_policy;
    found.repo->spec["fork_policy"] = *settings.fork_policy;
  }
  return ctx.render.repository(*found.workspace, *found.repo);
}

// ----- deploy keys --------------------------------------------------------------------------

// Bitbucket documents that access tokens cannot add, update or delete deploy keys.
std::optional<Reply> refuse_access_token(const RouteContext& ctx) {
  if (ctx.principal.kind != CredentialKind::access_token) {
    return std::nullopt;
  }
  return Reply::json(403, error_body("Access tokens cannot manage deploy keys."));
}

RouteResult delete_deploy_key(const RouteContext& ctx) {
  if (auto denied = refuse_access_token(ctx)) {
    return *denied;
  }
  const auto found = find_repo_for_write(ctx);
  if (found.error) {
    return *found.error;
  }
  json& keys = found.repo->deploy_keys;
  const auto index = index_with_id(keys, ctx.params.at("key_id"));
  if (!index) {
    return not_found("Deploy key not found");
  }
  keys.erase(*index);
  return no_content();
}

RouteResult delete_project_deploy_key(const RouteContext& ctx) {
  if (auto denied = refuse_access_token(ctx)) {
    return *denied;
  }
  Workspace* workspace = ctx.state->find_workspace(ctx.params.at("workspace"));
  if (workspace == nullptr) {
    return no_workspace(ctx.params.at("workspace"));
  }
  Project* project = workspace->find_project(ctx.params.at("project_key"));
  if (project == nullptr) {
    return not_found("Project not found");
  }
  const auto index = index_with_id(project->deploy_keys, ctx.params.at("key_id"));
  if (!index) {
    return not_found("Deploy key not found");
  }
  project->deploy_keys.erase(*index);
  return no_content();
}

}  // namespace

std::vector<Route> write_routes() {
  // Scopes as the API description lists them for each operation (all of a list are needed).
  const ScopeRule repo_admin{{"repository:admin"}, {"admin:repository:bitbucket"}};
  const ScopeRule repo_key_delete{{"repository", "repository:admin"},
                                  {"admin:repository:bitbucket", "delete:ssh-key:bitbucket"}};
  const ScopeRule project_key_delete{{"project", "project:admin"},
                                     {"admin:project:bitbucket", "delete:ssh-key:bitbucket"}};
  const std::string repo = "/2.0/repositories/{workspace}/{repo_slug}";
  const std::string project = "/2.0/workspaces/{workspace}/projects/{project_key}";
  return {
      {"POST", repo + "/branch-restrictions", repo_admin, create_restriction},
      {"PUT", repo + "/branch-restrictions/{id}", repo_admin, update_restriction},
      {"DELETE", repo + "/branch-restrictions/{id}", repo_admin, delete_restriction},
      {"PUT", repo, repo_admin, update_repository},
      {"DELETE", repo + "/deploy-keys/{key_id}", repo_key_delete, delete_deploy_key},
      {"DELETE", project + "/deploy-keys/{key_id}", project_key_delete, delete_project_deploy_key},
  };
}

}  // namespace bbp::fake::detail
