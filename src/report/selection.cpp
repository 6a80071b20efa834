// How a report was made (report.hpp's Selection): the scope it covered, whether one report's
// selection covers another's, and the selection said for people.
#include <algorithm>
#include <string>

#include "bbp/report/report.hpp"
#include "bbp/text/text.hpp"

namespace bbp::report {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Whether every element of `narrower` is in `wider`; an empty list means "all", which only an
// empty list covers.
bool list_covers(const std::vector<std::string>& wider, const std::vector<std::string>& narrower) {
  if (wider.empty()) {
    return true;
  }
  return !narrower.empty() && std::all_of(narrower.begin(), narrower.end(),
                                          [&](const auto& v) { return contains(wider, v); });
}

// Whether the repository filters of `wider` select at least what those of `narrower` do. Globs
// are compared as text: a filter is covered when `wider` has none, or the same ones.
bool repositories_covered(const Selection& wider, const Selection& narrower) {
  const bool repos =
      wider.repos.empty() || (!narrower.repos.empty() && wider.repos == narrower.repos);
  const bool excluded =
      wider.exclude_repos.empty() || wider.exclude_repos == narrower.exclude_repos;
  std::vector<std::string> wider_projects;
  std::vector<std::string> narrower_projects;
  for (const auto& p : wider.projects) {
    wider_projects.push_back(text::ascii_upper(p));
  }
  for (const auto& p : narrower.projects) {
    narrower_projects.push_back(text::ascii_upper(p));
  }
  return repos && excluded && list_covers(wider_projects, narrower_projects);
}

std::string joined(const std::vector<std::string>& values, const std::string& flag) {
  std::string out;
  for (const auto& v : values) {
    out.append(out.empty() ? "" : ", ").append(flag).append(" '").append(v).append("'");
  }
  return out;
}

// "none" or "-w 'acme', --repo 'api-*'".
std::string filters_text(const Selection& s) {
  std::string out = joined(s.workspaces, "-w");
  for (const auto& part : {joined(s.repos, "--repo"), joined(s.exclude_repos, "--exclude-repo"),
                           joined(s.projects, "--project")}) {
    if (!part.empty()) {
      out += (out.empty() ? "" : ", ") + part;
    }
  }
  if (s.include_user_keys) {
    out += (out.empty() ? "" : ", ") + std::string("--include-user-keys");
  }
  return out.empty() ? "none" : out;
}

std::string rules_text(const ScanReport& report) {
  const auto& set = report.selection->rule_set;
  std::string ids;
  for (const auto* rule : report.rules) {
    ids += (ids.empty() ? "" : " ") + std::string(rule->id);
  }
  if (set == "custom") {
    return std::to_string(report.rules.size()) + " selected: " + ids;
  }
  return set + " (" + std::to_string(report.rules.size()) + " rules)";
}

}  // namespace

std::string rule_set_name(const std::vector<const core::Rule*>& rules) {
  for (const char* name : {"casb", "extended", "all"}) {
    if (core::rule_set(name) == rules) {
      return name;
    }
  }
  return "custom";
}

std::optional<core::Scope> scope_of(const ScanReport& report) {
  if (!report.selection) {
    return std::nullopt;
  }
  const auto& s = *report.selection;
  return core::Scope{s.workspaces, s.repos,      s.exclude_repos,
                     s.projects,   report.rules, s.include_user_keys};
}

bool covers(const ScanReport& wider, const ScanReport& narrower) {
  if (!wider.selection || !narrower.selection) {
    return false;
  }
  const auto& w = *wider.selection;
  const auto& n = *narrower.selection;
  const bool rules = std::all_of(narrower.rules.begin(), narrower.rules.end(), [&](const auto* r) {
    return std::find(wider.rules.begin(), wider.rules.end(), r) != wider.rules.end();
  });
  const bool severity = !wider.min_severity ||
                        (narrower.min_severity &&
                         core::rank(*narrower.min_severity) <= core::rank(*wider.min_severity));
  return rules && severity && list_covers(w.workspaces, n.workspaces) &&
         repositories_covered(w, n) && (w.user_keys || !n.user_keys);
}

core::TimePoint data_read_at(const ScanReport& report) {
  if (report.selection && report.selection->snapshot) {
    return report.selection->snapshot->collected_at;
  }
  return report.started_at;
}

std::optional<std::string> offline_label(const ScanReport& report) {
  if (!report.selection || !report.selection->snapshot) {
    return std::nullopt;
  }
  const auto& snapshot = *report.selection->snapshot;
  std::string label = "evaluated offline from " + snapshot.file + ", a snapshot read at " +
                      core::format_timestamp(snapshot.collected_at);
  if (snapshot.api_requests) {
    label += " (" + std::to_string(*snapshot.api_requests) +
             (*snapshot.api_requests == 1 ? " request)" : " requests)");
  } else {
    label += " (its request count was not recorded)";
  }
  return label;
}

std::vector<std::pair<std::string, std::string>> selection_lines(const ScanReport& report) {
  std::vector<std::pair<std::string, std::string>> lines;
  if (!report.selection) {
    return lines;
  }
  const auto& s = *report.selection;
  if (s.platform == "bitbucket-datacenter") {
    lines.emplace_back("Platform",
                       "Bitbucket Data Center " + s.server_version.value_or("(version "
                                                                            "not read)"));
    lines.emplace_back("Identity", s.identity.value_or("not read"));
  } else {
    lines.emplace_back("Identity", s.identity.value_or("not read (GET /user is read only for the "
                                                       "caller's SSH keys)"));
  }
  lines.emplace_back("Rules", rules_text(report));
  lines.emplace_back("Filters", filters_text(s));
  lines.emplace_back("Minimum severity", report.min_severity
                                             ? std::string(core::to_string(*report.min_severity))
                                             : std::string("none"));
  lines.emplace_back("Fail on", s.fail_on ? std::string(core::to_string(*s.fail_on)) : "none");
  lines.emplace_back("Config", s.config ? s.config->file + " (sha256 " + s.config->sha256 + ")"
                                        : std::string("none"));
  if (auto offline = offline_label(report)) {
    lines.emplace_back("Data", *offline);
  }
  return lines;
}

}  // namespace bbp::report
