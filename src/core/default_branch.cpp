#include "bbp/core/default_branch.hpp"

#include <algorithm>
#include <optional>

#include "bbp/core/glob.hpp"

namespace bbp::core {
namespace {

// How a branching-model restriction of `type` applies to `branch`, or nullopt when it doesn't.
std::optional<std::string> model_match(const std::string& type, const std::string& branch,
                                       const BranchingModel& model) {
  const auto main_or_named = [&](const BranchingModelBranch& b,
                                 const std::string& label) -> std::optional<std::string> {
    if (b.use_mainbranch) {
      return "branching model: " + label + " (tracks the main branch)";
    }
    if ((b.name && *b.name == branch) || (b.branch_name && *b.branch_name == branch)) {
      return "branching model: " + label + " (branch '" + branch + "')";
    }
    return std::nullopt;
  };
  if (type == "development") {
    return main_or_named(model.development, "development");
  }
  if (type == "production") {
    if (!model.production) {
      return std::nullopt;  // production disabled: applies to nothing
    }
    return main_or_named(*model.production, "production");
  }
  for (const auto& bt : model.branch_types) {
    if (bt.kind == type && !bt.prefix.empty() && branch.starts_with(bt.prefix)) {
      return "branching model: " + type + " (prefix '" + bt.prefix + "')";
    }
  }
  return std::nullopt;
}

nlohmann::json restriction_evidence(const MatchedRestriction& m) {
  const auto& r = *m.restriction;
  nlohmann::json out{{"kind", r.kind}, {"match", m.how}};
  if (r.declared_in) {
    out["declared"] = "declared in " + *r.declared_in;  // not read from the API: no id
  } else {
    out["id"] = r.id;
  }
  if (r.source) {
    out["source"] = *r.source;  // Data Center: the permission or setting it was made from
  }
  if (r.value) {
    out["value"] = *r.value;
  }
  if (!r.users.empty() || !r.groups.empty()) {
    auto users = nlohmann::json::array();
    for (const auto& u : r.users) {
      users.push_back(u.name);
    }
    auto groups = nlohmann::json::array();
    for (const auto& g : r.groups) {
      groups.push_back(g.name);
    }
    out["users"] = users;
    out["groups"] = groups;
  }
  return out;
}

}  // namespace

std::vector<const MatchedRestriction*> AppliedRestrictions::of_kind(std::string_view kind) const {
  std::vector<const MatchedRestriction*> out;
  for (const auto& m : matched) {
    if (m.restriction->kind == kind) {
      out.push_back(&m);
    }
  }
  return out;
}

nlohmann::json AppliedRestrictions::evidence() const {
  auto out = nlohmann::json::array();
  for (const auto& m : matched) {
    out.push_back(restriction_evidence(m));
  }
  return out;
}

nlohmann::json AppliedRestrictions::evidence_of_kind(std::string_view kind) const {
  auto out = nlohmann::json::array();
  for (const auto* m : of_kind(kind)) {
    out.push_back(restriction_evidence(*m));
  }
  return out;
}

bool needs_branching_model(const std::vector<BranchRestriction>& restrictions) {
  return std::any_of(restrictions.begin(), restrictions.end(), [](const BranchRestriction& r) {
    return r.branch_match_kind == "branching_model";
  });
}

AppliedRestrictions resolve_default_branch(const std::string& branch,
                                           const std::vector<BranchRestriction>& restrictions,
                                           const BranchingModel* model) {
  AppliedRestrictions out;
  out.branch = branch;
  for (const auto& r : restrictions) {
    if (r.branch_match_kind == "glob") {
      if (glob_match(r.pattern, branch)) {
        out.matched.push_back({&r, "glob '" + r.pattern + "'"});
      } else if (!r.pattern.empty() && glob_match_ignoring_case(r.pattern, branch)) {
        out.near_misses.push_back(&r);
      }
    } else if (r.branch_match_kind == "pattern") {
      if (ref_pattern_match(r.pattern, branch)) {
        out.matched.push_back({&r, "pattern '" + r.pattern + "'"});
      }
    } else if (r.branch_match_kind == "branching_model" && model != nullptr && r.branch_type) {
      if (auto how = model_match(*r.branch_type, branch, *model)) {
        out.matched.push_back({&r, std::move(*how)});
      }
    }
  }
  return out;
}

}  // namespace bbp::core
