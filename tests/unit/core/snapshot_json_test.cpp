#include "bbp/core/snapshot_json.hpp"

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

TEST(SnapshotJsonTest, RejectsOtherVersionsAndBrokenInput) {
  auto json = snapshot_to_json(rich_snapshot());
  json["snapshot_version"] = 2;
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

}  // namespace
}  // namespace bbp::core
