#include "access.hpp"

#include <algorithm>

namespace bbp::fake_dc::detail {

Level Access::granted(const Grants& grants) const {
  if (user_ == nullptr) {
    return Level::none;
  }
  Level level = Level::none;
  if (const auto it = grants.users.find(user_->name); it != grants.users.end()) {
    level = it->second;
  }
  for (const auto& group : user_->groups) {
    if (const auto it = grants.groups.find(group); it != grants.groups.end()) {
      level = std::max(level, it->second);
    }
  }
  return level;
}

Level Access::project(const Project& project) const {
  if (user_ != nullptr && user_->admin) {
    return Level::admin;
  }
  return std::max(granted(project.grants), project.is_public ? Level::read : Level::none);
}

Level Access::repository(const Project& project, const Repository& repo) const {
  const Level level = std::max(this->project(project), granted(repo.grants));
  return std::max(level, repo.is_public ? Level::read : Level::none);
}

bool Access::sees(const Project& project) const {
  if (this->project(project) >= Level::read || project.any_public_repo) {
    return true;
  }
  if (user_ == nullptr) {
    return false;
  }
  return project.repo_users.count(user_->name) != 0 ||
         std::any_of(user_->groups.begin(), user_->groups.end(),
                     [&project](const std::string& group) {
                       return project.repo_groups.count(group) != 0;
                     });
}

}  // namespace bbp::fake_dc::detail
