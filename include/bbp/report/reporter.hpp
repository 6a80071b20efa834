// One reporter per output format, chosen in one place.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

#include "bbp/report/report.hpp"

namespace bbp::report {

enum class Format { table, json, jsonl, sarif, csv, html, junit };

std::optional<Format> format_from_string(std::string_view text);
std::string_view to_string(Format format);
// Every format's name ("table", "json", …), in the order of the format table.
std::vector<std::string_view> format_names();

struct ReporterOptions {
  bool color = false;            // ANSI colours (table only): on a TTY and without NO_COLOR
  int width = 80;                // table width
  bool show_suppressed = false;  // the table lists suppressed findings (marked) too
  bool only_new = false;         // with a baseline, the table lists new findings, counts the rest
};

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void write(const ScanReport& report, std::ostream& out) const = 0;
};

// The one place a format becomes a reporter; never nullptr for a valid Format.
std::unique_ptr<Reporter> make_reporter(Format format, const ReporterOptions& options = {});

}  // namespace bbp::report
