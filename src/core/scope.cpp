#include "bbp/core/scope.hpp"

#include <algorithm>
#include <tuple>

#include "bbp/core/glob.hpp"
#include "bbp/text/text.hpp"

namespace bbp::core {
namespace {

// Project keys are upper case in Bitbucket; accept "plat" for "PLAT".
bool same_key(std::string_view a, std::string_view b) {
  return text::iequals(a, b);
}

bool repo_matches(const std::string& glob, const Repository& repo) {
  return glob_match(glob, repo.slug) || glob_match(glob, repo.full_name);
}

bool any_rule(const Scope& scope, RuleSubject subject) {
  return std::any_of(catalogue().begin(), catalogue().end(), [&](const Rule& rule) {
    return rule.subject == subject && scope.selects(rule);
  });
}

}  // namespace

bool Scope::selects_workspace(std::string_view slug) const {
  return workspaces.empty() ||
         std::find(workspaces.begin(), workspaces.end(), slug) != workspaces.end();
}

bool Scope::selects(const Repository& repo) const {
  const auto matches = [&](const std::string& glob) { return repo_matches(glob, repo); };
  if (!repos.empty() && std::none_of(repos.begin(), repos.end(), matches)) {
    return false;
  }
  if (std::any_of(exclude_repos.begin(), exclude_repos.end(), matches)) {
    return false;
  }
  if (projects.empty()) {
    return true;
  }
  return repo.project_key && std::any_of(projects.begin(), projects.end(), [&](const auto& key) {
           return same_key(key, *repo.project_key);
         });
}

bool Scope::selects(const Rule& rule) const {
  return rules.empty() ? in_default_set(rule)
                       : std::find(rules.begin(), rules.end(), &rule) != rules.end();
}

bool Scope::reads(GapSubject subject) const {
  return std::any_of(catalogue().begin(), catalogue().end(), [&](const Rule& rule) {
    return selects(rule) &&
           std::find(rule.reads.begin(), rule.reads.end(), subject) != rule.reads.end();
  });
}

bool Scope::reads_on_datacenter(GapSubject subject) const {
  return std::any_of(catalogue().begin(), catalogue().end(), [&](const Rule& rule) {
    const auto& reads = rule.datacenter.reads;
    return selects(rule) && std::find(reads.begin(), reads.end(), subject) != reads.end();
  });
}

bool Scope::reads_branches() const {
  return any_rule(*this, RuleSubject::default_branch);
}

bool Scope::reads_keys() const {
  return any_rule(*this, RuleSubject::key);
}

bool Scope::reads_user_keys() const {
  return reads_keys() && (include_user_keys || (repos.empty() && projects.empty()));
}

FilterTally::FilterTally(const Scope& scope)
    : scope_(&scope),
      repos_(scope.repos.size()),
      exclude_repos_(scope.exclude_repos.size()),
      projects_(scope.projects.size()) {}

void FilterTally::note(const Repository& repository) {
  for (std::size_t i = 0; i < repos_.size(); ++i) {
    repos_[i] = repos_[i] || repo_matches(scope_->repos[i], repository);
  }
  for (std::size_t i = 0; i < exclude_repos_.size(); ++i) {
    exclude_repos_[i] = exclude_repos_[i] || repo_matches(scope_->exclude_repos[i], repository);
  }
  for (std::size_t i = 0; i < projects_.size(); ++i) {
    projects_[i] = projects_[i] || (repository.project_key &&
                                    same_key(scope_->projects[i], *repository.project_key));
  }
}

std::vector<std::string> FilterTally::unmatched() const {
  std::vector<std::string> out;
  for (const auto& [option, values, matched] :
       {std::tuple{"--repo", &scope_->repos, &repos_},
        std::tuple{"--exclude-repo", &scope_->exclude_repos, &exclude_repos_},
        std::tuple{"--project", &scope_->projects, &projects_}}) {
    for (std::size_t i = 0; i < values->size(); ++i) {
      if (!(*matched)[i]) {
        out.push_back(std::string(option) + " '" + (*values)[i] + "'");
      }
    }
  }
  return out;
}

bool Scope::concerns(const Gap& gap) const {
  switch (gap.subject) {
    case GapSubject::workspaces:
    case GapSubject::repositories:
      return true;
    case GapSubject::branch_restrictions:
    case GapSubject::branching_model:
      return reads_branches();
    case GapSubject::projects:
    case GapSubject::deploy_keys:
    case GapSubject::project_deploy_keys:
      return reads_keys();
    case GapSubject::user:
    case GapSubject::ssh_keys:
      return reads_user_keys();
    case GapSubject::workspace:
    case GapSubject::hooks:
    case GapSubject::pipeline_variables:
    case GapSubject::environments:
    case GapSubject::members:
    case GapSubject::owners:
      return reads(gap.subject);
    case GapSubject::server:
      return true;
    case GapSubject::default_branch:
    case GapSubject::project_restrictions:
    case GapSubject::pull_request_settings:
    case GapSubject::approval_reset:
    case GapSubject::default_reviewers:
    case GapSubject::required_builds:
    case GapSubject::last_commit:
      return reads_on_datacenter(gap.subject);
  }
  return true;
}

std::optional<std::string> narrow(Snapshot& snapshot, const Scope& scope,
                                  std::vector<std::string>* unmatched) {
  for (const auto& slug : scope.workspaces) {
    if (std::none_of(snapshot.workspaces.begin(), snapshot.workspaces.end(),
                     [&](const WorkspaceSnapshot& ws) { return ws.slug == slug; })) {
      return "workspace '" + slug + "' is not in the snapshot";
    }
  }
  std::erase_if(snapshot.workspaces,
                [&](const WorkspaceSnapshot& ws) { return !scope.selects_workspace(ws.slug); });
  if (unmatched != nullptr) {
    FilterTally tally(scope);
    for (const auto& ws : snapshot.workspaces) {
      std::for_each(ws.repositories.begin(), ws.repositories.end(),
                    [&](const Repository& r) { tally.note(r); });
    }
    *unmatched = tally.unmatched();
  }
  for (auto& ws : snapshot.workspaces) {
    std::erase_if(ws.repositories, [&](const Repository& r) { return !scope.selects(r); });
    const auto in_scope = [&](const std::optional<std::string>& full_name) {
      return std::any_of(ws.repositories.begin(), ws.repositories.end(),
                         [&](const Repository& r) { return r.full_name == *full_name; });
    };
    std::erase_if(ws.projects, [&](const Project& p) {
      return std::none_of(ws.repositories.begin(), ws.repositories.end(),
                          [&](const Repository& r) { return r.project_key == p.key; });
    });
    std::erase_if(ws.keys, [&](const Key& k) {
      const bool project_in_scope =
          k.project && std::any_of(ws.projects.begin(), ws.projects.end(),
                                   [&](const Project& p) { return p.key == *k.project; });
      return k.repository ? !in_scope(k.repository) : !project_in_scope;
    });
    if (!scope.reads_keys()) {
      ws.keys.clear();
      ws.deploy_keys_collected = false;
      ws.project_keys_collected = false;
    }
  }
  if (!scope.reads_user_keys()) {
    snapshot.ssh_keys.clear();
    snapshot.ssh_keys_status = SshKeysStatus::not_collected;
  }
  std::erase_if(snapshot.gaps, [&](const Gap& gap) {
    if (!scope.concerns(gap)) {
      return true;
    }
    if (gap.workspace.empty()) {
      return false;  // the caller's /user and SSH keys
    }
    const auto ws = std::find_if(snapshot.workspaces.begin(), snapshot.workspaces.end(),
                                 [&](const auto& w) { return w.slug == gap.workspace; });
    if (ws == snapshot.workspaces.end()) {
      return true;
    }
    if (gap.repository) {
      return std::none_of(ws->repositories.begin(), ws->repositories.end(),
                          [&](const auto& r) { return r.full_name == *gap.repository; });
    }
    if (gap.project) {
      return std::none_of(ws->projects.begin(), ws->projects.end(),
                          [&](const auto& p) { return p.key == *gap.project; });
    }
    return false;
  });
  return std::nullopt;
}

}  // namespace bbp::core
