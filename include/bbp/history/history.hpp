// The scan history (docs/history.md): an embedded SQLite database that `scan --history FILE.db`
// appends each scan to, storing changes rather than copies: one row per finding fingerprint
// (first seen, last seen, fixed, reopened) and, per scan, its selection, its counts and the
// findings it opened, fixed or reopened. `history list|trend|show|stats|prune` read it, and
// `scan --baseline FILE.db` compares a scan with the last one in it that covers it.
//
// Only the app uses this layer. Every failure is a value: a sentence naming the file.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "bbp/core/time.hpp"
#include "bbp/report/report.hpp"

namespace bbp::history {

namespace sql {
class Database;
}

// The layout this bbposture writes (PRAGMA user_version). Older layouts are migrated when a
// scan is appended; a newer one is refused.
inline constexpr std::int64_t kSchemaVersion = 1;
// PRAGMA application_id of a bbposture history ("bbph").
inline constexpr std::int64_t kApplicationId = 0x62627068;

// Whether the file starts with SQLite's header ("SQLite format 3\0"); false when it cannot be
// read. --baseline tells a history from a JSON report by this, not by the file's extension.
bool is_sqlite_file(const std::string& path);

// Creates `path` with mode 0600 when it does not exist (an existing file is left as it is).
tl::expected<void, std::string> create_file(const std::string& path);

// Checks, before a scan starts, that a scan could be appended to `path`: a missing file is
// fine (check_outputs checks its folder); an existing one must be writable and be empty, a
// history of this or an older version. The sentence names the file.
tl::expected<void, std::string> check_appendable(const std::string& path);

// A scan as `history list` shows it.
struct ScanRow {
  std::int64_t id = 0;
  core::TimePoint data_read_at{};  // the scan's time: when its data was read
  std::string rule_set;
  std::size_t rules = 0;
  std::string filters;  // "-w 'acme', --repo 'api-*'", or "" for every workspace
  std::optional<std::string> min_severity;
  bool offline = false;                      // evaluated from a snapshot
  bool complete = true;                      // everything selected could be evaluated
  std::array<std::size_t, 4> by_severity{};  // not suppressed, Critical..Low
  std::size_t total = 0;
  std::size_t suppressed = 0;
  std::size_t unknown = 0;
  std::map<std::string, std::size_t> unknown_by_reason;
  std::size_t errors = 0;
  std::size_t opened = 0;
  std::size_t fixed = 0;
  std::size_t reopened = 0;
  std::size_t not_rechecked = 0;
  std::map<std::string, std::size_t> by_rule;  // rule slug -> findings (not suppressed)
};

// One change in a finding's life.
struct Event {
  std::int64_t scan_id = 0;
  core::TimePoint at{};
  std::string kind;  // "opened", "fixed", "reopened"
};

// `history show`: a finding as last seen, and its life.
struct FindingLife {
  std::string fingerprint;
  std::string finding_type_id;
  std::string rule;  // slug
  std::string severity;
  std::optional<std::string> workspace;
  std::optional<std::string> repository;
  std::string resource;  // "deploy_key 123 (build)"
  std::string message;
  std::optional<std::string> suppressed;  // the suppression's reason, when last seen suppressed
  bool open = true;
  core::TimePoint first_seen{};
  core::TimePoint last_seen{};
  std::optional<core::TimePoint> fixed_at;
  std::int64_t reopened = 0;
  std::vector<Event> events;  // oldest first (events of pruned scans are gone)
};

// Time to fix and age of open findings for one severity (`history stats`), in whole seconds.
struct SeverityStats {
  core::Severity severity = core::Severity::low;
  std::size_t fixes = 0;  // fixes recorded (a finding fixed twice counts twice)
  std::optional<std::int64_t> median_time_to_fix;
  std::optional<std::int64_t> p90_time_to_fix;
  std::size_t open = 0;
  std::optional<std::int64_t> median_open_age;
  std::optional<std::int64_t> oldest_open_age;
};

struct Stats {
  std::optional<core::TimePoint> as_of;      // the last scan's time; nullopt: no scan yet
  std::array<SeverityStats, 4> by_severity;  // Critical..Low
};

// What a scan added, or a prune removed.
struct AppendResult {
  std::int64_t scan_id = 0;
  std::size_t opened = 0;
  std::size_t fixed = 0;
  std::size_t reopened = 0;
  std::size_t not_rechecked = 0;
};

struct PruneResult {
  std::size_t scans = 0;
  std::size_t events = 0;
  std::size_t findings = 0;
};

// What a report could show from the history: report::HistoryView (report.hpp).
using HistoryView = report::HistoryView;

struct AppendOptions {
  // Called inside the append's transaction, after every row is written and before COMMIT
  // (tests kill the process here to show that nothing partial is left).
  std::function<void()> before_commit;
};

class History {
 public:
  enum class Mode { read, write };

  // Opens the history at `path`. Mode::write creates the file (mode 0600) when missing,
  // turns on WAL and migrates an older layout; Mode::read needs the file and never changes it.
  // Refused: a file that is not SQLite, a SQLite database that is not a history, a history of
  // a newer schema version.
  static tl::expected<History, std::string> open(const std::string& path, Mode mode);

  History(History&&) noexcept;
  History& operator=(History&&) noexcept;
  ~History();

  // Appends `report` as one scan, in one transaction. A finding of the open ones the report no
  // longer has is fixed only when the report looked for it again (the comparison of
  // report::compare_with_baseline); otherwise it stays open and its last sighting unchanged.
  // Refused: a report without a selection, or one whose data was read before the last scan's.
  tl::expected<AppendResult, std::string> append(const report::ScanReport& report,
                                                 const AppendOptions& options = {});

  tl::expected<std::vector<ScanRow>, std::string> scans() const;

  // The last scan whose selection covers `current`'s (report::covers), as a report holding the
  // findings open as of that scan; nullopt when none covers it.
  tl::expected<std::optional<report::ScanReport>, std::string> baseline_for(
      const report::ScanReport& current) const;

  // The finding with this fingerprint, or the one it is the prefix of (8 hex digits or more).
  tl::expected<FindingLife, std::string> finding(const std::string& fingerprint) const;

  tl::expected<Stats, std::string> stats() const;

  // Drops the scans whose data was read before `cutoff` (the newest scan always stays), their
  // events, and the fixed findings no event refers to any more.
  tl::expected<PruneResult, std::string> prune(core::TimePoint cutoff);

  // The last `last_scans` scans' severity counts, and every finding's first sighting.
  tl::expected<HistoryView, std::string> view(std::size_t last_scans) const;

  const std::string& path() const { return path_; }

 private:
  History(std::string path, std::unique_ptr<sql::Database> db);
  std::string path_;
  std::unique_ptr<sql::Database> db_;
};

}  // namespace bbp::history
