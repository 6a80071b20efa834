// --checkpoint and --plan through the real binary: a scan stopped by SIGINT or SIGKILL at several
// points and run again gives the report of an uninterrupted scan, with the extra requests
// counted exactly; a journal of another scan or a corrupt one is refused before any request;
// --plan reads only the listing and counts what the scan then makes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "fake_bitbucket/server.hpp"
#include "fault_support.hpp"

namespace bbp::test {
namespace {

using ::testing::HasSubstr;

// The fault scenario with twelve more repositories in acme, so that a scan has reads to lose.
json larger_scenario() {
  json scenario = fault_scenario();
  auto& repos = scenario["workspaces"][0]["repositories"];
  for (int i = 0; i < 12; ++i) {
    repos.push_back(
        {{"slug", "extra" + std::to_string(i)},
         {"is_private", true},
         {"updated_on", kFresh},
         {"deploy_keys", json::array({deploy_key(500 + i, "k" + std::to_string(i),
                                                 "ssh-ed25519 AAAAX" + std::to_string(i),
                                                 "2020-01-01T00:00:00+00:00")})}});
  }
  return scenario;
}

// The report without what differs between any two runs (times, request counts).
json comparable(json report) {
  report.erase("scan");
  return report;
}

class Checkpoint : public ::testing::Test {
 protected:
  // A JSON scan of the fake that does not fail on findings.
  std::vector<std::string> args(const std::vector<std::string>& extra) const {
    std::vector<std::string> all{"-f", "json", "--fail-on", "none", "--no-progress"};
    all.insert(all.end(), extra.begin(), extra.end());
    return bb_.scan_args(all);
  }

  std::size_t api_requests() const {
    return bb_.fake().request_count() - bb_.fake().token_requests();
  }

  // The requests the journal's complete records stood for (one per read, two for restrictions
  // that needed the branching model), and the number of records.
  static std::pair<std::size_t, std::size_t> journaled(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::size_t cost = 0;
    std::size_t records = 0;
    for (bool header = true; std::getline(in, line); header = false) {
      const auto record = json::parse(line, nullptr, false);
      if (header || record.is_discarded() || in.eof()) {
        continue;  // the header, or a torn last line
      }
      records += 1;
      cost += 1;
      if (record["read"] == "branches" && !record["repository"]["branching_model"].is_null()) {
        cost += 1;
      }
    }
    return {cost, records};
  }

  static std::size_t lines(const std::string& path) {
    std::ifstream in(path);
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) {
      n += 1;
    }
    return n;
  }

  // Stops a checkpointed scan with `sig` once the journal has `records` reads, resumes it, and
  // compares the result with an uninterrupted scan.
  void interrupt_and_resume(int sig, std::size_t records) {
    const auto reference = bb_.run(args({}));
    ASSERT_EQ(reference.exit_code, 0) << reference.err;
    const std::size_t full = api_requests();
    bb_.fake().reset_counters();

    const std::string journal = bb_.path("scan.checkpoint");
    bb_.fake().set_latency(Millis{40});
    {
      const auto process = bb_.spawn(args({"--concurrency", "2", "--checkpoint", journal}));
      const auto deadline = std::chrono::steady_clock::now() + Millis{30'000};
      while (lines(journal) < records + 1 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(Millis{2});
      }
      process->signal(sig);
      const auto stopped = process->wait(Millis{60'000});
      EXPECT_NE(stopped.exit_code, 0);
    }
    bb_.fake().set_latency(Millis{0});
    const auto [cost, kept] = journaled(journal);
    ASSERT_GE(kept, records);
    ASSERT_LT(cost, full);
    bb_.fake().reset_counters();

    const auto resumed = bb_.run(args({"--checkpoint", journal}));
    EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_THAT(resumed.err, HasSubstr("resuming from the checkpoint"));
    // The listing again, and every read the journal lacks: nothing more.
    EXPECT_EQ(api_requests(), full - cost);
    const auto expected = json::parse(reference.out);
    const auto got = json::parse(resumed.out, nullptr, false);
    ASSERT_TRUE(got.is_object()) << resumed.out;
    EXPECT_EQ(comparable(got), comparable(expected));
    EXPECT_EQ(got["scan"]["complete"], true);
    // The scan it was for is finished: the next run starts afresh.
    EXPECT_FALSE(std::filesystem::exists(journal));
  }

  FakeScanFixture bb_{BBP_BINARY, larger_scenario(), client_env()};
};

TEST_F(Checkpoint, SigkillEarlyThenResumeGivesTheUninterruptedReport) {
  interrupt_and_resume(SIGKILL, 2);
}

TEST_F(Checkpoint, SigkillLateThenResumeGivesTheUninterruptedReport) {
  interrupt_and_resume(SIGKILL, 20);
}

TEST_F(Checkpoint, SigintMidwayThenResumeGivesTheUninterruptedReport) {
  interrupt_and_resume(SIGINT, 10);
}

TEST_F(Checkpoint, InterruptedScanSaysTheCheckpointIsKept) {
  const std::string journal = bb_.path("scan.checkpoint");
  bb_.fake().set_latency(Millis{40});
  const auto process = bb_.spawn(args({"--concurrency", "2", "--checkpoint", journal}));
  while (lines(journal) < 4) {
    std::this_thread::sleep_for(Millis{2});
  }
  process->signal(SIGINT);
  const auto r = process->wait(Millis{60'000});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("is kept: run the same command again"));
  EXPECT_TRUE(std::filesystem::exists(journal));
}

TEST_F(Checkpoint, AJournalOfAnotherScanIsRefusedBeforeAnyRequest) {
  const std::string journal = bb_.path("scan.checkpoint");
  {
    std::ofstream out(journal);
    out << R"({"bbposture_checkpoint":1,"api_url":"https://api.bitbucket.org/2.0",)"
        << R"("workspaces":[],"repos":[],"exclude_repos":[],"projects":[],"rules":[]})"
        << "\n";
  }
  const auto r = bb_.run(args({"--checkpoint", journal}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("is the checkpoint of another scan (api_url, rules differ)"));
  EXPECT_EQ(bb_.fake().request_count(), 0U);
}

TEST_F(Checkpoint, AJournalWithADifferentScopeIsRefused) {
  const std::string journal = bb_.path("scan.checkpoint");
  bb_.fake().set_latency(Millis{40});
  {
    const auto process = bb_.spawn(args({"--checkpoint", journal, "-w", "acme"}));
    while (lines(journal) < 3) {
      std::this_thread::sleep_for(Millis{2});
    }
    process->signal(SIGKILL);
    process->wait();
  }
  bb_.fake().reset_counters();
  const auto r = bb_.run(args({"--checkpoint", journal}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("(workspaces differ)"));
  EXPECT_EQ(bb_.fake().request_count(), 0U);
}

TEST_F(Checkpoint, ACorruptJournalIsRefusedAndATornLastLineIsNot) {
  const std::string journal = bb_.path("scan.checkpoint");
  bb_.fake().set_latency(Millis{40});
  {
    const auto process = bb_.spawn(args({"--checkpoint", journal}));
    while (lines(journal) < 4) {
      std::this_thread::sleep_for(Millis{2});
    }
    process->signal(SIGKILL);
    process->wait();
  }
  bb_.fake().set_latency(Millis{0});
  const std::string good = read_file(journal);
  {
    std::ofstream out(journal, std::ios::app);
    out << R"({"read":"deploy_keys","repos)";  // died while writing this line
  }
  EXPECT_EQ(bb_.run(args({"--checkpoint", journal})).exit_code, 0);

  {
    std::ofstream out(journal);
    out << good.substr(0, good.find('\n') + 1) << "not json\n" << good.substr(good.find('\n') + 1);
  }
  bb_.fake().reset_counters();
  const auto r = bb_.run(args({"--checkpoint", journal}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("line 2 is not a checkpoint record"));
  EXPECT_EQ(bb_.fake().request_count(), 0U);
}

// The cron story: the hour's budget runs out, --max-wait says not to wait, the checkpoint is
// kept; the next run, once the window has passed, reads the rest and the report is whole.
TEST_F(Checkpoint, ARunThatOutlastsMaxWaitIsResumedByTheNextOne) {
  const auto reference = bb_.run(args({}));
  ASSERT_EQ(reference.exit_code, 0) << reference.err;
  const std::size_t full = api_requests();
  bb_.fake().reset_counters();
  const std::size_t budget = full / 2 + 4;  // the listing twice and the reads once fit in two
  bb_.fake().add_fault({{"kind", "rate_limit"}, {"budget", budget}, {"window_ms", 1500}});

  const std::string journal = bb_.path("scan.checkpoint");
  const auto first =
      bb_.run(args({"--checkpoint", journal, "--max-wait", "0", "--concurrency", "1"}));
  EXPECT_EQ(first.exit_code, 3) << first.err;
  EXPECT_THAT(first.err, HasSubstr("is kept"));
  const auto [cost, records] = journaled(journal);
  EXPECT_GT(records, 0U);

  std::this_thread::sleep_for(Millis{1600});  // the rolling window has passed
  bb_.fake().reset_counters();
  const auto second = bb_.run(args({"--checkpoint", journal, "--max-wait", "0"}));
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(api_requests(), full - cost);
  EXPECT_EQ(comparable(json::parse(second.out)), comparable(json::parse(reference.out)));
  EXPECT_FALSE(std::filesystem::exists(journal));
}

TEST_F(Checkpoint, PlanReadsOnlyTheListingAndCountsWhatTheScanMakes) {
  const auto plan = bb_.run(args({"--plan"}));
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  for (const auto& request : bb_.fake().requests()) {
    EXPECT_THAT(request.path, ::testing::Not(HasSubstr("branch-restrictions")));
    EXPECT_THAT(request.path, ::testing::Not(HasSubstr("deploy-keys")));
    EXPECT_THAT(request.path, ::testing::Not(HasSubstr("ssh-keys")));
  }
  const auto counted = json::parse(plan.out, nullptr, false);
  ASSERT_TRUE(counted.is_object()) << plan.out;
  EXPECT_EQ(counted["repositories"], 17);
  bb_.fake().reset_counters();
  const auto scan = bb_.run(args({}));
  const auto report = json::parse(scan.out);
  EXPECT_EQ(counted["requests"]["total"], report["scan"]["api_requests"]);
  EXPECT_EQ(counted["requests"]["total"], bb_.fake().request_count());
  EXPECT_EQ(counted["estimated_seconds"], 0);
}

TEST_F(Checkpoint, PlanEstimatesTheTimeForARate) {
  const auto plan = bb_.run(args({"--plan", "--max-requests-per-hour", "10"}));
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  const auto counted = json::parse(plan.out);
  const auto total = counted["requests"]["total"].get<std::uint64_t>();
  EXPECT_EQ(counted["estimated_seconds"], total * 360);
  const auto text = bb_.scan({"--plan"});
  EXPECT_THAT(text.out, HasSubstr("acme: 16 repositories"));
  EXPECT_THAT(text.out, HasSubstr("Requests: " + std::to_string(total)));
}

}  // namespace
}  // namespace bbp::test
