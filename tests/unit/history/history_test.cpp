// The scan history store: appending (opened, fixed, not re-checked, reopened), reading it back
// (list, show, stats, the baseline of a later scan), pruning, the schema version and its
// migration, the file's mode, concurrent writers and an append that fails half way.
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bbp/core/catalogue.hpp"
#include "bbp/history/history.hpp"
#include "bbp/report/report_reader.hpp"
#include "child_process.hpp"
#include "report_fixture.hpp"
#include "sqlite.hpp"

namespace bbp::history {
namespace {

using ::testing::HasSubstr;
using Mode = History::Mode;

report::ScanReport at_day(report::ScanReport r, int day) {
  r.started_at = test::test_now() + std::chrono::days{day};
  r.finished_at = r.started_at;
  return r;
}

// The sample report without the finding with this fingerprint.
report::ScanReport without(report::ScanReport r, const std::string& fingerprint) {
  std::erase_if(r.findings, [&](const auto& f) { return f.fingerprint == fingerprint; });
  return r;
}

// The sample report narrowed to one rule: its other rules are neither evaluated nor found.
report::ScanReport only_rule(report::ScanReport r, const core::Rule* rule) {
  r.rules = {rule};
  r.selection->rule_set = "custom";
  std::erase_if(r.findings, [&](const auto& f) { return f.rule != rule; });
  std::erase_if(r.unknown, [&](const auto& f) { return f.rule != rule; });
  return r;
}

std::int64_t query(const std::string& path, const std::string& sql) {
  auto db = sql::Database::open(path, true);
  EXPECT_TRUE(db) << (db ? "" : db.error());
  auto value = db->scalar(sql);
  EXPECT_TRUE(value) << (value ? "" : value.error());
  return value.value_or(-1);
}

class HistoryStore : public ::testing::Test {
 protected:
  History open() {
    auto h = History::open(path_, Mode::write);
    EXPECT_TRUE(h) << (h ? "" : h.error());
    return std::move(*h);
  }
  AppendResult append(const report::ScanReport& r) {
    auto h = open();
    auto added = h.append(r);
    EXPECT_TRUE(added) << (added ? "" : added.error());
    return added.value_or(AppendResult{});
  }

  test::TempDir dir_;
  std::string path_ = dir_.file("history.db");
  report::ScanReport sample_ = report::testing::sample_report();
};

TEST_F(HistoryStore, IsCreatedWithMode0600AndTheCurrentSchema) {
  ::umask(022);
  open();
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  EXPECT_TRUE(is_sqlite_file(path_));
  EXPECT_EQ(query(path_, "PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(query(path_, "PRAGMA application_id"), kApplicationId);
  auto db = sql::Database::open(path_, true);
  auto mode = db->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode && mode->step().value_or(false));
  EXPECT_EQ(mode->text(0), "wal");
}

TEST_F(HistoryStore, TheFirstScanOpensEveryFindingAndKeepsItsCounts) {
  ASSERT_GE(sample_.findings.size(), 3U);
  const auto added = append(sample_);
  EXPECT_EQ(added.opened, sample_.findings.size());
  EXPECT_EQ(added.fixed, 0U);
  auto h = open();
  const auto scans = h.scans();
  ASSERT_TRUE(scans && scans->size() == 1U);
  const auto& s = scans->front();
  const auto c = report::count(sample_);
  EXPECT_EQ(s.by_severity, c.by_severity);
  EXPECT_EQ(s.total, c.total);
  EXPECT_EQ(s.unknown, sample_.unknown.size());
  ASSERT_FALSE(sample_.unknown.empty());
  EXPECT_EQ(s.unknown_by_reason.at("missing_scope"), sample_.unknown.size());
  EXPECT_EQ(s.opened, sample_.findings.size());
  EXPECT_EQ(s.data_read_at, report::data_read_at(sample_));
  EXPECT_EQ(query(path_, "SELECT count(*) FROM findings"),
            static_cast<std::int64_t>(sample_.findings.size()));
}

TEST_F(HistoryStore, AFindingGoneAndLookedForIsFixedOneNotLookedForStaysOpen) {
  append(sample_);
  const auto fixed = sample_.findings.front();
  // Day 1: the first finding is gone, and the scan looked for it again.
  const auto day1 = append(at_day(without(sample_, fixed.fingerprint), 1));
  EXPECT_EQ(day1.fixed, 1U);
  // Day 2: a scan of another rule alone: every finding of the others is not re-checked.
  const auto* other =
      std::find_if(sample_.findings.begin(), sample_.findings.end(), [&](const auto& f) {
        return f.rule != fixed.rule;
      })->rule;
  const auto day2 = append(at_day(only_rule(sample_, other), 2));
  EXPECT_EQ(day2.fixed, 0U);
  EXPECT_GT(day2.not_rechecked, 0U);
  auto h = open();
  const auto life = h.finding(fixed.fingerprint);
  ASSERT_TRUE(life) << life.error();
  EXPECT_FALSE(life->open);
  EXPECT_EQ(life->fixed_at, test::test_now() + std::chrono::days{1});
  // A finding of another rule: still open, last seen on day 1, not on day 2.
  const auto kept =
      std::find_if(sample_.findings.begin(), sample_.findings.end(),
                   [&](const auto& f) { return f.rule != other && f.rule != fixed.rule; });
  ASSERT_NE(kept, sample_.findings.end());
  const auto open_one = h.finding(kept->fingerprint);
  ASSERT_TRUE(open_one);
  EXPECT_TRUE(open_one->open);
  EXPECT_EQ(open_one->last_seen, test::test_now() + std::chrono::days{1});
}

TEST_F(HistoryStore, AFixedFindingThatComesBackIsReopenedAndShowTellsItsLife) {
  const auto f = sample_.findings.front();
  append(sample_);
  append(at_day(without(sample_, f.fingerprint), 1));
  const auto back = append(at_day(sample_, 2));
  EXPECT_EQ(back.reopened, 1U);
  EXPECT_EQ(back.opened, 0U);
  auto h = open();
  const auto life = h.finding(f.fingerprint.substr(0, 8));  // a prefix of 8 hex digits
  ASSERT_TRUE(life) << life.error();
  EXPECT_TRUE(life->open);
  EXPECT_EQ(life->reopened, 1);
  ASSERT_EQ(life->events.size(), 3U);
  EXPECT_EQ(life->events[0].kind, "opened");
  EXPECT_EQ(life->events[1].kind, "fixed");
  EXPECT_EQ(life->events[2].kind, "reopened");
  EXPECT_EQ(life->first_seen, test::test_now());
  EXPECT_EQ(life->last_seen, test::test_now() + std::chrono::days{2});
  EXPECT_THAT(h.finding("1234567").error(), HasSubstr("at least its first 8 hex digits"));
  EXPECT_THAT(h.finding("ffffffffffff").error(), HasSubstr("holds no finding"));
}

TEST_F(HistoryStore, StatsGiveTimeToFixAndTheAgeOfOpenFindings) {
  const auto f = sample_.findings.front();
  append(sample_);
  append(at_day(without(sample_, f.fingerprint), 3));
  auto h = open();
  const auto stats = h.stats();
  ASSERT_TRUE(stats) << stats.error();
  const auto& row = stats->by_severity.at(static_cast<std::size_t>(
      core::rank(f.rule->severity) - core::rank(core::Severity::critical)));
  EXPECT_EQ(row.fixes, 1U);
  EXPECT_EQ(row.median_time_to_fix, 3 * 86'400);
  EXPECT_EQ(row.p90_time_to_fix, 3 * 86'400);
  std::size_t open_total = 0;
  for (const auto& s : stats->by_severity) {
    open_total += s.open;
    if (s.open > 0) {
      EXPECT_EQ(s.oldest_open_age, 3 * 86'400);
    }
  }
  EXPECT_EQ(open_total, sample_.findings.size() - 1);
}

TEST_F(HistoryStore, TheBaselineIsTheLastCoveringScanWithTheFindingsOpenThen) {
  const auto f = sample_.findings.front();
  append(sample_);                                     // scan 1: everything
  append(at_day(without(sample_, f.fingerprint), 1));  // scan 2: f fixed
  append(at_day(only_rule(sample_, f.rule), 2));       // scan 3: f's rule alone, f is back
  auto h = open();
  // A full scan is covered only by scans 1 and 2: the last is 2, where f was fixed.
  const auto full = h.baseline_for(sample_);
  ASSERT_TRUE(full && *full);
  EXPECT_EQ((*full)->started_at, test::test_now() + std::chrono::days{1});
  EXPECT_EQ((*full)->findings.size(), sample_.findings.size() - 1);
  EXPECT_TRUE(std::none_of((*full)->findings.begin(), (*full)->findings.end(),
                           [&](const auto& e) { return e.fingerprint == f.fingerprint; }));
  // A scan of f's rule alone is covered by scan 3, where f was reopened.
  const auto narrow = h.baseline_for(only_rule(sample_, f.rule));
  ASSERT_TRUE(narrow && *narrow);
  EXPECT_EQ((*narrow)->started_at, test::test_now() + std::chrono::days{2});
  EXPECT_TRUE(std::any_of((*narrow)->findings.begin(), (*narrow)->findings.end(),
                          [&](const auto& e) { return e.fingerprint == f.fingerprint; }));
  // Compared as with a JSON baseline: nothing new against the same findings.
  auto current = at_day(sample_, 3);
  report::compare_with_baseline(current, **full, path_);
  EXPECT_EQ(report::count(current).new_findings, 1U);  // f is back
  // A wider scan (the extended rules too) is covered by none.
  auto wider = sample_;
  wider.rules = core::rule_set("all");
  const auto none = h.baseline_for(wider);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST_F(HistoryStore, PruneDropsOldScansTheirEventsAndFixedFindingsNoLongerReferenced) {
  const auto f = sample_.findings.front();
  append(sample_);
  append(at_day(without(sample_, f.fingerprint), 10));
  append(at_day(without(sample_, f.fingerprint), 200));
  auto h = open();
  const auto pruned = h.prune(test::test_now() + std::chrono::days{100});
  ASSERT_TRUE(pruned) << pruned.error();
  EXPECT_EQ(pruned->scans, 2U);
  EXPECT_EQ(pruned->findings, 1U);  // f: fixed, its events gone with their scans
  EXPECT_EQ(pruned->events, sample_.findings.size() + 1);
  EXPECT_EQ(query(path_, "SELECT count(*) FROM scans"), 1);
  EXPECT_EQ(query(path_, "SELECT count(*) FROM findings WHERE open = 1"),
            static_cast<std::int64_t>(sample_.findings.size() - 1));
  // The open findings are still the baseline, as of the scan that is left.
  const auto base = h.baseline_for(sample_);
  ASSERT_TRUE(base && *base);
  EXPECT_EQ((*base)->findings.size(), sample_.findings.size() - 1);
  // The newest scan always stays.
  const auto again = h.prune(test::test_now() + std::chrono::days{1000});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->scans, 0U);
}

TEST_F(HistoryStore, AScanReadBeforeTheLastOneIsRefused) {
  append(at_day(sample_, 5));
  auto h = open();
  const auto refused = h.append(at_day(sample_, 4));
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error(), HasSubstr("a history only grows forward in time"));
}

TEST_F(HistoryStore, AnAppendThatFailsInsideItsTransactionLeavesTheDatabaseAsItWas) {
  append(sample_);
  auto h = open();
  AppendOptions options;
  options.before_commit = [] { throw std::runtime_error("stopped"); };
  EXPECT_THROW(
      (void)h.append(at_day(without(sample_, sample_.findings.front().fingerprint), 1), options),
      std::runtime_error);
  EXPECT_EQ(query(path_, "SELECT count(*) FROM scans"), 1);
  EXPECT_EQ(query(path_, "SELECT count(*) FROM events WHERE kind = 'fixed'"), 0);
  EXPECT_EQ(query(path_, "SELECT count(*) FROM findings WHERE open = 0"), 0);
}

TEST_F(HistoryStore, TwoWritersAtOnceBothLandAndTheDatabaseIsIntact) {
  open();  // created first: both writers then find WAL already on
  std::vector<std::string> errors(2);
  std::vector<std::thread> writers;
  for (int i = 0; i < 2; ++i) {
    writers.emplace_back([&, i] {
      auto h = History::open(path_, Mode::write);
      if (!h) {
        errors[static_cast<std::size_t>(i)] = h.error();
        return;
      }
      if (auto added = h->append(sample_); !added) {
        errors[static_cast<std::size_t>(i)] = added.error();
      }
    });
  }
  for (auto& w : writers) {
    w.join();
  }
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");
  EXPECT_EQ(query(path_, "SELECT count(*) FROM scans"), 2);
  auto db = sql::Database::open(path_, true);
  auto check = db->prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check && check->step().value_or(false));
  EXPECT_EQ(check->text(0), "ok");
}

TEST_F(HistoryStore, AnEmptyDatabaseIsMigratedToTheCurrentSchema) {
  {
    auto db = sql::Database::open(path_, false);  // no such file: refused, nothing created
    EXPECT_FALSE(db);
  }
  std::ofstream(path_).close();  // a zero-byte file: SQLite's empty database (version 0)
  open();
  EXPECT_EQ(query(path_, "PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(query(path_, "SELECT count(*) FROM sqlite_schema WHERE name = 'findings'"), 1);
}

TEST_F(HistoryStore, ADatabaseOfANewerVersionIsRefusedWithItsVersion) {
  open();
  {
    auto db = sql::Database::open(path_, false);
    ASSERT_TRUE(db && db->exec("PRAGMA user_version = 7"));
  }
  for (const auto mode : {Mode::read, Mode::write}) {
    const auto refused = History::open(path_, mode);
    ASSERT_FALSE(refused);
    EXPECT_THAT(refused.error(), HasSubstr("is a bbposture history of schema version 7, newer"));
  }
  EXPECT_THAT(check_appendable(path_).error(), HasSubstr("schema version 7"));
}

TEST_F(HistoryStore, AnotherSqliteDatabaseOrAnotherFileIsRefused) {
  {
    std::ofstream(path_).close();
    auto db = sql::Database::open(path_, false);
    ASSERT_TRUE(db && db->exec("CREATE TABLE notes (text TEXT)"));
  }
  EXPECT_THAT(History::open(path_, Mode::write).error(), HasSubstr("not a bbposture history"));
  const auto json_file = dir_.file("report.json");
  std::ofstream(json_file) << "{}\n";
  EXPECT_FALSE(is_sqlite_file(json_file));
  EXPECT_THAT(History::open(json_file, Mode::read).error(), HasSubstr("not a SQLite database"));
}

TEST_F(HistoryStore, TheViewHasTheLastScansAndFirstSightings) {
  append(sample_);
  append(at_day(sample_, 1));
  append(at_day(sample_, 2));
  auto h = open();
  const auto view = h.view(2);
  ASSERT_TRUE(view);
  ASSERT_EQ(view->scans.size(), 2U);
  EXPECT_EQ(view->scans.front().at, test::test_now() + std::chrono::days{1});
  EXPECT_EQ(view->first_seen.size(), sample_.findings.size());
  EXPECT_EQ(view->first_seen.at(sample_.findings.front().fingerprint), test::test_now());
}

}  // namespace
}  // namespace bbp::history
