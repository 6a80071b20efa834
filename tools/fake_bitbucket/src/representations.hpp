// Builds the JSON objects the API returns from the compact scenario model.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "scenario.hpp"

namespace bbp::fake::detail {

class Representations {
 public:
  // `api_base` is the absolute API root used in links, e.g. "http://127.0.0.1:8080/2.0".
  explicit Representations(std::string api_base) : api_(std::move(api_base)) {}

  nlohmann::json user(const Scenario& scenario) const;
  nlohmann::json ssh_key(const Scenario& scenario, std::size_t index) const;

  nlohmann::json workspace(const Workspace& workspace) const;
  nlohmann::json workspace_access(const Workspace& workspace) const;

  nlohmann::json project(const Workspace& workspace, const Project& project) const;
  nlohmann::json project_deploy_key(const Workspace& workspace, const Project& project,
                                    std::size_t index) const;

  nlohmann::json repository(const Workspace& workspace, const Repository& repo) const;
  nlohmann::json branch_restriction(const Workspace& workspace, const Repository& repo,
                                    std::size_t index) const;
  nlohmann::json deploy_key(const Workspace& workspace, const Repository& repo,
                            std::size_t index) const;
  nlohmann::json branching_model(const Workspace& workspace, const Repository& repo,
                                 bool effective) const;
  nlohmann::json pipelines_config(const Workspace& workspace, const Repository& repo) const;

  // Webhooks: the raw scenario object with uuid, subject_type, subject, created_at, active,
  // events, secret_set and links filled in when absent; a "secret" is never served.
  nlohmann::json repository_hook(const Workspace& workspace, const Repository& repo,
                                 std::size_t index) const;
  nlohmann::json workspace_hook(const Workspace& workspace, std::size_t index) const;

  // Pipeline variables ("pipeline_variable" or "deployment_variable"); a secured variable is
  // served without its value.
  static nlohmann::json variable(const nlohmann::json& raw, std::string_view type);
  nlohmann::json environment(const Workspace& workspace, const Repository& repo,
                             const nlohmann::json& raw) const;

  // A workspace_membership; `permission` only for /permissions, `user.has_2fa_enabled` only
  // when the workspace lets the caller see it (the router drops it unless `fields` asks).
  nlohmann::json membership(const Workspace& workspace, const Member& member,
                            bool with_permission) const;

 private:
  std::string api_;
};

}  // namespace bbp::fake::detail
