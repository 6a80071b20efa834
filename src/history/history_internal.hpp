// The history layer's own steps, shared by its sources (findings.cpp, baseline.cpp, append.cpp,
// history.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "bbp/core/engine.hpp"
#include "bbp/history/history.hpp"
#include "bbp/report/report.hpp"
#include "sqlite.hpp"

namespace bbp::history {

// The newest scan's time, or nullopt in a history without scans.
tl::expected<std::optional<core::TimePoint>, std::string> last_scan_time(sql::Database& db);

// The findings open now, as findings of a report (evidence as last seen when asked for).
tl::expected<std::vector<core::Evaluation>, std::string> open_findings(sql::Database& db,
                                                                       bool with_evidence);

// The findings that were open once scan `scan` was appended, worked out from their events.
tl::expected<std::vector<core::Evaluation>, std::string> open_as_of(sql::Database& db,
                                                                    std::int64_t scan);

// Each finding of the scan: a new fingerprint is opened, a fixed one reopened, an open one
// seen again; every one gets its latest message, evidence, suppression and last sighting.
sql::Status record_findings(sql::Database& db, std::int64_t scan, core::TimePoint at,
                            const std::vector<core::Evaluation>& findings, AppendResult& result);

// The open findings the scan looked for again and did not find.
sql::Status record_fixes(sql::Database& db, std::int64_t scan, core::TimePoint at,
                         const std::vector<core::Evaluation>& fixed, AppendResult& result);

}  // namespace bbp::history
