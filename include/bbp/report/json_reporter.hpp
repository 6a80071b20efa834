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
// A baseline finding that is gone but was not looked at again: "baseline_state":
// "not_rechecked".
nlohmann::json not_rechecked_json(const core::Evaluation& finding);
// The document's "scan.selection" object: how the report was made (report.selection is set).
nlohmann::json selection_json(const ScanReport& report);
// A check that passes only because of declared restrictions: "outcome": "pass", its evidence
// (each declared restriction marked "declared in FILE:LINE") and "declared_by".
nlohmann::json declared_pass_json(const core::Evaluation& pass);
// "new" or "unchanged", as every format writes a finding's state against a baseline.
std::string_view baseline_state_name(core::BaselineState state);
nlohmann::json unknown_json(const core::Evaluation& unknown);
nlohmann::json resource_json(const core::Resource& resource);

}  // namespace bbp::report
