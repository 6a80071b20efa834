// Writing a snapshot (--save-snapshot) without holding it as one JSON document.
#pragma once

#include <ostream>

#include "bbp/core/models.hpp"

namespace bbp::report {

// Writes exactly what `core::snapshot_to_json(snapshot).dump(2)` and a newline would, one
// repository at a time (invalid UTF-8 replaced, never fatal).
void write_snapshot(std::ostream& out, const core::Snapshot& snapshot);

}  // namespace bbp::report
