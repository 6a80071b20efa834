// Faults (canned status, dropped connection, latency, non-JSON body), the per-user rate limit,
// the request observer and concurrent requests.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "dc_test_support.hpp"

namespace bbp::fake_dc::testing {
namespace {

using nlohmann::json;

constexpr const char* kRepos = "/rest/api/latest/repos";

class DcFaultsTest : public FakeDcTest {};

TEST_F(DcFaultsTest, StatusFaultWithBodyMethodAndTimes) {
  server_->add_fault({{"kind", "status"},
                      {"path", "/rest/api/*/repos"},
                      {"method", "GET"},
                      {"status", 503},
                      {"body", "<html>Service Unavailable</html>"},
                      {"content_type", "text/html"},
                      {"headers", {{"Retry-After", "3"}}},
                      {"times", 2}});
  const auto first = as("alice").get(kRepos);
  EXPECT_EQ(first.status, 503);
  EXPECT_EQ(first.body, "<html>Service Unavailable</html>");
  EXPECT_EQ(first.header("Retry-After"), "3");
  EXPECT_EQ(as("alice").get("/rest/api/1.0/repos").status, 503);
  EXPECT_EQ(as("alice").get(kRepos).status, 200);  // used up
  EXPECT_EQ(server_->requests()[0].status, 503);
}

TEST_F(DcFaultsTest, SkipLetsRequestsThroughFirst) {
  server_->add_fault({{"kind", "status"}, {"path", kRepos}, {"status", 500}, {"skip", 1}});
  EXPECT_EQ(as("alice").get(kRepos).status, 200);
  EXPECT_EQ(as("alice").get(kRepos).status, 500);
  EXPECT_EQ(as("alice").get(kRepos).status, 200);
}

TEST_F(DcFaultsTest, DroppedConnectionIsATransportError) {
  server_->add_fault({{"kind", "drop"}, {"path", kRepos}});
  const auto dropped = as("alice").get(kRepos);
  EXPECT_FALSE(dropped.ok && dropped.status == 200 && dropped.body.size() > 100);
  EXPECT_EQ(server_->requests().back().status, 0);
  EXPECT_EQ(as("alice").get(kRepos).status, 200);
}

TEST_F(DcFaultsTest, MalformedBodyIsNotJson) {
  server_->add_fault({{"kind", "malformed"}, {"path", kRepos}});
  const auto response = as("alice").get(kRepos);
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.header("Content-Type"), "application/json");
  EXPECT_FALSE(json::accept(response.body));
}

TEST_F(DcFaultsTest, LatencyFaultStillAnswers) {
  server_->add_fault({{"kind", "latency"}, {"ms", 20}, {"times", -1}});
  server_->set_latency(std::chrono::milliseconds(5));
  EXPECT_EQ(as("alice").get(kRepos).status, 200);
  EXPECT_EQ(anonymous().get("/rest/api/latest/application-properties").status, 200);
}

TEST_F(DcFaultsTest, InvalidFaultIsRejected) {
  EXPECT_THROW(server_->add_fault({{"kind", "explode"}}), std::invalid_argument);
  EXPECT_THROW(server_->add_fault({{"kind", "status"}, {"status", 700}}), std::invalid_argument);
}

TEST_F(DcFaultsTest, RateLimitPerUserWithRetryAfter) {
  auto scenario = basic_scenario();
  // One token, refilled every 1000 s: the second request of a user is always refused.
  scenario["rate_limit"] = {{"capacity", 1}, {"refill_per_second", 0.001}};
  start(scenario);
  EXPECT_EQ(as("alice").get(kRepos).status, 200);
  const auto limited = as("alice").get(kRepos);
  ASSERT_EQ(limited.status, 429);
  const int retry_after = std::stoi(limited.header("Retry-After"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 1000);
  EXPECT_EQ(limited.exception_name(), "com.atlassian.bitbucket.throttle.RateLimitedException");
  EXPECT_EQ(Caller(*server_).basic("alice", "pw-alice").get(kRepos).status, 429);  // same user
  EXPECT_EQ(as("bob").get(kRepos).status, 200);  // a bucket of its own
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(anonymous().get(kRepos).status, 200);  // anonymous callers are not limited
  }
}

TEST_F(DcFaultsTest, ObserverSeesEachAnsweredRequest) {
  std::atomic<int> seen{0};
  server_->set_request_observer([&seen](const RequestRecord& record) {
    if (record.user == "alice" && record.status == 200) {
      ++seen;
    }
  });
  as("alice").get(kRepos);
  as("bob").get(kRepos);
  server_->set_request_observer({});
  EXPECT_EQ(seen.load(), 1);
}

TEST_F(DcFaultsTest, ServesConcurrentRequests) {
  server_->set_latency(std::chrono::milliseconds(20));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([this, &ok] {
      if (as("admin").get(kRepos).status == 200) {
        ++ok;
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(ok.load(), 16);
  EXPECT_EQ(server_->request_count(kRepos), 16U);
}

}  // namespace
}  // namespace bbp::fake_dc::testing
