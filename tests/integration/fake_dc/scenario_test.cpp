// Scenario validation: every wrong entry is refused with std::invalid_argument naming it.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "dc_test_support.hpp"

namespace bbp::fake_dc::testing {
namespace {

using nlohmann::json;

// Applies `change` to the basic scenario and expects the constructor to throw a message that
// contains `expected`.
void expect_rejected(const std::function<void(json&)>& change, const std::string& expected) {
  json scenario = basic_scenario();
  change(scenario);
  try {
    const FakeDataCenter server(scenario);
    ADD_FAILURE() << "accepted; expected an error mentioning " << expected;
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find(expected), std::string::npos) << error.what();
  }
}

json& api_repo(json& scenario) {
  return scenario["projects"][0]["repos"][0];
}

TEST(DcScenarioTest, BasicScenarioIsValid) {
  EXPECT_NO_THROW(FakeDataCenter::from_file(scenario_path("dc_basic.json")));
}

TEST(DcScenarioTest, RestrictionReferencesAreChecked) {
  expect_rejected([](json& s) { api_repo(s)["restrictions"][0]["users"] = {"nobody"}; },
                  "projects[0] (PLAT).repos[0] (PLAT/api).restrictions[0]: unknown user");
  expect_rejected([](json& s) { api_repo(s)["restrictions"][0]["access_keys"] = {99}; },
                  "unknown access key id 99");
  expect_rejected([](json& s) { api_repo(s)["restrictions"][0]["groups"] = {"ghosts"}; },
                  "unknown group");
  expect_rejected([](json& s) { api_repo(s)["restrictions"][0]["matcher"]["type"] = "TAG"; },
                  "unknown matcher type \"TAG\"");
  expect_rejected([](json& s) { api_repo(s)["restrictions"][0]["type"] = "no-pushes"; },
                  "unknown restriction type");
  expect_rejected([](json& s) { api_repo(s)["restrictions"][0]["matcher"]["id"] = "main"; },
                  "refs/heads/");
  expect_rejected(
      [](json& s) {
        s["projects"][0]["restrictions"][0]["matcher"] = {{"type", "MODEL_CATEGORY"},
                                                          {"id", "CHORE"}};
      },
      "projects[0] (PLAT).restrictions[0]: MODEL_CATEGORY");
  // A project's restriction cannot name a repository's key.
  expect_rejected([](json& s) { s["projects"][0]["restrictions"][0]["access_keys"] = {7}; },
                  "unknown access key id 7");
}

TEST(DcScenarioTest, PermissionsAndEnumsAreChecked) {
  expect_rejected([](json& s) { api_repo(s)["permissions"]["carol"] = "PROJECT_ADMIN"; },
                  "permission of \"carol\"");
  expect_rejected([](json& s) { api_repo(s)["permissions"]["zed"] = "REPO_READ"; },
                  "unknown user \"zed\"");
  expect_rejected([](json& s) { s["projects"][0]["permissions"]["group:none"] = "PROJECT_READ"; },
                  "unknown group \"none\"");
  expect_rejected([](json& s) { api_repo(s)["access_keys"][0]["permission"] = "REPO_ADMIN"; },
                  "access_keys[0]: \"permission\"");
  expect_rejected([](json& s) { api_repo(s)["required_builds_path"] = "builds"; },
                  "required_builds_path");
  expect_rejected([](json& s) { s["key_dates"] = "seconds"; }, "key_dates");
  expect_rejected([](json& s) { s["empty_default_branch_status"] = 200; },
                  "empty_default_branch_status");
  expect_rejected([](json& s) { s["rate_limit"] = {{"capacity", 0}}; }, "rate_limit");
}

TEST(DcScenarioTest, EntriesAreChecked) {
  expect_rejected([](json& s) { s["projects"][1]["key"] = "plat"; }, "duplicate key");
  expect_rejected([](json& s) { s["projects"][0]["repos"][1]["slug"] = "API"; },
                  "duplicate repository slug");
  expect_rejected([](json& s) { s["users"][1]["name"] = "admin"; }, "users[1]");
  expect_rejected([](json& s) { s["groups"]["devs"] = {"nobody"}; }, "groups.devs");
  expect_rejected([](json& s) { api_repo(s)["last_commit"]["id"] = "abc"; },
                  "last_commit: \"id\" must be 40 hexadecimal digits");
  expect_rejected([](json& s) { s["users"][0]["ssh_keys"][0]["created"] = "yesterday"; },
                  "users[0].ssh_keys[0]: \"created\" must be an RFC 3339 date-time");
  expect_rejected(
      [](json& s) { s["projects"][0]["repos"][2]["last_commit"] = api_repo(s)["last_commit"]; },
      "empty repository");
  expect_rejected([](json& s) { s["faults"] = {{{"kind", "nope"}}}; }, "fault: unknown kind");
  expect_rejected([](json& s) { s["projects"][0]["repos"][0].erase("slug"); }, "needs \"slug\"");
}

TEST(DcScenarioTest, FromFileNamesTheFile) {
  try {
    FakeDataCenter::from_file("/nonexistent/dc.json");
    ADD_FAILURE() << "accepted a missing file";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent/dc.json"), std::string::npos);
  }
}

}  // namespace
}  // namespace bbp::fake_dc::testing
