// The real bbposture binary with a scan history: two scans with --history, then `history
// list|trend|show|stats|prune` and `scan --baseline FILE.db`; the checks made before the first
// request; two scans appending at once; and a scan killed with SIGKILL inside its append.
#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_scan_fixture.hpp"
#include "scan_scenario.hpp"
#include "sqlite.hpp"

namespace bbp::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::vector<std::string> env_at(const std::string& now) {
  return client_credentials("scan-client", "scan-secret-value", now);
}

// One row of a query on the history file.
std::string query(const std::string& path, const std::string& sql) {
  auto db = history::sql::Database::open(path, true);
  if (!db) {
    return "cannot open: " + db.error();
  }
  auto stmt = db->prepare(sql);
  if (!stmt || !stmt->step().value_or(false)) {
    return "no row";
  }
  return stmt->text(0);
}

class History : public ::testing::Test {
 protected:
  RunResult scan(const std::vector<std::string>& args, const std::string& now = kScenarioNow) {
    std::vector<std::string> all{"--allow-incomplete", "--no-progress", "--fail-on", "none"};
    all.insert(all.end(), args.begin(), args.end());
    return bb_.scan(all, env_at(now));
  }
  RunResult history(std::vector<std::string> args) const {
    args.insert(args.begin(), "history");
    return bb_.run(args, {"BBP_NOW=2026-12-01T00:00:00Z"});
  }
  FakeScanFixture bb_{BBP_BINARY, scan_scenario(), scan_credentials()};
  std::string db_ = bb_.path("history.db");
};

TEST_F(History, TwoScansThenListTrendShowStatsAndABaselineFromTheHistory) {
  const auto first = scan({"-f", "json", "-o", bb_.path("first.json"), "--history", db_});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  struct stat st {};
  ASSERT_EQ(::stat(db_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  const auto report = json::parse(read_file(bb_.path("first.json")));
  const auto findings = report.at("findings").size();
  ASSERT_GT(findings, 0U);
  // The second scan, a day later, compared with the history and added to it.
  const auto second =
      scan({"-f", "json", "-o", bb_.path("second.json"), "--history", db_, "--baseline", db_},
           "2026-11-29T00:00:00Z");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const auto compared = json::parse(read_file(bb_.path("second.json")));
  // A day later, a key or a repository may cross its age threshold: new is what the first scan
  // did not find, unchanged what both found.
  std::set<std::string> before;
  for (const auto& f : report.at("findings")) {
    before.insert(f.at("fingerprint").get<std::string>());
  }
  std::size_t unchanged = 0;
  for (const auto& f : compared.at("findings")) {
    unchanged += before.count(f.at("fingerprint").get<std::string>());
  }
  ASSERT_GT(unchanged, 0U);
  EXPECT_EQ(compared.at("summary").at("unchanged"), unchanged);
  EXPECT_EQ(compared.at("summary").at("new"), compared.at("findings").size() - unchanged);
  EXPECT_EQ(compared.at("summary").at("fixed"), findings - unchanged);
  EXPECT_EQ(compared.at("baseline").at("file"), db_);

  const auto list = history({"list", db_});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("2026-11-28T00:00:00Z"));
  EXPECT_THAT(list.out, HasSubstr("2026-11-29T00:00:00Z"));
  EXPECT_THAT(list.out, HasSubstr("casb (11 rules)"));

  const auto csv = history({"trend", db_, "-f", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_THAT(csv.out, HasSubstr("scan,at,Critical,High,Medium,Low,total"));
  const auto trend = history({"trend", db_, "-f", "json"});
  ASSERT_EQ(trend.exit_code, 0) << trend.err;
  const auto points = json::parse(trend.out).at("scans");
  ASSERT_EQ(points.size(), 2U);
  EXPECT_EQ(points[0].at("total"), report.at("summary").at("total"));
  EXPECT_EQ(points[1].at("total"), compared.at("summary").at("total"));

  const std::string fingerprint = report.at("findings")[0].at("fingerprint");
  const auto show = history({"show", db_, fingerprint.substr(0, 8)});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr(fingerprint));
  EXPECT_THAT(show.out, HasSubstr("first seen: 2026-11-28T00:00:00Z"));
  EXPECT_THAT(show.out, HasSubstr("last seen:  2026-11-29T00:00:00Z"));

  const auto stats = history({"stats", db_});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_THAT(stats.out, HasSubstr("MEDIAN-TO-FIX"));

  const auto prune = history({"prune", db_, "--keep", "2d"});  // now is 2026-12-01
  ASSERT_EQ(prune.exit_code, 0) << prune.err;
  EXPECT_THAT(prune.out, HasSubstr("dropped 1 scans"));
  EXPECT_EQ(query(db_, "SELECT count(*) FROM scans"), "1");
}

TEST_F(History, ABaselineHistoryWithoutACoveringScanIsRefusedBeforeTheFirstRequest) {
  ASSERT_EQ(
      scan({"-o", bb_.path("r.txt"), "--history", db_, "--rule", "public-repository"}).exit_code,
      0);
  bb_.fake().reset_counters();
  const auto r = scan({"-o", bb_.path("r2.txt"), "--baseline", db_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no scan in this history covers this one"));
  EXPECT_EQ(bb_.fake().request_count(), 0U);
}

TEST_F(History, AHistoryOfANewerVersionIsRefusedBeforeTheFirstRequest) {
  ASSERT_EQ(scan({"-o", bb_.path("r.txt"), "--history", db_}).exit_code, 0);
  {
    auto db = history::sql::Database::open(db_, false);
    ASSERT_TRUE(db && db->exec("PRAGMA user_version = 9"));
  }
  bb_.fake().reset_counters();
  const auto r = scan({"-o", bb_.path("r2.txt"), "--history", db_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("schema version 9, newer than this bbposture"));
  EXPECT_EQ(bb_.fake().request_count(), 0U);
  const auto list = history({"list", db_});
  EXPECT_EQ(list.exit_code, 2);
  EXPECT_THAT(list.err, HasSubstr("schema version 9"));
}

TEST_F(History, AHistoryThatCannotBeWrittenIsRefusedBeforeTheFirstRequest) {
  const auto missing = scan({"-o", bb_.path("r.txt"), "--history", bb_.path("no/such/h.db")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("--history"));
  EXPECT_THAT(missing.err, HasSubstr("does not exist"));
  std::ofstream(bb_.path("report.json")) << "{}\n";
  const auto other = scan({"-o", bb_.path("r.txt"), "--history", bb_.path("report.json")});
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_THAT(other.err, HasSubstr("is not a bbposture history"));
  EXPECT_EQ(bb_.fake().request_count(), 0U);
}

TEST_F(History, TwoScansAppendingAtOnceBothLandAndTheFileIsIntact) {
  ASSERT_EQ(scan({"-o", bb_.path("r.txt"), "--history", db_}).exit_code, 0);
  const auto args = [&](const std::string& out) {
    return bb_.scan_args({"--allow-incomplete", "--no-progress", "--fail-on", "none", "-o",
                          bb_.path(out), "--history", db_});
  };
  CliProcess one(BBP_BINARY, args("a.txt"), env_at(kScenarioNow));
  CliProcess two(BBP_BINARY, args("b.txt"), env_at(kScenarioNow));
  const auto a = one.wait();
  const auto b = two.wait();
  EXPECT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(query(db_, "SELECT count(*) FROM scans"), "3");
  EXPECT_EQ(query(db_, "PRAGMA integrity_check"), "ok");
}

TEST_F(History, AScanKilledInsideItsAppendLeavesTheHistoryAsItWas) {
  ASSERT_EQ(scan({"-o", bb_.path("r.txt"), "--history", db_}).exit_code, 0);
  const auto before =
      query(db_, "SELECT group_concat(fingerprint || open || last_seen) FROM findings");
  const std::string marker = bb_.path("paused");
  auto env = env_at("2026-11-30T00:00:00Z");
  env.push_back("BBP_TEST_HISTORY_PAUSE=" + marker);
  CliProcess process(
      BBP_BINARY,
      bb_.scan_args({"--allow-incomplete", "--no-progress", "--fail-on", "none", "-o",
                     bb_.path("r2.txt"), "--history", db_, "--rule", "public-repository"}),
      env);
  // The child writes the marker inside its transaction, every row written, before COMMIT.
  for (int i = 0; i < 60'000 && !std::filesystem::exists(marker); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds{2});
  }
  ASSERT_TRUE(std::filesystem::exists(marker));
  process.signal(SIGKILL);
  const auto killed = process.wait();
  EXPECT_NE(killed.exit_code, 0);
  EXPECT_EQ(query(db_, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(query(db_, "SELECT count(*) FROM scans"), "1");
  EXPECT_EQ(query(db_, "SELECT group_concat(fingerprint || open || last_seen) FROM findings"),
            before);
  // And the next scan appends as if nothing had happened.
  ASSERT_EQ(scan({"-o", bb_.path("r3.txt"), "--history", db_}, "2026-11-30T00:00:00Z").exit_code,
            0);
  EXPECT_EQ(query(db_, "SELECT count(*) FROM scans"), "2");
}

// The HTML page of a scan with a history shows the trend (this scan and the earlier ones) and
// how long each finding has been open.
TEST_F(History, TheHtmlPageShowsTheTrendAndEachFindingsAge) {
  ASSERT_EQ(scan({"-f", "json", "-o", bb_.path("first.json"), "--history", db_}).exit_code, 0);
  const auto page = scan({"-f", "html", "--history", db_}, "2026-11-30T00:00:00Z");
  ASSERT_EQ(page.exit_code, 0) << page.err;
  const auto trend = page.out.find("<section id=\"trend\">");
  ASSERT_NE(trend, std::string::npos);
  const auto table = page.out.substr(trend, page.out.find("</section>", trend) - trend);
  EXPECT_THAT(table, HasSubstr("<td>2026-11-28T00:00:00Z</td>"));
  EXPECT_THAT(table, HasSubstr("<td>2026-11-30T00:00:00Z</td>"));
  const auto first = json::parse(read_file(bb_.path("first.json")));
  ASSERT_GT(first.at("findings").size(), 0U);
  const std::string fingerprint = first.at("findings")[0].at("fingerprint");
  const auto row = page.out.find("data-fingerprint=\"" + fingerprint + "\"");
  ASSERT_NE(row, std::string::npos);
  const auto cells = page.out.substr(row, page.out.find("</tr>", row) - row);
  EXPECT_THAT(cells, HasSubstr("first seen 2026-11-28, 2 days ago"));
}

}  // namespace
}  // namespace bbp::test
