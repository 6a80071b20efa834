#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bbp/report/reporter.hpp"

namespace bbp::report {

// One self-contained HTML page for people: the scan's scope, counts per severity, bar charts
// (inline SVG), the rules with their counts and remediation, a repository x rule grid, the
// findings with their evidence and a folded "How to fix", the unknowns grouped by cause and the
// failed reads. The page loads nothing: its styles and its script are inline and a
// Content-Security-Policy forbids every load. The data is in the document's tables, so it reads
// without JavaScript and prints; the script only sorts and filters the findings table (an
// initial filter can be given in the URL fragment, e.g. "#severity=high&q=etl").
// Rows are written as they are produced: only the grid's per-repository marks are held.
// The grid lists at most kGridRows repositories (the worst ones) and says so when it leaves
// some out; the findings table lists every finding. Of each table only the first kTableRows
// rows are elements when the page opens; the rest are in <noscript> blocks that the browser
// reads as text when scripts run (the script builds rows from them on demand) and as tables
// when they do not. Evidence sits in closed <details> (opened for printing), so the browser
// lays out less when the page opens (figures at 10,000 repositories: docs/performance.md).
class HtmlReporter final : public Reporter {
 public:
  static constexpr std::size_t kGridRows = 500;
  // Rows of a table that are elements when the page opens; the script adds this many more at a
  // time.
  static constexpr std::size_t kTableRows = 500;
  void write(const ScanReport& report, std::ostream& out) const override;
};

// A rule as the grid's column header and the Unknown table name it: its number and short name,
// "3 Direct push".
std::string rule_label(const core::Rule& rule);

// Unknowns that share a cause: one resource, one reason and one detail (eight default-branch
// rules left unevaluated by one 403 are one cause).
struct UnknownGroup {
  const core::Evaluation* first = nullptr;  // its first unknown in report order
  std::vector<const core::Rule*> rules;     // the rules it left unevaluated, catalogue order
  std::size_t checks = 0;                   // its unknowns: together, every unknown of the report
};

// `unknown` grouped by (workspace, resource, reason, detail), each group where its first
// unknown is. The groups point into `unknown`, which must outlive them.
std::vector<UnknownGroup> group_unknowns(const std::vector<core::Evaluation>& unknown);

// `text` safe in HTML text and in a double- or single-quoted attribute: & < > " ' become
// character references; invalid UTF-8 and NUL become U+FFFD.
std::string html_escape(std::string_view text);

// `text` safe in HTML text (element content) only: & < > become character references, quotes
// stay as they are; invalid UTF-8 and NUL become U+FFFD. Never for attribute values.
std::string html_escape_text(std::string_view text);

// `value` as JSON that is safe inside <script type="application/json">: '<', '>', '&', U+2028
// and U+2029 are written as \u escapes (so "</script>" or "<!--" cannot occur), invalid UTF-8 is
// replaced.
std::string json_for_script(const nlohmann::json& value);

}  // namespace bbp::report
