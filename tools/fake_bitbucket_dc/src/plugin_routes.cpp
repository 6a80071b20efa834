// The plugin namespaces: branch-permissions, keys, ssh, default-reviewers, required-builds and
// branch-utils.
#include "routes.hpp"

namespace bbp::fake_dc::detail {
namespace {

using nlohmann::json;

// Restrictions matching the spec's optional filters `type`, `matcherType` and `matcherId`.
std::vector<const Restriction*> filtered(const std::vector<Restriction>& all,
                                         const QueryPairs& query) {
  const auto type = query_value(query, "type");
  const auto matcher_type = query_value(query, "matcherType");
  const auto matcher_id = query_value(query, "matcherId");
  std::vector<const Restriction*> out;
  for (const auto& restriction : all) {
    if ((!type || *type == restriction.type) &&
        (!matcher_type || *matcher_type == restriction.matcher_type) &&
        (!matcher_id || *matcher_id == restriction.matcher_id)) {
      out.push_back(&restriction);
    }
  }
  return out;
}

RouteResult repo_restrictions(const RouteContext& ctx) {
  const auto lookup = find_repo(ctx, Level::admin);
  if (lookup.error) {
    return *lookup.error;
  }
  auto selected = filtered(lookup.repo->restrictions, ctx.query);
  return Listing{selected.size(), [&ctx, lookup, selected](std::size_t i) {
                   return ctx.render.restriction(*lookup.project, lookup.repo, *selected[i]);
                 }};
}

RouteResult project_restrictions(const RouteContext& ctx) {
  const auto lookup = find_project(ctx, Level::admin);
  if (lookup.error) {
    return *lookup.error;
  }
  auto selected = filtered(lookup.project->restrictions, ctx.query);
  return Listing{selected.size(), [&ctx, lookup, selected](std::size_t i) {
                   return ctx.render.restriction(*lookup.project, nullptr, *selected[i]);
                 }};
}

RouteResult repo_access_keys(const RouteContext& ctx) {
  const auto lookup = find_repo(ctx, Level::admin);
  if (lookup.error) {
    return *lookup.error;
  }
  return Listing{lookup.repo->access_keys.size(), [&ctx, lookup](std::size_t i) {
                   return ctx.render.access_key(*lookup.project, lookup.repo,
                                                lookup.repo->access_keys[i]);
                 }};
}

RouteResult project_access_keys(const RouteContext& ctx) {
  const auto lookup = find_project(ctx, Level::admin);
  if (lookup.error) {
    return *lookup.error;
  }
  return Listing{lookup.project->access_keys.size(), [&ctx, lookup](std::size_t i) {
                   return ctx.render.access_key(*lookup.project, nullptr,
                                                lookup.project->access_keys[i]);
                 }};
}

// The caller's own keys, or (global admins only) those of `userName` / `user`.
RouteResult user_keys(const RouteContext& ctx) {
  const User* caller = ctx.access.user();
  if (caller == nullptr) {
    return not_permitted();
  }
  auto name = query_value(ctx.query, "userName");
  if (!name) {
    name = query_value(ctx.query, "user");
  }
  const User* owner = caller;
  if (name && *name != caller->name && *name != caller->slug) {
    if (!caller->admin) {
      return not_permitted();
    }
    owner = ctx.scenario.find_user_by_name(*name);
    owner = owner != nullptr ? owner : ctx.scenario.find_user_by_slug(*name);
    if (owner == nullptr) {
      return not_found("User " + *name + " does not exist.",
                       "com.atlassian.bitbucket.user.NoSuchUserException");
    }
  }
  return Listing{owner->ssh_keys.size(),
                 [&ctx, owner](std::size_t i) { return ctx.render.ssh_key(owner->ssh_keys[i]); }};
}

RouteResult default_reviewers(const RouteContext& ctx) {
  const auto lookup = find_repo(ctx, Level::read);
  if (lookup.error) {
    return *lookup.error;
  }
  return lookup.repo->default_reviewers;  // a plain array, as the spec describes it
}

// The required-builds add-on answers on one spelling: …/conditions (current) or …/condition
// (older servers); the other, and both when the add-on is absent, are 404.
RouteResult required_builds(const RouteContext& ctx, bool singular) {
  const auto lookup = find_repo(ctx, Level::read);
  if (lookup.error) {
    return *lookup.error;
  }
  const Repository& repo = *lookup.repo;
  if (!repo.required_builds || repo.required_builds_singular != singular) {
    return not_found("The requested resource does not exist.");
  }
  const json& conditions = *repo.required_builds;
  return Listing{conditions.size(), [&conditions](std::size_t i) { return conditions[i]; }};
}

RouteResult branch_model(const RouteContext& ctx) {
  const auto lookup = find_repo(ctx, Level::read);
  if (lookup.error) {
    return *lookup.error;
  }
  if (!lookup.repo->branch_model) {
    return not_found("Repository " + lookup.project->key + "/" + lookup.repo->slug +
                     " has no branching model.");
  }
  return *lookup.repo->branch_model;
}

}  // namespace

std::vector<Route> plugin_routes() {
  const std::string project = "projects/{projectKey}";
  const std::string repo = project + "/repos/{repositorySlug}";
  return {
      {"branch-permissions", repo + "/restrictions", repo_restrictions},
      {"branch-permissions", project + "/restrictions", project_restrictions},
      {"keys", repo + "/ssh", repo_access_keys},
      {"keys", project + "/ssh", project_access_keys},
      {"ssh", "keys", user_keys},
      {"default-reviewers", repo + "/conditions", default_reviewers},
      {"required-builds", repo + "/conditions",
       [](const RouteContext& ctx) { return required_builds(ctx, false); }},
      {"required-builds", repo + "/condition",
       [](const RouteContext& ctx) { return required_builds(ctx, true); }},
      {"branch-utils", repo + "/branchmodel", branch_model},
  };
}

}  // namespace bbp::fake_dc::detail
