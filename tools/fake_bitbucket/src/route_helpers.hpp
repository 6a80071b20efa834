// Lookups and collection builders shared by the route handlers (routes.cpp and
// extended_routes.cpp).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "routes.hpp"

namespace bbp::fake::detail {

Reply not_found(std::string_view message);
// 404 "No workspace with identifier '…'."
Reply no_workspace(std::string_view id);

// Looks up {workspace} and {repo_slug}; on failure `error` holds the 404.
struct RepoLookup {
  const Workspace* workspace = nullptr;
  const Repository* repo = nullptr;
  std::optional<Reply> error;
};
RepoLookup find_repo(const RouteContext& ctx);

// A collection over a subset of indexes of some array.
Collection indexed(std::vector<std::size_t> indexes,
                   std::function<nlohmann::json(std::size_t)> render);
std::vector<std::size_t> all_indexes(std::size_t count);

bool string_field_equals(const nlohmann::json& object, const char* key,
                         const std::string& expected);

// The routes of the extended rule pack: webhooks, pipeline variables, deployment environments,
// the Pipelines configuration, workspace members and workspace permissions.
std::vector<Route> extended_routes();

// The write routes: branch restrictions (create, update, delete), repository settings
// (`is_private`, `fork_policy`) and the deletion of repository and project deploy keys.
std::vector<Route> write_routes();

}  // namespace bbp::fake::detail
