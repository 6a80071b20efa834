// Internal to the report layer: other layers get a reporter from make_reporter (reporter.hpp).
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "bbp/report/reporter.hpp"

namespace bbp::report {

// RFC 4180 CSV: a header row, then one finding per row; CRLF line endings. Every cell is first
// made inert for spreadsheets (see csv_inert), then written as RFC 4180 says (see csv_field).
class CsvReporter final : public Reporter {
 public:
  void write(const ScanReport& report, std::ostream& out) const override;
};

// The header row, in column order. suppressed_* and baseline_state are empty unless the finding
// is suppressed (reason, expiry date, config entry) or the run has a baseline (new, unchanged;
// the baseline's findings that are gone follow the findings as rows marked absent).
// declared_by is set only on the rows after those: checks that pass only because of declared
// restrictions. They are not findings, so their severity is empty.
inline constexpr std::array<std::string_view, 20> kCsvColumns{"severity",
                                                              "rule",
                                                              "finding_type_id",
                                                              "title",
                                                              "message",
                                                              "workspace",
                                                              "repository",
                                                              "project",
                                                              "resource_type",
                                                              "resource_id",
                                                              "resource_name",
                                                              "resource_url",
                                                              "fingerprint",
                                                              "evidence",
                                                              "remediation",
                                                              "suppressed_reason",
                                                              "suppressed_expires",
                                                              "suppressed_source",
                                                              "baseline_state",
                                                              "declared_by"};

// One field as RFC 4180 writes it: quoted when it holds a comma, a double quote, CR or LF
// (quotes doubled inside); otherwise as it is.
std::string csv_field(std::string_view text);

// `text` as a spreadsheet shows it rather than evaluates it (OWASP's advice on CSV
// injection): a cell starting with '=', '+', '-', '@', a tab or a carriage return gets a
// leading single quote; any other text is returned unchanged.
std::string csv_inert(std::string_view text);

}  // namespace bbp::report
