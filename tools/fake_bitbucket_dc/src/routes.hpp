// The REST route table: /rest/{namespace}/{version}/… paths, their handlers, and the lookups
// and permission checks the handlers share.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "access.hpp"
#include "paging.hpp"
#include "render.hpp"
#include "reply.hpp"
#include "scenario.hpp"
#include "util.hpp"

namespace bbp::fake_dc::detail {

using PathParams = std::map<std::string, std::string, std::less<>>;

// Filtered repository lists, computed once per caller and filter and then shared: the scenario
// never changes, so a page of /repos costs its size, not the number of repositories.
class ListingCache {
 public:
  using Refs = std::shared_ptr<const std::vector<RepoRef>>;
  Refs get(const std::string& key, const std::function<std::vector<RepoRef>()>& build);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, Refs> lists_;
};

struct RouteContext {
  const Scenario& scenario;
  const Access& access;
  const Render& render;
  const QueryPairs& query;
  const PathParams& params;
  ListingCache& cache;
};

// A handler answers with a finished reply (errors), a single JSON document, or a listing that
// the router pages.
using RouteResult = std::variant<Reply, nlohmann::json, Listing>;

struct Route {
  std::string space;    // "api", "branch-permissions", "keys", …
  std::string pattern;  // below the version: "projects/{projectKey}/repos/{repositorySlug}"
  std::function<RouteResult(const RouteContext&)> handler;
};

class Router {
 public:
  explicit Router(const Scenario& scenario);
  // `raw_path` still percent-encoded; `base` is "http://host:port" for links.
  Reply dispatch(std::string_view raw_path, const QueryPairs& query, const std::string& base,
                 const User* user) const;

 private:
  const Scenario& scenario_;
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> patterns_;  // routes_[i].pattern split into segments
  mutable ListingCache cache_;
};

// ----- shared by the handlers -----

Reply not_found(std::string_view message, std::string_view exception = {});
// 401 with AuthorisationException: Data Center's answer to a caller that may see a resource
// but lacks the permission an endpoint needs (also to anonymous callers of user endpoints).
Reply not_permitted();
Reply bad_request(std::string_view message);

struct RepoLookup {
  const Project* project = nullptr;
  const Repository* repo = nullptr;
  std::optional<Reply> error;
};
// {projectKey}/{repositorySlug}: 404 when either does not exist or the caller cannot read it,
// 401 when the caller can read it but has less than `needed`.
RepoLookup find_repo(const RouteContext& ctx, Level needed);

struct ProjectLookup {
  const Project* project = nullptr;
  std::optional<Reply> error;
};
// {projectKey}: 404 when it does not exist or is invisible to the caller, 401 when visible but
// the caller's project level is below `needed` (Level::none: visible is enough).
ProjectLookup find_project(const RouteContext& ctx, Level needed);

// A listing over a cached list of repositories.
Listing repo_listing(const RouteContext& ctx, ListingCache::Refs refs);

// The content of one repository (repo_routes.cpp), for core_routes().
RouteResult get_default_branch(const RouteContext& ctx);
RouteResult list_commits(const RouteContext& ctx);
RouteResult get_pull_request_settings(const RouteContext& ctx);

std::vector<Route> core_routes();    // api/…
std::vector<Route> plugin_routes();  // branch-permissions, keys, ssh, default-reviewers, …

}  // namespace bbp::fake_dc::detail
