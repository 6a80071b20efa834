// The API route table: path patterns, required scopes and handlers for /2.0.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth.hpp"
#include "pagination.hpp"
#include "reply.hpp"
#include "representations.hpp"
#include "scenario.hpp"
#include "util.hpp"

namespace bbp::fake::detail {

// What the router needs to know about an HTTP request.
struct ApiRequest {
  std::string method;
  std::string raw_path;   // as sent, still percent-encoded
  std::string raw_query;  // as sent, without '?'
  QueryPairs query;       // decoded
  std::string authorization;
  std::string url_base;  // "http://host:port", for absolute links
};

using PathParams = std::map<std::string, std::string, std::less<>>;

struct RouteContext {
  const ApiRequest& request;
  const PathParams& params;
  const Scenario& scenario;
  const Representations& render;
};

// A handler answers with a finished reply (errors), a single object, or a collection that
// the router paginates.
using RouteResult = std::variant<Reply, nlohmann::json, Collection>;

struct Route {
  std::string method;
  std::string pattern;              // "/2.0/repositories/{workspace}/{repo_slug}"
  std::optional<ScopeRule> scopes;  // nullopt: removed endpoint (410 Gone)
  std::function<RouteResult(const RouteContext&)> handler;
};

class Router {
 public:
  Router(const Scenario& scenario, const Authenticator& auth);
  Reply dispatch(const ApiRequest& request) const;

 private:
  const Scenario& scenario_;
  const Authenticator& auth_;
  std::vector<Route> routes_;
};

}  // namespace bbp::fake::detail
