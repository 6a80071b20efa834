#include "bbp/report/reporter.hpp"

#include <array>
#include <utility>

#include "bbp/report/html_reporter.hpp"
#include "bbp/report/json_reporter.hpp"
#include "bbp/report/sarif_reporter.hpp"
#include "bbp/text/names.hpp"
#include "csv_reporter.hpp"
#include "jsonl_reporter.hpp"
#include "junit_reporter.hpp"
#include "table_reporter.hpp"

namespace bbp::report {
namespace {

constexpr std::array<text::Named<Format>, 7> kFormats{{
    {Format::table, "table"},
    {Format::json, "json"},
    {Format::jsonl, "jsonl"},
    {Format::sarif, "sarif"},
    {Format::csv, "csv"},
    {Format::html, "html"},
    {Format::junit, "junit"},
}};

}  // namespace

std::optional<Format> format_from_string(std::string_view name) {
  return text::value_of(kFormats, name, text::Case::insensitive);
}

std::string_view to_string(Format format) {
  return text::name_of(kFormats, format);
}

std::vector<std::string_view> format_names() {
  std::vector<std::string_view> names;
  names.reserve(kFormats.size());
  for (const auto& entry : kFormats) {
    names.push_back(entry.name);
  }
  return names;
}

std::unique_ptr<Reporter> make_reporter(Format format, const ReporterOptions& options) {
  switch (format) {
    case Format::table:
      return std::make_unique<TableReporter>(options);
    case Format::json:
      return std::make_unique<JsonReporter>();
    case Format::jsonl:
      return std::make_unique<JsonlReporter>();
    case Format::sarif:
      return std::make_unique<SarifReporter>();
    case Format::csv:
      return std::make_unique<CsvReporter>();
    case Format::html:
      return std::make_unique<HtmlReporter>();
    case Format::junit:
      return std::make_unique<JunitReporter>();
  }
  return nullptr;
}

}  // namespace bbp::report
