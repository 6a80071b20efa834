// Who may see what: Data Center's effective permissions for a (possibly anonymous) caller.
#pragma once

#include "scenario.hpp"

namespace bbp::fake_dc::detail {

// `user` is nullptr for an anonymous caller.
class Access {
 public:
  explicit Access(const User* user) : user_(user) {}

  const User* user() const { return user_; }

  // max(global admin ⇒ admin, the project's grants, the repository's grants (user and
  // groups), public repository or project ⇒ read).
  Level repository(const Project& project, const Repository& repo) const;
  // The caller's level on the project itself (PROJECT_ADMIN is what project-level endpoints
  // need): global admin ⇒ admin, the project's grants, public project ⇒ read.
  Level project(const Project& project) const;
  // Whether the project is visible: a level on it, or a repository in it the caller can read.
  bool sees(const Project& project) const;

 private:
  Level granted(const Grants& grants) const;

  const User* user_;
};

}  // namespace bbp::fake_dc::detail
