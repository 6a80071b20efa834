#include "bbp/core/catalogue.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "bbp/text/names.hpp"
#include "default_checks.hpp"
#include "extended_checks.hpp"

namespace bbp::core {
namespace {

// The extended rows: not in the default set, each needing reads of its own.
std::vector<Rule> extended_rows() {
  using namespace extended;
  return {
      {.number = 12,
       .slug = "private-repository-forkable",
       .id = "6ffad4e3-a629-4a0d-8f20-e6902346ef47",
       .title = "Private repository allows public forks",
       .short_name = "Public forks",
       .severity = Severity::high,
       .subject = RuleSubject::repository,
       .oauth_scopes = {"repository"},
       .api_token_scopes = {"read:repository:bitbucket", "read:workspace:bitbucket"},
       .description =
           "A private repository whose fork_policy is allow_forks, in a workspace whose "
           "forking_mode is allow_forks: anyone who can read it can fork it into a public "
           "repository. Reads the fork policy with the repository listing and the workspace "
           "(GET /workspaces/{workspace}) once per workspace.",
       .remediation =
           "Set the repository's forking to 'Only allow private forks' or 'No forks' (Repository "
           "settings > Repository details), or restrict forking for the whole workspace (Workspace "
           "settings > Forking: internal only).",
       .check = check_public_forks,
       .message = message_public_forks,
       .set = RuleSet::extended,
       .reads = {GapSubject::workspace},
       .thresholds = {},
       .remedy = {.kind = FixKind::fork_policy,
                  .flag = "--allow-fork-policy",
                  .limitation = "Forks that already exist are not removed or made private."}},
      {.number = 13,
       .slug = "webhook-without-secret",
       .id = "b861eaea-23b1-4f1a-bc32-74f358952cfe",
       .title = "Webhook has no secret",
       .short_name = "Hook secret",
       .severity = Severity::medium,
       .subject = RuleSubject::webhook,
       .oauth_scopes = {"webhook"},
       .api_token_scopes = {"read:webhook:bitbucket"},
       .description =
           "An active repository or workspace webhook has no secret (secret_set is false): "
           "Bitbucket does not sign its deliveries, so the receiver cannot tell them from forged "
           "requests. Listing the workspace's webhooks needs a workspace owner.",
       .remediation =
           "Set a secret on the webhook (Repository or Workspace settings > Webhooks > Edit) and "
           "verify the X-Hub-Signature header in the receiver.",
       .check = check_webhook_secret,
       .message = message_webhook_secret,
       .set = RuleSet::extended,
       .reads = {GapSubject::hooks},
       .thresholds = {},
       .remedy =
           {.why_not =
                "The receiving service must check the secret first: bbposture does not change "
                "webhooks."}},
      {.number = 14,
       .slug = "webhook-over-http",
       .id = "5d07e46e-ce97-401a-ab4b-c8d587db4abd",
       .title = "Webhook delivers over plain HTTP",
       .short_name = "Hook over HTTP",
       .severity = Severity::high,
       .subject = RuleSubject::webhook,
       .oauth_scopes = {"webhook"},
       .api_token_scopes = {"read:webhook:bitbucket"},
       .description =
           "An active repository or workspace webhook delivers to an http:// URL: its payloads "
           "(repository, commit and pull request details) travel unencrypted and can be read or "
           "altered on the way. Only the URL's scheme and host are read into reports.",
       .remediation =
           "Change the webhook's URL to https:// (Repository or Workspace settings > Webhooks > "
           "Edit) and serve the receiver over TLS.",
       .check = check_webhook_http,
       .message = message_webhook_http,
       .set = RuleSet::extended,
       .reads = {GapSubject::hooks},
       .thresholds = {},
       .remedy = {.why_not =
                      "The receiving service must accept HTTPS first: bbposture does not change "
                      "webhooks."}},
      {.number = 15,
       .slug = "unsecured-secret-variable",
       .id = "2ded0cec-50f0-4570-b018-cc12af12d4d1",
       .title = "Secret-looking pipeline variable is not secured",
       .short_name = "Secret variable",
       .severity = Severity::high,
       .subject = RuleSubject::pipeline_variable,
       .oauth_scopes = {"pipeline"},
       .api_token_scopes = {"read:pipeline:bitbucket"},
       .description =
           "A repository, workspace or deployment environment Pipelines variable whose key looks "
           "like a credential is not secured: Bitbucket shows its value to everyone who can read "
           "the repository (or workspace) and returns it through the API. A key looks like a "
           "credential when it contains TOKEN, SECRET, PASSWORD, PASSWD, PASSPHRASE, API_KEY, "
           "APIKEY, PRIVATE_KEY, ACCESS_KEY, SIGNING_KEY, CREDENTIAL or CONNECTION_STRING, or has "
           "PWD or AUTH as one of its '_'-separated words (any case). The value is never read into "
           "a report, a log or a snapshot.",
       .remediation =
           "Mark the variable as secured (Repository, Workspace or Deployment settings > "
           "Variables), then rotate the credential: its value has been readable.",
       .check = check_secret_variable,
       .message = message_secret_variable,
       .set = RuleSet::extended,
       .reads = {GapSubject::pipeline_variables, GapSubject::environments},
       .thresholds = {},
       .remedy =
           {.why_not =
                "Its value has already been readable: secure the variable and rotate the secret it "
                "holds. bbposture never reads or writes a variable's value."}},
      {.number = 16,
       .slug = "member-without-2fa",
       .id = "5b380bd2-14fd-47d0-9b8d-0bddb9a01065",
       .title = "Workspace member without two-step verification",
       .short_name = "Member 2FA",
       .severity = Severity::high,
       .subject = RuleSubject::workspace,
       .oauth_scopes = {"account"},
       .api_token_scopes = {"read:workspace:bitbucket"},
       .description =
           "A workspace member's has_2fa_enabled is false. Bitbucket shows the field to workspace "
           "administrators only: when it is absent the rule is unknown. It reflects two-step "
           "verification as Bitbucket reports it; verification enforced through an Atlassian "
           "organization may not be reflected.",
       .remediation =
           "Ask the members listed to enable two-step verification, or require it for the "
           "workspace (Workspace settings > Security, Premium) or through Atlassian Guard.",
       .check = check_members_2fa,
       .message = message_members_2fa,
       .set = RuleSet::extended,
       .reads = {GapSubject::members},
       .thresholds = {},
       .remedy =
           {.why_not =
                "Only the member can turn on two-step verification; a workspace administrator can "
                "require it or remove the member."}},
      {.number = 17,
       .slug = "workspace-owner-count",
       .id = "dea01eb7-1c6a-4445-9beb-bf6773fcb7df",
       .title = "Workspace has too many owners or a single owner",
       .short_name = "Owner count",
       .severity = Severity::medium,
       .subject = RuleSubject::workspace,
       .oauth_scopes = {"account"},
       .api_token_scopes = {"read:workspace:bitbucket"},
       .description =
           "The workspace has more owners than max_owners (3 by default), each of whom can change "
           "every setting and permission, or a single owner, with no second administrator to "
           "recover it.",
       .remediation =
           "Keep two or three owners (Workspace settings > User groups / Users): remove the owner "
           "role from those who do not need it, or add a second owner.",
       .check = check_owner_count,
       .message = message_owner_count,
       .set = RuleSet::extended,
       .reads = {GapSubject::owners},
       .thresholds = {Threshold::max_owners},
       .remedy = {.why_not = "Who owns a workspace is for its owners to decide."}},
  };
}

// The eleven rows. The scopes are locals, built once with the table: a throwing global
// initialiser could not be caught.
std::vector<Rule> make_table() {
  using namespace casb;
  const std::vector<std::string_view> kRepoScopes{"repository"};
  const std::vector<std::string_view> kRepoTokenScopes{"read:repository:bitbucket"};
  const std::vector<std::string_view> kBranchScopes{"repository", "repository:admin"};
  const std::vector<std::string_view> kBranchTokenScopes{"read:repository:bitbucket",
                                                         "admin:repository:bitbucket"};
  const std::vector<std::string_view> kKeyScopes{"repository", "repository:admin", "project",
                                                 "project:admin", "account"};
  const std::vector<std::string_view> kKeyTokenScopes{
      "admin:repository:bitbucket", "read:project:bitbucket", "admin:project:bitbucket",
      "read:user:bitbucket", "read:ssh-key:bitbucket"};
  const std::vector<GapSubject> kNoReads;
  const std::vector<GapSubject> kBranchReads{GapSubject::branch_restrictions,
                                             GapSubject::branching_model};
  const std::vector<GapSubject> kKeyReads{GapSubject::projects, GapSubject::deploy_keys,
                                          GapSubject::project_deploy_keys, GapSubject::user,
                                          GapSubject::ssh_keys};
  // Data Center: the branch permissions at repository and project level.
  const std::vector<GapSubject> kPermissionReads{
      GapSubject::default_branch, GapSubject::branch_restrictions, GapSubject::project_restrictions,
      GapSubject::branching_model};
  return {
      {.number = 1,
       .slug = "public-repository",
       .id = "be273f0a-678e-49af-b9f8-8f3913acef97",
       .title = "Repository is publicly accessible",
       .short_name = "Public",
       .severity = Severity::critical,
       .subject = RuleSubject::repository,
       .oauth_scopes = kRepoScopes,
       .api_token_scopes = kRepoTokenScopes,
       .description =
           "The repository is public: anyone on the internet can read its code and history.",
       .remediation =
           "Make the repository private (Repository settings > Repository details > uncheck 'This "
           "is a public repository'), or enforce privacy for the whole workspace. If it must stay "
           "public, review it for secrets and record the exception.",
       .check = check_public,
       .message = message_public,
       .set = RuleSet::casb,
       .reads = kNoReads,
       .thresholds = {},
       .remedy = {.kind = FixKind::visibility,
                  .flag = "--allow-visibility",
                  .limitation = "Everyone without access loses it at once; forks and clones that "
                                "already exist keep the code."},
       .datacenter = {.evaluated = true,
                      .reads = {},
                      .source = "The repository's 'public' or its project's 'public' (a public "
                                "project makes every repository in it readable by anyone who "
                                "can reach the server, signed in or not); archived repositories "
                                "are listed too."}},
      {.number = 2,
       .slug = "pr-review-not-required",
       .id = "6ad95c13-0d13-4595-bc76-bd86f4eba4b9",
       .title = "Repository Default Branch Protection does not have PR Review Required",
       .short_name = "PR review",
       .severity = Severity::high,
       .subject = RuleSubject::default_branch,
       .oauth_scopes = kBranchScopes,
       .api_token_scopes = kBranchTokenScopes,
       .description =
           "No branch restriction on the default branch requires a minimum number of pull request "
           "approvals (require_approvals_to_merge, require_default_reviewer_approvals_to_merge or "
           "require_review_group_approvals_to_merge with value >= min_approvals).",
       .remediation =
           "Add a merge check on the default branch requiring at least one approval (Repository "
           "settings > Branch restrictions), and enforce merge checks (Premium) so it cannot be "
           "bypassed. If the repository is protected only at project level, verify it there.",
       .check = check_review_required,
       .message = message_review_required,
       .set = RuleSet::casb,
       .reads = kBranchReads,
       .thresholds = {Threshold::min_approvals},
       .remedy = {.kind = FixKind::restriction,
                  .restrictions = {"require_approvals_to_merge"},
                  .value_from = Threshold::min_approvals,
                  .limitation = "A merge check: without 'enforce_merge_checks' (Premium) it warns "
                                "and does not block a merge."},
       .datacenter = {.evaluated = true,
                      .reads = {GapSubject::default_branch, GapSubject::branching_model,
                                GapSubject::pull_request_settings, GapSubject::default_reviewers},
                      .source = "The pull-request settings' required approvers (the object "
                                "{enabled, count} of newer servers or the integer of older ones), "
                                "and default-reviewer conditions whose target matches the default "
                                "branch (their requiredApprovals)."}},
      {.number = 3,
       .slug = "direct-push-allowed",
       .id = "c60a7b00-1592-429a-8a32-d58101e4551f",
       .title = "Repository Default Branch Protection does not disable direct pushes for all "
                "users/groups",
       .short_name = "Direct push",
       .severity = Severity::medium,
       .subject = RuleSubject::default_branch,
       .oauth_scopes = kBranchScopes,
       .api_token_scopes = kBranchTokenScopes,
       .description =
           "No 'push' restriction with empty user and group lists applies to the default branch, "
           "so someone can push to it without a pull request. Principals listed in a push "
           "restriction are shown in the evidence.",
       .remediation =
           "Add a branch permission on the default branch with write access for nobody (changes "
           "only through pull requests), or remove the exempted users and groups. If the "
           "repository is protected only at project level, verify it there.",
       .check = check_direct_push,
       .message = message_direct_push,
       .set = RuleSet::casb,
       .reads = kBranchReads,
       .thresholds = {},
       .remedy = {.kind = FixKind::restriction,
                  .restrictions = {"push"},
                  .limitation = "Nobody, administrators included, can push to the default branch "
                                "afterwards: changes arrive by pull request."},
       .datacenter = {.evaluated = true,
                      .reads = kPermissionReads,
                      .source = "A 'read-only' or 'pull-request-only' branch permission, at "
                                "repository or project level, that matches the default branch "
                                "and exempts no user, group or access key (the exempted ones "
                                "are listed)."}},
      {.number = 4,
       .slug = "stale-repository",
       .id = "a1bd3076-a68d-492e-9947-a01e15a4d1b3",
       .title = "Repository not updated in 12+ months",
       .short_name = "Stale repository",
       .severity = Severity::medium,
       .subject = RuleSubject::repository,
       .oauth_scopes = kRepoScopes,
       .api_token_scopes = kRepoTokenScopes,
       .description = "The repository's updated_on is older than stale_days (365 by default).",
       .remediation =
           "Archive or delete the repository if it is no longer used, and revoke its deploy keys "
           "and access tokens; otherwise record an owner who keeps it maintained.",
       .check = check_stale,
       .message = message_stale,
       .set = RuleSet::casb,
       .reads = kNoReads,
       .thresholds = {Threshold::stale_days},
       .remedy =
           {.why_not =
                "Archiving or deleting a repository is a decision about its contents, for its "
                "owners."},
       .datacenter = {.evaluated = true,
                      .reads = {GapSubject::default_branch, GapSubject::last_commit},
                      .source = "The committer date of the default branch's latest commit: "
                                "Data Center records no other date of last activity. An empty "
                                "repository has none, and is unknown."}},
      {.number = 5,
       .slug = "stale-approvals-kept",
       .id = "738c9839-5e1e-4048-85a3-7935ec4c647a",
       .title = "Repository Default Branch Protection does not have Stale PR Approvals Disabled",
       .short_name = "Stale approvals",
       .severity = Severity::medium,
       .subject = RuleSubject::default_branch,
       .oauth_scopes = kBranchScopes,
       .api_token_scopes = kBranchTokenScopes,
       .description =
           "No reset_pullrequest_approvals_on_change restriction applies to the default branch, "
           "so approvals survive new commits to the pull request.",
       .remediation =
           "Enable 'Reset requested changes / approvals when the source branch is modified' for "
           "the default branch (Premium). If the repository is protected only at project level, "
           "verify it there.",
       .check = check_stale_approvals,
       .message = message_stale_approvals,
       .set = RuleSet::casb,
       .reads = kBranchReads,
       .thresholds = {},
       .remedy = {.kind = FixKind::restriction,
                  .restrictions = {"reset_pullrequest_approvals_on_change"}},
       .datacenter = {.evaluated = true,
                      .reads = {GapSubject::default_branch, GapSubject::pull_request_settings,
                                GapSubject::approval_reset},
                      .source = "The pull-request settings' unapproveOnUpdate (true, or the "
                                "string \"true\" some versions send). A server whose answer "
                                "lacks it leaves the rule unknown, never passed."}},
      {.number = 6,
       .slug = "force-push-allowed",
       .id = "4c52f441-0c24-4dbd-8f5e-0e5b829ee8e2",
       .title = "Repository Default Branch Protection does not have Force Pushes Disabled",
       .short_name = "Force push",
       .severity = Severity::medium,
       .subject = RuleSubject::default_branch,
       .oauth_scopes = kBranchScopes,
       .api_token_scopes = kBranchTokenScopes,
       .description =
           "No 'force' restriction applies to the default branch, so its history can be rewritten.",
       .remediation =
           "Add a branch permission on the default branch and leave 'Allow rewriting branch "
           "history' unchecked. If the repository is protected only at project level, verify it "
           "there.",
       .check = check_force_push,
       .message = message_force_push,
       .set = RuleSet::casb,
       .reads = kBranchReads,
       .thresholds = {},
       .remedy = {.kind = FixKind::restriction, .restrictions = {"force"}},
       .datacenter = {.evaluated = true,
                      .reads = kPermissionReads,
                      .source = "A 'fast-forward-only' branch permission matching the default "
                                "branch, or a 'read-only' or 'pull-request-only' one (a force "
                                "push is a push those refuse), at repository or project level, "
                                "that exempts nobody (the exempted are named)."}},
      {.number = 7,
       .slug = "no-default-branch-protection",
       .id = "324f2014-4d4b-4aa6-89a8-72a6c7da09d7",
       .title = "Repository has no Default Branch Protection",
       .short_name = "Branch protection",
       .severity = Severity::medium,
       .subject = RuleSubject::default_branch,
       .oauth_scopes = kBranchScopes,
       .api_token_scopes = kBranchTokenScopes,
       .description =
           "No branch restriction at all (glob or branching model) applies to the default branch.",
       .remediation =
           "Add branch permissions and merge checks for the default branch (Repository settings > "
           "Branch restrictions). Project-level restrictions cannot be read through the public "
           "API: if the project protects this repository, verify it there and record the "
           "exception.",
       .check = check_protected,
       .message = message_protected,
       .set = RuleSet::casb,
       .reads = kBranchReads,
       .thresholds = {},
       .remedy = {.kind = FixKind::restriction, .restrictions = {"delete", "force"}},
       .datacenter = {.evaluated = true,
                      .reads = {GapSubject::default_branch, GapSubject::branch_restrictions,
                                GapSubject::project_restrictions, GapSubject::branching_model,
                                GapSubject::pull_request_settings, GapSubject::approval_reset,
                                GapSubject::default_reviewers, GapSubject::required_builds},
                      .source = "Any of the branch permissions and merge checks above that "
                                "applies to the default branch."}},
      {.number = 8,
       .slug = "passing-builds-not-required",
       .id = "afe4a27e-ee01-4ebe-914c-d480ac49a5c2",
       .title = "Repository Default Branch Protection does not require passing builds to merge",
       .short_name = "Passing builds",
       .severity = Severity::low,
       .subject = RuleSubject::default_branch,
       .oauth_scopes = kBranchScopes,
       .api_token_scopes = kBranchTokenScopes,
       .description =
           "No require_passing_builds_to_merge restriction with value >= 1 applies to the default "
           "branch.",
       .remediation =
           "Add a merge check requiring at least one successful build on the default branch, and "
           "enforce merge checks (Premium). If the repository is protected only at project level, "
           "verify it there.",
       .check = check_passing_builds,
       .message = message_passing_builds,
       .set = RuleSet::casb,
       .reads = kBranchReads,
       .thresholds = {},
       .remedy = {.kind = FixKind::restriction,
                  .restrictions = {"require_passing_builds_to_merge"},
                  .minimum = 1,
                  .limitation = "A merge check: without 'enforce_merge_checks' (Premium) it warns "
                                "and does not block a merge."},
       .datacenter = {.evaluated = true,
                      .reads = {GapSubject::default_branch, GapSubject::branching_model,
                                GapSubject::pull_request_settings, GapSubject::required_builds},
                      .source = "A required-builds merge check (the /conditions endpoint, or "
                                "/condition on older servers) whose ref matcher covers the "
                                "default branch and whose exempt matcher does not. A server "
                                "without the required-builds feature answers 404: unknown."}},
      {.number = 9,
       .slug = "branch-deletion-allowed",
       .id = "86411562-4b85-4677-b048-7887cc5b1567",
       .title = "Repository Default Branch Protection allows branch deletion",
       .short_name = "Branch deletion",
       .severity = Severity::low,
       .subject = RuleSubject::default_branch,
       .oauth_scopes = kBranchScopes,
       .api_token_scopes = kBranchTokenScopes,
       .description =
           "No 'delete' restriction applies to the default branch, so it can be deleted.",
       .remediation =
           "Add a branch permission on the default branch and leave 'Allow deleting this branch' "
           "unchecked. If the repository is protected only at project level, verify it there.",
       .check = check_deletion,
       .message = message_deletion,
       .set = RuleSet::casb,
       .reads = kBranchReads,
       .thresholds = {},
       .remedy = {.kind = FixKind::restriction, .restrictions = {"delete"}},
       .datacenter = {.evaluated = true,
                      .reads = kPermissionReads,
                      .source = "A 'no-deletes' branch permission matching the default "
                                "branch, at repository or project level, that exempts nobody "
                                "(the exempted are named). Other types are not "
                                "counted: Data Center does not document that they stop a "
                                "deletion made from the branch's page."}},
      {.number = 10,
       .slug = "merge-checks-not-enforced",
       .id = "64440d40-91de-4d13-9280-d5afa418ccf0",
       .title = "Repository Default Branch Protection does not enforce merge checks",
       .short_name = "Merge checks",
       .severity = Severity::low,
       .subject = RuleSubject::default_branch,
       .oauth_scopes = kBranchScopes,
       .api_token_scopes = kBranchTokenScopes,
       .description =
           "No enforce_merge_checks restriction applies to the default branch: configured merge "
           "checks only warn, and a pull request can be merged with them failing.",
       .remediation =
           "Enable 'Prevent a merge with unresolved merge checks' for the default branch "
           "(Premium). If the repository is protected only at project level, verify it there.",
       .check = check_merge_checks,
       .message = message_merge_checks,
       .set = RuleSet::casb,
       .reads = kBranchReads,
       .thresholds = {},
       .remedy = {.kind = FixKind::restriction,
                  .restrictions = {"enforce_merge_checks"},
                  .limitation = "Enforced on the Premium plan only: on other plans Bitbucket "
                                "accepts the restriction and merge checks still only warn."},
       .datacenter = {.evaluated = true,
                      .reads = {GapSubject::default_branch, GapSubject::pull_request_settings},
                      .source = "Data Center has no advisory merge checks: every enabled "
                                "merge check blocks the merge. Passes once the repository's "
                                "pull-request settings were read."}},
      {.number = 11,
       .slug = "old-key",
       .id = "0a135600-a109-434f-877c-1a6594dcd76d",
       .title = "Key is older than 180 days",
       .short_name = "Old key",
       .severity = Severity::low,
       .subject = RuleSubject::key,
       .oauth_scopes = kKeyScopes,
       .api_token_scopes = kKeyTokenScopes,
       .description =
           "A repository deploy key, project deploy key or the caller's SSH key was created "
           "longer ago than key_max_age_days (180 by default).",
       .remediation =
           "Rotate the key: add a new key, move its users over, then delete the old one. Remove "
           "keys that are no longer used (see last_used).",
       .check = check_key_age,
       .message = message_key_age,
       .set = RuleSet::casb,
       .reads = kKeyReads,
       .thresholds = {Threshold::key_max_age_days},
       .remedy = {.kind = FixKind::delete_key,
                  .flag = "--allow-key-deletion",
                  .why_not = "Only its owner can delete a user's own SSH key.",
                  .limitation = "Irreversible: whatever uses the key loses access; add its "
                                "replacement first."},
       .datacenter = {.evaluated = true,
                      .reads = {GapSubject::deploy_keys, GapSubject::project_deploy_keys,
                                GapSubject::ssh_keys},
                      .source = "Repository and project access keys, and the caller's SSH "
                                "keys, by createdDate. Keys created before Data Center 8.7 have "
                                "no creation date: unknown ('age not recorded'), never a pass."}},
  };
}

std::vector<Rule> all_rows() {
  auto table = make_table();
  for (auto& row : extended_rows()) {
    table.push_back(std::move(row));
  }
  return table;
}

const std::vector<Rule>& rules() {
  static const std::vector<Rule> table = all_rows();
  return table;
}

}  // namespace

std::string_view to_string(RuleSubject subject) {
  static constexpr std::array<text::Named<RuleSubject>, 6> kSubjects{{
      {RuleSubject::repository, "repository"},
      {RuleSubject::default_branch, "default_branch"},
      {RuleSubject::key, "key"},
      {RuleSubject::webhook, "webhook"},
      {RuleSubject::pipeline_variable, "pipeline_variable"},
      {RuleSubject::workspace, "workspace"},
  }};
  return text::name_of(kSubjects, subject);
}

std::string_view to_string(RuleSet set) {
  return set == RuleSet::casb ? "casb" : "extended";
}

std::vector<const Rule*> rule_set(std::string_view name) {
  std::vector<const Rule*> out;
  if (name != "casb" && name != "extended" && name != "all") {
    return out;
  }
  for (const auto& rule : rules()) {
    if (name == "all" || to_string(rule.set) == name) {
      out.push_back(&rule);
    }
  }
  return out;
}

std::span<const Rule> catalogue() {
  return rules();
}

std::string message_of(const Rule& rule, const nlohmann::json& evidence) {
  return rule.message != nullptr ? rule.message(evidence) : std::string(rule.title);
}

int minimum_value(const Remedy& remedy, const Settings& settings) {
  return remedy.value_from ? settings.*threshold(*remedy.value_from).field : remedy.minimum;
}

const Rule* find_rule(std::string_view slug_or_id) {
  const auto& table = rules();
  const auto it = std::find_if(table.begin(), table.end(), [&](const Rule& r) {
    return r.slug == slug_or_id || r.id == slug_or_id;
  });
  return it == table.end() ? nullptr : &*it;
}

}  // namespace bbp::core
