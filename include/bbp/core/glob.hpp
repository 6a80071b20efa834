// Bitbucket Cloud's branch-restriction glob: anchored, case-sensitive, `*` matches any run of
// characters (including `/`), every other character matches itself.
#pragma once

#include <string_view>

namespace bbp::core {

bool glob_match(std::string_view pattern, std::string_view text);

// Same, ignoring ASCII case: used only to flag near misses ("Main" vs "main") in evidence.
bool glob_match_ignoring_case(std::string_view pattern, std::string_view text);

}  // namespace bbp::core
