#include "bbp/fix/state.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "bbp/core/time.hpp"

namespace bbp::fix {
namespace {

nlohmann::json sorted_ids(const std::vector<core::Principal>& principals) {
  std::vector<std::string> ids;
  ids.reserve(principals.size());
  for (const auto& p : principals) {
    ids.push_back(p.id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

bool matches(const core::BranchRestriction& restriction, const Matcher& matcher) {
  if (restriction.branch_match_kind != matcher.branch_match_kind) {
    return false;
  }
  return matcher.branch_match_kind == "glob"
             ? restriction.pattern == matcher.pattern
             : restriction.branch_type.value_or("") == matcher.branch_type;
}

nlohmann::json restriction_state(const core::BranchRestriction& r) {
  nlohmann::json out{{"kind", r.kind},
                     {"branch_match_kind", r.branch_match_kind},
                     {"users", sorted_ids(r.users)},
                     {"groups", sorted_ids(r.groups)}};
  if (r.branch_match_kind == "glob") {
    out["pattern"] = r.pattern;
  } else {
    out["branch_type"] = r.branch_type.value_or("");
  }
  if (r.value) {
    out["value"] = *r.value;
  }
  if (r.id != 0) {
    out["id"] = r.id;
  }
  return out;
}

nlohmann::json setting_state(std::string_view field, const nlohmann::json& value) {
  return {{std::string(field), value}};
}

nlohmann::json key_state(const core::Key& key) {
  return {{"id", key.id},
          {"label", key.label},
          {"created_on", key.created_on ? nlohmann::json(core::format_timestamp(*key.created_on))
                                        : nlohmann::json()}};
}

bool in_state(const nlohmann::json& observed, const nlohmann::json& expected) {
  if (expected.is_null() || observed.is_null()) {
    return expected.is_null() && observed.is_null();
  }
  if (!expected.is_object() || !observed.is_object()) {
    return expected == observed;
  }
  for (const auto& [key, value] : expected.items()) {
    const auto it = observed.find(key);
    if (it == observed.end() || *it != value) {
      return false;
    }
  }
  // Nothing more either, but the id a restriction about to be created cannot name yet: a value
  // that appeared since the plan (a null one set to 5) is a change, not a match.
  for (const auto& [key, value] : observed.items()) {
    if (key != "id" && !expected.contains(key)) {
      return false;
    }
  }
  return true;
}

}  // namespace bbp::fix
