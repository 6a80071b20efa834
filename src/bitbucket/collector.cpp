#include "bbp/bitbucket/collector.hpp"

#include <algorithm>
#include <cctype>
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
  gap.detail = error.message;
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
    spdlog::warn("could not read {}: {}", gap.endpoint, gap.detail);
    snapshot.gaps.push_back(std::move(gap));
  }

  // True when the error ends the whole scan (the credential was rejected, or cancelled).
  bool fatal(const ApiError& e) {
    if (e.kind == ApiError::Kind::auth) {
      const std::lock_guard lock(mutex);
      if (!auth_failure) {
        auth_failure = AuthFailure{e.message};
      }
      stop = true;
      return true;
    }
    return e.kind == ApiError::Kind::cancelled;
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
  const auto cancelled = [&] { return state.stop.load() || (cancel_ && cancel_->load()); };
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
          return finish(user.error().kind == ApiError::Kind::cancelled);
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
        return finish(listed.error().kind == ApiError::Kind::cancelled);
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

  // 3. Repositories of each workspace, filtered before any per-repository request.
  std::map<std::pair<std::size_t, std::string>, std::string> project_names;
  for (const auto& slug : workspaces) {
    auto& ws = snapshot.workspaces.emplace_back();
    ws.slug = slug;
    std::vector<nlohmann::json> values;
    const std::string path =
        with_query("/repositories/" + percent_encode(slug), "fields", kRepositoryFields);
    if (auto listed = read_all(path, values); !listed) {
      if (state.fatal(listed.error())) {
        return finish(listed.error().kind == ApiError::Kind::cancelled);
      }
      ws.listed = false;
      state.add_gap(gap_from_error(listed.error(), GapSubject::repositories, slug));
    }
    for (const auto& v : values) {
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
        project_names.emplace(std::pair{snapshot.workspaces.size() - 1, *repo->project_key}, name);
      }
      ws.repositories.push_back(std::move(*repo));
    }
    if (progress_ != nullptr) {
      progress_->workspaces_done += 1;
      progress_->repositories_total += ws.repositories.size();
    }
  }
  for (const auto& [where, name] : project_names) {
    auto& ws = snapshot.workspaces[where.first];
    ws.projects.push_back(
        {where.second, "", name,
         "https://bitbucket.org/" + ws.slug + "/workspace/projects/" + where.second});
  }

  // 4. Per-repository, per-project and per-user reads, with bounded concurrency.
  struct Task {
    std::size_t workspace;
    std::optional<std::size_t> repository;  // repository reads
    std::optional<std::size_t> project;     // project deploy keys
    bool ssh = false;                       // the caller's SSH keys
  };
  std::vector<Task> tasks;
  for (std::size_t w = 0; w < snapshot.workspaces.size(); ++w) {
    const auto& ws = snapshot.workspaces[w];
    if (options_.branch_rules || options_.key_rules) {
      for (std::size_t r = 0; r < ws.repositories.size(); ++r) {
        tasks.push_back({w, r, std::nullopt, false});
      }
    }
    if (options_.key_rules) {
      for (std::size_t p = 0; p < ws.projects.size(); ++p) {
        tasks.push_back({w, std::nullopt, p, false});
      }
    }
  }
  if (user_uuid) {
    tasks.push_back({0, std::nullopt, std::nullopt, true});
  }
  std::vector<std::vector<core::Key>> repo_keys(tasks.size());
  std::vector<std::vector<core::Key>> project_keys(tasks.size());
  // Gaps of each task, merged in task order afterwards so that the snapshot does not depend on
  // which worker finished first. Each slot is only touched by the worker running its task.
  std::vector<std::vector<core::Gap>> task_gaps(tasks.size());

  const auto run_task = [&](std::size_t index) {
    const Task& task = tasks[index];
    const auto add_gap = [&](core::Gap gap) {
      spdlog::warn("could not read {}: {}", gap.endpoint, gap.detail);
      task_gaps[index].push_back(std::move(gap));
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
    auto& ws = snapshot.workspaces[task.workspace];
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
          project_keys[index].push_back(std::move(*key));
        }
      }
      return;
    }
    auto& repo = ws.repositories[*task.repository];
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
    if (options_.key_rules && !cancelled()) {
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
            repo_keys[index].push_back(std::move(*key));
          }
        }
      }
    }
    if (progress_ != nullptr) {
      progress_->repositories_done += 1;
    }
  };

  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t i = next++; i < tasks.size(); i = next++) {
      if (cancelled()) {
        return;
      }
      run_task(i);
    }
  };
  const auto threads =
      std::clamp<std::size_t>(static_cast<std::size_t>(std::max(1, options_.concurrency)), 1,
                              std::max<std::size_t>(1, tasks.size()));
  {
    std::vector<std::jthread> pool;
    for (std::size_t i = 1; i < threads; ++i) {
      pool.emplace_back(worker);
    }
    worker();
  }
  for (auto& gaps : task_gaps) {
    for (auto& gap : gaps) {
      snapshot.gaps.push_back(std::move(gap));
    }
  }

  // 5. Keys: project keys first; a repository key with the same key material is the project
  // key showing through, and is reported once, as the project key.
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    if (tasks[i].ssh) {
      continue;  // not bound to a workspace (there may be none at all)
    }
    auto& ws = snapshot.workspaces[tasks[i].workspace];
    for (auto& key : project_keys[i]) {
      ws.keys.push_back(std::move(key));
    }
  }
  for (auto& ws : snapshot.workspaces) {
    // (project key, key material) of every project deploy key in this workspace.
    std::set<std::pair<std::string, std::string>> project_material;
    for (const auto& key : ws.keys) {
      if (!key.key_material.empty() && key.project) {
        project_material.emplace(*key.project, key.key_material);
      }
    }
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      if (tasks[i].ssh || &snapshot.workspaces[tasks[i].workspace] != &ws) {
        continue;
      }
      for (auto& key : repo_keys[i]) {
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
  const bool interrupted = cancel_ != nullptr && cancel_->load();
  return finish(interrupted);
}

}  // namespace bbp::bitbucket
