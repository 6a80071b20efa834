#include "bbp/report/table_reporter.hpp"

#include <map>
#include <tuple>

namespace bbp::report {
namespace {

constexpr std::size_t kSeverityWidth = 8;
constexpr std::size_t kRuleWidth = 28;

std::size_t columns(const std::string& text) {
  std::size_t n = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) {
      ++n;  // count UTF-8 lead bytes only
    }
  }
  return n;
}

std::string pad(const std::string& text, std::size_t width) {
  const auto n = columns(text);
  return n >= width ? text : text + std::string(width - n, ' ');
}

std::string_view colour_of(core::Severity severity) {
  switch (severity) {
    case core::Severity::critical:
      return "\033[1;31m";
    case core::Severity::high:
      return "\033[31m";
    case core::Severity::medium:
      return "\033[33m";
    case core::Severity::low:
      return "\033[36m";
  }
  return "";
}

std::string where(const core::Evaluation& e) {
  if (e.repository) {
    return *e.repository;
  }
  if (e.project) {
    return e.workspace.value_or("") + " project " + *e.project;
  }
  if (e.resource.type == "workspace") {
    return "workspace " + e.resource.id;
  }
  return "your account";
}

std::string describe_resource(const core::Evaluation& e) {
  if (e.resource.type == "deploy_key" || e.resource.type == "project_deploy_key" ||
      e.resource.type == "ssh_key") {
    std::string kind = e.resource.type == "ssh_key" ? "SSH key" : "deploy key";
    std::string text = where(e) + " " + kind + " '" + e.resource.name + "'";
    if (e.evidence.contains("age_days")) {
      text += " (" + e.evidence["age_days"].dump() + " days)";
    }
    return text;
  }
  return where(e);
}

}  // namespace

std::string ellipsize(const std::string& text, std::size_t width) {
  if (columns(text) <= width) {
    return text;
  }
  if (width == 0) {
    return "";
  }
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool lead = (static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U;
    if (lead && ++n > width - 1) {
      break;
    }
    out += text[i];
  }
  return out + "…";
}

void TableReporter::write(const ScanReport& report, std::ostream& out) const {
  const auto width = static_cast<std::size_t>(std::max(40, options_.width));
  const auto resource_width = width - kSeverityWidth - kRuleWidth - 4;
  const auto line = [&](const std::string& text) { out << ellipsize(text, width) << '\n'; };

  std::string scope;
  for (const auto& ws : report.workspaces) {
    scope += (scope.empty() ? "" : ", ") + ws;
  }
  line("bbposture " + report.tool_version + ": " + std::to_string(report.repositories) +
       " repositories and " + std::to_string(report.keys) + " keys in " +
       (scope.empty() ? std::string("no workspace") : scope));
  line("settings: stale_days=" + std::to_string(report.settings.stale_days) +
       " key_max_age_days=" + std::to_string(report.settings.key_max_age_days) +
       " min_approvals=" + std::to_string(report.settings.min_approvals) +
       ", API requests: " + std::to_string(report.api_requests));
  out << '\n';

  if (report.findings.empty()) {
    out << "No findings.\n";
  } else {
    out << pad("SEVERITY", kSeverityWidth) << "  " << pad("RULE", kRuleWidth) << "  RESOURCE\n";
    for (const auto& f : report.findings) {
      const std::string severity =
          pad(std::string(core::to_string(f.rule->severity)), kSeverityWidth);
      if (options_.color) {
        out << colour_of(f.rule->severity) << severity << "\033[0m";
      } else {
        out << severity;
      }
      out << "  " << pad(ellipsize(std::string(f.rule->slug), kRuleWidth), kRuleWidth) << "  "
          << ellipsize(describe_resource(f), resource_width) << '\n';
    }
  }
  out << '\n';

  const auto counts = count_by_severity(report);
  line(std::to_string(report.findings.size()) + " finding" +
       (report.findings.size() == 1 ? "" : "s") + ": " + std::to_string(counts[0]) + " Critical, " +
       std::to_string(counts[1]) + " High, " + std::to_string(counts[2]) + " Medium, " +
       std::to_string(counts[3]) + " Low");

  if (!report.complete) {
    const std::string warning =
        "WARNING: incomplete scan: " + std::to_string(report.unknown.size()) +
        " checks could not be evaluated, " + std::to_string(report.errors.size()) + " reads failed";
    if (options_.color) {
      out << "\033[1;33m" << ellipsize(warning, width) << "\033[0m\n";
    } else {
      line(warning);
    }
    if (report.interrupted) {
      line("  the scan was interrupted before every read was made");
    }
    // One line per resource and cause: "acme/legacy: 8 checks, missing_scope (missing …)".
    std::map<std::tuple<std::string, std::string, std::string>, std::size_t> groups;
    for (const auto& u : report.unknown) {
      groups[{where(u), std::string(core::to_string(*u.reason)), u.detail}] += 1;
    }
    for (const auto& [key, count] : groups) {
      const auto& [resource, reason, detail] = key;
      line("  " + resource + ": " + std::to_string(count) +
           (count == 1 ? " check, " : " checks, ") + reason + " (" + detail + ")");
    }
    for (const auto& e : report.errors) {
      if (!e.repository && e.workspace && e.endpoint.find("/repositories/") != std::string::npos) {
        line("  workspace " + *e.workspace + ": repositories could not be listed (" + e.message +
             ")");
      } else if (!e.workspace && e.endpoint.find("workspaces") != std::string::npos) {
        line("  workspaces could not be listed (" + e.message + ")");
      }
    }
  }
}

}  // namespace bbp::report
