// The scenario model: what the fake server knows, parsed and validated from JSON once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace bbp::fake::detail {

using Scopes = std::vector<std::string>;

struct OAuthClient {
  std::string client_id;
  std::string client_secret;
  Scopes scopes;
  std::int64_t expires_in = 7200;
  bool is_public = false;  // client credentials are refused for public consumers
};

struct AccessToken {  // repository/project/workspace access token, sent as Bearer
  std::string token;
  Scopes scopes;
};

struct ApiToken {  // Atlassian API token, sent as Basic email:token, granular scopes
  std::string email;
  std::string token;
  Scopes scopes;
};

struct AppPassword {  // legacy app password, sent as Basic username:password, classic scopes
  std::string username;
  std::string password;
  Scopes scopes;
};

struct Project {
  std::string key;
  std::string uuid;
  std::string name;
  nlohmann::json spec;         // the scenario entry, for overrides
  nlohmann::json deploy_keys;  // array of raw project_deploy_key objects
};

struct Repository {
  std::string slug;
  std::string uuid;
  std::string name;
  std::optional<std::string> project_key;  // a key of the workspace's projects
  nlohmann::json spec;                     // the scenario entry, for overrides
  nlohmann::json mainbranch;               // null (empty repository) or {"name","type"}
  nlohmann::json branch_restrictions;      // array of raw objects
  nlohmann::json deploy_keys;              // array of raw objects
  std::optional<nlohmann::json> branching_model;
  std::string fork_policy = "allow_forks";  // allow_forks | no_public_forks | no_forks
  nlohmann::json hooks;                     // array of raw webhook_subscription objects
  nlohmann::json pipeline_variables;        // array of {key, value, secured[, uuid]}
  nlohmann::json environments;  // array of {uuid, name, environment_type, variables: [...]}
  bool pipelines_enabled = true;

  // By "{uuid}" (braces optional); nullptr when unknown.
  const nlohmann::json* find_environment(std::string_view id) const;
};

// A workspace member as /members and /permissions return it.
struct Member {
  nlohmann::json user;     // raw account object; may carry has_2fa_enabled
  std::string permission;  // owner | collaborator | member
};

struct Workspace {
  std::string slug;
  std::string uuid;
  std::string name;
  bool administrator = true;                 // reported by /user/workspaces; false: not an owner
  std::string forking_mode = "allow_forks";  // allow_forks | internal_only
  bool members_2fa_visible = true;           // may the caller see user.has_2fa_enabled?
  nlohmann::json hooks;                      // array of raw webhook_subscription objects
  nlohmann::json pipeline_variables;         // array of {key, value, secured[, uuid]}
  std::vector<Member> members;
  nlohmann::json spec;
  std::vector<Project> projects;
  std::vector<Repository> repositories;

  const Project* find_project(std::string_view key) const;
  Project* find_project(std::string_view key);
  // By slug or by "{uuid}".
  const Repository* find_repository(std::string_view slug_or_uuid) const;
  Repository* find_repository(std::string_view slug_or_uuid);
};

// HTTP server tuning (scenario key "server").
struct ServerOptions {
  std::int64_t threads = 64;  // worker threads = concurrent connections served
  std::int64_t keep_alive_timeout_s = 10;
  std::int64_t keep_alive_max_count = 1000;  // requests per connection before it is closed
};

struct Scenario {
  std::vector<OAuthClient> oauth_clients;
  std::vector<AccessToken> access_tokens;
  std::vector<ApiToken> api_tokens;
  std::vector<AppPassword> app_passwords;
  nlohmann::json user;      // the caller, as /user returns it
  nlohmann::json ssh_keys;  // array of raw ssh_key objects
  std::vector<Workspace> workspaces;
  nlohmann::json faults;  // validated by the fault injector
  std::int64_t latency_ms = 0;
  ServerOptions server;
  // The id the next branch restriction created by a write (or a drift fault) gets: above every
  // integer id and every position-derived id of the scenario's restrictions.
  std::int64_t next_restriction_id = 1;

  // Throws std::invalid_argument with a message naming the offending entry.
  static Scenario parse(const nlohmann::json& document);

  // By slug or by "{uuid}".
  const Workspace* find_workspace(std::string_view slug_or_uuid) const;
  Workspace* find_workspace(std::string_view slug_or_uuid);
  std::string user_uuid() const;
};

}  // namespace bbp::fake::detail
