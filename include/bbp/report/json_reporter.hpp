#pragma once

#include <nlohmann/json.hpp>

#include "bbp/report/reporter.hpp"

namespace bbp::report {

// The stable JSON contract (schema_version 1).
class JsonReporter final : public Reporter {
 public:
  void write(const ScanReport& report, std::ostream& out) const override;
};

// Pieces of the JSON document, shared with the other machine-readable formats.
nlohmann::json to_json(const ScanReport& report);
nlohmann::json scan_json(const ScanReport& report);     // the document's "scan" object
nlohmann::json summary_json(const ScanReport& report);  // the document's "summary" object
nlohmann::json finding_json(const core::Evaluation& finding);
// A baseline finding that is gone: finding_json with "baseline_state": "absent".
nlohmann::json fixed_json(const core::Evaluation& finding);
// "new" or "unchanged", as every format writes a finding's state against a baseline.
std::string_view baseline_state_name(core::BaselineState state);
nlohmann::json unknown_json(const core::Evaluation& unknown);
nlohmann::json resource_json(const core::Resource& resource);

}  // namespace bbp::report
