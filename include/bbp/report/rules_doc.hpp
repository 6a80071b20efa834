// The rule catalogue rendered for `bbposture rules` and docs/rules.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bbp::report {

enum class RulesFormat { table, json, markdown };

std::optional<RulesFormat> rules_format_from_string(std::string_view text);
std::string render_rules(RulesFormat format);

}  // namespace bbp::report
