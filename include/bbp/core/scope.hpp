// What a scan covers: which workspaces and repositories, and which rules, and therefore which
// reads it makes and which failed reads concern it. The live collector and the offline loader
// both ask the same Scope, so the same flags select the same data either way.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bbp/core/catalogue.hpp"
#include "bbp/core/models.hpp"

namespace bbp::core {

struct Scope {
  std::vector<std::string> workspaces;     // empty: every workspace the credential can see
  std::vector<std::string> repos;          // globs on "slug" or "workspace/slug"; empty: all
  std::vector<std::string> exclude_repos;  // globs; win over `repos`
  std::vector<std::string> projects;       // project keys, any case; empty: all
  std::vector<const Rule*> rules;          // empty: every rule of the catalogue

  bool selects_workspace(std::string_view slug) const;
  bool selects(const Repository& repository) const;
  bool selects(const Rule& rule) const;
  // What the selected rules need read: branch restrictions (and branching models) for the
  // default-branch rules, deploy keys, project keys and the caller's SSH keys for the key rule.
  bool reads_branches() const;
  bool reads_keys() const;
  // Whether a failed read is one a scan with this scope would have made.
  bool concerns(const Gap& gap) const;
};

// Narrows a saved snapshot to `scope` exactly as a live scan with it would have read it: its
// workspaces and repositories, their keys and failed reads, and what its rules would not have
// read marked as not collected. Returns the problem when a workspace of the scope is not in
// the snapshot.
std::optional<std::string> narrow(Snapshot& snapshot, const Scope& scope);

}  // namespace bbp::core
