#include "bbp/core/snapshot_json.hpp"

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bbp/core/engine.hpp"
#include "builders.hpp"

namespace bbp::core {
namespace {

using test::BranchingModelBuilder;
using test::KeyBuilder;
using test::RepositoryBuilder;
using test::restriction;

Snapshot rich_snapshot() {
  auto s = test::snapshot_of(
      {RepositoryBuilder("api")
           .restrict(restriction("push").user("bot").group("admins"))
           .restrict(restriction("require_approvals_to_merge").value(2))
           .restrict(restriction("force").model("production"))
           .model(BranchingModelBuilder().production(true).type("release", "release/")),
       RepositoryBuilder("empty").mainbranch(std::nullopt).is_private(false),
       RepositoryBuilder("odd").is_private(std::nullopt).updated_on(std::nullopt),
       RepositoryBuilder("locked").restrictions_unreadable()},
      {KeyBuilder(KeyKind::deploy_key, "5").created_days_ago(400).created_field("added_on"),
       KeyBuilder(KeyKind::project_deploy_key, "6").created_on(std::nullopt)});
  s.ssh_keys.push_back(KeyBuilder(KeyKind::ssh_key, "{s}").created_days_ago(3));
  s.gaps.push_back({GapSubject::branch_restrictions, "acme", "acme/locked", std::nullopt,
                    "/2.0/repositories/acme/locked/branch-restrictions", 403,
                    UnknownReason::missing_scope, "missing scope: repository:admin"});
  s.gaps.push_back({GapSubject::ssh_keys, "", std::nullopt, std::nullopt, "/2.0/users/x/ssh-keys",
                    std::nullopt, UnknownReason::timeout, "timeout"});
  return s;
}

TEST(SnapshotJsonTest, RoundTripKeepsEverythingTheRulesRead) {
  const auto original = rich_snapshot();
  const auto json = snapshot_to_json(original);
  EXPECT_EQ(json["snapshot_version"], kSnapshotVersion);
  const auto restored = snapshot_from_json(nlohmann::json::parse(json.dump()));
  EXPECT_EQ(snapshot_to_json(restored), json);

  auto a = evaluate(original, Settings{}, test::test_now());
  auto b = evaluate(restored, Settings{}, test::test_now());
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].rule, b[i].rule);
    EXPECT_EQ(a[i].outcome, b[i].outcome);
    EXPECT_EQ(a[i].fingerprint, b[i].fingerprint);
    EXPECT_EQ(a[i].evidence.value(), b[i].evidence.value());
    EXPECT_EQ(a[i].reason, b[i].reason);
  }
}

TEST(SnapshotJsonTest, KeyCoverageRoundTrips) {
  auto snapshot = rich_snapshot();
  snapshot.workspaces[0].deploy_keys_collected = true;
  snapshot.workspaces[0].project_keys_collected = false;
  const auto back = snapshot_from_json(snapshot_to_json(snapshot));
  EXPECT_TRUE(back.workspaces[0].deploy_keys_collected);
  EXPECT_FALSE(back.workspaces[0].project_keys_collected);
  auto missing = snapshot_to_json(snapshot);
  missing["workspaces"][0].erase("deploy_keys_collected");
  EXPECT_THROW(snapshot_from_json(missing), std::invalid_argument);
}

// The credential kind is kept by name; a snapshot saved before it was recorded still loads
// and says nothing about it.
TEST(SnapshotJsonTest, CredentialKindRoundTripsAndOlderSnapshotsLoadWithoutIt) {
  auto snapshot = rich_snapshot();
  snapshot.credential = "api_token";
  const auto json = snapshot_to_json(snapshot);
  EXPECT_EQ(json.at("credential"), "api_token");
  std::istringstream text(json.dump());
  EXPECT_EQ(read_snapshot(text).credential, "api_token");

  auto older = json;
  older.erase("credential");
  EXPECT_EQ(snapshot_from_json(older).credential, std::nullopt);
  EXPECT_FALSE(snapshot_to_json(snapshot_from_json(older)).contains("credential"));
  older["credential"] = 3;
  EXPECT_THROW(snapshot_from_json(older), std::invalid_argument);
}

// Version 1 had no coverage: its keys count as read exactly when the SSH key status shows that
// rule 11 was part of the scan.
TEST(SnapshotJsonTest, VersionOneKeysCountAsReadOnlyWhenTheKeyRuleRan) {
  auto v1 = snapshot_to_json(rich_snapshot());
  v1["snapshot_version"] = 1;
  for (auto& ws : v1["workspaces"]) {
    ws.erase("deploy_keys_collected");
    ws.erase("project_keys_collected");
  }
  v1["ssh_keys_status"] = "read";
  auto read = snapshot_from_json(v1);
  EXPECT_TRUE(read.workspaces[0].deploy_keys_collected);
  EXPECT_TRUE(read.workspaces[0].project_keys_collected);
  v1["ssh_keys_status"] = "not_collected";
  read = snapshot_from_json(v1);
  EXPECT_FALSE(read.workspaces[0].deploy_keys_collected);
  EXPECT_FALSE(read.workspaces[0].project_keys_collected);
  std::istringstream text(v1.dump());
  EXPECT_FALSE(read_snapshot(text).workspaces[0].deploy_keys_collected);
}

TEST(SnapshotJsonTest, RejectsOtherVersionsAndBrokenInput) {
  auto json = snapshot_to_json(rich_snapshot());
  json["snapshot_version"] = 3;
  EXPECT_THROW(snapshot_from_json(json), std::invalid_argument);
  json.erase("snapshot_version");
  EXPECT_THROW(snapshot_from_json(json), std::invalid_argument);
  EXPECT_THROW(snapshot_from_json(nlohmann::json::array()), std::invalid_argument);
  auto bad_time = snapshot_to_json(rich_snapshot());
  bad_time["collected_at"] = "yesterday";
  EXPECT_THROW(snapshot_from_json(bad_time), std::invalid_argument);
  auto bad_repo = snapshot_to_json(rich_snapshot());
  bad_repo["workspaces"][0]["repositories"][0].erase("slug");
  EXPECT_THROW(snapshot_from_json(bad_repo), std::invalid_argument);
}

// read_snapshot converts repositories while parsing; whatever the text, it must give what
// snapshot_from_json gives for the parsed document: the same snapshot or the same error.
std::string outcome_of_text(const std::string& text) {
  std::istringstream in(text);
  try {
    return snapshot_to_json(read_snapshot(in)).dump();
  } catch (const SnapshotSyntaxError&) {
    return "syntax error";
  } catch (const std::invalid_argument& e) {
    return std::string("error: ") + e.what();
  }
}
std::string outcome_of_document(const nlohmann::json& document) {
  try {
    return snapshot_to_json(snapshot_from_json(document)).dump();
  } catch (const std::invalid_argument& e) {
    return std::string("error: ") + e.what();
  }
}

Snapshot two_workspaces() {
  auto s = rich_snapshot();
  WorkspaceSnapshot beta;
  beta.slug = "beta";
  beta.repositories.push_back(RepositoryBuilder("site").build());
  beta.repositories.push_back(RepositoryBuilder("docs").is_private(false).build());
  s.workspaces.push_back(beta);
  WorkspaceSnapshot gamma;
  gamma.slug = "gamma";
  gamma.listed = false;
  s.workspaces.push_back(gamma);
  return s;
}

TEST(SnapshotJsonTest, ReadSnapshotEqualsParsingTheWholeDocument) {
  const auto document = snapshot_to_json(two_workspaces());
  const auto text = document.dump(2);
  ASSERT_EQ(outcome_of_text(text), outcome_of_document(document));
  EXPECT_EQ(outcome_of_text(text), document.dump());
}

TEST(SnapshotJsonTest, ReadSnapshotReportsTheSameFirstProblem) {
  const auto good = snapshot_to_json(two_workspaces());
  std::vector<nlohmann::json> broken;
  auto bad_repo = good;  // the second workspace's second repository
  bad_repo["workspaces"][1]["repositories"][1].erase("slug");
  broken.push_back(bad_repo);
  auto bad_repo_and_time = bad_repo;  // a top-level problem is named first
  bad_repo_and_time["collected_at"] = "yesterday";
  broken.push_back(bad_repo_and_time);
  auto other_version = good;
  other_version["snapshot_version"] = 3;
  broken.push_back(other_version);
  auto no_version = good;
  no_version.erase("snapshot_version");
  broken.push_back(no_version);
  auto bad_workspace = good;
  bad_workspace["workspaces"][1] = 5;
  broken.push_back(bad_workspace);
  for (const auto& document : broken) {
    SCOPED_TRACE(document.dump().substr(0, 200));
    const auto expected = outcome_of_document(document);
    ASSERT_EQ(expected.rfind("error: ", 0), 0U) << expected;
    EXPECT_EQ(outcome_of_text(document.dump()), expected);
  }
  EXPECT_EQ(outcome_of_text("{\"snapshot_version\": 1, "), "syntax error");
  EXPECT_EQ(outcome_of_text(""), "syntax error");
}

// Hand-written text: members in any order, repeated members (the last one wins, as when the
// document is parsed whole).
TEST(SnapshotJsonTest, ReadSnapshotFollowsTheDocumentNotTheWriterOrder) {
  const auto document = snapshot_to_json(two_workspaces());
  const std::string workspaces = document["workspaces"].dump();
  const std::string first_workspace = document["workspaces"][0].dump();
  const std::string rest = "\"api_url\": " + document["api_url"].dump() +
                           ", \"collected_at\": " + document["collected_at"].dump() +
                           ", \"ssh_keys_status\": " + document["ssh_keys_status"].dump() +
                           ", \"ssh_keys\": " + document["ssh_keys"].dump() +
                           ", \"gaps\": " + document["gaps"].dump();
  const std::vector<std::string> texts = {
      // the version after the workspaces
      "{\"workspaces\": " + workspaces + ", " + rest + ", \"snapshot_version\": 1}",
      // "workspaces" twice: the second one counts
      "{\"snapshot_version\": 1, \"workspaces\": [" + first_workspace + "], " + rest +
          ", \"workspaces\": " + workspaces + "}",
      // "repositories" twice in a workspace
      "{\"snapshot_version\": 1, " + rest +
          ", \"workspaces\": [{\"slug\": \"acme\", \"repositories\": " +
          document["workspaces"][1]["repositories"].dump() + ", \"listed\": true, " +
          "\"projects\": [], \"keys\": [], \"repositories\": " +
          document["workspaces"][0]["repositories"].dump() + "}]}",
  };
  for (const auto& text : texts) {
    SCOPED_TRACE(text.substr(0, 120));
    EXPECT_EQ(outcome_of_text(text), outcome_of_document(nlohmann::json::parse(text)));
  }
}

}  // namespace
}  // namespace bbp::core
