// The fake server's faults for writes: a refused write and a restriction that drifts between
// a read and a write.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "fake_test_support.hpp"

namespace bbp::fake::testing {
namespace {

using nlohmann::json;

constexpr const char* kRestrictions = "/2.0/repositories/acme/api/branch-restrictions";

const json kForceMain = {{"type", "branchrestriction"},
                         {"kind", "force"},
                         {"branch_match_kind", "glob"},
                         {"pattern", "main"}};

class FakeWriteFaultsTest : public ::testing::Test {
 protected:
  void start(json scenario = writes_scenario()) {
    server_ = std::make_unique<FakeBitbucket>(std::move(scenario));
    server_->start();
  }
  Caller writer() const { return Caller(*server_).basic(kWriterEmail, kWriterToken); }
  json restrictions() const {
    const auto page = writer().get(std::string(kRestrictions) + "?pagelen=100");
    EXPECT_EQ(page.status, 200) << page.body;
    return page.json().at("values");
  }

  std::unique_ptr<FakeBitbucket> server_;
};

// ----- refuse_write -------------------------------------------------------------------------

TEST_F(FakeWriteFaultsTest, RefusedWriteAnswers403WithAnErrorBodyAndChangesNothing) {
  start();
  server_->add_fault({{"kind", "refuse_write"}, {"path", kRestrictions}});
  EXPECT_EQ(writer().get(kRestrictions).status, 200);  // reads are never refused

  const auto refused = writer().send("POST", kRestrictions, kForceMain.dump());
  ASSERT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.header("Content-Type"), "application/json");
  EXPECT_EQ(refused.json().at("type"), "error");
  EXPECT_FALSE(refused.json().at("error").at("message").get<std::string>().empty());
  EXPECT_EQ(restrictions().size(), 2u);

  // Used up (times defaults to 1): the next write goes through.
  EXPECT_EQ(writer().send("POST", kRestrictions, kForceMain.dump()).status, 201);
  const auto writes = server_->write_requests();
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(writes[0].status, 403);
  EXPECT_EQ(writes[0].body, kForceMain.dump());
}

TEST_F(FakeWriteFaultsTest, RefusedWriteWithItsOwnStatusBodyMethodAndGlob) {
  start();
  server_->add_fault({{"kind", "refuse_write"},
                      {"path", "/2.0/repositories/acme/*/deploy-keys/*"},
                      {"method", "DELETE"},
                      {"status", 500},
                      {"body", "upstream broke"},
                      {"times", -1}});
  const std::string key = "/2.0/repositories/acme/api/deploy-keys/123";
  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto refused = writer().send("DELETE", key);
    EXPECT_EQ(refused.status, 500);
    EXPECT_EQ(refused.body, "upstream broke");
  }
  EXPECT_EQ(writer().get("/2.0/repositories/acme/api/deploy-keys").json().at("values").size(), 1u);
  // Other writes are not matched.
  EXPECT_EQ(writer().send("PUT", "/2.0/repositories/acme/api", R"({"is_private": true})").status,
            200);
}

TEST_F(FakeWriteFaultsTest, RefusedWriteNeverTouchesTheTokenEndpoint) {
  start();
  server_->add_fault({{"kind", "refuse_write"}, {"times", -1}});  // every API write
  EXPECT_FALSE(mint_token(*server_).empty());
  EXPECT_EQ(writer().send("POST", kRestrictions, kForceMain.dump()).status, 403);
}

// ----- drift --------------------------------------------------------------------------------

TEST_F(FakeWriteFaultsTest, DriftAddsARestrictionAfterTheFirstReadSoTheWriteFindsADuplicate) {
  start();
  server_->add_fault({{"kind", "drift"},
                      {"path", kRestrictions},
                      {"method", "GET"},
                      {"repository", "acme/api"},
                      {"add", kForceMain}});
  // The plan's read sees the repository as the scenario has it...
  const json planned = restrictions();
  ASSERT_EQ(planned.size(), 2u);
  // ...then someone adds the restriction the plan wanted to add.
  const auto write = writer().send("POST", kRestrictions, kForceMain.dump());
  EXPECT_EQ(write.status, 409) << write.body;
  const json now = restrictions();
  ASSERT_EQ(now.size(), 3u);
  EXPECT_EQ(now[2].at("kind"), "force");
  EXPECT_TRUE(now[2].at("id").is_number_integer());
  EXPECT_EQ(restrictions().size(), 3u);  // it happened once (times defaults to 1)
}

TEST_F(FakeWriteFaultsTest, DriftAfterTheNthReadChangesARestriction) {
  start();
  server_->add_fault({{"kind", "drift"},
                      {"path", kRestrictions},
                      {"method", "GET"},
                      {"skip", 1},
                      {"repository", "acme/api"},
                      {"update", {{"id", 2}, {"value", 1}}}});
  EXPECT_EQ(restrictions()[1].at("value"), 2);  // skipped
  EXPECT_EQ(restrictions()[1].at("value"), 2);  // fires: answered first, then changed
  EXPECT_EQ(restrictions()[1].at("value"), 1);
  EXPECT_EQ(writer().get(std::string(kRestrictions) + "/2").json().at("value"), 1);
}

TEST_F(FakeWriteFaultsTest, DriftRemovesARestrictionSoTheUpdateFindsNothing) {
  start();
  server_->add_fault({{"kind", "drift"},
                      {"path", std::string(kRestrictions) + "*"},
                      {"method", "GET"},
                      {"repository", "acme/api"},
                      {"remove", 2}});
  EXPECT_EQ(writer().get(std::string(kRestrictions) + "/2").status, 200);
  EXPECT_EQ(writer().send("PUT", std::string(kRestrictions) + "/2", R"({"value": 3})").status, 404);
  EXPECT_EQ(restrictions().size(), 1u);
}

TEST_F(FakeWriteFaultsTest, FaultsForWritesComeFromTheScenarioToo) {
  json scenario = writes_scenario();
  scenario["faults"] = json::array(
      {{{"kind", "drift"}, {"path", kRestrictions}, {"repository", "acme/api"}, {"remove", 1}},
       {{"kind", "refuse_write"}, {"path", "/2.0/repositories/acme/web"}, {"status", 403}}});
  start(scenario);
  EXPECT_EQ(restrictions().size(), 2u);
  EXPECT_EQ(restrictions().size(), 1u);
  EXPECT_EQ(writer().send("PUT", "/2.0/repositories/acme/web", R"({"is_private": true})").status,
            403);
  EXPECT_EQ(writer().get("/2.0/repositories/acme/web").json().at("is_private"), false);
}

TEST_F(FakeWriteFaultsTest, InvalidWriteFaultsAreRejected) {
  start();
  const json bad[] = {
      {{"kind", "drift"}, {"add", kForceMain}},                                  // no repository
      {{"kind", "drift"}, {"repository", "acme"}, {"add", kForceMain}},          // not ws/slug
      {{"kind", "drift"}, {"repository", "acme/nothing"}, {"add", kForceMain}},  // unknown
      {{"kind", "drift"}, {"repository", "acme/api"}},                           // no change
      {{"kind", "drift"}, {"repository", "acme/api"}, {"add", kForceMain}, {"remove", 1}},
      {{"kind", "drift"}, {"repository", "acme/api"}, {"update", {{"value", 1}}}},  // no id
      {{"kind", "drift"}, {"repository", "acme/api"}, {"add", "force"}},
      {{"kind", "refuse_write"}, {"status", 700}},
      {{"kind", "refuse_write"}, {"headers", "x"}},
  };
  for (const auto& fault : bad) {
    EXPECT_THROW(server_->add_fault(fault), std::invalid_argument) << fault.dump();
  }
  json scenario = writes_scenario();
  scenario["faults"] = json::array({bad[2]});
  EXPECT_THROW(FakeBitbucket{scenario}, std::invalid_argument);
}

}  // namespace
}  // namespace bbp::fake::testing
