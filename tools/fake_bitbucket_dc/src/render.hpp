// The JSON representations Data Center serves (RestProject, RestRepository, RestRefRestriction,
// RestSshAccessKey, …), built from the scenario model for one request's base URL.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "scenario.hpp"

namespace bbp::fake_dc::detail {

class Render {
 public:
  // `base` is "http://host:port" as the client addressed the server (links are absolute).
  Render(const Scenario& scenario, std::string base)
      : scenario_(scenario), base_(std::move(base)) {}

  nlohmann::json user(const User& user) const;           // RestApplicationUser
  nlohmann::json detailed_user(const User& user) const;  // RestDetailedUser
  nlohmann::json project(const Project& project) const;
  nlohmann::json repository(const Project& project, const Repository& repo) const;
  nlohmann::json ssh_key(const SshKey& key) const;  // RestSshKey
  // RestSshAccessKey of a repository's key (`repo` set) or a project's.
  nlohmann::json access_key(const Project& project, const Repository* repo,
                            const AccessKey& key) const;
  // RestRefRestriction of a repository's restriction (`repo` set) or a project's.
  nlohmann::json restriction(const Project& project, const Repository* repo,
                             const Restriction& restriction) const;
  // The default branch as RestBranch (with isDefault) and the latest commit as RestCommit.
  nlohmann::json default_branch(const Repository& repo) const;
  nlohmann::json commit(const LastCommit& commit) const;

 private:
  nlohmann::json self_link(const std::string& path) const;

  const Scenario& scenario_;
  std::string base_;
};

}  // namespace bbp::fake_dc::detail
