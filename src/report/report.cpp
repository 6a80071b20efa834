#include "bbp/report/report.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <utility>

#include "bbp/text/text.hpp"

namespace bbp::report {

ScanReport build_report(const core::Snapshot& snapshot, std::vector<core::Evaluation> evaluations,
                        const ReportInputs& inputs) {
  ScanReport r;
  r.tool_version = inputs.tool_version;
  r.started_at = inputs.started_at;
  r.finished_at = inputs.finished_at;
  r.api_url = snapshot.api_url;
  r.credential = inputs.credential;
  r.api_requests = inputs.api_requests;
  r.settings = inputs.settings;
  r.interrupted = inputs.interrupted;
  r.min_severity = inputs.min_severity;
  r.selection = inputs.selection;
  for (const auto& rule : core::catalogue()) {
    if (inputs.rules.empty()
            ? core::in_default_set(rule)
            : std::find(inputs.rules.begin(), inputs.rules.end(), &rule) != inputs.rules.end()) {
      r.rules.push_back(&rule);
    }
  }
  r.thresholds = thresholds_of(r.rules);
  for (const auto& ws : snapshot.workspaces) {
    r.workspaces.push_back(ws.slug);
    r.repositories += ws.repositories.size();
    r.keys += ws.keys.size();
    for (const auto& repo : ws.repositories) {
      r.checked_repositories.push_back(repo.full_name);
      if (!repo.mainbranch) {
        r.empty_repositories.push_back(repo.full_name);
      }
    }
  }
  std::sort(r.empty_repositories.begin(), r.empty_repositories.end());
  std::sort(r.checked_repositories.begin(), r.checked_repositories.end());
  r.keys += snapshot.ssh_keys.size();
  // The findings stay in `evaluations` (filtered in place, so a large scan never holds two
  // copies); the unknowns move out first.
  for (auto& e : evaluations) {
    if (e.outcome == core::Outcome::unknown) {
      r.unknown.push_back(std::move(e));
    } else if (e.outcome == core::Outcome::pass && !e.declared_by.empty()) {
      r.declared_passes.push_back(std::move(e));
    }
  }
  const auto shown = [&](const core::Evaluation& e) {
    return e.outcome == core::Outcome::fail &&
           (!inputs.min_severity ||
            core::rank(e.rule->severity) <= core::rank(*inputs.min_severity));
  };
  evaluations.erase(std::remove_if(evaluations.begin(), evaluations.end(),
                                   [&](const core::Evaluation& e) { return !shown(e); }),
                    evaluations.end());
  r.findings = std::move(evaluations);
  core::sort_for_report(r.findings);
  core::sort_for_report(r.unknown);
  core::sort_for_report(r.declared_passes);
  for (const auto& gap : snapshot.gaps) {
    ErrorEntry entry;
    if (!gap.workspace.empty()) {
      entry.workspace = gap.workspace;
    }
    entry.repository = gap.repository;
    entry.endpoint = gap.endpoint;
    entry.http_status = gap.http_status;
    entry.message = gap.detail;
    r.errors.push_back(std::move(entry));
  }
  r.complete = r.unknown.empty() && r.errors.empty() && !r.interrupted;
  return r;
}

std::vector<core::Threshold> thresholds_of(const std::vector<const core::Rule*>& rules) {
  std::vector<core::Threshold> used;
  for (const auto& row : core::thresholds()) {
    const bool used_by_a_rule = std::any_of(rules.begin(), rules.end(), [&](const core::Rule* r) {
      return std::find(r->thresholds.begin(), r->thresholds.end(), row.id) != r->thresholds.end();
    });
    if (used_by_a_rule) {
      used.push_back(row.id);
    }
  }
  return used;
}

std::vector<const core::ThresholdRow*> used_thresholds(const ScanReport& report) {
  std::vector<const core::ThresholdRow*> used;
  for (const auto id : report.thresholds) {
    used.push_back(&core::threshold(id));
  }
  return used;
}

std::array<std::size_t, 4> count_by_severity(const ScanReport& report) {
  return count(report).by_severity;
}

Counts count(const ScanReport& report) {
  Counts c;
  for (const auto& f : report.findings) {
    if (f.suppressed) {
      c.suppressed += 1;
    } else {
      c.by_severity[static_cast<std::size_t>(core::rank(f.rule->severity))] += 1;
      c.total += 1;
    }
    if (f.baseline_state == core::BaselineState::new_finding) {
      c.new_findings += 1;
    } else if (f.baseline_state == core::BaselineState::unchanged) {
      c.unchanged += 1;
    }
  }
  c.fixed = report.fixed.size();
  c.not_rechecked = report.not_rechecked.size();
  return c;
}

bool fails_on(const ScanReport& report, core::Severity threshold, bool count_unchanged) {
  return std::any_of(report.findings.begin(), report.findings.end(), [&](const auto& f) {
    const bool counted =
        !report.baseline || count_unchanged || f.baseline_state != core::BaselineState::unchanged;
    return !f.suppressed && counted && core::rank(f.rule->severity) <= core::rank(threshold);
  });
}

std::string credential_label(const std::optional<std::string>& credential) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kLabels{{
      {"client_credentials", "OAuth client credentials"},
      {"access_token", "access token"},
      {"api_token", "API token"},
  }};
  if (!credential) {
    return "not recorded";
  }
  for (const auto& [name, label] : kLabels) {
    if (*credential == name) {
      return std::string(label);
    }
  }
  return *credential;
}

std::string where(const core::Evaluation& e) {
  if (e.repository) {
    return *e.repository;
  }
  if (e.project) {
    return e.workspace.value_or("") + " project " + *e.project;
  }
  if (e.resource.type == core::ResourceType::workspace) {
    return "workspace " + e.resource.id;
  }
  if (e.workspace) {
    return "workspace " + *e.workspace;  // a workspace's own webhook or variable
  }
  return "your account";
}

std::string describe(const core::Evaluation& e) {
  if (core::is_key(e.resource.type)) {
    return where(e) + " " + std::string(core::key_noun(e.resource.type)) + " '" + e.resource.name +
           "'";
  }
  return where(e);
}

std::string declared_pass_message(const core::Evaluation& evaluation) {
  return "passes only because of restrictions declared in " + text::join(evaluation.declared_by);
}

std::string thresholds_text(const ScanReport& report) {
  std::string text;
  for (const auto* threshold : used_thresholds(report)) {
    text.append(text.empty() ? "" : "; ")
        .append(threshold->key)
        .append(" ")
        .append(std::to_string(report.settings.*threshold->field));
    if (!threshold->unit.empty()) {
      text.append(" ").append(threshold->unit);
    }
  }
  return text.empty() ? "none" : text;
}

}  // namespace bbp::report
