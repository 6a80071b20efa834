// Bitbucket Data Center end to end: the real bbposture binary with --platform datacenter against
// the project's fake Data Center server (tools/fake_bitbucket_dc) serving
// tests/data/scenarios/datacenter.json, with a frozen clock. Every format is compared with
// tests/data/golden/datacenter.<format> (BBP_UPDATE_GOLDEN=1 rewrites them). Also: each rule's
// outcome on Data Center data, exact request counts, offline = live, and Data Center's own
// failure modes (an unrecognised token served as anonymous, 401 for a missing permission, an
// absent feature, another kind of server, an unreachable one).
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "fake_bitbucket_dc/server.hpp"
#include "fake_scan_fixture.hpp"
#include "golden.hpp"

namespace bbp::report::testing {
namespace {

using nlohmann::json;

const std::string kData = BBP_TEST_DATA_DIR;
const std::string kBinary = BBPOSTURE_BINARY;
const std::vector<std::string> kFormats{"json", "jsonl", "sarif", "csv", "table", "html", "junit"};

std::vector<std::string> token(const std::string& value) {
  return {"BITBUCKET_ACCESS_TOKEN=" + value, "BBP_NOW=2026-11-28T00:00:00Z"};
}

class DataCenterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fake_ = new fake_dc::FakeDataCenter(
        fake_dc::FakeDataCenter::from_file(kData + "/scenarios/datacenter.json"));
    fake_->start();
    dir_ = new test::TempDir();
  }
  static void TearDownTestSuite() {
    delete fake_;
    delete dir_;
    fake_ = nullptr;
    dir_ = nullptr;
  }

  // One request at a time, so counts and order are the same on every run.
  static test::RunResult scan(const std::vector<std::string>& extra,
                              const std::vector<std::string>& env = token("dc-scanner-token")) {
    std::vector<std::string> args{"scan",      "--platform",      "datacenter",
                                  "--api-url", fake_->base_url(), "--concurrency",
                                  "1",         "--no-progress"};
    args.insert(args.end(), extra.begin(), extra.end());
    test::CliProcess process(kBinary, args, env);
    return process.wait(test::Millis{120'000});
  }
  static json report(const std::vector<std::string>& extra = {},
                     const std::vector<std::string>& env = token("dc-scanner-token")) {
    std::vector<std::string> args{"-f", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = scan(args, env);
    EXPECT_NE(r.exit_code, 2) << r.err;
    return json::parse(r.out);
  }
  static std::string path(const std::string& name) { return dir_->file(name); }

  static fake_dc::FakeDataCenter* fake_;
  static test::TempDir* dir_;
};

fake_dc::FakeDataCenter* DataCenterTest::fake_ = nullptr;
test::TempDir* DataCenterTest::dir_ = nullptr;

// "rule repository" of a report entry, or "rule resource-name" when it has no repository.
std::string name_of(const json& f) {
  const auto repo = f.find("repository");
  return f.at("rule").get<std::string>() + " " +
         (repo != f.end() && repo->is_string() ? repo->get<std::string>()
                                               : f.at("resource").at("name").get<std::string>());
}

std::set<std::string> outcomes(const json& list) {
  std::set<std::string> out;
  for (const auto& f : list) {
    out.insert(name_of(f));
  }
  return out;
}

TEST_F(DataCenterTest, EveryFormatMatchesItsGolden) {
  for (const auto& format : kFormats) {
    const auto r = scan({"-f", format});
    EXPECT_EQ(r.exit_code, 3) << format << ": findings, and four checks unknown\n" << r.err;
    expect_golden("datacenter." + format + (format == "junit" ? ".xml" : ""),
                  normalise(r.out, fake_->base_url()));
  }
}

// Each finding type that can fail on Data Center fails where the scenario sets it up, and
// nowhere else; every unknown is one the scenario plants, with its reason.
TEST_F(DataCenterTest, EachRuleDecidesOnDataCenterData) {
  const auto doc = report();
  EXPECT_EQ(outcomes(doc.at("findings")),
            (std::set<std::string>{
                "public-repository OPEN/lib",  // public through its project
                "pr-review-not-required CORE/archive", "direct-push-allowed CORE/archive",
                "stale-repository CORE/archive", "stale-approvals-kept CORE/archive",
                "passing-builds-not-required CORE/archive", "branch-deletion-allowed CORE/archive",
                "direct-push-allowed CORE/gateway",           // exempted user, group, access key
                "passing-builds-not-required CORE/modelled",  // main exempt from the check
                "pr-review-not-required OLD/scratch", "direct-push-allowed OLD/scratch",
                "stale-approvals-kept OLD/scratch", "force-push-allowed OLD/scratch",
                "no-default-branch-protection OLD/scratch",
                "passing-builds-not-required OLD/scratch", "branch-deletion-allowed OLD/scratch",
                "old-key OLD/toolbox", "old-key laptop-2024", "old-key core-ci"}));
  std::map<std::string, std::string> unknown;
  for (const auto& u : doc.at("unknown")) {
    unknown[name_of(u)] = u.at("reason").get<std::string>();
  }
  EXPECT_EQ(unknown, (std::map<std::string, std::string>{
                         {"stale-repository CORE/empty", "not_found"},
                         {"stale-approvals-kept CORE/gateway", "invalid_response"},
                         {"old-key pre-8.7", "invalid_response"},
                         {"passing-builds-not-required OLD/toolbox", "not_found"}}));
}

// Project-level permissions count, with their scope in the evidence; the Cloud note about
// project restrictions that cannot be read is not there.
TEST_F(DataCenterTest, ProjectAndRepositoryPermissionsCombine) {
  const auto r = scan({"-f", "json", "--repo", "CORE/archive", "--show-suppressed"});
  const auto doc = json::parse(r.out);
  bool deletion = false;
  for (const auto& f : doc.at("findings")) {
    EXPECT_FALSE(f.at("evidence").contains("project_level_restrictions"));
    deletion = deletion || f.at("rule") == "branch-deletion-allowed";
  }
  EXPECT_TRUE(deletion) << "no-deletes names main, archive's branch is master";
  // force-push passes through the project's fast-forward-only on every branch.
  EXPECT_EQ(outcomes(doc.at("findings")).count("force-push-allowed CORE/archive"), 0U);
  const auto snapshot = path("archive.snapshot.json");
  ASSERT_NE(scan({"--repo", "CORE/archive", "--save-snapshot", snapshot}).exit_code, 2);
  const auto saved = json::parse(test::read_file(snapshot));
  EXPECT_EQ(saved.at("platform"), "datacenter");
  EXPECT_EQ(saved.at("server_version"), "9.2.3");
  const auto& restrictions =
      saved.at("workspaces").at(0).at("repositories").at(0).at("branch_restrictions");
  std::set<std::string> sources;
  for (const auto& b : restrictions) {
    sources.insert(b.value("source", ""));
  }
  EXPECT_EQ(sources.count("project CORE branch permission 100 (fast-forward-only)"), 1U);
}

// Per repository: default-branch, commits, branch permissions, pull-request settings, default
// reviewers, required builds, access keys (7); +1 where required builds has only the older
// spelling, +1 where a matcher refers to the branch model; an empty repository makes only the
// default-branch and access-key reads. Per project: branch permissions and access keys (2).
// Before: application-properties, users, one listing page; after: the caller's SSH keys.
TEST_F(DataCenterTest, RequestCountsAreExact) {
  fake_->reset_counters();
  const auto doc = report();
  // 3 + 3 projects x 2 + 8 repositories x 7 - 5 (empty) + 2 (gateway, toolbox older spelling)
  // + 1 (modelled's branch model) + 1 (SSH keys)
  EXPECT_EQ(doc.at("scan").at("api_requests"), 3 + 6 + 56 - 5 + 2 + 1 + 1);
  EXPECT_EQ(fake_->request_count(), doc.at("scan").at("api_requests").get<std::size_t>());
  EXPECT_EQ(fake_->request_count("/rest/api/latest/repos"), 1U);
  EXPECT_EQ(fake_->request_count("/rest/branch-utils/latest/projects/CORE/repos/modelled/"
                                 "branchmodel"),
            1U);
}

// scan --plan counts Data Center's reads (every listed repository as if it had commits: the
// listing does not say which are empty), and auth check names the permission a read needs.
TEST_F(DataCenterTest, PlanAndAuthCheckUseDataCentersReads) {
  const auto plan = scan({"--plan", "-f", "json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  const auto doc = json::parse(plan.out);
  EXPECT_EQ(doc.at("requests").at("total"), 3 + 3 * 2 + 8 * 7 + 1);
  EXPECT_EQ(doc.at("repositories"), 8);
  test::CliProcess check(
      kBinary, {"auth", "check", "--platform", "datacenter", "--api-url", fake_->base_url()},
      token("dc-reader-token"));
  const auto r = check.wait(test::Millis{60'000});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.out.find("Identity:    reader"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(needs REPO_ADMIN)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(needs PROJECT_ADMIN)"), std::string::npos) << r.out;
  test::CliProcess anonymous(
      kBinary, {"auth", "check", "--platform", "datacenter", "--api-url", fake_->base_url()},
      token("not-a-real-token"));
  EXPECT_EQ(anonymous.wait(test::Millis{60'000}).exit_code, 4);
}

// bbposture fix on Data Center plans for review: Data Center's requests, the permission each
// needs, every step marked as not applied by bbposture; nothing is written, and --apply,
// --undo and -f terraform are refused before any request.
TEST_F(DataCenterTest, FixPlansForReviewAndWritesNothing) {
  fake_->reset_counters();
  std::vector<std::string> args{"fix",       "--platform",          "datacenter",
                                "--api-url", fake_->base_url(),     "-f",
                                "json",      "--allow-key-deletion"};
  test::CliProcess process(kBinary, args, token("dc-scanner-token"));
  const auto r = process.wait(test::Millis{60'000});
  EXPECT_EQ(r.exit_code, 3) << r.err;  // findings it could not read are listed as unread
  EXPECT_TRUE(fake_->write_requests().empty());
  const auto plan = json::parse(r.out);
  EXPECT_EQ(plan.at("platform"), "datacenter");
  std::map<std::string, std::string> requests;
  for (const auto& step : plan.at("steps")) {
    EXPECT_FALSE(step.at("cannot_apply").is_null()) << step.dump();
    EXPECT_TRUE(step.contains("permission")) << step.dump();
    requests[step.at("target").get<std::string>() + " " + step.at("summary").get<std::string>()] =
        step.at("request").at("method").get<std::string>() + " " +
        step.at("request").at("path").get<std::string>();
  }
  EXPECT_EQ(requests.at("OLD/scratch add the branch permission 'pull-request-only' on 'main', "
                        "exempting nobody"),
            "POST /branch-permissions/latest/projects/OLD/repos/scratch/restrictions");
  EXPECT_EQ(requests.at("OLD/scratch reset approvals when the pull request changes"),
            "POST /api/latest/projects/OLD/repos/scratch/settings/pull-requests");
  EXPECT_EQ(requests.at("OLD/toolbox delete the access key 'toolbox-2023' (id 71)"),
            "DELETE /keys/latest/projects/OLD/repos/toolbox/ssh/71");
  // The gateway's push permission exempts people: left to them, not narrowed.
  bool gateway_left = false;
  for (const auto& l : plan.at("left_alone")) {
    gateway_left =
        gateway_left || (l.at("target") == "CORE/gateway" && l.at("rule") == "direct-push-allowed");
  }
  EXPECT_TRUE(gateway_left);
  for (const auto& refused : {std::vector<std::string>{"--apply", path("plan.json")},
                              std::vector<std::string>{"--undo", path("plan.json.journal")},
                              std::vector<std::string>{"-f", "terraform"}}) {
    fake_->reset_counters();
    std::vector<std::string> again{"fix", "--platform", "datacenter", "--api-url",
                                   fake_->base_url()};
    again.insert(again.end(), refused.begin(), refused.end());
    test::CliProcess p(kBinary, again, token("dc-scanner-token"));
    EXPECT_EQ(p.wait(test::Millis{60'000}).exit_code, 2) << refused.front();
    EXPECT_EQ(fake_->request_count(), 0U) << refused.front();
  }
}

TEST_F(DataCenterTest, OfflineEqualsLive) {
  const auto snapshot = path("live.snapshot.json");
  const auto live = scan({"-f", "json", "--save-snapshot", snapshot});
  const auto offline = scan({"-f", "json", "--from-snapshot", snapshot});
  ASSERT_EQ(live.exit_code, offline.exit_code) << offline.err;
  auto a = json::parse(live.out);
  auto b = json::parse(offline.out);
  EXPECT_EQ(a.at("findings"), b.at("findings"));
  EXPECT_EQ(a.at("unknown"), b.at("unknown"));
  EXPECT_EQ(b.at("scan").at("selection").at("platform"), "bitbucket-datacenter");
  // A snapshot read for one rule says what it lacks for the others: not collected, not a pass.
  const auto narrow = path("narrow.snapshot.json");
  ASSERT_NE(scan({"--rule", "public-repository", "--save-snapshot", narrow}).exit_code, 2);
  const auto wider = json::parse(scan({"-f", "json", "--from-snapshot", narrow}).out);
  std::size_t not_collected = 0;
  for (const auto& u : wider.at("unknown")) {
    not_collected += u.at("detail") == "not collected in this snapshot" ? 1U : 0U;
  }
  EXPECT_GT(not_collected, 40U);
  EXPECT_TRUE(wider.at("findings").size() <= 3U) << "only rule 1 and the keys could be judged";
}

// An unrecognised token is served as anonymous, who can read public repositories: the scan
// must stop with exit 4 on the identity check, before listing anything.
TEST_F(DataCenterTest, AnUnrecognisedTokenIsAnonymousAndEndsTheScan) {
  fake_->reset_counters();
  const auto r = scan({}, token("not-a-real-token"));
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("anonymous"), std::string::npos) << r.err;
  EXPECT_EQ(fake_->request_count("/rest/api/latest/repos"), 0U);
}

// A user without REPO_ADMIN or PROJECT_ADMIN gets 401 from those reads once it is known to be
// signed in: gaps naming the permission, not an authentication failure.
TEST_F(DataCenterTest, AMissingPermissionIsAGapNamingIt) {
  const auto r = scan({"-f", "json"}, token("dc-reader-token"));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto doc = json::parse(r.out);
  std::set<std::string> needs;
  for (const auto& u : doc.at("unknown")) {
    if (u.at("reason") != "forbidden") {
      continue;  // what the scenario plants for everyone (an empty repository…)
    }
    const auto detail = u.at("detail").get<std::string>();
    const auto at = detail.find("(needs ");
    ASSERT_NE(at, std::string::npos) << detail;
    needs.insert(detail.substr(at));
  }
  EXPECT_EQ(needs, (std::set<std::string>{"(needs REPO_ADMIN)", "(needs PROJECT_ADMIN)"}));
  EXPECT_EQ(doc.at("scan").at("selection").at("identity"), "reader");
}

TEST_F(DataCenterTest, BasicCredentialsAndABaseUrlEndingInRest) {
  std::vector<std::string> args{
      "scan", "--platform", "datacenter",   "--api-url", fake_->base_url() + "/rest/",
      "-f",   "json",       "--no-progress"};
  test::CliProcess process(kBinary, args,
                           {"BITBUCKET_USERNAME=scanner", "BITBUCKET_API_TOKEN=scanner-password",
                            "BBP_NOW=2026-11-28T00:00:00Z"});
  const auto r = process.wait(test::Millis{120'000});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(json::parse(r.out).at("scan").at("selection").at("identity"), "scanner");
}

TEST_F(DataCenterTest, BadInputIsAnsweredBeforeAnyRequest) {
  fake_->reset_counters();
  test::CliProcess oauth(kBinary,
                         {"scan", "--platform", "datacenter", "--api-url", fake_->base_url()},
                         {"BITBUCKET_CLIENT_ID=id", "BITBUCKET_CLIENT_SECRET=secret"});
  const auto r = oauth.wait(test::Millis{60'000});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no OAuth client credentials"), std::string::npos) << r.err;
  EXPECT_EQ(scan({"--rule-set", "extended"}).exit_code, 2);
  test::CliProcess cloud(
      kBinary, {"scan", "--platform", "datacenter", "--api-url", "https://bitbucket.org/"},
      token("t"));
  EXPECT_EQ(cloud.wait(test::Millis{60'000}).exit_code, 2);
  EXPECT_EQ(fake_->request_count(), 0U);
}

// --platform and the server disagree: said on the first answer, exit 2, nothing scanned.
TEST_F(DataCenterTest, TheWrongPlatformIsSaidOnTheFirstAnswer) {
  const auto cloud_as_dc = scan({}, token("dc-scanner-token"));
  ASSERT_EQ(cloud_as_dc.exit_code, 3);  // (the right platform, for contrast)
  test::FakeScanFixture cloud(kBinary, test::scenario_file(kData + "/scenarios/fake_basic.json"));
  test::CliProcess dc_on_cloud(
      kBinary, {"scan", "--platform", "datacenter", "--api-url", cloud.fake().base_url()},
      token("anything"));
  const auto a = dc_on_cloud.wait(test::Millis{60'000});
  EXPECT_EQ(a.exit_code, 2) << a.err;
  EXPECT_NE(a.err.find("not a Bitbucket Data Center server"), std::string::npos) << a.err;
  test::CliProcess cloud_on_dc(kBinary,
                               {"scan", "--api-url", fake_->base_url() + "/2.0", "--no-progress"},
                               token("dc-scanner-token"));
  const auto b = cloud_on_dc.wait(test::Millis{60'000});
  EXPECT_EQ(b.exit_code, 2) << b.err;
  EXPECT_NE(b.err.find("--platform datacenter"), std::string::npos) << b.err;
}

TEST_F(DataCenterTest, AnUnreachableServerIsExit3NamingTheHost) {
  test::CliProcess process(kBinary,
                           {"scan", "--platform", "datacenter", "--api-url", "http://127.0.0.1:1",
                            "--max-attempts", "1"},
                           token("dc-scanner-token"));
  const auto r = process.wait(test::Millis{60'000});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("127.0.0.1:1"), std::string::npos) << r.err;
}

// The server's token bucket (429 with Retry-After) goes through the same rate limiter as
// Cloud's: the scan waits, and nothing is unknown because of it.
TEST(DataCenterRateLimitTest, ATokenBucketIsRiddenOutWithNoUnknowns) {
  auto scenario = test::scenario_file(kData + "/scenarios/datacenter.json");
  scenario["rate_limit"] = {{"capacity", 10}, {"refill_per_second", 40}};
  fake_dc::FakeDataCenter fake(scenario);
  fake.start();
  test::CliProcess process(kBinary,
                           {"scan", "--platform", "datacenter", "--api-url", fake.base_url(), "-f",
                            "json", "--no-progress"},
                           token("dc-scanner-token"));
  const auto r = process.wait(test::Millis{120'000});
  ASSERT_EQ(r.exit_code, 3) << r.err;
  std::size_t limited = 0;
  for (const auto& req : fake.requests()) {
    limited += req.status == 429 ? 1U : 0U;
  }
  EXPECT_GT(limited, 0U) << "the bucket was never empty: the test proves nothing";
  const auto doc = json::parse(r.out);  // kept: a loop over a temporary's member would dangle
  for (const auto& u : doc.at("unknown")) {
    EXPECT_NE(u.at("reason"), "rate_limited") << u.dump();
  }
}

// --checkpoint on Data Center: a scan killed with SIGKILL part way resumes from its journal,
// makes fewer requests, and reports exactly what an uninterrupted scan reports.
TEST(DataCenterCheckpointTest, SigkillThenResumeGivesTheUninterruptedReport) {
  fake_dc::FakeDataCenter fake(test::scenario_file(kData + "/scenarios/datacenter.json"));
  fake.start();
  test::TempDir dir;
  const std::string journal = dir.file("scan.checkpoint");
  const std::vector<std::string> args{"scan",          "--platform", "datacenter", "--api-url",
                                      fake.base_url(), "-f",         "json",       "--no-progress",
                                      "--concurrency", "2"};
  auto with_journal = args;
  with_journal.insert(with_journal.end(), {"--checkpoint", journal});
  test::CliProcess reference_run(kBinary, args, token("dc-scanner-token"));
  const auto reference = reference_run.wait(test::Millis{60'000});
  ASSERT_EQ(reference.exit_code, 3) << reference.err;
  const auto full = fake.request_count();
  fake.set_latency(test::Millis{30});
  {
    test::CliProcess killed(kBinary, with_journal, token("dc-scanner-token"));
    const auto deadline = std::chrono::steady_clock::now() + test::Millis{30'000};
    std::size_t lines = 0;
    while (lines < 4 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(test::Millis{2});
      std::ifstream in(journal);
      lines = 0;
      for (std::string line; std::getline(in, line);) {
        ++lines;
      }
    }
    killed.signal(SIGKILL);
    EXPECT_NE(killed.wait(test::Millis{60'000}).exit_code, 0);
  }
  fake.set_latency(test::Millis{0});
  fake.reset_counters();
  test::CliProcess resume(kBinary, with_journal, token("dc-scanner-token"));
  const auto resumed = resume.wait(test::Millis{60'000});
  EXPECT_EQ(resumed.exit_code, 3) << resumed.err;
  EXPECT_NE(resumed.err.find("resuming from the checkpoint"), std::string::npos) << resumed.err;
  EXPECT_LT(fake.request_count(), full);
  const auto expected = json::parse(reference.out);
  const auto got = json::parse(resumed.out);
  EXPECT_EQ(got.at("findings"), expected.at("findings"));
  EXPECT_EQ(got.at("unknown"), expected.at("unknown"));
}

}  // namespace
}  // namespace bbp::report::testing
