#pragma once
#include <ostream>
#include "bbp/fix/plan.hpp"
namespace bbp::fix {
void write_terraform(const Plan& plan, std::ostream& out);
}
