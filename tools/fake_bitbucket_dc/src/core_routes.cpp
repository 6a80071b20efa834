// The api/… namespace: server properties, users, projects, repositories and their content.
#include "routes.hpp"

namespace bbp::fake_dc::detail {
namespace {

using nlohmann::json;

RouteResult application_properties(const RouteContext& ctx) {
  return json{{"version", ctx.scenario.version},
              {"buildNumber", ctx.scenario.build_number},
              {"buildDate", ctx.scenario.build_date},
              {"displayName", "Bitbucket"}};
}

// Users whose name, display name or e-mail contains `filter` (case-insensitive).
RouteResult list_users(const RouteContext& ctx, bool detailed) {
  const User* caller = ctx.access.user();
  if (caller == nullptr || (detailed && !caller->admin)) {
    return not_permitted();
  }
  const std::string filter = query_value(ctx.query, "filter").value_or("");
  std::vector<std::size_t> matching;
  for (std::size_t i = 0; i < ctx.scenario.users.size(); ++i) {
    const User& user = ctx.scenario.users[i];
    if (filter.empty() || icontains(user.name, filter) || icontains(user.display_name, filter) ||
        icontains(user.email, filter)) {
      matching.push_back(i);
    }
  }
  return Listing{matching.size(), [&ctx, detailed, matching](std::size_t i) {
                   const User& user = ctx.scenario.users[matching[i]];
                   return detailed ? ctx.render.detailed_user(user) : ctx.render.user(user);
                 }};
}

RouteResult get_user(const RouteContext& ctx) {
  if (ctx.access.user() == nullptr) {
    return not_permitted();
  }
  const std::string& slug = ctx.params.at("userSlug");
  const User* user = ctx.scenario.find_user_by_slug(slug);
  if (user == nullptr) {
    return not_found("User " + slug + " does not exist.",
                     "com.atlassian.bitbucket.user.NoSuchUserException");
  }
  return ctx.render.user(*user);
}

RouteResult list_projects(const RouteContext& ctx) {
  const auto wanted = query_value(ctx.query, "permission");
  const auto needed = wanted ? level_of(*wanted) : std::optional<Level>(Level::none);
  if (!needed) {
    return bad_request("permission must be PROJECT_READ, PROJECT_WRITE or PROJECT_ADMIN");
  }
  std::vector<std::size_t> visible;
  for (std::size_t i = 0; i < ctx.scenario.projects.size(); ++i) {
    const Project& project = ctx.scenario.projects[i];
    if (ctx.access.sees(project) && ctx.access.project(project) >= *needed) {
      visible.push_back(i);
    }
  }
  return Listing{visible.size(), [&ctx, visible](std::size_t i) {
                   return ctx.render.project(ctx.scenario.projects[visible[i]]);
                 }};
}

RouteResult get_project(const RouteContext& ctx) {
  const auto lookup = find_project(ctx, Level::none);
  if (lookup.error) {
    return *lookup.error;
  }
  return ctx.render.project(*lookup.project);
}

struct RepoFilter {
  std::string archived = "ACTIVE";  // ACTIVE | ARCHIVED | ALL
  std::string visibility;           // "" | public | private
  std::string project_key;          // "" = every project
  Level needed = Level::read;
};

// Reads /repos' filters; a 400 reply for a value outside its enum.
std::optional<Reply> parse_repo_filter(const QueryPairs& query, RepoFilter& filter) {
  filter.archived = to_lower(query_value(query, "archived").value_or("ACTIVE"));
  if (filter.archived != "active" && filter.archived != "archived" && filter.archived != "all") {
    return bad_request("archived must be ACTIVE, ARCHIVED or ALL");
  }
  filter.visibility = to_lower(query_value(query, "visibility").value_or(""));
  if (!filter.visibility.empty() && filter.visibility != "public" &&
      filter.visibility != "private") {
    return bad_request("visibility must be public or private");
  }
  filter.project_key = query_value(query, "projectkey").value_or("");
  if (const auto permission = query_value(query, "permission")) {
    const auto level = level_of(*permission);
    if (!level || permission->rfind("REPO_", 0) != 0) {
      return bad_request("permission must be REPO_READ, REPO_WRITE or REPO_ADMIN");
    }
    filter.needed = *level;
  }
  return std::nullopt;
}

bool passes(const RepoFilter& filter, const Access& access, const Project& project,
            const Repository& repo) {
  if ((filter.archived == "active" && repo.archived) ||
      (filter.archived == "archived" && !repo.archived)) {
    return false;
  }
  // The effective visibility: a repository is public on its own or through its project.
  const bool is_public = repo.is_public || project.is_public;
  if ((filter.visibility == "public" && !is_public) ||
      (filter.visibility == "private" && is_public)) {
    return false;
  }
  return access.repository(project, repo) >= filter.needed;
}

RouteResult list_all_repos(const RouteContext& ctx) {
  RepoFilter filter;
  if (auto error = parse_repo_filter(ctx.query, filter)) {
    return std::move(*error);
  }
  const User* user = ctx.access.user();
  const std::string key = "repos\n" + (user == nullptr ? std::string("\n") : user->name) + "\n" +
                          filter.archived + "\n" + filter.visibility + "\n" + filter.project_key +
                          "\n" + std::to_string(static_cast<int>(filter.needed));
  auto refs = ctx.cache.get(key, [&ctx, &filter] {
    std::vector<RepoRef> selected;
    const Project* only =
        filter.project_key.empty() ? nullptr : ctx.scenario.find_project(filter.project_key);
    if (!filter.project_key.empty() && only == nullptr) {
      return selected;
    }
    for (const RepoRef& ref : ctx.scenario.all_repos) {
      const Project& project = ctx.scenario.projects[ref.project];
      if ((only == nullptr || only == &project) &&
          passes(filter, ctx.access, project, project.repos[ref.repo])) {
        selected.push_back(ref);
      }
    }
    return selected;
  });
  return repo_listing(ctx, std::move(refs));
}

// Every repository of the project the caller can read, archived or not (the endpoint has no
// `archived` parameter).
RouteResult list_project_repos(const RouteContext& ctx) {
  const auto lookup = find_project(ctx, Level::none);
  if (lookup.error) {
    return *lookup.error;
  }
  const User* user = ctx.access.user();
  const std::string key = "project-repos\n" + (user == nullptr ? std::string("\n") : user->name) +
                          "\n" + lookup.project->key;
  const Project* project = lookup.project;
  const auto index = static_cast<std::size_t>(project - ctx.scenario.projects.data());
  auto refs = ctx.cache.get(key, [&ctx, project, index] {
    std::vector<RepoRef> selected;
    for (std::size_t r = 0; r < project->repos.size(); ++r) {
      if (ctx.access.repository(*project, project->repos[r]) >= Level::read) {
        selected.push_back(RepoRef{index, r});
      }
    }
    return selected;
  });
  return repo_listing(ctx, std::move(refs));
}

RouteResult get_repo(const RouteContext& ctx) {
  const auto lookup = find_repo(ctx, Level::read);
  if (lookup.error) {
    return *lookup.error;
  }
  return ctx.render.repository(*lookup.project, *lookup.repo);
}

}  // namespace

std::vector<Route> core_routes() {
  const std::string repo = "projects/{projectKey}/repos/{repositorySlug}";
  return {
      {"api", "application-properties", application_properties},
      {"api", "users", [](const RouteContext& ctx) { return list_users(ctx, false); }},
      {"api", "users/{userSlug}", get_user},
      {"api", "admin/users", [](const RouteContext& ctx) { return list_users(ctx, true); }},
      {"api", "projects", list_projects},
      {"api", "projects/{projectKey}", get_project},
      {"api", "repos", list_all_repos},
      {"api", "projects/{projectKey}/repos", list_project_repos},
      {"api", repo, get_repo},
      {"api", repo + "/default-branch", get_default_branch},
      {"api", repo + "/branches/default", get_default_branch},
      {"api", repo + "/commits", list_commits},
      {"api", repo + "/settings/pull-requests", get_pull_request_settings},
  };
}

}  // namespace bbp::fake_dc::detail
