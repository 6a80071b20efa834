// The real bbposture binary living with findings: --baseline (new, unchanged, fixed; refused
// before the first request when it is not a report; the same file as -o), and `diff` with its
// exit codes. Suppressions from a config file are tested end to end with the config reader;
// the exit-code logic they feed is unit-tested (tests/unit/app/living_test.cpp).
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_scan_fixture.hpp"
#include "scan_scenario.hpp"

namespace bbp::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class Living : public ::testing::Test {
 protected:
  RunResult scan(const std::vector<std::string>& args) const {
    std::vector<std::string> all{"--allow-incomplete", "--no-progress"};
    all.insert(all.end(), args.begin(), args.end());
    return bb_.scan(all);
  }

  // `bbposture diff`, which needs no credentials.
  RunResult diff(std::vector<std::string> args) const {
    args.insert(args.begin(), "diff");
    return bb_.run(args, {});
  }

  std::string path(const std::string& name) const { return bb_.path(name); }

  static json read_json(const std::string& file) {
    std::ifstream in(file);
    return json::parse(in);
  }
  static void write_json(const std::string& file, const json& value) {
    std::ofstream(file) << value.dump(2) << '\n';
  }

  // A report of this scenario, then the same one without its first finding and with a finding
  // on a repository that no longer exists: as a baseline, one new and one fixed.
  json edited_baseline() {
    const auto r = scan({"-f", "json", "-o", path("first.json"), "--fail-on", "none"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto doc = read_json(path("first.json"));
    EXPECT_GE(doc.at("findings").size(), 2U);
    doc["findings"].erase(0);
    auto gone = doc["findings"][0];
    gone["repository"] = gone["workspace"].get<std::string>() + "/retired";
    gone["resource"]["id"] = "{retired}";
    gone["fingerprint"] = "00000000000000f1";
    doc["findings"].push_back(gone);
    return doc;
  }

  FakeScanFixture bb_{BBP_BINARY, scan_scenario(), scan_credentials()};
};

TEST_F(Living, BaselineMarksNewUnchangedAndFixedAndFailsOnlyOnNew) {
  write_json(path("old.json"), edited_baseline());
  const auto r = scan({"-f", "json", "--baseline", path("old.json"), "--fail-on", "low"});
  const auto doc = json::parse(r.out);
  EXPECT_EQ(doc.at("summary").at("new"), 1);
  EXPECT_EQ(doc.at("summary").at("fixed"), 1);
  EXPECT_EQ(doc.at("summary").at("unchanged"), doc.at("findings").size() - 1);
  EXPECT_EQ(doc.at("fixed").at(0).at("fingerprint"), "00000000000000f1");
  EXPECT_EQ(doc.at("baseline").at("file"), path("old.json"));
  EXPECT_EQ(r.exit_code, 1) << "the new finding is at or above low";

  // The same baseline without the new finding: nothing new, so --fail-on passes...
  write_json(path("same.json"), read_json(path("first.json")));
  EXPECT_EQ(scan({"-f", "json", "--baseline", path("same.json"), "--fail-on", "low"}).exit_code, 0);
  // ...unless unchanged findings count too.
  EXPECT_EQ(scan({"-f", "json", "--baseline", path("same.json"), "--fail-on", "low",
                  "--fail-on-unchanged"})
                .exit_code,
            1);
}

TEST_F(Living, BaselineMayBeTheReportItReplaces) {
  write_json(path("report.json"), edited_baseline());
  const auto r =
      scan({"-o", path("report.json"), "--baseline", path("report.json"), "--fail-on", "none"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto doc = read_json(path("report.json"));
  EXPECT_EQ(doc.at("summary").at("new"), 1);
  EXPECT_EQ(doc.at("summary").at("fixed"), 1);
  // Run again: the report it wrote is now the baseline, and nothing changed.
  const auto again = scan({"-o", path("report.json"), "--baseline", path("report.json")});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(read_json(path("report.json")).at("summary").at("new"), 0);
}

TEST_F(Living, ABaselineThatIsNotAReportIsRefusedBeforeTheFirstRequest) {
  std::ofstream(path("report.csv")) << "severity,rule\nHigh,x\n";
  write_json(path("sarif.json"), {{"version", "2.1.0"}, {"runs", json::array()}});
  auto future = edited_baseline();
  future["schema_version"] = 2;
  write_json(path("future.json"), future);
  const auto requests = bb_.fake().requests().size();
  const auto tokens = bb_.fake().token_requests();
  for (const auto& [file, says] :
       std::vector<std::pair<std::string, std::string>>{{"report.csv", "is not JSON"},
                                                        {"sarif.json", "not a bbposture"},
                                                        {"future.json", "schema_version 2"},
                                                        {"missing.json", "cannot be read"}}) {
    const auto r = scan({"--baseline", path(file)});
    EXPECT_EQ(r.exit_code, 2) << file << r.err;
    EXPECT_THAT(r.err, HasSubstr("--baseline " + path(file)));
    EXPECT_THAT(r.err, HasSubstr(says));
  }
  EXPECT_EQ(bb_.fake().requests().size(), requests) << "refused before the first request";
  EXPECT_EQ(bb_.fake().token_requests(), tokens);
}

// --only-new: the new findings in full, the unchanged ones as a count (for a nightly mail).
TEST_F(Living, OnlyNewListsTheNewFindingsAndCountsTheUnchanged) {
  write_json(path("old.json"), edited_baseline());
  const auto report =
      json::parse(scan({"-f", "json", "--baseline", path("old.json"), "--fail-on", "none"}).out);
  const auto unchanged = report.at("summary").at("unchanged").get<std::size_t>();
  ASSERT_GE(unchanged, 2U);
  std::string fresh;
  std::vector<std::string> kept;
  for (const auto& f : report.at("findings")) {
    const auto print = f.at("fingerprint").get<std::string>().substr(0, 8);
    if (f.at("baseline_state") == "new") {
      fresh = print;
    } else {
      kept.push_back(print);
    }
  }
  ASSERT_FALSE(fresh.empty());

  const auto r = scan({"--baseline", path("old.json"), "--only-new", "--width", "200"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr("New since the baseline:"));
  EXPECT_THAT(r.out, HasSubstr("  " + fresh + "  "));
  EXPECT_THAT(r.out,
              HasSubstr(std::to_string(unchanged) + " unchanged findings not shown (--only-new)"));
  EXPECT_THAT(r.out, HasSubstr("Fixed since the baseline:"));
  EXPECT_EQ(r.out.find("Unchanged since the baseline:"), std::string::npos) << r.out;
  for (const auto& print : kept) {
    EXPECT_EQ(r.out.find(print), std::string::npos) << print << " is unchanged\n" << r.out;
  }
  // Without --only-new the same table lists them.
  const auto full = scan({"--baseline", path("old.json"), "--width", "200"});
  EXPECT_THAT(full.out, HasSubstr("  " + kept.at(0) + "  "));
}

TEST_F(Living, OnlyNewWithoutABaselineIsRefusedBeforeTheFirstRequest) {
  std::ofstream(path("only-new.yaml")) << "only_new: true\n";
  const auto requests = bb_.fake().requests().size();
  const auto tokens = bb_.fake().token_requests();
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"--only-new"}, {"--config", path("only-new.yaml")}}) {
    const auto r = scan(args);
    EXPECT_EQ(r.exit_code, 2) << args.back() << r.err;
    // From the config file, the message also says where: FILE:LINE:COLUMN and the key.
    EXPECT_THAT(r.err, HasSubstr("--only-new needs --baseline REPORT.json: without a baseline no "
                                 "finding is new or unchanged"));
    EXPECT_TRUE(r.err.starts_with("bbposture: ")) << r.err;
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(bb_.fake().requests().size(), requests) << "refused before the first request";
  EXPECT_EQ(bb_.fake().token_requests(), tokens);
}

// The table's FINDING column is what an ignore entry may name: its 8 digits suppress the finding.
TEST_F(Living, TheTablesShortFingerprintSuppressesItsFinding) {
  const auto report = json::parse(scan({"-f", "json", "--fail-on", "none"}).out);
  const auto fingerprint = report.at("findings").at(0).at("fingerprint").get<std::string>();
  const auto table = scan({"--width", "200", "--fail-on", "none"});
  ASSERT_THAT(table.out, HasSubstr("  " + fingerprint.substr(0, 8) + "  "));
  std::ofstream(path("ignore.yaml"))
      << "ignore:\n  - fingerprint: " << fingerprint.substr(0, 8) << "\n    reason: accepted\n";
  const auto r = scan({"-f", "json", "--config", path("ignore.yaml"), "--fail-on", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto suppressed = json::parse(r.out).at("findings").at(0);
  EXPECT_EQ(suppressed.at("fingerprint"), fingerprint);
  EXPECT_EQ(suppressed.at("suppressed").at("source"), path("ignore.yaml") + ":2");
  EXPECT_EQ(r.err.find("matched no finding"), std::string::npos) << r.err;
}

TEST_F(Living, DiffExitCodes) {
  write_json(path("old.json"), edited_baseline());
  const auto& now = path("first.json");
  const auto found = diff({path("old.json"), now, "-f", "json"});
  EXPECT_EQ(found.exit_code, 1) << found.err;
  EXPECT_EQ(json::parse(found.out).at("summary").at("new"), 1);
  EXPECT_EQ(diff({path("old.json"), now, "--fail-on", "none"}).exit_code, 0);
  EXPECT_EQ(diff({now, now}).exit_code, 0) << "nothing new";
  EXPECT_EQ(diff({now, now, "--fail-on-unchanged"}).exit_code, 1);
  const auto table = diff({path("old.json"), now});
  EXPECT_THAT(table.out, HasSubstr("new 1 / unchanged"));
  EXPECT_THAT(table.out, HasSubstr("fixed 1 since"));
}

TEST_F(Living, DiffRefusesWhatIsNotAReport) {
  std::ofstream(path("notes.txt")) << "hello\n";
  const auto r = diff({path("notes.txt"), path("notes.txt")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(path("notes.txt") + " is not JSON"));
  EXPECT_EQ(r.out, "");
}

// Each narrower NEW: the rule, severity and repository selections of the issue that made
// `diff` call unchecked findings fixed.
std::vector<std::vector<std::string>> narrowings() {
  return {{"--rule", "public-repository"}, {"--min-severity", "high"}, {"--repo", "web*"}};
}

TEST_F(Living, ANarrowerReportNeverCallsAnUncheckedFindingFixed) {
  const auto full = scan({"-f", "json", "-o", path("full.json"), "--fail-on", "none"});
  ASSERT_EQ(full.exit_code, 0) << full.err;
  const auto all = read_json(path("full.json")).at("findings").size();
  ASSERT_GE(all, 3U);
  for (const auto& narrow : narrowings()) {
    std::vector<std::string> args{"-f", "json", "-o", path("narrow.json"), "--fail-on", "none"};
    args.insert(args.end(), narrow.begin(), narrow.end());
    ASSERT_EQ(scan(args).exit_code, 0) << narrow[0];
    const auto kept = read_json(path("narrow.json")).at("findings").size();
    ASSERT_LT(kept, all) << narrow[0] << " narrows the findings";
    const auto compared = diff({path("full.json"), path("narrow.json"), "-f", "json"});
    const auto doc = json::parse(compared.out);
    EXPECT_EQ(doc.at("summary").at("fixed"), 0) << narrow[0];
    EXPECT_EQ(doc.at("summary").at("not_rechecked"), all - kept) << narrow[0];
    EXPECT_EQ(doc.at("not_rechecked").size(), all - kept);
    EXPECT_EQ(doc.at("not_rechecked").at(0).at("baseline_state"), "not_rechecked");
    // --baseline makes the same comparison.
    std::vector<std::string> with_baseline{"-f", "json", "--baseline", path("full.json")};
    with_baseline.insert(with_baseline.end(), narrow.begin(), narrow.end());
    const auto scanned = json::parse(scan(with_baseline).out);
    EXPECT_EQ(scanned.at("summary"), doc.at("summary")) << narrow[0];
    const auto table = diff({path("full.json"), path("narrow.json")});
    EXPECT_THAT(table.out, HasSubstr("/ fixed 0 / not re-checked " + std::to_string(all - kept)));
    EXPECT_THAT(table.out, HasSubstr("Not re-checked"));
  }
}

TEST_F(Living, DiffWarnsAboutReportsWithoutASelectionAndSwappedFiles) {
  ASSERT_EQ(scan({"-f", "json", "-o", path("new.json"), "--fail-on", "none"}).exit_code, 0);
  auto old_style = read_json(path("new.json"));
  old_style["scan"].erase("selection");  // as an older version wrote it
  write_json(path("old-style.json"), old_style);
  const auto as_new = diff({path("new.json"), path("old-style.json"), "-f", "json"});
  EXPECT_THAT(as_new.err, HasSubstr("does not record how it was made"));
  EXPECT_EQ(json::parse(as_new.out).at("summary").at("fixed"), 0);

  auto later = read_json(path("new.json"));
  later["scan"]["started_at"] = "2099-01-01T00:00:00Z";
  write_json(path("later.json"), later);
  const auto swapped = diff({path("later.json"), path("new.json")});
  EXPECT_THAT(swapped.err, HasSubstr("are the two swapped?"));
  EXPECT_EQ(diff({path("new.json"), path("new.json")}).err, "");
}

// Every format says how it was made; offline, from which snapshot, read when and with how many
// requests.
TEST_F(Living, ReportsSayHowTheyWereMadeAndOfflineOnesSaySo) {
  std::ofstream(path("bbposture.yaml")) << "min_severity: low\n";
  const auto live = scan({"-f", "json", "-o", path("live.json"), "--save-snapshot",
                          path("snap.json"), "--config", path("bbposture.yaml"), "-w", "acme"});
  ASSERT_EQ(live.exit_code, 1) << live.err;
  const auto doc = read_json(path("live.json"));
  const auto& selection = doc.at("scan").at("selection");
  EXPECT_EQ(selection.at("rule_set"), "casb");
  EXPECT_EQ(selection.at("workspaces"), json::array({"acme"}));
  EXPECT_EQ(selection.at("config").at("file"), path("bbposture.yaml"));
  EXPECT_EQ(selection.at("config").at("sha256").get<std::string>().size(), 64U);
  EXPECT_TRUE(selection.at("snapshot").is_null());
  const auto requests = doc.at("scan").at("api_requests").get<int>();
  ASSERT_GT(requests, 0);

  const std::vector<std::string> offline{
      "--from-snapshot", path("snap.json"), "--config", path("bbposture.yaml"), "-w", "acme"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), offline.begin(), offline.end());
    return scan(args);
  };
  const auto json_offline = json::parse(with({"-f", "json"}).out);
  const auto& source = json_offline.at("scan").at("selection").at("snapshot");
  EXPECT_EQ(source.at("file"), path("snap.json"));
  EXPECT_EQ(source.at("api_requests"), requests);
  EXPECT_EQ(source.at("collected_at"), doc.at("scan").at("started_at"));
  EXPECT_EQ(json_offline.at("scan").at("api_requests"), 0);
  EXPECT_EQ(json_offline.at("findings"), doc.at("findings")) << "the same answer offline";

  const std::string label = "evaluated offline from " + path("snap.json");
  const std::string read_at = "(" + std::to_string(requests) + " requests)";
  const auto table = with({"--width", "200"}).out;
  EXPECT_THAT(table, HasSubstr(label));
  EXPECT_THAT(table, HasSubstr(read_at));
  EXPECT_THAT(table, HasSubstr("made with"));
  EXPECT_THAT(table, Not(HasSubstr("API requests: 0")));
  const auto html = with({"-f", "html"}).out;
  EXPECT_THAT(html, HasSubstr(label));
  EXPECT_THAT(html, HasSubstr("<dt>Rules</dt><dd>casb (11 rules)</dd>"));
  const auto sarif = json::parse(with({"-f", "sarif"}).out);
  EXPECT_EQ(sarif.at("runs").at(0).at("invocations").at(0).at("properties").at("selection"),
            json_offline.at("scan").at("selection"));
}

}  // namespace
}  // namespace bbp::test
