// Internal to the report layer: other layers get a reporter from make_reporter (reporter.hpp).
#pragma once

#include "bbp/report/reporter.hpp"

namespace bbp::report {

// JSON Lines: one finding per line, each self-contained. The object is the JSON report's
// finding (see finding_json) plus `scan_started_at` and `tool_version`. Unknowns and errors
// are not lines: an incomplete scan is signalled by the exit code (3).
class JsonlReporter final : public Reporter {
 public:
  void write(const ScanReport& report, std::ostream& out) const override;
};

}  // namespace bbp::report
