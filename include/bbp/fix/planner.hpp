// From what a scan found to what `bbposture fix` would change: a pure function of the snapshot,
// the evaluations and the flags (docs/fix.md, "The safety model").
//
// Tighten only, by construction: a step adds a restriction that does not exist, or raises a
// value that is lower than the minimum; none lowers a value, removes a restriction or shortens
// an exemption list, except --replace-exemptions, whose steps list the users and groups they
// take off. Changes that can disrupt people (visibility, fork policy, key deletion) are planned
// only with their own flag; the others are left alone, each with why.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bbp/core/engine.hpp"
#include "bbp/core/models.hpp"
#include "bbp/core/settings.hpp"
#include "bbp/fix/plan.hpp"

namespace bbp::fix {

// The opt-in flags: each allows one kind of disruptive change.
struct FixFlags {
  bool allow_visibility = false;    // --allow-visibility: make public repositories private
  bool allow_key_deletion = false;  // --allow-key-deletion: delete old deploy keys
  bool allow_fork_policy = false;   // --allow-fork-policy: stop public forks
  bool replace_exemptions = false;  // --replace-exemptions: push restrictions without exemptions

  std::vector<std::string> names() const;  // the flags given, as the command line spells them
};

// What the credential is known to be allowed to write.
struct Grants {
  std::string credential;  // its kind: "client_credentials", "access_token", "api_token"
  // The OAuth scopes the token was granted, when the token endpoint said (client credentials);
  // nullopt when the credential does not say (then a successful admin read is the proof).
  std::optional<std::vector<std::string>> oauth_scopes;
};

struct PlanInputs {
  const core::Snapshot& snapshot;
  // The scan's fails and unknowns (core::evaluate with findings_only), suppressions applied.
  const std::vector<core::Evaluation>& evaluations;
  const core::Settings& settings;
  FixFlags flags;
  Grants grants;
};

// Fills the plan's steps, what it leaves alone and what it could not read; the caller fills the
// header (API URL, identity, time, selection) and seals it.
void plan_steps(const PlanInputs& inputs, Plan& plan);
// The same for a Bitbucket Data Center snapshot, with Data Center's requests (branch
// permissions, pull-request settings, repository visibility, access keys). A plan for review
// only: every step has `cannot_apply` and its `permission`, and the plan's platform is
// "datacenter" (docs/datacenter.md, "Fixing").
void plan_datacenter_steps(const PlanInputs& inputs, Plan& plan);

// The write scopes a step needs that the grants lack, or why the credential cannot make it at
// all ("access tokens cannot delete deploy keys"); nullopt when nothing is known to be missing.
std::optional<std::string> missing_grant(const Step& step, const Grants& grants);

}  // namespace bbp::fix
