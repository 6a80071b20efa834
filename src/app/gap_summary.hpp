// Failed reads, grouped by cause for a person: one line per cause with a count and a few
// examples, then the scopes to grant when scopes were missing.
#pragma once

#include <string>
#include <vector>

#include "bbp/core/models.hpp"

namespace bbp::app {

// The lines (without the "bbposture: " prefix) that say why reads failed: one per cause, in
// order of first appearance, with at most `examples` endpoints each; then, when any read lacked
// a scope, the scopes to grant. Reads skipped because the scan was interrupted are left out.
std::vector<std::string> gap_summary(const std::vector<core::Gap>& gaps, std::size_t examples = 3);

}  // namespace bbp::app
