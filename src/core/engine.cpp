#include "bbp/core/engine.hpp"

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "bbp/core/declared.hpp"
#include "bbp/core/default_branch.hpp"
#include "fingerprint.hpp"

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
        key_rules_(rules_about(RuleSubject::key)),
        hook_rules_(rules_about(RuleSubject::webhook)),
        variable_rules_(rules_about(RuleSubject::pipeline_variable)),
        workspace_rules_(rules_about(RuleSubject::workspace)) {}

  std::vector<Evaluation> run() {
    for (const auto& ws : snapshot_.workspaces) {
      for (const auto& repo : ws.repositories) {
        repository(ws, repo);
        owned_lists(ws, &repo);
      }
      owned_lists(ws, nullptr);
      workspace_rules(ws);
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

  using Subject = Evidence::Subject;

  RuleContext context(const Subject& s, const AppliedRestrictions* applied = nullptr) const {
    return {s.repository, applied, s.key, settings_, now_, s.workspace, s.hook, s.variable};
  }

  // Runs the rule's check on `subject` and records the outcome; its evidence is worked out
  // again when a report asks for it.
  void check(Evaluation& e, const Subject& subject) {
    apply(e, e.rule->check(context(subject)), subject);
  }

  // Records a verdict. One that is unknown because a read did not happen takes the gap's reason.
  void apply(Evaluation& e, Verdict verdict, const Subject& subject) {
    e.outcome = verdict.outcome;
    e.evidence = Evidence::of_check(*e.rule, subject, settings_, now_);
    if (verdict.outcome != Outcome::unknown) {
      return;
    }
    if (verdict.not_read && subject.workspace != nullptr) {
      unknown_because(
          e, missing(owner_gap(*verdict.not_read, *subject.workspace, subject.repository)));
      return;
    }
    e.reason = verdict.reason;
    e.detail = std::move(verdict.detail);
  }

  // The gap of a read about a repository, or else about its workspace as a whole.
  const Gap* owner_gap(GapSubject subject, const WorkspaceSnapshot& ws,
                       const Repository* repo) const {
    const Gap* gap =
        repo != nullptr ? gaps_.find(subject, ws.slug, repo->full_name, std::nullopt) : nullptr;
    return gap != nullptr ? gap : gaps_.find(subject, ws.slug, std::nullopt, std::nullopt);
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
  void judge_default_branch(Evaluation& e, const Rule& rule, const WorkspaceSnapshot& ws,
                            const Repository& repo, const BranchData& data) {
    const Subject subject{&repo, nullptr, &ws, nullptr, nullptr};
    apply(e, rule.check(context(subject, &*data.applied)), subject);
    if (e.outcome != Outcome::pass || !data.applied_read_only) {
      return;
    }
    const auto without = rule.check(context(subject, &*data.applied_read_only));
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

  void repository(const WorkspaceSnapshot& ws, const Repository& repo) {
    const bool empty = !repo.mainbranch.has_value();
    const BranchData data = empty ? BranchData{} : branch_data(repo);
    for (const auto& rule : catalogue()) {
      if (!selected(rule)) {
        continue;
      }
      if (rule.subject == RuleSubject::repository) {
        auto& e = add(rule, Outcome::pass, repo);
        check(e, {&repo, nullptr, &ws, nullptr, nullptr});
        unread_on_datacenter(e, ws, repo);
      } else if (rule.subject == RuleSubject::default_branch) {
        auto& e = add(rule, Outcome::not_applicable, repo);
        const bool datacenter = snapshot_.platform == Platform::datacenter;
        const Gap* unread_branch =
            datacenter ? datacenter_gap(GapSubject::default_branch, ws, repo) : nullptr;
        if (unread_branch != nullptr) {
          unknown_because(e, missing(unread_branch));  // not known to be empty
        } else if (datacenter && !collected(GapSubject::default_branch)) {
          unknown_because(e, Missing{});  // the default branch was not read: not known empty
        } else if (empty) {
          e.evidence =
              nlohmann::json{{"mainbranch", nullptr},
                             {"note", "empty repository: there is no default branch to protect"}};
        } else if (data.missing) {
          unknown_because(e, *data.missing);
        } else {
          judge_default_branch(e, rule, ws, repo, data);
          unread_on_datacenter(e, ws, repo);
        }
      }
      drop_if_not_reported();
    }
  }

  // Data Center: a verdict other than a pass while a read it rests on is missing (the
  // repository's, or its project's) is unknown, with that read's reason: what was not read
  // could only have made it pass. Cloud's rules read one list, and branch_data handles it.
  void unread_on_datacenter(Evaluation& e, const WorkspaceSnapshot& ws, const Repository& repo) {
    if (snapshot_.platform != Platform::datacenter || e.outcome == Outcome::pass ||
        e.outcome == Outcome::not_applicable) {
      return;
    }
    for (const auto subject : e.rule->datacenter.reads) {
      if (const Gap* gap = datacenter_gap(subject, ws, repo)) {
        unknown_because(e, missing(gap));
        return;
      }
      if (!collected(subject)) {
        unknown_because(e, Missing{});  // a snapshot of a scan that did not make this read
        return;
      }
    }
  }

  bool collected(GapSubject subject) const {
    const auto& made = snapshot_.collected;
    return std::find(made.begin(), made.end(), subject) != made.end();
  }

  // The gap of a Data Center read about the repository, or else about its project.
  const Gap* datacenter_gap(GapSubject subject, const WorkspaceSnapshot& ws,
                            const Repository& repo) const {
    const Gap* gap = gaps_.find(subject, ws.slug, repo.full_name, std::nullopt);
    if (gap == nullptr && repo.project_key) {
      gap = gaps_.find(subject, ws.slug, std::nullopt, repo.project_key);
    }
    return gap;
  }

  bool selected(const Rule& rule) const {
    return options_.rules.empty() ? in_default_set(rule)
                                  : std::find(options_.rules.begin(), options_.rules.end(),
                                              &rule) != options_.rules.end();
  }

  // With findings_only, the evaluation just added is dropped unless a report shows it.
  void drop_if_not_reported() {
    if (options_.findings_only && !out_.empty() && out_.back().declared_by.empty() &&
        (out_.back().outcome == Outcome::pass || out_.back().outcome == Outcome::not_applicable)) {
      out_.pop_back();
    }
  }

  // The selected rules about one kind of subject, in catalogue order.
  std::vector<const Rule*> rules_about(RuleSubject subject) const {
    std::vector<const Rule*> out;
    for (const auto& rule : catalogue()) {
      if (rule.subject == subject && selected(rule)) {
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
      check(e, {nullptr, &key, nullptr, nullptr, nullptr});
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

  // ---- The extended rules: webhooks, variables and the workspace itself ----------------------

  static Resource owner_resource(const WorkspaceSnapshot& ws, const Repository* repo) {
    return repo != nullptr ? repository_resource(*repo)
                           : Resource{ResourceType::workspace, ws.slug, ws.slug,
                                      "https://bitbucket.org/" + ws.slug + "/workspace/settings"};
  }

  // An evaluation about a repository's or a workspace's webhook, variable or settings.
  Evaluation& add_owned(const Rule& rule, const WorkspaceSnapshot& ws, const Repository* repo,
                        Resource resource) {
    auto& e = out_.emplace_back();
    e.rule = &rule;
    e.outcome = Outcome::not_applicable;
    e.workspace = ws.slug;
    if (repo != nullptr) {
      e.repository = repo->full_name;
      e.project = repo->project_key;
    }
    e.resource = std::move(resource);
    return e;
  }

  // The webhooks and variables of a repository, or (repo nullptr) of the workspace itself.
  void owned_lists(const WorkspaceSnapshot& ws, const Repository* repo) {
    if (!hook_rules_.empty()) {
      webhooks(ws, repo, repo != nullptr ? repo->hooks : ws.hooks);
    }
    if (!variable_rules_.empty()) {
      if (repo != nullptr) {
        variables(ws, repo,
                  {{&repo->pipeline_variables, GapSubject::pipeline_variables},
                   {&repo->deployment_variables, GapSubject::environments}});
      } else {
        variables(ws, nullptr, {{&ws.pipeline_variables, GapSubject::pipeline_variables}});
      }
    }
  }

  static Resource hook_resource(const WorkspaceSnapshot& ws, const Repository* repo,
                                const Webhook& hook) {
    const std::string where =
        repo != nullptr ? repo->html_url + "/admin/webhooks"
                        : "https://bitbucket.org/" + ws.slug + "/workspace/settings/webhooks";
    return {ResourceType::webhook, hook.uuid,
            hook.description.empty() ? hook.host : hook.description + " (" + hook.host + ")",
            where};
  }

  // Each webhook judged by each webhook rule; the owner is unknown when its webhooks could not
  // be read, and not applicable when it has none.
  void webhooks(const WorkspaceSnapshot& ws, const Repository* repo,
                const std::optional<std::vector<Webhook>>& hooks) {
    for (const Rule* rule : hook_rules_) {
      if (!hooks || hooks->empty()) {
        auto& e = add_owned(*rule, ws, repo, owner_resource(ws, repo));
        if (!hooks) {
          unknown_because(e, missing(owner_gap(GapSubject::hooks, ws, repo)));
        } else {
          e.evidence = nlohmann::json{{"webhooks", 0}};
        }
        drop_if_not_reported();
        continue;
      }
      for (const auto& hook : *hooks) {
        check(add_owned(*rule, ws, repo, hook_resource(ws, repo, hook)),
              {repo, nullptr, &ws, &hook, nullptr});
        drop_if_not_reported();
      }
    }
  }

  using VariableList = std::pair<const std::optional<std::vector<PipelineVariable>>*, GapSubject>;

  static Resource variable_resource(const WorkspaceSnapshot& ws, const Repository* repo,
                                    const PipelineVariable& var) {
    std::string where = "https://bitbucket.org/" + ws.slug + "/workspace/settings/pipelines";
    if (repo != nullptr) {
      where = repo->html_url + (var.level == VariableLevel::deployment
                                    ? "/admin/pipelines/deployment-settings"
                                    : "/admin/pipelines/repository-variables");
    }
    return {ResourceType::pipeline_variable, var.uuid,
            var.environment ? *var.environment + ": " + var.key : var.key, where};
  }

  // Each variable of the lists judged by each variable rule; one unknown for the owner when a
  // list could not be read, and not applicable when every list is empty.
  void variables(const WorkspaceSnapshot& ws, const Repository* repo,
                 const std::vector<VariableList>& lists) {
    // What the lists hold is the same for every rule: decided once.
    const auto unread = std::find_if(lists.begin(), lists.end(),
                                     [](const VariableList& l) { return !l.first->has_value(); });
    const bool none = std::all_of(lists.begin(), lists.end(), [](const VariableList& l) {
      return l.first->has_value() && (*l.first)->empty();
    });
    for (const Rule* rule : variable_rules_) {
      if (unread != lists.end() || none) {
        auto& e = add_owned(*rule, ws, repo, owner_resource(ws, repo));
        if (unread != lists.end()) {
          unknown_because(e, missing(owner_gap(unread->second, ws, repo)));
        } else {
          e.evidence = nlohmann::json{{"variables", 0}};
        }
        drop_if_not_reported();
      }
      for (const auto& list : lists) {
        if (!list.first->has_value()) {
          continue;
        }
        for (const auto& var : **list.first) {
          check(add_owned(*rule, ws, repo, variable_resource(ws, repo, var)),
                {repo, nullptr, &ws, nullptr, &var});
          drop_if_not_reported();
        }
      }
    }
  }

  void workspace_rules(const WorkspaceSnapshot& ws) {
    for (const Rule* rule : workspace_rules_) {
      check(add_owned(*rule, ws, nullptr, owner_resource(ws, nullptr)),
            {nullptr, nullptr, &ws, nullptr, nullptr});
      drop_if_not_reported();
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
  const std::vector<const Rule*> hook_rules_;
  const std::vector<const Rule*> variable_rules_;
  const std::vector<const Rule*> workspace_rules_;
  std::vector<Evaluation> out_;
};

}  // namespace

Evidence Evidence::of_check(const Rule& rule, const Subject& subject, const Settings& settings,
                            TimePoint now) {
  Evidence evidence;
  evidence.source_ = Check{&rule, subject, settings, now};
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
  const auto& s = c->subject;
  if (c->rule->subject != RuleSubject::default_branch) {
    return c->rule
        ->check(RuleContext{s.repository, nullptr, s.key, c->settings, c->now, s.workspace, s.hook,
                            s.variable})
        .evidence;
  }
  // The same inputs the engine checked: a default branch and readable restrictions.
  const auto& repo = *s.repository;
  const auto applied =
      resolve_default_branch(*repo.mainbranch, *repo.branch_restrictions,
                             repo.branching_model ? &*repo.branching_model : nullptr);
  return c->rule
      ->check(
          RuleContext{&repo, &applied, nullptr, c->settings, c->now, s.workspace, nullptr, nullptr})
      .evidence;
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
