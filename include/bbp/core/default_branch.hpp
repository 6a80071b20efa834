// Which branch restrictions apply to a repository's default (main) branch.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bbp/core/models.hpp"

namespace bbp::core {

struct MatchedRestriction {
  const BranchRestriction* restriction = nullptr;
  std::string how;  // "glob 'ma*'", "branching model: development (use_mainbranch)", …
};

struct AppliedRestrictions {
  std::string branch;                       // D, the default branch
  std::vector<MatchedRestriction> matched;  // R: every restriction that applies to D
  // Glob restrictions that would match if case were ignored ("Main" vs "main"): worth a look.
  std::vector<const BranchRestriction*> near_misses;

  // Restrictions in R of the given kind.
  std::vector<const MatchedRestriction*> of_kind(std::string_view kind) const;
  bool has_kind(std::string_view kind) const { return !of_kind(kind).empty(); }
  // Evidence for R: [{id, kind, value?, match, …}, …].
  nlohmann::json evidence() const;
  nlohmann::json evidence_of_kind(std::string_view kind) const;
};

// True when any restriction matches through the branching model, so the effective model must
// be read before the default branch can be judged.
bool needs_branching_model(const std::vector<BranchRestriction>& restrictions);

// Resolves R for branch `branch`. `model` may be null only when no restriction uses
// branch_match_kind "branching_model" (such restrictions then never apply).
AppliedRestrictions resolve_default_branch(const std::string& branch,
                                           const std::vector<BranchRestriction>& restrictions,
                                           const BranchingModel* model);

}  // namespace bbp::core
