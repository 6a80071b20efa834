// The findings table: one row per fingerprint, changed in place, and an event per change.
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "bbp/core/catalogue.hpp"
#include "bbp/report/json_reporter.hpp"
#include "history_internal.hpp"
#include "store.hpp"

namespace bbp::history {
namespace {

using nlohmann::json;

constexpr const char* kFindingColumns =
    "id, fingerprint, finding_type_id, workspace, repository, project, resource_type, "
    "resource_id, resource_name, resource_url, evidence";

// A row of kFindingColumns as a finding of a report; nullopt for a rule this bbposture does
// not know (a history written by a version with more rules), which is left out.
std::optional<core::Evaluation> evaluation_of(const sql::Statement& row, bool with_evidence) {
  const auto* rule = core::find_rule(row.text(2));
  const auto type = core::resource_type_from_string(row.text(6));
  if (rule == nullptr || !type) {
    return std::nullopt;
  }
  core::Evaluation e;
  e.rule = rule;
  e.outcome = core::Outcome::fail;
  e.fingerprint = row.text(1);
  e.workspace = row.optional_text(3);
  e.repository = row.optional_text(4);
  e.project = row.optional_text(5);
  e.resource = {*type, row.text(7), row.text(8), row.text(9)};
  if (with_evidence) {
    e.evidence = json::parse(row.text(10), nullptr, false);
  }
  return e;
}

std::optional<std::string> suppression_json(const core::Evaluation& f) {
  if (!f.suppressed) {
    return std::nullopt;
  }
  return json{{"reason", f.suppressed->reason},
              {"expires", f.suppressed->expires ? json(*f.suppressed->expires) : json()},
              {"source", f.suppressed->source}}
      .dump();
}

constexpr const char* kInsert = R"sql(
INSERT INTO findings (fingerprint, finding_type_id, severity, workspace, repository, project,
  resource_type, resource_id, resource_name, resource_url, message, evidence, suppressed, open,
  first_scan, first_seen, last_seen)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 1, ?14, ?15, ?15))sql";

// Seen again: the latest details; a fixed finding is reopened.
constexpr const char* kUpdate = R"sql(
UPDATE findings SET severity = ?3, workspace = ?4, repository = ?5, project = ?6,
  resource_type = ?7, resource_id = ?8, resource_name = ?9, resource_url = ?10, message = ?11,
  evidence = ?12, suppressed = ?13, last_seen = ?15,
  reopened = reopened + (1 - open), fixed_at = NULL, open = 1
WHERE fingerprint = ?1)sql";

void bind_finding(sql::Statement& stmt, const core::Evaluation& f, std::int64_t scan,
                  const std::string& at) {
  auto evidence = f.evidence.value();
  auto message = core::message_of(*f.rule, evidence);
  stmt.bind(1, f.fingerprint)
      .bind(2, f.rule->id)
      .bind(3, core::to_string(f.rule->severity))
      .bind(4, f.workspace)
      .bind(5, f.repository)
      .bind(6, f.project)
      .bind(7, core::to_string(f.resource.type))
      .bind(8, f.resource.id)
      .bind(9, f.resource.name)
      .bind(10, f.resource.url)
      .bind(11, message)
      .bind(12, evidence.dump())
      .bind(13, suppression_json(f))
      .bind(14, scan)
      .bind(15, at);
}

// Whether each fingerprint has a row, and whether it is open.
tl::expected<std::map<std::string, bool>, std::string> known_findings(sql::Database& db) {
  auto stmt = db.prepare("SELECT fingerprint, open FROM findings");
  if (!stmt) {
    return tl::unexpected(stmt.error());
  }
  std::map<std::string, bool> known;
  for (auto row = stmt->step(); row && *row; row = stmt->step()) {
    known.emplace(stmt->text(0), stmt->integer(1) != 0);
  }
  return known;
}

sql::Status add_event(sql::Statement& stmt, const std::string& fingerprint, std::int64_t scan,
                      const char* kind) {
  return stmt.bind(1, fingerprint).bind(2, scan).bind(3, std::string_view(kind)).run();
}

constexpr const char* kEvent =
    "INSERT INTO events (finding_id, scan_id, kind) "
    "SELECT id, ?2, ?3 FROM findings WHERE fingerprint = ?1";

}  // namespace

tl::expected<std::optional<core::TimePoint>, std::string> last_scan_time(sql::Database& db) {
  auto stmt = db.prepare("SELECT data_read_at FROM scans ORDER BY id DESC LIMIT 1");
  if (!stmt) {
    return tl::unexpected(stmt.error());
  }
  auto row = stmt->step();
  if (!row) {
    return tl::unexpected(row.error());
  }
  if (!*row) {
    return std::nullopt;
  }
  auto time = time_of(stmt->text(0));
  if (!time) {
    return tl::unexpected(time.error());
  }
  return std::optional<core::TimePoint>(*time);
}

tl::expected<std::vector<core::Evaluation>, std::string> open_findings(sql::Database& db,
                                                                       bool with_evidence) {
  auto stmt = db.prepare(std::string("SELECT ") + kFindingColumns +
                         " FROM findings WHERE open = 1 ORDER BY id");
  if (!stmt) {
    return tl::unexpected(stmt.error());
  }
  std::vector<core::Evaluation> out;
  auto row = stmt->step();
  for (; row && *row; row = stmt->step()) {
    if (auto e = evaluation_of(*stmt, with_evidence)) {
      out.push_back(std::move(*e));
    }
  }
  if (!row) {
    return tl::unexpected(row.error());
  }
  return out;
}

namespace {

// Whether a finding was open once `scan` was appended, from its events (oldest first): the last
// event up to that scan says so; when the events up to it were pruned, the first one after it
// does (a fix means it was open before; a reopening, that it was fixed); with no event left, it
// is as it is now.
bool open_at(const std::vector<std::pair<std::int64_t, std::string>>& events, std::int64_t scan,
             bool open_now) {
  const std::pair<std::int64_t, std::string>* last = nullptr;
  for (const auto& event : events) {
    if (event.first > scan) {
      return last != nullptr ? last->second != "fixed" : event.second == "fixed";
    }
    last = &event;
  }
  return last != nullptr ? last->second != "fixed" : open_now;
}

}  // namespace

tl::expected<std::vector<core::Evaluation>, std::string> open_as_of(sql::Database& db,
                                                                    std::int64_t scan) {
  auto stmt = db.prepare(std::string("SELECT ") + kFindingColumns +
                         ", open FROM findings WHERE first_scan <= ?1 ORDER BY id");
  auto events =
      db.prepare("SELECT scan_id, kind FROM events WHERE finding_id = ?1 ORDER BY scan_id");
  if (!stmt || !events) {
    return tl::unexpected(!stmt ? stmt.error() : events.error());
  }
  stmt->bind(1, scan);
  std::vector<core::Evaluation> out;
  auto row = stmt->step();
  for (; row && *row; row = stmt->step()) {
    std::vector<std::pair<std::int64_t, std::string>> life;
    events->bind(1, stmt->integer(0));
    for (auto e = events->step(); e && *e; e = events->step()) {
      life.emplace_back(events->integer(0), events->text(1));
    }
    events->reset();
    if (!open_at(life, scan, stmt->integer(11) != 0)) {
      continue;
    }
    if (auto e = evaluation_of(*stmt, /*with_evidence=*/true)) {
      out.push_back(std::move(*e));
    }
  }
  if (!row) {
    return tl::unexpected(row.error());
  }
  return out;
}

sql::Status record_findings(sql::Database& db, std::int64_t scan, core::TimePoint at,
                            const std::vector<core::Evaluation>& findings, AppendResult& result) {
  auto known = known_findings(db);
  auto insert = db.prepare(kInsert);
  auto update = db.prepare(kUpdate);
  auto event = db.prepare(kEvent);
  if (!known || !insert || !update || !event) {
    return tl::unexpected(!known    ? known.error()
                          : !insert ? insert.error()
                          : !update ? update.error()
                                    : event.error());
  }
  const auto when = time_text(at);
  std::set<std::string> done;
  for (const auto& f : findings) {
    if (!done.insert(f.fingerprint).second) {
      continue;  // one row per fingerprint, whatever the report holds
    }
    const auto found = known->find(f.fingerprint);
    auto& stmt = found == known->end() ? *insert : *update;
    bind_finding(stmt, f, scan, when);
    if (auto written = stmt.run(); !written) {
      return written;
    }
    const char* kind = found == known->end() ? "opened" : found->second ? nullptr : "reopened";
    if (kind != nullptr) {
      ++(found == known->end() ? result.opened : result.reopened);
      if (auto added = add_event(*event, f.fingerprint, scan, kind); !added) {
        return added;
      }
    }
  }
  return {};
}

sql::Status record_fixes(sql::Database& db, std::int64_t scan, core::TimePoint at,
                         const std::vector<core::Evaluation>& fixed, AppendResult& result) {
  auto update = db.prepare("UPDATE findings SET open = 0, fixed_at = ?2 WHERE fingerprint = ?1");
  auto event = db.prepare(kEvent);
  if (!update || !event) {
    return tl::unexpected(!update ? update.error() : event.error());
  }
  const auto when = time_text(at);
  for (const auto& f : fixed) {
    if (auto done = update->bind(1, f.fingerprint).bind(2, when).run(); !done) {
      return done;
    }
    if (auto done = add_event(*event, f.fingerprint, scan, "fixed"); !done) {
      return done;
    }
    ++result.fixed;
  }
  return {};
}

}  // namespace bbp::history
