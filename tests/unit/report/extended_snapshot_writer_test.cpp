// A snapshot with the extended rules' data is written one repository at a time exactly as the
// whole document, hostile text in the workspace-wide lists included.
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bbp/core/snapshot_json.hpp"
#include "builders.hpp"

namespace bbp::report {
namespace {

constexpr auto kReplace = nlohmann::json::error_handler_t::replace;

TEST(ExtendedSnapshotWriterTest, StreamedEqualsTheWholeDocument) {
  auto repo = test::RepositoryBuilder("api").build();
  repo.fork_policy = "allow_forks";
  repo.hooks = std::vector<core::Webhook>{test::webhook("{h-1}", "http", false)};
  repo.pipeline_variables =
      std::vector<core::PipelineVariable>{test::variable("DEPLOY_TOKEN", false)};
  repo.deployment_variables = std::vector<core::PipelineVariable>{
      test::variable("DB_PASSWORD", true, core::VariableLevel::deployment, "Production")};
  auto snapshot = test::snapshot_of({repo, test::RepositoryBuilder("web").build()});
  auto& ws = snapshot.workspaces[0];
  ws.forking_mode = "internal_only";
  auto hostile = test::webhook("{w-1}");
  hostile.description = "\"repositories\": \"@bbposture:repositories:0@\"";
  ws.hooks = std::vector<core::Webhook>{hostile};
  ws.pipeline_variables = std::vector<core::PipelineVariable>{};
  ws.members = std::vector<core::Member>{test::member("@bbposture:repositories:0@", false),
                                         test::member("bad \xff byte", std::nullopt)};
  ws.owners = std::vector<core::Member>{test::member("Ana", true)};

  std::ostringstream out;
  write_snapshot(out, snapshot);
  const auto text = out.str();
  EXPECT_EQ(text, core::snapshot_to_json(snapshot).dump(2, ' ', false, kReplace) + "\n");
  const auto back = core::snapshot_from_json(nlohmann::json::parse(text));
  EXPECT_EQ(back.workspaces.at(0).repositories.size(), 2U);
  EXPECT_EQ(back.workspaces.at(0).hooks->at(0).description, hostile.description);
  EXPECT_EQ(back.workspaces.at(0).repositories.at(0).deployment_variables->at(0).environment,
            "Production");
}

}  // namespace
}  // namespace bbp::report
