#include "bbp/core/catalogue.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "bbp/core/extended_checks.hpp"
#include "bbp/text/names.hpp"

namespace bbp::core {

const std::string_view kProjectLevelNote =
    "Project-level branch restrictions are enforced by Bitbucket but cannot be read through the "
    "public API; a repository protected only at project level is reported here. Verify in "
    "Project settings > Branch restrictions.";

namespace {

constexpr std::string_view kAdvisoryNote =
    "Configured as a merge check but not enforced: without 'enforce_merge_checks' (Premium: "
    "'Prevent a merge with unresolved merge checks') users are warned and can still merge.";

constexpr std::array<std::string_view, 3> kApprovalKinds{
    "require_approvals_to_merge", "require_default_reviewer_approvals_to_merge",
    "require_review_group_approvals_to_merge"};

Verdict verdict(bool passed, nlohmann::json evidence) {
  return {passed ? Outcome::pass : Outcome::fail, std::move(evidence), {}, {}, std::nullopt};
}

Verdict unknown(UnknownReason reason, std::string detail) {
  return {Outcome::unknown, nlohmann::json::object(), reason, std::move(detail), std::nullopt};
}

// Evidence shared by every default-branch rule.
nlohmann::json branch_evidence(const RuleContext& ctx) {
  const auto& applied = *ctx.applied;
  nlohmann::json out{{"default_branch", applied.branch},
                     {"restrictions_applied", applied.evidence()},
                     {"project_level_restrictions", kProjectLevelNote}};
  if (!applied.near_misses.empty()) {
    auto misses = nlohmann::json::array();
    for (const auto* r : applied.near_misses) {
      misses.push_back({{"id", r->id}, {"kind", r->kind}, {"pattern", r->pattern}});
    }
    out["case_mismatch_to_verify"] = misses;
  }
  return out;
}

// Highest `value` among the applied restrictions of the given kinds; nullopt when none has one.
template <typename Kinds>
std::optional<std::int64_t> highest_value(const AppliedRestrictions& applied, const Kinds& kinds) {
  std::optional<std::int64_t> best;
  for (const auto& kind : kinds) {
    for (const auto* m : applied.of_kind(kind)) {
      if (m->restriction->value && (!best || *m->restriction->value > *best)) {
        best = m->restriction->value;
      }
    }
  }
  return best;
}

// A rule that passes when R contains a restriction of `kind`.
Verdict presence(const RuleContext& ctx, std::string_view kind) {
  auto evidence = branch_evidence(ctx);
  const bool present = ctx.applied->has_kind(kind);
  evidence["required_kind"] = kind;
  evidence["present"] = present;
  return verdict(present, std::move(evidence));
}

Verdict check_public(const RuleContext& ctx) {
  const auto& repo = *ctx.repository;
  if (!repo.is_private) {
    return unknown(UnknownReason::invalid_response,
                   "the repository listing had no boolean 'is_private' for this repository");
  }
  nlohmann::json evidence{{"is_private", *repo.is_private}};
  if (repo.project_key) {
    evidence["project"] = *repo.project_key;
  }
  return verdict(*repo.is_private, std::move(evidence));
}

Verdict check_review_required(const RuleContext& ctx) {
  auto evidence = branch_evidence(ctx);
  auto approvals = nlohmann::json::array();
  for (const auto& kind : kApprovalKinds) {
    for (auto& e : ctx.applied->evidence_of_kind(kind)) {
      approvals.push_back(std::move(e));
    }
  }
  const auto best = highest_value(*ctx.applied, kApprovalKinds);
  evidence["approval_restrictions"] = approvals;
  evidence["highest_required_approvals"] = best ? nlohmann::json(*best) : nlohmann::json();
  evidence["min_approvals"] = ctx.settings.min_approvals;
  if (!approvals.empty() && !ctx.applied->has_kind("enforce_merge_checks")) {
    evidence["enforcement"] = kAdvisoryNote;
  }
  return verdict(best && *best >= ctx.settings.min_approvals, std::move(evidence));
}

Verdict check_direct_push(const RuleContext& ctx) {
  auto evidence = branch_evidence(ctx);
  const auto pushes = ctx.applied->of_kind("push");
  bool nobody_may_push = false;
  auto users = nlohmann::json::array();
  auto groups = nlohmann::json::array();
  for (const auto* m : pushes) {
    const auto& r = *m->restriction;
    if (r.users.empty() && r.groups.empty()) {
      nobody_may_push = true;
    }
    for (const auto& u : r.users) {
      users.push_back({{"name", u.name}, {"id", u.id}});
    }
    for (const auto& g : r.groups) {
      groups.push_back({{"name", g.name}, {"id", g.id}});
    }
  }
  evidence["push_restrictions"] = ctx.applied->evidence_of_kind("push");
  if (pushes.empty()) {
    evidence["allowed_to_push"] = "everyone with write access to the repository";
  } else if (!nobody_may_push) {
    evidence["allowed_to_push"] = {{"users", users}, {"groups", groups}};
  }
  return verdict(nobody_may_push, std::move(evidence));
}

Verdict check_stale(const RuleContext& ctx) {
  const auto& repo = *ctx.repository;
  if (!repo.updated_on) {
    return unknown(UnknownReason::invalid_response,
                   "the repository listing had no valid 'updated_on' for this repository");
  }
  const auto limit = std::chrono::days{ctx.settings.stale_days};
  nlohmann::json evidence{{"updated_on", format_timestamp(*repo.updated_on)},
                          {"age_days", whole_days_between(*repo.updated_on, ctx.now)},
                          {"stale_days", ctx.settings.stale_days}};
  return verdict(ctx.now - *repo.updated_on <= limit, std::move(evidence));
}

Verdict check_stale_approvals(const RuleContext& ctx) {
  auto result = presence(ctx, "reset_pullrequest_approvals_on_change");
  if (ctx.applied->has_kind("smart_reset_pullrequest_approvals")) {
    result.evidence["smart_reset_pullrequest_approvals"] =
        "present: keeps approvals when the diff is unchanged; on its own it does not dismiss "
        "stale approvals";
  }
  return result;
}

Verdict check_force_push(const RuleContext& ctx) {
  return presence(ctx, "force");
}

Verdict check_protected(const RuleContext& ctx) {
  auto evidence = branch_evidence(ctx);
  evidence["restrictions_applying"] = ctx.applied->matched.size();
  return verdict(!ctx.applied->matched.empty(), std::move(evidence));
}

Verdict check_passing_builds(const RuleContext& ctx) {
  auto evidence = branch_evidence(ctx);
  constexpr std::array<std::string_view, 1> kinds{"require_passing_builds_to_merge"};
  const auto best = highest_value(*ctx.applied, kinds);
  evidence["build_restrictions"] = ctx.applied->evidence_of_kind(kinds[0]);
  evidence["highest_required_builds"] = best ? nlohmann::json(*best) : nlohmann::json();
  if (ctx.applied->has_kind(kinds[0]) && !ctx.applied->has_kind("enforce_merge_checks")) {
    evidence["enforcement"] = kAdvisoryNote;
  }
  return verdict(best && *best >= 1, std::move(evidence));
}

Verdict check_deletion(const RuleContext& ctx) {
  return presence(ctx, "delete");
}

Verdict check_merge_checks(const RuleContext& ctx) {
  auto result = presence(ctx, "enforce_merge_checks");
  auto advisory = nlohmann::json::array();
  for (const auto& m : ctx.applied->matched) {
    const auto& kind = m.restriction->kind;
    if (kind.starts_with("require_")) {
      advisory.push_back(kind);
    }
  }
  if (!advisory.empty()) {
    result.evidence["checks_not_enforced"] = advisory;
  }
  return result;
}

Verdict check_key_age(const RuleContext& ctx) {
  const auto& key = *ctx.key;
  if (!key.created_on) {
    return unknown(UnknownReason::invalid_response,
                   "the key has no valid 'created_on' or 'added_on' date");
  }
  const auto limit = std::chrono::days{ctx.settings.key_max_age_days};
  nlohmann::json evidence{
      {"created_on", format_timestamp(*key.created_on)},
      {"date_field", key.created_field},
      {"age_days", whole_days_between(*key.created_on, ctx.now)},
      {"key_max_age_days", ctx.settings.key_max_age_days},
      {"label", key.label},
      {"last_used",
       key.last_used ? nlohmann::json(format_timestamp(*key.last_used)) : nlohmann::json()}};
  if (key.expires_on) {
    evidence["expires_on"] = format_timestamp(*key.expires_on);
  }
  return verdict(ctx.now - *key.created_on <= limit, std::move(evidence));
}

// ---- Messages: one per rule, worded from the evidence its check wrote -----------------------

// An integer member of the evidence; nullopt when it is missing, null or not an integer.
std::optional<std::int64_t> integer_in(const nlohmann::json& ev, std::string_view key) {
  const auto it = ev.find(key);
  if (it == ev.end() || !it->is_number_integer()) {
    return std::nullopt;
  }
  return it->get<std::int64_t>();
}

// A string member of the evidence; nullopt when it is missing or not a string.
std::optional<std::string> text_in(const nlohmann::json& ev, std::string_view key) {
  const auto it = ev.find(key);
  if (it == ev.end() || !it->is_string()) {
    return std::nullopt;
  }
  return it->get<std::string>();
}

// "'main'", or "the default branch" when the evidence does not name it.
std::string branch_in(const nlohmann::json& ev) {
  const auto name = text_in(ev, "default_branch");
  return name ? "'" + *name + "'" : "the default branch";
}

// "no approvals", "1 approval", "3 approvals".
std::string count_of(std::optional<std::int64_t> n, std::string_view noun) {
  if (!n || *n <= 0) {
    return "no " + std::string(noun) + "s";
  }
  return std::to_string(*n) + " " + std::string(noun) + (*n == 1 ? "" : "s");
}

// "909 days <after>; <limit_word> 365 days" ("909 days ago; threshold 365 days"). Ages are
// whole days: an age equal to the limit failed by less than a day, and says "more than".
std::string age_against(const nlohmann::json& ev, std::string_view after,
                        std::string_view limit_key, std::string_view limit_word) {
  const auto age = integer_in(ev, "age_days");
  const auto limit = integer_in(ev, limit_key);
  std::string out =
      !age ? std::string("an unknown number of days")
           : (limit && *age == *limit ? "more than " : "") + std::to_string(*age) + " days";
  out.append(" ").append(after);
  if (limit) {
    out.append("; ").append(limit_word).append(" ").append(std::to_string(*limit)).append(" days");
  }
  return out;
}

// "'main' requires 1 approval; at least 2 required", noting a merge check that asks for some but
// is not enforced ("requires 1 approval, not enforced").
std::string required_count(const nlohmann::json& ev, std::string_view highest_key,
                           std::string_view noun, std::optional<std::int64_t> minimum) {
  const auto highest = integer_in(ev, highest_key);
  std::string out = branch_in(ev) + " requires " + count_of(highest, noun);
  if (highest && *highest > 0 && ev.contains("enforcement")) {
    out += ", not enforced";
  }
  if (minimum) {
    out += "; at least " + std::to_string(*minimum) + " required";
  }
  return out;
}

std::string message_public(const nlohmann::json& /*ev*/) {
  return "the repository is public";
}

std::string message_review_required(const nlohmann::json& ev) {
  return required_count(ev, "highest_required_approvals", "approval",
                        integer_in(ev, "min_approvals"));
}

std::string message_direct_push(const nlohmann::json& ev) {
  const auto allowed = ev.find("allowed_to_push");
  std::string names;
  if (allowed != ev.end() && allowed->is_object()) {
    for (const auto* list : {"users", "groups"}) {
      for (const auto& p : allowed->value(list, nlohmann::json::array())) {
        const auto name = p.is_object() ? text_in(p, "name") : std::nullopt;
        names += (names.empty() ? "" : ", ") + name.value_or("?");
      }
    }
  }
  return branch_in(ev) + " accepts direct pushes from " +
         (names.empty() ? std::string("anyone with write access") : names);
}

std::string message_stale(const nlohmann::json& ev) {
  return "last updated " + age_against(ev, "ago", "stale_days", "threshold");
}

std::string message_stale_approvals(const nlohmann::json& ev) {
  return branch_in(ev) + " keeps approvals after new commits" +
         (ev.contains("smart_reset_pullrequest_approvals") ? " (smart reset only)" : "");
}

std::string message_force_push(const nlohmann::json& ev) {
  return branch_in(ev) + " allows force pushes";
}

std::string message_protected(const nlohmann::json& ev) {
  return branch_in(ev) + " has no branch restrictions";
}

std::string message_passing_builds(const nlohmann::json& ev) {
  return required_count(ev, "highest_required_builds", "passing build", 1);
}

std::string message_deletion(const nlohmann::json& ev) {
  return branch_in(ev) + " can be deleted";
}

// "'main' does not enforce its 2 merge checks": the require_* restrictions that only warn.
std::string message_merge_checks(const nlohmann::json& ev) {
  const auto checks = ev.find("checks_not_enforced");
  const std::size_t n = checks != ev.end() && checks->is_array() ? checks->size() : 0;
  if (n == 0) {
    return branch_in(ev) + " does not enforce merge checks";
  }
  return branch_in(ev) + " does not enforce its " +
         (n == 1 ? std::string("merge check") : std::to_string(n) + " merge checks");
}

std::string message_key_age(const nlohmann::json& ev) {
  return age_against(ev, "old", "key_max_age_days", "maximum");
}

// The extended rows: not in the default set, each needing reads of its own.
std::vector<Rule> extended_rows() {
  using namespace extended;
  return {
      {12,
       "private-repository-forkable",
       "6ffad4e3-a629-4a0d-8f20-e6902346ef47",
       "Private repository allows public forks",
       Severity::high,
       RuleSubject::repository,
       {"repository"},
       {"read:repository:bitbucket", "read:workspace:bitbucket"},
       "A private repository whose fork_policy is allow_forks, in a workspace whose "
       "forking_mode is allow_forks: anyone who can read it can fork it into a public "
       "repository. Reads the fork policy with the repository listing and the workspace "
       "(GET /workspaces/{workspace}) once per workspace.",
       "Set the repository's forking to 'Only allow private forks' or 'No forks' (Repository "
       "settings > Repository details), or restrict forking for the whole workspace (Workspace "
       "settings > Forking: internal only).",
       check_public_forks,
       message_public_forks,
       RuleSet::extended,
       {GapSubject::workspace}},
      {13,
       "webhook-without-secret",
       "b861eaea-23b1-4f1a-bc32-74f358952cfe",
       "Webhook has no secret",
       Severity::medium,
       RuleSubject::webhook,
       {"webhook"},
       {"read:webhook:bitbucket"},
       "An active repository or workspace webhook has no secret (secret_set is false): "
       "Bitbucket does not sign its deliveries, so the receiver cannot tell them from forged "
       "requests. Listing the workspace's webhooks needs a workspace owner.",
       "Set a secret on the webhook (Repository or Workspace settings > Webhooks > Edit) and "
       "verify the X-Hub-Signature header in the receiver.",
       check_webhook_secret,
       message_webhook_secret,
       RuleSet::extended,
       {GapSubject::hooks}},
      {14,
       "webhook-over-http",
       "5d07e46e-ce97-401a-ab4b-c8d587db4abd",
       "Webhook delivers over plain HTTP",
       Severity::high,
       RuleSubject::webhook,
       {"webhook"},
       {"read:webhook:bitbucket"},
       "An active repository or workspace webhook delivers to an http:// URL: its payloads "
       "(repository, commit and pull request details) travel unencrypted and can be read or "
       "altered on the way. Only the URL's scheme and host are read into reports.",
       "Change the webhook's URL to https:// (Repository or Workspace settings > Webhooks > "
       "Edit) and serve the receiver over TLS.",
       check_webhook_http,
       message_webhook_http,
       RuleSet::extended,
       {GapSubject::hooks}},
      {15,
       "unsecured-secret-variable",
       "2ded0cec-50f0-4570-b018-cc12af12d4d1",
       "Secret-looking pipeline variable is not secured",
       Severity::high,
       RuleSubject::pipeline_variable,
       {"pipeline"},
       {"read:pipeline:bitbucket"},
       "A repository, workspace or deployment environment Pipelines variable whose key looks "
       "like a credential is not secured: Bitbucket shows its value to everyone who can read "
       "the repository (or workspace) and returns it through the API. A key looks like a "
       "credential when it contains TOKEN, SECRET, PASSWORD, PASSWD, PASSPHRASE, API_KEY, "
       "APIKEY, PRIVATE_KEY, ACCESS_KEY, SIGNING_KEY, CREDENTIAL or CONNECTION_STRING, or has "
       "PWD or AUTH as one of its '_'-separated words (any case). The value is never read into "
       "a report, a log or a snapshot.",
       "Mark the variable as secured (Repository, Workspace or Deployment settings > "
       "Variables), then rotate the credential: its value has been readable.",
       check_secret_variable,
       message_secret_variable,
       RuleSet::extended,
       {GapSubject::pipeline_variables, GapSubject::environments}},
      {16,
       "member-without-2fa",
       "5b380bd2-14fd-47d0-9b8d-0bddb9a01065",
       "Workspace member without two-step verification",
       Severity::high,
       RuleSubject::workspace,
       {"account"},
       {"read:workspace:bitbucket"},
       "A workspace member's has_2fa_enabled is false. Bitbucket shows the field to workspace "
       "administrators only: when it is absent the rule is unknown. It reflects two-step "
       "verification as Bitbucket reports it; verification enforced through an Atlassian "
       "organization may not be reflected.",
       "Ask the members listed to enable two-step verification, or require it for the "
       "workspace (Workspace settings > Security, Premium) or through Atlassian Guard.",
       check_members_2fa,
       message_members_2fa,
       RuleSet::extended,
       {GapSubject::members}},
      {17,
       "workspace-owner-count",
       "dea01eb7-1c6a-4445-9beb-bf6773fcb7df",
       "Workspace has too many owners or a single owner",
       Severity::medium,
       RuleSubject::workspace,
       {"account"},
       {"read:workspace:bitbucket"},
       "The workspace has more owners than max_owners (3 by default), each of whom can change "
       "every setting and permission, or a single owner, with no second administrator to "
       "recover it.",
       "Keep two or three owners (Workspace settings > User groups / Users): remove the owner "
       "role from those who do not need it, or add a second owner.",
       check_owner_count,
       message_owner_count,
       RuleSet::extended,
       {GapSubject::owners}},
  };
}

// The eleven rows. The scopes are locals, built once with the table: a throwing global
// initialiser could not be caught.
std::vector<Rule> make_table() {
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
  return {
      {1, "public-repository", "be273f0a-678e-49af-b9f8-8f3913acef97",
       "Repository is publicly accessible", Severity::critical, RuleSubject::repository,
       kRepoScopes, kRepoTokenScopes,
       "The repository is public: anyone on the internet can read its code and history.",
       "Make the repository private (Repository settings > Repository details > uncheck 'This "
       "is a public repository'), or enforce privacy for the whole workspace. If it must stay "
       "public, review it for secrets and record the exception.",
       check_public, message_public, RuleSet::casb, kNoReads},
      {2, "pr-review-not-required", "6ad95c13-0d13-4595-bc76-bd86f4eba4b9",
       "Repository Default Branch Protection does not have PR Review Required", Severity::high,
       RuleSubject::default_branch, kBranchScopes, kBranchTokenScopes,
       "No branch restriction on the default branch requires a minimum number of pull request "
       "approvals (require_approvals_to_merge, require_default_reviewer_approvals_to_merge or "
       "require_review_group_approvals_to_merge with value >= min_approvals).",
       "Add a merge check on the default branch requiring at least one approval (Repository "
       "settings > Branch restrictions), and enforce merge checks (Premium) so it cannot be "
       "bypassed. If the repository is protected only at project level, verify it there.",
       check_review_required, message_review_required, RuleSet::casb, kBranchReads},
      {3, "direct-push-allowed", "c60a7b00-1592-429a-8a32-d58101e4551f",
       "Repository Default Branch Protection does not disable direct pushes for all "
       "users/groups",
       Severity::medium, RuleSubject::default_branch, kBranchScopes, kBranchTokenScopes,
       "No 'push' restriction with empty user and group lists applies to the default branch, so "
       "someone can push to it without a pull request. Principals listed in a push restriction "
       "are shown in the evidence.",
       "Add a branch permission on the default branch with write access for nobody (changes "
       "only through pull requests), or remove the exempted users and groups. If the repository "
       "is protected only at project level, verify it there.",
       check_direct_push, message_direct_push, RuleSet::casb, kBranchReads},
      {4, "stale-repository", "a1bd3076-a68d-492e-9947-a01e15a4d1b3",
       "Repository not updated in 12+ months", Severity::medium, RuleSubject::repository,
       kRepoScopes, kRepoTokenScopes,
       "The repository's updated_on is older than stale_days (365 by default).",
       "Archive or delete the repository if it is no longer used, and revoke its deploy keys "
       "and access tokens; otherwise record an owner who keeps it maintained.",
       check_stale, message_stale, RuleSet::casb, kNoReads},
      {5, "stale-approvals-kept", "738c9839-5e1e-4048-85a3-7935ec4c647a",
       "Repository Default Branch Protection does not have Stale PR Approvals Disabled",
       Severity::medium, RuleSubject::default_branch, kBranchScopes, kBranchTokenScopes,
       "No reset_pullrequest_approvals_on_change restriction applies to the default branch, so "
       "approvals survive new commits to the pull request.",
       "Enable 'Reset requested changes / approvals when the source branch is modified' for the "
       "default branch (Premium). If the repository is protected only at project level, verify "
       "it there.",
       check_stale_approvals, message_stale_approvals, RuleSet::casb, kBranchReads},
      {6, "force-push-allowed", "4c52f441-0c24-4dbd-8f5e-0e5b829ee8e2",
       "Repository Default Branch Protection does not have Force Pushes Disabled", Severity::medium,
       RuleSubject::default_branch, kBranchScopes, kBranchTokenScopes,
       "No 'force' restriction applies to the default branch, so its history can be rewritten.",
       "Add a branch permission on the default branch and leave 'Allow rewriting branch "
       "history' unchecked. If the repository is protected only at project level, verify it "
       "there.",
       check_force_push, message_force_push, RuleSet::casb, kBranchReads},
      {7, "no-default-branch-protection", "324f2014-4d4b-4aa6-89a8-72a6c7da09d7",
       "Repository has no Default Branch Protection", Severity::medium, RuleSubject::default_branch,
       kBranchScopes, kBranchTokenScopes,
       "No branch restriction at all (glob or branching model) applies to the default branch.",
       "Add branch permissions and merge checks for the default branch (Repository settings > "
       "Branch restrictions). Project-level restrictions cannot be read through the public API: "
       "if the project protects this repository, verify it there and record the exception.",
       check_protected, message_protected, RuleSet::casb, kBranchReads},
      {8, "passing-builds-not-required", "afe4a27e-ee01-4ebe-914c-d480ac49a5c2",
       "Repository Default Branch Protection does not require passing builds to merge",
       Severity::low, RuleSubject::default_branch, kBranchScopes, kBranchTokenScopes,
       "No require_passing_builds_to_merge restriction with value >= 1 applies to the default "
       "branch.",
       "Add a merge check requiring at least one successful build on the default branch, and "
       "enforce merge checks (Premium). If the repository is protected only at project level, "
       "verify it there.",
       check_passing_builds, message_passing_builds, RuleSet::casb, kBranchReads},
      {9, "branch-deletion-allowed", "86411562-4b85-4677-b048-7887cc5b1567",
       "Repository Default Branch Protection allows branch deletion", Severity::low,
       RuleSubject::default_branch, kBranchScopes, kBranchTokenScopes,
       "No 'delete' restriction applies to the default branch, so it can be deleted.",
       "Add a branch permission on the default branch and leave 'Allow deleting this branch' "
       "unchecked. If the repository is protected only at project level, verify it there.",
       check_deletion, message_deletion, RuleSet::casb, kBranchReads},
      {10, "merge-checks-not-enforced", "64440d40-91de-4d13-9280-d5afa418ccf0",
       "Repository Default Branch Protection does not enforce merge checks", Severity::low,
       RuleSubject::default_branch, kBranchScopes, kBranchTokenScopes,
       "No enforce_merge_checks restriction applies to the default branch: configured merge "
       "checks only warn, and a pull request can be merged with them failing.",
       "Enable 'Prevent a merge with unresolved merge checks' for the default branch (Premium). "
       "If the repository is protected only at project level, verify it there.",
       check_merge_checks, message_merge_checks, RuleSet::casb, kBranchReads},
      {11, "old-key", "0a135600-a109-434f-877c-1a6594dcd76d", "Key is older than 180 days",
       Severity::low, RuleSubject::key, kKeyScopes, kKeyTokenScopes,
       "A repository deploy key, project deploy key or the caller's SSH key was created longer "
       "ago than key_max_age_days (180 by default).",
       "Rotate the key: add a new key, move its users over, then delete the old one. Remove "
       "keys that are no longer used (see last_used).",
       check_key_age, message_key_age, RuleSet::casb, kKeyReads},
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

const Rule* find_rule(std::string_view slug_or_id) {
  const auto& table = rules();
  const auto it = std::find_if(table.begin(), table.end(), [&](const Rule& r) {
    return r.slug == slug_or_id || r.id == slug_or_id;
  });
  return it == table.end() ? nullptr : &*it;
}

}  // namespace bbp::core
