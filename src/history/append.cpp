// Appending a scan: its row and counts, then only what changed for each finding.
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "bbp/history/history.hpp"
#include "bbp/report/json_reporter.hpp"
#include "bbp/report/report_reader.hpp"
#include "history_internal.hpp"
#include "store.hpp"

namespace bbp::history {
namespace {

using nlohmann::json;

template <typename T>
std::int64_t n(T value) {
  return static_cast<std::int64_t>(value);
}

constexpr const char* kInsertScan = R"sql(
INSERT INTO scans (data_read_at, started_at, finished_at, tool_version, api_url, rule_set,
  min_severity, workspaces, offline, complete, repositories, keys, api_requests, selection,
  critical, high, medium, low, total, suppressed, unknown, errors, not_rechecked)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
  ?20, ?21, ?22, ?23))sql";

tl::expected<std::int64_t, std::string> insert_scan(sql::Database& db, const report::ScanReport& r,
                                                    std::size_t not_rechecked) {
  auto stmt = db.prepare(kInsertScan);
  if (!stmt) {
    return tl::unexpected(stmt.error());
  }
  const auto c = report::count(r);
  const auto& s = *r.selection;
  stmt->bind(1, time_text(report::data_read_at(r)))
      .bind(2, time_text(r.started_at))
      .bind(3, time_text(r.finished_at))
      .bind(4, r.tool_version)
      .bind(5, r.api_url)
      .bind(6, s.rule_set)
      .bind(7, r.min_severity ? std::optional<std::string>(core::to_string(*r.min_severity))
                              : std::nullopt)
      .bind(8, json(r.workspaces).dump())
      .bind(9, n(s.snapshot.has_value()))
      .bind(10, n(r.complete))
      .bind(11, n(r.repositories))
      .bind(12, n(r.keys))
      .bind(13, n(r.api_requests))
      .bind(14, report::selection_json(r).dump());
  for (int i = 0; i < 4; ++i) {
    stmt->bind(15 + i, n(c.by_severity.at(static_cast<std::size_t>(i))));
  }
  stmt->bind(19, n(c.total))
      .bind(20, n(c.suppressed))
      .bind(21, n(r.unknown.size()))
      .bind(22, n(r.errors.size()))
      .bind(23, n(not_rechecked));
  if (auto done = stmt->run(); !done) {
    return tl::unexpected(done.error());
  }
  return db.last_insert_id();
}

// Unknowns per reason and findings per rule, for `history list` and `trend`.
sql::Status insert_counts(sql::Database& db, std::int64_t scan, const report::ScanReport& r) {
  std::map<std::string, std::int64_t> reasons;
  for (const auto& u : r.unknown) {
    ++reasons[u.reason ? std::string(core::to_string(*u.reason)) : "unknown"];
  }
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> rules;
  for (const auto& f : r.findings) {
    auto& [open, suppressed] = rules[std::string(f.rule->id)];
    ++(f.suppressed ? suppressed : open);
  }
  auto reason =
      db.prepare("INSERT INTO scan_unknowns (scan_id, reason, count) VALUES (?1, ?2, ?3)");
  auto rule = db.prepare(
      "INSERT INTO scan_rules (scan_id, finding_type_id, findings, suppressed) "
      "VALUES (?1, ?2, ?3, ?4)");
  if (!reason || !rule) {
    return tl::unexpected(!reason ? reason.error() : rule.error());
  }
  for (const auto& [name, count] : reasons) {
    if (auto done = reason->bind(1, scan).bind(2, name).bind(3, count).run(); !done) {
      return done;
    }
  }
  for (const auto& [id, counts] : rules) {
    if (auto done =
            rule->bind(1, scan).bind(2, id).bind(3, counts.first).bind(4, counts.second).run();
        !done) {
      return done;
    }
  }
  return {};
}

}  // namespace

tl::expected<AppendResult, std::string> History::append(const report::ScanReport& report,
                                                        const AppendOptions& options) {
  const auto fail = [&](const std::string& why) {
    return tl::unexpected(path_ + ": the scan was not added to the history: " + why);
  };
  if (!report.selection) {
    return fail("the report does not record how it was made");
  }
  auto transaction = sql::Transaction::begin(*db_);
  if (!transaction) {
    return fail(transaction.error());
  }
  const auto at = report::data_read_at(report);
  auto last = last_scan_time(*db_);
  if (!last) {
    return fail(last.error());
  }
  if (*last && **last > at) {
    return fail("its data was read at " + time_text(at) + ", before the last scan in it (" +
                time_text(**last) + "); a history only grows forward in time");
  }
  auto open = open_findings(*db_, /*with_evidence=*/false);
  if (!open) {
    return fail(open.error());
  }
  // The comparison a JSON baseline gets: gone and looked for again is fixed, else not re-checked.
  report::ScanReport compared = report;
  report::ScanReport before;
  before.findings = std::move(*open);
  (void)report::compare_with_baseline(compared, before, path_);
  auto scan = insert_scan(*db_, report, compared.not_rechecked.size());
  if (!scan) {
    return fail(scan.error());
  }
  AppendResult result{*scan, 0, 0, 0, compared.not_rechecked.size()};
  if (auto done = insert_counts(*db_, *scan, report); !done) {
    return fail(done.error());
  }
  if (auto done = record_findings(*db_, *scan, at, report.findings, result); !done) {
    return fail(done.error());
  }
  if (auto done = record_fixes(*db_, *scan, at, compared.fixed, result); !done) {
    return fail(done.error());
  }
  if (options.before_commit) {
    options.before_commit();
  }
  if (auto done = transaction->commit(); !done) {
    return fail(done.error());
  }
  return result;
}

}  // namespace bbp::history
