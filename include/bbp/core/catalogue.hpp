// The rule catalogue: one row per finding type. Everything that describes a rule (reports,
// SARIF metadata, `bbposture rules`, docs/rules.md) is generated from this table.
#pragma once

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
  repository,      // once per repository, from the repository listing
  default_branch,  // once per non-empty repository, from the restrictions that apply to D
  key,             // once per key (deploy keys, project deploy keys, the caller's SSH keys)
};

std::string_view to_string(RuleSubject subject);

struct RuleContext {
  const Repository* repository = nullptr;        // set for repository and default_branch rules
  const AppliedRestrictions* applied = nullptr;  // set for default_branch rules
  const Key* key = nullptr;                      // set for key rules
  const Settings& settings;
  TimePoint now;
};

// What a rule's predicate decides for one resource. Predicates only see data that was read;
// missing reads are turned into unknowns by the engine before a predicate runs.
struct Verdict {
  Outcome outcome = Outcome::pass;
  nlohmann::json evidence = nlohmann::json::object();
  UnknownReason reason = UnknownReason::invalid_response;  // when outcome is unknown
  std::string detail;                                      // when outcome is unknown
};

struct Rule {
  int number = 0;
  std::string_view slug;
  std::string_view id;  // finding type ID (fixed)
  std::string_view title;
  Severity severity = Severity::low;
  RuleSubject subject = RuleSubject::repository;
  std::vector<std::string_view> oauth_scopes;      // OAuth consumer / access token scopes
  std::vector<std::string_view> api_token_scopes;  // Atlassian API token scopes
  std::string_view description;
  std::string_view remediation;
  Verdict (*check)(const RuleContext&) = nullptr;
  // The finding's message: what was found, for a person, with the threshold the check used
  // ("last updated 412 days ago; threshold 30 days"). Worded from the finding's evidence only,
  // which carries the settings the check ran with (stale_days, key_max_age_days,
  // min_approvals), so every report format says the same and never a threshold other than the
  // one applied. The one place a rule's message is worded; see message_of.
  std::string (*message)(const nlohmann::json& evidence) = nullptr;
};

// `rule`'s message for a finding with this evidence. Evidence lacking a field the wording
// needs (a hand-made evaluation) gives a shorter sentence, never an error.
std::string message_of(const Rule& rule, const nlohmann::json& evidence);

// The eleven rules, in catalogue order (1..11).
std::span<const Rule> catalogue();

// Finds a rule by slug or by finding type ID; nullptr when there is none.
const Rule* find_rule(std::string_view slug_or_id);

// The note every default-branch finding carries: project-level restrictions are invisible to
// the public API.
extern const std::string_view kProjectLevelNote;

}  // namespace bbp::core
