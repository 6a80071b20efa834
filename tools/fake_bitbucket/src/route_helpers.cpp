#include "route_helpers.hpp"

namespace bbp::fake::detail {

using nlohmann::json;

Reply not_found(std::string_view message) {
  return Reply::json(404, error_body(message));
}

Reply no_workspace(std::string_view id) {
  return not_found("No workspace with identifier '" + std::string(id) + "'.");
}

RepoLookup find_repo(const RouteContext& ctx) {
  RepoLookup lookup;
  lookup.workspace = ctx.scenario.find_workspace(ctx.params.at("workspace"));
  if (lookup.workspace != nullptr) {
    lookup.repo = lookup.workspace->find_repository(ctx.params.at("repo_slug"));
  }
  if (lookup.repo == nullptr) {
    lookup.error = not_found("Repository not found");
  }
  return lookup;
}

// A collection over a subset of indexes of some array.
Collection indexed(std::vector<std::size_t> indexes, std::function<json(std::size_t)> render) {
  const std::size_t count = indexes.size();
  return Collection{count,
                    [indexes = std::move(indexes), render = std::move(render)](std::size_t i) {
                      return render(indexes[i]);
                    },
                    {}};
}

std::vector<std::size_t> all_indexes(std::size_t count) {
  std::vector<std::size_t> indexes(count);
  for (std::size_t i = 0; i < count; ++i) {
    indexes[i] = i;
  }
  return indexes;
}

bool string_field_equals(const json& object, const char* key, const std::string& expected) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() && it->get<std::string>() == expected;
}

}  // namespace bbp::fake::detail
