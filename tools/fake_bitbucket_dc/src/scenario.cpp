#include "scenario.hpp"

#include <algorithm>
#include <cctype>

#include "scenario_access.hpp"
#include "scenario_fields.hpp"
#include "util.hpp"

namespace bbp::fake_dc::detail {
namespace {

using nlohmann::json;

// Ids given to entries that have none: far above hand-written ones.
constexpr std::int64_t kFirstGeneratedId = 1000000;

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// What a repository with no pull-request settings of its own serves: nothing required.
json default_pull_request_settings() {
  const json strategy = {
      {"id", "no-ff"}, {"name", "Merge commit"}, {"enabled", true}, {"flag", "--no-ff"}};
  return {{"mergeConfig",
           {{"defaultStrategy", strategy},
            {"strategies", json::array({strategy})},
            {"type", "DEFAULT"}}},
          {"requiredAllApprovers", false},
          {"requiredAllTasksComplete", false},
          {"requiredApprovers", {{"enabled", false}, {"count", 0}}},
          {"requiredSuccessfulBuilds", {{"enabled", false}, {"count", 0}}},
          {"unapproveOnUpdate", false}};
}

// "9.2.3" → "9002003", the way Data Center numbers its builds.
std::string build_number_of(const std::string& version) {
  std::string number;
  for (const auto& part : split(version, '.')) {
    const bool numeric = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
    if (!numeric) {
      return "0";
    }
    std::string padded =
        number.empty() ? part : std::string(3 - std::min<std::size_t>(3, part.size()), '0') + part;
    number += padded;
  }
  return number;
}

class Parser {
 public:
  explicit Parser(Scenario& scenario) : s_(scenario) {}

  void options(const json& doc);
  void users(const json& doc);
  void groups(const json& doc);
  void projects(const json& doc);

 private:
  Project project(const json& entry, const std::string& where);
  Repository repository(const json& entry, const Project& project, const std::string& where);
  void repository_content(const json& entry, Repository& repo, const std::string& where);
  void repository_plugins(const json& entry, Repository& repo, const std::string& where);

  Scenario& s_;
  std::int64_t next_id_ = kFirstGeneratedId;
};

void Parser::options(const json& doc) {
  const std::string where = "scenario";
  s_.version = string_field(doc, "version", where, s_.version);
  s_.build_number = build_number_of(s_.version);
  s_.build_date = string_field(doc, "build_date", where, s_.build_date);
  s_.latency_ms = int_field(doc, "latency_ms", where, 0);
  s_.anonymous_bearer = bool_field(doc, "anonymous_bearer", where, true);
  const std::string dates = string_field(doc, "key_dates", where, "iso");
  if (dates != "iso" && dates != "millis") {
    scenario_error(where, R"("key_dates" must be "iso" or "millis")");
  }
  s_.key_dates_millis = dates == "millis";
  s_.empty_default_branch_status =
      static_cast<int>(int_field(doc, "empty_default_branch_status", where, 404));
  if (s_.empty_default_branch_status != 404 && s_.empty_default_branch_status != 204) {
    scenario_error(where, R"("empty_default_branch_status" must be 404 or 204)");
  }
  if (const auto* limit = member(doc, "rate_limit"); limit != nullptr && !limit->is_null()) {
    const auto* capacity = member(*limit, "capacity");
    const auto* refill = member(*limit, "refill_per_second");
    if (!limit->is_object() || capacity == nullptr || !capacity->is_number() ||
        capacity->get<double>() < 1 || refill == nullptr || !refill->is_number() ||
        refill->get<double>() <= 0) {
      scenario_error("rate_limit", R"(needs "capacity" >= 1 and "refill_per_second" > 0)");
    }
    s_.rate_limit = RateLimitOptions{capacity->get<double>(), refill->get<double>()};
  }
  if (const auto* server = member(doc, "server"); server != nullptr) {
    s_.server.threads = int_field(*server, "threads", "server", s_.server.threads, 16);
    s_.server.keep_alive_timeout_s =
        int_field(*server, "keep_alive_timeout_s", "server", s_.server.keep_alive_timeout_s, 1);
    s_.server.keep_alive_max_count =
        int_field(*server, "keep_alive_max_count", "server", s_.server.keep_alive_max_count, 1);
  }
  s_.faults = array_field(doc, "faults", where);
}

void Parser::users(const json& doc) {
  const json& users = array_field(doc, "users", "scenario");
  for (std::size_t i = 0; i < users.size(); ++i) {
    const std::string where = "users[" + std::to_string(i) + "]";
    const json& entry = users[i];
    if (!entry.is_object()) {
      scenario_error(where, "must be an object");
    }
    User user;
    user.name = string_field(entry, "name", where);
    user.slug = string_field(entry, "slug", where, to_lower(user.name));
    user.display_name = string_field(entry, "display_name", where, user.name);
    user.email = string_field(entry, "email", where, user.name + "@example.com");
    user.id = int_field(entry, "id", where, static_cast<std::int64_t>(i) + 1, 1);
    user.admin = bool_field(entry, "admin", where, false);
    if (member(entry, "password") != nullptr) {
      user.password = string_field(entry, "password", where);
    }
    for (const auto& token : array_field(entry, "tokens", where)) {
      if (!token.is_string() || token.get<std::string>().empty()) {
        scenario_error(where, "\"tokens\" must hold non-empty strings");
      }
      if (!s_.user_by_token.emplace(token.get<std::string>(), i).second) {
        scenario_error(where, "a token is used twice");
      }
      user.tokens.push_back(token.get<std::string>());
    }
    const json& keys = array_field(entry, "ssh_keys", where);
    for (std::size_t k = 0; k < keys.size(); ++k) {
      user.ssh_keys.push_back(
          parse_ssh_key(keys[k], where + ".ssh_keys[" + std::to_string(k) + "]", next_id_));
    }
    if (!s_.user_by_name.emplace(user.name, i).second ||
        !s_.user_by_slug.emplace(user.slug, i).second) {
      scenario_error(where, "duplicate user name or slug \"" + user.name + "\"");
    }
    s_.users.push_back(std::move(user));
  }
}

void Parser::groups(const json& doc) {
  const auto* groups = member(doc, "groups");
  if (groups == nullptr) {
    return;
  }
  if (!groups->is_object()) {
    scenario_error("groups", "must be an object of member-name arrays");
  }
  for (const auto& [group, members] : groups->items()) {
    const std::string where = "groups." + group;
    if (!members.is_array()) {
      scenario_error(where, "must be an array of user names");
    }
    auto& names = s_.groups[group];
    for (const auto& name : members) {
      const auto it =
          name.is_string() ? s_.user_by_name.find(name.get<std::string>()) : s_.user_by_name.end();
      if (it == s_.user_by_name.end()) {
        scenario_error(where, "unknown user " + name.dump());
      }
      names.push_back(name.get<std::string>());
      s_.users[it->second].groups.push_back(group);
    }
  }
}

void Parser::projects(const json& doc) {
  const json& projects = array_field(doc, "projects", "scenario");
  s_.projects.reserve(projects.size());
  for (std::size_t i = 0; i < projects.size(); ++i) {
    Project parsed = project(projects[i], "projects[" + std::to_string(i) + "]");
    if (!s_.project_by_key.emplace(upper(parsed.key), i).second) {
      scenario_error("projects[" + std::to_string(i) + "]", "duplicate key \"" + parsed.key + "\"");
    }
    for (std::size_t r = 0; r < parsed.repos.size(); ++r) {
      s_.all_repos.push_back(RepoRef{i, r});
    }
    s_.projects.push_back(std::move(parsed));
  }
}

Project Parser::project(const json& entry, const std::string& where) {
  if (!entry.is_object()) {
    scenario_error(where, "must be an object");
  }
  Project project;
  project.key = string_field(entry, "key", where);
  const std::string named = where + " (" + project.key + ")";
  project.id = int_field(entry, "id", named, next_id_++, 1);
  project.name = string_field(entry, "name", named, project.key);
  project.description = string_field(entry, "description", named, "");
  project.is_public = bool_field(entry, "public", named, false);
  const auto* permissions = member(entry, "permissions");
  project.grants =
      parse_grants(permissions == nullptr ? json() : *permissions, s_, Scope::project, named);
  project.access_keys =
      parse_access_keys(array_field(entry, "access_keys", named), Scope::project, named, next_id_);
  project.restrictions = parse_restrictions(array_field(entry, "restrictions", named), s_,
                                            {&project.access_keys}, named, next_id_);
  const json& repos = array_field(entry, "repos", named);
  project.repos.reserve(repos.size());
  for (std::size_t r = 0; r < repos.size(); ++r) {
    Repository repo = repository(repos[r], project, named + ".repos[" + std::to_string(r) + "]");
    if (!project.repo_by_slug.emplace(to_lower(repo.slug), project.repos.size()).second) {
      scenario_error(named, "duplicate repository slug \"" + repo.slug + "\"");
    }
    project.any_public_repo = project.any_public_repo || repo.is_public;
    for (const auto& [user, level] : repo.grants.users) {
      project.repo_users.insert(user);
    }
    for (const auto& [group, level] : repo.grants.groups) {
      project.repo_groups.insert(group);
    }
    project.repos.push_back(std::move(repo));
  }
  return project;
}

Repository Parser::repository(const json& entry, const Project& project, const std::string& where) {
  if (!entry.is_object()) {
    scenario_error(where, "must be an object");
  }
  Repository repo;
  repo.slug = string_field(entry, "slug", where);
  const std::string named = where + " (" + project.key + "/" + repo.slug + ")";
  repo.id = int_field(entry, "id", named, next_id_++, 1);
  repo.name = string_field(entry, "name", named, repo.slug);
  repo.description = string_field(entry, "description", named, "");
  repo.is_public = bool_field(entry, "public", named, false);
  repo.archived = bool_field(entry, "archived", named, false);
  repo.forkable = bool_field(entry, "forkable", named, true);
  const auto* permissions = member(entry, "permissions");
  repo.grants =
      parse_grants(permissions == nullptr ? json() : *permissions, s_, Scope::repository, named);
  repo.access_keys = parse_access_keys(array_field(entry, "access_keys", named), Scope::repository,
                                       named, next_id_);
  repo.restrictions =
      parse_restrictions(array_field(entry, "restrictions", named), s_,
                         {&repo.access_keys, &project.access_keys}, named, next_id_);
  repository_content(entry, repo, named);
  repository_plugins(entry, repo, named);
  return repo;
}

// The default branch and the latest commit on it.
void Parser::repository_content(const json& entry, Repository& repo, const std::string& where) {
  const auto* branch = member(entry, "default_branch");
  if (branch == nullptr) {
    repo.default_branch = "main";
  } else if (!branch->is_null()) {
    repo.default_branch = string_field(entry, "default_branch", where);
  }
  const auto* commit = member(entry, "last_commit");
  if (commit == nullptr || commit->is_null()) {
    return;
  }
  if (!repo.default_branch) {
    scenario_error(where, "an empty repository (default_branch null) has no last_commit");
  }
  if (!commit->is_object()) {
    scenario_error(where, "\"last_commit\" must be an object");
  }
  const std::string commit_where = where + ".last_commit";
  LastCommit last;
  last.id = string_field(*commit, "id", commit_where);
  if (last.id.size() != 40 || !std::all_of(last.id.begin(), last.id.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) != 0;
      })) {
    scenario_error(commit_where, "\"id\" must be 40 hexadecimal digits");
  }
  last.committer_timestamp = int_field(*commit, "committer_timestamp", commit_where, 0);
  last.author_timestamp =
      int_field(*commit, "author_timestamp", commit_where, last.committer_timestamp);
  last.message = string_field(*commit, "message", commit_where, "Update");
  last.author_name = string_field(*commit, "author_name", commit_where, "admin");
  last.author_email = string_field(*commit, "author_email", commit_where, "admin@example.com");
  repo.last_commit = std::move(last);
}

// Settings served as written: pull requests, default reviewers, required builds, branch model.
void Parser::repository_plugins(const json& entry, Repository& repo, const std::string& where) {
  const auto* settings = member(entry, "pull_request_settings");
  repo.pull_request_settings =
      settings == nullptr || settings->is_null() ? default_pull_request_settings() : *settings;
  if (!repo.pull_request_settings.is_object()) {
    scenario_error(where, "\"pull_request_settings\" must be an object");
  }
  repo.default_reviewers = array_field(entry, "default_reviewers", where);
  const auto* builds = member(entry, "required_builds");
  if (builds == nullptr) {
    repo.required_builds = json::array();
  } else if (!builds->is_null()) {
    repo.required_builds = array_field(entry, "required_builds", where);
  }
  const std::string path = string_field(entry, "required_builds_path", where, "conditions");
  if (path != "conditions" && path != "condition") {
    scenario_error(where, R"("required_builds_path" must be "conditions" or "condition")");
  }
  repo.required_builds_singular = path == "condition";
  if (const auto* model = member(entry, "branch_model"); model != nullptr && !model->is_null()) {
    if (!model->is_object()) {
      scenario_error(where, "\"branch_model\" must be an object or null");
    }
    repo.branch_model = *model;
  }
}

}  // namespace

Scenario Scenario::parse(const json& document) {
  if (!document.is_object()) {
    throw std::invalid_argument("scenario: the document must be a JSON object");
  }
  Scenario scenario;
  Parser parser(scenario);
  parser.options(document);
  parser.users(document);
  parser.groups(document);
  parser.projects(document);
  return scenario;
}

const User* Scenario::find_user_by_name(std::string_view name) const {
  const auto it = user_by_name.find(std::string(name));
  return it == user_by_name.end() ? nullptr : &users[it->second];
}

const User* Scenario::find_user_by_slug(std::string_view slug) const {
  const auto it = user_by_slug.find(std::string(slug));
  return it == user_by_slug.end() ? nullptr : &users[it->second];
}

const Project* Scenario::find_project(std::string_view key) const {
  const auto it = project_by_key.find(upper(key));
  return it == project_by_key.end() ? nullptr : &projects[it->second];
}

const Repository* Project::find_repo(std::string_view slug) const {
  const auto it = repo_by_slug.find(to_lower(slug));
  return it == repo_by_slug.end() ? nullptr : &repos[it->second];
}

std::optional<Level> level_of(std::string_view permission) {
  if (permission == "REPO_READ" || permission == "PROJECT_READ") {
    return Level::read;
  }
  if (permission == "REPO_WRITE" || permission == "PROJECT_WRITE") {
    return Level::write;
  }
  if (permission == "REPO_ADMIN" || permission == "PROJECT_ADMIN") {
    return Level::admin;
  }
  return std::nullopt;
}

}  // namespace bbp::fake_dc::detail
