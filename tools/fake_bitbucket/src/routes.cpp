#include "routes.hpp"

#include "fields_filter.hpp"
#include "restrictions.hpp"
#include "route_helpers.hpp"

namespace bbp::fake::detail {
namespace {

using nlohmann::json;

Reply gone() {
  const json data = {{"announcement_url",
                      "https://developer.atlassian.com/cloud/bitbucket/changelog#CHANGE-2770"}};
  return Reply::json(410, {{"type", "error"},
                           {"error",
                            {{"message", "CHANGE-2770 - Functionality has been deprecated"},
                             {"detail", "Please read the changelog entry for more details."},
                             {"data", data}}},
                           {"data", data}});
}

// Splits a raw path into decoded segments; a trailing slash is ignored.
std::vector<std::string> path_segments(std::string_view raw_path) {
  std::vector<std::string> segments;
  for (const auto& part : split(raw_path, '/')) {
    if (!part.empty()) {
      segments.push_back(url_decode(part, false));
    }
  }
  return segments;
}

bool match_pattern(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
                   PathParams& params) {
  if (pattern.size() != path.size()) {
    return false;
  }
  params.clear();
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const auto& p = pattern[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      params.emplace(p.substr(1, p.size() - 2), path[i]);
    } else if (p != path[i]) {
      return false;
    }
  }
  return true;
}

struct ProjectLookup {
  const Workspace* workspace = nullptr;
  const Project* project = nullptr;
  std::optional<Reply> error;
};

ProjectLookup find_project(const RouteContext& ctx) {
  ProjectLookup lookup;
  lookup.workspace = ctx.scenario.find_workspace(ctx.params.at("workspace"));
  if (lookup.workspace == nullptr) {
    lookup.error = no_workspace(ctx.params.at("workspace"));
    return lookup;
  }
  lookup.project = lookup.workspace->find_project(ctx.params.at("project_key"));
  if (lookup.project == nullptr) {
    lookup.error = not_found("Project not found");
  }
  return lookup;
}

// ----- handlers -----------------------------------------------------------------------------

RouteResult get_user(const RouteContext& ctx) {
  return ctx.render.user(ctx.scenario);
}

RouteResult list_user_workspaces(const RouteContext& ctx) {
  const auto& workspaces = ctx.scenario.workspaces;
  const std::string administrator = query_value(ctx.request.query, "administrator");
  std::vector<std::size_t> indexes;
  for (std::size_t i = 0; i < workspaces.size(); ++i) {
    if (administrator.empty() || (administrator == "true") == workspaces[i].administrator) {
      indexes.push_back(i);
    }
  }
  return indexed(std::move(indexes), [&ctx](std::size_t i) {
    return ctx.render.workspace_access(ctx.scenario.workspaces[i]);
  });
}

RouteResult get_workspace_permission(const RouteContext& ctx) {
  const Workspace* ws = ctx.scenario.find_workspace(ctx.params.at("workspace"));
  if (ws == nullptr) {
    return no_workspace(ctx.params.at("workspace"));
  }
  return json{{"type", "workspace_membership"},
              {"permission", ws->administrator ? "owner" : "member"},
              {"user", ctx.render.user(ctx.scenario)},
              {"workspace", ctx.render.workspace_access(*ws)["workspace"]}};
}

RouteResult list_ssh_keys(const RouteContext& ctx) {
  const std::string& selected = ctx.params.at("selected_user");
  const json& user = ctx.scenario.user;
  if (!string_field_equals(user, "uuid", selected) &&
      !string_field_equals(user, "account_id", selected)) {
    return Reply::json(403, error_body("You don't have access to this user's SSH keys."));
  }
  return indexed(all_indexes(ctx.scenario.ssh_keys.size()),
                 [&ctx](std::size_t i) { return ctx.render.ssh_key(ctx.scenario, i); });
}

RouteResult list_repositories(const RouteContext& ctx) {
  const Workspace* ws = ctx.scenario.find_workspace(ctx.params.at("workspace"));
  if (ws == nullptr) {
    return no_workspace(ctx.params.at("workspace"));
  }
  return indexed(all_indexes(ws->repositories.size()), [&ctx, ws](std::size_t i) {
    return ctx.render.repository(*ws, ws->repositories[i]);
  });
}

RouteResult get_repository(const RouteContext& ctx) {
  const auto found = find_repo(ctx);
  if (found.error) {
    return *found.error;
  }
  return ctx.render.repository(*found.workspace, *found.repo);
}

RouteResult list_branch_restrictions(const RouteContext& ctx) {
  const auto found = find_repo(ctx);
  if (found.error) {
    return *found.error;
  }
  // Optional exact filters, like the real endpoint's `kind` and `pattern` parameters.
  const std::string kind = query_value(ctx.request.query, "kind");
  const std::string pattern = query_value(ctx.request.query, "pattern");
  const json& restrictions = found.repo->branch_restrictions;
  std::vector<std::size_t> indexes;
  for (std::size_t i = 0; i < restrictions.size(); ++i) {
    if ((kind.empty() || string_field_equals(restrictions[i], "kind", kind)) &&
        (pattern.empty() || string_field_equals(restrictions[i], "pattern", pattern))) {
      indexes.push_back(i);
    }
  }
  return indexed(std::move(indexes), [&ctx, found](std::size_t i) {
    return ctx.render.branch_restriction(*found.workspace, *found.repo, i);
  });
}

RouteResult get_branch_restriction(const RouteContext& ctx) {
  const auto found = find_repo(ctx);
  if (found.error) {
    return *found.error;
  }
  const auto& restrictions = found.repo->branch_restrictions;
  for (std::size_t i = 0; i < restrictions.size(); ++i) {
    json object = ctx.render.branch_restriction(*found.workspace, *found.repo, i);
    const auto id = object.find("id");
    if (id != object.end() && id->dump() == ctx.params.at("id")) {
      return object;
    }
  }
  return not_found("Branch restriction not found");
}

RouteResult list_deploy_keys(const RouteContext& ctx) {
  const auto found = find_repo(ctx);
  if (found.error) {
    return *found.error;
  }
  return indexed(all_indexes(found.repo->deploy_keys.size()), [&ctx, found](std::size_t i) {
    return ctx.render.deploy_key(*found.workspace, *found.repo, i);
  });
}

// One key, as the list shows it. Found by its own id, as the DELETE of a key finds it.
RouteResult get_deploy_key(const RouteContext& ctx) {
  const auto found = find_repo(ctx);
  if (found.error) {
    return *found.error;
  }
  const auto index = index_with_id(found.repo->deploy_keys, ctx.params.at("key_id"));
  if (!index) {
    return not_found("Deploy key not found");
  }
  return ctx.render.deploy_key(*found.workspace, *found.repo, *index);
}

RouteResult get_branching_model(const RouteContext& ctx, bool effective) {
  const auto found = find_repo(ctx);
  if (found.error) {
    return *found.error;
  }
  return ctx.render.branching_model(*found.workspace, *found.repo, effective);
}

RouteResult get_workspace(const RouteContext& ctx) {
  const Workspace* ws = ctx.scenario.find_workspace(ctx.params.at("workspace"));
  if (ws == nullptr) {
    return no_workspace(ctx.params.at("workspace"));
  }
  return ctx.render.workspace(*ws);
}

RouteResult list_projects(const RouteContext& ctx) {
  const Workspace* ws = ctx.scenario.find_workspace(ctx.params.at("workspace"));
  if (ws == nullptr) {
    return no_workspace(ctx.params.at("workspace"));
  }
  return indexed(all_indexes(ws->projects.size()),
                 [&ctx, ws](std::size_t i) { return ctx.render.project(*ws, ws->projects[i]); });
}

RouteResult get_project(const RouteContext& ctx) {
  const auto found = find_project(ctx);
  if (found.error) {
    return *found.error;
  }
  return ctx.render.project(*found.workspace, *found.project);
}

RouteResult list_project_deploy_keys(const RouteContext& ctx) {
  const auto found = find_project(ctx);
  if (found.error) {
    return *found.error;
  }
  return indexed(all_indexes(found.project->deploy_keys.size()), [&ctx, found](std::size_t i) {
    return ctx.render.project_deploy_key(*found.workspace, *found.project, i);
  });
}

RouteResult get_project_deploy_key(const RouteContext& ctx) {
  const auto found = find_project(ctx);
  if (found.error) {
    return *found.error;
  }
  const auto index = index_with_id(found.project->deploy_keys, ctx.params.at("key_id"));
  if (!index) {
    return not_found("Deploy key not found");
  }
  return ctx.render.project_deploy_key(*found.workspace, *found.project, *index);
}

// ----- the table ----------------------------------------------------------------------------

std::vector<Route> route_table() {
  const ScopeRule account_user{{"account"}, {"read:user:bitbucket"}};
  const ScopeRule account_workspace{{"account"}, {"read:workspace:bitbucket"}};
  const ScopeRule ssh_keys{{"account"}, {"read:ssh-key:bitbucket"}};
  const ScopeRule repo_read{{"repository"}, {"read:repository:bitbucket"}};
  const ScopeRule repo_admin{{"repository:admin"}, {"admin:repository:bitbucket"}};
  const ScopeRule repo_keys{{"repository", "repository:admin"}, {"admin:repository:bitbucket"}};
  const ScopeRule workspace_read{{}, {"read:workspace:bitbucket"}};
  const ScopeRule project_read{{"project"}, {"read:project:bitbucket"}};
  const ScopeRule project_keys{{"project", "project:admin"}, {"admin:project:bitbucket"}};
  const std::string repo = "/2.0/repositories/{workspace}/{repo_slug}";
  const std::string project = "/2.0/workspaces/{workspace}/projects/{project_key}";
  auto model = [](bool effective) {
    return [effective](const RouteContext& ctx) { return get_branching_model(ctx, effective); };
  };
  std::vector<Route> routes{
      {"GET", "/2.0/user", account_user, get_user},
      {"GET", "/2.0/user/workspaces", account_workspace, list_user_workspaces},
      {"GET", "/2.0/user/workspaces/{workspace}/permission", account_workspace,
       get_workspace_permission},
      {"GET", "/2.0/users/{selected_user}/ssh-keys", ssh_keys, list_ssh_keys},
      {"GET", "/2.0/repositories/{workspace}", repo_read, list_repositories},
      {"GET", repo, repo_read, get_repository},
      {"GET", repo + "/branch-restrictions", repo_admin, list_branch_restrictions},
      {"GET", repo + "/branch-restrictions/{id}", repo_admin, get_branch_restriction},
      {"GET", repo + "/branching-model", repo_read, model(false)},
      {"GET", repo + "/effective-branching-model", repo_read, model(true)},
      {"GET", repo + "/deploy-keys", repo_keys, list_deploy_keys},
      {"GET", repo + "/deploy-keys/{key_id}", repo_keys, get_deploy_key},
      {"GET", "/2.0/workspaces/{workspace}", workspace_read, get_workspace},
      {"GET", "/2.0/workspaces/{workspace}/projects", project_read, list_projects},
      {"GET", project, project_read, get_project},
      {"GET", project + "/deploy-keys", project_keys, list_project_deploy_keys},
      {"GET", project + "/deploy-keys/{key_id}", project_keys, get_project_deploy_key},
      // Cross-workspace endpoints removed by CHANGE-2770.
      {"GET", "/2.0/workspaces", std::nullopt, nullptr},
      {"GET", "/2.0/user/permissions/workspaces", std::nullopt, nullptr},
      {"GET", "/2.0/user/permissions/repositories", std::nullopt, nullptr},
      {"GET", "/2.0/repositories", std::nullopt, nullptr},
  };
  for (auto& route : extended_routes()) {
    routes.push_back(std::move(route));
  }
  for (auto& route : write_routes()) {
    routes.push_back(std::move(route));
  }
  return routes;
}

}  // namespace

Router::Router(Scenario& scenario, const Authenticator& auth)
    : scenario_(scenario), auth_(auth), routes_(route_table()) {}

void Router::check_drift(const json& change) const {
  const std::shared_lock lock(state_mutex_);
  check_drift_target(scenario_, change);
}

void Router::apply_drift(const json& change) const {
  const std::unique_lock lock(state_mutex_);
  detail::apply_drift(scenario_, change);
}

Reply Router::dispatch(const ApiRequest& request) const {
  const auto segments = path_segments(request.raw_path);
  PathParams params;
  const Route* route = nullptr;
  bool path_known = false;
  for (const auto& candidate : routes_) {
    if (match_pattern(path_segments(candidate.pattern), segments, params)) {
      path_known = true;
      if (candidate.method == request.method ||
          (request.method == "HEAD" && candidate.method == "GET")) {
        route = &candidate;
        break;
      }
    }
  }
  if (route == nullptr) {
    if (path_known) {
      return Reply::json(405, error_body("Method not allowed"));
    }
    json body = error_body("Resource not found");
    body["error"]["detail"] = "There is no API hosted at this URL.";
    return Reply::json(404, body);
  }
  if (!route->scopes) {
    return gone();
  }

  auto authenticated = auth_.authenticate(request.authorization);
  if (auto* denied = std::get_if<Reply>(&authenticated)) {
    return std::move(*denied);
  }
  const auto& principal = std::get<Principal>(authenticated);
  if (auto forbidden = check_scopes(principal, *route->scopes)) {
    return std::move(*forbidden);
  }
  if (route->method == "GET") {
    const std::shared_lock lock(state_mutex_);
    return answer(request, *route, params, principal);
  }
  const std::unique_lock lock(state_mutex_);
  return answer(request, *route, params, principal);
}

// Runs the handler and shapes its result (pagination, `fields`), with the state locked.
Reply Router::answer(const ApiRequest& request, const Route& route, const PathParams& params,
                     const Principal& principal) const {
  const Representations render(request.url_base + "/2.0");
  const bool writes = route.method != "GET";
  const RouteContext ctx{request, params,    scenario_,
                         render,  principal, writes ? &scenario_ : nullptr};
  RouteResult result = route.handler(ctx);
  if (auto* reply = std::get_if<Reply>(&result)) {
    return std::move(*reply);
  }

  json document;
  std::vector<std::string> non_default;  // paths sent only when `fields` names them
  if (auto* collection = std::get_if<Collection>(&result)) {
    PageRequest page;
    if (auto invalid = parse_page_request(request.query, page)) {
      return std::move(*invalid);
    }
    document = make_page(*collection, page, request.url_base, request.raw_path, request.raw_query);
    for (const auto& path : collection->non_default_fields) {
      non_default.push_back("values." + path);
    }
  } else {
    document = std::move(std::get<json>(result));
  }
  if (has_query_key(request.query, "fields")) {
    return Reply::json(200,
                       apply_fields(document, query_value(request.query, "fields"), non_default));
  }
  return Reply::json(200, without_paths(std::move(document), non_default));
}

}  // namespace bbp::fake::detail
