#include "jsonl_reporter.hpp"

#include "bbp/report/json_reporter.hpp"

namespace bbp::report {

void JsonlReporter::write(const ScanReport& report, std::ostream& out) const {
  const std::string started = core::format_timestamp(report.started_at);
  const auto write_line = [&](nlohmann::json line) {
    line["scan_started_at"] = started;
    line["tool_version"] = report.tool_version;
    // Compact: a line never contains a raw newline (strings escape theirs).
    out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  };
  for (const auto& f : report.findings) {
    write_line(finding_json(f));
  }
  // With a baseline, its findings that are gone follow, as "baseline_state": "absent".
  for (const auto& f : report.fixed) {
    write_line(fixed_json(f));
  }
  // And those it did not look at again, as "baseline_state": "not_rechecked".
  for (const auto& f : report.not_rechecked) {
    write_line(not_rechecked_json(f));
  }
  // Checks that pass only because of declared restrictions: "outcome": "pass", not findings.
  for (const auto& p : report.declared_passes) {
    write_line(declared_pass_json(p));
  }
}

}  // namespace bbp::report
