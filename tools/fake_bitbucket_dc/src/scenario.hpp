// The scenario model: what the fake Data Center server knows, parsed and validated once, with
// the indexes (user by name, slug and token; project by key; repository by slug) that keep every
// request cheap with thousands of repositories. Never changed after parsing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

namespace bbp::fake_dc::detail {

// A permission on a repository, or the repository-level meaning of a project permission:
// PROJECT_READ ⇒ read, PROJECT_WRITE ⇒ write, PROJECT_ADMIN ⇒ admin (as Data Center derives
// them).
enum class Level { none = 0, read = 1, write = 2, admin = 3 };

// Who holds which level on a project or repository ("group:NAME" keys go to `groups`).
struct Grants {
  std::unordered_map<std::string, Level> users;
  std::unordered_map<std::string, Level> groups;
};

// An SSH public key: a user's own, or the key of an access key.
struct SshKey {
  std::int64_t id = 0;
  std::string label;
  std::string text;
  std::optional<std::string> created;  // RFC 3339; absent for keys made before 8.7
  std::int64_t created_ms = 0;         // `created` in epoch milliseconds, when present
  nlohmann::json overrides;            // fingerprint, algorithmType, bitLength, expiryDays, …
};

struct AccessKey {
  SshKey key;
  std::string permission;  // REPO_READ | REPO_WRITE or PROJECT_READ | PROJECT_WRITE
};

struct Restriction {
  std::int64_t id = 0;
  std::string type;          // read-only | no-deletes | fast-forward-only | pull-request-only
  std::string matcher_type;  // BRANCH | PATTERN | MODEL_CATEGORY | MODEL_BRANCH | ANY_REF
  std::string matcher_id;
  std::string matcher_display;
  std::vector<std::size_t> users;  // indexes into Scenario::users
  std::vector<std::string> groups;
  std::vector<std::int64_t> access_keys;  // ids of the repository's or the project's keys
};

struct LastCommit {
  std::string id;  // 40 hex digits
  std::int64_t committer_timestamp = 0;
  std::int64_t author_timestamp = 0;
  std::string message;
  std::string author_name;
  std::string author_email;
};

struct Repository {
  std::string slug;
  std::int64_t id = 0;
  std::string name;
  std::string description;
  bool is_public = false;
  bool archived = false;
  bool forkable = true;
  std::optional<std::string> default_branch;  // nullopt: an empty repository
  std::optional<LastCommit> last_commit;
  Grants grants;
  std::vector<Restriction> restrictions;
  std::vector<AccessKey> access_keys;
  nlohmann::json pull_request_settings;           // served as given (or the default)
  nlohmann::json default_reviewers;               // array, served as given
  std::optional<nlohmann::json> required_builds;  // nullopt: the add-on is absent
  bool required_builds_singular = false;  // served at …/condition instead of …/conditions
  std::optional<nlohmann::json> branch_model;
};

struct Project {
  std::string key;
  std::int64_t id = 0;
  std::string name;
  std::string description;
  bool is_public = false;
  Grants grants;
  std::vector<Restriction> restrictions;
  std::vector<AccessKey> access_keys;
  std::vector<Repository> repos;
  std::unordered_map<std::string, std::size_t> repo_by_slug;  // lower-case slug
  // Who can see the project through one of its repositories (Data Center shows a project to
  // anyone who can read a repository in it).
  bool any_public_repo = false;
  std::unordered_set<std::string> repo_users;
  std::unordered_set<std::string> repo_groups;

  const Repository* find_repo(std::string_view slug) const;
};

struct User {
  std::string name;
  std::string slug;
  std::string display_name;
  std::string email;
  std::int64_t id = 0;
  bool admin = false;
  std::optional<std::string> password;
  std::vector<std::string> tokens;
  std::vector<SshKey> ssh_keys;
  std::vector<std::string> groups;  // filled from the scenario's "groups"
};

struct RateLimitOptions {
  double capacity = 0;
  double refill_per_second = 0;
};

// HTTP server tuning (scenario key "server"), as in the Cloud fake.
struct ServerOptions {
  std::int64_t threads = 64;  // worker threads = concurrent connections served
  std::int64_t keep_alive_timeout_s = 10;
  std::int64_t keep_alive_max_count = 1000;
};

// A repository by position: Scenario::projects[project].repos[repo].
struct RepoRef {
  std::size_t project = 0;
  std::size_t repo = 0;
};

struct Scenario {
  std::string version = "9.2.3";
  std::string build_number;
  std::string build_date = "1717000000000";
  std::int64_t latency_ms = 0;
  bool anonymous_bearer = true;
  bool key_dates_millis = false;
  int empty_default_branch_status = 404;  // 404 or 204
  std::optional<RateLimitOptions> rate_limit;
  ServerOptions server;
  nlohmann::json faults = nlohmann::json::array();

  std::vector<User> users;
  std::unordered_map<std::string, std::vector<std::string>> groups;  // group → member names
  std::vector<Project> projects;
  std::vector<RepoRef> all_repos;  // every repository, projects in scenario order

  std::unordered_map<std::string, std::size_t> user_by_name;
  std::unordered_map<std::string, std::size_t> user_by_slug;
  std::unordered_map<std::string, std::size_t> user_by_token;
  std::unordered_map<std::string, std::size_t> project_by_key;  // upper-case key

  // Throws std::invalid_argument with a message naming the offending entry.
  static Scenario parse(const nlohmann::json& document);

  const User* find_user_by_name(std::string_view name) const;
  const User* find_user_by_slug(std::string_view slug) const;
  const Project* find_project(std::string_view key) const;
};

// Level of "REPO_READ", "PROJECT_ADMIN", …; nullopt for anything else.
std::optional<Level> level_of(std::string_view permission);

}  // namespace bbp::fake_dc::detail
