// `history stats`: time to fix per severity and the age of open findings.
#include <algorithm>
#include <chrono>
#include <map>

#include "bbp/core/outcome.hpp"
#include "history_internal.hpp"
#include "store.hpp"

namespace bbp::history {
namespace {

// The nearest-rank percentile (p in (0, 100]) of sorted values; nullopt when there are none.
std::optional<std::int64_t> percentile(const std::vector<std::int64_t>& sorted, int p) {
  if (sorted.empty()) {
    return std::nullopt;
  }
  const auto rank = (sorted.size() * static_cast<std::size_t>(p) + 99) / 100;  // ceil(p% of n)
  return sorted.at(std::max<std::size_t>(rank, 1) - 1);
}

std::int64_t seconds_between(core::TimePoint from, core::TimePoint to) {
  return std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
}

std::size_t index_of(const std::string& severity) {
  const auto s = core::severity_from_string(severity).value_or(core::Severity::low);
  return static_cast<std::size_t>(core::rank(s) - core::rank(core::Severity::critical));
}

// Each fix's time: from the opening (or reopening) before it to the fix. A fix whose opening was
// pruned is not counted.
tl::expected<std::array<std::vector<std::int64_t>, 4>, std::string> times_to_fix(
    sql::Database& db) {
  auto stmt = db.prepare(
      "SELECT e.finding_id, f.severity, e.kind, s.data_read_at FROM events e "
      "JOIN findings f ON f.id = e.finding_id JOIN scans s ON s.id = e.scan_id "
      "ORDER BY e.finding_id, e.scan_id");
  if (!stmt) {
    return tl::unexpected(stmt.error());
  }
  std::array<std::vector<std::int64_t>, 4> out;
  std::int64_t finding = -1;
  std::optional<core::TimePoint> opened;
  for (auto row = stmt->step(); row && *row; row = stmt->step()) {
    if (stmt->integer(0) != finding) {
      finding = stmt->integer(0);
      opened.reset();
    }
    auto at = time_of(stmt->text(3));
    if (!at) {
      return tl::unexpected(at.error());
    }
    if (stmt->text(2) != "fixed") {
      opened = *at;
    } else if (opened) {
      out.at(index_of(stmt->text(1))).push_back(seconds_between(*opened, *at));
      opened.reset();
    }
  }
  return out;
}

// The age of each open finding at `as_of`, from its first sighting.
tl::expected<std::array<std::vector<std::int64_t>, 4>, std::string> open_ages(
    sql::Database& db, core::TimePoint as_of) {
  auto stmt = db.prepare("SELECT severity, first_seen FROM findings WHERE open = 1");
  if (!stmt) {
    return tl::unexpected(stmt.error());
  }
  std::array<std::vector<std::int64_t>, 4> out;
  for (auto row = stmt->step(); row && *row; row = stmt->step()) {
    auto at = time_of(stmt->text(1));
    if (!at) {
      return tl::unexpected(at.error());
    }
    out.at(index_of(stmt->text(0))).push_back(seconds_between(*at, as_of));
  }
  return out;
}

}  // namespace

tl::expected<Stats, std::string> History::stats() const {
  Stats stats;
  auto last = last_scan_time(*db_);
  if (!last) {
    return tl::unexpected(path_ + ": " + last.error());
  }
  stats.as_of = *last;
  auto fixes = times_to_fix(*db_);
  auto ages = open_ages(*db_, last->value_or(core::TimePoint{}));
  if (!fixes || !ages) {
    return tl::unexpected(path_ + ": " + (!fixes ? fixes.error() : ages.error()));
  }
  for (std::size_t i = 0; i < 4; ++i) {
    auto& s = stats.by_severity.at(i);
    s.severity =
        static_cast<core::Severity>(core::rank(core::Severity::critical) + static_cast<int>(i));
    auto& fix = fixes->at(i);
    auto& age = ages->at(i);
    std::sort(fix.begin(), fix.end());
    std::sort(age.begin(), age.end());
    s.fixes = fix.size();
    s.median_time_to_fix = percentile(fix, 50);
    s.p90_time_to_fix = percentile(fix, 90);
    s.open = age.size();
    s.median_open_age = percentile(age, 50);
    s.oldest_open_age = age.empty() ? std::nullopt : std::optional<std::int64_t>(age.back());
  }
  return stats;
}

}  // namespace bbp::history
