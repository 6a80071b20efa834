// Request efficiency of a full scan, driven through the real bbposture binary against the fake
// Bitbucket Cloud server: the exact number of requests for a generated scenario of a few
// hundred repositories, at low and high concurrency. A regression (a lost pagelen=100, a
// duplicated read, a needless branching-model read) changes the count and fails here.
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "bench_scenario.hpp"
#include "fake_scan_fixture.hpp"

namespace bbp::test {
namespace {

using nlohmann::json;

class RequestCount : public ::testing::TestWithParam<int> {
 protected:
  RunResult scan(const std::vector<std::string>& extra) {
    std::vector<std::string> args{"-f", "json", "--no-progress", "-v"};
    args.insert(args.end(), extra.begin(), extra.end());
    return bb_.scan(args);
  }

  GeneratedScenario generated_ = few_hundred_repositories();
  FakeScanFixture bb_{BBP_BINARY, generated_.scenario,
                      client_credentials(kBenchClientId, kBenchClientSecret, kBenchNow)};
};

TEST(GeneratedScenario, HasTheShapeTheCountsAssume) {
  const auto g = few_hundred_repositories();
  EXPECT_EQ(g.repositories, 300U);
  EXPECT_EQ(g.workspaces, 2U);
  EXPECT_EQ(g.projects, 5U);
  EXPECT_EQ(g.repository_pages, 4U);  // 180 -> 2 pages, 120 -> 2 pages (pagelen 100)
  EXPECT_EQ(g.empty, 8U);
  EXPECT_EQ(g.branching_model, 15U);
  // Below the documented bound 2N + ceil(N/100) + 2P + W + 5, plus one per branching model.
  EXPECT_LE(g.expected_requests(), 2 * 300 + 3 + 2 * 5 + 2 + 5 + g.branching_model);
  EXPECT_EQ(g.expected_requests(), 620U);
}

TEST_P(RequestCount, FullScanMakesExactlyTheExpectedRequests) {
  const int concurrency = GetParam();
  const auto r = scan({"--concurrency", std::to_string(concurrency)});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << "\n" << r.err;
  const auto report = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.out << r.err;

  EXPECT_EQ(report["scan"]["repositories"], generated_.repositories);
  EXPECT_EQ(report["summary"]["unknown"], 0);
  EXPECT_EQ(report["errors"].size(), 0U);
  EXPECT_EQ(report["scan"]["complete"], true);

  const auto expected = generated_.expected_requests();
  EXPECT_EQ(report["scan"]["api_requests"], expected);
  EXPECT_EQ(bb_.fake().request_count(), expected);  // the server saw the same number
  EXPECT_NE(r.err.find(std::to_string(expected) + " requests, 0 retries"), std::string::npos)
      << r.err;

  // Where the requests went.
  EXPECT_EQ(bb_.fake().token_requests(), 1U);
  EXPECT_EQ(bb_.fake().request_count("/2.0/user"), 1U);
  EXPECT_EQ(bb_.fake().request_count("/2.0/user/workspaces"), 1U);
  EXPECT_EQ(bb_.fake().request_count("/2.0/repositories/alpha"), 2U);
  EXPECT_EQ(bb_.fake().request_count("/2.0/repositories/beta"), 2U);
  EXPECT_EQ(bb_.fake().request_count("/2.0/users/{bench-user}/ssh-keys"), 1U);
  std::map<std::string, std::size_t> by_kind;
  for (const auto& record : bb_.fake().requests()) {
    EXPECT_EQ(record.status == 200, true) << record.path << " " << record.status;
    const auto slash = record.path.rfind('/');
    by_kind[record.path.substr(slash + 1)] += 1;
  }
  EXPECT_EQ(by_kind["branch-restrictions"], generated_.restriction_pages);
  EXPECT_EQ(by_kind["effective-branching-model"], generated_.branching_model);
  EXPECT_EQ(by_kind["deploy-keys"], generated_.deploy_key_pages + generated_.projects);
  EXPECT_EQ(by_kind["branching-model"], 0U);
}

INSTANTIATE_TEST_SUITE_P(Concurrency, RequestCount, ::testing::Values(1, 4, 16),
                         [](const ::testing::TestParamInfo<int>& param) {
                           return "Concurrency" + std::to_string(param.param);
                         });

}  // namespace
}  // namespace bbp::test
