// The rule catalogue: one row per finding type. Everything that describes a rule (reports,
// SARIF metadata, `bbposture rules`, docs/rules.md) is generated from this table.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bbp/core/default_branch.hpp"
#include "bbp/core/models.hpp"
#include "bbp/core/outcome.hpp"
#include "bbp/core/settings.hpp"
#include "bbp/core/time.hpp"

namespace bbp::core {

// What a rule is evaluated against.
enum class RuleSubject {
  repository,         // once per repository, from the repository listing
  default_branch,     // once per non-empty repository, from the restrictions that apply to D
  key,                // once per key (deploy keys, project deploy keys, the caller's SSH keys)
  webhook,            // once per repository or workspace webhook
  pipeline_variable,  // once per Pipelines variable (repository, workspace, deployment)
  workspace,          // once per listed workspace
};

std::string_view to_string(RuleSubject subject);

// Which set a rule belongs to. The eleven `casb` rules are the default; the `extended` rules
// cost more requests and run only when selected (--rule, --rule-set extended or all).
enum class RuleSet { casb, extended };

std::string_view to_string(RuleSet set);

struct RuleContext {
  const Repository* repository = nullptr;        // set for repository and default_branch rules
  const AppliedRestrictions* applied = nullptr;  // set for default_branch rules
  const Key* key = nullptr;                      // set for key rules
  const Settings& settings;
  TimePoint now;
  // The workspace the resource belongs to (every rule but the SSH keys'), and the webhook or
  // variable for those rules. Rules read only what their subject sets.
  const WorkspaceSnapshot* workspace = nullptr;
  const Webhook* hook = nullptr;
  const PipelineVariable* variable = nullptr;
};

// What a rule's predicate decides for one resource. Predicates only see data that was read;
// missing reads are turned into unknowns by the engine before a predicate runs.
struct Verdict {
  Outcome outcome = Outcome::pass;
  nlohmann::json evidence = nlohmann::json::object();
  UnknownReason reason = UnknownReason::invalid_response;  // when outcome is unknown
  std::string detail;                                      // when outcome is unknown
  // Unknown because the data was not read: which read. The engine then reports the gap
  // recorded for it (the repository's, else the workspace's), or that it was not collected.
  std::optional<GapSubject> not_read;
};

// How `bbposture fix` remedies a finding of a rule (docs/fix.md): the change it plans, the flag
// a disruptive change needs, or why the change is left to people.
enum class FixKind {
  none,         // never written: `why_not` says why
  restriction,  // add the missing branch restrictions on the default branch, or raise a value
  visibility,   // make a public repository private
  fork_policy,  // stop public forks of a private repository
  delete_key,   // delete an old deploy key or project deploy key (never a user's own SSH key)
};

struct Remedy {
  FixKind kind = FixKind::none;
  // FixKind::restriction: the restriction kinds the default branch is to have.
  std::vector<std::string_view> restrictions{};
  // For a numeric restriction: the lowest value that passes, a threshold's or `minimum`.
  std::optional<Threshold> value_from{};
  int minimum = 0;
  std::string_view flag{};        // the opt-in flag a disruptive change needs
  std::string_view why_not{};     // FixKind::none: why bbposture leaves it to people
  std::string_view limitation{};  // what the change does not do on its own, said in the plan
};

// How a rule reads on Bitbucket Data Center (docs/rules.md, generated): whether it is evaluated
// there, the reads its verdict rests on (named by the gap a failure of each leaves: a verdict
// that is not a pass while one of them is missing is unknown, as more data could only make it
// pass), and, for a person, which Data Center settings count.
struct OnDataCenter {
  bool evaluated = false;  // false: a Cloud-only rule, refused with --platform datacenter
  std::vector<GapSubject> reads{};
  std::string_view source{};
};

struct Rule {
  int number = 0;
  std::string_view slug;
  std::string_view id;  // finding type ID (fixed)
  std::string_view title;
  // A few words for a narrow place, such as a column of the HTML report's grid ("Direct push"):
  // unique, at most 18 characters. Reports show it beside the number and the slug, never alone.
  std::string_view short_name;
  Severity severity = Severity::low;
  RuleSubject subject = RuleSubject::repository;
  std::vector<std::string_view> oauth_scopes;      // OAuth consumer / access token scopes
  std::vector<std::string_view> api_token_scopes;  // Atlassian API token scopes
  std::string_view description;
  std::string_view remediation;
  Verdict (*check)(const RuleContext&) = nullptr;
  // The finding's message: what was found, for a person, with the threshold the check used
  // ("last updated 412 days ago; threshold 30 days"). Worded from the finding's evidence only,
  // which carries the thresholds the check ran with (those in `thresholds`: stale_days,
  // key_max_age_days, min_approvals, max_owners), so every report format says the same and
  // never a threshold other than the one applied. The one place a rule's message is worded; see
  // message_of.
  std::string (*message)(const nlohmann::json& evidence) = nullptr;
  RuleSet set = RuleSet::casb;
  // The reads its check needs, named by the gap a failure of each leaves (the repository
  // listing is always read). A scan makes a read only when a selected rule needs it.
  std::vector<GapSubject> reads;
  std::vector<Threshold> thresholds;  // the thresholds its check reads (core/settings.hpp)
  Remedy remedy;                      // what `bbposture fix` does about a finding
  OnDataCenter datacenter{};          // the rule on Bitbucket Data Center
};

// The lowest value of a numeric restriction that passes `rule` with these settings.
int minimum_value(const Remedy& remedy, const Settings& settings);

// `rule`'s message for a finding with this evidence. Evidence lacking a field the wording
// needs (a hand-made evaluation) gives a shorter sentence, never an error.
std::string message_of(const Rule& rule, const nlohmann::json& evidence);

// Every rule, in catalogue order: the eleven `casb` rules (1..11), then the extended ones.
std::span<const Rule> catalogue();

// The rules of a named set: "casb" (the default), "extended" or "all"; empty for another name.
std::vector<const Rule*> rule_set(std::string_view name);

// The rules a scan evaluates when none are named: the `casb` set.
inline bool in_default_set(const Rule& rule) {
  return rule.set == RuleSet::casb;
}

// Finds a rule by slug or by finding type ID; nullptr when there is none.
const Rule* find_rule(std::string_view slug_or_id);

// The note every default-branch finding carries: project-level restrictions are invisible to
// the public API.
extern const std::string_view kProjectLevelNote;

}  // namespace bbp::core
