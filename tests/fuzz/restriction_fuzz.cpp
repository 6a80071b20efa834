// Fuzzes parse_restriction with one branch restriction or a page of them, then resolves which of
// the parsed restrictions apply to a few default branches (glob and branching-model matching).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "bbp/bitbucket/parse.hpp"
#include "bbp/core/default_branch.hpp"
#include "fuzz_support.hpp"

namespace {

void add(const nlohmann::json& value, std::vector<bbp::core::BranchRestriction>& out) {
  if (auto restriction = bbp::bitbucket::parse_restriction(value)) {
    BBP_FUZZ_REQUIRE(value.is_object());
    BBP_FUZZ_REQUIRE(!restriction->branch_match_kind.empty() ||
                     value.contains("branch_match_kind"));
    out.push_back(std::move(*restriction));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bbp::fuzz::quiet();
  const auto json = bbp::fuzz::parse_json(bbp::fuzz::as_text(data, size));
  if (json.is_discarded()) {
    return 0;
  }
  std::vector<bbp::core::BranchRestriction> restrictions;
  add(json, restrictions);
  if (json.is_object()) {
    if (const auto values = json.find("values"); values != json.end() && values->is_array()) {
      for (const auto& value : *values) {
        add(value, restrictions);
      }
    }
  }

  bbp::core::BranchingModel model;
  model.development.use_mainbranch = true;
  model.production = bbp::core::BranchingModelBranch{false, "production", "production"};
  model.branch_types = {{"release", "release/"}, {"hotfix", "hotfix/"}};
  const auto* model_ptr = bbp::core::needs_branching_model(restrictions) ? &model : nullptr;
  for (const char* branch : {"main", "master", "production", "release/1.0", ""}) {
    const auto applied = bbp::core::resolve_default_branch(branch, restrictions, model_ptr);
    BBP_FUZZ_REQUIRE(applied.matched.size() <= restrictions.size());
    for (const auto& matched : applied.matched) {
      BBP_FUZZ_REQUIRE(matched.restriction != nullptr);
    }
    (void)applied.evidence().dump();
    (void)applied.evidence_of_kind("push").dump();
  }
  return 0;
}
