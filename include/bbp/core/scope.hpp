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
  std::vector<const Rule*> rules;          // empty: the default set (the eleven casb rules)
  // The caller's own SSH keys are account-wide: a scan narrowed to repositories or projects
  // leaves them out unless this asks for them.
  bool include_user_keys = false;

  bool selects_workspace(std::string_view slug) const;
  bool selects(const Repository& repository) const;
  bool selects(const Rule& rule) const;
  // What the selected rules need read: branch restrictions (and branching models) for the
  // default-branch rules, deploy keys, project keys and the caller's SSH keys for the key rule.
  bool reads_branches() const;
  bool reads_keys() const;
  // Whether the caller's SSH keys are part of the scan: the key rule is selected, and the scan
  // is not narrowed to repositories or projects (or include_user_keys asks for them anyway).
  bool reads_user_keys() const;
  // Whether a selected rule needs the read whose failure leaves a gap of this subject (the
  // extended rules' reads: the workspace, webhooks, variables, environments, members, owners).
  bool reads(GapSubject subject) const;
  // The same on Bitbucket Data Center, from the rules' OnDataCenter reads.
  bool reads_on_datacenter(GapSubject subject) const;
  // Whether a failed read is one a scan with this scope would have made.
  bool concerns(const Gap& gap) const;
};

// Which repository filters (--repo, --exclude-repo, --project) matched a listed repository, so
// that a filter matching nothing is said rather than scanning nothing in silence.
class FilterTally {
 public:
  explicit FilterTally(const Scope& scope);
  // Every listed repository, selected or not.
  void note(const Repository& repository);
  // "--repo 'api-*'" for each filter that matched no repository noted.
  std::vector<std::string> unmatched() const;

 private:
  const Scope* scope_;
  std::vector<bool> repos_;
  std::vector<bool> exclude_repos_;
  std::vector<bool> projects_;
};

// Narrows a saved snapshot to `scope` exactly as a live scan with it would have read it: its
// workspaces and repositories, their keys and failed reads, and what its rules would not have
// read marked as not collected. Returns the problem when a workspace of the scope is not in
// the snapshot.
// `unmatched`, when given, receives the filters that matched no repository of the snapshot.
std::optional<std::string> narrow(Snapshot& snapshot, const Scope& scope,
                                  std::vector<std::string>* unmatched = nullptr);

}  // namespace bbp::core
