#include "csv_reporter.hpp"

#include <vector>

#include "bbp/report/json_reporter.hpp"
#include "bbp/text/text.hpp"

namespace bbp::report {
namespace {

constexpr std::string_view kLineEnd = "\r\n";

void write_row(std::ostream& out, const std::vector<std::string>& fields) {
  bool first = true;
  for (const auto& field : fields) {
    if (!first) {
      out << ',';
    }
    first = false;
    out << csv_field(csv_inert(field));
  }
  out << kLineEnd;
}

}  // namespace

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    return std::string(text);
  }
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') {
      out += '"';
    }
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_inert(std::string_view text) {
  constexpr std::string_view kFormulaStarts = "=+-@\t\r";
  if (!text.empty() && kFormulaStarts.find(text.front()) != std::string_view::npos) {
    return std::string("'").append(text);
  }
  return std::string(text);
}

namespace {

void write_finding(std::ostream& out, const core::Evaluation& f, std::string_view state) {
  const auto evidence = f.evidence.value();  // worked out once: the message is worded from it
  const auto* mark = f.suppressed ? &*f.suppressed : nullptr;
  const bool declared_pass = f.outcome == core::Outcome::pass;
  write_row(out, {declared_pass ? std::string() : std::string(core::to_string(f.rule->severity)),
                  std::string(f.rule->slug),
                  std::string(f.rule->id),
                  std::string(f.rule->title),
                  declared_pass ? declared_pass_message(f) : core::message_of(*f.rule, evidence),
                  f.workspace.value_or(""),
                  f.repository.value_or(""),
                  f.project.value_or(""),
                  std::string(core::to_string(f.resource.type)),
                  f.resource.id,
                  f.resource.name,
                  f.resource.url,
                  f.fingerprint,
                  evidence.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  std::string(f.rule->remediation),
                  mark ? mark->reason : "",
                  mark ? mark->expires.value_or("") : "",
                  mark ? mark->source : "",
                  std::string(state),
                  text::join(f.declared_by)});
}

}  // namespace

void CsvReporter::write(const ScanReport& report, std::ostream& out) const {
  write_row(out, std::vector<std::string>(kCsvColumns.begin(), kCsvColumns.end()));
  for (const auto& f : report.findings) {
    write_finding(out, f, f.baseline_state ? baseline_state_name(*f.baseline_state) : "");
  }
  for (const auto& f : report.fixed) {
    write_finding(out, f, "absent");
  }
  for (const auto& f : report.not_rechecked) {
    write_finding(out, f, "not_rechecked");
  }
  for (const auto& p : report.declared_passes) {
    write_finding(out, p, "");
  }
}

}  // namespace bbp::report
