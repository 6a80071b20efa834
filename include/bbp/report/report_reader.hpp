// Reading a bbposture JSON report back (--baseline, `bbposture diff`), and comparing a report
// with an earlier one.
#pragma once

#include <istream>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "bbp/core/scope.hpp"
#include "bbp/report/report.hpp"

namespace bbp::report {

// Parses a JSON report (schema_version 1) into a ScanReport: findings, unknowns, errors,
// summary marks, the fixed list and the baseline it names. Each finding's rule is found by its
// finding type ID in the catalogue; its evidence is kept as written. Refused, with a sentence
// naming `name`: text that is not JSON, JSON that is not a bbposture report, a report of
// another schema_version, or a report whose fields do not read.
tl::expected<ScanReport, std::string> read_report(std::istream& in, const std::string& name);

// The same for a file (refused when it cannot be read).
tl::expected<ScanReport, std::string> read_report_file(const std::string& path);

// Compares `current` with `baseline` by fingerprint: every current finding becomes new or
// unchanged. A baseline finding whose fingerprint is gone is *fixed* only when the current
// report's selection covered it (its rule selected, its workspace listed, its repository in
// scope, at or above the minimum severity) and it is not unknown now for the same rule and
// resource or place; otherwise it is *not re-checked*. A current report without a selection
// (written by an older version) fixes nothing. Sets `current.baseline`, `fixed` and
// `not_rechecked`; returns the warnings worth saying (a report without a selection, a
// baseline newer than the current report).
std::vector<std::string> compare_with_baseline(ScanReport& current, const ScanReport& baseline,
                                               const std::string& baseline_file);

}  // namespace bbp::report
