// A remediation plan: what `bbposture fix` would change, written before anything is changed,
// reviewed by a person, and applied as reviewed (docs/fix.md).
//
// A plan is data. Each step names one target (a branch restriction, a repository setting, a
// deploy key), its state as read ("current"), the state it is to have ("desired"), the exact
// request that makes the change and the read that checks the target again right before it. A
// plan carries a checksum of everything it says, so that an edited plan is refused rather than
// applied; it is bound to the API URL and the identity that read it.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "bbp/core/time.hpp"

namespace bbp::fix {

inline constexpr const char* kPlanFormat = "bbposture-fix-plan";
inline constexpr int kPlanVersion = 1;

// What a step changes; each action has one write request and one read that checks its target.
enum class Action {
  create_restriction,         // POST a branch restriction that does not exist yet
  raise_value,                // PUT a higher `value` on an existing restriction
  replace_exemptions,         // PUT empty users/groups on a push restriction (flag)
  make_private,               // PUT is_private: true (flag)
  set_fork_policy,            // PUT fork_policy: no_public_forks (flag)
  delete_deploy_key,          // DELETE a repository deploy key (flag; irreversible)
  delete_project_deploy_key,  // DELETE a project deploy key (flag; irreversible)
};

std::string_view to_string(Action action);
std::optional<Action> action_from_string(std::string_view text);

// One HTTP request, as the plan shows it and --apply sends it: the path is below the API base.
struct Request {
  std::string method;  // "GET", "POST", "PUT", "DELETE"
  std::string path;    // "/repositories/acme/api/branch-restrictions"
  std::optional<nlohmann::json> body;
};

// A user or group that a step takes off an exemption list (--replace-exemptions).
struct Removal {
  std::string type;  // "user" | "group"
  std::string name;
  std::string id;
};

struct Step {
  std::string id;  // 8 hex digits, stable for the same change of the same target
  Action action = Action::create_restriction;
  std::string workspace;
  std::optional<std::string> repository;  // slug
  std::optional<std::string> project;     // key, for project deploy keys
  std::string target;                     // "acme/api", "project acme/CORE"
  std::vector<std::string> rules;         // slugs of the rules this step fixes
  std::vector<std::string> fingerprints;  // the findings it fixes
  std::string summary;                    // one line for a person
  // The target's state as read when the plan was made (null: no such restriction), and the
  // state the step gives it. States are normalised (fix/state.hpp) so that they compare.
  nlohmann::json current;
  nlohmann::json desired;
  Request request;
  Request reread;  // the GET that reads the target again right before the write
  std::vector<std::string> oauth_scopes;
  std::vector<std::string> api_token_scopes;
  bool reversible = true;
  std::optional<std::string> flag;       // the flag that allowed it ("--allow-visibility")
  std::vector<std::string> limitations;  // what the change does not do, said plainly
  std::vector<Removal> removes;
  // Why --apply will not make this step (a missing write scope); the step is still shown.
  std::optional<std::string> cannot_apply;
  // Data Center: the permission the write needs (REPO_ADMIN); written only when set.
  std::optional<std::string> permission;
};

// A finding the plan does not change, and why: left to people by the safety model, or held
// back until a flag allows it.
struct LeftAlone {
  std::string rule;  // slug
  std::string target;
  std::string fingerprint;
  std::string why;
  std::optional<std::string> flag;  // the flag that would allow it, when one would
};

// A repository (or project) the plan could not read: it has no step.
struct Unread {
  std::string target;
  std::string reason;
};

struct Identity {
  std::optional<std::string> uuid;
  std::optional<std::string> name;
  bool operator==(const Identity&) const = default;
};

struct Plan {
  int version = kPlanVersion;
  std::string tool_version;
  core::TimePoint created_at{};
  std::string platform = "cloud";
  std::string api_url;
  Identity identity;
  std::optional<std::string> credential;                // its kind, never the secret
  nlohmann::json selection = nlohmann::json::object();  // the scope options it was made with
  int min_approvals = 1;
  std::vector<std::string> flags;  // the opt-in flags it was made with
  std::vector<Step> steps;
  std::vector<LeftAlone> left_alone;
  std::vector<Unread> unread;
  std::string checksum;  // "sha256:…" of everything above (see checksum_of)
};

// A step's id: 8 hex digits of the SHA-256 of its action, request and desired state, stable
// for the same change of the same target, so that a re-made plan names it the same.
std::string step_id_of(const Step& step);

// {"method", "path", "body"?}: a request as plans and journals write it.
nlohmann::json to_json(const Request& request);

// The plan as JSON, checksum included as it is in `plan` (see seal).
nlohmann::json to_json(const Plan& plan);
// "sha256:<hex>" of the plan's JSON without its checksum, dumped compactly with sorted keys.
std::string checksum_of(const Plan& plan);
// Sets the plan's checksum: done once, when the plan is complete.
void seal(Plan& plan);

// Reads a plan, refusing (with what is wrong and where) a document that is not a plan, of
// another version, truncated, malformed, or whose checksum does not match what it says.
tl::expected<Plan, std::string> plan_from_json(const nlohmann::json& document);
tl::expected<Plan, std::string> read_plan_file(const std::string& path);

// The plan for a person: each step with its request and what it does not do, then what is left
// to people and what could not be read, and how to apply it.
void write_plan_table(const Plan& plan, std::ostream& out);

// The steps --apply would make: those without `cannot_apply`.
std::size_t applicable_steps(const Plan& plan);

}  // namespace bbp::fix
