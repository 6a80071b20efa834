// Builds the JSON objects the API returns from the compact scenario model.
#pragma once

#include <cstddef>
#include <string>

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

 private:
  std::string api_;
};

}  // namespace bbp::fake::detail
