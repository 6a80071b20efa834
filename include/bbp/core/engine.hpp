// The rule engine: a pure function of (snapshot, settings, time).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "bbp/core/catalogue.hpp"
#include "bbp/core/models.hpp"
#include "bbp/core/policy.hpp"
#include "bbp/core/settings.hpp"
#include "bbp/core/time.hpp"

namespace bbp::core {

// What kind of thing a finding or unknown is about; to_string gives the name reports use.
enum class ResourceType {
  repository,
  deploy_key,
  project_deploy_key,
  ssh_key,
  project,
  user,
  workspace,
  webhook,
  pipeline_variable,
};

std::string_view to_string(ResourceType type);
std::optional<ResourceType> resource_type_from_string(std::string_view text);
ResourceType resource_type(KeyKind kind);

constexpr bool is_key(ResourceType type) {
  return type == ResourceType::deploy_key || type == ResourceType::project_deploy_key ||
         type == ResourceType::ssh_key;
}

// "SSH key" or "deploy key": how a report names a key resource to a person.
constexpr std::string_view key_noun(ResourceType type) {
  return type == ResourceType::ssh_key ? "SSH key" : "deploy key";
}

// The thing a finding or unknown is about.
struct Resource {
  ResourceType type = ResourceType::repository;
  std::string id;  // repository uuid, key id, SSH key uuid, project key, …
  std::string name;
  std::string url;
};

// What a finding shows as proof. The engine does not keep a finding's evidence: it keeps what
// the rule's check needs (the rule, the repository or key, the settings and the time) and runs
// the pure check again when a report asks for it, so a scan with tens of thousands of findings
// holds one finding's evidence at a time. Such evidence refers to the snapshot passed to
// evaluate(): the snapshot must outlive the evaluations. Evidence given as a value (the engine's
// fixed notes, hand-made evaluations) is kept as it is.
class Evidence {
 public:
  Evidence() = default;
  Evidence(nlohmann::json value)  // NOLINT(google-explicit-constructor): evidence is a JSON value
      : source_(std::move(value)) {}

  // What a rule's check is run against: the repository (repository and default-branch rules),
  // the key, the webhook or the variable (with the repository owning it, if any), and the
  // workspace (every rule but the caller's SSH keys').
  struct Subject {
    const Repository* repository = nullptr;
    const Key* key = nullptr;
    const WorkspaceSnapshot* workspace = nullptr;
    const Webhook* hook = nullptr;
    const PipelineVariable* variable = nullptr;
  };

  // Evidence of `rule`'s check against `subject`, worked out when value() is called.
  static Evidence of_check(const Rule& rule, const Subject& subject, const Settings& settings,
                           TimePoint now);

  // The evidence as a JSON object ({} when there is none).
  nlohmann::json value() const;

 private:
  struct Check {
    const Rule* rule = nullptr;
    Subject subject;
    Settings settings;
    TimePoint now{};
  };
  std::variant<std::monostate, nlohmann::json, Check> source_;
};

struct Evaluation {
  const Rule* rule = nullptr;
  Outcome outcome = Outcome::pass;
  std::optional<std::string> workspace;   // nullopt for the caller's SSH keys
  std::optional<std::string> repository;  // "workspace/slug" for repositories and their keys
  std::optional<std::string> project;     // project key
  Resource resource;
  Evidence evidence;
  std::optional<UnknownReason> reason;  // set when outcome is unknown
  std::string detail;                   // set when outcome is unknown
  std::string fingerprint;              // stable across runs
  // Set on findings only: the config entry that accepted it, and its state against a baseline.
  std::optional<SuppressionMark> suppressed;
  std::optional<BaselineState> baseline_state;
  // Set on a pass that holds only because of declared restrictions: where they were declared
  // ("bbposture.yaml:14"). Such passes are kept even with findings_only, for the report.
  std::vector<std::string> declared_by;
};

// Evaluates every rule against everything in the snapshot. Gaps become unknowns with the
// gap's reason; nothing that could not be read becomes a pass or a finding.
struct EvaluateOptions {
  std::vector<const Rule*> rules;  // the rules to evaluate; empty: all of them
  // Keep only what a report shows (fail and unknown): passes and not-applicable outcomes are
  // dropped as soon as they are decided, so large scans do not hold their evidence.
  bool findings_only = false;
  // Whether the caller's SSH keys are part of the scan (Scope::reads_user_keys): when they are
  // not, SSH keys the snapshot lacks are out of scope rather than unknown.
  bool user_keys = true;
};

std::vector<Evaluation> evaluate(const Snapshot& snapshot, const Settings& settings, TimePoint now,
                                 const EvaluateOptions& options = {});

// Report order: severity (worst first), repository, rule number, resource id.
void sort_for_report(std::vector<Evaluation>& evaluations);

}  // namespace bbp::core
