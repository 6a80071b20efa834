#include "bbp/text/streamed_json.hpp"

#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace bbp::text {
namespace {

using nlohmann::json;

// The streamed document is byte for byte the whole one pretty-printed, whatever the nesting.
TEST(StreamedJsonTest, WritesWhatDumpingTheWholeDocumentWould) {
  const json items = {{{"name", "a"}, {"tags", {"x", "y"}}}, 2, "three", json::object()};
  const json whole = {{"top", {{"inner", items}, {"empty", json::array()}}}, {"tail", true}};
  const json skeleton = {{"top", {{"inner", "@inner@"}, {"empty", "@empty@"}}}, {"tail", true}};
  std::ostringstream out;
  write_streamed(out, skeleton,
                 {{"inner", "@inner@",
                   [&](ArrayWriter& writer) {
                     for (const auto& item : items) {
                       writer.add(item);
                     }
                   }},
                  {"empty", "@empty@", [](ArrayWriter&) {}}});
  EXPECT_EQ(out.str(), whole.dump(2) + "\n");
}

TEST(StreamedJsonTest, ReplacesInvalidUtf8AndRefusesAMissingMarker) {
  const json skeleton = {{"list", "@list@"}};
  std::ostringstream out;
  write_streamed(out, skeleton,
                 {{"list", "@list@", [](ArrayWriter& writer) { writer.add(json("bad \xFF")); }}});
  EXPECT_EQ(out.str(), "{\n  \"list\": [\n    \"bad \xEF\xBF\xBD\"\n  ]\n}\n");
  std::ostringstream ignored;
  EXPECT_THROW(write_streamed(ignored, skeleton, {{"other", "@other@", [](ArrayWriter&) {}}}),
               std::logic_error);
}

}  // namespace
}  // namespace bbp::text
