#include "bbp/report/table_reporter.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <tuple>
#include <vector>

namespace bbp::report {
namespace {

constexpr std::size_t kIndent = 2;
constexpr std::size_t kSeverityWidth = 8;
constexpr std::size_t kRuleWidth = 28;
constexpr std::size_t kGap = 2;

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

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
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

// What a finding row says after the rule: the key, the age, who may push.
std::string detail_of(const core::Evaluation& f) {
  const auto ev = f.evidence.value();
  const auto& type = f.resource.type;
  if (type == "deploy_key" || type == "project_deploy_key" || type == "ssh_key") {
    // The age first: a long label is what gets cut.
    const std::string key =
        (type == "ssh_key" ? "SSH key '" : "deploy key '") + f.resource.name + "'";
    return ev.contains("age_days") ? ev["age_days"].dump() + " days old: " + key : key;
  }
  if (f.rule->slug == "stale-repository" && ev.contains("age_days")) {
    return "last updated " + ev["age_days"].dump() + " days ago";
  }
  if (f.rule->slug == "direct-push-allowed" && ev.contains("allowed_to_push")) {
    const auto& allowed = ev["allowed_to_push"];
    if (allowed.is_string()) {
      return "anyone with write access";
    }
    std::string names;
    for (const auto* list : {&allowed["users"], &allowed["groups"]}) {
      for (const auto& p : *list) {
        names += (names.empty() ? "" : ", ") + p.value("name", std::string());
      }
    }
    return "may push: " + names;
  }
  return {};
}

// Breaks `text` at spaces into lines of at most `width` columns (a longer word is cut).
std::vector<std::string> wrap(const std::string& text, std::size_t width) {
  std::vector<std::string> lines;
  std::string current;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(' ', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    const std::string word = text.substr(start, end - start);
    if (!current.empty() && columns(current) + 1 + columns(word) > width) {
      lines.push_back(current);
      current.clear();
    }
    current += (current.empty() ? "" : " ") + word;
    start = end + 1;
  }
  if (!current.empty()) {
    lines.push_back(current);
  }
  for (auto& line : lines) {
    line = ellipsize(line, width);
  }
  return lines;
}

}  // namespace

std::string printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::array<char, 8> buffer{};
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20U || c == 0x7FU) {
      std::snprintf(buffer.data(), buffer.size(), "\\x%02x", static_cast<unsigned>(c));
      out += buffer.data();
    } else if (c == 0xC2U && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80U &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9FU) {
      // C1 controls (U+0080..U+009F): some terminals act on them (U+009B is CSI).
      std::snprintf(buffer.data(), buffer.size(), "\\u%04x",
                    static_cast<unsigned>(static_cast<unsigned char>(text[i + 1])));
      out += buffer.data();
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

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
  const auto width = static_cast<std::size_t>(std::max(60, options_.width));
  const auto detail_width = width - kIndent - kSeverityWidth - kGap - kRuleWidth - kGap;
  const auto line = [&](const std::string& text) {
    out << ellipsize(printable(text), width) << '\n';
  };
  const auto warn = [&](const std::string& text) {
    if (options_.color) {
      out << "\033[1;33m" << ellipsize(printable(text), width) << "\033[0m\n";
    } else {
      line(text);
    }
  };

  std::string scope;
  for (const auto& ws : report.workspaces) {
    scope += (scope.empty() ? "" : ", ") + ws;
  }
  line("bbposture " + report.tool_version + ": " +
       plural(report.repositories, "repository", "repositories") + " and " +
       plural(report.keys, "key", "keys") + " in " +
       (scope.empty() ? std::string("no workspace") : scope));
  line("settings: stale_days=" + std::to_string(report.settings.stale_days) +
       " key_max_age_days=" + std::to_string(report.settings.key_max_age_days) +
       " min_approvals=" + std::to_string(report.settings.min_approvals) +
       ", API requests: " + std::to_string(report.api_requests));
  out << '\n';

  if (report.findings.empty()) {
    out << "No findings.\n";
  } else {
    // One group per place (repository, project, account), the group with the worst finding
    // first; findings keep the report order (worst first) inside a group.
    std::vector<std::string> order;
    std::map<std::string, std::vector<const core::Evaluation*>> groups;
    for (const auto& f : report.findings) {
      const auto place = where(f);
      auto& group = groups[place];
      if (group.empty()) {
        order.push_back(place);
      }
      group.push_back(&f);
    }
    out << std::string(kIndent, ' ') << pad("SEVERITY", kSeverityWidth + kGap)
        << pad("RULE", kRuleWidth + kGap) << "DETAIL\n";
    for (const auto& place : order) {
      line(place);
      for (const auto* f : groups[place]) {
        const std::string severity =
            pad(std::string(core::to_string(f->rule->severity)), kSeverityWidth);
        out << std::string(kIndent, ' ');
        if (options_.color) {
          out << colour_of(f->rule->severity) << severity << "\033[0m";
        } else {
          out << severity;
        }
        out << std::string(kGap, ' ');
        const auto detail = ellipsize(printable(detail_of(*f)), detail_width);
        const auto rule = ellipsize(std::string(f->rule->slug), kRuleWidth);
        out << (detail.empty() ? rule : pad(rule, kRuleWidth + kGap) + detail) << '\n';
      }
    }
  }
  out << '\n';

  const auto counts = count_by_severity(report);
  line(plural(report.findings.size(), "finding", "findings") + ": " + std::to_string(counts[0]) +
       " Critical, " + std::to_string(counts[1]) + " High, " + std::to_string(counts[2]) +
       " Medium, " + std::to_string(counts[3]) + " Low");

  if (!report.complete) {
    warn("WARNING: incomplete scan: " + plural(report.unknown.size(), "check", "checks") +
         " could not be evaluated, " + plural(report.errors.size(), "read", "reads") + " failed");
    if (report.interrupted) {
      line("  the scan was interrupted before every read was made");
    }
    // Per place and cause: "acme/legacy: 8 checks not evaluated (missing_scope)", then the
    // cause in full (which scope is missing), wrapped rather than cut.
    std::map<std::tuple<std::string, std::string, std::string>, std::size_t> causes;
    for (const auto& u : report.unknown) {
      causes[{where(u),
              std::string(core::to_string(u.reason.value_or(core::UnknownReason::api_error))),
              u.detail}] += 1;
    }
    for (const auto& [key, count] : causes) {
      const auto& [place, reason, detail] = key;
      line("  " + place + ": " + plural(count, "check", "checks") + " not evaluated (" + reason +
           ")");
      for (const auto& part : wrap(printable(detail), width - 4)) {
        out << "    " << part << '\n';
      }
    }
    for (const auto& e : report.errors) {
      std::string what;
      if (!e.repository && e.workspace && e.endpoint.find("/repositories/") != std::string::npos) {
        what = "workspace " + *e.workspace + ": repositories could not be listed";
      } else if (!e.workspace && e.endpoint.find("workspaces") != std::string::npos) {
        what = "workspaces could not be listed";
      } else {
        continue;  // already summarised by the unknowns it caused
      }
      line("  " + what);
      for (const auto& part : wrap(printable(e.message), width - 4)) {
        out << "    " << part << '\n';
      }
    }
  }
}

}  // namespace bbp::report
