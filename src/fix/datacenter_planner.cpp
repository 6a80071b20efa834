// The plan for a Bitbucket Data Center scan (docs/datacenter.md, "Fixing"): the same safety
// model as Cloud's planner (tighten only; disruptive changes only with their flag; what is
// left to people said with why), with Data Center's requests. A plan for review: bbposture does
// not write to Data Center, so every step says so in `cannot_apply`.
#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "bbp/bitbucket/url.hpp"
#include "bbp/core/default_branch.hpp"
#include "bbp/fix/planner.hpp"

namespace bbp::fix {
namespace {

using nlohmann::json;

constexpr const char* kNotApplied =
    "bbposture does not write to Bitbucket Data Center: make this change by hand (or with your "
    "own tooling) from the request shown";

std::string repo_path(const core::Repository& repo) {
  return "/projects/" + bitbucket::percent_encode(repo.workspace) + "/repos/" +
         bitbucket::percent_encode(repo.slug);
}

Step base_step(Action action, const core::Repository& repo, Request request, Request reread) {
  Step s;
  s.action = action;
  s.workspace = repo.workspace;
  s.repository = repo.slug;
  s.project = repo.project_key;
  s.target = repo.full_name;
  s.request = std::move(request);
  s.reread = std::move(reread);
  s.permission = "REPO_ADMIN";
  s.cannot_apply = kNotApplied;
  return s;
}

// A branch permission of `type` on exactly the default branch, exempting nobody.
Step permission_step(const core::Repository& repo, const std::string& type) {
  const std::string ref = "refs/heads/" + *repo.mainbranch;
  const std::string path = "/branch-permissions/latest" + repo_path(repo) + "/restrictions";
  json body{{"type", type},
            {"matcher",
             {{"id", ref},
              {"displayId", *repo.mainbranch},
              {"type", {{"id", "BRANCH"}, {"name", "Branch"}}},
              {"active", true}}},
            {"users", json::array()},
            {"groups", json::array()},
            {"accessKeys", json::array()}};
  auto reread = bitbucket::with_query(
      bitbucket::with_query(bitbucket::with_query(path, "matcherType", "BRANCH"), "matcherId", ref),
      "type", type);
  auto s = base_step(Action::create_restriction, repo, {"POST", path, std::move(body)},
                     {"GET", reread, std::nullopt});
  s.current = nullptr;
  s.desired = {{"type", type}, {"matcher", ref}, {"exempt", json::array()}};
  s.summary =
      "add the branch permission '" + type + "' on '" + *repo.mainbranch + "', exempting nobody";
  return s;
}

// A change of the repository's pull-request settings (a partial body: the rest is kept).
Step settings_step(const core::Repository& repo, const std::string& field, json current,
                   json desired, std::string summary) {
  const std::string path = "/api/latest" + repo_path(repo) + "/settings/pull-requests";
  auto s = base_step(Action::raise_value, repo, {"POST", path, json{{field, desired}}},
                     {"GET", path, std::nullopt});
  s.current = {{field, std::move(current)}};
  s.desired = {{field, std::move(desired)}};
  s.summary = std::move(summary);
  return s;
}

// The highest value of `kind` the pull-request settings give (0 when none).
std::int64_t settings_value(const core::Repository& repo, const std::string& kind) {
  std::int64_t best = 0;
  for (const auto& r : repo.branch_restrictions.value_or(std::vector<core::BranchRestriction>{})) {
    if (r.kind == kind && r.source && r.source->starts_with("pull-request settings") && r.value) {
      best = std::max(best, *r.value);
    }
  }
  return best;
}

class DataCenterPlanner {
 public:
  DataCenterPlanner(const PlanInputs& in, Plan& plan) : in_(in), plan_(plan) {
    for (const auto& ws : in.snapshot.workspaces) {
      for (const auto& repo : ws.repositories) {
        repos_.emplace(repo.full_name, &repo);
      }
      for (const auto& key : ws.keys) {
        keys_.emplace(std::string(core::to_string(key.kind)) + "/" + key.id, &key);
      }
    }
  }

  void run() {
    for (const auto& e : in_.evaluations) {
      if (e.rule == nullptr) {
        continue;
      }
      if (e.outcome == core::Outcome::unknown && e.resource.type != core::ResourceType::ssh_key) {
        unread(e);
      } else if (e.outcome == core::Outcome::fail) {
        take(e);
      }
    }
    std::stable_sort(steps_.begin(), steps_.end(),
                     [](const Step& a, const Step& b) { return a.target < b.target; });
    plan_.steps = std::move(steps_);
  }

 private:
  static std::string target_of(const core::Evaluation& e) {
    if (e.repository) {
      return *e.repository;
    }
    return e.project ? "project " + *e.project : e.resource.name;
  }

  void leave(const core::Evaluation& e, std::string why, std::optional<std::string> flag = {}) {
    plan_.left_alone.push_back(
        {std::string(e.rule->slug), target_of(e), e.fingerprint, std::move(why), std::move(flag)});
  }

  void unread(const core::Evaluation& e) {
    if (unread_.insert(target_of(e)).second) {
      plan_.unread.push_back({target_of(e), std::string(e.rule->slug) + ": " + e.detail});
    }
  }

  void attach(Step step, const core::Evaluation& e) {
    step.id = step_id_of(step);
    auto [it, fresh] = by_id_.try_emplace(step.id, steps_.size());
    if (fresh) {
      steps_.push_back(std::move(step));
    }
    auto& s = steps_[it->second];
    if (std::find(s.rules.begin(), s.rules.end(), e.rule->slug) == s.rules.end()) {
      s.rules.emplace_back(e.rule->slug);
    }
    s.fingerprints.push_back(e.fingerprint);
  }

  void take(const core::Evaluation& e) {
    const auto& remedy = e.rule->remedy;
    if (e.suppressed) {
      leave(e, "suppressed (" + e.suppressed->source + "): " + e.suppressed->reason);
      return;
    }
    const auto it = e.repository ? repos_.find(*e.repository) : repos_.end();
    const core::Repository* repo = it != repos_.end() ? it->second : nullptr;
    switch (remedy.kind) {
      case core::FixKind::restriction:
        return repo != nullptr && repo->mainbranch ? branch_finding(e, *repo) : unread(e);
      case core::FixKind::visibility:
        return repo != nullptr ? visibility_finding(e, *repo) : unread(e);
      case core::FixKind::delete_key:
        return key_finding(e);
      case core::FixKind::fork_policy:
      case core::FixKind::none:
        return leave(e, std::string(remedy.why_not));
    }
  }

  void branch_finding(const core::Evaluation& e, const core::Repository& repo) {
    for (const auto kind : e.rule->remedy.restrictions) {
      branch_kind(e, repo, std::string(kind));
    }
  }

  void branch_kind(const core::Evaluation& e, const core::Repository& repo,
                   const std::string& kind) {
    const int minimum = core::minimum_value(e.rule->remedy, in_.settings);
    if (kind == "push") {
      push_step(e, repo);
    } else if (kind == "force") {
      attach(permission_step(repo, "fast-forward-only"), e);
    } else if (kind == "delete") {
      attach(permission_step(repo, "no-deletes"), e);
    } else if (kind == "require_approvals_to_merge" && settings_value(repo, kind) < minimum) {
      auto s = settings_step(
          repo, "requiredApprovers",
          {{"enabled", settings_value(repo, kind) > 0}, {"count", settings_value(repo, kind)}},
          {{"enabled", true}, {"count", minimum}},
          "require " + std::to_string(minimum) + (minimum == 1 ? " approval" : " approvals"));
      s.limitations.emplace_back(
          "Servers before 8.x take requiredApprovers as a plain number: check the body against "
          "your version.");
      attach(std::move(s), e);
    } else if (kind == "require_passing_builds_to_merge") {
      auto s = settings_step(repo, "requiredSuccessfulBuilds", {{"enabled", false}},
                             {{"enabled", true}, {"count", std::max(minimum, 1)}},
                             "require a successful build before a merge");
      s.limitations.emplace_back(
          "Counts any successful build of the commit; a required-builds check naming the build "
          "plans that must pass is left to the repository's owners.");
      attach(std::move(s), e);
    } else if (kind == "reset_pullrequest_approvals_on_change") {
      attach(settings_step(repo, "unapproveOnUpdate", false, true,
                           "reset approvals when the pull request changes"),
             e);
    }
  }

  // Nobody may push: pull-request-only where no push restriction exempts anyone; exemptions
  // are left to people (Data Center's are users, groups and access keys).
  void push_step(const core::Evaluation& e, const core::Repository& repo) {
    const auto* model = repo.branching_model ? &*repo.branching_model : nullptr;
    const auto applied =
        core::resolve_default_branch(*repo.mainbranch, *repo.branch_restrictions, model);
    std::size_t exempted = 0;
    for (const auto* m : applied.of_kind("push")) {
      exempted += m->restriction->users.size() + m->restriction->groups.size();
    }
    if (exempted > 0) {
      leave(e, "branch permissions let " + std::to_string(exempted) +
                   " users, groups or access keys push to it: shortening an exemption list is "
                   "left to people on Data Center");
      return;
    }
    attach(permission_step(repo, "pull-request-only"), e);
  }

  void visibility_finding(const core::Evaluation& e, const core::Repository& repo) {
    const auto& remedy = e.rule->remedy;
    if (!in_.flags.allow_visibility) {
      leave(e, "a disruptive change: planned only with " + std::string(remedy.flag),
            std::string(remedy.flag));
      return;
    }
    if (repo.project_public.value_or(false)) {
      leave(e,
            "public through its project: making the project private changes every "
            "repository in it, a decision for its administrators");
      return;
    }
    const std::string path = "/api/latest" + repo_path(repo);
    auto s = base_step(Action::make_private, repo, {"PUT", path, json{{"public", false}}},
                       {"GET", path, std::nullopt});
    s.current = {{"public", true}};
    s.desired = {{"public", false}};
    s.summary = "make the repository private";
    s.flag = std::string(remedy.flag);
    attach(std::move(s), e);
  }

  void key_finding(const core::Evaluation& e) {
    const auto& remedy = e.rule->remedy;
    if (e.resource.type == core::ResourceType::ssh_key) {
      leave(e, std::string(remedy.why_not));
      return;
    }
    if (!in_.flags.allow_key_deletion) {
      leave(e, "irreversible: planned only with " + std::string(remedy.flag),
            std::string(remedy.flag));
      return;
    }
    const bool project = e.resource.type == core::ResourceType::project_deploy_key;
    const auto kind = project ? core::KeyKind::project_deploy_key : core::KeyKind::deploy_key;
    const auto it = keys_.find(std::string(core::to_string(kind)) + "/" + e.resource.id);
    if (it == keys_.end()) {
      unread(e);
      return;
    }
    attach(key_step(*it->second, remedy.flag), e);
  }

  static Step key_step(const core::Key& key, std::string_view flag) {
    core::Repository owner;  // the key's repository, or its project's name alone
    owner.workspace = key.workspace;
    const auto full = key.repository.value_or("");
    owner.slug = full.substr(std::min(full.size(), key.workspace.size() + 1));
    owner.full_name = key.repository.value_or("project " + key.workspace);
    const std::string path =
        "/keys/latest/projects/" + bitbucket::percent_encode(key.workspace) +
        (key.repository ? "/repos/" + bitbucket::percent_encode(owner.slug) : std::string()) +
        "/ssh/" + key.id;
    const bool project = key.kind == core::KeyKind::project_deploy_key;
    auto s = base_step(project ? Action::delete_project_deploy_key : Action::delete_deploy_key,
                       owner, {"DELETE", path, std::nullopt}, {"GET", path, std::nullopt});
    if (project) {
      s.repository.reset();
      s.project = key.workspace;
      s.permission = "PROJECT_ADMIN";
    }
    s.current = {{"id", key.id}, {"label", key.label}};
    s.desired = nullptr;
    s.reversible = false;
    s.flag = std::string(flag);
    s.summary = "delete the access key '" + key.label + "' (id " + key.id + ")";
    return s;
  }

  const PlanInputs& in_;
  Plan& plan_;
  std::map<std::string, const core::Repository*> repos_;
  std::map<std::string, const core::Key*> keys_;
  std::vector<Step> steps_;
  std::map<std::string, std::size_t> by_id_;
  std::set<std::string> unread_;
};

}  // namespace

void plan_datacenter_steps(const PlanInputs& inputs, Plan& plan) {
  plan.platform = "datacenter";
  DataCenterPlanner(inputs, plan).run();
}

}  // namespace bbp::fix
