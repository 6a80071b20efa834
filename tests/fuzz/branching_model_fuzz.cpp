// Fuzzes parse_branching_model with an effective branching model
// (GET /repositories/{workspace}/{slug}/effective-branching-model), then resolves branching-model
// restrictions against the parsed model.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "bbp/bitbucket/parse.hpp"
#include "bbp/core/default_branch.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bbp::fuzz::quiet();
  const auto json = bbp::fuzz::parse_json(bbp::fuzz::as_text(data, size));
  if (json.is_discarded()) {
    return 0;
  }
  const auto model = bbp::bitbucket::parse_branching_model(json);
  if (!model) {
    return 0;
  }
  BBP_FUZZ_REQUIRE(json.is_object() && json.contains("development"));
  if (model->production) {
    BBP_FUZZ_REQUIRE(json.contains("production"));
  }

  std::vector<bbp::core::BranchRestriction> restrictions;
  for (const char* type : {"development", "production", "release", "hotfix", "feature", "bugfix"}) {
    bbp::core::BranchRestriction r;
    r.id = static_cast<std::int64_t>(restrictions.size()) + 1;
    r.kind = "force";
    r.branch_match_kind = "branching_model";
    r.branch_type = type;
    restrictions.push_back(r);
  }
  BBP_FUZZ_REQUIRE(bbp::core::needs_branching_model(restrictions));
  const std::vector<std::string> branches = {
      "main", model->development.name.value_or(""), model->development.branch_name.value_or(""),
      model->production ? model->production->branch_name.value_or("x") : "x"};
  for (const auto& branch : branches) {
    const auto applied = bbp::core::resolve_default_branch(branch, restrictions, &*model);
    BBP_FUZZ_REQUIRE(applied.matched.size() <= restrictions.size());
    (void)applied.evidence().dump();
  }
  return 0;
}
