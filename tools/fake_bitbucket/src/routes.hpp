// The API route table: path patterns, required scopes and handlers for /2.0.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <shared_mutex>
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
  std::string body;      // the request body, as sent (writes)
};

using PathParams = std::map<std::string, std::string, std::less<>>;

struct RouteContext {
  const ApiRequest& request;
  const PathParams& params;
  const Scenario& scenario;
  const Representations& render;
  const Principal& principal;
  Scenario* state = nullptr;  // the same scenario, writable: set for write routes only
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

// Routes requests to handlers. The scenario is the server's state: reads share it, writes and
// drift faults change it one at a time (a readers-writer lock held for the whole answer, so a
// page is never built from a half-changed list).
class Router {
 public:
  Router(Scenario& scenario, const Authenticator& auth);
  Reply dispatch(const ApiRequest& request) const;

  // Throws std::invalid_argument when a drift fault's repository is not in the scenario.
  void check_drift(const nlohmann::json& change) const;
  // Applies a drift fault's change to the state.
  void apply_drift(const nlohmann::json& change) const;

 private:
  Reply answer(const ApiRequest& request, const Route& route, const PathParams& params,
               const Principal& principal) const;

  Scenario& scenario_;
  const Authenticator& auth_;
  std::vector<Route> routes_;
  mutable std::shared_mutex state_mutex_;
};

}  // namespace bbp::fake::detail
