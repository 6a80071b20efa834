// The rule catalogue rendered for `bbposture rules` and docs/rules.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bbp/core/models.hpp"

namespace bbp::report {

enum class RulesFormat { table, json, markdown };

std::optional<RulesFormat> rules_format_from_string(std::string_view text);
// Every rule; with Platform::datacenter, the table and JSON list only the rules evaluated on Data
// Center, the table saying what each reads there (the markdown, docs/rules.md, always has all of
// them, each with its Data Center paragraph).
std::string render_rules(RulesFormat format, core::Platform platform = core::Platform::cloud);

}  // namespace bbp::report
