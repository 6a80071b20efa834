// A generated, deterministic scenario of a few hundred repositories for the request-count and
// pacing tests, with the exact number of requests a full scan of it must make.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bbp::test {

inline constexpr const char* kBenchClientId = "bench-client";
inline constexpr const char* kBenchClientSecret = "bench-secret";
inline constexpr const char* kBenchNow = "2026-11-28T00:00:00Z";

struct WorkspaceShape {
  std::string slug;
  std::size_t repositories = 0;
  std::vector<std::string> projects;  // every project gets at least one repository
};

struct GeneratedScenario {
  nlohmann::json scenario;
  std::size_t repositories = 0;
  std::size_t workspaces = 0;
  std::size_t projects = 0;
  std::size_t empty = 0;            // no main branch: no branch-restriction read
  std::size_t branching_model = 0;  // one effective-branching-model read each
  std::size_t repository_pages = 0;
  std::size_t restriction_pages = 0;
  std::size_t deploy_key_pages = 0;

  // 1 token + 1 /user + 1 /user/workspaces + repository pages + restriction pages
  // + branching models + deploy-key pages + 1 project deploy-key page per project + 1 SSH keys.
  std::size_t expected_requests() const {
    return 3 + repository_pages + restriction_pages + branching_model + deploy_key_pages +
           projects + 1;
  }
};

namespace detail {

inline std::size_t pages_of(std::size_t items) {
  return items == 0 ? 1 : (items + 99) / 100;
}

inline nlohmann::json bench_restriction(int id, const std::string& kind, const std::string& pattern,
                                        nlohmann::json value = nullptr) {
  return {{"id", id},
          {"kind", kind},
          {"pattern", pattern},
          {"branch_match_kind", "glob"},
          {"value", std::move(value)},
          {"users", nlohmann::json::array()},
          {"groups", nlohmann::json::array()}};
}

inline nlohmann::json bench_key(int id, const std::string& label, const std::string& material) {
  return {{"id", id},
          {"label", label},
          {"key", material},
          {"comment", ""},
          {"created_on", "2024-03-01T12:00:00.000000+00:00"},
          {"last_used", nullptr}};
}

}  // namespace detail

// Repository i of a workspace: every 40th (from 13) is empty, every 20th (from 7) uses
// branching-model restrictions, the rest cycle through none / basic / reviews / full (the full
// set has 12 restrictions, more than the API's default page of 10); every 5th has a deploy key
// and repository 3 of each workspace has 15 (again more than one default page).
inline GeneratedScenario generate_scenario(const std::vector<WorkspaceShape>& shapes) {
  using detail::bench_key;
  using detail::bench_restriction;
  using nlohmann::json;
  GeneratedScenario out;
  int next_id = 1;
  json workspaces = json::array();
  for (const auto& shape : shapes) {
    json projects = json::array();
    for (std::size_t p = 0; p < shape.projects.size(); ++p) {
      json project = {{"key", shape.projects[p]}, {"name", "Project " + shape.projects[p]}};
      if (p == 0) {
        project["deploy_keys"] = json::array(
            {bench_key(next_id++, "ci-" + shape.slug, "ssh-ed25519 AAAAPROJ" + shape.slug)});
      }
      projects.push_back(std::move(project));
    }
    json repositories = json::array();
    for (std::size_t i = 0; i < shape.repositories; ++i) {
      json repo = {{"slug", "repo-" + std::to_string(i)},
                   {"project", shape.projects[i % shape.projects.size()]},
                   {"is_private", i % 10 != 9},
                   {"updated_on", "2026-10-01T12:00:00.000000+00:00"}};
      if (i % 40 == 13) {
        repo["mainbranch"] = nullptr;
        out.empty += 1;
      } else {
        const std::string main = i % 7 == 0 ? "master" : "main";
        repo["mainbranch"] = main;
        json rs = json::array();
        if (i % 20 == 7) {
          auto force = bench_restriction(next_id++, "force", "");
          force["branch_match_kind"] = "branching_model";
          force["branch_type"] = "production";
          auto del = bench_restriction(next_id++, "delete", "");
          del["branch_match_kind"] = "branching_model";
          del["branch_type"] = "development";
          rs = json::array(
              {force, del, bench_restriction(next_id++, "require_approvals_to_merge", "*", 1)});
          repo["branching_model"] = {
              {"development", {{"name", "develop"}, {"use_mainbranch", false}}},
              {"production", {{"name", nullptr}, {"use_mainbranch", true}}},
              {"branch_types", json::array()}};
          out.branching_model += 1;
        } else if (i % 4 == 1) {
          rs = json::array({bench_restriction(next_id++, "push", main),
                            bench_restriction(next_id++, "force", main),
                            bench_restriction(next_id++, "delete", main)});
        } else if (i % 4 == 2) {
          rs = json::array({bench_restriction(next_id++, "require_approvals_to_merge", main, 2),
                            bench_restriction(next_id++, "force", main),
                            bench_restriction(next_id++, "delete", "*")});
        } else if (i % 4 == 3) {
          for (const char* kind :
               {"require_approvals_to_merge", "push", "reset_pullrequest_approvals_on_change",
                "force", "require_passing_builds_to_merge", "delete", "enforce_merge_checks"}) {
            rs.push_back(
                bench_restriction(next_id++, kind, main,
                                  std::string(kind).starts_with("require") ? json(1) : json()));
          }
          for (int r = 0; r < 5; ++r) {
            rs.push_back(bench_restriction(next_id++, "push", "release/" + std::to_string(r)));
          }
        }
        if (!rs.empty()) {
          repo["branch_restrictions"] = rs;
        }
        out.restriction_pages += detail::pages_of(rs.size());
      }
      std::size_t keys = i % 5 == 0 ? 1 : 0;
      if (i == 3) {
        keys = 15;
      }
      if (keys > 0) {
        json list = json::array();
        for (std::size_t k = 0; k < keys; ++k) {
          const std::string name = shape.slug + "-" + std::to_string(i) + "-" + std::to_string(k);
          list.push_back(bench_key(next_id++, "deploy-" + name, "ssh-ed25519 AAAA" + name));
        }
        repo["deploy_keys"] = list;
      }
      out.deploy_key_pages += detail::pages_of(keys);
      repositories.push_back(std::move(repo));
    }
    out.repositories += shape.repositories;
    out.projects += shape.projects.size();
    out.repository_pages += detail::pages_of(shape.repositories);
    workspaces.push_back({{"slug", shape.slug},
                          {"name", "Workspace " + shape.slug},
                          {"administrator", true},
                          {"projects", std::move(projects)},
                          {"repositories", std::move(repositories)}});
  }
  out.workspaces = shapes.size();
  out.scenario = {
      {"oauth_clients", json::array({{{"client_id", kBenchClientId},
                                      {"client_secret", kBenchClientSecret},
                                      {"scopes",
                                       {"account", "repository", "repository:admin", "project",
                                        "project:admin"}}}})},
      {"user",
       {{"type", "user"}, {"uuid", "{bench-user}"}, {"display_name", "Bench"}, {"nickname", "b"}}},
      {"ssh_keys", json::array({{{"uuid", "{ssh-1}"},
                                 {"label", "laptop"},
                                 {"key", "ssh-ed25519 AAAALAPTOP"},
                                 {"created_on", "2024-03-01T12:00:00.000000+00:00"},
                                 {"last_used", nullptr}}})},
      {"workspaces", std::move(workspaces)}};
  return out;
}

// 300 repositories: alpha (180, projects A1-A3) and beta (120, projects B1-B2).
inline GeneratedScenario few_hundred_repositories() {
  return generate_scenario({{"alpha", 180, {"A1", "A2", "A3"}}, {"beta", 120, {"B1", "B2"}}});
}

}  // namespace bbp::test
