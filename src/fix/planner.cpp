#include "bbp/fix/planner.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "bbp/bitbucket/reads.hpp"
#include "bbp/bitbucket/url.hpp"
#include "bbp/core/default_branch.hpp"
#include "bbp/core/suppression.hpp"
#include "bbp/fix/state.hpp"

namespace bbp::fix {
namespace {

using bitbucket::Target;
using bitbucket::WriteKind;
using nlohmann::json;

// ---- Steps: their requests, scopes and ids --------------------------------------------------

std::string method_name(http::Method method) {
  return std::string(http::to_string(method));
}

// A step of `write` on `target`, with the request, the re-read and the scopes from its row.
Step step_of(Action action, WriteKind kind, const Target& target, std::optional<json> body) {
  const auto& write = bitbucket::write_of(kind);
  Step s;
  s.action = action;
  s.workspace = target.workspace;
  if (!target.repository.empty()) {
    s.repository = target.repository;
  }
  if (!target.project.empty()) {
    s.project = target.project;
  }
  s.request = {method_name(write.method), bitbucket::path_for(write, target), std::move(body)};
  s.reread = {"GET", bitbucket::reread_path_for(write, target), std::nullopt};
  s.oauth_scopes.assign(write.oauth_scopes.begin(), write.oauth_scopes.end());
  s.api_token_scopes.assign(write.api_token_scopes.begin(), write.api_token_scopes.end());
  s.reversible = write.reversible;
  return s;
}

Target repository_target(const core::Repository& repo, std::string item = {}) {
  auto t = Target::of(repo);
  t.item = std::move(item);
  return t;
}

// ---- Branch restrictions on the default branch ----------------------------------------------

// Characters a glob gives a meaning to: a branch named with them cannot be matched exactly.
bool has_glob_characters(const std::string& name) {
  return name.find_first_of("*?[]{}") != std::string::npos;
}

// The matcher new restrictions use: the branching model's branch type where the restrictions
// that protect the default branch already match it that way, else its exact name.
Matcher matcher_for(const core::AppliedRestrictions& applied) {
  for (const auto& m : applied.matched) {
    const auto& r = *m.restriction;
    if (r.branch_match_kind == "branching_model" && r.branch_type &&
        (*r.branch_type == "development" || *r.branch_type == "production")) {
      return {"branching_model", "", *r.branch_type};
    }
  }
  return {"glob", applied.branch, ""};
}

json matcher_body(const Matcher& m) {
  json body{{"branch_match_kind", m.branch_match_kind}};
  if (m.branch_match_kind == "glob") {
    body["pattern"] = m.pattern;
  } else {
    body["branch_type"] = m.branch_type;
  }
  return body;
}

std::string matcher_text(const Matcher& m) {
  return m.branch_match_kind == "glob" ? "'" + m.pattern + "'"
                                       : "the branching model's " + m.branch_type + " branch";
}

// What one repository's default branch needs, and what it has.
struct BranchWork {
  const core::Repository* repo = nullptr;
  core::AppliedRestrictions applied;
  Matcher matcher;
  std::map<std::string, Step> steps;  // by restriction kind, in the order first asked for
  std::vector<std::string> order;
};

const core::BranchRestriction* exact(const BranchWork& w, const std::string& kind) {
  for (const auto& r : *w.repo->branch_restrictions) {
    // A restriction declared in the config file is not Bitbucket's: never updated.
    if (r.kind == kind && matches(r, w.matcher) && !r.declared_in) {
      return &r;
    }
  }
  return nullptr;
}

Step create_restriction(const BranchWork& w, const std::string& kind, std::optional<int> value) {
  core::BranchRestriction wanted;
  wanted.kind = kind;
  wanted.branch_match_kind = w.matcher.branch_match_kind;
  wanted.pattern = w.matcher.pattern;
  if (w.matcher.branch_match_kind != "glob") {
    wanted.branch_type = w.matcher.branch_type;
  }
  if (value) {
    wanted.value = *value;
  }
  auto body = matcher_body(w.matcher);
  body["type"] = "branchrestriction";
  body["kind"] = kind;
  if (value) {
    body["value"] = *value;
  }
  if (kind == "push") {
    body["users"] = json::array();
    body["groups"] = json::array();
  }
  auto s = step_of(Action::create_restriction, WriteKind::create_restriction,
                   repository_target(*w.repo), std::move(body));
  s.current = nullptr;
  s.desired = restriction_state(wanted);
  s.reread.path = bitbucket::with_query(s.reread.path, "kind", kind);
  if (w.matcher.branch_match_kind == "glob") {
    s.reread.path = bitbucket::with_query(s.reread.path, "pattern", w.matcher.pattern);
  }
  s.summary = "add '" + kind + "'" + (value ? " = " + std::to_string(*value) : "") + " on " +
              matcher_text(w.matcher);
  return s;
}

Step update_restriction(const BranchWork& w, const core::BranchRestriction& existing, Action action,
                        json body, const core::BranchRestriction& wanted) {
  auto s = step_of(action, WriteKind::update_restriction,
                   repository_target(*w.repo, std::to_string(existing.id)), std::move(body));
  s.current = restriction_state(existing);
  s.desired = restriction_state(wanted);
  return s;
}

// A numeric restriction: raised where one with this matcher is lower, else added.
std::optional<Step> numeric_step(const BranchWork& w, const std::string& kind, int minimum) {
  const auto* found = exact(w, kind);
  if (found == nullptr) {
    return create_restriction(w, kind, minimum);
  }
  if (found->value && *found->value >= minimum) {
    return std::nullopt;  // never lowered; the finding comes from elsewhere
  }
  auto wanted = *found;
  wanted.value = minimum;
  auto s = update_restriction(w, *found, Action::raise_value, {{"value", minimum}}, wanted);
  s.summary = "raise '" + kind + "' on " + matcher_text(w.matcher) + " from " +
              (found->value ? std::to_string(*found->value) : "none") + " to " +
              std::to_string(minimum);
  return s;
}

// Who may push to the default branch today: the exemptions of its push restrictions.
std::vector<Removal> push_exemptions(const BranchWork& w) {
  std::vector<Removal> out;
  for (const auto* m : w.applied.of_kind("push")) {
    for (const auto& u : m->restriction->users) {
      out.push_back({"user", u.name, u.id});
    }
    for (const auto& g : m->restriction->groups) {
      out.push_back({"group", g.name, g.id});
    }
  }
  return out;
}

// Nobody may push: a push restriction without exemptions. Where push restrictions already
// let some people push, only --replace-exemptions changes that, and the step lists them.
std::optional<Step> push_step(const BranchWork& w, bool replace_exemptions) {
  auto exempted = push_exemptions(w);
  if (exempted.empty()) {
    return create_restriction(w, "push", std::nullopt);
  }
  if (!replace_exemptions) {
    return std::nullopt;
  }
  std::optional<Step> s;
  if (const auto* found = exact(w, "push")) {
    auto wanted = *found;
    wanted.users.clear();
    wanted.groups.clear();
    s = update_restriction(w, *found, Action::replace_exemptions,
                           {{"users", json::array()}, {"groups", json::array()}}, wanted);
    s->summary = "remove every exemption from 'push' on " + matcher_text(w.matcher);
  } else {
    s = create_restriction(w, "push", std::nullopt);
  }
  s->removes = std::move(exempted);
  s->flag = "--replace-exemptions";
  return s;
}

// ---- Repository settings and keys -----------------------------------------------------------

Step setting_step(const core::Repository& repo, Action action, const std::string& field,
                  const json& current, const json& desired) {
  auto s = step_of(action, WriteKind::update_repository, repository_target(repo),
                   json{{"type", "repository"}, {field, desired}});
  s.reread.path = bitbucket::with_query(s.reread.path, "fields", field);
  s.current = setting_state(field, current);
  s.desired = setting_state(field, desired);
  return s;
}

Step key_step(const core::Key& key) {
  const bool project = key.kind == core::KeyKind::project_deploy_key;
  Target t = Target::of_workspace(key.workspace);
  t.item = key.id;
  if (project) {
    t.project = key.project.value_or("");
  } else {
    const auto full = key.repository.value_or("");
    t.repository = full.substr(std::min(full.size(), key.workspace.size() + 1));
  }
  auto s = step_of(project ? Action::delete_project_deploy_key : Action::delete_deploy_key,
                   project ? WriteKind::delete_project_deploy_key : WriteKind::delete_deploy_key, t,
                   std::nullopt);
  s.project = key.project;
  s.current = key_state(key);
  s.desired = nullptr;
  s.summary = "delete the deploy key '" + key.label + "' (id " + key.id + ")";
  return s;
}

// ---- The walk over the findings ---------------------------------------------------------------

class Planner {
 public:
  Planner(const PlanInputs& in, Plan& plan) : in_(in), plan_(plan) {
    for (const auto& ws : in.snapshot.workspaces) {
      for (const auto& repo : ws.repositories) {
        repos_.emplace(repo.full_name, &repo);
      }
      for (const auto& key : ws.keys) {
        keys_.emplace(key_name(key.kind, key.id), &key);
      }
    }
  }

  void run() {
    for (const auto& e : in_.evaluations) {
      if (e.rule == nullptr || e.rule->remedy.kind == core::FixKind::none) {
        if (e.rule != nullptr && e.outcome == core::Outcome::fail) {
          leave(e, std::string(e.rule->remedy.why_not));
        }
        continue;
      }
      if (e.outcome == core::Outcome::unknown) {
        if (e.resource.type != core::ResourceType::ssh_key) {  // never planned: not "unread"
          unread(e);
        }
      } else if (e.outcome == core::Outcome::fail) {
        take(e);
      }
    }
    finish();
  }

 private:
  static std::string key_name(core::KeyKind kind, const std::string& id) {
    return std::string(core::to_string(kind)) + "/" + id;
  }

  // "acme/api"; "project acme/PLAT" for a project's deploy key; else the resource's name.
  static std::string target_of(const core::Evaluation& e) {
    if (e.repository) {
      return *e.repository;
    }
    if (e.project && e.workspace) {
      return "project " + *e.workspace + "/" + *e.project;
    }
    return e.resource.name;
  }

  void leave(const core::Evaluation& e, std::string why, std::optional<std::string> flag = {}) {
    plan_.left_alone.push_back(
        {std::string(e.rule->slug), target_of(e), e.fingerprint, std::move(why), std::move(flag)});
  }

  void unread(const core::Evaluation& e) {
    const auto target = target_of(e);
    if (unread_.insert(target).second) {
      plan_.unread.push_back({target, std::string(e.rule->slug) + ": " + e.detail});
    }
  }

  void take(const core::Evaluation& e) {
    const auto& remedy = e.rule->remedy;
    if (e.suppressed) {
      leave(e, "suppressed (" + e.suppressed->source + "): " + e.suppressed->reason);
      return;
    }
    const core::Repository* repo =
        e.repository && repos_.count(*e.repository) ? repos_.at(*e.repository) : nullptr;
    switch (remedy.kind) {
      case core::FixKind::restriction:
        return repo != nullptr ? branch_finding(e, *repo) : unread(e);
      case core::FixKind::visibility:
      case core::FixKind::fork_policy:
        return repo != nullptr ? setting_finding(e, *repo) : unread(e);
      case core::FixKind::delete_key:
        return key_finding(e);
      case core::FixKind::none:
        return;
    }
  }

  bool allowed(core::FixKind kind) const {
    switch (kind) {
      case core::FixKind::visibility:
        return in_.flags.allow_visibility;
      case core::FixKind::fork_policy:
        return in_.flags.allow_fork_policy;
      case core::FixKind::delete_key:
        return in_.flags.allow_key_deletion;
      case core::FixKind::none:
      case core::FixKind::restriction:
        return true;
    }
    return false;
  }

  // Adds `e` to `step` (a new one, or the same change another finding asked for).
  void attach(Step step, const core::Evaluation& e) {
    step.id = step_id_of(step);
    auto [it, fresh] = by_id_.try_emplace(step.id, steps_.size());
    if (fresh) {
      step.target = target_of(e);
      steps_.push_back(std::move(step));
    }
    auto& s = steps_[it->second];
    const std::string limitation(e.rule->remedy.limitation);
    if (!limitation.empty() &&
        std::find(s.limitations.begin(), s.limitations.end(), limitation) == s.limitations.end()) {
      s.limitations.push_back(limitation);
    }
    if (std::find(s.rules.begin(), s.rules.end(), e.rule->slug) == s.rules.end()) {
      s.rules.emplace_back(e.rule->slug);
    }
    s.fingerprints.push_back(e.fingerprint);
  }

  void setting_finding(const core::Evaluation& e, const core::Repository& repo) {
    const auto& remedy = e.rule->remedy;
    if (!allowed(remedy.kind)) {
      leave(e, "a disruptive change: planned only with " + std::string(remedy.flag),
            std::string(remedy.flag));
      return;
    }
    auto s = remedy.kind == core::FixKind::visibility
                 ? setting_step(repo, Action::make_private, "is_private", false, true)
                 : setting_step(repo, Action::set_fork_policy, "fork_policy",
                                repo.fork_policy.value_or("allow_forks"), "no_public_forks");
    s.summary = remedy.kind == core::FixKind::visibility ? "make the repository private"
                                                         : "set the fork policy to no_public_forks";
    s.flag = std::string(remedy.flag);
    attach(std::move(s), e);
  }

  void key_finding(const core::Evaluation& e) {
    const auto& remedy = e.rule->remedy;
    if (e.resource.type == core::ResourceType::ssh_key) {
      leave(e, std::string(remedy.why_not));
      return;
    }
    if (!allowed(remedy.kind)) {
      leave(e, "irreversible: planned only with " + std::string(remedy.flag),
            std::string(remedy.flag));
      return;
    }
    const auto kind = e.resource.type == core::ResourceType::project_deploy_key
                          ? core::KeyKind::project_deploy_key
                          : core::KeyKind::deploy_key;
    const auto it = keys_.find(key_name(kind, e.resource.id));
    if (it == keys_.end()) {
      unread(e);
      return;
    }
    auto s = key_step(*it->second);
    s.flag = std::string(remedy.flag);
    attach(std::move(s), e);
  }

  BranchWork* branch_work(const core::Repository& repo) {
    auto [it, fresh] = branches_.try_emplace(repo.full_name);
    if (fresh) {
      it->second.repo = &repo;
      const auto* model = repo.branching_model ? &*repo.branching_model : nullptr;
      it->second.applied =
          core::resolve_default_branch(*repo.mainbranch, *repo.branch_restrictions, model);
      it->second.matcher = matcher_for(it->second.applied);
    }
    return &it->second;
  }

  void branch_finding(const core::Evaluation& e, const core::Repository& repo) {
    if (!repo.mainbranch || !repo.branch_restrictions) {
      unread(e);
      return;
    }
    auto* w = branch_work(repo);
    if (w->matcher.branch_match_kind == "glob" && has_glob_characters(w->matcher.pattern)) {
      leave(e,
            "the default branch's name has glob characters, so no pattern matches it alone: "
            "add the restriction by hand");
      return;
    }
    for (const auto kind : e.rule->remedy.restrictions) {
      branch_kind(e, *w, std::string(kind));
    }
  }

  void branch_kind(const core::Evaluation& e, const BranchWork& w, const std::string& kind) {
    const int minimum = core::minimum_value(e.rule->remedy, in_.settings);
    std::optional<Step> s;
    if (minimum > 0) {
      s = numeric_step(w, kind, minimum);
    } else if (kind == "push") {
      s = push_step(w, in_.flags.replace_exemptions);
      if (!s) {
        leave(e,
              "push restrictions let " + std::to_string(push_exemptions(w).size()) +
                  " users or groups push to it: an exemption list is shortened only with "
                  "--replace-exemptions",
              "--replace-exemptions");
        return;
      }
    } else if (exact(w, kind) == nullptr) {
      s = create_restriction(w, kind, std::nullopt);
    }
    if (s) {
      attach(std::move(*s), e);
    }
  }

  void finish() {
    for (auto& s : steps_) {
      s.cannot_apply = missing_grant(s, in_.grants);
    }
    std::stable_sort(steps_.begin(), steps_.end(),
                     [](const Step& a, const Step& b) { return a.target < b.target; });
    plan_.steps = std::move(steps_);
  }

  const PlanInputs& in_;
  Plan& plan_;
  std::map<std::string, const core::Repository*> repos_;
  std::map<std::string, const core::Key*> keys_;
  std::map<std::string, BranchWork> branches_;
  std::vector<Step> steps_;
  std::map<std::string, std::size_t> by_id_;
  std::set<std::string> unread_;
};

}  // namespace

std::vector<std::string> FixFlags::names() const {
  std::vector<std::string> out;
  for (const auto& [on, name] : {std::pair{allow_visibility, "--allow-visibility"},
                                 std::pair{allow_key_deletion, "--allow-key-deletion"},
                                 std::pair{allow_fork_policy, "--allow-fork-policy"},
                                 std::pair{replace_exemptions, "--replace-exemptions"}}) {
    if (on) {
      out.emplace_back(name);
    }
  }
  return out;
}

void plan_steps(const PlanInputs& inputs, Plan& plan) {
  Planner(inputs, plan).run();
}

std::optional<std::string> missing_grant(const Step& step, const Grants& grants) {
  const bool deletes_key =
      step.action == Action::delete_deploy_key || step.action == Action::delete_project_deploy_key;
  if (deletes_key && grants.credential == "access_token") {
    return "access tokens cannot delete deploy keys (Bitbucket refuses it): use an OAuth "
           "consumer or an API token";
  }
  if (!grants.oauth_scopes) {
    return std::nullopt;
  }
  std::vector<std::string> missing;
  for (const auto& scope : step.oauth_scopes) {
    if (std::find(grants.oauth_scopes->begin(), grants.oauth_scopes->end(), scope) ==
        grants.oauth_scopes->end()) {
      missing.push_back(scope);
    }
  }
  if (missing.empty()) {
    return std::nullopt;
  }
  std::string out = "missing scope";
  out += missing.size() == 1 ? " " : "s ";
  for (std::size_t i = 0; i < missing.size(); ++i) {
    out += (i == 0 ? "" : ", ") + missing[i];
  }
  return out;
}

}  // namespace bbp::fix
