#pragma once

#include <string>

#include "bbp/report/reporter.hpp"

namespace bbp::report {

// A report for people: fits the width given (80 columns by default), worst findings first,
// a summary line, and a visible warning when anything could not be evaluated.
class TableReporter final : public Reporter {
 public:
  explicit TableReporter(ReporterOptions options) : options_(options) {}
  void write(const ScanReport& report, std::ostream& out) const override;

 private:
  ReporterOptions options_;
};

// Shortens `text` to at most `width` display columns, ending with "…" when cut.
std::string ellipsize(const std::string& text, std::size_t width);

}  // namespace bbp::report
