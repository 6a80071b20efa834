#include "bbp/bitbucket/collector.hpp"

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <functional>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "bbp/bitbucket/parse.hpp"
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

// A failed read is a warning; the reads skipped after an interruption are only logged at debug
// level (the report lists them), so that ^C does not flood the terminal.
void log_gap(const core::Gap& gap) {
  if (gap.detail == kInterruptedDetail) {
    spdlog::debug("not read {}: {}", gap.endpoint, gap.detail);
  } else {
    spdlog::warn("could not read {}: {}", gap.endpoint, gap.detail);
  }
}

}  // namespace

bool repository_selected(const core::Repository& repo, const std::vector<std::string>& include,
                         const std::vector<std::string>& exclude,
                         const std::vector<std::string>& projects) {
  const auto matches = [&](const std::string& glob) {
    return core::glob_match(glob, repo.slug) || core::glob_match(glob, repo.full_name);
  };
  if (!include.empty() && std::none_of(include.begin(), include.end(), matches)) {
    return false;
  }
  if (std::any_of(exclude.begin(), exclude.end(), matches)) {
    return false;
  }
  // Project keys are upper case in Bitbucket; accept "plat" for "PLAT".
  const auto same_key = [&](const std::string& wanted) {
    return std::equal(wanted.begin(), wanted.end(), repo.project_key->begin(),
                      repo.project_key->end(), [](char a, char b) {
                        return std::toupper(static_cast<unsigned char>(a)) ==
                               std::toupper(static_cast<unsigned char>(b));
                      });
  };
  if (!projects.empty() &&
      (!repo.project_key || std::none_of(projects.begin(), projects.end(), same_key))) {
    return false;
  }
  return true;
}

core::Gap gap_from_error(const ApiError& error, GapSubject subject, std::string workspace,
                         std::optional<std::string> repository,
                         std::optional<std::string> project) {
  core::Gap gap;
  gap.subject = subject;
  gap.workspace = std::move(workspace);
  gap.repository = std::move(repository);
  gap.project = std::move(project);
  gap.endpoint = error.endpoint;
  gap.http_status = error.http_status;
  gap.reason = error.reason;
  gap.detail = error.kind == ApiError::Kind::cancelled ? kInterruptedDetail : error.message;
  return gap;
}

// Shared state of one run: the snapshot under construction and the stop signals.
struct Collector::State {
  core::Snapshot snapshot;
  std::mutex mutex;  // guards snapshot.gaps and workspace key lists
  std::optional<AuthFailure> auth_failure;
  std::atomic<bool> stop{false};

  void add_gap(core::Gap gap) {
    const std::lock_guard lock(mutex);
    log_gap(gap);
    snapshot.gaps.push_back(std::move(gap));
  }

  // True when the error ends the whole scan: the credential was rejected. A cancelled read is
  // not fatal: it becomes an "interrupted" gap like any other failed read, and every later read
  // fails the same way at once, without a request, so that the report names what was not read.
  bool fatal(const ApiError& e) {
    if (e.kind == ApiError::Kind::auth) {
      const std::lock_guard lock(mutex);
      if (!auth_failure) {
        auth_failure = AuthFailure{e.message};
      }
      stop = true;
      return true;
    }
    return false;
  }
};

Collector::Collector(ApiClient& api, CollectOptions options, CollectProgress* progress,
                     const std::atomic<bool>* cancel)
    : api_(api), options_(std::move(options)), progress_(progress), cancel_(cancel) {}

CollectResult Collector::run() {
  State state;
  auto& snapshot = state.snapshot;
  snapshot.api_url = api_.api_base();

  // Reads every page of `path` (adding pagelen=100, falling back when the API refuses it).
  const auto read_all = [&](const std::string& path,
                            std::vector<nlohmann::json>& out) -> tl::expected<void, ApiError> {
    tl::expected<void, ApiError> result;
    for (const char* pagelen : {"100", "50", ""}) {
      out.clear();
      const std::string url = *pagelen ? with_query(path, "pagelen", pagelen) : path;
      result = api_.for_each_page(url, [&](const nlohmann::json& values) {
        for (const auto& v : values) {
          out.push_back(v);
        }
        return true;
      });
      if (result || !is_pagelen_error(result.error())) {
        break;
      }
    }
    return result;
  };
  const auto stopped = [&] { return state.stop.load(); };  // the credential was rejected
  const auto was_interrupted = [&] { return cancel_ != nullptr && cancel_->load(); };
  const auto finish = [&](bool interrupted) {
    return CollectResult{std::move(snapshot), state.auth_failure, interrupted};
  };

  // 1. Who is calling: decides whether the caller's SSH keys apply.
  std::optional<std::string> user_uuid;
  snapshot.ssh_keys_status = core::SshKeysStatus::not_collected;
  if (options_.key_rules) {
    if (options_.credential == CredentialKind::access_token) {
      snapshot.ssh_keys_status = core::SshKeysStatus::not_applicable;
    } else {
      auto user = api_.get_json("/user");
      if (!user) {
        if (state.fatal(user.error())) {
          return finish(was_interrupted());
        }
        state.add_gap(gap_from_error(user.error(), GapSubject::user, ""));
        snapshot.ssh_keys_status = core::SshKeysStatus::unreadable;
      } else if (string_at(*user, "type").value_or("user") != "user") {
        snapshot.ssh_keys_status = core::SshKeysStatus::not_applicable;  // app users have none
      } else if ((user_uuid = string_at(*user, "uuid"))) {
        snapshot.ssh_keys_status = core::SshKeysStatus::read;
      } else {
        state.add_gap(core::Gap{
            GapSubject::user, "", std::nullopt, std::nullopt, path_of(api_.url_for("/user")),
            std::nullopt, core::UnknownReason::invalid_response, "the /user answer has no uuid"});
        snapshot.ssh_keys_status = core::SshKeysStatus::unreadable;
      }
    }
  }

  // 2. Workspaces.
  std::vector<std::string> workspaces = options_.workspaces;
  if (workspaces.empty()) {
    std::vector<nlohmann::json> values;
    if (auto listed = read_all("/user/workspaces", values); !listed) {
      if (state.fatal(listed.error())) {
        return finish(was_interrupted());
      }
      state.add_gap(gap_from_error(listed.error(), GapSubject::workspaces, ""));
    }
    for (const auto& v : values) {
      if (auto slug = parse_workspace_slug(v)) {
        workspaces.push_back(std::move(*slug));
      }
    }
    std::sort(workspaces.begin(), workspaces.end());
    workspaces.erase(std::unique(workspaces.begin(), workspaces.end()), workspaces.end());
  }
  if (progress_ != nullptr) {
    progress_->workspaces_total = workspaces.size();
  }

  // 3 and 4. Repositories of each workspace are listed page by page (filtered before any
  // per-repository request) on this thread while up to `concurrency - 1` workers already make the
  // per-repository reads of the pages listed so far; once every workspace is listed, this thread
  // joins them. So the listing hides behind the per-repository reads instead of preceding them,
  // and no more than `concurrency` requests are ever in flight. Project deploy keys are queued
  // once their workspace is listed (the projects in scope are those of its repositories), the
  // caller's SSH keys last.
  struct Task {
    std::size_t workspace = 0;
    core::Repository* repository = nullptr;  // repository reads (stable: lives in `staged`)
    std::optional<std::size_t> project;      // project deploy keys
    bool ssh = false;                        // the caller's SSH keys
    std::vector<core::Key> keys;             // deploy keys read by this task
    // Gaps of this task, merged in task order afterwards so that the snapshot does not depend
    // on which worker finished first.
    std::vector<core::Gap> gaps;
  };
  // Only appended to (under queue_mutex); a task is touched by the one worker that took it.
  std::deque<Task> tasks;
  std::size_t next_task = 0;  // guarded by queue_mutex
  bool queue_closed = false;  // guarded by queue_mutex
  std::mutex queue_mutex;
  std::condition_variable queue_ready;
  const auto enqueue = [&](Task task) {
    {
      const std::lock_guard lock(queue_mutex);
      tasks.push_back(std::move(task));
    }
    queue_ready.notify_one();
  };
  const auto close_queue = [&] {
    {
      const std::lock_guard lock(queue_mutex);
      queue_closed = true;
    }
    queue_ready.notify_all();
  };

  snapshot.workspaces.resize(workspaces.size());
  for (std::size_t w = 0; w < workspaces.size(); ++w) {
    snapshot.workspaces[w].slug = workspaces[w];
  }
  // The repositories of each workspace while workers read them (a deque never moves its
  // elements); moved into the snapshot once every worker is done.
  std::vector<std::deque<core::Repository>> staged(workspaces.size());

  const auto run_task = [&](Task& task) {
    const auto add_gap = [&](core::Gap gap) {
      log_gap(gap);
      task.gaps.push_back(std::move(gap));
    };
    if (task.ssh) {
      std::vector<nlohmann::json> values;
      const auto listed = read_all("/users/" + percent_encode(*user_uuid) + "/ssh-keys", values);
      if (!listed) {
        if (!state.fatal(listed.error())) {
          add_gap(gap_from_error(listed.error(), GapSubject::ssh_keys, ""));
        }
        const std::lock_guard lock(state.mutex);
        snapshot.ssh_keys_status = core::SshKeysStatus::unreadable;
        return;
      }
      const std::lock_guard lock(state.mutex);
      for (const auto& v : values) {
        if (auto key = parse_key(v, core::KeyKind::ssh_key)) {
          key->url = "https://bitbucket.org/account/settings/ssh-keys/";
          snapshot.ssh_keys.push_back(std::move(*key));
        }
      }
      return;
    }
    const auto& ws = snapshot.workspaces[task.workspace];
    if (task.project) {
      const auto& project = ws.projects[*task.project];
      std::vector<nlohmann::json> values;
      const auto listed = read_all("/workspaces/" + percent_encode(ws.slug) + "/projects/" +
                                       percent_encode(project.key) + "/deploy-keys",
                                   values);
      if (!listed) {
        if (!state.fatal(listed.error())) {
          add_gap(gap_from_error(listed.error(), GapSubject::project_deploy_keys, ws.slug,
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
      return;
    }
    auto& repo = *task.repository;
    const std::string base = repo_path(repo);
    if (options_.branch_rules && repo.mainbranch) {
      std::vector<nlohmann::json> values;
      if (auto listed = read_all(base + "/branch-restrictions", values); !listed) {
        if (state.fatal(listed.error())) {
          return;
        }
        add_gap(gap_from_error(listed.error(), GapSubject::branch_restrictions, ws.slug,
                               repo.full_name));
      } else {
        std::vector<core::BranchRestriction> restrictions;
        for (const auto& v : values) {
          if (auto r = parse_restriction(v)) {
            restrictions.push_back(std::move(*r));
          }
        }
        if (core::needs_branching_model(restrictions)) {
          auto model = api_.get_json(base + "/effective-branching-model");
          if (!model) {
            if (state.fatal(model.error())) {
              return;
            }
            add_gap(gap_from_error(model.error(), GapSubject::branching_model, ws.slug,
                                   repo.full_name));
          } else if (auto parsed = parse_branching_model(*model)) {
            repo.branching_model = std::move(*parsed);
          } else {
            add_gap(core::Gap{GapSubject::branching_model, ws.slug, repo.full_name, std::nullopt,
                              path_of(api_.url_for(base + "/effective-branching-model")), 200,
                              core::UnknownReason::invalid_response,
                              "the branching model has no 'development' branch"});
          }
        }
        repo.branch_restrictions = std::move(restrictions);
      }
    }
    if (options_.key_rules && !stopped()) {
      std::vector<nlohmann::json> values;
      if (auto listed = read_all(base + "/deploy-keys", values); !listed) {
        if (!state.fatal(listed.error())) {
          add_gap(gap_from_error(listed.error(), GapSubject::deploy_keys, ws.slug, repo.full_name));
        }
      } else {
        for (const auto& v : values) {
          if (auto key = parse_key(v, core::KeyKind::deploy_key)) {
            key->workspace = ws.slug;
            key->repository = repo.full_name;
            key->project = repo.project_key;
            key->url = repo.html_url + "/admin/access-keys/";
            task.keys.push_back(std::move(*key));
          }
        }
      }
    }
    if (progress_ != nullptr) {
      progress_->repositories_done += 1;
    }
  };

  // Takes queued tasks until the queue is closed and drained (or the scan stops).
  const auto worker = [&] {
    for (;;) {
      Task* task = nullptr;
      {
        std::unique_lock lock(queue_mutex);
        queue_ready.wait(lock, [&] { return next_task < tasks.size() || queue_closed; });
        if (next_task == tasks.size()) {
          return;  // closed and drained
        }
        task = &tasks[next_task++];
      }
      if (stopped()) {
        return;
      }
      run_task(*task);  // once interrupted, its reads fail at once and are recorded as such
    }
  };
  const auto threads = static_cast<std::size_t>(std::max(1, options_.concurrency));
  std::vector<std::jthread> pool;
  // Declared after the pool, so destroyed before it: if this thread leaves by an exception,
  // the queue is closed first and the waiting workers can be joined.
  struct CloseQueue {
    std::function<void()> close;
    ~CloseQueue() { close(); }
  };
  const CloseQueue close_on_exit{close_queue};
  for (std::size_t i = 1; i < threads; ++i) {
    pool.emplace_back(worker);
  }
  // Waits for the workers, then hands the staged repositories to the snapshot.
  const auto join = [&](std::size_t listed_workspaces) {
    close_queue();
    pool.clear();  // joins
    snapshot.workspaces.resize(listed_workspaces);
    for (std::size_t w = 0; w < listed_workspaces; ++w) {
      auto& repos = snapshot.workspaces[w].repositories;
      repos.assign(std::make_move_iterator(staged[w].begin()),
                   std::make_move_iterator(staged[w].end()));
      staged[w].clear();
    }
  };

  for (std::size_t w = 0; w < workspaces.size(); ++w) {
    if (stopped()) {  // a worker met a rejected credential
      join(w);
      return finish(was_interrupted());
    }
    auto& ws = snapshot.workspaces[w];
    const auto& slug = ws.slug;
    std::map<std::string, std::string> project_names;  // key -> name, of repositories in scope
    // Raw entries already handed out: a listing restarted with a smaller pagelen skips them.
    std::size_t handed_out = 0;
    const auto on_page = [&](std::size_t& position, const nlohmann::json& values) {
      for (const auto& v : values) {
        if (position++ < handed_out) {
          continue;
        }
        handed_out = position;
        auto repo = parse_repository(v, slug);
        if (!repo) {
          spdlog::warn("ignoring a repository entry without a slug in workspace {}", slug);
          continue;
        }
        if (!repository_selected(*repo, options_.include_repos, options_.exclude_repos,
                                 options_.projects)) {
          continue;
        }
        if (repo->project_key) {
          std::string name = *repo->project_key;
          if (const auto* project =
                  v.is_object() && v.contains("project") ? &v["project"] : nullptr) {
            name = string_at(*project, "name").value_or(name);
          }
          project_names.emplace(*repo->project_key, name);
        }
        auto& staged_repo = staged[w].emplace_back(std::move(*repo));
        if (progress_ != nullptr) {
          progress_->repositories_total += 1;
        }
        if (options_.branch_rules || options_.key_rules) {
          enqueue(Task{w, &staged_repo, std::nullopt, false, {}, {}});
        }
      }
      // When interrupted, the next page's read fails as such: the listing is then recorded as
      // incomplete rather than silently cut short.
      return !stopped();
    };
    const std::string path =
        with_query("/repositories/" + percent_encode(slug), "fields", kRepositoryFields);
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
      if (state.fatal(listed.error())) {
        join(w + 1);
        return finish(was_interrupted());
      }
      ws.listed = false;
      state.add_gap(gap_from_error(listed.error(), GapSubject::repositories, slug));
    }
    // Projects in key order; nothing touches ws.projects once its tasks are queued.
    for (const auto& [key, name] : project_names) {
      ws.projects.push_back(
          {key, "", name, "https://bitbucket.org/" + ws.slug + "/workspace/projects/" + key});
    }
    if (options_.key_rules) {
      for (std::size_t p = 0; p < ws.projects.size(); ++p) {
        enqueue(Task{w, nullptr, p, false, {}, {}});
      }
    }
    if (progress_ != nullptr) {
      progress_->workspaces_done += 1;
    }
  }
  if (user_uuid) {
    enqueue(Task{0, nullptr, std::nullopt, true, {}, {}});
  }
  close_queue();
  worker();
  join(workspaces.size());
  for (auto& task : tasks) {
    for (auto& gap : task.gaps) {
      snapshot.gaps.push_back(std::move(gap));
    }
  }

  // 5. Keys: project keys first; a repository key with the same key material is the project
  // key showing through, and is reported once, as the project key.
  for (auto& task : tasks) {
    if (task.project) {
      auto& ws = snapshot.workspaces[task.workspace];
      for (auto& key : task.keys) {
        ws.keys.push_back(std::move(key));
      }
    }
  }
  for (std::size_t w = 0; w < snapshot.workspaces.size(); ++w) {
    auto& ws = snapshot.workspaces[w];
    // (project key, key material) of every project deploy key in this workspace.
    std::set<std::pair<std::string, std::string>> project_material;
    for (const auto& key : ws.keys) {
      if (!key.key_material.empty() && key.project) {
        project_material.emplace(*key.project, key.key_material);
      }
    }
    for (auto& task : tasks) {
      if (task.ssh || task.project || task.workspace != w) {
        continue;
      }
      for (auto& key : task.keys) {
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
  return finish(was_interrupted());
}

}  // namespace bbp::bitbucket
