// A target's state as a plan writes it down and --apply compares it: the same normal form for
// what the scan read and what the re-read right before a write sees, so that "unchanged since
// the plan" is an equality and not a judgement.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "bbp/core/models.hpp"

namespace bbp::fix {

// Which branches a restriction applies to: a glob pattern, or a branch type of the branching
// model.
struct Matcher {
  std::string branch_match_kind = "glob";  // "glob" | "branching_model"
  std::string pattern;                     // glob only
  std::string branch_type;                 // branching_model only
};

bool matches(const core::BranchRestriction& restriction, const Matcher& matcher);

// {"id", "kind", "branch_match_kind", "pattern" | "branch_type", "value" (numeric kinds),
//  "users": [ids, sorted], "groups": [ids, sorted]}; no "id" when it is 0 (not created yet).
nlohmann::json restriction_state(const core::BranchRestriction& restriction);
// {"is_private": …} or {"fork_policy": …}: only the setting a step changes.
nlohmann::json setting_state(std::string_view field, const nlohmann::json& value);
// {"id", "label", "created_on"}: enough to tell the key apart from another one given its id.
nlohmann::json key_state(const core::Key& key);

// Whether `observed` is in the state `expected` describes: both null (no such target), or the
// same members with the same values, `id` aside when `expected` has none (a restriction about to
// be created has no id yet).
bool in_state(const nlohmann::json& observed, const nlohmann::json& expected);

}  // namespace bbp::fix
