// The real bbposture binary living with findings: --baseline (new, unchanged, fixed; refused
// before the first request when it is not a report; the same file as -o), and `diff` with its
// exit codes. Suppressions from a config file are tested end to end with the config reader;
// the exit-code logic they feed is unit-tested (tests/unit/app/living_test.cpp).
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "fake_bitbucket/server.hpp"
#include "scan_scenario.hpp"

namespace bbp::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

class Living : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = std::make_unique<fake::FakeBitbucket>(scan_scenario());
    fake_->start();
    dir_ = fs::temp_directory_path() /
           ("bbp_living_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliResult scan(std::vector<std::string> args) {
    std::vector<std::string> all{"scan",         "--api-url",        fake_->api_url(),
                                 "--token-url",  fake_->token_url(), "--allow-incomplete",
                                 "--no-progress"};
    all.insert(all.end(), args.begin(), args.end());
    return run_cli(BBP_BINARY, all,
                   {"BITBUCKET_CLIENT_ID=scan-client", "BITBUCKET_CLIENT_SECRET=scan-secret-value",
                    std::string("BBP_NOW=") + kScenarioNow});
  }

  static CliResult diff(std::vector<std::string> args) {
    args.insert(args.begin(), "diff");
    return run_cli(BBP_BINARY, args);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

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

  std::unique_ptr<fake::FakeBitbucket> fake_;
  fs::path dir_;
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
  const auto requests = fake_->requests().size();
  const auto tokens = fake_->token_requests();
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
  EXPECT_EQ(fake_->requests().size(), requests) << "refused before the first request";
  EXPECT_EQ(fake_->token_requests(), tokens);
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

}  // namespace
}  // namespace bbp::test
