#include "bbp/report/json_reporter.hpp"

#include <gtest/gtest.h>

#include "report_fixture.hpp"

namespace bbp::report {
namespace {

using testing::render;
using testing::sample_report;

// The JSON reporter streams the findings and unknowns one by one; the bytes must be exactly
// those of the whole document pretty-printed at once.
TEST(JsonReporterTest, StreamedOutputEqualsTheWholeDocument) {
  auto report = sample_report();
  ASSERT_FALSE(report.findings.empty());
  EXPECT_EQ(render(JsonReporter(), report), to_json(report).dump(2) + "\n");

  report.unknown.clear();
  EXPECT_EQ(render(JsonReporter(), report), to_json(report).dump(2) + "\n");
  report.findings.clear();
  EXPECT_EQ(render(JsonReporter(), report), to_json(report).dump(2) + "\n");
}

TEST(JsonReporterTest, SlotMarkersInDataDoNotConfuseTheStream) {
  auto report = sample_report();
  report.errors.push_back({"acme", std::nullopt, "/x", 500,
                           "\n  \"findings\": \"@bbposture:findings@\" (a hostile message)"});
  report.findings[0].resource.name = "@bbposture:unknown@";
  const auto text = render(JsonReporter(), report);
  EXPECT_EQ(text, to_json(report).dump(2) + "\n");
  EXPECT_FALSE(nlohmann::json::parse(text).is_discarded());
}

// The credential kind is in "scan" when the run knows it, and absent when it does not (an
// offline run from a snapshot that did not record it).
TEST(JsonReporterTest, CarriesTheCredentialKindWhenKnown) {
  auto report = sample_report();
  report.credential = "client_credentials";
  EXPECT_EQ(nlohmann::json::parse(render(JsonReporter(), report)).at("scan").at("credential"),
            "client_credentials");
  report.credential.reset();
  EXPECT_FALSE(
      nlohmann::json::parse(render(JsonReporter(), report)).at("scan").contains("credential"));
}

// Every finding carries its message, worded by its rule from the evidence it is written with.
TEST(JsonReporterTest, EveryFindingHasItsRulesMessage) {
  const auto report = sample_report();
  const auto document = to_json(report);
  ASSERT_EQ(document.at("findings").size(), report.findings.size());
  for (std::size_t i = 0; i < report.findings.size(); ++i) {
    const auto& f = report.findings[i];
    const auto& written = document.at("findings")[i];
    EXPECT_EQ(written.at("message"), core::message_of(*f.rule, written.at("evidence")));
    EXPECT_FALSE(written.at("message").get<std::string>().empty()) << f.rule->slug;
    EXPECT_EQ(written.at("title"), f.rule->title) << "the title stays the catalogue's";
  }
  EXPECT_EQ(document.at("findings")[0].at("message"), "the repository is public");
  for (const auto& u : document.at("unknown")) {
    EXPECT_FALSE(u.contains("message")) << "unknowns keep their reason and detail";
  }
}

TEST(JsonReporterTest, InvalidUtf8IsReplacedNotFatal) {
  auto report = sample_report();
  report.findings[0].resource.name = "bad \xff byte";
  const auto text = render(JsonReporter(), report);
  EXPECT_NE(text.find("bad \xef\xbf\xbd byte"), std::string::npos);
}

}  // namespace
}  // namespace bbp::report
