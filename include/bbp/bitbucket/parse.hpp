// JSON objects from the Bitbucket API → core models. Tolerant by design: unknown fields and
// kinds are ignored, wrong types become "missing" (and thus unknown outcomes), nothing throws.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "bbp/core/models.hpp"

namespace bbp::bitbucket {

// A repository from GET /repositories/{ws}. nullopt when it has no usable slug/full_name.
std::optional<core::Repository> parse_repository(const nlohmann::json& json,
                                                 std::string_view workspace);

// A branch restriction. nullopt when it has no string `kind`.
std::optional<core::BranchRestriction> parse_restriction(const nlohmann::json& json);

// An effective branching model. nullopt when it is not an object with a `development` branch.
std::optional<core::BranchingModel> parse_branching_model(const nlohmann::json& json);

// A deploy key, project deploy key or SSH key. nullopt when it is not an object.
// `created_on` falls back to `added_on`.
std::optional<core::Key> parse_key(const nlohmann::json& json, core::KeyKind kind);

// The workspace slug of a /user/workspaces entry ({"workspace": {"slug": …}}), or of a plain
// workspace object.
std::optional<std::string> parse_workspace_slug(const nlohmann::json& json);

// A webhook (webhook_subscription). Only its URL's scheme and host are kept. nullopt when it
// is not an object.
std::optional<core::Webhook> parse_webhook(const nlohmann::json& json);

// A Pipelines variable ({key, value, secured, uuid}). The value is dropped here: no variable's
// value ever leaves this function. nullopt when it is not an object with a string key.
std::optional<core::PipelineVariable> parse_variable(const nlohmann::json& json,
                                                     core::VariableLevel level);

// A deployment environment's uuid and name; nullopt without a uuid.
struct Environment {
  std::string uuid;
  std::string name;
};
std::optional<Environment> parse_environment(const nlohmann::json& json);

// A workspace membership's user (members and permissions listings); nullopt without a user.
std::optional<core::Member> parse_member(const nlohmann::json& json);

// The scheme (lower case) and host[:port] of a URL, without user information, path or query.
std::pair<std::string, std::string> url_scheme_and_host(std::string_view url);

// Helpers shared by the parsers.
std::optional<std::string> string_at(const nlohmann::json& json, std::string_view key);

}  // namespace bbp::bitbucket
