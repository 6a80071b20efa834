#include "bbp/report/snapshot_writer.hpp"

#include <string>
#include <vector>

#include "bbp/core/snapshot_json.hpp"
#include "bbp/text/streamed_json.hpp"

namespace bbp::report {
namespace {

std::string repositories_slot(std::size_t workspace) {
  return "@bbposture:repositories:" + std::to_string(workspace) + "@";
}

}  // namespace

void write_snapshot(std::ostream& out, const core::Snapshot& snapshot) {
  const auto skeleton = core::snapshot_to_json(
      snapshot, [](std::size_t w) { return nlohmann::json(repositories_slot(w)); });
  std::vector<text::StreamedArray> arrays;
  for (std::size_t w = 0; w < snapshot.workspaces.size(); ++w) {
    arrays.push_back(
        {"repositories", repositories_slot(w), [&snapshot, w](text::ArrayWriter& writer) {
           for (const auto& repository : snapshot.workspaces[w].repositories) {
             writer.add(core::repository_to_json(repository));
           }
         }});
  }
  text::write_streamed(out, skeleton, arrays);
}

}  // namespace bbp::report
