#include "restrictions.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <utility>

namespace bbp::fake::detail {
namespace {

using nlohmann::json;

// The `kind` enum of the API description's branchrestriction schema.
constexpr std::array<std::string_view, 18> kKinds = {
    "push",
    "delete",
    "force",
    "restrict_merges",
    "require_tasks_to_be_completed",
    "require_approvals_to_merge",
    "require_review_group_approvals_to_merge",
    "require_default_reviewer_approvals_to_merge",
    "require_no_changes_requested",
    "require_passing_builds_to_merge",
    "require_commits_behind",
    "reset_pullrequest_approvals_on_change",
    "smart_reset_pullrequest_approvals",
    "reset_pullrequest_changes_requested_on_change",
    "require_all_dependencies_merged",
    "enforce_merge_checks",
    "allow_auto_merge_when_builds_pass",
    "require_all_comments_resolved"};
// The kinds whose `value` the description explains: each needs one.
constexpr std::array<std::string_view, 4> kNumericKinds = {
    "require_approvals_to_merge", "require_default_reviewer_approvals_to_merge",
    "require_passing_builds_to_merge", "require_commits_behind"};
// Listed in the enum without a word on `value`: one is accepted, none required.
constexpr std::string_view kOptionalValueKind = "require_review_group_approvals_to_merge";
// The only kinds that take exempted `users` and `groups`.
constexpr std::array<std::string_view, 2> kExemptingKinds = {"push", "restrict_merges"};
constexpr std::array<std::string_view, 6> kBranchTypes = {"feature", "bugfix",      "release",
                                                          "hotfix",  "development", "production"};
// What a write may set; anything else in a body is ignored.
constexpr std::array<std::string_view, 8> kWritableFields = {
    "type", "kind", "branch_match_kind", "pattern", "branch_type", "value", "users", "groups"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& names, std::string_view value) {
  return std::find(names.begin(), names.end(), value) != names.end();
}

template <std::size_t N>
std::string listed(const std::array<std::string_view, N>& names) {
  std::string text;
  for (const auto name : names) {
    text += (text.empty() ? "" : ", ") + std::string(name);
  }
  return text;
}

WriteError invalid(std::string message, std::string detail = {}) {
  return WriteError{400, std::move(message), std::move(detail)};
}

// The string at `key`: "" when absent, nullopt when present but not a string.
std::optional<std::string> text_at(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end()) {
    return std::string{};
  }
  if (!it->is_string()) {
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<WriteError> check_kind(const json& restriction) {
  if (text_at(restriction, "type") != "branchrestriction") {
    return invalid(R"("type" must be "branchrestriction".)");
  }
  const auto kind = text_at(restriction, "kind");
  if (!kind || !one_of(kKinds, *kind)) {
    return invalid(R"("kind" is missing or not a branch restriction kind.)",
                   "Known kinds: " + listed(kKinds));
  }
  return std::nullopt;
}

// glob: a non-empty `pattern`, no `branch_type`. branching_model: a `branch_type` of the enum,
// and `pattern` "" (as the API serves it).
std::optional<WriteError> check_matcher(json& restriction) {
  if (!restriction.contains("branch_match_kind")) {
    restriction["branch_match_kind"] = "glob";  // the documented default
  }
  const auto match = text_at(restriction, "branch_match_kind");
  if (match == "glob") {
    const auto pattern = text_at(restriction, "pattern");
    if (!pattern || pattern->empty()) {
      return invalid(R"(A glob restriction needs a non-empty "pattern".)");
    }
    restriction.erase("branch_type");
    return std::nullopt;
  }
  if (match != "branching_model") {
    return invalid(R"("branch_match_kind" must be "glob" or "branching_model".)");
  }
  const auto branch_type = text_at(restriction, "branch_type");
  if (!branch_type || !one_of(kBranchTypes, *branch_type)) {
    return invalid(R"(A branching_model restriction needs a "branch_type".)",
                   "Known branch types: " + listed(kBranchTypes));
  }
  restriction["pattern"] = "";
  return std::nullopt;
}

std::optional<WriteError> check_value(json& restriction) {
  const std::string kind = restriction.at("kind").get<std::string>();
  const auto it = restriction.find("value");
  const bool given = it != restriction.end() && !it->is_null();
  if (given && (!it->is_number_integer() || it->get<std::int64_t>() < 0)) {
    return invalid(R"("value" must be a non-negative integer.)");
  }
  const bool numeric = one_of(kNumericKinds, kind);
  if (numeric && !given) {
    return invalid("A " + kind + R"( restriction needs a "value".)");
  }
  if (!numeric && kind != kOptionalValueKind && given) {
    return invalid("A " + kind + R"( restriction takes no "value".)");
  }
  if (!given) {
    restriction["value"] = nullptr;
  }
  return std::nullopt;
}

// `users` and `groups`: lists of objects, required (possibly empty) for push and
// restrict_merges, and empty for every other kind.
std::optional<WriteError> check_exemptions(json& restriction) {
  const std::string kind = restriction.at("kind").get<std::string>();
  const bool exempting = one_of(kExemptingKinds, kind);
  for (const char* key : {"users", "groups"}) {
    const auto it = restriction.find(key);
    if (it == restriction.end() || it->is_null()) {
      if (exempting) {
        return invalid("A " + kind + R"( restriction needs "users" and "groups".)",
                       "Empty lists are allowed: then nobody is exempted.");
      }
      restriction[key] = json::array();
      continue;
    }
    if (!it->is_array() ||
        !std::all_of(it->begin(), it->end(), [](const json& entry) { return entry.is_object(); })) {
      return invalid(std::string(R"(")") + key + R"(" must be a list of objects.)");
    }
    if (!it->empty() && !exempting) {
      return invalid(std::string(R"(")") + key + R"(" can only be set on a push or )" +
                     "restrict_merges restriction, not on " + kind + ".");
    }
  }
  return std::nullopt;
}

std::optional<WriteError> check(json& restriction) {
  if (auto error = check_kind(restriction)) {
    return error;
  }
  if (auto error = check_matcher(restriction)) {
    return error;
  }
  if (auto error = check_value(restriction)) {
    return error;
  }
  return check_exemptions(restriction);
}

// Kind, match kind and pattern or branch type: what must be unique within a repository.
std::tuple<std::string, std::string, std::string> matcher_of(const json& restriction) {
  std::string match = text_at(restriction, "branch_match_kind").value_or("");
  if (match.empty()) {
    match = "glob";
  }
  const char* target = match == "glob" ? "pattern" : "branch_type";
  return {text_at(restriction, "kind").value_or(""), match,
          text_at(restriction, target).value_or("")};
}

Repository* drift_target(Scenario& scenario, const json& change) {
  const std::string name = change.at("repository").get<std::string>();
  const auto slash = name.find('/');
  Workspace* workspace = scenario.find_workspace(name.substr(0, slash));
  return workspace == nullptr ? nullptr : workspace->find_repository(name.substr(slash + 1));
}

}  // namespace

std::optional<WriteError> restriction_from_post(const json& body, json& restriction) {
  if (!body.is_object()) {
    return invalid("The request body must be a branch restriction object.");
  }
  json candidate = json::object();
  for (const auto name : kWritableFields) {
    if (const auto it = body.find(std::string(name)); it != body.end()) {
      candidate[std::string(name)] = *it;
    }
  }
  if (auto error = check(candidate)) {
    return error;
  }
  restriction = std::move(candidate);
  return std::nullopt;
}

std::optional<WriteError> restriction_after_put(const json& existing, const json& body,
                                                json& restriction) {
  if (!body.is_object()) {
    return invalid("The request body must be a branch restriction object.");
  }
  json candidate = existing;
  if (!candidate.contains("type")) {
    candidate["type"] = "branchrestriction";  // as it is served
  }
  for (const auto name : kWritableFields) {
    if (const auto it = body.find(std::string(name)); it != body.end()) {
      candidate[std::string(name)] = *it;
    }
  }
  if (auto error = check(candidate)) {
    return error;
  }
  restriction = std::move(candidate);
  return std::nullopt;
}

std::optional<WriteError> duplicate_of(const json& list, const json& restriction,
                                       std::optional<std::size_t> self) {
  const auto wanted = matcher_of(restriction);
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (self && *self == i) {
      continue;
    }
    if (matcher_of(list[i]) == wanted) {
      const std::string id = id_text(list[i]);
      return WriteError{409, "A branch restriction of this kind already exists for this branch.",
                        id.empty() ? std::string("Change the existing restriction instead.")
                                   : "Restriction " + id + " has the same kind and matcher; " +
                                         "change it with PUT instead."};
    }
  }
  return std::nullopt;
}

std::optional<std::size_t> index_with_id(const json& list, const std::string& id) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!id.empty() && id_text(list[i]) == id) {
      return i;
    }
  }
  return std::nullopt;
}

std::string id_text(const json& object) {
  const auto it = object.find("id");
  if (it == object.end()) {
    return {};
  }
  if (it->is_number_integer()) {
    return std::to_string(it->get<std::int64_t>());
  }
  return it->is_string() ? it->get<std::string>() : std::string{};
}

void check_drift_target(const Scenario& scenario, const json& change) {
  const std::string name = change.at("repository").get<std::string>();
  const auto slash = name.find('/');
  const Workspace* workspace = scenario.find_workspace(name.substr(0, slash));
  if (workspace == nullptr || workspace->find_repository(name.substr(slash + 1)) == nullptr) {
    throw std::invalid_argument("fault: drift repository \"" + name + "\" is not in the scenario");
  }
}

void apply_drift(Scenario& scenario, const json& change) {
  Repository* repo = drift_target(scenario, change);
  if (repo == nullptr) {
    return;
  }
  json& list = repo->branch_restrictions;
  if (const auto add = change.find("add"); add != change.end()) {
    json restriction = *add;
    if (!restriction.contains("id")) {
      restriction["id"] = scenario.next_restriction_id;
    }
    if (restriction["id"].is_number_integer()) {
      scenario.next_restriction_id =
          std::max(scenario.next_restriction_id, restriction["id"].get<std::int64_t>() + 1);
    }
    list.push_back(std::move(restriction));
    return;
  }
  if (const auto update = change.find("update"); update != change.end()) {
    if (const auto index = index_with_id(list, id_text(*update))) {
      for (const auto& [key, value] : update->items()) {
        list[*index][key] = value;
      }
    }
    return;
  }
  const json& remove = change.at("remove");
  const std::string id = remove.is_string() ? remove.get<std::string>() : remove.dump();
  if (const auto index = index_with_id(list, id)) {
    list.erase(*index);
  }
}

}  // namespace bbp::fake::detail
