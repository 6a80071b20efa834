// Small builders for core models, so rule tests read like the situation they describe.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bbp/core/models.hpp"
#include "bbp/core/time.hpp"

namespace bbp::test {

// 2026-11-28T00:00:00Z: the fixed "now" used across tests.
inline core::TimePoint test_now() {
  return *core::parse_timestamp("2026-11-28T00:00:00Z");
}

inline core::TimePoint days_before_now(int days) {
  return test_now() - std::chrono::days{days};
}

class RestrictionBuilder {
 public:
  explicit RestrictionBuilder(std::string kind) { r_.kind = std::move(kind); }
  RestrictionBuilder& id(std::int64_t v) { return r_.id = v, *this; }
  RestrictionBuilder& glob(std::string pattern) {
    r_.branch_match_kind = "glob";
    r_.pattern = std::move(pattern);
    return *this;
  }
  RestrictionBuilder& model(std::string branch_type) {
    r_.branch_match_kind = "branching_model";
    r_.pattern = "";
    r_.branch_type = std::move(branch_type);
    return *this;
  }
  RestrictionBuilder& value(std::int64_t v) { return r_.value = v, *this; }
  RestrictionBuilder& user(std::string name) {
    r_.users.push_back({name, "{" + name + "}"});
    return *this;
  }
  RestrictionBuilder& group(std::string slug) {
    r_.groups.push_back({slug, "acme:" + slug});
    return *this;
  }
  core::BranchRestriction build() const { return r_; }
  operator core::BranchRestriction() const { return r_; }  // NOLINT(google-explicit-constructor)

 private:
  core::BranchRestriction r_{};
};

inline RestrictionBuilder restriction(std::string kind) {
  return RestrictionBuilder(std::move(kind)).glob("main");
}

class BranchingModelBuilder {
 public:
  BranchingModelBuilder() { m_.development.use_mainbranch = true; }
  BranchingModelBuilder& development_named(std::string name) {
    m_.development.use_mainbranch = false;
    m_.development.name = std::move(name);
    return *this;
  }
  BranchingModelBuilder& production(bool use_mainbranch, std::optional<std::string> name = {}) {
    m_.production = core::BranchingModelBranch{use_mainbranch, std::move(name), std::nullopt};
    return *this;
  }
  BranchingModelBuilder& type(std::string kind, std::string prefix) {
    m_.branch_types.push_back({std::move(kind), std::move(prefix)});
    return *this;
  }
  core::BranchingModel build() const { return m_; }
  operator core::BranchingModel() const { return m_; }  // NOLINT(google-explicit-constructor)

 private:
  core::BranchingModel m_{};
};

class RepositoryBuilder {
 public:
  explicit RepositoryBuilder(std::string slug = "api", std::string workspace = "acme") {
    r_.workspace = std::move(workspace);
    r_.slug = std::move(slug);
    r_.full_name = r_.workspace + "/" + r_.slug;
    r_.name = r_.slug;
    r_.uuid = "{00000000-0000-0000-0000-" +
              std::string(12 - std::min<std::size_t>(12, r_.slug.size()), '0') +
              r_.slug.substr(0, 12) + "}";
    r_.project_key = "PLAT";
    r_.is_private = true;
    r_.updated_on = days_before_now(10);
    r_.mainbranch = "main";
    r_.html_url = "https://bitbucket.org/" + r_.full_name;
    r_.branch_restrictions = std::vector<core::BranchRestriction>{};
  }
  RepositoryBuilder& is_private(std::optional<bool> v) { return r_.is_private = v, *this; }
  RepositoryBuilder& updated_days_ago(int days) {
    return r_.updated_on = days_before_now(days), *this;
  }
  RepositoryBuilder& updated_on(std::optional<core::TimePoint> t) {
    return r_.updated_on = t, *this;
  }
  RepositoryBuilder& mainbranch(std::optional<std::string> b) {
    return r_.mainbranch = std::move(b), *this;
  }
  RepositoryBuilder& project(std::optional<std::string> key) {
    return r_.project_key = std::move(key), *this;
  }
  RepositoryBuilder& restrict(core::BranchRestriction r) {
    if (r.id == 0) {
      r.id = static_cast<std::int64_t>(r_.branch_restrictions->size()) + 1;
    }
    r_.branch_restrictions->push_back(std::move(r));
    return *this;
  }
  RepositoryBuilder& restrictions_unreadable() { return r_.branch_restrictions.reset(), *this; }
  RepositoryBuilder& model(core::BranchingModel m) {
    return r_.branching_model = std::move(m), *this;
  }
  core::Repository build() const { return r_; }
  operator core::Repository() const { return r_; }  // NOLINT(google-explicit-constructor)

 private:
  core::Repository r_{};
};

class KeyBuilder {
 public:
  explicit KeyBuilder(core::KeyKind kind = core::KeyKind::deploy_key, std::string id = "1") {
    k_.kind = kind;
    k_.id = std::move(id);
    k_.label = "deploy";
    k_.key_material = "ssh-ed25519 AAAA" + k_.id;
    k_.created_on = days_before_now(30);
    k_.workspace = "acme";
    if (kind == core::KeyKind::deploy_key) {
      k_.repository = "acme/api";
    } else if (kind == core::KeyKind::project_deploy_key) {
      k_.project = "PLAT";
    } else {
      k_.workspace.clear();
    }
  }
  KeyBuilder& created_days_ago(int days) { return k_.created_on = days_before_now(days), *this; }
  KeyBuilder& created_on(std::optional<core::TimePoint> t) { return k_.created_on = t, *this; }
  KeyBuilder& created_field(std::string f) { return k_.created_field = std::move(f), *this; }
  KeyBuilder& label(std::string l) { return k_.label = std::move(l), *this; }
  core::Key build() const { return k_; }
  operator core::Key() const { return k_; }  // NOLINT(google-explicit-constructor)

 private:
  core::Key k_{};
};

// A snapshot with one workspace "acme" holding the given repositories and keys.
inline core::Snapshot snapshot_of(std::vector<core::Repository> repos,
                                  std::vector<core::Key> keys = {}) {
  core::Snapshot s;
  s.api_url = "https://api.bitbucket.org/2.0";
  s.collected_at = test_now();
  core::WorkspaceSnapshot ws;
  ws.slug = "acme";
  ws.repositories = std::move(repos);
  ws.keys = std::move(keys);
  ws.deploy_keys_collected = true;  // as a scan with every rule read it
  ws.project_keys_collected = true;
  ws.projects.push_back(
      {"PLAT", "{p-plat}", "Platform", "https://bitbucket.org/acme/workspace/projects/PLAT"});
  s.workspaces.push_back(std::move(ws));
  s.ssh_keys_status = core::SshKeysStatus::read;
  return s;
}

// The extended rules' data: a webhook, a Pipelines variable and a workspace member.
inline core::Webhook webhook(std::string uuid, std::string scheme = "https",
                             std::optional<bool> secret_set = true,
                             std::optional<bool> active = true) {
  core::Webhook h;
  h.uuid = std::move(uuid);
  h.scheme = std::move(scheme);
  h.host = "hooks.example.com";
  h.active = active;
  h.secret_set = secret_set;
  h.events = {"repo:push"};
  return h;
}

inline core::PipelineVariable variable(std::string key, std::optional<bool> secured,
                                       core::VariableLevel level = core::VariableLevel::repository,
                                       std::optional<std::string> environment = std::nullopt) {
  core::PipelineVariable v;
  v.uuid = "{var-" + key + "}";
  v.key = std::move(key);
  v.secured = secured;
  v.level = level;
  v.environment = std::move(environment);
  return v;
}

inline core::Member member(std::string name, std::optional<bool> has_2fa_enabled) {
  return {name, "{" + name + "}", "557058:" + name, has_2fa_enabled};
}

}  // namespace bbp::test
