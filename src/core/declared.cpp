#include "bbp/core/declared.hpp"

#include <algorithm>

#include "bbp/core/glob.hpp"

namespace bbp::core {

bool declaration_applies(const DeclaredRestrictions& declaration, const Repository& repo) {
  if (declaration.workspace && *declaration.workspace != repo.workspace) {
    return false;
  }
  if (declaration.project && declaration.project != repo.project_key) {
    return false;
  }
  return !declaration.repository_glob || glob_match(*declaration.repository_glob, repo.full_name);
}

namespace {

void add_declared(Repository& repo, const DeclaredRestrictions& declaration) {
  auto& restrictions = *repo.branch_restrictions;
  for (auto restriction : declaration.restrictions) {
    restriction.declared_in = declaration.source;
    restriction.branch_match_kind = "glob";
    // Git branch names cannot contain '*', so the main branch's name is a glob for itself alone.
    restriction.pattern = declaration.branch_glob.value_or(*repo.mainbranch);
    restriction.branch_type.reset();
    restrictions.push_back(std::move(restriction));
  }
}

}  // namespace

void apply_declarations(Snapshot& snapshot, const std::vector<DeclaredRestrictions>& declarations) {
  for (auto& ws : snapshot.workspaces) {
    for (auto& repo : ws.repositories) {
      if (!repo.branch_restrictions || !repo.mainbranch) {
        continue;
      }
      for (const auto& declaration : declarations) {
        if (declaration_applies(declaration, repo)) {
          add_declared(repo, declaration);
        }
      }
    }
  }
}

std::vector<BranchRestriction> read_restrictions(const std::vector<BranchRestriction>& all) {
  std::vector<BranchRestriction> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out),
               [](const BranchRestriction& r) { return !r.declared_in; });
  return out;
}

}  // namespace bbp::core
