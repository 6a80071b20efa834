// A reader for the subset of HCL (Terraform's native syntax) the Terraform export writes, so
// that the tests can check every export parses without Terraform: blocks `type "label" … {`
// (nested too, as the provider's `groups { … }`), attributes `name = value`, and as values
// quoted strings with HCL's escapes, numbers, true/false, lists and references such as
// `bitbucket_branch_restriction.name`; `#` comments. Everything else is refused with its line:
// a raw new line, an unknown escape or a template sequence (`${`, `%{`) in a string, an
// unbalanced brace, an attribute without its `=`.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace bbp::fix::testing {

struct HclValue {
  enum class Kind { string, number, boolean, list, reference };
  Kind kind = Kind::string;
  std::string text;             // a string decoded; a number, boolean or reference as written
  std::vector<HclValue> items;  // a list's
};

struct HclBlock {
  std::string type;  // "" for the file itself
  std::vector<std::string> labels;
  std::map<std::string, HclValue> attributes;
  std::vector<HclBlock> blocks;
  int line = 0;
};

struct HclError {
  int line = 0;
  std::string message;
};

std::string to_string(const HclError& error);  // "line 3: …"

// The file as one block of type "", or the first thing in it outside the subset.
tl::expected<HclBlock, HclError> parse_hcl(std::string_view text);

// The blocks of `parent` of this type (and first label, when one is given).
std::vector<const HclBlock*> blocks_of(const HclBlock& parent, std::string_view type,
                                       std::string_view label = {});

}  // namespace bbp::fix::testing
