// Declared restrictions: branch restrictions the user states exist although the repository's
// /branch-restrictions endpoint does not return them (Bitbucket Cloud Premium's project-level
// restrictions, for one). They join what the API returned before the rules run.
#pragma once

#include <vector>

#include "bbp/core/models.hpp"
#include "bbp/core/policy.hpp"

namespace bbp::core {

// Whether a declaration's selectors (workspace, project, repository glob) all match `repo`.
bool declaration_applies(const DeclaredRestrictions& declaration, const Repository& repo);

// Adds each applicable declaration's restrictions to the repositories of `snapshot`, marked
// with declared_in. A declaration for the default branch is given the repository's main branch
// as its pattern. Nothing the API returned is removed or changed, and a repository whose
// restrictions could not be read, or that has no default branch, gets nothing: an unknown
// stays unknown. Apply after the snapshot was saved: snapshots hold what was read.
void apply_declarations(Snapshot& snapshot, const std::vector<DeclaredRestrictions>& declarations);

// The restrictions the API returned, without the declared ones.
std::vector<BranchRestriction> read_restrictions(const std::vector<BranchRestriction>& all);

}  // namespace bbp::core
