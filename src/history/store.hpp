// What the history layer's sources share: the schema and its migrations, and time as stored.
#pragma once

#include <cstdint>
#include <string>

#include <tl/expected.hpp>

#include "bbp/core/time.hpp"
#include "sqlite.hpp"

namespace bbp::history {

// Times are stored as text ("2026-11-28T00:00:00Z", core::format_timestamp), so the file reads
// in the sqlite3 shell; the order of scans is their id.
std::string time_text(core::TimePoint time);
tl::expected<core::TimePoint, std::string> time_of(const std::string& text);

// Brings the open database to kSchemaVersion inside one transaction: a new (empty) database
// gets the current layout, an older one each migration step in turn. Refused: a database of a
// newer version, or one holding tables that are not a bbposture history. `name` is the file.
sql::Status migrate(sql::Database& db, const std::string& name);

// The schema version of a history (0: an empty database), or why it is not one this
// bbposture reads (not a history, or a newer one).
tl::expected<std::int64_t, std::string> version_of(sql::Database& db, const std::string& name);

// Checks, without changing anything, that the database is a history this bbposture reads.
sql::Status check_version(sql::Database& db, const std::string& name);

// Connection settings: a busy timeout, foreign keys, and (writers) WAL.
sql::Status configure(sql::Database& db, bool write);

}  // namespace bbp::history
