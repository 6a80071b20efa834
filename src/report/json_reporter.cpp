#include "bbp/report/json_reporter.hpp"

#include "bbp/text/streamed_json.hpp"

namespace bbp::report {
namespace {

nlohmann::json optional_string(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

}  // namespace

nlohmann::json resource_json(const core::Resource& resource) {
  return {{"type", core::to_string(resource.type)},
          {"id", resource.id},
          {"name", resource.name},
          {"url", resource.url}};
}

namespace {

nlohmann::json strings(const std::vector<std::string>& values) {
  return values.empty() ? nlohmann::json::array() : nlohmann::json(values);
}

nlohmann::json optional_severity(const std::optional<core::Severity>& severity) {
  return severity ? nlohmann::json(core::to_string(*severity)) : nlohmann::json();
}

nlohmann::json thresholds_json(const ScanReport& report) {
  auto out = nlohmann::json::object();
  for (const auto* threshold : used_thresholds(report)) {
    out[std::string(threshold->key)] = report.settings.*threshold->field;
  }
  return out;
}

nlohmann::json snapshot_source_json(const std::optional<SnapshotSource>& snapshot) {
  if (!snapshot) {
    return nullptr;
  }
  return {{"file", snapshot->file},
          {"collected_at", core::format_timestamp(snapshot->collected_at)},
          {"api_requests",
           snapshot->api_requests ? nlohmann::json(*snapshot->api_requests) : nlohmann::json()}};
}

}  // namespace

nlohmann::json selection_json(const ScanReport& report) {
  const auto& s = *report.selection;
  nlohmann::json rules = nlohmann::json::array();
  for (const auto* rule : report.rules) {
    rules.push_back(rule->id);
  }
  nlohmann::json out{
      {"platform", s.platform},
      {"api_url", report.api_url},
      {"credential", optional_string(report.credential)},
      {"identity", optional_string(s.identity)},
      {"rule_set", s.rule_set},
      {"rules", std::move(rules)},
      {"workspaces", strings(s.workspaces)},
      {"repositories", strings(s.repos)},
      {"exclude_repositories", strings(s.exclude_repos)},
      {"projects", strings(s.projects)},
      {"include_user_keys", s.include_user_keys},
      {"user_keys", s.user_keys},
      {"min_severity", optional_severity(report.min_severity)},
      {"fail_on", optional_severity(s.fail_on)},
      {"thresholds", thresholds_json(report)},
      {"config", s.config ? nlohmann::json{{"file", s.config->file}, {"sha256", s.config->sha256}}
                          : nlohmann::json()},
      {"tool_version", report.tool_version},
      {"snapshot", snapshot_source_json(s.snapshot)}};
  if (s.server_version) {
    out["server_version"] = *s.server_version;  // Data Center only
  }
  return out;
}

nlohmann::json scan_json(const ScanReport& report) {
  nlohmann::json scan{{"started_at", core::format_timestamp(report.started_at)},
                      {"finished_at", core::format_timestamp(report.finished_at)},
                      {"api_url", report.api_url},
                      {"workspaces", report.workspaces},
                      {"complete", report.complete},
                      {"repositories", report.repositories},
                      {"keys", report.keys},
                      {"api_requests", report.api_requests},
                      {"settings", thresholds_json(report)}};
  if (report.credential) {
    scan["credential"] = *report.credential;
  }
  if (report.selection) {
    scan["selection"] = selection_json(report);
  }
  return scan;
}

nlohmann::json summary_json(const ScanReport& report) {
  const auto c = count(report);
  nlohmann::json summary{{"Critical", c.by_severity[0]},
                         {"High", c.by_severity[1]},
                         {"Medium", c.by_severity[2]},
                         {"Low", c.by_severity[3]},
                         {"total", c.total},
                         {"unknown", report.unknown.size()}};
  if (report.suppressions_applied) {
    summary["suppressed"] = c.suppressed;
  }
  if (report.declarations_applied) {
    summary["declared_passes"] = report.declared_passes.size();
  }
  if (report.baseline) {
    summary["new"] = c.new_findings;
    summary["unchanged"] = c.unchanged;
    summary["fixed"] = c.fixed;
    summary["not_rechecked"] = c.not_rechecked;
  }
  return summary;
}

std::string_view baseline_state_name(core::BaselineState state) {
  return state == core::BaselineState::new_finding ? "new" : "unchanged";
}

nlohmann::json finding_json(const core::Evaluation& f) {
  auto evidence = f.evidence.value();  // worked out once: the message is worded from it
  auto message = core::message_of(*f.rule, evidence);
  nlohmann::json json{{"fingerprint", f.fingerprint},
                      {"finding_type_id", f.rule->id},
                      {"rule", f.rule->slug},
                      {"title", f.rule->title},
                      {"message", std::move(message)},
                      {"severity", core::to_string(f.rule->severity)},
                      {"workspace", optional_string(f.workspace)},
                      {"repository", optional_string(f.repository)},
                      {"project", optional_string(f.project)},
                      {"resource", resource_json(f.resource)},
                      {"evidence", std::move(evidence)},
                      {"remediation", f.rule->remediation}};
  if (f.suppressed) {
    json["suppressed"] = {{"reason", f.suppressed->reason},
                          {"expires", optional_string(f.suppressed->expires)},
                          {"source", f.suppressed->source}};
  }
  if (f.baseline_state) {
    json["baseline_state"] = baseline_state_name(*f.baseline_state);
  }
  return json;
}

nlohmann::json fixed_json(const core::Evaluation& f) {
  auto json = finding_json(f);
  json["baseline_state"] = "absent";
  return json;
}

nlohmann::json not_rechecked_json(const core::Evaluation& f) {
  auto json = finding_json(f);
  json["baseline_state"] = "not_rechecked";
  return json;
}

nlohmann::json declared_pass_json(const core::Evaluation& p) {
  return {{"finding_type_id", p.rule->id},
          {"rule", p.rule->slug},
          {"title", p.rule->title},
          {"outcome", "pass"},
          {"message", declared_pass_message(p)},
          {"severity", core::to_string(p.rule->severity)},
          {"workspace", optional_string(p.workspace)},
          {"repository", optional_string(p.repository)},
          {"project", optional_string(p.project)},
          {"resource", resource_json(p.resource)},
          {"evidence", p.evidence.value()},
          {"declared_by", p.declared_by}};
}

nlohmann::json unknown_json(const core::Evaluation& u) {
  return {{"finding_type_id", u.rule->id},
          {"rule", u.rule->slug},
          {"title", u.rule->title},
          {"severity", core::to_string(u.rule->severity)},
          {"workspace", optional_string(u.workspace)},
          {"repository", optional_string(u.repository)},
          {"project", optional_string(u.project)},
          {"resource", resource_json(u.resource)},
          {"reason", core::to_string(u.reason.value_or(core::UnknownReason::api_error))},
          {"detail", u.detail}};
}

namespace {

constexpr const char* kFindingsSlot = "@bbposture:findings@";
constexpr const char* kUnknownSlot = "@bbposture:unknown@";
constexpr const char* kFixedSlot = "@bbposture:fixed@";
constexpr const char* kNotRecheckedSlot = "@bbposture:not_rechecked@";
constexpr const char* kDeclaredSlot = "@bbposture:declared_passes@";

// Everything but the two long lists, which hold slot markers to be streamed in their place.
nlohmann::json document_skeleton(const ScanReport& report) {
  const nlohmann::json findings = kFindingsSlot;
  const nlohmann::json unknown = kUnknownSlot;
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& e : report.errors) {
    errors.push_back(
        {{"workspace", optional_string(e.workspace)},
         {"repository", optional_string(e.repository)},
         {"endpoint", e.endpoint},
         {"http_status", e.http_status ? nlohmann::json(*e.http_status) : nlohmann::json()},
         {"message", e.message}});
  }
  nlohmann::json doc{{"schema_version", 1},
                     {"tool", {{"name", "bbposture"}, {"version", report.tool_version}}},
                     {"scan", scan_json(report)},
                     {"summary", summary_json(report)},
                     {"findings", findings},
                     {"unknown", unknown},
                     {"errors", errors}};
  if (report.baseline) {
    doc["baseline"] = {{"file", report.baseline->file},
                       {"started_at", core::format_timestamp(report.baseline->started_at)}};
    doc["fixed"] = kFixedSlot;
    doc["not_rechecked"] = kNotRecheckedSlot;
  }
  if (report.declarations_applied) {
    doc["declared_passes"] = kDeclaredSlot;
  }
  return doc;
}

}  // namespace

nlohmann::json to_json(const ScanReport& report) {
  auto doc = document_skeleton(report);
  doc["findings"] = nlohmann::json::array();
  for (const auto& f : report.findings) {
    doc["findings"].push_back(finding_json(f));
  }
  doc["unknown"] = nlohmann::json::array();
  for (const auto& u : report.unknown) {
    doc["unknown"].push_back(unknown_json(u));
  }
  if (report.baseline) {
    doc["fixed"] = nlohmann::json::array();
    for (const auto& f : report.fixed) {
      doc["fixed"].push_back(fixed_json(f));
    }
    doc["not_rechecked"] = nlohmann::json::array();
    for (const auto& f : report.not_rechecked) {
      doc["not_rechecked"].push_back(not_rechecked_json(f));
    }
  }
  if (report.declarations_applied) {
    doc["declared_passes"] = nlohmann::json::array();
    for (const auto& p : report.declared_passes) {
      doc["declared_passes"].push_back(declared_pass_json(p));
    }
  }
  return doc;
}

void JsonReporter::write(const ScanReport& report, std::ostream& out) const {
  // Text read from Bitbucket is not guaranteed to be valid UTF-8: replaced, never fatal.
  std::vector<text::StreamedArray> arrays{{"findings", kFindingsSlot,
                                           [&](text::ArrayWriter& w) {
                                             for (const auto& f : report.findings) {
                                               w.add(finding_json(f));
                                             }
                                           }},
                                          {"unknown", kUnknownSlot, [&](text::ArrayWriter& w) {
                                             for (const auto& u : report.unknown) {
                                               w.add(unknown_json(u));
                                             }
                                           }}};
  if (report.baseline) {
    arrays.push_back({"fixed", kFixedSlot, [&](text::ArrayWriter& w) {
                        for (const auto& f : report.fixed) {
                          w.add(fixed_json(f));
                        }
                      }});
    arrays.push_back({"not_rechecked", kNotRecheckedSlot, [&](text::ArrayWriter& w) {
                        for (const auto& f : report.not_rechecked) {
                          w.add(not_rechecked_json(f));
                        }
                      }});
  }
  if (report.declarations_applied) {
    arrays.push_back({"declared_passes", kDeclaredSlot, [&](text::ArrayWriter& w) {
                        for (const auto& p : report.declared_passes) {
                          w.add(declared_pass_json(p));
                        }
                      }});
  }
  text::write_streamed(out, document_skeleton(report), arrays);
}

}  // namespace bbp::report
