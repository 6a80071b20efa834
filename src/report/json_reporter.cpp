#include "bbp/report/json_reporter.hpp"

namespace bbp::report {
namespace {

nlohmann::json optional_string(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

}  // namespace

nlohmann::json resource_json(const core::Resource& resource) {
  return {
      {"type", resource.type}, {"id", resource.id}, {"name", resource.name}, {"url", resource.url}};
}

nlohmann::json finding_json(const core::Evaluation& f) {
  return {{"fingerprint", f.fingerprint},
          {"finding_type_id", f.rule->id},
          {"rule", f.rule->slug},
          {"title", f.rule->title},
          {"severity", core::to_string(f.rule->severity)},
          {"workspace", optional_string(f.workspace)},
          {"repository", optional_string(f.repository)},
          {"project", optional_string(f.project)},
          {"resource", resource_json(f.resource)},
          {"evidence", f.evidence},
          {"remediation", f.rule->remediation}};
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

constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
constexpr const char* kFindingsSlot = "@bbposture:findings@";
constexpr const char* kUnknownSlot = "@bbposture:unknown@";

// Everything but the two long lists, which hold slot markers to be streamed in their place.
nlohmann::json document_skeleton(const ScanReport& report) {
  const auto counts = count_by_severity(report);
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
  return {{"schema_version", 1},
          {"tool", {{"name", "bbposture"}, {"version", report.tool_version}}},
          {"scan",
           {{"started_at", core::format_timestamp(report.started_at)},
            {"finished_at", core::format_timestamp(report.finished_at)},
            {"api_url", report.api_url},
            {"workspaces", report.workspaces},
            {"complete", report.complete},
            {"repositories", report.repositories},
            {"keys", report.keys},
            {"api_requests", report.api_requests},
            {"settings",
             {{"stale_days", report.settings.stale_days},
              {"key_max_age_days", report.settings.key_max_age_days},
              {"min_approvals", report.settings.min_approvals}}}}},
          {"summary",
           {{"Critical", counts[0]},
            {"High", counts[1]},
            {"Medium", counts[2]},
            {"Low", counts[3]},
            {"total", report.findings.size()},
            {"unknown", report.unknown.size()}}},
          {"findings", findings},
          {"unknown", unknown},
          {"errors", errors}};
}

// Writes `items` as the pretty-printed array nlohmann::json::dump(2) would write at nesting
// depth 1, one element at a time, so the whole document never exists in memory at once.
template <typename Items, typename ToJson>
void stream_array(std::ostream& out, const Items& items, ToJson to_json_item) {
  if (items.empty()) {
    out << "[]";
    return;
  }
  out << "[\n";
  bool first = true;
  for (const auto& item : items) {
    if (!first) {
      out << ",\n";
    }
    first = false;
    const std::string text = to_json_item(item).dump(2, ' ', false, kReplace);
    // Re-indent by two levels: strings hold no raw newline, so every '\n' starts a line.
    out << "    ";
    for (const char c : text) {
      out << c;
      if (c == '\n') {
        out << "    ";
      }
    }
  }
  out << "\n  ]";
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
  return doc;
}

void JsonReporter::write(const ScanReport& report, std::ostream& out) const {
  // Text read from Bitbucket is not guaranteed to be valid UTF-8: replace, never throw.
  const std::string skeleton = document_skeleton(report).dump(2, ' ', false, kReplace);
  const std::string findings_slot = std::string("\"") + kFindingsSlot + "\"";
  const std::string unknown_slot = std::string("\"") + kUnknownSlot + "\"";
  // The markers are top-level values, each on its own line after "  \"key\": "; nothing read
  // from Bitbucket can produce that line (strings never contain a raw newline).
  const auto findings_at = skeleton.find("\n  \"findings\": " + findings_slot);
  const auto unknown_at = skeleton.find("\n  \"unknown\": " + unknown_slot);
  std::size_t pos = 0;
  const auto copy_until = [&](std::size_t at, const std::string& key, const std::string& slot) {
    const auto value_at = at + std::string("\n  \"\": ").size() + key.size();
    out.write(skeleton.data() + pos, static_cast<std::streamsize>(value_at - pos));
    pos = value_at + slot.size();
  };
  copy_until(findings_at, "findings", findings_slot);
  stream_array(out, report.findings, finding_json);
  copy_until(unknown_at, "unknown", unknown_slot);
  stream_array(out, report.unknown, unknown_json);
  out.write(skeleton.data() + pos, static_cast<std::streamsize>(skeleton.size() - pos));
  out << '\n';
}

}  // namespace bbp::report
