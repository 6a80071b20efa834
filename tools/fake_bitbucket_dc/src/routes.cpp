#include "routes.hpp"

#include <array>
#include <utility>

namespace bbp::fake_dc::detail {
namespace {

using nlohmann::json;

// Each REST namespace and the versions that spell it (real clients use both).
constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kVersions = {
    {{"api", "1.0"},
     {"branch-permissions", "2.0"},
     {"keys", "1.0"},
     {"ssh", "1.0"},
     {"default-reviewers", "1.0"},
     {"required-builds", "1.0"},
     {"branch-utils", "1.0"}}};

bool known_version(std::string_view space, std::string_view version) {
  for (const auto& [name, numbered] : kVersions) {
    if (name == space) {
      return version == "latest" || version == numbered;
    }
  }
  return false;
}

// Splits a raw path into decoded segments; a trailing slash is ignored.
std::vector<std::string> segments_of(std::string_view raw_path) {
  std::vector<std::string> segments;
  for (const auto& part : split(raw_path, '/')) {
    if (!part.empty()) {
      segments.push_back(url_decode(part, false));
    }
  }
  return segments;
}

bool match(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
           std::size_t offset, PathParams& params) {
  if (pattern.size() + offset != path.size()) {
    return false;
  }
  params.clear();
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const auto& p = pattern[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      params.emplace(p.substr(1, p.size() - 2), path[i + offset]);
    } else if (p != path[i + offset]) {
      return false;
    }
  }
  return true;
}

Reply no_such_resource() {
  return not_found("The requested resource does not exist.");
}

}  // namespace

ListingCache::Refs ListingCache::get(const std::string& key,
                                     const std::function<std::vector<RepoRef>()>& build) {
  {
    const std::lock_guard lock(mutex_);
    if (const auto it = lists_.find(key); it != lists_.end()) {
      return it->second;
    }
  }
  // Built outside the lock: two callers may build the same list at once, which is harmless.
  auto refs = std::make_shared<const std::vector<RepoRef>>(build());
  const std::lock_guard lock(mutex_);
  return lists_.emplace(key, std::move(refs)).first->second;
}

Router::Router(const Scenario& scenario) : scenario_(scenario) {
  routes_ = core_routes();
  auto plugins = plugin_routes();
  routes_.insert(routes_.end(), plugins.begin(), plugins.end());
  for (const auto& route : routes_) {
    patterns_.push_back(segments_of(route.pattern));
  }
}

Reply Router::dispatch(std::string_view raw_path, const QueryPairs& query, const std::string& base,
                       const User* user) const {
  const auto path = segments_of(raw_path);
  if (path.size() < 3 || path[0] != "rest" || !known_version(path[1], path[2])) {
    return no_such_resource();
  }
  PathParams params;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i].space != path[1] || !match(patterns_[i], path, 3, params)) {
      continue;
    }
    const Access access(user);
    const Render render(scenario_, base);
    const RouteContext ctx{scenario_, access, render, query, params, cache_};
    RouteResult result = routes_[i].handler(ctx);
    if (auto* reply = std::get_if<Reply>(&result)) {
      return std::move(*reply);
    }
    if (auto* document = std::get_if<json>(&result)) {
      return Reply::json(200, *document);
    }
    PageRequest page;
    if (auto error = parse_page_request(query, page)) {
      return std::move(*error);
    }
    return Reply::json(200, make_page(std::get<Listing>(result), page));
  }
  return no_such_resource();
}

Reply not_found(std::string_view message, std::string_view exception) {
  return Reply::json(404, dc_error(message, exception));
}

Reply not_permitted() {
  return Reply::json(401, dc_error("You are not permitted to access this resource",
                                   "com.atlassian.bitbucket.AuthorisationException"));
}

Reply bad_request(std::string_view message) {
  return Reply::json(
      400, dc_error(message, "com.atlassian.bitbucket.validation.ArgumentValidationException"));
}

ProjectLookup find_project(const RouteContext& ctx, Level needed) {
  ProjectLookup lookup;
  const std::string& key = ctx.params.at("projectKey");
  const Project* project = ctx.scenario.find_project(key);
  if (project == nullptr || !ctx.access.sees(*project)) {
    lookup.error = not_found("Project " + key + " does not exist.",
                             "com.atlassian.bitbucket.project.NoSuchProjectException");
  } else if (ctx.access.project(*project) < needed) {
    lookup.error = not_permitted();
  } else {
    lookup.project = project;
  }
  return lookup;
}

RepoLookup find_repo(const RouteContext& ctx, Level needed) {
  RepoLookup lookup;
  const auto project = find_project(ctx, Level::none);
  if (project.error) {
    lookup.error = project.error;
    return lookup;
  }
  const std::string& slug = ctx.params.at("repositorySlug");
  const Repository* repo = project.project->find_repo(slug);
  const Level level =
      repo == nullptr ? Level::none : ctx.access.repository(*project.project, *repo);
  if (level < Level::read) {
    lookup.error =
        not_found("Repository " + ctx.params.at("projectKey") + "/" + slug + " does not exist.",
                  "com.atlassian.bitbucket.repository.NoSuchRepositoryException");
  } else if (level < needed) {
    lookup.error = not_permitted();
  } else {
    lookup.project = project.project;
    lookup.repo = repo;
  }
  return lookup;
}

Listing repo_listing(const RouteContext& ctx, ListingCache::Refs refs) {
  const std::size_t count = refs->size();
  return Listing{count, [&ctx, refs = std::move(refs)](std::size_t i) {
                   const RepoRef& ref = (*refs)[i];
                   const Project& project = ctx.scenario.projects[ref.project];
                   return ctx.render.repository(project, project.repos[ref.repo]);
                 }};
}

}  // namespace bbp::fake_dc::detail
