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

// What the current report re-checked, so that a baseline finding missing from it counts as
// fixed only when it was looked for again.
struct Recheck {
  core::Scope scope;      // the rules, workspaces and repositories the current run selected
  bool user_keys = true;  // whether the caller's SSH keys were part of it
  std::optional<core::Severity> min_severity;  // findings below it were left out of it
};

// Compares `current` with `baseline` by fingerprint: every current finding becomes new or
// unchanged; a baseline finding whose fingerprint is gone goes to `current.fixed` only when
// the current run re-checked it (its rule selected, its workspace listed, its repository in
// scope, at or above min_severity, and not unknown now for the same rule and resource). Other
// baseline findings are neither fixed nor new: they are left out. Sets `current.baseline`.
void compare_with_baseline(ScanReport& current, const ScanReport& baseline,
                           const std::string& baseline_file, const Recheck& recheck);

}  // namespace bbp::report
