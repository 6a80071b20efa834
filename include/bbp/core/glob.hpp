// Bitbucket Cloud's branch-restriction glob: anchored, case-sensitive, `*` matches any run of
// characters (including `/`), every other character matches itself.
#pragma once

#include <string_view>

namespace bbp::core {

bool glob_match(std::string_view pattern, std::string_view text);

// Same, ignoring ASCII case: used only to flag near misses ("Main" vs "main") in evidence.
bool glob_match_ignoring_case(std::string_view pattern, std::string_view text);

// Bitbucket Data Center's branch-permission pattern, matched against a branch: the pattern
// need only match a suffix of the full ref name ("refs/heads/<branch>") that starts at a `/`;
// `?` matches one character and `*` a run of characters, neither crossing a `/`; a `**`
// segment matches any number of whole segments; a pattern ending in `/` has `**` added.
// So "main" matches "main" and "team/main", "release/*" matches "release/1.0", and "*" matches
// every branch. Case-sensitive. Tags are never the default branch, so only branches are asked.
bool ref_pattern_match(std::string_view pattern, std::string_view branch);

}  // namespace bbp::core
