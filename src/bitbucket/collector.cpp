#include "bbp/bitbucket/collector.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "bbp/bitbucket/parse.hpp"
#include "bbp/bitbucket/task_pool.hpp"
#include "bbp/core/default_branch.hpp"
#include "bbp/core/glob.hpp"

namespace bbp::bitbucket {

const char* const kRepositoryFields =
    "next,values.slug,values.full_name,values.name,values.uuid,values.is_private,"
    "values.updated_on,values.mainbranch,values.project.key,values.project.name,"
    "values.links.html.href";

namespace {

using core::GapSubject;

std::string repo_path(const core::Repository& repo) {
  return "/repositories/" + percent_encode(repo.workspace) + "/" + percent_encode(repo.slug);
}

bool is_pagelen_error(const ApiError& e) {
  return e.http_status == 400 && e.message.find("pagelen") != std::string::npos;
}

// Every failed read at -v (the scan ends with one warning per cause, see gap_summary in the
// app); the reads skipped after an interruption only at debug level, so ^C does not flood.
void log_gap(const core::Gap& gap) {
  if (gap.detail == kInterruptedDetail) {
    spdlog::debug("not read {}: {}", gap.endpoint, gap.detail);
  } else {
    spdlog::info("could not read {}: {}", gap.endpoint, gap.detail);
  }
}

}  // namespace

std::optional<std::string> paced_duration(std::size_t requests, std::uint32_t per_hour) {
  const std::size_t rate = per_hour;
  if (rate == 0 || requests * 3600 <= rate * 300) {
    return std::nullopt;
  }
  const auto minutes = (requests * 60 + rate - 1) / rate;
  return "about " + std::to_string(requests) + " requests to make at --max-requests-per-hour " +
         std::to_string(per_hour) + ": the scan takes about " + std::to_string(minutes / 60) +
         " h " + std::to_string(minutes % 60) + " min more";
}

// One run of the collector, as the steps of a pipeline:
//   1. who is calling (GET /user), read alongside 2. the workspaces (GET /user/workspaces);
//   3. the caller's SSH keys, read by a worker while
//   4. each workspace's repositories are listed page by page on this thread and workers already
//      make the per-repository reads of the pages listed so far (branch restrictions and, when
//      needed, the branching model; deploy keys), then its projects' deploy keys;
//   5. the merge: gaps in task order, keys de-duplicated.
// At most `concurrency` requests are ever in flight: this thread and `concurrency - 1` workers.
class Collector::Run {
 public:
  explicit Run(const Collector& collector)
      : api_(collector.api_),
        options_(collector.options_),
        progress_(collector.progress_),
        cancel_(collector.cancel_),
        reads_branches_(options_.scope.reads_branches()),
        reads_keys_(options_.scope.reads_keys()),
        reads_user_keys_(options_.scope.reads_user_keys()),
        reads_workspace_(options_.scope.reads(GapSubject::workspace)),
        reads_hooks_(options_.scope.reads(GapSubject::hooks)),
        reads_variables_(options_.scope.reads(GapSubject::pipeline_variables)),
        reads_members_(options_.scope.reads(GapSubject::members)),
        reads_owners_(options_.scope.reads(GapSubject::owners)),
        tally_(options_.scope) {
    snapshot_.api_url = api_.api_base();
  }

  CollectResult collect() {
    const auto workspaces = identify_caller_and_workspaces();
    if (stopped()) {
      return finish();
    }
    if (progress_ != nullptr) {
      progress_->workspaces_total = workspaces.size();
    }
    snapshot_.workspaces.resize(workspaces.size());
    for (std::size_t w = 0; w < workspaces.size(); ++w) {
      snapshot_.workspaces[w].slug = workspaces[w];
    }
    staged_.resize(workspaces.size());
    std::size_t listed = 0;
    {
      // Stops and joins its workers however this block is left, an exception included.
      TaskPool pool(options_.concurrency);
      pool_ = &pool;
      listed = list_and_queue(workspaces.size());
      pool.drain();  // this thread takes tasks too; a task's exception is rethrown here
      pool_ = nullptr;
    }
    hand_over(listed);
    for (auto& ws : snapshot_.workspaces) {
      ws.deploy_keys_collected = ws.project_keys_collected = reads_keys_ && !options_.plan_only;
    }
    if (stopped()) {
      return finish();
    }
    merge_gaps();
    merge_keys();
    list_visible_workspaces();
    return finish();
  }

 private:
  enum class TaskKind {
    branches,
    deploy_keys,
    project_keys,
    ssh_keys,
    // The extended rules' reads: per repository, then per workspace.
    hooks,
    repository_variables,
    deployment_variables,
    workspace,
    workspace_hooks,
    workspace_variables,
    members,
    owners,
  };

  // A listed repository while its reads are made: shared by its tasks and the walk.
  struct Staged {
    explicit Staged(core::Repository r) : repository(std::move(r)) {}
    core::Repository repository;
    std::atomic<int> reads_left{0};  // it is done when this is 0
  };

  // One read and its result. The task that makes the read is the only writer until the pool
  // is drained; the walk keeps every task in the order it was queued, and merges them in that
  // order, so the snapshot does not depend on which worker finished first.
  struct Task {
    TaskKind kind = TaskKind::branches;
    std::size_t workspace = 0;
    std::shared_ptr<Staged> staged;      // branches, deploy_keys
    std::optional<std::size_t> project;  // project_keys
    std::vector<core::Key> keys;         // keys read by this task
    std::vector<core::Gap> gaps;
  };

  // Steps 3 and 4: queues the caller's SSH keys, then lists each workspace while the pool reads
  // what is listed. Returns the number of workspaces listed (fewer when the credential was
  // rejected on the way).
  std::size_t list_and_queue(std::size_t workspaces) {
    // The caller's SSH keys only need /user: read them while the first page is listed.
    if (user_uuid_ && !options_.plan_only) {
      queue_ssh_keys();
    }
    for (std::size_t w = 0; w < workspaces; ++w) {
      if (stopped()) {  // a worker met a rejected credential
        return w;
      }
      if (!list_repositories(w)) {
        return w + 1;
      }
      queue_project_keys(w);
      queue_workspace_reads(w);
      if (progress_ != nullptr) {
        progress_->workspaces_done += 1;
      }
    }
    announce_plan();
    return workspaces;
  }

  // ---- Reads -------------------------------------------------------------------------------

  // Reads every page of `path` (adding pagelen=100, falling back when the API refuses it).
  tl::expected<void, ApiError> read_all(const std::string& path, std::vector<nlohmann::json>& out) {
    tl::expected<void, ApiError> result;
    for (const char* pagelen : {"100", "50", ""}) {
      out.clear();
      const std::string url = *pagelen ? with_query(path, "pagelen", pagelen) : path;
      result = api_.for_each_page(url, [&](const nlohmann::json& values) {
        for (const auto& v : values) {
          out.push_back(v);
        }
        return !stopped();  // a rejected credential ends the scan: no further pages
      });
      if (result || !is_pagelen_error(result.error())) {
        break;
      }
    }
    return result;
  }

  // True when the error ends the whole scan: the credential was rejected. A cancelled read is
  // not fatal: it becomes an "interrupted" gap like any other failed read, and every later read
  // fails the same way at once, without a request, so that the report names what was not read.
  bool fatal(const ApiError& e) {
    const std::lock_guard lock(mutex_);
    return fatal_locked(e);
  }

  // fatal() for a caller that holds mutex_.
  bool fatal_locked(const ApiError& e) {
    if (e.kind != ApiError::Kind::auth && e.kind != ApiError::Kind::unreachable) {
      return false;
    }
    if (!auth_failure_) {
      auth_failure_ = AuthFailure{e.message, e.kind == ApiError::Kind::unreachable};
    }
    stop_ = true;
    return true;
  }

  void add_gap(core::Gap gap) {
    const std::lock_guard lock(mutex_);
    log_gap(gap);
    snapshot_.gaps.push_back(std::move(gap));
  }

  bool stopped() const { return stop_.load(); }  // the credential was rejected

  CollectResult finish() {
    return CollectResult{std::move(snapshot_),
                         auth_failure_,
                         cancel_ != nullptr && cancel_->load(),
                         std::move(missing_workspaces_),
                         std::move(visible_workspaces_),
                         tally_.unmatched()};
  }

  // When a workspace named with -w was not found: the workspaces the credential can see, for
  // the message (one more request; nothing when they cannot be listed).
  void list_visible_workspaces() {
    if (missing_workspaces_.empty() || stopped() || options_.plan_only) {
      return;
    }
    std::optional<core::Gap> gap;
    auto visible = list_workspaces(gap);
    if (!gap) {
      visible_workspaces_ = std::move(visible);
    }
  }

  // ---- Steps 1 and 2 -----------------------------------------------------------------------

  // GET /user, when the caller's SSH keys are needed, read alongside GET /user/workspaces
  // when the workspaces were not given (both are needed before anything else, so reading them
  // together saves a round trip). Gaps are added in that order whichever answers first.
  std::vector<std::string> identify_caller_and_workspaces() {
    snapshot_.ssh_keys_status = core::SshKeysStatus::not_collected;
    const bool read_user = reads_user_keys_ && options_.credential != CredentialKind::access_token;
    if (reads_user_keys_ && !read_user) {
      snapshot_.ssh_keys_status = core::SshKeysStatus::not_applicable;
    }
    const bool read_workspaces = options_.scope.workspaces.empty();
    const bool together = read_user && read_workspaces && options_.concurrency > 1;
    std::vector<std::string> workspaces = options_.scope.workspaces;
    std::optional<core::Gap> user_gap;
    std::optional<core::Gap> workspaces_gap;
    std::exception_ptr user_failure;  // an exception of the /user thread, rethrown here
    {
      std::jthread user_reader;
      if (together) {
        // The token first (both reads need it); a rejected credential ends the scan here.
        if (!authenticated()) {
          return {};
        }
        user_reader = std::jthread([this, &user_gap, &user_failure] {
          try {
            user_gap = identify_caller();
          } catch (...) {
            user_failure = std::current_exception();
          }
        });
      } else if (read_user) {
        user_gap = identify_caller();
      }
      if (read_workspaces && !stopped()) {
        workspaces = list_workspaces(workspaces_gap);
      }
    }  // joins the /user read
    if (user_failure) {
      std::rethrow_exception(user_failure);
    }
    if (stopped()) {
      return {};  // the credential was rejected: nothing else matters
    }
    if (user_gap) {
      add_gap(std::move(*user_gap));
    }
    if (workspaces_gap) {
      add_gap(std::move(*workspaces_gap));
    }
    return workspaces;
  }

  // False when the credential was rejected (recorded as the scan's authentication failure).
  bool authenticated() {
    auto ready = api_.authenticate();
    return ready || !fatal(ready.error());
  }

  // Decides whether the caller's SSH keys apply; returns the gap when /user could not be read.
  std::optional<core::Gap> identify_caller() {
    auto user = api_.get_json("/user");
    if (!user) {
      if (fatal(user.error())) {
        return std::nullopt;
      }
      snapshot_.ssh_keys_status = core::SshKeysStatus::unreadable;
      return gap_from_error(user.error(), GapSubject::user, "");
    }
    if (string_at(*user, "type").value_or("user") != "user") {
      snapshot_.ssh_keys_status = core::SshKeysStatus::not_applicable;  // app users have none
      return std::nullopt;
    }
    if ((user_uuid_ = string_at(*user, "uuid"))) {
      snapshot_.ssh_keys_status = core::SshKeysStatus::read;
      return std::nullopt;
    }
    snapshot_.ssh_keys_status = core::SshKeysStatus::unreadable;
    return core::Gap{GapSubject::user,
                     "",
                     std::nullopt,
                     std::nullopt,
                     path_of(api_.url_for("/user")),
                     std::nullopt,
                     core::UnknownReason::invalid_response,
                     "the /user answer has no uuid"};
  }

  // Every workspace the credential can see, sorted and de-duplicated; `gap` says why the list
  // is incomplete (added by the caller, after the /user gap).
  std::vector<std::string> list_workspaces(std::optional<core::Gap>& gap) {
    std::vector<std::string> workspaces;
    std::vector<nlohmann::json> values;
    if (auto listed = read_all("/user/workspaces", values); !listed) {
      if (fatal(listed.error())) {
        return {};
      }
      gap = gap_from_error(listed.error(), GapSubject::workspaces, "");
    }
    for (const auto& v : values) {
      if (auto slug = parse_workspace_slug(v)) {
        workspaces.push_back(std::move(*slug));
      }
    }
    std::sort(workspaces.begin(), workspaces.end());
    workspaces.erase(std::unique(workspaces.begin(), workspaces.end()), workspaces.end());
    return workspaces;
  }

  // ---- Step 4: repositories, listed while workers read them --------------------------------

  // Lists workspace `w` page by page (filtered before any per-repository request), queueing
  // each selected repository's reads as soon as its page arrives. False when the credential
  // was rejected (the scan ends).
  bool list_repositories(std::size_t w) {
    auto& ws = snapshot_.workspaces[w];
    const auto& slug = ws.slug;
    // Raw entries already handed out: a listing restarted with a smaller pagelen skips them.
    std::size_t handed_out = 0;
    const auto on_page = [&](std::size_t& position, const nlohmann::json& values) {
      for (const auto& v : values) {
        if (position++ < handed_out) {
          continue;
        }
        handed_out = position;
        stage(w, v);
      }
      // When interrupted, the next page's read fails as such: the listing is then recorded as
      // incomplete rather than silently cut short.
      return !stopped();
    };
    const std::string path =
        with_query("/repositories/" + percent_encode(slug), "fields",
                   reads_workspace_ ? std::string(kRepositoryFields) + ",values.fork_policy"
                                    : kRepositoryFields);
    tl::expected<void, ApiError> listed;
    for (const char* pagelen : {"100", "50", ""}) {
      std::size_t position = 0;
      const std::string url = *pagelen ? with_query(path, "pagelen", pagelen) : path;
      listed = api_.for_each_page(
          url, [&](const nlohmann::json& values) { return on_page(position, values); });
      if (listed || !is_pagelen_error(listed.error())) {
        break;
      }
    }
    if (!listed) {
      if (fatal(listed.error())) {
        return false;
      }
      ws.listed = false;
      auto gap = gap_from_error(listed.error(), GapSubject::repositories, slug);
      if (gap.reason == core::UnknownReason::not_found && !options_.scope.workspaces.empty()) {
        missing_workspaces_.push_back(slug);
      }
      add_gap(std::move(gap));
    }
    return true;
  }

  // One raw entry of workspace `w`'s listing: kept and queued when selected.
  void stage(std::size_t w, const nlohmann::json& v) {
    const auto& slug = snapshot_.workspaces[w].slug;
    auto repo = parse_repository(v, slug);
    if (!repo) {
      spdlog::warn("ignoring a repository entry without a slug in workspace {}", slug);
      return;
    }
    tally_.note(*repo);
    if (!options_.scope.selects(*repo)) {
      return;
    }
    if (repo->project_key) {
      std::string name = *repo->project_key;
      if (const auto* project = v.is_object() && v.contains("project") ? &v["project"] : nullptr) {
        name = string_at(*project, "name").value_or(name);
      }
      project_names_.emplace(*repo->project_key, name);
    }
    auto& staged = *staged_[w].emplace_back(std::make_shared<Staged>(std::move(*repo)));
    if (progress_ != nullptr) {
      progress_->repositories_total += 1;
    }
    // Two tasks, so that a repository's reads spread over the workers and the scan's tail is
    // one round trip long, not a repository's whole chain.
    const bool branches = reads_branches_ && staged.repository.mainbranch.has_value();
    const auto extras = repository_extras();
    staged.reads_left =
        (branches ? 1 : 0) + (reads_keys_ ? 1 : 0) + static_cast<int>(extras.size());
    if (options_.plan_only) {
      return;
    }
    if (branches && resume_branches(staged.repository)) {
      staged.reads_left -= 1;
    }
    const bool keys_resumed = reads_keys_ && resume_deploy_keys(w, staged.repository);
    if (keys_resumed) {
      staged.reads_left -= 1;
    }
    if (staged.reads_left == 0 && progress_ != nullptr) {
      progress_->repositories_done += 1;  // nothing (left) to read
    }
    if (branches && !staged.repository.branch_restrictions) {
      queue(Task{TaskKind::branches, w, staged_[w].back(), std::nullopt, {}, {}});
    }
    if (reads_keys_ && !keys_resumed) {
      queue(Task{TaskKind::deploy_keys, w, staged_[w].back(), std::nullopt, {}, {}});
    }
    for (const auto kind : extras) {
      queue(Task{kind, w, staged_[w].back(), std::nullopt, {}, {}});
    }
  }

  // The extended rules' reads of each repository (never taken from a checkpoint).
  std::vector<TaskKind> repository_extras() const {
    std::vector<TaskKind> kinds;
    if (reads_hooks_) {
      kinds.push_back(TaskKind::hooks);
    }
    if (reads_variables_) {
      kinds.push_back(TaskKind::repository_variables);
      kinds.push_back(TaskKind::deployment_variables);
    }
    return kinds;
  }

  // The extended rules' workspace-wide reads, once its repositories are listed (none for a
  // workspace Bitbucket did not find).
  void queue_workspace_reads(std::size_t w) {
    const auto& slug = snapshot_.workspaces[w].slug;
    if (options_.plan_only || std::find(missing_workspaces_.begin(), missing_workspaces_.end(),
                                        slug) != missing_workspaces_.end()) {
      return;
    }
    for (const auto& [wanted, kind] : {std::pair{reads_workspace_, TaskKind::workspace},
                                       std::pair{reads_hooks_, TaskKind::workspace_hooks},
                                       std::pair{reads_variables_, TaskKind::workspace_variables},
                                       std::pair{reads_members_, TaskKind::members},
                                       std::pair{reads_owners_, TaskKind::owners}}) {
      if (wanted) {
        queue(Task{kind, w, nullptr, std::nullopt, {}, {}});
      }
    }
  }

  // ---- Resuming from a checkpoint ----------------------------------------------------------

  // Restrictions and branching model as an earlier run read them; false when it did not.
  bool resume_branches(core::Repository& repo) {
    auto read = options_.checkpoint != nullptr ? options_.checkpoint->branches(repo.full_name)
                                               : std::nullopt;
    if (!read) {
      return false;
    }
    repo.branch_restrictions = std::move(read->branch_restrictions);
    repo.branching_model = std::move(read->branching_model);
    resumed();
    return true;
  }

  // The repository's deploy keys as an earlier run read them, as a task that is already done.
  bool resume_deploy_keys(std::size_t w, const core::Repository& repo) {
    const auto* keys =
        options_.checkpoint != nullptr ? options_.checkpoint->deploy_keys(repo.full_name) : nullptr;
    if (keys == nullptr) {
      return false;
    }
    add_done(Task{TaskKind::deploy_keys, w, nullptr, std::nullopt, *keys, {}});
    resumed();
    return true;
  }

  // Where a completed read is recorded; none once the credential was rejected (a listing cut
  // short by that is not a completed read).
  Checkpoint* checkpoint_to_write() const { return stopped() ? nullptr : options_.checkpoint; }

  void resumed() {
    if (progress_ != nullptr) {
      progress_->resumed_reads += 1;
    }
  }

  // One read to make: counted for the progress line's "requests needed", kept in queue order
  // for the merge, and handed to the pool.
  void queue(Task task) {
    if (progress_ != nullptr) {
      progress_->requests_planned += 1;
    }
    auto& slot = tasks_.emplace_back(std::make_shared<Task>(std::move(task)));
    pool_->submit([this, slot] {
      if (!stopped()) {  // a rejected credential: nothing more is read
        run_task(*slot);
      }
    });
  }

  // A task whose result is already known (from the checkpoint): kept for the merge, not run.
  void add_done(Task task) { tasks_.push_back(std::make_shared<Task>(std::move(task))); }

  void queue_ssh_keys() {
    const auto* keys = options_.checkpoint != nullptr ? options_.checkpoint->ssh_keys() : nullptr;
    if (keys == nullptr) {
      queue(Task{TaskKind::ssh_keys, 0, nullptr, std::nullopt, {}, {}});
      return;
    }
    snapshot_.ssh_keys = *keys;  // no worker runs yet
    resumed();
  }

  // Every workspace is listed: the count of requests still needed is complete.
  void announce_plan() {
    if (progress_ == nullptr) {
      return;
    }
    progress_->listed = true;
    if (const auto said =
            paced_duration(progress_->requests_planned.load(), options_.requests_per_hour)) {
      spdlog::warn("{}", *said);
    }
    spdlog::info("listed {} repositories: about {} more requests to make{}",
                 progress_->repositories_total.load(), progress_->requests_planned.load(),
                 progress_->resumed_reads.load() > 0
                     ? " (" + std::to_string(progress_->resumed_reads.load()) +
                           " reads taken from the checkpoint)"
                     : std::string());
  }

  // The projects in scope are those of the listed repositories: one deploy-key read each.
  void queue_project_keys(std::size_t w) {
    auto& ws = snapshot_.workspaces[w];
    // Projects in key order; nothing touches ws.projects once its tasks are queued.
    for (const auto& [key, name] : project_names_) {
      ws.projects.push_back(
          {key, "", name, "https://bitbucket.org/" + ws.slug + "/workspace/projects/" + key});
    }
    project_names_.clear();
    if (!reads_keys_ || options_.plan_only) {
      return;
    }
    for (std::size_t p = 0; p < ws.projects.size(); ++p) {
      const auto* keys = options_.checkpoint != nullptr
                             ? options_.checkpoint->project_keys(ws.slug, ws.projects[p].key)
                             : nullptr;
      if (keys != nullptr) {
        add_done(Task{TaskKind::project_keys, w, nullptr, p, *keys, {}});
        resumed();
      } else {
        queue(Task{TaskKind::project_keys, w, nullptr, p, {}, {}});
      }
    }
  }

  // ---- Tasks -------------------------------------------------------------------------------

  void run_task(Task& task) {
    run_read(task);
    if (progress_ != nullptr) {
      progress_->reads_done += 1;
    }
  }

  void run_read(Task& task) {
    switch (task.kind) {
      case TaskKind::branches:
        read_branches(task);
        repository_read(task);
        return;
      case TaskKind::deploy_keys:
        read_deploy_keys(task);
        repository_read(task);
        return;
      case TaskKind::project_keys:
        read_project_keys(task);
        return;
      case TaskKind::ssh_keys:
        read_ssh_keys(task);
        return;
      case TaskKind::hooks:
      case TaskKind::repository_variables:
      case TaskKind::deployment_variables:
        read_repository_extra(task);
        repository_read(task);
        return;
      default:
        read_workspace_extra(task);
        return;
    }
  }

  // One of a repository's tasks is done; the repository counts as done with the last of them.
  void repository_read(const Task& task) {
    if (--task.staged->reads_left == 0 && progress_ != nullptr) {
      progress_->repositories_done += 1;
    }
  }

  static void task_gap(Task& task, core::Gap gap) {
    log_gap(gap);
    task.gaps.push_back(std::move(gap));
  }

  // Branch restrictions (every page), then the effective branching model when one of them
  // refers to it.
  void read_branches(Task& task) {
    auto& repo = task.staged->repository;
    const auto& ws = snapshot_.workspaces[task.workspace];
    const std::string base = repo_path(repo);
    std::vector<nlohmann::json> values;
    if (auto listed = read_all(base + "/branch-restrictions", values); !listed) {
      if (!fatal(listed.error())) {
        task_gap(task, gap_from_error(listed.error(), GapSubject::branch_restrictions, ws.slug,
                                      repo.full_name));
      }
      return;
    }
    std::vector<core::BranchRestriction> restrictions;
    for (const auto& v : values) {
      if (auto r = parse_restriction(v)) {
        restrictions.push_back(std::move(*r));
      }
    }
    bool complete = true;
    if (core::needs_branching_model(restrictions)) {
      complete = false;
      auto model = api_.get_json(base + "/effective-branching-model");
      if (!model) {
        if (fatal(model.error())) {
          return;
        }
        task_gap(task, gap_from_error(model.error(), GapSubject::branching_model, ws.slug,
                                      repo.full_name));
      } else if (auto parsed = parse_branching_model(*model)) {
        repo.branching_model = std::move(*parsed);
        complete = true;
      } else {
        task_gap(task, core::Gap{GapSubject::branching_model, ws.slug, repo.full_name, std::nullopt,
                                 path_of(api_.url_for(base + "/effective-branching-model")), 200,
                                 core::UnknownReason::invalid_response,
                                 "the branching model has no 'development' branch"});
      }
    }
    repo.branch_restrictions = std::move(restrictions);
    if (auto* journal = checkpoint_to_write(); complete && journal != nullptr) {
      journal->record_branches(repo);
    }
  }

  void read_deploy_keys(Task& task) {
    const auto& repo = task.staged->repository;
    const auto& ws = snapshot_.workspaces[task.workspace];
    std::vector<nlohmann::json> values;
    if (auto listed = read_all(repo_path(repo) + "/deploy-keys", values); !listed) {
      if (!fatal(listed.error())) {
        task_gap(task,
                 gap_from_error(listed.error(), GapSubject::deploy_keys, ws.slug, repo.full_name));
      }
      return;
    }
    for (const auto& v : values) {
      if (auto key = parse_key(v, core::KeyKind::deploy_key)) {
        key->workspace = ws.slug;
        key->repository = repo.full_name;
        key->project = repo.project_key;
        key->url = repo.html_url + "/admin/access-keys/";
        task.keys.push_back(std::move(*key));
      }
    }
    if (auto* journal = checkpoint_to_write()) {
      journal->record_deploy_keys(repo.full_name, task.keys);
    }
  }

  void read_project_keys(Task& task) {
    const auto& ws = snapshot_.workspaces[task.workspace];
    const auto& project = ws.projects[*task.project];
    std::vector<nlohmann::json> values;
    const auto listed = read_all("/workspaces/" + percent_encode(ws.slug) + "/projects/" +
                                     percent_encode(project.key) + "/deploy-keys",
                                 values);
    if (!listed) {
      if (!fatal(listed.error())) {
        task_gap(task, gap_from_error(listed.error(), GapSubject::project_deploy_keys, ws.slug,
                                      std::nullopt, project.key));
      }
      return;
    }
    for (const auto& v : values) {
      if (auto key = parse_key(v, core::KeyKind::project_deploy_key)) {
        key->workspace = ws.slug;
        key->project = project.key;
        key->url = project.html_url;
        task.keys.push_back(std::move(*key));
      }
    }
    if (auto* journal = checkpoint_to_write()) {
      journal->record_project_keys(ws.slug, project.key, task.keys);
    }
  }

  // ---- The extended rules' reads ----------------------------------------------------------

  // Every page of `path` into `values`; false, with the gap recorded, when it failed.
  bool read_list(Task& task, const std::string& path, GapSubject subject,
                 const std::optional<std::string>& repository,
                 std::vector<nlohmann::json>& values) {
    auto listed = read_all(path, values);
    if (!listed && !fatal(listed.error())) {
      task_gap(task, gap_from_error(listed.error(), subject,
                                    snapshot_.workspaces[task.workspace].slug, repository));
    }
    return listed.has_value();
  }

  template <typename T, typename Parse>
  std::optional<std::vector<T>> read_parsed(Task& task, const std::string& path, GapSubject subject,
                                            const std::optional<std::string>& repository,
                                            Parse parse) {
    std::vector<nlohmann::json> values;
    if (!read_list(task, path, subject, repository, values)) {
      return std::nullopt;
    }
    std::vector<T> out;
    for (const auto& v : values) {
      if (auto item = parse(v)) {
        out.push_back(std::move(*item));
      }
    }
    return out;
  }

  // A repository's webhooks, its variables, or its deployment environments' variables.
  void read_repository_extra(Task& task) {
    auto& repo = task.staged->repository;
    const std::string base = repo_path(repo);
    const auto variable = [](core::VariableLevel level) {
      return [level](const nlohmann::json& v) { return parse_variable(v, level); };
    };
    switch (task.kind) {
      case TaskKind::hooks:
        repo.hooks = read_parsed<core::Webhook>(task, base + "/hooks", GapSubject::hooks,
                                                repo.full_name, parse_webhook);
        return;
      case TaskKind::repository_variables:
        repo.pipeline_variables = read_parsed<core::PipelineVariable>(
            task, base + "/pipelines_config/variables", GapSubject::pipeline_variables,
            repo.full_name, variable(core::VariableLevel::repository));
        return;
      default:
        repo.deployment_variables = read_deployment_variables(task, base);
        return;
    }
  }

  // Every deployment environment's variables; nullopt when any could not be read.
  std::optional<std::vector<core::PipelineVariable>> read_deployment_variables(
      Task& task, const std::string& base) {
    const auto& repo = task.staged->repository;
    const auto environments = read_parsed<Environment>(
        task, base + "/environments", GapSubject::environments, repo.full_name, parse_environment);
    if (!environments) {
      return std::nullopt;
    }
    std::vector<core::PipelineVariable> out;
    for (const auto& env : *environments) {
      const auto vars = read_parsed<core::PipelineVariable>(
          task,
          base + "/deployments_config/environments/" + percent_encode(env.uuid) + "/variables",
          GapSubject::environments, repo.full_name, [](const nlohmann::json& v) {
            return parse_variable(v, core::VariableLevel::deployment);
          });
      if (!vars) {
        return std::nullopt;
      }
      for (auto var : *vars) {
        var.environment = env.name;
        out.push_back(std::move(var));
      }
    }
    return out;
  }

  // One of the workspace's own reads: its settings, webhooks, variables, members or owners.
  // Each task writes only its own member of the workspace.
  void read_workspace_extra(Task& task) {
    auto& ws = snapshot_.workspaces[task.workspace];
    const std::string base = "/workspaces/" + percent_encode(ws.slug);
    switch (task.kind) {
      case TaskKind::workspace:
        read_forking_mode(task, ws, base);
        return;
      case TaskKind::workspace_hooks:
        ws.hooks = read_parsed<core::Webhook>(task, base + "/hooks", GapSubject::hooks,
                                              std::nullopt, parse_webhook);
        return;
      case TaskKind::workspace_variables:
        ws.pipeline_variables = read_parsed<core::PipelineVariable>(
            task, base + "/pipelines-config/variables", GapSubject::pipeline_variables,
            std::nullopt, [](const nlohmann::json& v) {
              return parse_variable(v, core::VariableLevel::workspace);
            });
        return;
      case TaskKind::members:
        ws.members = read_parsed<core::Member>(
            task, with_query(base + "/members", "fields", "+values.user.has_2fa_enabled"),
            GapSubject::members, std::nullopt, parse_member);
        return;
      default:
        ws.owners = read_parsed<core::Member>(
            task, with_query(base + "/permissions", "q", "permission=\"owner\""),
            GapSubject::owners, std::nullopt, parse_member);
        return;
    }
  }

  void read_forking_mode(Task& task, core::WorkspaceSnapshot& ws, const std::string& base) {
    auto workspace = api_.get_json(base);
    if (!workspace) {
      if (!fatal(workspace.error())) {
        task_gap(task, gap_from_error(workspace.error(), GapSubject::workspace, ws.slug));
      }
      return;
    }
    ws.forking_mode = string_at(*workspace, "forking_mode");
    if (!ws.forking_mode) {
      task_gap(task,
               core::Gap{GapSubject::workspace, ws.slug, std::nullopt, std::nullopt,
                         path_of(api_.url_for(base)), 200, core::UnknownReason::invalid_response,
                         "the workspace has no 'forking_mode'"});
    }
  }

  // ---- Step 3: the caller's SSH keys (queued first) -------------------------------------

  void read_ssh_keys(Task& task) {
    std::vector<nlohmann::json> values;
    const auto listed = read_all("/users/" + percent_encode(*user_uuid_) + "/ssh-keys", values);
    const std::lock_guard lock(mutex_);
    if (!listed) {
      if (!fatal_locked(listed.error())) {
        task_gap(task, gap_from_error(listed.error(), GapSubject::ssh_keys, ""));
      }
      snapshot_.ssh_keys_status = core::SshKeysStatus::unreadable;
      return;
    }
    for (const auto& v : values) {
      if (auto key = parse_key(v, core::KeyKind::ssh_key)) {
        key->url = "https://bitbucket.org/account/settings/ssh-keys/";
        snapshot_.ssh_keys.push_back(std::move(*key));
      }
    }
    if (auto* journal = checkpoint_to_write()) {
      journal->record_ssh_keys(snapshot_.ssh_keys);
    }
  }

  // ---- The pool's results -------------------------------------------------------------

  // Once the pool is drained: the staged repositories of the listed workspaces go to the
  // snapshot (the others were never listed).
  void hand_over(std::size_t listed_workspaces) {
    snapshot_.workspaces.resize(listed_workspaces);
    for (std::size_t w = 0; w < listed_workspaces; ++w) {
      auto& repos = snapshot_.workspaces[w].repositories;
      repos.reserve(staged_[w].size());
      for (auto& staged : staged_[w]) {
        repos.push_back(std::move(staged->repository));
      }
    }
    staged_.clear();
  }

  // ---- Step 5: the merge -------------------------------------------------------------------

  // In task order, the caller's SSH keys last (where they stand in the report's errors).
  void merge_gaps() {
    for (const bool ssh : {false, true}) {
      for (auto& task : tasks_) {
        if ((task->kind == TaskKind::ssh_keys) == ssh) {
          for (auto& gap : task->gaps) {
            snapshot_.gaps.push_back(std::move(gap));
          }
        }
      }
    }
  }

  // Project keys first; a repository key with the same key material is the project key showing
  // through, and is reported once, as the project key.
  void merge_keys() {
    for (auto& task : tasks_) {
      if (task->kind == TaskKind::project_keys && task->workspace < snapshot_.workspaces.size()) {
        auto& ws = snapshot_.workspaces[task->workspace];
        for (auto& key : task->keys) {
          ws.keys.push_back(std::move(key));
        }
      }
    }
    for (std::size_t w = 0; w < snapshot_.workspaces.size(); ++w) {
      auto& ws = snapshot_.workspaces[w];
      // (project key, key material) of every project deploy key in this workspace.
      std::set<std::pair<std::string, std::string>> project_material;
      for (const auto& key : ws.keys) {
        if (!key.key_material.empty() && key.project) {
          project_material.emplace(*key.project, key.key_material);
        }
      }
      for (auto& task : tasks_) {
        if (task->kind != TaskKind::deploy_keys || task->workspace != w) {
          continue;
        }
        for (auto& key : task->keys) {
          // The project's key showing through in one of its repositories: reported once, as
          // the project key. The same material under another project is a separate key.
          const bool inherited = !key.key_material.empty() && key.project &&
                                 project_material.contains({*key.project, key.key_material});
          if (!inherited) {
            ws.keys.push_back(std::move(key));
          }
        }
      }
    }
  }

  ApiClient& api_;
  const CollectOptions& options_;
  CollectProgress* progress_;
  const std::atomic<bool>* cancel_;
  const bool reads_branches_;
  const bool reads_keys_;
  const bool reads_user_keys_;
  const bool reads_workspace_;  // the extended rules' reads
  const bool reads_hooks_;
  const bool reads_variables_;
  const bool reads_members_;
  const bool reads_owners_;
  core::FilterTally tally_;  // written by the listing thread only
  std::vector<std::string> missing_workspaces_;
  std::optional<std::vector<std::string>> visible_workspaces_;

  core::Snapshot snapshot_;
  std::mutex mutex_;  // guards snapshot_.gaps, the SSH keys and auth_failure_ while workers run
  std::optional<AuthFailure> auth_failure_;
  std::atomic<bool> stop_{false};

  std::optional<std::string> user_uuid_;
  std::map<std::string, std::string> project_names_;  // key -> name, of the current listing

  // The repositories of each workspace while their tasks read them; handed to the snapshot
  // once the pool is drained.
  std::vector<std::vector<std::shared_ptr<Staged>>> staged_;
  // Every task in the order it was queued (only this thread appends; each task's worker writes
  // only its own task).
  std::vector<std::shared_ptr<Task>> tasks_;
  TaskPool* pool_ = nullptr;  // while the walk lists and queues
};

Collector::Collector(ApiClient& api, CollectOptions options, CollectProgress* progress,
                     const std::atomic<bool>* cancel)
    : api_(api), options_(std::move(options)), progress_(progress), cancel_(cancel) {}

CollectResult Collector::run() {
  return Run(*this).collect();
}

}  // namespace bbp::bitbucket
