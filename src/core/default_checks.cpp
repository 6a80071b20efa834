#include "default_checks.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "bbp/core/time.hpp"

namespace bbp::core {

// Declared in catalogue.hpp; branch_evidence puts it in every default-branch finding.
const std::string_view kProjectLevelNote =
    "Project-level branch restrictions are enforced by Bitbucket but cannot be read through the "
    "public API; a repository protected only at project level is reported here. Verify in "
    "Project settings > Branch restrictions.";

}  // namespace bbp::core

namespace bbp::core::casb {
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

// Whether the data is Data Center's, where project permissions are read and a branch
// permission's exemptions may still do what it forbids.
bool on_datacenter(const RuleContext& ctx) {
  return ctx.workspace != nullptr && ctx.workspace->project_restrictions_read;
}

// Evidence shared by every default-branch rule.
nlohmann::json branch_evidence(const RuleContext& ctx) {
  const auto& applied = *ctx.applied;
  nlohmann::json out{{"default_branch", applied.branch},
                     {"restrictions_applied", applied.evidence()}};
  if (!on_datacenter(ctx)) {
    out["project_level_restrictions"] = kProjectLevelNote;  // Cloud cannot read them
  }
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

// Data Center: passes when a restriction of `kind` exempts nobody; the users, groups and access
// keys that others exempt are named (they can still force-push, or delete). On Cloud, as
// presence(): its force and delete restrictions have no exemptions.
Verdict presence_for_everyone(const RuleContext& ctx, std::string_view kind) {
  auto result = presence(ctx, kind);
  if (!on_datacenter(ctx) || !result.evidence.value("present", false)) {
    return result;
  }
  bool for_everyone = false;
  auto exempted = nlohmann::json::array();
  for (const auto* m : ctx.applied->of_kind(kind)) {
    const auto& r = *m->restriction;
    for_everyone = for_everyone || (r.users.empty() && r.groups.empty());
    for (const auto* list : {&r.users, &r.groups}) {
      for (const auto& p : *list) {
        exempted.push_back(p.name);
      }
    }
  }
  if (!for_everyone) {
    result.evidence["present"] = false;
    result.evidence["exempted"] = exempted;
    result.outcome = Outcome::fail;
  }
  return result;
}

// ---- What the messages share: reading the evidence and wording counts and ages --------------

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

}  // namespace

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
  if (repo.project_public) {
    evidence["project_public"] = *repo.project_public;  // Data Center: public through it
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
  return presence_for_everyone(ctx, "force");
}

Verdict check_protected(const RuleContext& ctx) {
  auto evidence = branch_evidence(ctx);
  std::size_t applying = ctx.applied->matched.size();
  if (on_datacenter(ctx)) {
    // Data Center: that merge checks are enforced is the server's way, not a protection the
    // branch was given, so it does not count here.
    applying -= ctx.applied->of_kind("enforce_merge_checks").size();
  }
  evidence["restrictions_applying"] = applying;
  return verdict(applying > 0, std::move(evidence));
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
  return presence_for_everyone(ctx, "delete");
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
  if (!key.created_on && key.created_field == "createdDate") {
    return unknown(UnknownReason::invalid_response,
                   "age not recorded: Bitbucket Data Center has no creation date for keys added "
                   "before version 8.7");
  }
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

// " by A, B" when the evidence names the exempted who may (Data Center), else "".
std::string exempted_in(const nlohmann::json& ev) {
  const auto it = ev.find("exempted");
  std::string names;
  if (it != ev.end() && it->is_array()) {
    for (const auto& n : *it) {
      names += (names.empty() ? " by " : ", ") + (n.is_string() ? n.get<std::string>() : "?");
    }
  }
  return names;
}

std::string message_force_push(const nlohmann::json& ev) {
  return branch_in(ev) + " allows force pushes" + exempted_in(ev);
}

std::string message_protected(const nlohmann::json& ev) {
  return branch_in(ev) + " has no branch restrictions";
}

std::string message_passing_builds(const nlohmann::json& ev) {
  return required_count(ev, "highest_required_builds", "passing build", 1);
}

std::string message_deletion(const nlohmann::json& ev) {
  return branch_in(ev) + " can be deleted" + exempted_in(ev);
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

}  // namespace bbp::core::casb
