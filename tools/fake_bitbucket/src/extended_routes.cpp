// Routes of the extended rule pack: webhooks, Pipelines configuration and variables,
// deployment environments, workspace members and workspace permissions.
#include <regex>

#include "route_helpers.hpp"

namespace bbp::fake::detail {
namespace {

using nlohmann::json;

// The real message for a non-owner is not documented; the status and the error envelope are.
constexpr std::string_view kNotOwner =
    "You must be an owner of this workspace to access its webhooks.";

struct WorkspaceLookup {
  const Workspace* workspace = nullptr;
  std::optional<Reply> error;
};

WorkspaceLookup find_workspace(const RouteContext& ctx) {
  WorkspaceLookup lookup;
  lookup.workspace = ctx.scenario.find_workspace(ctx.params.at("workspace"));
  if (lookup.workspace == nullptr) {
    lookup.error = no_workspace(ctx.params.at("workspace"));
  }
  return lookup;
}

Collection variables(const json& list, std::string_view type) {
  return indexed(all_indexes(list.size()),
                 [&list, type](std::size_t i) { return Representations::variable(list[i], type); });
}

RouteResult list_repository_hooks(const RouteContext& ctx) {
  const auto found = find_repo(ctx);
  if (found.error) {
    return *found.error;
  }
  return indexed(all_indexes(found.repo->hooks.size()), [&ctx, found](std::size_t i) {
    return ctx.render.repository_hook(*found.workspace, *found.repo, i);
  });
}

RouteResult list_workspace_hooks(const RouteContext& ctx) {
  const auto found = find_workspace(ctx);
  if (found.error) {
    return *found.error;
  }
  if (!found.workspace->administrator) {  // only workspace owners may list them
    return Reply::json(403, error_body(kNotOwner));
  }
  const Workspace* ws = found.workspace;
  return indexed(all_indexes(ws->hooks.size()),
                 [&ctx, ws](std::size_t i) { return ctx.render.workspace_hook(*ws, i); });
}

RouteResult get_pipelines_config(const RouteContext& ctx) {
  const auto found = find_repo(ctx);
  if (found.error) {
    return *found.error;
  }
  return ctx.render.pipelines_config(*found.workspace, *found.repo);
}

// Served whether or not Pipelines is enabled: the API describes no other answer.
RouteResult list_repository_variables(const RouteContext& ctx) {
  const auto found = find_repo(ctx);
  if (found.error) {
    return *found.error;
  }
  return variables(found.repo->pipeline_variables, "pipeline_variable");
}

RouteResult list_workspace_variables(const RouteContext& ctx) {
  const auto found = find_workspace(ctx);
  if (found.error) {
    return *found.error;
  }
  return variables(found.workspace->pipeline_variables, "pipeline_variable");
}

RouteResult list_environments(const RouteContext& ctx) {
  const auto found = find_repo(ctx);
  if (found.error) {
    return *found.error;
  }
  const json& environments = found.repo->environments;
  return indexed(all_indexes(environments.size()), [&ctx, found, &environments](std::size_t i) {
    return ctx.render.environment(*found.workspace, *found.repo, environments[i]);
  });
}

RouteResult list_environment_variables(const RouteContext& ctx) {
  const auto found = find_repo(ctx);
  if (found.error) {
    return *found.error;
  }
  const json* environment = found.repo->find_environment(ctx.params.at("environment_uuid"));
  if (environment == nullptr) {
    return not_found("Environment not found");
  }
  return variables(environment->at("variables"), "deployment_variable");
}

// user.has_2fa_enabled is a non-default field: only `fields=+values.user.has_2fa_enabled` (or a
// whitelist naming it) brings it, and only when the workspace lets the caller see it.
RouteResult list_members(const RouteContext& ctx) {
  const auto found = find_workspace(ctx);
  if (found.error) {
    return *found.error;
  }
  const Workspace* ws = found.workspace;
  Collection members = indexed(all_indexes(ws->members.size()), [&ctx, ws](std::size_t i) {
    return ctx.render.membership(*ws, ws->members[i], false);
  });
  members.non_default_fields = {"user.has_2fa_enabled"};
  return members;
}

// `q`: only `permission="…"` (spaces allowed around `=`) is modelled; anything else is a 400.
std::optional<std::string> permission_filter(const QueryPairs& query, std::optional<Reply>& error) {
  if (!has_query_key(query, "q")) {
    return std::nullopt;
  }
  static const std::regex kEquals(R"re(\s*permission\s*=\s*"([^"]*)"\s*)re");
  const std::string q = query_value(query, "q");
  std::smatch match;
  if (!std::regex_match(q, match, kEquals)) {
    json body = error_body("Invalid query");
    body["error"]["detail"] = "Unsupported filter: " + q;
    error = Reply::json(400, body);
    return std::nullopt;
  }
  return match[1].str();
}

RouteResult list_permissions(const RouteContext& ctx) {
  const auto found = find_workspace(ctx);
  if (found.error) {
    return *found.error;
  }
  std::optional<Reply> invalid;
  const auto permission = permission_filter(ctx.request.query, invalid);
  if (invalid) {
    return *invalid;
  }
  const Workspace* ws = found.workspace;
  std::vector<std::size_t> indexes;
  for (std::size_t i = 0; i < ws->members.size(); ++i) {
    if (!permission || ws->members[i].permission == *permission) {
      indexes.push_back(i);
    }
  }
  Collection members = indexed(std::move(indexes), [&ctx, ws](std::size_t i) {
    return ctx.render.membership(*ws, ws->members[i], true);
  });
  members.non_default_fields = {"user.has_2fa_enabled"};
  return members;
}

}  // namespace

std::vector<Route> extended_routes() {
  const ScopeRule webhook{{"webhook"}, {"read:webhook:bitbucket"}};
  const ScopeRule pipeline{{"pipeline"}, {"read:pipeline:bitbucket"}};
  const ScopeRule repo_admin{{"repository:admin"}, {"admin:repository:bitbucket"}};
  const ScopeRule members{{"account"}, {"read:workspace:bitbucket"}};
  const std::string repo = "/2.0/repositories/{workspace}/{repo_slug}";
  const std::string workspace = "/2.0/workspaces/{workspace}";
  return {
      {"GET", repo + "/hooks", webhook, list_repository_hooks},
      {"GET", workspace + "/hooks", webhook, list_workspace_hooks},
      {"GET", repo + "/pipelines_config", repo_admin, get_pipelines_config},
      {"GET", repo + "/pipelines_config/variables", pipeline, list_repository_variables},
      {"GET", workspace + "/pipelines-config/variables", pipeline, list_workspace_variables},
      {"GET", repo + "/environments", pipeline, list_environments},
      {"GET", repo + "/deployments_config/environments/{environment_uuid}/variables", pipeline,
       list_environment_variables},
      {"GET", workspace + "/members", members, list_members},
      {"GET", workspace + "/permissions", members, list_permissions},
  };
}

}  // namespace bbp::fake::detail
