#include "bbp/bitbucket/collector.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <type_traits>

#include <spdlog/spdlog.h>

#include "bbp/bitbucket/task_pool.hpp"
#include "bbp/core/default_branch.hpp"

namespace bbp::bitbucket {
namespace {

using core::GapSubject;

// Who GET /user says the caller is, for the report's provenance: "nickname {uuid}".
std::optional<std::string> identity_of(const Caller& caller) {
  if (!caller.name && !caller.uuid) {
    return std::nullopt;
  }
  if (!caller.name || !caller.uuid) {
    return caller.name ? *caller.name : *caller.uuid;
  }
  return *caller.name + " " + *caller.uuid;
}

// The data reads of `owner` that a scan with `scope` makes for every owner in scope (a
// selected rule needs them), in table order. A read made only when another answer refers to
// it is made by that read's task.
std::vector<const Read*> reads_for(const core::Scope& scope, Owner owner) {
  std::vector<const Read*> out;
  for (const auto& read : reads()) {
    if (read.owner == owner && read.role == Role::data && read.when != When::referred_to &&
        scope.reads(read.subject)) {
      out.push_back(&read);
    }
  }
  return out;
}

// Whether `read` is made for this repository.
bool made_for(const Read& read, const core::Repository& repository) {
  switch (read.when) {
    case When::always:
      return true;
    case When::default_branch:
      return repository.mainbranch.has_value();
    case When::referred_to:
      return false;  // by the read that refers to it
  }
  return false;
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
//      needed, the branching model; deploy keys; the extended rules' reads), then its projects'
//      and the workspace's own reads;
//   5. the merge: gaps in task order, keys de-duplicated.
// At most `concurrency` requests are ever in flight: this thread and `concurrency - 1` workers.
// Which reads there are, and what each one is, comes from the reads table: the walk names
// reads by their gap subject and owner, never by endpoint.
class Collector::Run {
 public:
  explicit Run(const Collector& collector)
      : api_(collector.api_),
        options_(collector.options_),
        progress_(collector.progress_),
        cancel_(collector.cancel_),
        reads_keys_(options_.scope.reads_keys()),
        reads_user_keys_(options_.scope.reads_user_keys()),
        repository_reads_(reads_for(options_.scope, Owner::repository)),
        project_reads_(reads_for(options_.scope, Owner::project)),
        workspace_reads_(reads_for(options_.scope, Owner::workspace)),
        listing_fields_(more_listing_fields(options_.scope)),
        tally_(options_.scope) {
    snapshot_.api_url = api_.api_base();
  }

  CollectResult collect() {
    const auto workspaces = identify_caller_and_workspaces();
    if (stopped() || not_cloud()) {
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
  // A listed repository while its reads are made: shared by its tasks and the walk.
  struct Staged {
    explicit Staged(core::Repository r) : repository(std::move(r)) {}
    core::Repository repository;
    std::atomic<int> reads_left{0};  // it is done when this is 0
  };

  struct Task;
  // What a task does: makes its read and puts the value where it belongs.
  using Step = void (Run::*)(Task&);

  // One read and its result. The task that makes the read is the only writer until the pool
  // is drained; the walk keeps every task in the order it was queued, and merges them in that
  // order, so the snapshot does not depend on which worker finished first.
  struct Task {
    const Read* read = nullptr;
    Step step = nullptr;
    std::size_t workspace = 0;
    std::shared_ptr<Staged> staged;      // a repository's reads
    std::optional<std::size_t> project;  // a project's reads
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
      queue_project_reads(w);
      queue_workspace_reads(w);
      if (progress_ != nullptr) {
        progress_->workspaces_done += 1;
      }
    }
    announce_plan();
    return workspaces;
  }

  // ---- What a read's result means for the scan ----------------------------------------------

  // The error that ends the scan: the first one is its authentication failure, and nothing
  // more is read. A cancelled read is not one: it becomes an "interrupted" gap like any other
  // failed read, and every later read fails the same way at once, without a request, so that
  // the report names what was not read.
  void end_scan(const ApiError& e) {
    const std::lock_guard lock(mutex_);
    if (!auth_failure_) {
      auth_failure_ = AuthFailure{e.message, e.kind == ApiError::Kind::unreachable};
    }
    stop_ = true;
  }

  // A task's read is done: an error that ends the scan ends it, the gaps go to the task. True
  // when the value was read.
  template <typename T>
  bool settle(Task& task, ReadResult<T>& result) {
    if (result.fatal) {
      end_scan(*result.fatal);
      return false;
    }
    for (auto& gap : result.gaps) {
      task_gap(task, std::move(gap));
    }
    return result.value.has_value();
  }

  // How every read but the listing is made: no further page once the scan has ended.
  ReadOptions read_options() const { return ReadOptions{&stop_, {}}; }

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
                         tally_.unmatched(),
                         wrong_platform_};
  }

  // Bitbucket Cloud answers GET /user and /user/workspaces to every credential it accepts: a
  // 404 there is another server (a Data Center's answers 404 below /2.0), said rather than
  // scanned as nothing.
  bool not_cloud() {
    for (const auto& gap : snapshot_.gaps) {
      if ((gap.subject == GapSubject::workspaces || gap.subject == GapSubject::user) &&
          gap.http_status == 404) {
        wrong_platform_ = api_.api_base() + " is not Bitbucket Cloud's API: GET " + gap.endpoint +
                          " answered 404. For Bitbucket Data Center use --platform datacenter "
                          "with the server's base URL in --api-url";
        return true;
      }
    }
    return false;
  }

  // When a workspace named with -w was not found: the workspaces the credential can see, for
  // the message (one more request; nothing when they cannot be listed).
  void list_visible_workspaces() {
    if (missing_workspaces_.empty() || stopped()) {
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
    if (together && !authenticated()) {
      return {};  // the token first (both reads need it); a rejected credential ends the scan
    }
    std::vector<std::string> workspaces = options_.scope.workspaces;
    std::optional<core::Gap> user_gap;
    std::optional<core::Gap> workspaces_gap;
    std::exception_ptr user_failure;  // an exception of the /user thread, rethrown here
    {
      std::jthread user_reader;
      if (together) {
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
    for (auto* gap : {&user_gap, &workspaces_gap}) {
      if (*gap) {
        add_gap(std::move(**gap));
      }
    }
    return workspaces;
  }

  // False when the credential was rejected (recorded as the scan's authentication failure).
  bool authenticated() {
    auto ready = api_.authenticate();
    if (ready || !ends_the_scan(ready.error())) {
      return true;
    }
    end_scan(ready.error());
    return false;
  }

  // Decides whether the caller's SSH keys apply; returns the gap when /user could not be read.
  std::optional<core::Gap> identify_caller() {
    auto caller = make_read_as<Caller>(api_, read_of(GapSubject::user, Owner::user), {});
    if (caller.fatal) {
      end_scan(*caller.fatal);
      return std::nullopt;
    }
    if (!caller.value) {
      snapshot_.ssh_keys_status = core::SshKeysStatus::unreadable;
      return std::move(caller.gaps.front());
    }
    snapshot_.identity = identity_of(*caller.value);
    if (!caller.value->is_user) {
      snapshot_.ssh_keys_status = core::SshKeysStatus::not_applicable;  // app users have none
      return std::nullopt;
    }
    user_uuid_ = std::move(caller.value->uuid);
    snapshot_.ssh_keys_status = core::SshKeysStatus::read;
    return std::nullopt;
  }

  // Every workspace the credential can see, sorted and de-duplicated; `gap` says why the list
  // is incomplete (added by the caller, after the /user gap).
  std::vector<std::string> list_workspaces(std::optional<core::Gap>& gap) {
    std::vector<std::string> workspaces;
    auto listed = stream_read(
        api_, read_of(GapSubject::workspaces, Owner::user), {},
        [&](Parsed&& page) {
          auto& slugs = std::get<std::vector<std::string>>(page);
          std::move(slugs.begin(), slugs.end(), std::back_inserter(workspaces));
        },
        read_options());
    if (listed.fatal) {
      end_scan(*listed.fatal);
      return {};
    }
    if (!listed.gaps.empty()) {
      gap = std::move(listed.gaps.front());  // what was listed before it failed is kept
    }
    std::sort(workspaces.begin(), workspaces.end());
    workspaces.erase(std::unique(workspaces.begin(), workspaces.end()), workspaces.end());
    return workspaces;
  }

  // ---- Step 4: repositories, listed while workers read them --------------------------------

  // Lists workspace `w` page by page (filtered before any per-repository request), queueing
  // each selected repository's reads as soon as its page arrives. False when the credential
  // was rejected (the scan ends). When interrupted, the next page's read fails as such: the
  // listing is then recorded as incomplete rather than silently cut short.
  bool list_repositories(std::size_t w) {
    auto& ws = snapshot_.workspaces[w];
    auto listed = stream_read(
        api_, read_of(GapSubject::repositories, Owner::workspace), Target::of_workspace(ws.slug),
        [&](Parsed&& page) {
          for (auto& repository : std::get<std::vector<ListedRepository>>(page)) {
            stage(w, std::move(repository));
          }
        },
        ReadOptions{&stop_, listing_fields_});
    if (listed.fatal) {
      end_scan(*listed.fatal);
      return false;
    }
    if (!listed.gaps.empty()) {
      ws.listed = false;
      auto& gap = listed.gaps.front();
      if (gap.reason == core::UnknownReason::not_found && !options_.scope.workspaces.empty()) {
        missing_workspaces_.push_back(ws.slug);
      }
      add_gap(std::move(gap));
    }
    return true;
  }

  // One repository of workspace `w`'s listing: kept and its reads queued when selected.
  void stage(std::size_t w, ListedRepository listed) {
    auto& repo = listed.repository;
    tally_.note(repo);
    if (!options_.scope.selects(repo)) {
      return;
    }
    if (repo.project_key) {
      project_names_.emplace(*repo.project_key, listed.project_name.value_or(*repo.project_key));
    }
    const auto staged = staged_[w].emplace_back(std::make_shared<Staged>(std::move(repo)));
    if (progress_ != nullptr) {
      progress_->repositories_total += 1;
    }
    // A task per read, so that a repository's reads spread over the workers and the scan's
    // tail is one round trip long, not a repository's whole chain.
    std::vector<const Read*> to_make;
    std::copy_if(repository_reads_.begin(), repository_reads_.end(), std::back_inserter(to_make),
                 [&](const Read* read) { return made_for(*read, staged->repository); });
    staged->reads_left = static_cast<int>(to_make.size());
    if (options_.plan_only) {
      return;
    }
    // Reads an earlier run journalled are taken from it, all before any task is queued.
    std::vector<const Read*> queued;
    for (const auto* read : to_make) {
      if (!resume(w, *read, staged->repository)) {
        queued.push_back(read);
      }
    }
    staged->reads_left = static_cast<int>(queued.size());
    if (queued.empty() && progress_ != nullptr) {
      progress_->repositories_done += 1;  // nothing (left) to read
    }
    for (const auto* read : queued) {
      auto task = task_for(*read, w);
      task.staged = staged;
      queue(std::move(task));
    }
  }

  // The reads of workspace `w`'s projects (the projects of its listed repositories), once its
  // listing is complete.
  void queue_project_reads(std::size_t w) {
    auto& ws = snapshot_.workspaces[w];
    // Projects in key order; nothing touches ws.projects once its tasks are queued.
    for (const auto& [key, name] : project_names_) {
      ws.projects.push_back(
          {key, "", name, "https://bitbucket.org/" + ws.slug + "/workspace/projects/" + key});
    }
    project_names_.clear();
    if (options_.plan_only) {
      return;
    }
    for (std::size_t p = 0; p < ws.projects.size(); ++p) {
      for (const auto* read : project_reads_) {
        if (!resume_project(w, p, *read)) {
          auto task = task_for(*read, w);
          task.project = p;
          queue(std::move(task));
        }
      }
    }
  }

  // The workspace's own reads, once its repositories are listed (none for a workspace
  // Bitbucket did not find).
  void queue_workspace_reads(std::size_t w) {
    const auto& slug = snapshot_.workspaces[w].slug;
    if (options_.plan_only || std::find(missing_workspaces_.begin(), missing_workspaces_.end(),
                                        slug) != missing_workspaces_.end()) {
      return;
    }
    for (const auto* read : workspace_reads_) {
      queue(task_for(*read, w));
    }
  }

  // ---- Resuming from a checkpoint ----------------------------------------------------------

  // Whether an earlier run journalled this read of `repo` (branch restrictions and deploy keys
  // are journalled; the extended rules' reads are made again).
  bool resume(std::size_t w, const Read& read, core::Repository& repo) {
    if (read.subject == GapSubject::branch_restrictions) {
      return resume_branches(repo);
    }
    if (read.subject == GapSubject::deploy_keys) {
      return resume_deploy_keys(w, repo);
    }
    return false;
  }

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
    auto task = task_for(read_of(GapSubject::deploy_keys, Owner::repository), w);
    task.keys = *keys;
    add_done(std::move(task));
    resumed();
    return true;
  }

  // Project `p`'s deploy keys as an earlier run read them, as a task that is already done.
  bool resume_project(std::size_t w, std::size_t p, const Read& read) {
    const auto& ws = snapshot_.workspaces[w];
    const auto* keys =
        options_.checkpoint != nullptr && read.subject == GapSubject::project_deploy_keys
            ? options_.checkpoint->project_keys(ws.slug, ws.projects[p].key)
            : nullptr;
    if (keys == nullptr) {
      return false;
    }
    auto task = task_for(read, w);
    task.project = p;
    task.keys = *keys;
    add_done(std::move(task));
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

  // ---- The queue ---------------------------------------------------------------------------

  Task task_for(const Read& read, std::size_t w) const {
    Task task;
    task.read = &read;
    task.step = step_of(read);
    task.workspace = w;
    return task;
  }

  // One read to make: counted for the progress line's "requests needed", kept in queue order
  // for the merge, and handed to the pool.
  void queue(Task task) {
    if (progress_ != nullptr) {
      progress_->requests_planned += static_cast<std::size_t>(task.read->requests);
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
      queue(task_for(read_of(GapSubject::ssh_keys, Owner::user), 0));
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

  // ---- Tasks -------------------------------------------------------------------------------

  // The step that makes a queued read and puts its value where it belongs (the merge of its
  // result into the snapshot).
  static Step step_of(const Read& read) {
    const bool of_repository = read.owner == Owner::repository;
    switch (read.subject) {
      case GapSubject::branch_restrictions:
        return &Run::read_branches;
      case GapSubject::deploy_keys:
        return &Run::read_deploy_keys;
      case GapSubject::project_deploy_keys:
        return &Run::read_project_keys;
      case GapSubject::ssh_keys:
        return &Run::read_ssh_keys;
      case GapSubject::environments:
        return &Run::read_deployment_variables;
      case GapSubject::workspace:
        return &Run::read_forking_mode;
      case GapSubject::hooks:
        return of_repository ? &Run::into_repository<&core::Repository::hooks>
                             : &Run::into_workspace<&core::WorkspaceSnapshot::hooks>;
      case GapSubject::pipeline_variables:
        return of_repository ? &Run::into_repository<&core::Repository::pipeline_variables>
                             : &Run::into_workspace<&core::WorkspaceSnapshot::pipeline_variables>;
      case GapSubject::members:
        return &Run::into_workspace<&core::WorkspaceSnapshot::members>;
      case GapSubject::owners:
        return &Run::into_workspace<&core::WorkspaceSnapshot::owners>;
      case GapSubject::workspaces:
      case GapSubject::repositories:
      case GapSubject::projects:
      case GapSubject::user:
      case GapSubject::branching_model:
      // Data Center's reads: never in Cloud's table.
      case GapSubject::server:
      case GapSubject::default_branch:
      case GapSubject::project_restrictions:
      case GapSubject::pull_request_settings:
      case GapSubject::approval_reset:
      case GapSubject::default_reviewers:
      case GapSubject::required_builds:
      case GapSubject::last_commit:
        return nullptr;  // read by the walk itself, or by the task of another read
    }
    return nullptr;
  }

  void run_task(Task& task) {
    (this->*task.step)(task);
    if (task.staged) {
      repository_read(task);
    }
    if (progress_ != nullptr) {
      progress_->reads_done += 1;
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
    auto listed = make_read_as<std::vector<core::BranchRestriction>>(
        api_, *task.read, Target::of(repo), read_options());
    if (!settle(task, listed)) {
      return;
    }
    bool complete = true;
    if (core::needs_branching_model(*listed.value)) {
      auto model = make_read_as<core::BranchingModel>(
          api_, read_of(GapSubject::branching_model, Owner::repository), Target::of(repo));
      complete = settle(task, model);
      if (model.fatal) {
        return;
      }
      repo.branching_model = std::move(model.value);
    }
    repo.branch_restrictions = std::move(listed.value);
    if (auto* journal = checkpoint_to_write(); complete && journal != nullptr) {
      journal->record_branches(repo);
    }
  }

  void read_deploy_keys(Task& task) {
    const auto& repo = task.staged->repository;
    auto keys =
        make_read_as<std::vector<core::Key>>(api_, *task.read, Target::of(repo), read_options());
    if (!settle(task, keys)) {
      return;
    }
    for (auto& key : *keys.value) {
      key.workspace = repo.workspace;
      key.repository = repo.full_name;
      key.project = repo.project_key;
      key.url = repo.html_url + "/admin/access-keys/";
    }
    task.keys = std::move(*keys.value);
    if (auto* journal = checkpoint_to_write()) {
      journal->record_deploy_keys(repo.full_name, task.keys);
    }
  }

  void read_project_keys(Task& task) {
    const auto& ws = snapshot_.workspaces[task.workspace];
    const auto& project = ws.projects[*task.project];
    auto keys = make_read_as<std::vector<core::Key>>(
        api_, *task.read, Target::of_project(ws.slug, project.key), read_options());
    if (!settle(task, keys)) {
      return;
    }
    for (auto& key : *keys.value) {
      key.workspace = ws.slug;
      key.project = project.key;
      key.url = project.html_url;
    }
    task.keys = std::move(*keys.value);
    if (auto* journal = checkpoint_to_write()) {
      journal->record_project_keys(ws.slug, project.key, task.keys);
    }
  }

  // ---- The extended rules' reads ----------------------------------------------------------

  // A repository's list read into its member `Field` (nullopt when it could not be read).
  template <auto Field>
  void into_repository(Task& task) {
    auto& repo = task.staged->repository;
    using Value = typename std::remove_reference_t<decltype(repo.*Field)>::value_type;
    auto result = make_read_as<Value>(api_, *task.read, Target::of(repo), read_options());
    settle(task, result);
    repo.*Field = std::move(result.value);
  }

  // One of the workspace's own list reads into its member `Field`. Each task writes only its
  // own member of the workspace.
  template <auto Field>
  void into_workspace(Task& task) {
    auto& ws = snapshot_.workspaces[task.workspace];
    using Value = typename std::remove_reference_t<decltype(ws.*Field)>::value_type;
    auto result =
        make_read_as<Value>(api_, *task.read, Target::of_workspace(ws.slug), read_options());
    settle(task, result);
    ws.*Field = std::move(result.value);
  }

  void read_forking_mode(Task& task) {
    auto& ws = snapshot_.workspaces[task.workspace];
    auto settings = make_read_as<WorkspaceSettings>(api_, *task.read, Target::of_workspace(ws.slug),
                                                    read_options());
    if (settle(task, settings)) {
      ws.forking_mode = std::move(settings.value->forking_mode);
    }
  }

  // Every deployment environment's variables; nullopt when any could not be read.
  void read_deployment_variables(Task& task) {
    auto& repo = task.staged->repository;
    repo.deployment_variables = deployment_variables(task, repo);
  }

  std::optional<std::vector<core::PipelineVariable>> deployment_variables(
      Task& task, const core::Repository& repo) {
    auto environments =
        make_read_as<std::vector<Environment>>(api_, *task.read, Target::of(repo), read_options());
    if (!settle(task, environments)) {
      return std::nullopt;
    }
    const auto& variables_of = read_of(GapSubject::environments, Owner::environment);
    std::vector<core::PipelineVariable> out;
    for (const auto& env : *environments.value) {
      auto vars = make_read_as<std::vector<core::PipelineVariable>>(
          api_, variables_of, Target::of_environment(repo, env.uuid), read_options());
      if (!settle(task, vars)) {
        return std::nullopt;
      }
      for (auto& var : *vars.value) {
        var.environment = env.name;
        out.push_back(std::move(var));
      }
    }
    return out;
  }

  // ---- Step 3: the caller's SSH keys (queued first) -------------------------------------

  void read_ssh_keys(Task& task) {
    auto keys = make_read_as<std::vector<core::Key>>(api_, *task.read, Target::caller(*user_uuid_),
                                                     read_options());
    const bool read = settle(task, keys);
    const std::lock_guard lock(mutex_);
    if (!read) {
      snapshot_.ssh_keys_status = core::SshKeysStatus::unreadable;
      return;
    }
    std::move(keys.value->begin(), keys.value->end(), std::back_inserter(snapshot_.ssh_keys));
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
        if ((task->read->subject == GapSubject::ssh_keys) == ssh) {
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
      if (task->read->subject == GapSubject::project_deploy_keys &&
          task->workspace < snapshot_.workspaces.size()) {
        auto& ws = snapshot_.workspaces[task->workspace];
        for (auto& key : task->keys) {
          ws.keys.push_back(std::move(key));
        }
      }
    }
    for (std::size_t w = 0; w < snapshot_.workspaces.size(); ++w) {
      merge_repository_keys(w);
    }
  }

  void merge_repository_keys(std::size_t w) {
    auto& ws = snapshot_.workspaces[w];
    // (project key, key material) of every project deploy key in this workspace.
    std::set<std::pair<std::string, std::string>> project_material;
    for (const auto& key : ws.keys) {
      if (!key.key_material.empty() && key.project) {
        project_material.emplace(*key.project, key.key_material);
      }
    }
    for (auto& task : tasks_) {
      if (task->read->subject != GapSubject::deploy_keys || task->workspace != w) {
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

  ApiClient& api_;
  const CollectOptions& options_;
  CollectProgress* progress_;
  const std::atomic<bool>* cancel_;
  const bool reads_keys_;
  const bool reads_user_keys_;
  // The reads the selected rules need for each repository, project and workspace.
  const std::vector<const Read*> repository_reads_;
  const std::vector<const Read*> project_reads_;
  const std::vector<const Read*> workspace_reads_;
  const std::string listing_fields_;  // what they need from the repository listing
  core::FilterTally tally_;           // written by the listing thread only
  std::vector<std::string> missing_workspaces_;
  std::optional<std::vector<std::string>> visible_workspaces_;

  core::Snapshot snapshot_;
  std::mutex mutex_;  // guards snapshot_.gaps, the SSH keys and auth_failure_ while workers run
  std::optional<AuthFailure> auth_failure_;
  std::optional<std::string> wrong_platform_;
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
