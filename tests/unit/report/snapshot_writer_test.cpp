#include <sstream>

#include <gtest/gtest.h>

#include "bbp/core/snapshot_json.hpp"
#include "report_fixture.hpp"

namespace bbp::report {
namespace {

constexpr auto kReplace = nlohmann::json::error_handler_t::replace;

std::string written(const core::Snapshot& snapshot) {
  std::ostringstream out;
  write_snapshot(out, snapshot);
  return out.str();
}

// Repositories are written one at a time; the bytes must be exactly those of the whole
// snapshot document pretty-printed at once, so a saved file is the same either way.
TEST(SnapshotWriterTest, StreamedSnapshotEqualsTheWholeDocument) {
  auto snapshot = testing::sample_snapshot();
  ASSERT_FALSE(snapshot.workspaces.at(0).repositories.empty());
  EXPECT_EQ(written(snapshot),
            core::snapshot_to_json(snapshot).dump(2, ' ', false, kReplace) + "\n");

  // A second workspace (markers are per workspace), an empty one, and hostile names.
  core::WorkspaceSnapshot beta;
  beta.slug = "beta";
  beta.repositories.push_back(test::RepositoryBuilder("site").build());
  beta.repositories.back().name = "\"repositories\": \"@bbposture:repositories:0@\"";
  beta.repositories.back().html_url = "bad \xff byte";
  snapshot.workspaces.push_back(beta);
  core::WorkspaceSnapshot empty;
  empty.slug = "empty";
  snapshot.workspaces.push_back(empty);
  const auto text = written(snapshot);
  EXPECT_EQ(text, core::snapshot_to_json(snapshot).dump(2, ' ', false, kReplace) + "\n");
  EXPECT_NE(text.find("bad \xef\xbf\xbd byte"), std::string::npos);

  // And it reads back as the same snapshot.
  EXPECT_EQ(core::snapshot_to_json(core::snapshot_from_json(nlohmann::json::parse(text))),
            nlohmann::json::parse(text));
}

TEST(SnapshotWriterTest, EmptySnapshot) {
  const core::Snapshot snapshot;
  EXPECT_EQ(written(snapshot), core::snapshot_to_json(snapshot).dump(2) + "\n");
}

}  // namespace
}  // namespace bbp::report
