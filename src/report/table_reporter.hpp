// Internal to the report layer: other layers get a reporter from make_reporter (reporter.hpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "bbp/report/reporter.hpp"

namespace bbp::report {

// A report for people: fits the width given (80 columns by default); findings grouped per
// repository (or project, or account), the group holding the worst finding first and the worst
// finding first inside a group; a summary line; and a visible warning listing what could not be
// evaluated and why (which scope is missing).
class TableReporter final : public Reporter {
 public:
  explicit TableReporter(ReporterOptions options) : options_(options) {}
  void write(const ScanReport& report, std::ostream& out) const override;

 private:
  ReporterOptions options_;
};

// Terminal columns a character or a UTF-8 text takes: 2 for East Asian wide and fullwidth
// characters and emoji, 0 for combining marks and zero-width characters, 1 otherwise.
std::size_t display_width(char32_t code_point);
std::size_t display_width(std::string_view text);

// Shortens `text` to at most `width` display columns, ending with "…" when cut.
std::string ellipsize(const std::string& text, std::size_t width);

// `text` safe for a terminal: C0 and C1 control characters (newlines, escape sequences) are
// written as visible escapes ("\n", "\x1b", "\u009b"), so a key label cannot break the
// table or drive the terminal.
std::string printable(const std::string& text);

}  // namespace bbp::report
