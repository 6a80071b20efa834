// Fuzzes parse_repository and parse_workspace_slug with one repository object (as listed by
// GET /repositories/{workspace}) or a whole page of them.
#include <cstddef>
#include <cstdint>

#include "bbp/bitbucket/parse.hpp"
#include "fuzz_support.hpp"

namespace {

void check_one(const nlohmann::json& value) {
  const std::string workspace = bbp::bitbucket::parse_workspace_slug(value).value_or("acme");
  const auto repo = bbp::bitbucket::parse_repository(value, workspace);
  if (!repo) {
    return;
  }
  BBP_FUZZ_REQUIRE(!repo->slug.empty());
  BBP_FUZZ_REQUIRE(repo->workspace == workspace);
  BBP_FUZZ_REQUIRE(repo->full_name == workspace + "/" + repo->slug);
  BBP_FUZZ_REQUIRE(!repo->name.empty() || value.contains("name"));
  BBP_FUZZ_REQUIRE(!repo->html_url.empty() || value.contains("links"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bbp::fuzz::quiet();
  const auto json = bbp::fuzz::parse_json(bbp::fuzz::as_text(data, size));
  if (json.is_discarded()) {
    return 0;
  }
  check_one(json);
  if (json.is_object()) {
    if (const auto values = json.find("values"); values != json.end() && values->is_array()) {
      for (const auto& value : *values) {
        check_one(value);
      }
    }
  }
  return 0;
}
