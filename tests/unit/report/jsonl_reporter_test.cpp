#include "jsonl_reporter.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "bbp/report/json_reporter.hpp"
#include "report_fixture.hpp"

namespace bbp::report::testing {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

TEST(JsonlReporterTest, OneSelfContainedFindingPerLine) {
  const auto report = sample_report();
  const auto text = render(JsonlReporter(), report);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  const auto lines = lines_of(text);
  ASSERT_EQ(lines.size(), report.findings.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto line = nlohmann::json::parse(lines[i]);
    EXPECT_EQ(line.at("scan_started_at"), "2026-11-28T00:00:00Z");
    EXPECT_EQ(line.at("tool_version"), "9.9.9");
    line.erase("scan_started_at");
    line.erase("tool_version");
    EXPECT_EQ(line, finding_json(report.findings[i])) << "the JSON report's finding shape";
  }
}

TEST(JsonlReporterTest, SameFindingsInTheSameOrderAsTheJsonReport) {
  const auto report = sample_report();
  const auto document = to_json(report);
  const auto lines = lines_of(render(JsonlReporter(), report));
  ASSERT_EQ(lines.size(), document.at("findings").size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(nlohmann::json::parse(lines[i]).at("fingerprint"),
              document.at("findings")[i].at("fingerprint"));
  }
}

TEST(JsonlReporterTest, NewlinesInsideValuesAreEscaped) {
  const auto text = render(JsonlReporter(), sample_report());
  EXPECT_NE(text.find(R"(build, \"prod\"\nserver)"), std::string::npos);
}

TEST(JsonlReporterTest, NoFindingsNoLines) {
  EXPECT_EQ(render(JsonlReporter(), ScanReport{}), "");
}

}  // namespace
}  // namespace bbp::report::testing
