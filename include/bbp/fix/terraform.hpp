// The Terraform export of a plan (docs/fix.md), for teams that manage Bitbucket as code: the
// same changes as HCL for the community provider (DrFaust92/bitbucket), to be reviewed with
// `terraform plan` and applied by Terraform instead of by `bbposture fix --apply`.
//
// Each branch-restriction step becomes one `bitbucket_branch_restriction` resource in the
// state the step gives it; a step that changes an existing restriction also gets an `import`
// block (Terraform 1.5+), so that Terraform adopts that restriction instead of adding a second
// one. Steps that are not branch restrictions (visibility, fork policy, deploy keys) change
// resources the export does not declare, and are listed as comments.
#pragma once

#include <ostream>

#include "bbp/fix/plan.hpp"

namespace bbp::fix {

void write_terraform(const Plan& plan, std::ostream& out);

}  // namespace bbp::fix
