// The history's layout (docs/history.md, "The database") and how an older one is brought up to
// date.
#include <array>
#include <string>

#include "bbp/history/history.hpp"
#include "store.hpp"

namespace bbp::history {
namespace {

// Version 1. Scans are appended; findings have one row per fingerprint, changed in place; an
// event records each opening, fix and reopening, with the scan that saw it.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE scans (
  id            INTEGER PRIMARY KEY,
  data_read_at  TEXT NOT NULL,   -- the scan's time: when its data was read
  started_at    TEXT NOT NULL,
  finished_at   TEXT NOT NULL,
  tool_version  TEXT NOT NULL,
  api_url       TEXT NOT NULL,
  rule_set      TEXT NOT NULL,
  min_severity  TEXT,
  workspaces    TEXT NOT NULL,   -- JSON list: the workspaces the scan listed
  offline       INTEGER NOT NULL,
  complete      INTEGER NOT NULL,
  repositories  INTEGER NOT NULL,
  keys          INTEGER NOT NULL,
  api_requests  INTEGER NOT NULL,
  selection     TEXT NOT NULL,   -- JSON: the report's scan.selection
  critical      INTEGER NOT NULL,
  high          INTEGER NOT NULL,
  medium        INTEGER NOT NULL,
  low           INTEGER NOT NULL,
  total         INTEGER NOT NULL,
  suppressed    INTEGER NOT NULL,
  unknown       INTEGER NOT NULL,
  errors        INTEGER NOT NULL,
  not_rechecked INTEGER NOT NULL
);
CREATE INDEX scans_by_time ON scans (data_read_at);
CREATE TABLE scan_unknowns (
  scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
  reason  TEXT NOT NULL,
  count   INTEGER NOT NULL,
  PRIMARY KEY (scan_id, reason)
) WITHOUT ROWID;
CREATE TABLE scan_rules (
  scan_id         INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
  finding_type_id TEXT NOT NULL,
  findings        INTEGER NOT NULL,  -- not suppressed
  suppressed      INTEGER NOT NULL,
  PRIMARY KEY (scan_id, finding_type_id)
) WITHOUT ROWID;
CREATE TABLE findings (
  id              INTEGER PRIMARY KEY,
  fingerprint     TEXT NOT NULL UNIQUE,
  finding_type_id TEXT NOT NULL,
  severity        TEXT NOT NULL,
  workspace       TEXT,
  repository      TEXT,
  project         TEXT,
  resource_type   TEXT NOT NULL,
  resource_id     TEXT NOT NULL,
  resource_name   TEXT NOT NULL,
  resource_url    TEXT NOT NULL,
  message         TEXT NOT NULL,  -- as last seen
  evidence        TEXT NOT NULL,  -- JSON, as last seen
  suppressed      TEXT,           -- JSON {reason, expires, source} when last seen suppressed
  open            INTEGER NOT NULL,
  first_scan      INTEGER NOT NULL,
  first_seen      TEXT NOT NULL,
  last_seen       TEXT NOT NULL,
  fixed_at        TEXT,
  reopened        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX findings_open ON findings (open);
CREATE TABLE events (
  finding_id INTEGER NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
  scan_id    INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
  kind       TEXT NOT NULL CHECK (kind IN ('opened', 'fixed', 'reopened')),
  PRIMARY KEY (finding_id, scan_id)
) WITHOUT ROWID;
CREATE INDEX events_by_scan ON events (scan_id);
)sql";

// Migration i takes version i to i + 1. Version 0 is an empty database.
constexpr std::array<const char*, kSchemaVersion> kMigrations{kVersion1};

// Whether the database holds any table (an empty one is a version-0 history).
tl::expected<bool, std::string> has_tables(sql::Database& db) {
  auto n = db.scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
  if (!n) {
    return tl::unexpected(n.error());
  }
  return *n > 0;
}

}  // namespace

tl::expected<std::int64_t, std::string> version_of(sql::Database& db, const std::string& name) {
  auto app = db.scalar("PRAGMA application_id");
  auto version = db.scalar("PRAGMA user_version");
  auto tables = has_tables(db);
  if (!app || !version || !tables) {
    return tl::unexpected(name + " cannot be read as a SQLite database: " +
                          (!app       ? app.error()
                           : !version ? version.error()
                                      : tables.error()));
  }
  if (*app != kApplicationId) {
    if (*app == 0 && *version == 0 && !*tables) {
      return 0;  // an empty database: a history not yet begun
    }
    return tl::unexpected(name +
                          " is a SQLite database but not a bbposture history (its "
                          "application_id is not 'bbph'): name another file");
  }
  if (*version > kSchemaVersion) {
    return tl::unexpected(name + " is a bbposture history of schema version " +
                          std::to_string(*version) + ", newer than this bbposture (" + BBP_VERSION +
                          ") reads (version " + std::to_string(kSchemaVersion) +
                          " and older): use a newer bbposture");
  }
  return *version;
}

std::string time_text(core::TimePoint time) {
  return core::format_timestamp(time);
}

tl::expected<core::TimePoint, std::string> time_of(const std::string& text) {
  if (const auto time = core::parse_timestamp(text)) {
    return *time;
  }
  return tl::unexpected("a stored time does not read: '" + text + "'");
}

sql::Status configure(sql::Database& db, bool write) {
  // Two cron jobs writing one file: the second waits for the first, up to five minutes.
  for (const char* pragma : {"PRAGMA busy_timeout = 300000", "PRAGMA foreign_keys = ON"}) {
    if (auto done = db.exec(pragma); !done) {
      return done;
    }
  }
  return write ? db.exec("PRAGMA journal_mode = WAL") : sql::Status{};
}

sql::Status check_version(sql::Database& db, const std::string& name) {
  auto version = version_of(db, name);
  if (!version) {
    return tl::unexpected(version.error());
  }
  if (*version < kSchemaVersion) {
    return tl::unexpected(name + " is an empty or older history (schema version " +
                          std::to_string(*version) + "): append a scan to it to bring it up to " +
                          "version " + std::to_string(kSchemaVersion));
  }
  return {};
}

sql::Status migrate(sql::Database& db, const std::string& name) {
  auto transaction = sql::Transaction::begin(db);
  if (!transaction) {
    return tl::unexpected(name + ": " + transaction.error());
  }
  auto version = version_of(db, name);  // read under the write lock: one writer migrates
  if (!version) {
    return tl::unexpected(version.error());
  }
  if (*version == kSchemaVersion) {
    return {};  // the transaction rolls back: nothing was changed
  }
  for (auto v = *version; v < kSchemaVersion; ++v) {
    if (auto step = db.exec(kMigrations.at(static_cast<std::size_t>(v))); !step) {
      return tl::unexpected(name + ": migrating from schema version " + std::to_string(v) +
                            " failed: " + step.error());
    }
  }
  // PRAGMA takes no bound value; both numbers are constants of this program.
  const auto stamp = "PRAGMA application_id = " + std::to_string(kApplicationId) +
                     "; PRAGMA user_version = " + std::to_string(kSchemaVersion);
  if (auto done = db.exec(stamp); !done) {
    return tl::unexpected(name + ": " + done.error());
  }
  if (auto done = transaction->commit(); !done) {
    return tl::unexpected(name + ": " + done.error());
  }
  return {};
}

}  // namespace bbp::history
