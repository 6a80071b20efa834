#include "render.hpp"

#include <array>
#include <cstdint>

#include "util.hpp"

namespace bbp::fake_dc::detail {
namespace {

using nlohmann::json;

// A stable, made-up SHA256-style fingerprint of a key's text (the fake does not hash keys).
std::string fingerprint_of(std::string_view text) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::uint64_t hash = 14695981039346656037ULL;
  std::string out = "SHA256:";
  for (std::size_t i = 0; i < 43; ++i) {
    for (const char c : text) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 1099511628211ULL;
    }
    hash ^= i;
    out.push_back(kAlphabet[hash % kAlphabet.size()]);
  }
  return out;
}

// The algorithm and size Data Center reports for a key, from its type prefix.
std::pair<std::string, int> algorithm_of(std::string_view text) {
  if (text.rfind("ssh-ed25519", 0) == 0) {
    return {"ED25519", 256};
  }
  if (text.rfind("ecdsa-sha2-nistp", 0) == 0) {
    const auto bits = text.substr(16, 3);
    return {"ECDSA", bits == "521" ? 521 : bits == "384" ? 384 : 256};
  }
  if (text.rfind("ssh-dss", 0) == 0) {
    return {"DSA", 1024};
  }
  return {"RSA", 2048};
}

std::string matcher_type_name(const std::string& type) {
  static const std::array<std::pair<const char*, const char*>, 5> kNames = {
      {{"BRANCH", "Branch"},
       {"PATTERN", "Pattern"},
       {"MODEL_CATEGORY", "Branching model category"},
       {"MODEL_BRANCH", "Branching model branch"},
       {"ANY_REF", "Any ref"}}};
  for (const auto& [id, name] : kNames) {
    if (type == id) {
      return name;
    }
  }
  return type;
}

}  // namespace

json Render::self_link(const std::string& path) const {
  return {{"self", json::array({{{"href", base_ + path}}})}};
}

json Render::user(const User& user) const {
  return {{"name", user.name}, {"emailAddress", user.email},
          {"active", true},    {"displayName", user.display_name},
          {"id", user.id},     {"slug", user.slug},
          {"type", "NORMAL"},  {"links", self_link("/users/" + user.slug)}};
}

json Render::detailed_user(const User& user) const {
  json detailed = this->user(user);
  detailed["directoryName"] = "Bitbucket Internal Directory";
  detailed["deletable"] = true;
  detailed["mutableDetails"] = true;
  detailed["mutableGroups"] = true;
  return detailed;
}

json Render::project(const Project& project) const {
  json out = {{"key", project.key},   {"id", project.id},
              {"name", project.name}, {"public", project.is_public},
              {"type", "NORMAL"},     {"links", self_link("/projects/" + project.key)}};
  if (!project.description.empty()) {
    out["description"] = project.description;
  }
  return out;
}

json Render::repository(const Project& project, const Repository& repo) const {
  const std::string path = "/projects/" + project.key + "/repos/" + repo.slug;
  const std::string clone_path = to_lower(project.key) + "/" + repo.slug + ".git";
  const std::string host = base_.substr(base_.find("://") + 3);
  json links = self_link(path + "/browse");
  links["clone"] = json::array(
      {{{"href", base_ + "/scm/" + clone_path}, {"name", "http"}},
       {{"href", "ssh://git@" + host.substr(0, host.rfind(':')) + ":7999/" + clone_path},
        {"name", "ssh"}}});
  json out = {{"slug", repo.slug},
              {"id", repo.id},
              {"name", repo.name},
              {"hierarchyId", std::to_string(repo.id)},
              {"scmId", "git"},
              {"state", "AVAILABLE"},
              {"statusMessage", "Available"},
              {"forkable", repo.forkable},
              {"archived", repo.archived},
              {"public", repo.is_public},
              {"project", this->project(project)},
              {"links", std::move(links)}};
  if (!repo.description.empty()) {
    out["description"] = repo.description;
  }
  return out;
}

json Render::ssh_key(const SshKey& key) const {
  const auto [algorithm, bits] = algorithm_of(key.text);
  json out = {{"id", key.id},
              {"label", key.label},
              {"text", key.text},
              {"fingerprint", fingerprint_of(key.text)},
              {"algorithmType", algorithm},
              {"bitLength", bits}};
  if (key.created) {
    out["createdDate"] = scenario_.key_dates_millis ? json(key.created_ms) : json(*key.created);
  }
  for (const auto& [name, value] : key.overrides.items()) {
    out[name] = value;
  }
  return out;
}

json Render::access_key(const Project& project, const Repository* repo,
                        const AccessKey& key) const {
  json out = {{"key", ssh_key(key.key)}, {"permission", key.permission}};
  if (repo != nullptr) {
    out["repository"] = repository(project, *repo);
  } else {
    out["project"] = this->project(project);
  }
  return out;
}

json Render::restriction(const Project& project, const Repository* repo,
                         const Restriction& restriction) const {
  json users = json::array();
  for (const auto index : restriction.users) {
    users.push_back(user(scenario_.users[index]));
  }
  json keys = json::array();
  for (const auto id : restriction.access_keys) {
    // A repository's restriction may name the repository's keys or its project's.
    const auto find = [id](const std::vector<AccessKey>& list) -> const AccessKey* {
      for (const auto& key : list) {
        if (key.key.id == id) {
          return &key;
        }
      }
      return nullptr;
    };
    const AccessKey* key = repo != nullptr ? find(repo->access_keys) : nullptr;
    if (key != nullptr) {
      keys.push_back(access_key(project, repo, *key));
    } else if ((key = find(project.access_keys)) != nullptr) {
      keys.push_back(access_key(project, nullptr, *key));
    }
  }
  return {
      {"id", restriction.id},
      {"type", restriction.type},
      {"matcher",
       {{"id", restriction.matcher_id},
        {"displayId", restriction.matcher_display},
        {"type",
         {{"id", restriction.matcher_type}, {"name", matcher_type_name(restriction.matcher_type)}}},
        {"active", true}}},
      {"scope",
       {{"type", repo != nullptr ? "REPOSITORY" : "PROJECT"},
        {"resourceId", repo != nullptr ? repo->id : project.id}}},
      {"users", std::move(users)},
      {"groups", restriction.groups},
      {"accessKeys", std::move(keys)}};
}

json Render::default_branch(const Repository& repo) const {
  const std::string& name = repo.default_branch.value_or("");
  json out = {
      {"id", "refs/heads/" + name}, {"displayId", name}, {"type", "BRANCH"}, {"isDefault", true}};
  if (repo.last_commit) {
    out["latestCommit"] = repo.last_commit->id;
    out["latestChangeset"] = repo.last_commit->id;
  }
  return out;
}

json Render::commit(const LastCommit& commit) const {
  const json person = {{"name", commit.author_name}, {"emailAddress", commit.author_email}};
  return {{"id", commit.id},           {"displayId", commit.id.substr(0, 11)},
          {"author", person},          {"authorTimestamp", commit.author_timestamp},
          {"committer", person},       {"committerTimestamp", commit.committer_timestamp},
          {"message", commit.message}, {"parents", json::array()}};
}

}  // namespace bbp::fake_dc::detail
