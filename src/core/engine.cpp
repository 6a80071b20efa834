#include "bbp/core/engine.hpp"

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "bbp/core/declared.hpp"
#include "bbp/core/default_branch.hpp"
#include "bbp/core/fingerprint.hpp"

namespace bbp::core {
namespace {

Resource repository_resource(const Repository& repo) {
  return {ResourceType::repository, repo.uuid, repo.full_name, repo.html_url};
}

// The snapshot's gaps by what they are about, so that looking one up costs a logarithm, not a
// walk over every gap (10,000 repositories that all lack a scope have 10,000 gaps).
class GapIndex {
 public:
  explicit GapIndex(const Snapshot& snapshot) {
    for (const auto& gap : snapshot.gaps) {
      by_subject_.emplace(Key{gap.subject, gap.workspace, gap.repository, gap.project}, &gap);
      by_workspace_[gap.workspace].push_back(&gap);
    }
  }

  // The first gap recorded for exactly this subject, or nullptr.
  const Gap* find(GapSubject subject, const std::string& workspace,
                  const std::optional<std::string>& repository,
                  const std::optional<std::string>& project) const {
    const auto it = by_subject_.find(Key{subject, workspace, repository, project});
    return it == by_subject_.end() ? nullptr : it->second;
  }

  // Every gap of a workspace ("" for the caller's), in snapshot order.
  const std::vector<const Gap*>& of_workspace(const std::string& workspace) const {
    static const std::vector<const Gap*> kNone;
    const auto it = by_workspace_.find(workspace);
    return it == by_workspace_.end() ? kNone : it->second;
  }

 private:
  using Key =
      std::tuple<GapSubject, std::string, std::optional<std::string>, std::optional<std::string>>;
  std::map<Key, const Gap*> by_subject_;  // emplace keeps the first of equal keys
  std::map<std::string, std::vector<const Gap*>> by_workspace_;
};

constexpr const char* kNotCollected = "not collected in this snapshot";

class Evaluator {
 public:
  Evaluator(const Snapshot& snapshot, const Settings& settings, TimePoint now,
            const EvaluateOptions& options)
      : snapshot_(snapshot),
        gaps_(snapshot),
        settings_(settings),
        now_(now),
        options_(options),
        key_rules_(key_rules()) {}

  std::vector<Evaluation> run() {
    for (const auto& ws : snapshot_.workspaces) {
      for (const auto& repo : ws.repositories) {
        repository(repo);
      }
      for (const auto& key : ws.keys) {
        this->key(key);
      }
      key_gaps(ws);
    }
    if (options_.user_keys) {
      for (const auto& key : snapshot_.ssh_keys) {
        this->key(key);
      }
      ssh_key_gap();
    }
    for (auto& e : out_) {
      e.fingerprint = fingerprint(e);
    }
    return std::move(out_);
  }

 private:
  Evaluation& add(const Rule& rule, Outcome outcome, const Repository& repo) {
    auto& e = out_.emplace_back();
    e.rule = &rule;
    e.outcome = outcome;
    e.workspace = repo.workspace;
    e.repository = repo.full_name;
    e.project = repo.project_key;
    e.resource = repository_resource(repo);
    return e;
  }

  // Records the check's outcome; its evidence is worked out again when a report asks for it.
  void apply(Evaluation& e, Verdict verdict, const Repository* repo, const Key* key) {
    e.outcome = verdict.outcome;
    e.evidence = Evidence::of_check(*e.rule, repo, key, settings_, now_);
    if (verdict.outcome == Outcome::unknown) {
      e.reason = verdict.reason;
      e.detail = std::move(verdict.detail);
    }
  }

  // Why the data a check needs is missing: the gap recorded for it, or, when none was (a
  // snapshot edited by hand), that it was not collected.
  struct Missing {
    UnknownReason reason = UnknownReason::api_error;
    std::string detail = kNotCollected;
  };
  static Missing missing(const Gap* gap) {
    return gap != nullptr ? Missing{gap->reason, gap->detail} : Missing{};
  }

  static void unknown_because(Evaluation& e, Missing why) {
    e.outcome = Outcome::unknown;
    e.reason = why.reason;
    e.detail = std::move(why.detail);
  }

  // What the default-branch rules of one repository are judged on.
  struct BranchData {
    std::optional<Missing> missing;              // the restrictions could not be read
    std::optional<AppliedRestrictions> applied;  // R, declared restrictions included
    // With declarations: the restrictions read from the API, and R from them alone, to tell a
    // pass that rests on a declaration.
    std::vector<BranchRestriction> read_only;
    std::optional<AppliedRestrictions> applied_read_only;
  };

  BranchData branch_data(const Repository& repo) const {
    BranchData data;
    if (!repo.branch_restrictions) {
      data.missing = missing(gaps_.find(GapSubject::branch_restrictions, repo.workspace,
                                        repo.full_name, std::nullopt));
      return data;
    }
    if (needs_branching_model(*repo.branch_restrictions) && !repo.branching_model) {
      data.missing = missing(
          gaps_.find(GapSubject::branching_model, repo.workspace, repo.full_name, std::nullopt));
      return data;
    }
    const BranchingModel* model = repo.branching_model ? &*repo.branching_model : nullptr;
    data.applied = resolve_default_branch(*repo.mainbranch, *repo.branch_restrictions, model);
    data.read_only = read_restrictions(*repo.branch_restrictions);
    if (data.read_only.size() != repo.branch_restrictions->size()) {
      data.applied_read_only = resolve_default_branch(*repo.mainbranch, data.read_only, model);
    }
    return data;
  }

  // A default-branch rule's verdict; a pass that would fail (or be unknown) on the restrictions
  // read from the API alone names the declarations it rests on.
  void judge_default_branch(Evaluation& e, const Rule& rule, const Repository& repo,
                            const BranchData& data) {
    apply(e, rule.check(RuleContext{&repo, &*data.applied, nullptr, settings_, now_}), &repo,
          nullptr);
    if (e.outcome != Outcome::pass || !data.applied_read_only) {
      return;
    }
    const auto without =
        rule.check(RuleContext{&repo, &*data.applied_read_only, nullptr, settings_, now_});
    if (without.outcome == Outcome::pass) {
      return;
    }
    for (const auto& m : data.applied->matched) {
      const auto& source = m.restriction->declared_in;
      if (source &&
          std::find(e.declared_by.begin(), e.declared_by.end(), *source) == e.declared_by.end()) {
        e.declared_by.push_back(*source);
      }
    }
  }

  void repository(const Repository& repo) {
    const bool empty = !repo.mainbranch.has_value();
    const BranchData data = empty ? BranchData{} : branch_data(repo);
    for (const auto& rule : catalogue()) {
      if (!selected(rule)) {
        continue;
      }
      if (rule.subject == RuleSubject::repository) {
        auto& e = add(rule, Outcome::pass, repo);
        apply(e, rule.check(RuleContext{&repo, nullptr, nullptr, settings_, now_}), &repo, nullptr);
      } else if (rule.subject == RuleSubject::default_branch) {
        auto& e = add(rule, Outcome::not_applicable, repo);
        if (empty) {
          e.evidence =
              nlohmann::json{{"mainbranch", nullptr},
                             {"note", "empty repository: there is no default branch to protect"}};
        } else if (data.missing) {
          unknown_because(e, *data.missing);
        } else {
          judge_default_branch(e, rule, repo, data);
        }
      }
      drop_if_not_reported();
    }
  }

  bool selected(const Rule& rule) const {
    return options_.rules.empty() ||
           std::find(options_.rules.begin(), options_.rules.end(), &rule) != options_.rules.end();
  }

  // With findings_only, the evaluation just added is dropped unless a report shows it.
  void drop_if_not_reported() {
    if (options_.findings_only && !out_.empty() && out_.back().declared_by.empty() &&
        (out_.back().outcome == Outcome::pass || out_.back().outcome == Outcome::not_applicable)) {
      out_.pop_back();
    }
  }

  // The selected rules about keys (rule 11 today), asked of the catalogue by their subject.
  std::vector<const Rule*> key_rules() const {
    std::vector<const Rule*> out;
    for (const auto& rule : catalogue()) {
      if (rule.subject == RuleSubject::key && selected(rule)) {
        out.push_back(&rule);
      }
    }
    return out;
  }

  // An evaluation of a key rule, placed where the key (or the gap in its place) belongs.
  Evaluation& add_key_evaluation(const Rule& rule, const std::string& workspace,
                                 const std::optional<std::string>& repository,
                                 const std::optional<std::string>& project, Resource resource) {
    auto& e = out_.emplace_back();
    e.rule = &rule;
    if (!workspace.empty()) {
      e.workspace = workspace;
    }
    e.repository = repository;
    e.project = project;
    e.resource = std::move(resource);
    return e;
  }

  void key(const Key& key) {
    for (const Rule* rule : key_rules_) {
      auto& e = add_key_evaluation(
          *rule, key.workspace, key.repository, key.project,
          {resource_type(key.kind), key.id, key.label.empty() ? key.comment : key.label, key.url});
      apply(e, rule->check(RuleContext{nullptr, nullptr, &key, settings_, now_}), nullptr, &key);
      drop_if_not_reported();
    }
  }

  void key_unknown(const Gap& gap, const Resource& resource) {
    for (const Rule* rule : key_rules_) {
      unknown_because(
          add_key_evaluation(*rule, gap.workspace, gap.repository, gap.project, resource),
          missing(&gap));
    }
  }

  // Keys that could not be listed: one unknown per repository / project / workspace.
  void key_gaps(const WorkspaceSnapshot& ws) {
    for (const Gap* gap : gaps_.of_workspace(ws.slug)) {
      if (gap->subject == GapSubject::deploy_keys && gap->repository) {
        const auto it =
            std::find_if(ws.repositories.begin(), ws.repositories.end(),
                         [&](const Repository& r) { return r.full_name == *gap->repository; });
        key_unknown(
            *gap, it != ws.repositories.end()
                      ? repository_resource(*it)
                      : Resource{ResourceType::repository, *gap->repository, *gap->repository, ""});
      } else if (gap->subject == GapSubject::project_deploy_keys && gap->project) {
        const auto it = std::find_if(ws.projects.begin(), ws.projects.end(),
                                     [&](const Project& p) { return p.key == *gap->project; });
        key_unknown(*gap, {ResourceType::project, *gap->project,
                           it != ws.projects.end() ? it->name : *gap->project,
                           it != ws.projects.end() ? it->html_url : ""});
      } else if (gap->subject == GapSubject::projects) {
        key_unknown(*gap, {ResourceType::workspace, ws.slug, ws.slug, ""});
      }
    }
    keys_not_collected(ws);
  }

  // Keys the snapshot never read (rule 11 was not part of the scan that saved it): unknown,
  // never a pass.
  void keys_not_collected(const WorkspaceSnapshot& ws) {
    if (!ws.deploy_keys_collected) {
      for (const auto& repo : ws.repositories) {
        key_unknown(Gap{GapSubject::deploy_keys, ws.slug, repo.full_name, repo.project_key, "",
                        std::nullopt, UnknownReason::api_error, kNotCollected},
                    repository_resource(repo));
      }
    }
    if (!ws.project_keys_collected) {
      for (const auto& project : ws.projects) {
        key_unknown(Gap{GapSubject::project_deploy_keys, ws.slug, std::nullopt, project.key, "",
                        std::nullopt, UnknownReason::api_error, kNotCollected},
                    {ResourceType::project, project.key, project.name, project.html_url});
      }
    }
  }

  void ssh_key_gap() {
    const Resource user{ResourceType::user, "", "the authenticated user's SSH keys", ""};
    if (snapshot_.ssh_keys_status == SshKeysStatus::not_collected) {
      key_unknown(Gap{GapSubject::ssh_keys, "", std::nullopt, std::nullopt, "", std::nullopt,
                      UnknownReason::api_error, kNotCollected},
                  user);
      return;
    }
    if (snapshot_.ssh_keys_status != SshKeysStatus::unreadable) {
      return;
    }
    for (const Gap* gap : gaps_.of_workspace("")) {
      if (gap->subject == GapSubject::ssh_keys || gap->subject == GapSubject::user) {
        key_unknown(*gap, user);
        return;
      }
    }
  }

  const Snapshot& snapshot_;
  const GapIndex gaps_;
  const Settings& settings_;
  TimePoint now_;
  const EvaluateOptions& options_;
  const std::vector<const Rule*> key_rules_;
  std::vector<Evaluation> out_;
};

}  // namespace

Evidence Evidence::of_check(const Rule& rule, const Repository* repository, const Key* key,
                            const Settings& settings, TimePoint now) {
  Evidence evidence;
  evidence.source_ = Check{&rule, repository, key, settings, now};
  return evidence;
}

nlohmann::json Evidence::value() const {
  if (const auto* stored = std::get_if<nlohmann::json>(&source_)) {
    return *stored;
  }
  const auto* c = std::get_if<Check>(&source_);
  if (c == nullptr) {
    return nlohmann::json::object();
  }
  if (c->rule->subject != RuleSubject::default_branch) {
    return c->rule->check(RuleContext{c->repository, nullptr, c->key, c->settings, c->now})
        .evidence;
  }
  // The same inputs the engine checked: a default branch and readable restrictions.
  const auto& repo = *c->repository;
  const auto applied =
      resolve_default_branch(*repo.mainbranch, *repo.branch_restrictions,
                             repo.branching_model ? &*repo.branching_model : nullptr);
  return c->rule->check(RuleContext{&repo, &applied, nullptr, c->settings, c->now}).evidence;
}

std::vector<Evaluation> evaluate(const Snapshot& snapshot, const Settings& settings, TimePoint now,
                                 const EvaluateOptions& options) {
  return Evaluator(snapshot, settings, now, options).run();
}

void sort_for_report(std::vector<Evaluation>& evaluations) {
  std::stable_sort(
      evaluations.begin(), evaluations.end(), [](const Evaluation& a, const Evaluation& b) {
        // Findings without a repository (project keys, SSH keys) sort after.
        const auto repo_key = [](const Evaluation& e) {
          return std::make_tuple(!e.repository.has_value(), e.repository.value_or(""),
                                 e.project.value_or(""));
        };
        return std::make_tuple(rank(a.rule->severity), repo_key(a), a.rule->number, a.resource.id) <
               std::make_tuple(rank(b.rule->severity), repo_key(b), b.rule->number, b.resource.id);
      });
}

}  // namespace bbp::core
