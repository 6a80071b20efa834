// The checks a plan's steps pass when it is read (plan_check.cpp); used only inside the fix layer.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bbp/fix/plan.hpp"

namespace bbp::fix::detail {

// What is wrong with `step` for a plan made with `flags` (its request is not its action's for
// its target, it does not tighten, or it needs a flag the plan lacks); nullopt when nothing is.
std::optional<std::string> step_problem(const Step& step, const std::vector<std::string>& flags);

}  // namespace bbp::fix::detail
