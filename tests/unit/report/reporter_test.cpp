#include "bbp/report/reporter.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "bbp/core/catalogue.hpp"
#include "bbp/report/json_reporter.hpp"
#include "bbp/report/report_reader.hpp"
#include "report_fixture.hpp"

namespace bbp::report::testing {
namespace {

using nlohmann::json;

constexpr std::array<Format, 7> kAll{Format::table, Format::json, Format::jsonl, Format::sarif,
                                     Format::csv,   Format::html, Format::junit};

TEST(ReporterTest, EveryFormatHasAReporter) {
  for (const auto format : kAll) {
    const auto reporter = make_reporter(format);
    ASSERT_NE(reporter, nullptr) << to_string(format);
    EXPECT_FALSE(render(*reporter, sample_report()).empty()) << to_string(format);
  }
}

TEST(ReporterTest, FormatNamesRoundTrip) {
  for (const auto format : kAll) {
    EXPECT_EQ(format_from_string(to_string(format)), format);
  }
  EXPECT_FALSE(format_from_string("xml"));
  // Like --fail-on and --min-severity, -f takes any case.
  EXPECT_EQ(format_from_string("JSON"), Format::json);
  EXPECT_EQ(format_from_string("Sarif"), Format::sarif);
}

TEST(ReporterTest, OnlyTheTableUsesColour) {
  for (const auto format : kAll) {
    const auto text = render(*make_reporter(format, {true, 80}), sample_report());
    EXPECT_EQ(text.find('\033') != std::string::npos, format == Format::table) << to_string(format);
  }
}

json report_schema() {
  std::ifstream in(std::string(BBP_SOURCE_DIR) + "/docs/report.schema.json");
  return json::parse(in);
}

std::set<std::string> keys_of(const json& object) {
  std::set<std::string> out;
  for (const auto& [key, value] : object.items()) {
    out.insert(key);
  }
  return out;
}

std::set<std::string> strings_of(const json& array) {
  std::set<std::string> out;
  for (const auto& item : array) {
    out.insert(item.get<std::string>());
  }
  return out;
}

TEST(ReportSchemaTest, RuleEnumsFollowTheCatalogue) {
  const auto schema = report_schema();
  std::set<std::string> slugs;
  std::set<std::string> ids;
  for (const auto& rule : core::catalogue()) {
    slugs.insert(std::string(rule.slug));
    ids.insert(std::string(rule.id));
  }
  EXPECT_EQ(strings_of(schema.at("$defs").at("rule").at("enum")), slugs);
  EXPECT_EQ(strings_of(schema.at("$defs").at("finding_type_id").at("enum")), ids);
}

TEST(ReportSchemaTest, ReasonEnumIsEveryUnknownReason) {
  std::set<std::string> reasons;
  for (int i = 0;; ++i) {
    const auto reason = static_cast<core::UnknownReason>(i);
    const auto name = std::string(core::to_string(reason));
    if (core::unknown_reason_from_string(name) != reason) {
      break;
    }
    reasons.insert(name);
  }
  EXPECT_EQ(reasons.size(), 8U);
  EXPECT_EQ(strings_of(report_schema().at("$defs").at("reason").at("enum")), reasons);
}

TEST(ReportSchemaTest, RequiredKeysAreExactlyWhatTheReporterWrites) {
  const auto schema = report_schema();
  const auto document = to_json(sample_report());
  const auto& defs = schema.at("$defs");
  EXPECT_EQ(strings_of(schema.at("required")), keys_of(document));
  // Every optional key appears in a report compared with a baseline.
  auto compared = sample_report();
  compare_with_baseline(compared, sample_report(), "old.json");
  compared.declarations_applied = true;
  EXPECT_EQ(keys_of(schema.at("properties")), keys_of(to_json(compared)));
  const auto& scan = schema.at("properties").at("scan");
  auto unrecorded = sample_report();  // as read from an older report: no selection, no kind
  unrecorded.selection.reset();
  EXPECT_EQ(strings_of(scan.at("required")), keys_of(to_json(unrecorded).at("scan")));
  auto recorded = sample_report();
  recorded.credential = "api_token";
  EXPECT_EQ(keys_of(scan.at("properties")), keys_of(to_json(recorded).at("scan")));
  const auto& selection = scan.at("properties").at("selection");
  EXPECT_EQ(strings_of(selection.at("required")), keys_of(document.at("scan").at("selection")));
  // server_version, Data Center's only, is the one optional key of the selection.
  auto datacenter = sample_report();
  datacenter.selection->platform = "bitbucket-datacenter";
  datacenter.selection->server_version = "9.2.3";
  EXPECT_EQ(keys_of(selection.at("properties")),
            keys_of(to_json(datacenter).at("scan").at("selection")));
  // settings holds the thresholds of the rules evaluated, each one optional; every threshold is
  // described, and the default rule set writes the three it uses.
  const auto& settings = scan.at("properties").at("settings");
  EXPECT_FALSE(settings.contains("required"));
  std::set<std::string> every_threshold;
  for (const auto& t : core::thresholds()) {
    every_threshold.emplace(t.key);
  }
  EXPECT_EQ(keys_of(settings.at("properties")), every_threshold);
  EXPECT_EQ(keys_of(document.at("scan").at("settings")),
            (std::set<std::string>{"key_max_age_days", "min_approvals", "stale_days"}));
  EXPECT_EQ(strings_of(schema.at("properties").at("summary").at("required")),
            keys_of(document.at("summary")));
  EXPECT_EQ(strings_of(defs.at("finding_fields").at("required")),
            keys_of(document.at("findings").at(0)));
  EXPECT_EQ(strings_of(defs.at("unknown").at("required")), keys_of(document.at("unknown").at(0)));
  EXPECT_EQ(strings_of(defs.at("resource").at("required")),
            keys_of(document.at("findings").at(0).at("resource")));
  const auto declared = to_json(declared_report());
  EXPECT_EQ(strings_of(defs.at("declared_pass_fields").at("required")),
            keys_of(declared.at("declared_passes").at(0)));
}

// Checks that pass only because of declared restrictions are said in every format, apart from
// the findings: never counted as findings, never with a severity where one is counted.
TEST(DeclaredPassTest, EveryFormatSaysWhichPassesRestOnADeclaration) {
  const auto report = declared_report();
  ASSERT_EQ(report.declared_passes.size(), 4U);
  const auto document = to_json(report);
  EXPECT_EQ(document.at("summary").at("declared_passes"), 4);
  const auto& pass = document.at("declared_passes").at(0);
  EXPECT_EQ(pass.at("outcome"), "pass");
  EXPECT_EQ(pass.at("declared_by"), json::array({"bbposture.yaml:14"}));
  EXPECT_NE(pass.at("evidence").dump().find("declared in bbposture.yaml:14"), std::string::npos);
  for (const auto& f : document.at("findings")) {
    EXPECT_NE(f.at("rule"), pass.at("rule"));
  }
  const auto text = render(*make_reporter(Format::table), report);
  EXPECT_NE(text.find("4 checks on 1 repository pass only because of restrictions declared in:\n"
                      "    bbposture.yaml:14"),
            std::string::npos)
      << text;
  const auto csv = render(*make_reporter(Format::csv), report);
  EXPECT_NE(csv.find("\r\n,force-push-allowed,"), std::string::npos) << csv;  // no severity
  EXPECT_NE(csv.find(",bbposture.yaml:14\r\n"), std::string::npos) << csv;
  const auto jsonl = render(*make_reporter(Format::jsonl), report);
  EXPECT_NE(jsonl.find("\"outcome\":\"pass\""), std::string::npos);
  const auto sarif = json::parse(render(*make_reporter(Format::sarif), report));
  std::size_t passes = 0;
  for (const auto& result : sarif.at("runs").at(0).at("results")) {
    if (result.at("kind") == "pass") {
      ++passes;
      EXPECT_EQ(result.at("level"), "none");
      EXPECT_NE(result.at("message").at("text").get<std::string>().find("bbposture.yaml:14"),
                std::string::npos);
    }
  }
  EXPECT_EQ(passes, 4U);
}

// Without declarations nothing changes: no key, no line.
TEST(DeclaredPassTest, AbsentWithoutDeclarations) {
  const auto document = to_json(sample_report());
  EXPECT_FALSE(document.contains("declared_passes"));
  EXPECT_FALSE(document.at("summary").contains("declared_passes"));
}

}  // namespace
}  // namespace bbp::report::testing
