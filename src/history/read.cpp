// What `history list`, `trend` and `stats`, the HTML view and `scan --baseline FILE.db` read.
#include <algorithm>
#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "bbp/core/catalogue.hpp"
#include "bbp/report/report_reader.hpp"
#include "history_internal.hpp"
#include "store.hpp"

namespace bbp::history {
namespace {

using nlohmann::json;

constexpr const char* kScanQuery = R"sql(
SELECT id, data_read_at, rule_set, min_severity, offline, complete, selection, critical, high,
  medium, low, total, suppressed, unknown, errors, not_rechecked, started_at, finished_at,
  tool_version, api_url, workspaces, repositories, keys, api_requests
FROM scans ORDER BY id)sql";

std::string joined(const json& values, const std::string& flag) {
  std::string out;
  for (const auto& v : values) {
    out += (out.empty() ? "" : ", ") + flag + " '" + v.get<std::string>() + "'";
  }
  return out;
}

// The filters of a stored selection, as `history list` shows them.
std::string filters_of(const json& s) {
  std::string out;
  for (const auto& [key, flag] :
       {std::pair{"workspaces", "-w"}, std::pair{"repositories", "--repo"},
        std::pair{"exclude_repositories", "--exclude-repo"}, std::pair{"projects", "--project"}}) {
    const auto part = s.contains(key) ? joined(s.at(key), flag) : std::string();
    out += (out.empty() || part.empty() ? "" : ", ") + part;
  }
  if (s.value("include_user_keys", false)) {
    out += (out.empty() ? "" : ", ") + std::string("--include-user-keys");
  }
  return out;
}

std::size_t z(std::int64_t value) {
  return static_cast<std::size_t>(value);
}

tl::expected<ScanRow, std::string> scan_row(const sql::Statement& row) {
  ScanRow r;
  r.id = row.integer(0);
  auto at = time_of(row.text(1));
  if (!at) {
    return tl::unexpected(at.error());
  }
  r.data_read_at = *at;
  r.rule_set = row.text(2);
  r.min_severity = row.optional_text(3);
  r.offline = row.integer(4) != 0;
  r.complete = row.integer(5) != 0;
  const auto selection = json::parse(row.text(6), nullptr, false);
  r.rules = selection.contains("rules") ? selection.at("rules").size() : 0;
  r.filters = filters_of(selection);
  for (std::size_t i = 0; i < 4; ++i) {
    r.by_severity.at(i) = z(row.integer(7 + static_cast<int>(i)));
  }
  r.total = z(row.integer(11));
  r.suppressed = z(row.integer(12));
  r.unknown = z(row.integer(13));
  r.errors = z(row.integer(14));
  r.not_rechecked = z(row.integer(15));
  return r;
}

// Per scan: unknowns by reason, findings by rule, and the events it recorded.
sql::Status add_details(sql::Database& db, std::vector<ScanRow>& rows) {
  auto reasons = db.prepare("SELECT scan_id, reason, count FROM scan_unknowns");
  auto rules = db.prepare("SELECT scan_id, finding_type_id, findings FROM scan_rules");
  auto events = db.prepare("SELECT scan_id, kind, count(*) FROM events GROUP BY scan_id, kind");
  if (!reasons || !rules || !events) {
    return tl::unexpected(!reasons ? reasons.error() : !rules ? rules.error() : events.error());
  }
  const auto find = [&](std::int64_t id) {
    const auto it = std::lower_bound(rows.begin(), rows.end(), id,
                                     [](const ScanRow& r, std::int64_t v) { return r.id < v; });
    return it != rows.end() && it->id == id ? &*it : nullptr;
  };
  for (auto row = reasons->step(); row && *row; row = reasons->step()) {
    if (auto* scan = find(reasons->integer(0))) {
      scan->unknown_by_reason[reasons->text(1)] = z(reasons->integer(2));
    }
  }
  for (auto row = rules->step(); row && *row; row = rules->step()) {
    const auto* rule = core::find_rule(rules->text(1));
    if (auto* scan = find(rules->integer(0))) {
      scan->by_rule[rule != nullptr ? std::string(rule->slug) : rules->text(1)] =
          z(rules->integer(2));
    }
  }
  for (auto row = events->step(); row && *row; row = events->step()) {
    if (auto* scan = find(events->integer(0))) {
      const auto kind = events->text(1);
      (kind == "opened"  ? scan->opened
       : kind == "fixed" ? scan->fixed
                         : scan->reopened) = z(events->integer(2));
    }
  }
  return {};
}

// A stored scan as the header of a report (its selection, rules, minimum severity and times),
// read back the way a JSON report is, so that report::covers and the comparison see exactly
// what they would see in a report file.
tl::expected<report::ScanReport, std::string> report_header(const sql::Statement& row) {
  auto selection = json::parse(row.text(6), nullptr, false);
  json scan{{"started_at", row.text(16)},
            {"finished_at", row.text(17)},
            {"api_url", row.text(19)},
            {"workspaces", json::parse(row.text(20), nullptr, false)},
            {"complete", row.integer(5) != 0},
            {"repositories", row.integer(21)},
            {"keys", row.integer(22)},
            {"api_requests", row.integer(23)},
            {"settings", selection.value("thresholds", json::object())},
            {"credential", selection.value("credential", json())},
            {"selection", selection}};
  json doc{{"tool", {{"name", "bbposture"}, {"version", row.text(18)}}},
           {"schema_version", 1},
           {"scan", std::move(scan)},
           {"findings", json::array()},
           {"unknown", json::array()},
           {"errors", json::array()},
           {"summary", json::object()}};
  std::istringstream in(doc.dump());
  return report::read_report(in, "scan " + std::to_string(row.integer(0)));
}

}  // namespace

tl::expected<std::vector<ScanRow>, std::string> History::scans() const {
  auto stmt = db_->prepare(kScanQuery);
  if (!stmt) {
    return tl::unexpected(path_ + ": " + stmt.error());
  }
  std::vector<ScanRow> rows;
  for (auto row = stmt->step(); row && *row; row = stmt->step()) {
    auto r = scan_row(*stmt);
    if (!r) {
      return tl::unexpected(path_ + ": " + r.error());
    }
    rows.push_back(std::move(*r));
  }
  if (auto done = add_details(*db_, rows); !done) {
    return tl::unexpected(path_ + ": " + done.error());
  }
  return rows;
}

tl::expected<std::optional<report::ScanReport>, std::string> History::baseline_for(
    const report::ScanReport& current) const {
  auto stmt = db_->prepare(std::string(kScanQuery) + " DESC");
  if (!stmt) {
    return tl::unexpected(path_ + ": " + stmt.error());
  }
  for (auto row = stmt->step(); row && *row; row = stmt->step()) {
    auto header = report_header(*stmt);
    if (!header) {
      return tl::unexpected(path_ + ": " + header.error());
    }
    if (!report::covers(*header, current)) {
      continue;
    }
    auto open = open_as_of(*db_, stmt->integer(0));
    if (!open) {
      return tl::unexpected(path_ + ": " + open.error());
    }
    header->findings = std::move(*open);
    core::sort_for_report(header->findings);
    return std::optional<report::ScanReport>(std::move(*header));
  }
  return std::nullopt;
}

tl::expected<HistoryView, std::string> History::view(std::size_t last_scans) const {
  auto rows = scans();
  if (!rows) {
    return tl::unexpected(rows.error());
  }
  HistoryView view;
  const auto skip = rows->size() > last_scans ? rows->size() - last_scans : 0;
  for (auto it = rows->begin() + static_cast<std::ptrdiff_t>(skip); it != rows->end(); ++it) {
    view.scans.push_back({it->data_read_at, it->by_severity});
  }
  auto stmt = db_->prepare("SELECT fingerprint, first_seen FROM findings");
  if (!stmt) {
    return tl::unexpected(path_ + ": " + stmt.error());
  }
  for (auto row = stmt->step(); row && *row; row = stmt->step()) {
    if (const auto at = core::parse_timestamp(stmt->text(1))) {
      view.first_seen.emplace(stmt->text(0), *at);
    }
  }
  return view;
}

}  // namespace bbp::history
