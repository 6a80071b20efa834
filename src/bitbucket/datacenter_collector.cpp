#include "bbp/bitbucket/datacenter_collector.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include <spdlog/spdlog.h>

#include "bbp/bitbucket/datacenter_reads.hpp"
#include "bbp/bitbucket/task_pool.hpp"
#include "bbp/bitbucket/url.hpp"
#include "bbp/core/default_branch.hpp"

namespace bbp::bitbucket {
namespace {

using core::GapSubject;

const Read& row(GapSubject subject, Owner owner) {
  return datacenter_read_of(subject, owner);
}

// The server's web address: the API base without its "/rest".
std::string web_base(const std::string& api_base) {
  constexpr std::string_view kRest = "/rest";
  return api_base.ends_with(kRest) ? api_base.substr(0, api_base.size() - kRest.size()) : api_base;
}

bool answered_404(const std::vector<core::Gap>& gaps) {
  return !gaps.empty() && gaps.front().http_status == 404;
}

// A default-branch read answered 404, or 204 with no body: the repository has no default
// branch (servers differ in which they send).
bool no_default_branch(const std::vector<core::Gap>& gaps) {
  return !gaps.empty() && (gaps.front().http_status == 404 || gaps.front().http_status == 204);
}

// A gap made here rather than by a failed request: what was read, and why it settles nothing.
core::Gap gap_about(GapSubject subject, const core::Repository& repo, std::string endpoint,
                    core::UnknownReason reason, std::string detail) {
  core::Gap gap;
  gap.subject = subject;
  gap.workspace = repo.workspace;
  gap.repository = repo.full_name;
  gap.endpoint = std::move(endpoint);
  gap.reason = reason;
  gap.detail = std::move(detail);
  return gap;
}

// One repository while its task reads it; only that task writes it until the pool is drained.
struct RepoWork {
  core::Repository repository;
  std::vector<core::Key> keys;
  std::vector<core::Gap> gaps;
  bool branch_gaps = false;  // a read of its branch data failed: not written to the checkpoint
};

// One project's reads.
struct ProjectWork {
  std::string key;
  std::string name;
  std::optional<std::vector<core::BranchRestriction>> restrictions;
  std::vector<core::Key> keys;
  std::vector<core::Gap> gaps;
};

}  // namespace

class DataCenterCollector::Run {
 public:
  explicit Run(DataCenterCollector& c)
      : api_(c.api_),
        options_(c.options_),
        username_(c.username_),
        progress_(c.progress_),
        cancel_(c.cancel_),
        tally_(options_.scope),
        web_(web_base(api_.api_base())) {
    snapshot_.platform = core::Platform::datacenter;
    snapshot_.api_url = api_.api_base();
  }

  CollectResult collect() {
    if (!identify()) {
      return finish();
    }
    list();
    if (!stopped() && !options_.plan_only) {
      run_tasks([this](TaskPool& pool) { queue_projects(pool); });
      run_tasks([this](TaskPool& pool) { queue_repositories(pool); });
      read_ssh_keys();
    }
    hand_over();
    return finish();
  }

 private:
  bool needs(GapSubject subject) const { return options_.scope.reads_on_datacenter(subject); }
  bool stopped() const { return stop_.load(); }

  CollectResult finish() {
    CollectResult out;
    out.snapshot = std::move(snapshot_);
    out.auth_failure = auth_failure_;
    out.interrupted = cancel_ != nullptr && cancel_->load();
    out.missing_workspaces = std::move(missing_);
    out.unmatched_filters = tally_.unmatched();
    out.wrong_platform = wrong_platform_;
    return out;
  }

  void end_scan(const ApiError& e) {
    const std::lock_guard lock(mutex_);
    if (!auth_failure_) {
      auth_failure_ = AuthFailure{e.message, e.kind == ApiError::Kind::unreachable};
    }
    stop_ = true;
  }

  // Gaps are logged once, when the snapshot is handed over (log_gap).
  static void add_gaps(std::vector<core::Gap>& into, std::vector<core::Gap> gaps) {
    into.insert(into.end(), std::make_move_iterator(gaps.begin()),
                std::make_move_iterator(gaps.end()));
  }

  // ---- Step 1: the server, then the caller ------------------------------------------------

  bool identify() {
    auto server = make_read_as<ServerInfo>(api_, row(GapSubject::server, Owner::user), {});
    if (server.fatal) {
      end_scan(*server.fatal);
      return false;
    }
    if (!server.value) {
      return not_datacenter(server.gaps.front());
    }
    snapshot_.server_version = server.value->version;
    spdlog::info("Bitbucket Data Center {} at {}", server.value->version, web_);
    return identify_caller();
  }

  // The first answer was not Data Center's: an outage (exit 3), or another kind of server
  // (exit 2, naming what answered), never a scan of nothing.
  bool not_datacenter(const core::Gap& gap) {
    const auto status = gap.http_status;
    if (!status || *status >= 500 || *status == 429) {
      auth_failure_ =
          AuthFailure{"could not reach Bitbucket Data Center at " + web_ + ": " + gap.detail, true};
      return false;
    }
    wrong_platform_ =
        web_ + " is not a Bitbucket Data Center server: GET " + gap.endpoint + " answered " +
        (*status == 200 ? std::string("without a Data Center version") : std::to_string(*status)) +
        ". For Bitbucket Cloud use --platform cloud (its API URL is "
        "https://api.bitbucket.org/2.0); for Data Center give the server's base "
        "URL in --api-url";
    return false;
  }

  // An endpoint anonymous callers cannot read: a token the server does not recognise is served
  // as anonymous, and must end the scan (exit 4) rather than scan what anyone may see.
  bool identify_caller() {
    const Read& read = row(GapSubject::user, Owner::user);
    auto answer = api_.get_response(path_for(read, {}));
    if (!answer && answer.error().kind == ApiError::Kind::auth) {
      ApiError e = answer.error();
      e.message = "the server did not take the credential for a signed-in user (GET " + e.endpoint +
                  " answered 401: Data Center serves a token it does not recognise as an "
                  "anonymous caller, and anonymous callers cannot list users)";
      end_scan(e);
      return false;
    }
    if (!answer) {
      auth_failure_ =
          AuthFailure{"could not check who is calling: " + answer.error().message, true};
      return false;
    }
    if (!datacenter::parse_caller(nlohmann::json::parse(answer->body, nullptr, false), {})) {
      auth_failure_ = AuthFailure{"could not check who is calling: GET " + path_for(read, {}) +
                                      " did not answer a page of users, as Data Center does to "
                                      "a signed-in caller",
                                  true};
      return false;
    }
    const auto named = answer->header("X-AUSERNAME");
    snapshot_.identity = named ? *named : username_;
    if (snapshot_.identity->empty()) {
      snapshot_.identity.reset();
    }
    api_.treat_unauthorized_as_forbidden();
    return true;
  }

  // ---- Step 2: the listing ------------------------------------------------------------------

  void list() {
    const std::atomic<bool>* stop = &stop_;
    auto listed = stream_read(
        api_, row(GapSubject::repositories, Owner::user), {},
        [this](Parsed&& page) {
          for (auto& entry : std::get<std::vector<ListedRepository>>(page)) {
            take(std::move(entry));
          }
        },
        ReadOptions{stop, {}});
    if (listed.fatal) {
      end_scan(*listed.fatal);
    }
    listing_complete_ = listed.value.has_value();
    add_gaps(snapshot_.gaps, std::move(listed.gaps));
    if (progress_ != nullptr) {
      progress_->repositories_total = repos_.size();
      progress_->workspaces_total = projects_.size();
      progress_->listed = true;
    }
  }

  void take(ListedRepository entry) {
    auto& repo = entry.repository;
    tally_.note(repo);
    if (!options_.scope.selects_workspace(repo.workspace) || !options_.scope.selects(repo)) {
      return;
    }
    repo.html_url = repo.html_url.empty()
                        ? web_ + "/projects/" + repo.workspace + "/repos/" + repo.slug + "/browse"
                        : repo.html_url;
    const auto [it, added] = project_index_.try_emplace(repo.workspace, projects_.size());
    if (added) {
      projects_.push_back(std::make_unique<ProjectWork>());
      projects_.back()->key = repo.workspace;
      projects_.back()->name = entry.project_name.value_or(repo.workspace);
    }
    repos_.push_back(std::make_unique<RepoWork>());
    repos_.back()->repository = std::move(repo);
  }

  // ---- Steps 3 and 4: projects, then repositories, on the pool -------------------------------

  template <typename Queue>
  void run_tasks(const Queue& queue) {
    TaskPool pool(options_.concurrency);
    queue(pool);
    pool.drain();
  }

  void queue_projects(TaskPool& pool) {
    for (auto& project : projects_) {
      pool.submit([this, p = project.get()] { read_project(*p); });
    }
  }

  void queue_repositories(TaskPool& pool) {
    for (auto& repo : repos_) {
      pool.submit([this, r = repo.get()] {
        read_repository(*r);
        if (progress_ != nullptr) {
          ++progress_->repositories_done;
        }
      });
    }
  }

  // A read for `target`; its gaps go to `gaps` (a fatal error ends the scan).
  template <typename T>
  std::optional<T> fetch(const Read& read, const Target& target, std::vector<core::Gap>& gaps) {
    if (stopped()) {
      return std::nullopt;
    }
    auto result = make_read_as<T>(api_, read, target, ReadOptions{&stop_, {}});
    if (result.fatal) {
      end_scan(*result.fatal);
    }
    add_gaps(gaps, std::move(result.gaps));
    return std::move(result.value);
  }

  void read_project(ProjectWork& p) {
    const Target target = Target::of_project(p.key, p.key);
    if (needs(GapSubject::project_restrictions)) {
      p.restrictions = fetch<std::vector<core::BranchRestriction>>(
          row(GapSubject::project_restrictions, Owner::project), target, p.gaps);
    }
    if (!needs(GapSubject::project_deploy_keys)) {
      return;
    }
    if (const auto* resumed =
            options_.checkpoint ? options_.checkpoint->project_keys(p.key, p.key) : nullptr) {
      p.keys = *resumed;
      return;
    }
    if (auto keys = fetch<std::vector<core::Key>>(
            row(GapSubject::project_deploy_keys, Owner::project), target, p.gaps)) {
      for (auto& key : *keys) {
        key.url = web_ + "/plugins/servlet/ssh/projects/" + p.key + "/keys";
      }
      p.keys = std::move(*keys);
      if (options_.checkpoint != nullptr) {
        options_.checkpoint->record_project_keys(p.key, p.key, p.keys);
      }
    }
  }

  void read_repository(RepoWork& r) {
    if (!resume_branch_data(r)) {
      read_branch_data(r);
      if (options_.checkpoint != nullptr && resumable(r)) {
        options_.checkpoint->record_branches(r.repository);
      }
    }
    read_access_keys(r);
  }

  // Whether the repository's branch data can be taken from the journal by a later run: every
  // read of it succeeded, and so did its project's permissions (which decide whether the
  // branch model was needed).
  bool resumable(const RepoWork& r) const {
    if (r.branch_gaps || stopped() || !needs(GapSubject::default_branch)) {
      return false;
    }
    const auto& project = *projects_[project_index_.at(r.repository.workspace)];
    return !needs(GapSubject::project_restrictions) || project.restrictions.has_value();
  }

  // What an earlier run of the same scan read of the repository's branches.
  bool resume_branch_data(RepoWork& r) {
    if (options_.checkpoint == nullptr || !needs(GapSubject::default_branch)) {
      return false;
    }
    auto earlier = options_.checkpoint->branches(r.repository.full_name);
    if (!earlier) {
      return false;
    }
    r.repository.mainbranch = earlier->mainbranch;
    r.repository.updated_on = earlier->updated_on;
    r.repository.branch_restrictions = std::move(earlier->branch_restrictions);
    r.repository.branching_model = std::move(earlier->branching_model);
    return true;
  }

  void read_branch_data(RepoWork& r) {
    if (!needs(GapSubject::default_branch)) {
      return;
    }
    const std::size_t gaps_before = r.gaps.size();
    Target target = Target::of(r.repository);
    const Read& read = row(GapSubject::default_branch, Owner::repository);
    std::vector<core::Gap> gaps;
    const auto branch = fetch<DefaultBranch>(read, target, gaps);
    if (!branch && no_default_branch(gaps)) {
      // Servers that answer 404 here have no default branch yet: an empty repository.
      r.gaps.push_back(gap_about(GapSubject::last_commit, r.repository, gaps.front().endpoint,
                                 core::UnknownReason::not_found,
                                 "the repository has no default branch: an empty repository has "
                                 "no date of last activity on Data Center"));
    } else {
      add_gaps(r.gaps, std::move(gaps));
    }
    if (branch && has_commits(r, target, branch->name)) {
      r.repository.mainbranch = branch->name;
      read_protection(r, target);
    }
    r.branch_gaps = r.gaps.size() != gaps_before;
  }

  // The default branch's latest commit gives the date of last activity; a branch without one
  // is an empty repository (no default branch to protect, and no date: rule 4 is unknown).
  bool has_commits(RepoWork& r, Target& target, const std::string& branch) {
    target.item = "refs/heads/" + branch;
    const Read& read = row(GapSubject::last_commit, Owner::repository);
    std::vector<core::Gap> gaps;  // this read's alone: a 404 is told apart from other failures
    const auto commit = fetch<LastCommit>(read, target, gaps);
    if (commit && !commit->none) {
      r.repository.updated_on = commit->committed;
      return true;
    }
    if (commit || answered_404(gaps)) {
      r.gaps.push_back(gap_about(GapSubject::last_commit, r.repository,
                                 path_of(api_.url_for(path_for(read, target))),
                                 core::UnknownReason::not_found,
                                 "the default branch '" + branch +
                                     "' has no commits: an empty repository has no date of "
                                     "last activity on Data Center"));
      return false;
    }
    add_gaps(r.gaps, std::move(gaps));
    return true;  // the date is unknown; the branch's protection can still be read
  }

  void read_protection(RepoWork& r, const Target& target) {
    std::vector<core::BranchRestriction> own;
    const auto append = [&own](std::vector<core::BranchRestriction> more) {
      own.insert(own.end(), std::make_move_iterator(more.begin()),
                 std::make_move_iterator(more.end()));
    };
    if (needs(GapSubject::branch_restrictions)) {
      append(fetch<std::vector<core::BranchRestriction>>(
                 row(GapSubject::branch_restrictions, Owner::repository), target, r.gaps)
                 .value_or(std::vector<core::BranchRestriction>{}));
    }
    if (needs(GapSubject::pull_request_settings)) {
      read_merge_settings(r, target, own);
    }
    if (needs(GapSubject::default_reviewers)) {
      append(fetch<std::vector<core::BranchRestriction>>(
                 row(GapSubject::default_reviewers, Owner::repository), target, r.gaps)
                 .value_or(std::vector<core::BranchRestriction>{}));
    }
    std::vector<BuildCondition> builds;
    if (needs(GapSubject::required_builds)) {
      builds = read_builds(r, target);
    }
    read_model_if_referred(r, target, own, builds);
    append(applying_builds(r, builds));
    r.repository.branch_restrictions = std::move(own);
  }

  void read_merge_settings(RepoWork& r, const Target& target,
                           std::vector<core::BranchRestriction>& own) {
    const Read& read = row(GapSubject::pull_request_settings, Owner::repository);
    auto settings = fetch<MergeSettings>(read, target, r.gaps);
    if (!settings) {
      return;
    }
    own.insert(own.end(), settings->restrictions.begin(), settings->restrictions.end());
    if (!settings->approval_reset_known) {
      r.gaps.push_back(gap_about(GapSubject::approval_reset, r.repository,
                                 path_of(api_.url_for(path_for(read, target))),
                                 core::UnknownReason::invalid_response,
                                 "the pull-request settings do not say whether approvals are "
                                 "reset when the pull request changes (no 'unapproveOnUpdate' "
                                 "in this server's answer)"));
    }
  }

  // The required-builds merge checks: /conditions, else the older /condition; 404 on both
  // means the feature is not there to ask, which is unknown, not "none required".
  std::vector<BuildCondition> read_builds(RepoWork& r, const Target& target) {
    const Read& read = row(GapSubject::required_builds, Owner::repository);
    std::vector<core::Gap> gaps;
    auto builds = fetch<std::vector<BuildCondition>>(read, target, gaps);
    const Read* older = older_spelling_of(read);
    if (!builds && answered_404(gaps) && older != nullptr) {
      std::vector<core::Gap> older_gaps;
      builds = fetch<std::vector<BuildCondition>>(*older, target, older_gaps);
      if (!builds && answered_404(older_gaps)) {
        gaps.front().detail = "neither " + gaps.front().endpoint +
                              " nor its older spelling exists: this server "
                              "does not offer required-builds merge checks";
      } else {
        gaps = std::move(older_gaps);
      }
    }
    add_gaps(r.gaps, std::move(gaps));
    return builds.value_or(std::vector<BuildCondition>{});
  }

  void read_model_if_referred(RepoWork& r, const Target& target,
                              const std::vector<core::BranchRestriction>& own,
                              const std::vector<BuildCondition>& builds) {
    std::vector<core::BranchRestriction> all = own;
    for (const auto& b : builds) {
      all.push_back(b.restriction);
      if (b.exempt) {
        all.push_back(*b.exempt);
      }
    }
    const auto& project = *projects_[project_index_.at(r.repository.workspace)];
    if (project.restrictions) {
      all.insert(all.end(), project.restrictions->begin(), project.restrictions->end());
    }
    if (!core::needs_branching_model(all)) {
      return;
    }
    std::vector<core::Gap> gaps;
    r.repository.branching_model = fetch<core::BranchingModel>(
        row(GapSubject::branching_model, Owner::repository), target, gaps);
    if (!r.repository.branching_model && answered_404(gaps)) {
      // No branch model: a branch-model matcher names no branch. This can add a finding (a
      // restriction that applies nowhere), never hide one.
      r.repository.branching_model = core::BranchingModel{};
      spdlog::info("{} has no branch model: its branch-model restrictions apply to no branch",
                   r.repository.full_name);
      return;
    }
    add_gaps(r.gaps, std::move(gaps));
  }

  // The merge checks whose exempt branches do not take in the default branch. A check whose
  // exemption cannot be told (a matcher bbposture cannot read, or a branch model that could not
  // be read) is not counted, and leaves a gap: rule 8 is then unknown rather than passed.
  std::vector<core::BranchRestriction> applying_builds(RepoWork& r,
                                                       const std::vector<BuildCondition>& builds) {
    std::vector<core::BranchRestriction> out;
    const auto& repo = r.repository;
    const core::BranchingModel* model = repo.branching_model ? &*repo.branching_model : nullptr;
    for (const auto& b : builds) {
      const bool needs_model = b.exempt && b.exempt->branch_match_kind == "branching_model";
      if (b.exempt_unreadable || (needs_model && model == nullptr)) {
        const auto id = std::to_string(b.restriction.id);
        r.gaps.push_back(gap_about(GapSubject::required_builds, repo,
                                   "required-builds merge check " + id,
                                   core::UnknownReason::invalid_response,
                                   "cannot tell whether the default branch is exempt from "
                                   "required-builds merge check " +
                                       id + " (its exempt matcher could not be resolved)"));
        r.branch_gaps = true;
        continue;
      }
      if (b.exempt &&
          !core::resolve_default_branch(*repo.mainbranch, {*b.exempt}, model).matched.empty()) {
        continue;  // the default branch is exempt from this check
      }
      out.push_back(b.restriction);
    }
    return out;
  }

  void read_access_keys(RepoWork& r) {
    if (!needs(GapSubject::deploy_keys)) {
      return;
    }
    const auto& name = r.repository.full_name;
    if (const auto* resumed =
            options_.checkpoint ? options_.checkpoint->deploy_keys(name) : nullptr) {
      r.keys = *resumed;
      return;
    }
    auto keys = fetch<std::vector<core::Key>>(row(GapSubject::deploy_keys, Owner::repository),
                                              Target::of(r.repository), r.gaps);
    if (!keys) {
      return;
    }
    for (auto& key : *keys) {
      key.url = web_ + "/plugins/servlet/ssh/projects/" + r.repository.workspace + "/repos/" +
                r.repository.slug + "/keys";
    }
    r.keys = std::move(*keys);
    if (options_.checkpoint != nullptr) {
      options_.checkpoint->record_deploy_keys(name, r.keys);
    }
  }

  // ---- Step 5: the caller's SSH keys ---------------------------------------------------------

  void read_ssh_keys() {
    if (!options_.scope.reads_user_keys() || stopped()) {
      return;
    }
    if (const auto* resumed = options_.checkpoint ? options_.checkpoint->ssh_keys() : nullptr) {
      snapshot_.ssh_keys = *resumed;
      snapshot_.ssh_keys_status = core::SshKeysStatus::read;
      return;
    }
    auto keys = fetch<std::vector<core::Key>>(row(GapSubject::ssh_keys, Owner::user),
                                              Target::caller(snapshot_.identity.value_or("?")),
                                              snapshot_.gaps);
    if (!keys) {
      snapshot_.ssh_keys_status = core::SshKeysStatus::unreadable;
      return;
    }
    for (auto& key : *keys) {
      key.owner = snapshot_.identity.value_or("");
      key.url = web_ + "/plugins/servlet/ssh/account/keys";
    }
    snapshot_.ssh_keys = std::move(*keys);
    snapshot_.ssh_keys_status = core::SshKeysStatus::read;
    if (options_.checkpoint != nullptr) {
      options_.checkpoint->record_ssh_keys(snapshot_.ssh_keys);
    }
  }

  // ---- Hand-over: one workspace per project, in key order -------------------------------------

  void hand_over() {
    std::map<std::string, core::WorkspaceSnapshot> by_key;
    for (auto& p : projects_) {
      auto& ws = workspace(by_key, p->key);
      ws.projects.push_back({p->key, p->key, p->name, web_ + "/projects/" + p->key});
      add_gaps(snapshot_.gaps, std::move(p->gaps));
      ws.keys.insert(ws.keys.end(), p->keys.begin(), p->keys.end());
    }
    for (auto& r : repos_) {
      auto& repo = r->repository;
      const auto& project = *projects_[project_index_.at(repo.workspace)];
      if (repo.branch_restrictions && project.restrictions) {
        repo.branch_restrictions->insert(repo.branch_restrictions->end(),
                                         project.restrictions->begin(),
                                         project.restrictions->end());
      }
      auto& ws = workspace(by_key, repo.workspace);
      ws.keys.insert(ws.keys.end(), r->keys.begin(), r->keys.end());
      snapshot_.gaps.insert(snapshot_.gaps.end(), r->gaps.begin(), r->gaps.end());
      ws.repositories.push_back(std::move(repo));
    }
    for (auto& [key, ws] : by_key) {
      snapshot_.workspaces.push_back(std::move(ws));
    }
    note_missing_projects();
    note_collected();
    for (const auto& gap : snapshot_.gaps) {
      log_gap(gap);
    }
  }

  core::WorkspaceSnapshot& workspace(std::map<std::string, core::WorkspaceSnapshot>& by_key,
                                     const std::string& key) {
    auto [it, added] = by_key.try_emplace(key);
    if (added) {
      it->second.slug = key;
      it->second.listed = listing_complete_;
      it->second.deploy_keys_collected = needs(GapSubject::deploy_keys) && !options_.plan_only;
      it->second.project_keys_collected =
          needs(GapSubject::project_deploy_keys) && !options_.plan_only;
      it->second.project_restrictions_read = true;
    }
    return it->second;
  }

  // Projects named with -w that the listing did not show.
  void note_missing_projects() {
    if (!listing_complete_) {
      return;
    }
    for (const auto& key : options_.scope.workspaces) {
      if (!project_index_.contains(key)) {
        missing_.push_back(key);
      }
    }
  }

  // What this scan read, so that an offline evaluation with more rules says "not collected".
  void note_collected() {
    if (options_.plan_only) {
      return;
    }
    for (int s = 0; s <= static_cast<int>(GapSubject::last_commit); ++s) {
      const auto subject = static_cast<GapSubject>(s);
      if (needs(subject)) {
        snapshot_.collected.push_back(subject);
      }
    }
    if (!options_.scope.reads_user_keys()) {
      snapshot_.ssh_keys_status = core::SshKeysStatus::not_collected;
    }
  }

  ApiClient& api_;
  const CollectOptions& options_;
  std::string username_;
  CollectProgress* progress_;
  const std::atomic<bool>* cancel_;
  core::FilterTally tally_;
  std::string web_;
  core::Snapshot snapshot_;
  std::vector<std::unique_ptr<RepoWork>> repos_;
  std::vector<std::unique_ptr<ProjectWork>> projects_;
  std::map<std::string, std::size_t> project_index_;
  bool listing_complete_ = false;
  std::vector<std::string> missing_;
  std::optional<std::string> wrong_platform_;
  std::mutex mutex_;  // guards auth_failure_ while workers run
  std::optional<AuthFailure> auth_failure_;
  std::atomic<bool> stop_{false};
};

DataCenterCollector::DataCenterCollector(ApiClient& api, CollectOptions options,
                                         std::string username, CollectProgress* progress,
                                         const std::atomic<bool>* cancel)
    : api_(api),
      options_(std::move(options)),
      username_(std::move(username)),
      progress_(progress),
      cancel_(cancel) {}

CollectResult DataCenterCollector::run() {
  Run run(*this);
  return run.collect();
}

}  // namespace bbp::bitbucket
