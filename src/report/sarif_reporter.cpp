#include "bbp/report/sarif_reporter.hpp"

#include <map>
#include <optional>
#include <string>

#include "bbp/report/json_reporter.hpp"
#include "bbp/text/streamed_json.hpp"
#include "bbp/text/text.hpp"

namespace bbp::report {
namespace {

using nlohmann::json;

// "public-repository" -> "PublicRepository": the rule's SARIF `name`.
std::string camel_case(std::string_view slug) {
  std::string out;
  bool upper = true;
  for (const char c : slug) {
    if (c == '-' || c == '_') {
      upper = true;
      continue;
    }
    out += upper ? text::ascii_upper(c) : c;
    upper = false;
  }
  return out;
}

std::optional<std::size_t> rule_index(const core::Rule& rule) {
  const auto rules = core::catalogue();
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (rules[i].id == rule.id) {
      return i;
    }
  }
  return std::nullopt;
}

json rule_reference(const core::Rule& rule) {
  json ref{{"id", rule.slug}};
  if (const auto index = rule_index(rule)) {
    ref["index"] = *index;
  }
  return ref;
}

// The run's logical locations: workspaces, projects, repositories and keys, each pointing at
// its parent, listed once in order of first use.
class LogicalLocations {
 public:
  // The innermost location of an evaluation, as a result's `logicalLocations` entry.
  json reference(const core::Evaluation& e) {
    const auto index = locate(e);
    const auto& loc = locations_[index];
    return json{{"index", index},
                {"name", loc["name"]},
                {"fullyQualifiedName", loc["fullyQualifiedName"]},
                {"kind", loc["kind"]}};
  }

  // Adds the evaluation's locations (the order of first use sets their indices).
  std::size_t locate(const core::Evaluation& e) {
    std::optional<std::size_t> parent;
    std::string prefix;
    if (e.workspace) {
      prefix = *e.workspace;
      parent = add(prefix, *e.workspace, "namespace", std::nullopt);
    }
    if (e.repository) {
      const auto slash = e.repository->find('/');
      const std::string slug =
          slash == std::string::npos ? *e.repository : e.repository->substr(slash + 1);
      prefix = *e.repository;
      parent = add(prefix, slug, "module", parent);
    } else if (e.project) {
      prefix += "/projects/" + *e.project;
      parent = add(prefix, *e.project, "namespace", parent);
    }
    const auto& r = e.resource;
    if (r.type == core::ResourceType::deploy_key ||
        r.type == core::ResourceType::project_deploy_key) {
      return add(prefix + "/deploy-keys/" + r.id, r.name, "resource", parent);
    }
    if (r.type == core::ResourceType::ssh_key) {
      return add("ssh-keys/" + r.id, r.name, "resource", parent);
    }
    if (r.type == core::ResourceType::user) {
      return add("ssh-keys", r.name, "resource", parent);
    }
    if (r.type == core::ResourceType::webhook) {
      return add(prefix + "/hooks/" + r.id, r.name, "resource", parent);
    }
    if (r.type == core::ResourceType::pipeline_variable) {
      return add(prefix + "/variables/" + r.id, r.name, "resource", parent);
    }
    if (parent) {
      return *parent;  // the repository, project or workspace itself
    }
    return add(std::string(core::to_string(r.type)) + "/" + r.id, r.name, "resource", std::nullopt);
  }

  const json& all() const { return locations_; }

 private:
  std::size_t add(const std::string& qualified, const std::string& name, std::string_view kind,
                  std::optional<std::size_t> parent) {
    if (const auto it = index_.find(qualified); it != index_.end()) {
      return it->second;
    }
    json loc{{"name", name}, {"fullyQualifiedName", qualified}, {"kind", kind}};
    if (parent) {
      loc["parentIndex"] = *parent;
    }
    locations_.push_back(std::move(loc));
    const auto index = locations_.size() - 1;
    index_.emplace(qualified, index);
    return index;
  }

  json locations_ = json::array();
  std::map<std::string, std::size_t> index_;
};

// "accepted until 2027-01-31 (bbposture.yaml:12): <reason>": why the finding is accepted.
json suppressions_json(const core::SuppressionMark& mark) {
  std::string justification = mark.reason + " (" + mark.source;
  if (mark.expires) {
    justification += "; until " + *mark.expires;
  }
  justification += ")";
  return json::array(
      {{{"kind", "external"}, {"status", "accepted"}, {"justification", justification}}});
}

// `state`: the result's baselineState ("new", "unchanged", "absent"), or "" without a baseline.
json result_json(const core::Evaluation& f, LogicalLocations& locations, std::string_view state) {
  const auto& rule = *f.rule;
  json result{{"ruleId", rule.slug}};
  if (const auto index = rule_index(rule)) {
    result["ruleIndex"] = *index;
  }
  result["kind"] = "fail";
  result["level"] = sarif_level(rule.severity);
  auto properties = finding_json(f);
  // "acme/api deploy key 'ci': created 400 days ago; maximum 180 days."
  result["message"] = {
      {"text", describe(f) + ": " + properties["message"].get<std::string>() + "."}};
  result["locations"] = json::array({{{"logicalLocations", {locations.reference(f)}}}});
  result["partialFingerprints"] = {{kFingerprintKey, f.fingerprint}};
  properties.erase("message");      // in the result's message
  properties.erase("remediation");  // in the rule's help
  properties.erase("title");        // in the rule's short description
  properties["security-severity"] = security_severity(rule.severity);
  result["properties"] = std::move(properties);
  if (f.suppressed) {
    result["suppressions"] = suppressions_json(*f.suppressed);
  }
  if (!state.empty()) {
    result["baselineState"] = state;
  }
  return result;
}

// A check that passes only because of declared restrictions: a result of kind "pass", so code
// scanning shows where a pass rests on the user's word rather than on what the API returned.
json declared_pass_result(const core::Evaluation& p, LogicalLocations& locations) {
  json result{{"ruleId", p.rule->slug}};
  if (const auto index = rule_index(*p.rule)) {
    result["ruleIndex"] = *index;
  }
  result["kind"] = "pass";
  result["level"] = "none";
  result["message"] = {{"text", describe(p) + ": " + declared_pass_message(p) + "."}};
  result["locations"] = json::array({{{"logicalLocations", {locations.reference(p)}}}});
  auto properties = declared_pass_json(p);
  properties.erase("message");
  properties.erase("title");
  result["properties"] = std::move(properties);
  return result;
}

std::string_view state_of(const core::Evaluation& f) {
  return f.baseline_state ? baseline_state_name(*f.baseline_state) : "";
}

json unknown_notification(const core::Evaluation& u, LogicalLocations& locations) {
  const std::string reason(core::to_string(u.reason.value_or(core::UnknownReason::api_error)));
  return {{"level", "warning"},
          {"message",
           {{"text", "Not evaluated: " + std::string(u.rule->slug) + " on " + where(u) + ": " +
                         reason + " (" + u.detail + ")."}}},
          {"associatedRule", rule_reference(*u.rule)},
          {"locations", json::array({{{"logicalLocations", {locations.reference(u)}}}})},
          {"properties", unknown_json(u)}};
}

json error_notification(const ErrorEntry& e) {
  json properties{
      {"workspace", e.workspace ? json(*e.workspace) : json()},
      {"repository", e.repository ? json(*e.repository) : json()},
      {"endpoint", e.endpoint},
      {"http_status", e.http_status ? json(*e.http_status) : json()},
      {"message", e.message},
  };
  return {{"level", "error"},
          {"message", {{"text", "Read failed: " + e.endpoint + ": " + e.message + "."}}},
          {"properties", std::move(properties)}};
}

}  // namespace

std::string_view information_uri() {
  return BBP_INFORMATION_URI;
}

std::string_view sarif_level(core::Severity severity) {
  switch (severity) {
    case core::Severity::critical:
    case core::Severity::high:
      return "error";
    case core::Severity::medium:
      return "warning";
    case core::Severity::low:
      return "note";
  }
  return "note";
}

std::string_view security_severity(core::Severity severity) {
  switch (severity) {
    case core::Severity::critical:
      return "9.5";
    case core::Severity::high:
      return "8.0";
    case core::Severity::medium:
      return "5.5";
    case core::Severity::low:
      return "3.0";
  }
  return "3.0";
}

json sarif_rule(const core::Rule& rule) {
  const std::string remediation(rule.remediation);
  return {
      {"id", rule.slug},
      {"name", camel_case(rule.slug)},
      {"shortDescription", {{"text", rule.title}}},
      {"fullDescription", {{"text", rule.description}}},
      {"help",
       {{"text", "Remediation: " + remediation}, {"markdown", "**Remediation.** " + remediation}}},
      {"defaultConfiguration", {{"level", sarif_level(rule.severity)}}},
      {"properties",
       {{"tags", {"security", "bitbucket"}},
        {"finding_type_id", rule.id},
        {"severity", core::to_string(rule.severity)},
        {"security-severity", security_severity(rule.severity)},
        {"evaluated_on", core::to_string(rule.subject)}}}};
}

namespace {

constexpr const char* kResultsSlot = "@bbposture:results@";
constexpr const char* kNotificationsSlot = "@bbposture:notifications@";

// The whole document around `results` and the notifications (given as values or slot markers).
json sarif_document(const ScanReport& report, const LogicalLocations& locations, json results,
                    json notifications) {
  json rules = json::array();
  for (const auto& rule : core::catalogue()) {
    rules.push_back(sarif_rule(rule));
  }
  auto scan = scan_json(report);
  auto settings = std::move(scan["settings"]);
  scan.erase("settings");
  json invocation{{"executionSuccessful", report.complete},
                  {"startTimeUtc", core::format_timestamp(report.started_at)},
                  {"endTimeUtc", core::format_timestamp(report.finished_at)},
                  {"toolExecutionNotifications", std::move(notifications)}};
  if (report.selection) {
    invocation["properties"] = {{"selection", selection_json(report)}};
  }
  json driver{{"name", "bbposture"}, {"version", report.tool_version}, {"rules", std::move(rules)}};
  if (!information_uri().empty()) {
    driver["informationUri"] = information_uri();  // only when the build names a real home page
  }
  json run{
      {"tool", {{"driver", std::move(driver)}}},
      {"invocations", json::array({std::move(invocation)})},
      {"logicalLocations", locations.all()},
      {"results", std::move(results)},
      {"properties",
       {{"settings", std::move(settings)},
        {"scan", std::move(scan)},
        {"summary", summary_json(report)},
        {"interrupted", report.interrupted}}},
  };
  if (report.baseline) {
    // A baseline's findings this report did not look at again: not results (SARIF's "absent"
    // would call them fixed), listed apart.
    auto& gone = run["properties"]["not_rechecked"] = json::array();
    for (const auto& f : report.not_rechecked) {
      gone.push_back(not_rechecked_json(f));
    }
  }
  return {{"$schema", kSarifSchemaUri}, {"version", "2.1.0"}, {"runs", json::array({run})}};
}

// Results first, then the unknowns: the order in which locations get their indices.
LogicalLocations locations_of(const ScanReport& report) {
  LogicalLocations locations;
  for (const auto& f : report.findings) {
    locations.locate(f);
  }
  for (const auto& u : report.unknown) {
    locations.locate(u);
  }
  for (const auto& f : report.fixed) {
    locations.locate(f);
  }
  for (const auto& p : report.declared_passes) {
    locations.locate(p);
  }
  return locations;
}

}  // namespace

json to_sarif(const ScanReport& report) {
  auto locations = locations_of(report);
  json results = json::array();
  for (const auto& f : report.findings) {
    results.push_back(result_json(f, locations, state_of(f)));
  }
  for (const auto& f : report.fixed) {
    results.push_back(result_json(f, locations, "absent"));
  }
  for (const auto& p : report.declared_passes) {
    results.push_back(declared_pass_result(p, locations));
  }
  json notifications = json::array();
  for (const auto& u : report.unknown) {
    notifications.push_back(unknown_notification(u, locations));
  }
  for (const auto& e : report.errors) {
    notifications.push_back(error_notification(e));
  }
  return sarif_document(report, locations, std::move(results), std::move(notifications));
}

void SarifReporter::write(const ScanReport& report, std::ostream& out) const {
  // The results and notifications are written one at a time (see bbp/text/streamed_json.hpp).
  auto locations = locations_of(report);
  text::write_streamed(
      out, sarif_document(report, locations, kResultsSlot, kNotificationsSlot),
      {{"results", kResultsSlot,
        [&](text::ArrayWriter& w) {
          for (const auto& f : report.findings) {
            w.add(result_json(f, locations, state_of(f)));
          }
          // A baseline's findings that are gone: results marked absent.
          for (const auto& f : report.fixed) {
            w.add(result_json(f, locations, "absent"));
          }
          for (const auto& p : report.declared_passes) {
            w.add(declared_pass_result(p, locations));
          }
        }},
       {"toolExecutionNotifications", kNotificationsSlot, [&](text::ArrayWriter& w) {
          for (const auto& u : report.unknown) {
            w.add(unknown_notification(u, locations));
          }
          for (const auto& e : report.errors) {
            w.add(error_notification(e));
          }
        }}});
}

}  // namespace bbp::report
